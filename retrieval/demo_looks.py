"""Looks for the demo catalog: curated groups of products that go together.

A real shop has "shop the look" collections, bundles and co-purchases; the demo catalog
ships looks so the complementary-product model has data to learn from. Look ``k`` depends
only on ``(seed, k)`` and the catalog's products, so it is deterministic under the seed.

Every fifth look is held out (``split == "test"``): the shop's looks file gets the
training looks only, and ``bench/discovery.py`` asks the model to find a held-out look's
other items from one of them.

The generator knows a stylist's rules (outfit slots, palettes, style families); the model
in ``tools.discovery`` never sees them, only the looks.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from shopagent.retrieval.schema import Product

# Look templates: the anchor's leaf category, then slots, each a choice of leaf categories.
TEMPLATES: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    (
        "Dresses",
        (("Heels", "Sandals"), ("Handbags", "Tote Bags"), ("Earrings", "Necklaces", "Bracelets")),
    ),
    (
        "Skirts",
        (("T-Shirts", "Shirts", "Sweaters"), ("Heels", "Sneakers", "Sandals"), ("Handbags",)),
    ),
    (
        "Jeans",
        (
            ("T-Shirts", "Shirts", "Sweaters", "Hoodies"),
            ("Sneakers", "Boots"),
            ("Backpacks", "Wallets", "Watches"),
        ),
    ),
    ("Jackets", (("Jeans",), ("Boots", "Sneakers", "Loafers"), ("Watches", "Wallets"))),
    ("Shirts", (("Jeans",), ("Loafers", "Boots"), ("Watches", "Wallets"))),
    ("Hoodies", (("Jeans",), ("Sneakers",), ("Backpacks",))),
    ("Sofas", (("Cushions",), ("Rugs",), ("Lamps", "Mirrors", "Vases"))),
    ("Tables", (("Chairs",), ("Lamps", "Vases"), ("Rugs",))),
    ("Desks", (("Chairs",), ("Lamps",), ("Bookshelves", "Mugs"))),
    ("Cookware", (("Knives",), ("Kettles", "Mugs"))),
    ("Yoga Mats", (("Water Bottles",), ("Smartwatches", "Dumbbells"), ("T-Shirts",))),
    ("Tennis Rackets", (("Sneakers",), ("Water Bottles",), ("T-Shirts",))),
    ("Outdoor Chairs", (("Planters",), ("Cushions",), ("Watering Cans", "Lamps"))),
    ("Planters", (("Watering Cans",), ("Garden Tools",))),
)

_NEUTRALS = {"black", "white", "gray", "beige", "navy", "brown"}
_WARM_METAL = {"gold"}
_COOL_METAL = {"silver"}
_WARM = {"red", "orange", "yellow", "brown", "beige", "pink", "green"}
_STYLE_FAMILIES = (
    {"formal", "elegant", "classic"},
    {"casual", "sporty", "minimalist", "modern"},
    {"boho", "vintage", "rustic"},
)
HOLDOUT_EVERY = 5


def _colour_fits(anchor: str, colour: str) -> bool:
    if colour == anchor or colour in _NEUTRALS:
        return True
    if colour in _WARM_METAL:
        return anchor in _WARM or anchor == "black"
    if colour in _COOL_METAL:
        return anchor not in _WARM or anchor == "pink"
    return anchor in _NEUTRALS and colour not in _WARM_METAL | _COOL_METAL


def _style_fits(anchor: str, style: str) -> bool:
    return any(anchor in fam and style in fam for fam in _STYLE_FAMILIES) or anchor == style


def _audience_fits(anchor: str, audience: str) -> bool:
    if anchor == "kids":
        return audience == "kids"
    return audience in (anchor, "unisex") if anchor != "unisex" else audience != "kids"


def _fits(anchor: Product, p: Product, strict: bool) -> bool:
    a, b = anchor.attributes, p.attributes
    ok = _colour_fits(str(a.get("color")), str(b.get("color"))) and _audience_fits(
        str(a.get("audience")), str(b.get("audience"))
    )
    return ok and (not strict or _style_fits(str(a.get("style")), str(b.get("style"))))


def generate_looks(
    products: list[Product], seed: int = 7, n: int | None = None
) -> list[dict[str, Any]]:
    """Looks over ``products`` (about one per eight products): ``{"id", "split",
    "product_ids"}``, the anchor first. Only products that can be bought are used."""
    by_leaf: dict[str, list[Product]] = defaultdict(list)
    for p in products:
        if p.available and p.leaf_category:
            by_leaf[p.leaf_category].append(p)
    n = max(1, len(products) // 8) if n is None else n
    templates = [t for t in TEMPLATES if by_leaf.get(t[0])]
    looks: list[dict[str, Any]] = []
    for k in range(n):
        if not templates:
            break
        rng = random.Random(f"look:{seed}:{k}")
        anchor_leaf, slots = templates[k % len(templates)]
        anchor = rng.choice(by_leaf[anchor_leaf])
        items = [anchor]
        for slot in slots:
            pool = [p for leaf in slot for p in by_leaf.get(leaf, []) if p not in items]
            # A stylist matches style when the stock allows, and never breaks the palette.
            fitting = [p for p in pool if _fits(anchor, p, strict=True)] or [
                p for p in pool if _fits(anchor, p, strict=False)
            ]
            if fitting:
                items.append(rng.choice(fitting))
        if len(items) < 2:
            continue
        looks.append(
            {
                "id": f"look-{k:04d}",
                "split": "test" if k % HOLDOUT_EVERY == 0 else "train",
                "product_ids": [p.id for p in items],
            }
        )
    return looks


def write_looks(path: Path, looks: list[dict[str, Any]], source: str = "") -> None:
    """Write the shop's looks file (training looks only: held-out ones stay out)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    train = [
        {"id": lk["id"], "product_ids": lk["product_ids"]}
        for lk in looks
        if lk.get("split", "train") == "train"
    ]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"source": source, "looks": train}, indent=0))
    tmp.replace(path)


def ensure_demo_looks(data_dir: Path, n: int, seed: int) -> Path:
    """The demo's looks file ``data_dir/looks.json`` for the first ``n`` demo products,
    (re)written when missing or made for another demo catalog. A merchant's own looks
    file (another source) is kept."""
    from shopagent.retrieval.demo import generate_products

    path = Path(data_dir) / "looks.json"
    source = f"demo:{seed}:{n}"
    try:
        current = json.loads(path.read_text()).get("source")
    except (OSError, ValueError, AttributeError):
        current = None
    if current != source and (current is None or str(current).startswith("demo:")):
        write_looks(path, generate_looks(generate_products(n, seed), seed), source)
    return path
