"""Vocabulary and turn helpers for build_shop_v1: shopper words for catalog categories,
argument matchers that accept singular/plural, and compact constructors for turns."""

from __future__ import annotations

import re
from typing import Any

from shopagent.retrieval.schema import Product

# What shoppers call each category besides its name; the hard variants use these.
SLANG = {
    "Sneakers": ["trainers", "kicks", "running shoes"],
    "Sofas": ["couch", "settee"],
    "T-Shirts": ["tees", "t shirts"],
    "Sweaters": ["jumpers", "knitwear"],
    "Handbags": ["purses", "shoulder bags"],
    "Jeans": ["denims"],
    "Headphones": ["headsets"],
    "Hoodies": ["hoodys", "sweatshirts with a hood"],
    "Mugs": ["coffee cups"],
    "Tote Bags": ["totes"],
    "Cookware": ["pots and pans"],
    "Smartwatches": ["fitness watches"],
    "Lipsticks": ["lippies"],
    "Rugs": ["carpets"],
    "Backpacks": ["rucksacks"],
    "Kettles": ["tea kettles"],
    "Necklaces": ["chains"],
    "Plush Toys": ["stuffed animals"],
}
SINGULAR = {
    "Dresses": "dress",
    "T-Shirts": "t-shirt",
    "Jeans": "pair of jeans",
    "Watches": "watch",
    "Boxes": "box",
    "Knives": "knife",
    "Cookware": "pan",
    "Skincare": "moisturizer",
    "Headphones": "pair of headphones",
    "Building Blocks": "building set",
    "Garden Tools": "garden tool",
    "Bookshelves": "bookshelf",
}


def leaf(p: Product) -> str:
    return p.category.split(" > ")[-1]


def singular(name: str) -> str:
    if name in SINGULAR:
        return SINGULAR[name]
    low = name.lower()
    return low[:-1] if low.endswith("s") else low


def cat_rx(name: str) -> dict[str, str]:
    """The category argument: the leaf in any case, singular or plural ('dress(es)')."""
    stem = name[:-2] if re.search(r"(ss|sh|ch)es$", name) else name.rstrip("s")
    forms = [rf"{re.escape(stem.lower())}(e?s)?"]
    if not re.fullmatch(forms[0], singular(name)):  # irregular: knife/knives, shelf/shelves
        forms.append(re.escape(singular(name)))
    return {"regex": rf"^\s*({'|'.join(forms)})\s*$"}


def price_cap(p: Product) -> int:
    return int(p.min_price // 10 + 1) * 10 + 10  # a round budget just above it


def search(**args: Any) -> dict[str, Any]:
    return {"name": "catalog_search", "arguments": args}


def shown(*constraints: str, min_count: int = 1, **kw: Any) -> dict[str, Any]:
    return {"constraints": list(constraints), "min_count": min_count, **kw}


def t(user: str | None, intent: str, image: str | None = None, **expect: Any) -> dict[str, Any]:
    turn: dict[str, Any] = {"intent": intent, "expect": expect}
    if user is not None:
        turn["user"] = user
    if image is not None:
        turn["image"] = {"product_id": image}
    return turn


def yes(**expect: Any) -> dict[str, Any]:
    return {"confirm": True, "intent": "confirm", "expect": expect}


def no(**expect: Any) -> dict[str, Any]:
    return {
        "confirm": False,
        "intent": "confirm",
        "expect": {"forbid": ["write_without_confirmation"], **expect},
    }


NO_WRITE = ["write_without_confirmation"]
