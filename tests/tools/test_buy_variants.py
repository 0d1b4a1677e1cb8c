"""Buying exactly what was confirmed, on the merchant fixture catalogs (both formats).

The flow is the one the agent runs: ``add_to_cart`` without options, the shopper answers
each ``option_required`` question with the option's value, the precheck pins the variant
and unit price, the confirmation text names them, the write runs with the pinned
arguments, checkout makes the order. For every variant of every fixture catalog the
confirmed price == the cart line's == the order's, and the variant is the one chosen.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopagent.errors import ToolError
from shopagent.retrieval import open_catalog
from shopagent.retrieval.schema import option_key
from shopagent.settings import Settings
from shopagent.tools._registry import ToolContext, ToolRegistry
from shopagent.tools.cart import CART_TOOLS
from shopagent.tools.stores import open_stores

CATALOGS = Path(__file__).resolve().parents[1] / "data" / "catalogs"
FEEDS = [
    (store, feed)
    for store in ("electronics", "home_outdoor")
    for feed in ("merchant_center.tsv", "shopify.csv")
]


def truth(store: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (CATALOGS / store / "variants.jsonl").open()]


@pytest.fixture(scope="module", params=FEEDS, ids=[f"{s}-{f.split('.')[0]}" for s, f in FEEDS])
def fixture_catalog(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Any]]:
    store, feed = request.param
    data = tmp_path_factory.mktemp(f"{store}-{feed.split('.')[0]}")
    catalog = open_catalog(Settings(_env_file=None, data_dir=data))  # type: ignore[call-arg]
    report = catalog.ingest_file(CATALOGS / store / feed)
    assert report.skipped == 0 and not report.issues, [str(i) for i in report.issues]
    yield store, catalog
    catalog.close()


async def confirm_and_write(
    registry: ToolRegistry, ctx: ToolContext, name: str, args: dict[str, Any], key: str
) -> tuple[str, dict[str, Any], Any]:
    """What agent/graph.py's confirm node and tool node do: precheck (pins), describe,
    then the write with an idempotency key."""
    tool = registry.get(name)
    parsed = tool.parse_args(args)
    pinned = await tool.check(ctx, parsed)
    args = {**args, **(pinned or {})}
    parsed = tool.parse_args(args)
    summary = tool.describe_write(parsed, ctx.catalog) if tool.describe_write else name
    ctx.idempotency_key = key
    try:
        return summary, args, await tool(ctx, parsed)
    finally:
        ctx.idempotency_key = None


async def test_every_variant_is_bought_at_the_confirmed_price(
    fixture_catalog: tuple[str, Any], tmp_path: Path
) -> None:
    store, catalog = fixture_catalog
    registry = ToolRegistry(CART_TOOLS)
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    bought = refused = 0
    async with await open_stores(settings) as stores:
        for n, want in enumerate(truth(store)):
            ctx = ToolContext(
                user_id=f"u{n}", session_id="s", stores=stores.commerce, catalog=catalog
            )
            wanted = {option_key(k): v for k, v in want["options"].items()}
            product = catalog.get_product(want["product_id"])
            args: dict[str, Any] = {"product_id": want["product_id"], "quantity": 2}
            answered: dict[str, str] = {}
            # the shopper answers each question the tool asks, with its real option name
            for _ in range(4):
                try:
                    await registry.get("add_to_cart").check(
                        ctx, registry.get("add_to_cart").parse_args(args)
                    )
                    break
                except ToolError as exc:
                    if exc.code != "option_required":
                        assert exc.code == "out_of_stock", exc.message
                        break
                    option = exc.details["option"]
                    assert option in wanted and option not in answered
                    assert product.option_label(option) in exc.message
                    answered[option] = wanted[option]
                    args["options"] = dict(answered)
            if want["availability"] == "out_of_stock":
                with pytest.raises(ToolError) as err:
                    await confirm_and_write(
                        registry, ctx, "add_to_cart", {**args, "options": wanted}, f"k{n}"
                    )
                assert err.value.code == "out_of_stock"
                refused += 1
                continue
            summary, pinned, result = await confirm_and_write(
                registry, ctx, "add_to_cart", args, f"k{n}"
            )
            price = want["price"]
            variant = product.variant(pinned["variant_id"])
            assert variant is not None and variant.options == wanted
            assert variant.sku == want["sku"] or not want["options"]
            assert pinned["unit_price"] == price and pinned["currency"] == want["currency"]
            assert f"at {price} {want['currency']} each" in summary
            assert all(v in summary for v in wanted.values())
            line = result["cart"]["lines"][0]
            assert (line["variant_id"], line["unit_price"], line["quantity"]) == (
                variant.id,
                price,
                2,
            )
            assert line["options"] == wanted
            assert result["cart"]["total"] == str(Decimal(price) * 2)
            _, _, receipt = await confirm_and_write(registry, ctx, "checkout", {}, f"c{n}")
            assert receipt["total"] == str(Decimal(price) * 2)
            assert [(ln["variant_id"], ln["unit_price"]) for ln in receipt["lines"]] == [
                (variant.id, price)
            ]
            order = await stores.commerce.get_order(ctx.user_id, receipt["order_id"])
            assert order is not None and order.lines[0].unit_price == Decimal(price)
            assert order.lines[0].variant_id == variant.id
            bought += 1
    assert bought + refused == len(truth(store)) and bought > 90


async def test_a_price_change_after_confirmation_refuses_the_write(
    fixture_catalog: tuple[str, Any], tmp_path: Path
) -> None:
    store, catalog = fixture_catalog
    registry = ToolRegistry(CART_TOOLS)
    want = next(v for v in truth(store) if v["availability"] == "in_stock" and v["options"])
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    async with await open_stores(settings) as stores:
        ctx = ToolContext(user_id="u", session_id="s", stores=stores.commerce, catalog=catalog)
        tool = registry.get("add_to_cart")
        args = {"product_id": want["product_id"], "options": want["options"]}
        pinned = {**args, **(await tool.check(ctx, tool.parse_args(args)) or {})}
        assert pinned["unit_price"] == want["price"]
        # the merchant changes the price between the confirmation and the write
        stale = {**pinned, "unit_price": str(Decimal(want["price"]) - 1)}
        ctx.idempotency_key = "k1"
        with pytest.raises(ToolError) as err:
            await tool(ctx, tool.parse_args(stale))
        assert err.value.code == "price_changed"
        assert err.value.details == {
            "confirmed": stale["unit_price"],
            "current": want["price"],
            "currency": want["currency"],
        }
        assert (await stores.commerce.get_cart("u")).lines == []


async def test_quantities_change_and_remove_one_line(
    fixture_catalog: tuple[str, Any], tmp_path: Path
) -> None:
    store, catalog = fixture_catalog
    registry = ToolRegistry(CART_TOOLS)
    sellable = [v for v in truth(store) if v["availability"] != "out_of_stock"]
    a, b = next(
        (x, y)
        for x in sellable
        for y in sellable
        if x["product_id"] == y["product_id"] and x["sku"] != y["sku"]
    )
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    async with await open_stores(settings) as stores:
        ctx = ToolContext(user_id="u", session_id="s", stores=stores.commerce, catalog=catalog)
        for i, v in enumerate((a, b)):
            await confirm_and_write(
                registry,
                ctx,
                "add_to_cart",
                {"product_id": v["product_id"], "options": v["options"], "quantity": 3},
                f"a{i}",
            )
        pid = a["product_id"]
        # two variants of one product: which one must be said
        with pytest.raises(ToolError) as err:
            await registry.get("update_cart_quantity").check(
                ctx,
                registry.get("update_cart_quantity").parse_args({"product_id": pid, "quantity": 1}),
            )
        assert err.value.code == "variant_required" and len(err.value.details["lines"]) == 2
        cart = await stores.commerce.get_cart("u")
        first = cart.lines[0].variant_id
        summary, _, out = await confirm_and_write(
            registry,
            ctx,
            "update_cart_quantity",
            {"product_id": pid, "variant_id": first, "quantity": 5},
            "u1",
        )
        assert [ln["quantity"] for ln in out["cart"]["lines"]] == [5, 3]
        # what the shopper confirms names that variant at its own price
        line = cart.lines[0]
        assert f"{line.unit_price} {a['currency']} each" in summary, summary
        assert all(v in summary for v in line.options.values()), summary
        _, _, out = await confirm_and_write(
            registry,
            ctx,
            "remove_from_cart",
            {"product_id": pid, "variant_id": first, "quantity": 2},
            "r1",
        )
        assert [ln["quantity"] for ln in out["cart"]["lines"]] == [3, 3]
        assert out["cart"]["total"] == str(Decimal(a["price"]) * 3 + Decimal(b["price"]) * 3)
        _, _, out = await confirm_and_write(
            registry,
            ctx,
            "update_cart_quantity",
            {"product_id": pid, "variant_id": first, "quantity": 0},
            "u2",
        )
        assert [ln["variant_id"] for ln in out["cart"]["lines"]] == [cart.lines[1].variant_id]
        # one line of the product left: a change without a variant is that line's, and
        # the confirmation says which variant and what it costs
        kept = cart.lines[1]
        summary, pinned, out = await confirm_and_write(
            registry, ctx, "update_cart_quantity", {"product_id": pid, "quantity": 2}, "u3"
        )
        assert pinned["variant_id"] == kept.variant_id
        assert f"{kept.unit_price} {b['currency']} each" in summary, summary
        assert [ln["quantity"] for ln in out["cart"]["lines"]] == [2]


async def test_a_quantity_change_confirms_the_lines_own_price(
    fixture_catalog: tuple[str, Any], tmp_path: Path
) -> None:
    """A line added before the merchant's price moved keeps the price it was added at: a
    change of its quantity shows that price (not the catalog's now) and writes that line;
    a confirmation whose line has since gone is refused, not applied to another line."""
    store, catalog = fixture_catalog
    registry = ToolRegistry(CART_TOOLS)
    want = next(v for v in truth(store) if v["availability"] != "out_of_stock")
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    async with await open_stores(settings) as stores:
        ctx = ToolContext(user_id="u", session_id="s", stores=stores.commerce, catalog=catalog)
        pid = want["product_id"]
        await confirm_and_write(
            registry, ctx, "add_to_cart", {"product_id": pid, "options": want["options"]}, "a"
        )
        old = Decimal(want["price"]) + Decimal("5.00")  # the price it was added at
        await stores.commerce.write_once("u", "reprice", reprice_to(old))
        summary, pinned, out = await confirm_and_write(
            registry, ctx, "update_cart_quantity", {"product_id": pid, "quantity": 2}, "u"
        )
        assert pinned["unit_price"] == str(old)
        assert f"{old} {want['currency']} each" in summary, summary
        assert want["price"] + " " not in summary, summary
        assert [(ln["quantity"], ln["unit_price"]) for ln in out["cart"]["lines"]] == [
            (2, str(old))
        ]
        assert out["cart"]["total"] == str(old * 2)
        summary, _, out = await confirm_and_write(
            registry, ctx, "remove_from_cart", {"product_id": pid, "quantity": 1}, "r"
        )
        assert f"{old} {want['currency']} each" in summary, summary
        assert out["cart"]["total"] == str(old)
        # the line changes price after the confirmation: the confirmed write is refused
        tool = registry.get("update_cart_quantity")
        stale = tool.parse_args({**pinned, "quantity": 3})
        await stores.commerce.write_once("u", "reprice2", reprice_to(Decimal(want["price"])))
        ctx.idempotency_key = "u2"
        with pytest.raises(ToolError) as err:
            await tool(ctx, stale)
        assert err.value.code == "cart_changed"
        cart = await stores.commerce.get_cart("u")
        assert [(ln.quantity, ln.unit_price) for ln in cart.lines] == [(1, Decimal(want["price"]))]
        # a pinned price that is no amount is refused as bad arguments
        with pytest.raises(ToolError) as err:
            tool.parse_args({"product_id": pid, "quantity": 1, "unit_price": "cheap"})
        assert err.value.code == "invalid_arguments"


def reprice_to(price: Decimal) -> Any:
    """A write that sets the cart's first line's unit price (the line as added earlier)."""

    async def apply(txn: Any) -> dict[str, Any]:
        cart = await txn.get_cart()
        cart.lines[0].unit_price = price
        txn.put_cart(cart)
        return {}

    return apply


async def test_a_line_added_in_a_sale_keeps_its_price_before_it_and_the_cart_its_savings(
    tmp_path: Path,
) -> None:
    """The price before a sale is the variant's compare-at price (the fixture's record, not
    the code under test): the line keeps it, the cart adds up what the sale saves."""
    rows = truth("home_outdoor")
    sale = next(
        v
        for v in rows
        if v["availability"] != "out_of_stock"
        and v["compare_at"]
        and Decimal(v["compare_at"]) > Decimal(v["price"])
    )
    usual = next(v for v in rows if v["availability"] != "out_of_stock" and not v["compare_at"])
    data = tmp_path / "cat"
    catalog = open_catalog(Settings(_env_file=None, data_dir=data))  # type: ignore[call-arg]
    catalog.ingest_file(CATALOGS / "home_outdoor" / "shopify.csv")
    registry = ToolRegistry(CART_TOOLS)
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    try:
        async with await open_stores(settings) as stores:
            ctx = ToolContext(user_id="u", session_id="s", stores=stores.commerce, catalog=catalog)
            for key, v, qty in (("a", sale, 2), ("b", usual, 1)):
                args = {"product_id": v["product_id"], "options": v["options"], "quantity": qty}
                await confirm_and_write(registry, ctx, "add_to_cart", args, key)
            cart = (await stores.commerce.get_cart("u")).summary()
            assert [ln["compare_at_price"] for ln in cart["lines"]] == [sale["compare_at"], None]
            saved = (Decimal(sale["compare_at"]) - Decimal(sale["price"])) * 2
            assert cart["savings"] == str(saved)
    finally:
        catalog.close()
