"""Discovery quality on the demo catalog: complete-the-look recall, gift-set diversity,
personalised re-ranking lift.

1. Complementary recall@10 on the demo's held-out looks (every fifth look; the shop's
   looks file holds only the others): from each item of a held-out look, the share of the
   look's other items in the top 10. Ours (complement model learned from the training
   looks) against plain nearest-neighbour search from the same item, measured in the
   same run: hybrid text search on its title, and "more like this" (visual_search).
2. Gift-set diversity: distinct categories among the top 6 ideas of fixed gift and
   occasion requests; the share with >= 3 where the plan spans >= 3 categories.
3. Personalised re-ranking: simulated shoppers state a liked brand and colour and one
   excluded material; NDCG@10 of category searches with and without their profile
   (gain 1 per liked attribute, 0 for an excluded product; ideal from the top 30).

    .venv/bin/python bench/discovery.py [--size 5000] [--data-dir data/bench-discovery]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import write_result  # noqa: E402


def _recall(found: list[str], wanted: set[str]) -> float:
    return len(set(found[:10]) & wanted) / len(wanted) if wanted else 0.0


def bench_looks(cat: Any, settings: Any, seed: int, size: int) -> dict[str, Any]:
    from shopagent.retrieval.demo import generate_products
    from shopagent.retrieval.demo_looks import generate_looks
    from shopagent.tools.discovery._engine import fetch_category, model_for
    from shopagent.tools.discovery._looks import MAX_CATEGORIES, interleave, rank_complements
    from shopagent.tools.discovery._taste import Taste

    model = model_for(cat, settings)
    looks = [
        lk for lk in generate_looks(generate_products(size, seed), seed) if lk["split"] == "test"
    ]
    ours, text_nn, visual_nn, other_nn, n, ours_s = 0.0, 0.0, 0.0, 0.0, 0, 0.0
    cache: dict[str, list[Any]] = {}
    for look in looks:
        for anchor_id in look["product_ids"]:
            anchor = cat.get_product(anchor_id)
            wanted = set(look["product_ids"]) - {anchor_id}
            t0 = time.perf_counter()
            comps = model.complements(anchor, model.leaves, cat.text)
            order = [c for c, _ in comps[:MAX_CATEGORIES]]
            cands = {c: cache.setdefault(c, fetch_category(cat, c)) for c in order}
            ranked = rank_complements(model, anchor, cands, dict(comps), Taste())
            ours += _recall([p.id for _, p, _ in interleave(ranked, order, 10)], wanted)
            ours_s += time.perf_counter() - t0
            res = cat.search(anchor.title, {"in_stock": True}, 1, 100)
            near = [p for p in res.products if p.id != anchor_id]
            text_nn += _recall([p.id for p in near], wanted)
            # A stronger baseline: the nearest neighbours from other categories only.
            other_nn += _recall([p.id for p in near if p.category != anchor.category], wanted)
            vis = cat.visual_search(None, anchor_id, {"in_stock": True}, 10)
            visual_nn += _recall([p.id for p in vis.products], wanted)
            n += 1
    base = max(text_nn, visual_nn, other_nn) / n
    return {
        "looks_held_out": len(looks),
        "anchors": n,
        "complement_recall_at_10": round(ours / n, 4),
        "baseline_text_nn_recall_at_10": round(text_nn / n, 4),
        "baseline_visual_nn_recall_at_10": round(visual_nn / n, 4),
        "baseline_other_category_nn_recall_at_10": round(other_nn / n, 4),
        # null when every baseline found nothing (the ratio is unbounded).
        "complement_vs_best_baseline": round((ours / n) / base, 2) if base else None,
        "look_ms_per_anchor": round(ours_s * 1000 / max(1, n), 1),
    }


GIFTS: list[dict[str, Any]] = [
    {"recipient": "my dad", "interests": ["hiking"], "budget": "80"},
    {"recipient": "my mum", "interests": ["gardening"], "budget": "40"},
    {"occasion": "summer wedding", "budget": "150"},
    {"occasion": "housewarming", "budget": "50"},
    {"recipient": "my nephew", "interests": ["dinosaurs", "building things"]},
    {"recipient": "a friend", "interests": ["coffee"], "budget": "30"},
    {"recipient": "my brother", "interests": ["music"]},
    {"recipient": "my girlfriend", "interests": ["yoga", "cooking"], "budget": "100"},
    {"recipient": "my grandma", "interests": ["reading", "tea"]},
    {"occasion": "graduation", "recipient": "my son"},
    {"occasion": "anniversary", "recipient": "my wife", "budget": "200"},
    {"occasion": "baby shower"},
    {"occasion": "job interview"},
    {"occasion": "beach holiday"},
    {"occasion": "new home office"},
    {"recipient": "a colleague", "interests": ["running"], "budget": "60"},
    {"recipient": "my sister", "interests": ["tennis"]},
    {"recipient": "my husband", "interests": ["cooking", "watches"]},
]


async def bench_gifts(ctx: Any) -> dict[str, Any]:
    from shopagent.tools.discovery._gifts import GiftArgs, gift_ideas

    distinct, eligible, ok, t0 = [], 0, 0, time.perf_counter()
    for req in GIFTS:
        out = await gift_ideas(ctx, GiftArgs.model_validate(req))
        cats = {c["category"] for c in out["products"][:6]}
        distinct.append(len(cats))
        if len(out["plan"]) >= 3:
            eligible += 1
            ok += len(cats) >= 3
    return {
        "gift_requests": len(GIFTS),
        "gift_mean_distinct_categories_top6": round(sum(distinct) / len(distinct), 2),
        "gift_share_ge3_categories_where_plan_ge3": round(ok / eligible, 3) if eligible else None,
        "gift_ms_per_request": round((time.perf_counter() - t0) * 1000 / len(GIFTS), 1),
    }


def _ndcg(gains: list[float], ideal: list[float]) -> float:
    def dcg(g: list[float]) -> float:
        return sum(x / math.log2(i + 2) for i, x in enumerate(g[:10]))

    best = dcg(sorted(ideal, reverse=True))
    return dcg(gains) / best if best > 0 else 1.0


async def bench_profiles(ctx_for: Any, cat: Any, shoppers: int, seed: int) -> dict[str, Any]:
    from shopagent.retrieval.demo import BRANDS, LEAVES
    from shopagent.tools.catalog import CatalogSearchArgs, catalog_search
    from shopagent.tools.discovery._taste import RememberArgs, remember_preference

    rng = random.Random(f"shoppers:{seed}")
    fashion = [lf for lf in LEAVES if lf.top in ("Apparel", "Shoes", "Bags")]
    with_p, without_p, n = 0.0, 0.0, 0
    for s in range(shoppers):
        leaf = rng.choice(fashion)
        brand, color = rng.choice(BRANDS[leaf.top]), rng.choice(list(leaf.colors))
        banned = rng.choice([m for m in leaf.materials])
        ctx = ctx_for(f"shopper-{s}")
        await remember_preference(
            ctx,
            RememberArgs(
                likes={"brand": [brand], "color": [color]}, excludes={"material": [banned]}
            ),
        )

        def gain(
            card: dict[str, Any], brand: str = brand, color: str = color, banned: str = banned
        ) -> float:
            a = card["attributes"]
            if a.get("material") == banned:
                return 0.0
            return float((card["brand"] == brand) + (a.get("color") == color))

        args = CatalogSearchArgs(query=leaf.name.lower(), page_size=30)
        plain = (await catalog_search(ctx_for("nobody"), args))["products"]
        mine = (await catalog_search(ctx, args))["products"]
        ideal = [gain(c) for c in plain]
        without_p += _ndcg([gain(c) for c in plain], ideal)
        with_p += _ndcg([gain(c) for c in mine], ideal)
        n += 1
    return {
        "simulated_shoppers": n,
        "ndcg_at_10_without_profile": round(without_p / n, 4),
        "ndcg_at_10_with_profile": round(with_p / n, 4),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from shopagent.retrieval import ensure_demo_catalog
    from shopagent.settings import Settings
    from shopagent.tools._registry import ToolContext
    from shopagent.tools.stores import open_stores

    settings = Settings(
        _env_file=None,
        data_dir=args.data_dir,  # type: ignore[call-arg]
        demo_catalog_size=args.size,
    )
    t0 = time.perf_counter()
    cat = ensure_demo_catalog(settings, progress=True)
    build_s = time.perf_counter() - t0
    try:
        result: dict[str, Any] = {"catalog_size": args.size, "catalog_open_s": round(build_s, 1)}
        result.update(bench_looks(cat, settings, settings.demo_catalog_seed, args.size))
        async with await open_stores(
            settings.model_copy(update={"data_dir": args.data_dir / "bench-state"})
        ) as stores:

            def ctx_for(user: str) -> ToolContext:
                return ToolContext(
                    user_id=user,
                    session_id="bench",
                    catalog=cat,
                    stores=stores.commerce,
                    settings=settings,
                )

            result.update(await bench_gifts(ctx_for("gifter")))
            result.update(await bench_profiles(ctx_for, cat, args.shoppers, args.seed))
        return result
    finally:
        cat.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=5000, help="demo catalog size")
    ap.add_argument("--data-dir", type=Path, default=Path("data") / "bench-discovery")
    ap.add_argument("--shoppers", type=int, default=60)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    (args.data_dir / "bench-state").mkdir(parents=True, exist_ok=True)
    import shutil

    # Fresh shopper state each run (the catalog index is reused when unchanged).
    shutil.rmtree(args.data_dir / "bench-state", ignore_errors=True)
    (args.data_dir / "bench-state").mkdir(parents=True)
    write_result("discovery", asyncio.run(run(args)))


if __name__ == "__main__":
    main()
