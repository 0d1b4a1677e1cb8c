"""A sold-out product the shopper names is shown, flagged, not hidden; generic searches
still list what can be bought; the cart refuses it clearly. Over a small hand-made
sporting-goods shop (a real catalog service and real tools; no model involved)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopagent.errors import ToolError
from shopagent.retrieval.schema import Product, Variant
from shopagent.settings import Settings
from shopagent.tools._registry import ToolContext, ToolRegistry
from shopagent.tools.cart import CART_TOOLS
from shopagent.tools.catalog import CATALOG_TOOLS
from shopagent.tools.stores import open_stores

from .conftest import hand_made_shop


def _product(pid: str, title: str, category: str, brand: str, price: str, **kw: Any) -> Product:
    stock = kw.pop("stock", 4)
    options = kw.pop("options", [{}])
    return Product(
        id=pid,
        title=title,
        category=category,
        brand=brand,
        price=Decimal(price),
        currency="GBP",
        description=kw.pop("description", ""),
        variants=[
            Variant(
                id=f"{pid}-{i}",
                options=o,
                price=Decimal(price),
                quantity=stock,
                available=stock > 0,
            )
            for i, o in enumerate(options)
        ],
        **kw,
    )


SHOP = [
    _product(
        "rk-carbon-racket",
        "Ridgeback Carbon Squash Racket",
        "Racket Sports > Squash Rackets",
        "Ridgeback",
        "149.00",
        stock=0,
        description="Head-light carbon frame, 125 g, for attacking players.",
    ),
    _product(
        "rk-club-racket",
        "Ridgeback Club Racket",
        "Racket Sports > Squash Rackets",
        "Ridgeback",
        "59.00",
        description="Aluminium racket for beginners.",
    ),
    _product(
        "vt-trainer-racket",
        "Volta Trainer Racket",
        "Racket Sports > Squash Rackets",
        "Volta",
        "45.00",
        description="Durable training racket.",
    ),
    _product(
        "kettlebell",
        "Iron Grip Cast Kettlebell",
        "Strength > Kettlebells",
        "Iron Grip",
        "39.00",
        options=[{"Weight": w} for w in ("8 kg", "12 kg", "16 kg")],
    ),
    _product(
        "yoga-mat",
        "Lotus Cork Yoga Mat",
        "Yoga > Mats",
        "Lotus",
        "64.00",
        options=[{"Thickness": t, "Colour": c} for t in ("4 mm", "6 mm") for c in ("sand", "moss")],
    ),
]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with hand_made_shop(tmp_path_factory, "sports-shop", SHOP) as cat:
        yield cat


@pytest.fixture
def ctx(catalog: Any) -> ToolContext:
    return ToolContext(user_id="u1", session_id="s1", catalog=catalog)


async def search(ctx: ToolContext, **args: Any) -> dict[str, Any]:
    tool = ToolRegistry(CATALOG_TOOLS).get("catalog_search")
    return await tool(ctx, tool.parse_args(args))


async def test_a_named_sold_out_product_is_shown_first_and_flagged(ctx: ToolContext) -> None:
    out = await search(ctx, query="ridgeback carbon squash racket")
    first = out["products"][0]
    assert first["id"] == "rk-carbon-racket" and first["in_stock"] is False
    assert out["sold_out_matches"] == [
        {"id": "rk-carbon-racket", "title": "Ridgeback Carbon Squash Racket"}
    ]
    assert "sold out" in out["note"]
    # the in-stock alternatives follow it
    assert {"rk-club-racket", "vt-trainer-racket"} <= {c["id"] for c in out["products"][1:]}
    assert all(c["in_stock"] for c in out["products"][1:])


async def test_a_generic_search_lists_only_what_can_be_bought(ctx: ToolContext) -> None:
    out = await search(ctx, query="squash rackets")
    assert out["products"] and all(c["in_stock"] for c in out["products"])
    assert "sold_out_matches" not in out


async def test_asking_for_in_stock_only_hides_it_and_asking_for_any_shows_it(
    ctx: ToolContext,
) -> None:
    strict = await search(ctx, query="ridgeback carbon squash racket", in_stock=True)
    assert "rk-carbon-racket" not in {c["id"] for c in strict["products"]}
    anything = await search(ctx, query="squash rackets", in_stock=False)
    assert "rk-carbon-racket" in {c["id"] for c in anything["products"]}
    # the in-stock pages are unchanged: the sold-out product comes on top of page 1 only,
    # and paging on skips nothing that can be bought
    q = "ridgeback carbon squash racket"
    plain = await search(ctx, query=q, in_stock=True, page_size=2)
    page1 = await search(ctx, query=q, page_size=1)
    page2 = await search(ctx, query=q, page=2, page_size=1)
    assert [c["id"] for c in page1["products"]][0] == "rk-carbon-racket"
    assert [c["id"] for c in page1["products"][1:] + page2["products"]] == [
        c["id"] for c in plain["products"]
    ]


async def test_the_cart_refuses_a_sold_out_product_clearly(
    ctx: ToolContext, tmp_path: Path
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    async with await open_stores(settings) as stores:
        ctx.stores = stores
        tool = ToolRegistry(CART_TOOLS).get("add_to_cart")
        args = tool.parse_args({"product_id": "rk-carbon-racket", "quantity": 1})
        with pytest.raises(ToolError) as err:
            await tool.check(ctx, args)
        assert err.value.code == "out_of_stock"
        assert "Ridgeback Carbon Squash Racket" in err.value.message


async def test_a_change_to_a_product_not_in_the_cart_is_refused_by_its_name(
    ctx: ToolContext, tmp_path: Path
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    async with await open_stores(settings) as stores:
        ctx.stores = stores.commerce
        for name, extra in (("remove_from_cart", {}), ("update_cart_quantity", {"quantity": 2})):
            tool = ToolRegistry(CART_TOOLS).get(name)
            with pytest.raises(ToolError) as err:
                await tool.check(ctx, tool.parse_args({"product_id": "rk-carbon-racket", **extra}))
            assert err.value.code == "not_in_cart", name
            assert err.value.message == "Ridgeback Carbon Squash Racket is not in the cart", name
            assert err.value.details == {
                "product_id": "rk-carbon-racket",
                "title": "Ridgeback Carbon Squash Racket",
            }


async def test_facets_cover_the_catalogs_own_options(ctx: ToolContext) -> None:
    tool = ToolRegistry(CATALOG_TOOLS).get("get_facets")
    out = await tool(ctx, tool.parse_args({"query": "kettlebell", "fields": ["weight"]}))
    assert out["facets"]["weight"] == {"8 kg": 1, "12 kg": 1, "16 kg": 1}
    # the default fields include the options the products shown have
    out = await tool(ctx, tool.parse_args({"query": "cork yoga mat"}))
    assert set(out["facets"]["thickness"]) == {"4 mm", "6 mm"}
    assert set(out["facets"]["color"]) == {"sand", "moss"}
    with pytest.raises(ToolError) as err:
        await tool(ctx, tool.parse_args({"query": "mat", "fields": ["flavour"]}))
    assert err.value.code == "invalid_arguments" and "thickness" in err.value.message


def test_a_sold_out_cards_add_button_is_answered_plainly(catalog: Any) -> None:
    from shopagent.agent._actions import reply

    refused = [{"ok": False, "error_code": "out_of_stock", "args": {}}]
    text, _ = reply({"type": "add_to_cart", "product_id": "rk-carbon-racket"}, refused, catalog)
    assert (
        text == "Sorry, Ridgeback Carbon Squash Racket is sold out, so I can't add it to your cart."
    )
    text, _ = reply({"type": "add_to_cart", "product_id": "yoga-mat"}, refused, catalog)
    assert text == "Sorry, Lotus Cork Yoga Mat is out of stock in that option."


async def test_the_stock_free_search_runs_only_when_a_sold_out_product_could_win(
    catalog: Any,
) -> None:
    """A request whose every word an in-stock result already holds cannot be named more
    specifically by a sold-out product: catalog_search answers it with one search."""
    from shopagent.tools._sold_out import may_be_outnamed, strong_sold_out

    class Counting:  # the real catalog, its searches counted
        def __init__(self) -> None:
            self.searches = 0

        def __getattr__(self, name: str) -> Any:
            return getattr(catalog, name)

        def search(self, *args: Any, **kwargs: Any) -> Any:
            self.searches += 1
            return catalog.search(*args, **kwargs)

    counted = Counting()
    ctx = ToolContext(user_id="u1", session_id="s1", catalog=counted)  # type: ignore[arg-type]
    await search(ctx, query="ridgeback club racket")  # every word in an in-stock title
    assert counted.searches == 1
    out = await search(ctx, query="ridgeback carbon squash racket")  # 'carbon': sold out only
    assert counted.searches == 3 and out["sold_out_matches"]
    # the shortcut never hides what the full check would keep
    for q in ("ridgeback club racket", "volta racket", "cork mat", "carbon racket"):
        shown = [h.product for h in catalog.search(q, {"in_stock": True}).hits]
        everything = catalog.search(q, None, 1, 3)
        if not may_be_outnamed(q, shown):
            assert strong_sold_out(q, everything, shown) == []
