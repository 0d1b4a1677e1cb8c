"""catalog_search in price order ("the cheapest teapot you have"): the best matches, lowest
or highest price first, paged; what matches is still the engine's relevance. Over a small
hand-made tea-ware shop (a real catalog service and the real tool; no model involved)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from shopagent.errors import ToolError
from shopagent.retrieval.schema import Product, Variant
from shopagent.tools._registry import ToolContext, ToolRegistry
from shopagent.tools.catalog import CATALOG_TOOLS

from .conftest import hand_made_shop


def _pot(pid: str, title: str, *prices: str, category: str = "Tea Ware > Teapots") -> Product:
    return Product(
        id=pid,
        title=title,
        category=category,
        brand=title.split()[0],
        price=Decimal(prices[0]),
        currency="EUR",
        description=f"{title}, for loose leaf tea.",
        variants=[
            Variant(id=f"{pid}-{i}", options={"size": s}, price=Decimal(p), quantity=3)
            for i, (s, p) in enumerate(zip(("0.5 l", "1 l"), prices, strict=False))
        ],
    )


SHOP = [
    _pot("kyusu", "Tokoname Kyusu Teapot", "64.00"),
    _pot("glass", "Clearleaf Glass Teapot", "29.50", "34.00"),
    _pot("iron", "Nanbu Cast Iron Teapot", "118.00"),
    _pot("brown", "Hearth Brown Betty Teapot", "24.00"),
    _pot("twin", "Hearth Twin Teapot", "24.00"),  # the same price as the Brown Betty
    _pot("cups", "Tokoname Tea Cups", "18.00", category="Tea Ware > Cups"),
]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with hand_made_shop(tmp_path_factory, "tea-ware", SHOP) as cat:
        yield cat


async def search(catalog: Any, **args: Any) -> dict[str, Any]:
    tool = ToolRegistry(CATALOG_TOOLS).get("catalog_search")
    ctx = ToolContext(user_id="u1", session_id="s1", catalog=catalog)
    return await tool(ctx, tool.parse_args(args))


def _prices(out: dict[str, Any]) -> list[Decimal]:
    return [Decimal(c["price"]) for c in out["products"]]


async def test_lowest_price_first_among_the_matches(catalog: Any) -> None:
    best = await search(catalog, query="teapot", category="Teapots")
    low = await search(catalog, query="teapot", category="Teapots", sort="price_low")
    assert {c["id"] for c in low["products"]} == {c["id"] for c in best["products"]}
    assert _prices(low) == sorted(_prices(low)) and _prices(low)[0] == Decimal("24.00")
    assert low["total"] == best["total"] == 5


async def test_highest_price_first(catalog: Any) -> None:
    high = await search(catalog, query="teapot", category="Teapots", sort="price_high")
    assert [c["id"] for c in high["products"]][:2] == ["iron", "kyusu"]
    assert _prices(high) == sorted(_prices(high), reverse=True)


async def test_price_order_pages_on_from_the_first_page(catalog: Any) -> None:
    pages = [
        await search(
            catalog, query="teapot", category="Teapots", sort="price_low", page=k, page_size=2
        )
        for k in (1, 2, 3)
    ]
    ids = [c["id"] for p in pages for c in p["products"]]
    assert len(ids) == len(set(ids)) == 5  # nothing skipped, nothing twice
    assert [Decimal(c["price"]) for p in pages for c in p["products"]] == sorted(
        Decimal(c["price"]) for p in pages for c in p["products"]
    )


async def test_an_unknown_order_is_refused(catalog: Any) -> None:
    with pytest.raises(ToolError) as err:
        await search(catalog, query="teapot", sort="newest")
    assert err.value.code == "invalid_arguments"
