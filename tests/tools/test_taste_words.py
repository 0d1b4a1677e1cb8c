"""What a shopper cannot have, said of a shop that keeps no material field: "I'm allergic to
wool" is remembered and hides the products whose own words name wool (not those "wool-free"),
and a search says how many it left out. A small hand-made yarn shop (real catalog service,
real tools and stores; no model involved)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopagent.retrieval.schema import Product, Variant
from shopagent.settings import Settings
from shopagent.tools._registry import ToolContext, ToolRegistry
from shopagent.tools.builtin import build_registry
from shopagent.tools.discovery._words import preferences
from shopagent.tools.stores import Stores, open_stores

from .conftest import hand_made_shop

REG: ToolRegistry = build_registry()


def _yarn(pid: str, title: str, description: str) -> Product:
    return Product(
        id=pid,
        title=title,
        category="Crafts > Yarn",
        brand="Loopy",
        price=Decimal("6.50"),
        description=description,
        variants=[Variant(id=f"{pid}-0", price=Decimal("6.50"), quantity=9, available=True)],
    )


SHOP = [
    _yarn("merino", "Merino DK", "Superwash merino wool, double knit weight, 100g."),
    _yarn("chunky", "Chunky Highland Wool", "Rustic British yarn, super chunky weight."),
    _yarn("cotton", "Organic Cotton 4ply", "Cool organic cotton yarn for summer tops."),
    _yarn("acrylic", "Everyday Aran Acrylic", "Soft acrylic yarn, wool-free and washable."),
    _yarn("bamboo", "Bamboo Blend DK", "Silky bamboo yarn with no wool, for sensitive skin."),
]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with hand_made_shop(tmp_path_factory, "yarn-shop", SHOP) as cat:
        yield cat


@pytest.fixture
async def ctx(catalog: Any, tmp_path: Path) -> AsyncIterator[ToolContext]:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    async with await open_stores(settings) as stores:
        yield _context(catalog, stores, settings)


def _context(catalog: Any, stores: Stores, settings: Settings) -> ToolContext:
    return ToolContext(
        user_id="ann", session_id="s", catalog=catalog, stores=stores.commerce, settings=settings
    )


async def call(ctx: ToolContext, name: str, args: dict[str, Any]) -> Any:
    t = REG.get(name)
    return await t(ctx, t.parse_args(args))


@pytest.mark.parametrize(
    ("text", "excluded"),
    [
        ("im allergic to wool what can i use", ["wool"]),
        ("I can't eat nuts", ["nuts"]),
        ("please never show me latex", ["latex"]),
        ("no thanks, I'm fine", []),  # nothing ruled out by a polite no
        ("I hate it", []),
    ],
)
def test_a_thing_no_facet_holds_is_read_as_ruled_out(text: str, excluded: list[str]) -> None:
    said = preferences(text, {"material": ["cotton"], "color": ["red"]})
    assert said["excludes"].get("material", []) == excluded


async def test_an_allergy_hides_the_products_that_name_it_and_says_so(ctx: ToolContext) -> None:
    before = await call(ctx, "catalog_search", {"query": "yarn", "page_size": 10})
    assert {c["id"] for c in before["products"]} == {p.id for p in SHOP}
    said = await call(ctx, "remember_preference", {"request": "I'm allergic to wool"})
    assert "no wool" in said["message"]
    after = await call(ctx, "catalog_search", {"query": "yarn", "page_size": 10})
    # the wool yarns go (by title or by description); "wool-free" and "no wool" stay
    assert {c["id"] for c in after["products"]} == {"cotton", "acrylic", "bamboo"}
    assert after["excluded"] == {"count": 2, "because": ["wool"]}
    assert after["total"] == before["total"] - 2
