from __future__ import annotations

import io
from collections import Counter

import numpy as np
from PIL import Image

from shopagent.retrieval import _render
from shopagent.retrieval.demo import (
    COLORS,
    SIZES_APPAREL,
    SIZES_SHOES,
    TAXONOMY,
    generate_products,
    vocabulary,
)


def test_same_seed_same_catalog_and_prefixes_are_stable():
    a = generate_products(600, seed=7)
    assert a == generate_products(600, seed=7)
    assert generate_products(200, seed=7) == a[:200]
    b = generate_products(600, seed=8)
    assert [p.title for p in a] != [p.title for p in b]


def test_catalog_covers_categories_with_realistic_values():
    products = generate_products(5000, seed=7)
    tops = Counter(p.category_path[0] for p in products)
    assert len(tops) >= 12 and min(tops.values()) > 200
    assert len({p.id for p in products}) == 5000
    assert {
        "Apparel",
        "Shoes",
        "Bags",
        "Jewelry",
        "Home Decor",
        "Furniture",
        "Kitchen",
        "Electronics",
        "Beauty",
        "Sports",
        "Toys",
        "Garden",
    } <= set(TAXONOMY)
    for p in products[:500]:
        sizes = p.option_values("size")
        if p.category_path[0] == "Apparel":
            assert set(sizes) <= set(SIZES_APPAREL)
        elif p.category_path[0] == "Shoes":
            assert set(sizes) <= set(SIZES_SHOES)
        assert p.attributes["color"] in COLORS
        assert p.price > 0 and p.images == [f"/media/products/{p.id}.png"]
        assert p.variants and p.description
    # some products sold out entirely, most available
    sold_out = sum(not p.available for p in products)
    assert 0 < sold_out < 1000


def test_vocabulary_names_values_shoppers_say():
    v = vocabulary()
    assert {"Dresses", "Sneakers", "Backpacks", "Rings", "Lamps", "Sofas"} <= set(v["category"])
    assert {"navy", "beige", "red"} <= set(v["color"])
    assert {"XS", "XXL", "36", "46", "one size"} <= set(v["size"])
    assert set(v["audience"]) == {"women", "men", "kids", "unisex"}
    assert len(v["brand"]) >= 36


def test_rendered_picture_shows_the_product_colour():
    p = next(p for p in generate_products(200) if p.attributes["color"] == "red")
    png = _render.render(p.attributes["shape"], COLORS["red"], seed=p.id)
    assert png == _render.render(p.attributes["shape"], COLORS["red"], seed=p.id)
    px = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)
    red = np.abs(px - np.array(COLORS["red"])).sum(axis=1) < 30
    assert red.mean() > 0.05  # the object is drawn in the product's colour
