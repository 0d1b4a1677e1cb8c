"""The catalog tools as the agent calls them: through a ToolRegistry, args from JSON."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from shopagent.errors import ToolError
from shopagent.retrieval import ImageStore, build_demo_catalog
from shopagent.retrieval._render import render
from shopagent.retrieval.demo import COLORS
from shopagent.settings import Settings
from shopagent.tools._registry import ToolContext, ToolRegistry
from shopagent.tools.catalog import CATALOG_TOOLS


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    data = tmp_path_factory.mktemp("tools-catalog")
    cat = build_demo_catalog(Settings(_env_file=None, data_dir=data), n=240)  # type: ignore[call-arg]
    yield cat
    cat.close()


@pytest.fixture
def ctx(catalog, tmp_path: Path) -> ToolContext:
    return ToolContext(
        user_id="u1", session_id="s1", catalog=catalog, images=ImageStore(tmp_path / "uploads")
    )


@pytest.fixture(scope="module")
def registry() -> ToolRegistry:
    return ToolRegistry(CATALOG_TOOLS)


async def call(registry: ToolRegistry, ctx: ToolContext, name: str, raw: dict | str):
    t = registry.get(name)
    return await t(ctx, t.parse_args(raw))


def test_registry_exposes_the_catalog_tools(registry):
    assert registry.names() == [
        "catalog_search",
        "compare_products",
        "get_facets",
        "get_product",
        "visual_search",
    ]
    props = registry.get("catalog_search").json_schema()["properties"]
    assert {"query", "category", "color", "size", "price_max", "in_stock", "page_size"} <= set(
        props
    )
    assert not any(t.writes for t in registry)


async def test_catalog_search_returns_compact_cards(registry, ctx):
    out = await call(
        registry, ctx, "catalog_search", '{"query": "sneakers", "size": "42", "price_max": 150}'
    )
    assert out["products"] and out["page"] == 1 and out["total"] >= len(out["products"])
    assert out["filters_applied"] == {"size": "42", "price_max": "150", "in_stock": True}
    for card in out["products"]:
        # ("sale": only on a product whose sale is in some options alone)
        assert set(card) - {"sale"} == {
            "id",
            "title",
            "brand",
            "category",
            "price",
            "compare_at_price",
            "currency",
            "image_url",
            "in_stock",
            "on_sale",
            "score",
            "attributes",
            "sizes",
            "colors",
            "options",
        }
        assert "description" not in card["attributes"]
        assert card["in_stock"] and Decimal(card["price"]) <= 150 and "42" in card["sizes"]
        assert card["image_url"] == f"/media/products/{card['id']}.png"
    page2 = await call(
        registry, ctx, "catalog_search", {"query": "sneakers", "page": 2, "page_size": 3}
    )
    page1 = await call(registry, ctx, "catalog_search", {"query": "sneakers", "page_size": 3})
    assert not {c["id"] for c in page1["products"]} & {c["id"] for c in page2["products"]}


async def test_bad_arguments_become_tool_errors(registry, ctx):
    for name, raw in [
        ("catalog_search", {"query": "x", "page_size": 500}),
        ("catalog_search", {"query": "x", "price_min": 90, "price_max": 10}),
        ("visual_search", {}),
        ("visual_search", {"image_id": "a", "product_id": "p-00001"}),
        ("compare_products", {"product_ids": ["p-00001"]}),
        ("get_facets", {"query": "x", "fields": ["weight"]}),
    ]:
        with pytest.raises(ToolError) as err:
            await call(registry, ctx, name, raw)
        assert err.value.code == "invalid_arguments", (name, raw)


async def test_get_product_full_details_or_not_found(registry, ctx):
    out = await call(registry, ctx, "get_product", {"product_id": "p-00012"})
    product = out["product"]
    assert product["id"] == "p-00012" and product["description"] and product["variants"]
    assert {"options", "price", "available"} <= set(product["variants"][0])
    with pytest.raises(ToolError) as err:
        await call(registry, ctx, "get_product", {"product_id": "p-99999"})
    assert err.value.code == "not_found"


async def test_compare_products_side_by_side(registry, ctx):
    out = await call(
        registry, ctx, "compare_products", {"product_ids": ["p-00001", "p-00002", "p-00003"]}
    )
    assert [c["id"] for c in out["products"]] == ["p-00001", "p-00002", "p-00003"]
    assert set(out["price"]) == {"p-00001", "p-00002", "p-00003"}
    for key in ("color", "material", "brand", "sizes"):
        assert set(out["attributes"][key]) == {"p-00001", "p-00002", "p-00003"}
    # each one's page, first sentence: plain text, short
    assert set(out["summaries"]) == {"p-00001", "p-00002", "p-00003"}
    assert all(0 < len(s) <= 160 and "<" not in s for s in out["summaries"].values())
    with pytest.raises(ToolError) as err:
        await call(registry, ctx, "compare_products", {"product_ids": ["p-00001", "zzz"]})
    assert err.value.code == "not_found"


async def test_visual_search_by_upload_and_by_product(registry, ctx):
    image_id = ctx.images.put(render("backpack", COLORS["yellow"], "q"), "png")
    out = await call(
        registry, ctx, "visual_search", {"image_id": image_id, "limit": 5, "in_stock": False}
    )
    assert len(out["products"]) == 5
    # yellow things first; gold is the nearest other colour
    assert sum(c["attributes"]["color"] in ("yellow", "gold") for c in out["products"]) >= 4
    more = await call(
        registry, ctx, "visual_search", {"product_id": "p-00020", "category": "apparel"}
    )
    assert more["products"] and all(c["category"].startswith("Apparel") for c in more["products"])
    assert "p-00020" not in [c["id"] for c in more["products"]]
    with pytest.raises(ToolError) as err:
        await call(registry, ctx, "visual_search", {"image_id": "f" * 64 + ".png"})
    assert err.value.code == "not_found"
    bad = ctx.images.put(b"definitely not an image", "png")
    with pytest.raises(ToolError) as err:
        await call(registry, ctx, "visual_search", {"image_id": bad})
    assert err.value.code == "invalid_image"


async def test_get_facets_for_a_clarifying_question(registry, ctx):
    out = await call(
        registry,
        ctx,
        "get_facets",
        {"query": "dress", "category": "dresses", "fields": ["size", "color"]},
    )
    assert set(out["facets"]) == {"size", "color"}
    assert set(out["facets"]["size"]) <= {"XS", "S", "M", "L", "XL", "XXL"}
    assert out["total"] > 0 and sum(out["facets"]["color"].values()) == out["total"]
