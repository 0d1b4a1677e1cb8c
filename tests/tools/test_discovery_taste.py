"""A shopper's taste carries over: said (sizes, likes, exclusions) and done (orders),
kept per user in the real stores (SQLite and Redis), applied to search and looks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from shopagent.errors import ToolError
from shopagent.settings import Settings
from shopagent.tools._registry import ToolContext, ToolRegistry
from shopagent.tools.builtin import build_registry
from shopagent.tools.stores import CartLine, Order, Stores, open_stores

REG: ToolRegistry = build_registry()


async def call(ctx: ToolContext, name: str, args: dict[str, Any]) -> Any:
    t = REG.get(name)
    return await t(ctx, t.parse_args(args))


def _ctx(demo, stores: Stores, user: str) -> ToolContext:
    cat, settings = demo
    return ToolContext(
        user_id=user, session_id="s", catalog=cat, stores=stores.commerce, settings=settings
    )


async def test_said_preferences_personalise_search_and_are_explained(demo, both) -> None:
    ann = _ctx(demo, both, "ann")
    plain = await call(ann, "catalog_search", {"query": "dresses", "page_size": 20})
    assert "personalised" not in plain
    brand = plain["products"][-1]["brand"]  # a brand the plain ranking puts last
    material = plain["products"][0]["attributes"]["material"]
    await call(
        ann,
        "remember_preference",
        {"sizes": ["M"], "likes": {"brand": [brand]}, "excludes": {"material": [material]}},
    )
    mine = await call(ann, "catalog_search", {"query": "dresses", "page_size": 20})
    cards = mine["products"]
    assert cards and all(c["attributes"].get("material") != material for c in cards)
    liked = [i for i, c in enumerate(cards) if c["brand"] == brand]
    assert liked and liked[0] == 0 and len(liked) < len(cards)  # soft: not a filter
    before = {c["id"]: i for i, c in enumerate(plain["products"])}
    assert all(i <= before[cards[i]["id"]] for i in liked)  # liked items only move up
    assert f"because you like {brand}" in mine["personalised"]
    # Another shopper sees the plain ranking: a profile never crosses users.
    bo = await call(_ctx(demo, both, "bo"), "catalog_search", {"query": "dresses", "page_size": 20})
    assert bo["products"] == plain["products"]
    shown = await call(ann, "show_profile", {})
    assert shown["sizes"] == ["M"] and shown["likes"]["brand"] == [brand]
    assert shown["excludes"] == {"material": [material]}


async def test_forget_my_size_and_forget_everything(demo, both) -> None:
    ann = _ctx(demo, both, "ann")
    await call(ann, "remember_preference", {"sizes": ["L", "42"], "likes": {"color": ["navy"]}})
    product = demo[0].get_product("p-00051")
    order = Order(
        order_id="o-1",
        user_id="ann",
        total=54.99,
        lines=[CartLine(product_id=product.id, title=product.title, unit_price=54.99)],
    )

    async def buy(txn):  # type: ignore[no-untyped-def]
        txn.put_order(order)
        return {}

    await both.commerce.write_once("ann", "k1", buy)
    shown = await call(ann, "show_profile", {})
    assert product.brand in shown["likes"]["brand"]  # learned from what was bought
    await call(ann, "forget_profile", {"what": "sizes", "value": "42"})
    assert (await call(ann, "show_profile", {}))["sizes"] == ["L"]
    await call(ann, "forget_profile", {"what": "sizes"})
    assert (await call(ann, "show_profile", {}))["sizes"] == []
    await call(ann, "forget_profile", {"what": "everything"})
    shown = await call(ann, "show_profile", {})
    assert shown["empty"] and not shown["likes"]  # the old order no longer teaches taste
    assert await both.commerce.list_orders("ann")  # forgetting taste keeps the order


async def test_profile_ttl_expires_it(demo, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, profile_ttl_s=1)  # type: ignore[call-arg]
    async with await open_stores(settings) as stores:
        ann = _ctx(demo, stores, "ann")
        await call(ann, "remember_preference", {"sizes": ["S"]})
        assert (await call(ann, "show_profile", {}))["sizes"] == ["S"]
        time.sleep(1.2)
        assert (await call(ann, "show_profile", {}))["empty"]


async def test_a_remembered_size_fills_add_to_cart(demo, both) -> None:
    cat, _ = demo
    ann = _ctx(demo, both, "ann")
    product = next(
        p
        for p in cat.search("", {"category": "Jeans", "in_stock": True}, 1, 50).products
        if {"M", "L"} <= set(p.option_values("size", available_only=True))
    )
    add = REG.get("add_to_cart")
    with pytest.raises(ToolError) as err:  # nothing remembered: the size is asked for
        await add.check(ann, add.parse_args({"product_id": product.id}))
    assert err.value.code == "option_required"
    await call(ann, "remember_preference", {"request": "I'm a size L"})
    pinned = await add.check(ann, add.parse_args({"product_id": product.id}))
    variant = next(v for v in product.variants if v.id == pinned["variant_id"])
    assert variant.options["size"] == "L"
    # A size the shopper names still wins over the remembered one.
    pinned = await add.check(ann, add.parse_args({"product_id": product.id, "size": "M"}))
    assert next(v for v in product.variants if v.id == pinned["variant_id"]).options["size"] == "M"
    # Another shopper gets no default.
    with pytest.raises(ToolError):
        await add.check(_ctx(demo, both, "bo"), add.parse_args({"product_id": product.id}))


async def test_taste_reorders_products_of_like_relevance_only(demo, both) -> None:
    """A liked brand moves up among products the search scored alike, never above one the
    words matched far better ("bottles": the bottle stays above the liked bodysuits)."""
    from shopagent.tools.discovery import personalise

    cat = demo[0]
    ids = cat.product_ids()[:40]
    products = cat.get_products(ids)
    first = products[0]
    second = next(p for p in products[1:] if p.brand != first.brand)
    third = next(p for p in products[1:] if p.brand not in (first.brand, second.brand))
    others = [second, third]
    ann = _ctx(demo, both, "ann")
    await call(ann, "remember_preference", {"likes": {"brand": [others[1].brand]}})
    cards = [
        {"id": first.id, "brand": first.brand, "score": 0.033},
        {"id": others[0].id, "brand": others[0].brand, "score": 0.0164},
        {"id": others[1].id, "brand": others[1].brand, "score": 0.0161},
    ]
    out = await personalise(ann, {"products": cards})
    assert [c["id"] for c in out["products"]] == [first.id, others[1].id, others[0].id]
