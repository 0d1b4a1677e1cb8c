"""The assistant over merchant catalogs: does it find, and sell exactly, what a store has?

Over the hand-made fixture stores (tests/data/catalogs: electronics and home_outdoor,
each as a Merchant Center feed and a Shopify export), each ingested into its own data
folder with an embedded model trained on that catalog (as ``shopagent serve`` does):

- hit_at_1_direct: the store's queries through ``CatalogService.search``;
- hit_at_1_agent: the same queries as a shopper's message through the real
  ``AgentService`` turn (embedded tier: understanding -> filters -> catalog_search); the
  first product card shown must be the expected product;
- variants_buyable: the share of sellable variants a scripted conversation buys: ask
  for the product by its title, pick its card (the card's add-to-cart action) unless the
  assistant already started adding it, answer each option question with the option's
  value (the quick reply), confirm, then the cart holds that variant at its price;
- price_mismatches: confirmations whose unit price differs from the feed's price or
  from the cart line's (target 0).

``--quick`` trains the embedded models with the tests' small configuration (faster,
less accurate understanding); ``--limit N`` buys at most N variants per catalog.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import write_result  # noqa: E402

CATALOGS = Path(__file__).resolve().parents[1] / "tests" / "data" / "catalogs"
FEEDS = [
    (s, f) for s in ("electronics", "home_outdoor") for f in ("merchant_center.tsv", "shopify.csv")
]


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.open() if line.strip()]


async def agent_turn(svc: Any, sid: str, user: str = "bench", **kw: Any) -> list[Any]:
    return [e async for e in svc.stream_turn(user_id=user, session_id=sid, **kw)]


def shown(events: list[Any]) -> list[str]:
    cards = [e for e in events if e.type == "products"]
    return [c.id for c in cards[0].products] if cards else []


async def buy(svc: Any, product: Any, want: dict[str, Any], user: str) -> tuple[bool, int, str]:
    """One scripted conversation of a new shopper; (bought the right variant at its
    price, price mismatches, why not)."""
    sid = (await svc.sessions.create_session(user)).session_id
    events = await agent_turn(svc, sid, user, text=f"show me the {product.title}")
    # the assistant may start adding the named product itself (asking an option, or the
    # confirmation straight away for a product with one variant)
    picked = any(
        e.type in ("tool_call", "confirm_required")
        and getattr(e, "name", getattr(e, "tool", "")) == "add_to_cart"
        and e.arguments.get("product_id") == product.id
        for e in events
    )
    if not picked:  # the assistant showed cards: the shopper taps the product's "add"
        if product.id not in shown(events):
            return False, 0, "search did not show it"
        events = await agent_turn(
            svc,
            sid,
            user,
            text="",
            action={"type": "add_to_cart", "product_id": product.id, "quantity": 1},
        )
    wanted = {k.casefold(): v for k, v in want["options"].items()}
    for _ in range(4):
        ask = next((e for e in events if e.type == "confirm_required"), None)
        if ask is not None:
            break
        msg = next((e for e in events if e.type == "message"), None)
        replies = [r for r in (getattr(msg, "quick_replies", None) or [])]
        answer = next((v for v in wanted.values() if v in replies), None)
        if answer is None:
            return False, 0, f"no option question to answer ({getattr(msg, 'text', '')[:80]})"
        wanted = {k: v for k, v in wanted.items() if v != answer}
        events = await agent_turn(svc, sid, user, text=answer)
    else:
        return False, 0, "no confirmation"
    mismatches = int(ask.unit_price != want["price"])
    done = [
        e
        async for e in svc.stream_confirm(
            user_id=user, session_id=sid, confirmation_id=ask.confirmation_id, approve=True
        )
    ]
    if not any(e.type == "tool_result" and e.ok for e in done):
        return False, mismatches, "the write failed"
    cart = await svc.get_cart(user_id=user)
    line = next((ln for ln in cart["lines"] if ln["product_id"] == product.id), None)
    if line is None:
        return False, mismatches, "not in the cart"
    mismatches += int(line["unit_price"] != ask.unit_price)
    ok = line["variant_id"] == ask.variant_id and line["unit_price"] == want["price"]
    ok = ok and {k.casefold(): v for k, v in line["options"].items()} == {
        k.casefold(): v for k, v in want["options"].items()
    }
    return ok, mismatches, "" if ok else f"cart holds {line['variant_id']} {line['unit_price']}"


async def run_catalog(store: str, feed: str, quick: bool, limit: int | None) -> dict[str, Any]:
    from shopagent.agent.service import AgentService
    from shopagent.retrieval import open_catalog
    from shopagent.settings import Settings
    from shopagent.training.embedded import QUICK_CONFIG, ensure_model

    data = Path(tempfile.mkdtemp(prefix=f"bench-{store}-"))
    settings = Settings(_env_file=None, data_dir=data)  # type: ignore[call-arg]
    catalog = open_catalog(settings)
    report = catalog.ingest_file(CATALOGS / store / feed)
    queries = jsonl(CATALOGS / store / "queries.jsonl")
    direct = sum(
        catalog.search(q["query"], page_size=1).products[0].id == q["expected"] for q in queries
    )
    t0 = time.perf_counter()
    ensure_model(settings, catalog, progress=False, cfg=QUICK_CONFIG if quick else None)
    train_s = time.perf_counter() - t0
    agent_hits, misses = 0, []
    bought, sellable, mismatches, failures = 0, 0, 0, []
    async with AgentService.open(settings, catalog=catalog) as svc:
        for q in queries:
            sid = (await svc.sessions.create_session("bench")).session_id
            got = shown(await agent_turn(svc, sid, text=q["query"]))
            agent_hits += bool(got) and got[0] == q["expected"]
            if not got or got[0] != q["expected"]:
                misses.append(f"{q['query']!r} -> {got[:1]}")
        truth = [
            v
            for v in jsonl(CATALOGS / store / "variants.jsonl")
            if v["availability"] != "out_of_stock"
        ][:limit]
        for n, want in enumerate(truth):
            product = catalog.get_product(want["product_id"])
            sellable += 1
            ok, bad, why = await buy(svc, product, want, f"shopper-{n}")
            bought += ok
            mismatches += bad
            if not ok:
                failures.append(f"{want['sku']}: {why}")
    catalog.close()
    n = len(queries)
    return {
        "catalog": f"{store}/{feed}",
        "products": report.ingested,
        "queries": n,
        "hit_at_1_direct": round(direct / n, 3),
        "hit_at_1_agent": round(agent_hits / n, 3),
        "variants_tried": sellable,
        "variants_bought": bought,
        "price_mismatches": mismatches,
        "train_s": round(train_s, 1),
        "agent_misses": misses[:10],
        "buy_failures": failures[:10],
    }


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small embedded-model training")
    ap.add_argument("--limit", type=int, default=None, help="variants bought per catalog")
    ap.add_argument("--only", default=None, help="one catalog, e.g. electronics/shopify.csv")
    args = ap.parse_args()
    per = []
    for store, feed in FEEDS:
        if args.only and args.only != f"{store}/{feed}":
            continue
        print(f"==> {store}/{feed}", flush=True)
        per.append(await run_catalog(store, feed, args.quick, args.limit))
        print(json.dumps(per[-1], indent=2), flush=True)
    queries = sum(c["queries"] for c in per)
    direct = sum(c["hit_at_1_direct"] * c["queries"] for c in per) / queries
    agent = sum(c["hit_at_1_agent"] * c["queries"] for c in per) / queries
    tried = sum(c["variants_tried"] for c in per)
    write_result(
        "catalog_agent",
        {
            "hit_at_1_direct": round(direct, 3),
            "hit_at_1_agent": round(agent, 3),
            "ratio": round(agent / direct, 3) if direct else None,
            "variants_buyable": round(sum(c["variants_bought"] for c in per) / tried, 3)
            if tried
            else None,
            "price_mismatches": sum(c["price_mismatches"] for c in per),
            "training": "quick" if args.quick else "default",
            "catalogs": per,
        },
    )


if __name__ == "__main__":
    asyncio.run(main())
