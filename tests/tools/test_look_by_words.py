"""What goes with a product in a merchant's shop with no looks, no orders and no rule for
its kind: the kinds its own page names ("a kit with wool, bamboo needles and a pattern"),
not "I don't know what goes with it yet". A small hand-made craft shop (real catalog
service and tools; no model involved)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopagent.retrieval.schema import Product, Variant
from shopagent.settings import Settings
from shopagent.tools._registry import ToolContext, ToolRegistry
from shopagent.tools.builtin import build_registry

from .conftest import hand_made_shop

REG: ToolRegistry = build_registry()


def _item(pid: str, title: str, category: str, description: str, price: str = "6.00") -> Product:
    return Product(
        id=pid,
        title=title,
        category=f"Crafts > {category}",
        brand="Loopy",
        price=Decimal(price),
        description=description,
        variants=[Variant(id=f"{pid}-0", price=Decimal(price), quantity=5, available=True)],
    )


SHOP = [
    _item(
        "kit",
        "Beginner Hat Kit",
        "Kits",
        "Everything for your first hat: chunky wool yarn, bamboo knitting needles and a "
        "printed pattern.",
        "30.00",
    ),
    _item("chunky", "Chunky Wool Yarn", "Yarn", "Super chunky wool yarn, 100g ball."),
    _item("needles", "Bamboo Knitting Needles", "Needles", "Smooth bamboo knitting needles."),
    _item("pattern", "Cabled Hat Pattern", "Patterns", "Printed knitting pattern for a hat."),
    _item("card", "Gift Card", "Gift Cards", "A card to spend in the shop.", "25.00"),
]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with hand_made_shop(tmp_path_factory, "craft-shop", SHOP) as cat:
        yield cat


async def test_what_goes_with_a_kit_is_what_its_page_names(catalog: Any, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    ctx = ToolContext(user_id="u", session_id="s", catalog=catalog, settings=settings)
    tool = REG.get("complete_the_look")
    out = await tool(ctx, tool.parse_args({"product_id": "kit"}))
    ids = {c["id"] for c in out["products"]}
    assert {"chunky", "needles"} <= ids and "kit" not in ids, out["products"]
    assert {i["product_id"] for i in out["look"]["items"]} >= {"chunky", "needles"}, out["look"]
