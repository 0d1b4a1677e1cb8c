"""Checking a reply against the data of the product it answers about (``grounded``).

The runner records the product (``TurnRecord.grounding``: the catalog's full record, or the
product card when the service exposes no catalog); these functions decide whether the
reply states what the dataset asked for, in words a shopper would read. The phrasings
accepted for "in stock", "sold out" and "the page doesn't say" are deliberately broad:
the check is about the fact, not the wording.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from shopagent.evals._format import GroundedExpectation

IN_STOCK_RE = re.compile(r"\bin[- ]stock\b|\bavailable\b|\bavailability\b", re.I)
SOLD_OUT_RE = re.compile(
    r"out[- ]of[- ]stock|sold[- ]out|\bunavailable\b|not (currently |yet )?(available|in stock)"
    r"|no longer available|none left|\bnone in stock|(isn'?t|is not|aren'?t|are not) in stock",
    re.I,
)
# "The product page doesn't say": the reply admits the data has no answer instead of guessing.
UNKNOWN_RE = re.compile(
    r"(doesn'?t|does not|don'?t|do not|didn'?t|did not|isn'?t|is not|aren'?t|are not)\s+"
    r"(say|mention|list|state|specify|include|cover|tell|give)"
    r"|\bnot\s+(mentioned|listed|stated|specified|given|documented)"
    r"|\bno\s+(information|info|details?|mention|data)\b"
    r"|(can'?t|cannot|could ?n'?t|could not)\s+(find|see|tell|confirm|say)"
    r"|\bunknown\b|\bnot sure\b",
    re.I,
)


def _price_strings(data: dict[str, Any]) -> set[str]:
    prices = [data.get("price"), data.get("min_price")]
    prices += [v.get("price") for v in data.get("variants") or [] if isinstance(v, dict)]
    out: set[str] = set()
    for p in prices:
        if p is None or isinstance(p, bool):
            continue
        try:
            d = Decimal(str(p)).quantize(Decimal("0.01"))
        except InvalidOperation:
            continue
        out |= {f"{d}", f"{d:,}"}
    return out


def _variants(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in data.get("variants") or [] if isinstance(v, dict)]


def _available_sizes(data: dict[str, Any]) -> list[str]:
    vs = _variants(data)
    if vs:
        sizes = [
            str((v.get("options") or {}).get("size"))
            for v in vs
            if v.get("available", True) and (v.get("options") or {}).get("size")
        ]
        return list(dict.fromkeys(sizes))
    return [str(s) for s in data.get("sizes") or []]  # a product card


def _in_stock(data: dict[str, Any]) -> bool:
    if "in_stock" in data:
        return bool(data["in_stock"])
    if "available" in data:
        return bool(data["available"])
    return any(v.get("available") for v in _variants(data))


def _token(value: str) -> re.Pattern[str]:
    # Whole-token match: "XL" must not be found in "XXL", nor "M" in "I'm".
    return re.compile(rf"(?<![\w'’]){re.escape(value)}(?![\w'’])", re.I)


def _field_values(data: dict[str, Any], field: str) -> list[str]:
    attrs = data.get("attributes") or {}
    raw = attrs.get(field, data.get(field))
    if raw is None:
        return []
    return [str(x) for x in raw] if isinstance(raw, list) else [str(raw)]


def product_text(data: dict[str, Any]) -> str:
    """Everything the product page says, as one text to look an asked property up in."""
    parts = [str(data.get(k) or "") for k in ("title", "description", "brand", "category")]
    for k, v in (data.get("attributes") or {}).items():
        if k != "shape":
            parts.append(f"{k}: {v}")
    for v in _variants(data):
        parts += [f"{k}: {x}" for k, x in (v.get("options") or {}).items()]
    return "\n".join(parts)


def _states(field: str, data: dict[str, Any], reply: str) -> str | None:
    """Why the reply fails to state ``field`` of the product (None: it does)."""
    if field == "price":
        prices = _price_strings(data)
        if not any(p in reply for p in prices):
            return f"reply states no price of the product ({sorted(prices)[:4]})"
        return None
    if field == "stock":
        vs = _variants(data)
        if not _in_stock(data):
            if SOLD_OUT_RE.search(reply):
                return None
            return "product is sold out; reply does not say so"
        qty = {str(v.get("quantity")) for v in vs if v.get("available") and v.get("quantity")}
        if vs and all(v.get("available") for v in vs) and SOLD_OUT_RE.search(reply):
            return "product is in stock; reply says it is not"
        if IN_STOCK_RE.search(reply) or any(_token(q).search(reply) for q in qty):
            return None
        return "product is in stock; reply does not say so"
    if field == "sizes":
        sizes = _available_sizes(data)
        missing = [s for s in sizes if not _token(s).search(reply)]
        return f"reply lacks available size(s) {missing}" if missing else None
    values = _field_values(data, field)
    if not values:
        return f"the product has no {field!r}; the dataset asks for it"
    if not any(v.casefold() in reply.casefold() for v in values):
        return f"reply does not state the {field} ({values[0]!r})"
    return None


def check_grounded(
    want: GroundedExpectation, grounding: dict[str, Any] | None, reply: str
) -> list[str]:
    """Problems with a reply that should answer from one product's data (empty: fine)."""
    if not grounding or "data" not in grounding:
        why = (grounding or {}).get("error") or "no product resolved"
        return [f"no product to check against: {why}"]
    data = grounding["data"]
    pid = grounding.get("product_id")
    problems = [f"{pid}: {p}" for f in want.states if (p := _states(f, data, reply))]
    if want.asks:
        asked = re.compile(want.asks, re.I)
        if asked.search(product_text(data)):
            if not asked.search(reply):
                problems.append(
                    f"{pid}: the product page answers /{want.asks}/; the reply does not quote it"
                )
        elif not UNKNOWN_RE.search(reply):
            problems.append(
                f"{pid}: the product page says nothing matching /{want.asks}/; "
                "the reply should say so instead of guessing"
            )
    return problems


def resolve_product(
    want: GroundedExpectation, earlier_cards: list[list[dict[str, Any]]]
) -> str | None:
    """The product id a ``grounded`` expectation is about: an id as written, or the k-th card
    of the latest earlier turn that showed at least k cards."""
    if isinstance(want.product, str):
        return want.product
    k = want.product
    for cards in reversed(earlier_cards):
        if len(cards) >= k >= 1:
            return str(cards[k - 1].get("id"))
    return None
