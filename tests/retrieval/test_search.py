"""Search behaviour a shopper notices, on a small demo catalog with real MiniLM vectors."""

from __future__ import annotations

import time

import pytest

from shopagent.errors import Conflict, InvalidInput, NotFound
from shopagent.retrieval import _render
from shopagent.retrieval.demo import COLORS

from .conftest import DEMO_N, demo_settings


def test_hybrid_search_finds_the_category_asked_for(demo_catalog):
    for query, leaf in [
        ("sneakers", "Sneakers"),
        ("sofa", "Sofas"),
        ("wireless headphones", "Headphones"),
        ("teddy bear", "Plush Toys"),
    ]:
        res = demo_catalog.search(query, page_size=5)
        leaves = [h.product.leaf_category for h in res.hits]
        assert leaves.count(leaf) >= 3 and leaves[0] == leaf, (query, leaves)
        assert all(h.score > 0 for h in res.hits)
        scores = [h.score for h in res.hits]
        assert scores == sorted(scores, reverse=True)


def test_keyword_match_on_brand_and_model_number(demo_catalog):
    product = next(
        h.product for h in demo_catalog.search("", {"category": "electronics"}, page_size=50).hits
    )
    model_no = product.title.split()[1]  # e.g. "X200" in "Auron X200 Black Speaker"
    res = demo_catalog.search(f"{product.brand} {model_no}", page_size=5)
    assert product.id in [h.product.id for h in res.hits]


def test_filters_constrain_every_result_and_are_reported(demo_catalog):
    filters = {"category": "apparel", "size": "m", "price_max": 80, "in_stock": True}
    res = demo_catalog.search("summer clothes", filters, page_size=20)
    assert res.hits
    for h in res.hits:
        p = h.product
        assert p.category.startswith("Apparel") and "M" in p.option_values("size")
        assert p.min_price <= 80 and p.available
    assert res.filters_applied == {
        "category": "apparel",
        "size": "m",
        "price_max": "80",
        "in_stock": True,
    }
    for key, value in [("color", "Navy"), ("brand", "Auron"), ("material", "leather")]:
        hits = demo_catalog.search("gift", {key: value}, page_size=10).hits
        assert hits
        for h in hits:
            got = h.product.brand if key == "brand" else h.product.attributes[key]
            assert got.lower() == value.lower()


def test_filter_matching_nothing_returns_no_products(demo_catalog):
    res = demo_catalog.search("dress", {"category": "dresses", "color": "gold"})
    assert res.hits == [] and res.total == 0


def test_pagination_is_disjoint_and_consistent(demo_catalog):
    first = demo_catalog.search("home decor for the living room", page=1, page_size=10)
    second = demo_catalog.search("home decor for the living room", page=2, page_size=10)
    ids1, ids2 = [h.product.id for h in first.hits], [h.product.id for h in second.hits]
    assert len(ids1) == len(ids2) == 10 and not set(ids1) & set(ids2)
    assert first.total == second.total
    both = demo_catalog.search("home decor for the living room", page=1, page_size=20)
    assert [h.product.id for h in both.hits] == ids1 + ids2
    # an empty query lists everything the filters allow, page by page
    listing = demo_catalog.search("", {"category": "shoes"}, page=2, page_size=7)
    assert listing.total == demo_catalog.count({"category": "shoes"}) and len(listing.hits) == 7


def test_bad_arguments_are_clear_errors(demo_catalog):
    with pytest.raises(InvalidInput) as err:
        demo_catalog.search("x", {"price_min": 50, "price_max": 10})
    assert err.value.code == "invalid_filters"
    with pytest.raises(InvalidInput):
        demo_catalog.search("x", page=0)
    with pytest.raises(InvalidInput):
        demo_catalog.facets("x", fields=["weight"])


def test_facets_for_a_query_count_the_products_it_would_show(demo_catalog):
    facets = demo_catalog.facets("", {"category": "dresses"}, ["size", "color"])
    assert set(facets["size"]) <= {"XS", "S", "M", "L", "XL", "XXL"}
    for size, n in facets["size"].items():
        assert n == demo_catalog.count({"category": "dresses", "size": size})
    q = demo_catalog.facets("sneakers", {"category": "shoes"}, ["size", "brand"])
    assert set(q["size"]) <= {str(s) for s in range(36, 47)}
    assert q["brand"] and all(n > 0 for n in q["brand"].values())


