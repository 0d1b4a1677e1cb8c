"""Complete the look, with real engines: the demo catalog (learned from its looks file),
a camping/home store with no looks (default rules), and a pet shop whose feed declares
collections."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopagent.errors import ToolError
from shopagent.retrieval import open_catalog
from shopagent.retrieval.demo import generate_products
from shopagent.retrieval.demo_looks import generate_looks
from shopagent.retrieval.schema import Product, Variant
from shopagent.settings import Settings
from shopagent.tools._registry import ToolContext, ToolRegistry
from shopagent.tools.discovery import DISCOVERY_TOOLS

CATALOGS = Path(__file__).parents[1] / "data" / "catalogs"
REG = ToolRegistry(DISCOVERY_TOOLS)


def _settings(data: Path) -> Settings:
    return Settings(_env_file=None, data_dir=data)  # type: ignore[call-arg]


async def call(ctx: ToolContext, name: str, args: dict[str, Any]) -> Any:
    t = REG.get(name)
    parsed = t.parse_args(args)
    await t.check(ctx, parsed)
    return await t(ctx, parsed)


def test_demo_looks_are_deterministic_and_some_are_held_out(demo) -> None:
    cat, settings = demo
    products = generate_products(480, seed=7)
    looks = generate_looks(products, seed=7)
    assert looks == generate_looks(generate_products(480, seed=7), seed=7)
    splits = {lk["split"] for lk in looks}
    assert splits == {"train", "test"}
    shipped = json.loads((settings.data_dir / "looks.json").read_text())["looks"]
    held_out = {lk["id"] for lk in looks if lk["split"] == "test"}
    assert shipped and not held_out & {lk["id"] for lk in shipped}
    by_id = {p.id: p for p in products}
    for lk in looks:  # a look spans categories
        cats = [by_id[i].category for i in lk["product_ids"]]
        assert len(set(cats)) == len(cats) >= 2


async def test_complete_the_look_suggests_other_categories_within_budget(demo, stores) -> None:
    cat, settings = demo
    ctx = ToolContext(
        user_id="ann", session_id="s", catalog=cat, stores=stores.commerce, settings=settings
    )
    dress = next(
        p for p in cat.search("", {"category": "Dresses", "in_stock": True}, 1, 20).products
    )
    out = await call(ctx, "complete_the_look", {"product_id": dress.id, "budget": "150"})
    assert out["learned_from"] == "the shop's looks"
    cats = {c["category"].split(" > ")[-1] for c in out["products"]}
    assert "Dresses" not in cats
    # What the demo's looks put with dresses: shoes, a bag, jewellery.
    assert cats & {"Heels", "Sandals"} and cats & {"Handbags", "Tote Bags"}
    look = out["look"]
    assert len(look["items"]) >= 2
    assert Decimal(look["total"]) <= Decimal("150")
    assert Decimal(look["total"]) == sum(Decimal(i["unit_price"]) for i in look["items"])
    assert len({i["category"] for i in look["items"]}) == len(look["items"])
    assert all(c["reason"] for c in out["products"])


async def test_a_tight_budget_drops_items_rather_than_break_it(demo, stores) -> None:
    cat, settings = demo
    ctx = ToolContext(
        user_id="ann", session_id="s", catalog=cat, stores=stores.commerce, settings=settings
    )
    sofa = cat.search("", {"category": "Sofas"}, 1, 1).products[0]
    out = await call(ctx, "complete_the_look", {"product_id": sofa.id, "budget": "40"})
    assert Decimal(out["look"]["total"]) <= Decimal("40")
    with pytest.raises(ToolError) as err:
        await call(ctx, "complete_the_look", {"product_id": "nope"})
    assert err.value.code == "not_found"


async def test_add_look_to_cart_writes_exact_variants_in_one_step(demo, stores) -> None:
    cat, settings = demo
    ctx = ToolContext(
        user_id="bo",
        session_id="s",
        catalog=cat,
        stores=stores.commerce,
        settings=settings,
        idempotency_key="s:call-1",
    )
    jeans = next(
        p
        for p in cat.search("", {"category": "Jeans", "in_stock": True}, 1, 50).products
        if len({v.options["size"] for v in p.variants if v.available}) > 1
    )
    out = await call(ctx, "complete_the_look", {"product_id": jeans.id})
    items = [
        {
            "product_id": i["product_id"],
            "variant_id": i["variant_id"],
            "unit_price": i["unit_price"],
        }
        for i in out["look"]["items"]
    ]
    sized = [i for i in out["look"]["items"] if i["needs"]]
    tool = REG.get("add_look_to_cart")
    if sized:  # a size still to choose is asked before the shopper confirms anything
        with pytest.raises(ToolError) as err:
            await tool.check(ctx, tool.parse_args({"items": items}))
        assert err.value.code == "option_required"
        for it in items:
            need = next(
                i["needs"] for i in out["look"]["items"] if i["product_id"] == it["product_id"]
            )
            if need:
                it["options"] = {need["option"]: need["values"][0]}
    text = tool.describe_write(tool.parse_args({"items": items}), cat)  # type: ignore[misc]
    assert "total" in text and out["look"]["items"][0]["title"] in text
    result = await call(ctx, "add_look_to_cart", {"items": items})
    cart = await stores.commerce.get_cart("bo")
    assert {ln.product_id for ln in cart.lines} == {i["product_id"] for i in items}
    assert all(ln.variant_id for ln in cart.lines if cat.get_product(ln.product_id).variants)
    for line in cart.lines:
        shown = next(i for i in out["look"]["items"] if i["product_id"] == line.product_id)
        if shown["variant_id"]:
            assert Decimal(str(line.unit_price)) == Decimal(shown["unit_price"])
    again = await call(ctx, "add_look_to_cart", {"items": items})  # a replayed step
    assert again == result
    assert sum(ln.quantity for ln in (await stores.commerce.get_cart("bo")).lines) == len(items)
    # Another user's cart is untouched; a changed price is refused before any write.
    assert not (await stores.commerce.get_cart("cy")).lines
    items[0]["unit_price"] = str(Decimal(items[0]["unit_price"] or "1") + 1)
    with pytest.raises(ToolError) as err:
        await call(ctx, "add_look_to_cart", {"items": items})
    assert err.value.code == "price_changed"


def test_default_rules_serve_a_shop_with_no_looks(tmp_path: Path) -> None:
    import asyncio

    settings = _settings(tmp_path)
    cat = open_catalog(settings)
    try:
        cat.ingest_file(CATALOGS / "home_outdoor" / "shopify.csv")
        tent = next(
            p for p in cat.search("dome tent", None, 1, 5).products if p.leaf_category == "Tents"
        )
        ctx = ToolContext(user_id="u", session_id="s", catalog=cat, settings=settings)
        out = asyncio.run(call(ctx, "complete_the_look", {"product_id": tent.id}))
        assert out["learned_from"] == "default rules"
        cats = [c["category"].split(" > ")[-1] for c in out["products"]]
        assert "Sleeping Bags" in cats and "Tents" not in cats
        assert not {"Sheets", "Duvet Covers", "Skillets"} & set(cats)
    finally:
        cat.close()


def _pet(i: int, cat: str, color: str, collection: str | None, price: str) -> Product:
    attrs: dict[str, Any] = {"color": color, "style": "classic"}
    if collection:
        attrs["collections"] = [collection]
    return Product(
        id=f"pet-{i}",
        title=f"{color.title()} {cat[:-1]} {i}",
        category=f"Pets > {cat}",
        brand="Wagwell",
        price=Decimal(price),
        attributes=attrs,
        variants=[Variant(id=f"pet-{i}-v", options={"color": color}, price=Decimal(price))],
    )


def test_collections_in_the_feed_teach_what_goes_together(tmp_path: Path) -> None:
    import asyncio

    settings = _settings(tmp_path)
    cat = open_catalog(settings)
    products, k = [], 0
    for n, color in enumerate(["red", "blue", "green", "black", "teal", "mustard"]):
        # Each collection: a leash with a collar and a bowl of its colour.
        for leaf in ("Leashes", "Collars", "Bowls"):
            products.append(_pet(k, leaf, color, f"walk-{n}", "12.50"))
            k += 1
        products.append(_pet(k, "Aquariums", color, None, "40.00"))
        k += 1
    cat.ingest(products)
    try:
        leash = next(p for p in products if "Leash" in p.title and p.attributes["color"] == "teal")
        ctx = ToolContext(user_id="u", session_id="s", catalog=cat, settings=settings)
        out = asyncio.run(call(ctx, "complete_the_look", {"product_id": leash.id}))
        assert out["learned_from"] == "the shop's looks"
        assert set(out["complements"]) == {"collars", "bowls"}
        top = out["products"][:2]
        assert all(c["attributes"]["color"] == "teal" for c in top), top
    finally:
        cat.close()


async def test_co_purchases_in_orders_teach_complements(tmp_path: Path) -> None:
    """A bike shop with no looks: what shoppers buy together (orders of other users)
    decides what complete_the_look suggests."""
    import asyncio

    from shopagent.tools.discovery import _engine
    from shopagent.tools.stores import CartLine, Order, open_stores

    settings = _settings(tmp_path)
    cat = open_catalog(settings)
    bikes = [
        Product(
            id=f"bike-{i}",
            title=f"Trail Bike {i}",
            category="Cycling > Bikes",
            price=Decimal("900.00"),
            attributes={"color": "black"},
        )
        for i in range(3)
    ]
    kinds = {"helm": "Helmets", "lock": "Bike Locks", "tyre": "Tyre Levers", "jers": "Jerseys"}
    extras = [
        Product(
            id=f"{key}-{i}",
            title=f"{leaf} {i}",
            category=f"Cycling > {leaf}",
            price=Decimal("30.00"),
            attributes={"color": "black"},
        )
        for key, leaf in kinds.items()
        for i in range(3)
    ]
    await asyncio.to_thread(cat.ingest, bikes + extras)

    def order(user: str, n: int, ids: list[str]) -> Order:
        return Order(
            order_id=f"o-{user}-{n}",
            user_id=user,
            total=Decimal("1.00"),
            lines=[CartLine(product_id=p, title=p, unit_price=Decimal("1.00")) for p in ids],
        )

    try:
        async with await open_stores(settings) as stores:
            for n in range(6):  # bikes go with a helmet and a lock; levers are bought alone
                user = f"rider-{n}"
                k = n % 3
                bought = order(user, n, [f"bike-{k}", f"helm-{k}", f"bike-{k}"])
                bought.lines.append(
                    CartLine(product_id=f"lock-{k}", title="lock", unit_price=Decimal("1.00"))
                )
                alone = order(user, 100 + n, [f"tyre-{k}"])

                async def put(txn, orders=(bought, alone)):  # type: ignore[no-untyped-def]
                    for o in orders:
                        txn.put_order(o)
                    return {}

                await stores.commerce.write_once(user, f"k{n}", put)
            baskets = await stores.commerce.order_baskets()
            assert len(baskets) == 6 and all(len(b) == 3 for b in baskets)
            ctx = ToolContext(
                user_id="new",
                session_id="s",
                catalog=cat,
                stores=stores.commerce,
                settings=settings,
            )
            _engine._BASKETS.clear()
            out = await call(ctx, "complete_the_look", {"product_id": "bike-0"})
            assert out["learned_from"] == "the shop's looks"
            assert set(out["complements"]) == {"helmets", "bike locks"}
    finally:
        cat.close()


def test_a_look_prefers_pieces_that_need_no_question() -> None:
    from shopagent.tools.discovery._looks import choose_look

    def item(pid: str, sizes: list[str]) -> Product:
        variants = [Variant(id=f"{pid}-{s}", options={"size": s}) for s in sizes] or [
            Variant(id=f"{pid}-one")
        ]
        return Product(
            id=pid, title=pid, category="Garden > Boots", price=Decimal("20.00"), variants=variants
        )

    # the best-scoring boot needs a size the shopper has not given; a close second comes in
    # the size they wear, and a glove comes in one size only
    boots = [(0.9, item("boot-a", ["38", "39"]), []), (0.8, item("boot-b", ["40", "41"]), [])]
    gloves = [(0.7, item("glove", []), [])]
    look = choose_look({"Boots": boots, "Gloves": gloves}, ["Boots", "Gloves"], None, ["40"])
    assert [p.id for p, _, _ in look] == ["boot-b", "glove"]
    assert look[0][1].options == {"size": "40"}  # bought in the size they wear, no question
