"""Sold-out products the shopper named: shown (flagged) instead of hidden.

``catalog_search`` lists products that can be bought now by default. Hiding a sold-out
product the shopper asked for by name ("the curved ultrawide monitor") pretends the shop
never had it, and the closest in-stock item is shown as if it were the match. A sold-out
product is kept when the request names it more specifically than any in-stock result:

- it ranks among the first few of the same search without the stock filter, and
- more of the shopper's words are in its title (with brand and category) than in that of
  any in-stock product the search shows.

A generic request ("monitors", "gaming monitor" where every title says only "monitor")
names no product more than the others, so in-stock products alone are shown, as before.
Kept products go first (they are the match), carry ``in_stock: false`` on their card, and
are listed in the result's ``sold_out_matches`` so the reply can say so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from shopagent.retrieval.schema import Product, SearchResult

# A sold-out product ranked below this in the unfiltered search is not "the" match.
TOP_RANKS = 3
_WORD = re.compile(r"[a-z0-9]+(?:['&-][a-z0-9]+)*")
# Words that name nothing in particular: they never make a title "more specific".
_STOP = frozenset(
    "a an and any are at be buy can do does for from get have i in is it me my need of on "
    "one or please show some that the their them these this those to want which with you "
    "your looking find got".split()
)


def _stem(word: str) -> str:
    # singular and plural name the same thing ("monitors" vs "Monitor")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> set[str]:
    """The content words of ``text``: casefolded, singular, without filler words."""
    return {_stem(w) for w in _WORD.findall(text.casefold().replace("-", " ")) if w not in _STOP}


def named_words(query: str, product: Product) -> int:
    """How many of the shopper's words the product's title, brand and category contain
    (a word its category says of every product in it names none of them in particular)."""
    return len(words(query) & words(f"{product.title} {product.brand or ''} {product.category}"))


def _best_named(query: str, products: Iterable[Product]) -> int:
    return max((named_words(query, p) for p in products), default=0)


def may_be_outnamed(query: str, in_stock: Iterable[Product]) -> bool:
    """False when an in-stock product shown already holds every word of the query: no
    product can name the request more specifically, so ``strong_sold_out`` would keep
    nothing and the search without the stock filter need not run (most routine searches:
    "red sneakers" and a red sneaker in stock)."""
    return _best_named(query, in_stock) < len(words(query))


def strong_sold_out(
    query: str, everything: SearchResult, in_stock: Iterable[Product]
) -> list[Product]:
    """Sold-out products among the first TOP_RANKS of ``everything`` (the search without
    the stock filter) that the query names more specifically than every in-stock product
    in ``in_stock`` (what the filtered search shows), in relevance order."""
    best_in_stock = _best_named(query, in_stock)
    return [
        h.product
        for h in everything.hits[:TOP_RANKS]
        if not h.product.available and named_words(query, h.product) > best_in_stock
    ]