def test_facet_values_lists_catalog_vocabulary(demo_catalog):
    values = demo_catalog.facet_values()
    assert {"Dresses", "Apparel", "Sneakers"} <= set(values["category"])
    assert "red" in values["color"] and "M" in values["size"]
    assert set(values["audience"]) <= {"women", "men", "kids", "unisex"}
    assert set(values) == {"category", "color", "size", "material", "brand", "style", "audience"}


def test_more_like_this_finds_same_colour_or_silhouette(demo_catalog):
    ref = demo_catalog.get_product("p-00010")
    res = demo_catalog.visual_search(product_id=ref.id, limit=5)
    assert ref.id not in [h.product.id for h in res.hits]
    alike = [
        h.product.attributes["color"] == ref.attributes["color"]
        or h.product.attributes["shape"] == ref.attributes["shape"]
        for h in res.hits
    ]
    assert sum(alike) >= 4
    filtered = demo_catalog.visual_search(product_id=ref.id, filters={"category": "kitchen"})
    assert all(h.product.category.startswith("Kitchen") for h in filtered.hits)


def test_uploaded_picture_finds_products_that_look_like_it(demo_catalog):
    png = _render.render("sofa", COLORS["green"], seed="upload")
    res = demo_catalog.visual_search(image_bytes=png, limit=5)
    top = res.hits[0].product
    assert top.attributes["color"] == "green" or top.attributes["shape"] == "sofa"
    assert sum(h.product.attributes["color"] == "green" for h in res.hits) >= 3
    with pytest.raises(InvalidInput) as err:
        demo_catalog.visual_search(image_bytes=b"not an image")
    assert err.value.code == "invalid_image"
    with pytest.raises(InvalidInput):
        demo_catalog.visual_search()
    with pytest.raises(NotFound):
        demo_catalog.visual_search(product_id="p-99999")


def test_get_product_and_count(demo_catalog):
    p = demo_catalog.get_product("p-00042")
    assert p is not None and p.variants and p.description
    assert demo_catalog.get_product("nope") is None
    assert demo_catalog.count() == DEMO_N


def test_restart_with_same_fingerprint_reopens_without_rebuilding(tmp_path):
    from shopagent.retrieval import build_demo_catalog

    settings = demo_settings(tmp_path / "data")
    first = build_demo_catalog(settings, n=40)
    first.close()
    assert (tmp_path / "data" / "media" / "products" / "p-00000.png").is_file()
    started = time.perf_counter()
    again = build_demo_catalog(settings, n=40)
    try:
        assert time.perf_counter() - started < 5
        assert again.count() == 40
        # the embedded index allows one process at a time: a second opener gets a clear error
        with pytest.raises(Conflict) as err:
            build_demo_catalog(settings, n=40)
        assert err.value.code == "index_locked"
    finally:
        again.close()
    changed = build_demo_catalog(settings, n=50)  # new fingerprint: rebuilt
    try:
        assert changed.count() == 50
    finally:
        changed.close()


def test_a_colour_filter_finds_a_colour_that_can_be_bought(tmp_path):
    """ "the silver one" of a grinder sold out in silver finds no grinder (as a size sold
    out does), a colour in stock finds it, and the shop's colours still name silver (the
    words a shopper uses stay known while it is out); a product sold out in every colour
    is still found by each (its stock is another filter)."""
    from decimal import Decimal

    from shopagent.retrieval import open_catalog
    from shopagent.retrieval.schema import Product, Variant

    from .conftest import demo_settings

    def product(pid: str, title: str, stock: dict[str, bool]) -> Product:
        return Product(
            id=pid,
            title=title,
            category="Kitchen > Coffee Grinders",
            price=Decimal("65.00"),
            variants=[
                Variant(id=f"{pid}-{c}", options={"color": c}, price=Decimal("65.00"), available=a)
                for c, a in stock.items()
            ],
        )

    catalog = open_catalog(demo_settings(tmp_path))
    try:
        catalog.ingest(
            [
                product("grinder", "Burr Hand Grinder", {"Black": True, "Silver": False}),
                product("mill", "Electric Burr Mill", {"Black": False, "Silver": False}),
            ]
        )

        def found(color: str) -> set[str]:
            return {h.product.id for h in catalog.search("grinder", {"color": color}).hits}

        assert found("Silver") == {"mill"}
        assert found("Black") == {"grinder", "mill"}
        assert "Silver" in catalog.facet_values()["color"]
    finally:
        catalog.close()
