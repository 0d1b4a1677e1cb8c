"""Reading a shopper's own words when a caller (the embedded tier's example matcher) passes
the request as text instead of structured arguments. Values are recognised against the
catalog's own facet values, so "no polyester" and "I love Nordvale" work in any shop."""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from shopagent.retrieval.schema import norm

_FIELDS = ("brand", "color", "material", "style", "category")
_NEG = re.compile(
    r"\b(?:no|never|not|don'?t (?:like|want|wear)|hate|avoid|without|"
    r"allergic to|except)\b",
    re.I,
)
_POS = re.compile(r"\b(?:love|like|adore|prefer|favou?rite|fan of|into|enjoy)s?\b", re.I)
_SIZE = re.compile(
    r"\b(?:size|wear an?|i'?m an?|i am an?)\s+(?:size\s+)?"
    r"([0-9]{1,3}(?:\.[05])?|xxs|xs|s|m|l|xl|xxl|xxxl)\b",
    re.I,
)
_SHOE = re.compile(r"\b(?:shoe|shoes)\s*(?:size)?\s*(?:is|are|:)?\s*([0-9]{2}(?:\.5)?)\b", re.I)
_BUDGET = re.compile(
    r"(?:under|below|max(?:imum)?|up to|less than|budget(?: of| is)?|"
    r"no more than|within)\s*(?:\$|€|£)?\s*([0-9]+(?:[.,][0-9]{1,2})?)|"
    # "around 30", not "he is about 10" nor "around 20 years old": an age is no budget
    r"(?<!\bis )(?<!'s )(?<!aged )\b(?:around|about|roughly|approx(?:imately)?\.?)\s*(?:\$|€|£)?\s*"
    r"([0-9]+(?:[.,][0-9]{1,2})?)(?![\d.,-]|\s*(?:years?|yrs?|months?|weeks?|days?|y/?o|cm|mm|kg|"
    r"ft|inch(?:es)?|m|g)\b)|"
    # "20 quid", "£20", "30 bucks", "40 pounds": an amount said as money
    r"(?:\$|€|£)\s*([0-9]+(?:[.,][0-9]{1,2})?)|"
    r"\b([0-9]+(?:[.,][0-9]{1,2})?)\s*(?:quid|bucks|pounds|dollars|euros?|usd|gbp|eur)\b",
    re.I,
)


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"[,.;!?]|\band\b|\bbut\b", text) if c.strip()]


@functools.lru_cache(maxsize=16384)
def _mention(form: str) -> re.Pattern[str]:
    # compiled once per facet value: a shop has more values than re's own cache holds (512),
    # so re.search(pattern-string) recompiled each of them on every turn (~3 ms a turn)
    return re.compile(rf"(?<![\w]){re.escape(form)}(?![\w])")


def facet_mentions(text: str, facets: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(field, value as the catalog writes it) for every facet value named in ``text``."""
    low = f" {norm(text)} "
    out: list[tuple[str, str]] = []
    for field in _FIELDS:
        for value in facets.get(field, []):
            v = norm(value)
            if len(v) < 3:
                continue
            forms = {v, v + "s", v[:-1] if v.endswith("s") else v}
            if any(f in low and _mention(f).search(low) for f in forms):
                out.append((field, value))
    # "sterling silver" also names "silver": keep the longest mention of overlapping words.
    return [
        (f, v) for f, v in out if not any(len(w) > len(v) and norm(v) in norm(w) for _, w in out)
    ]


def preferences(text: str, facets: dict[str, list[str]]) -> dict[str, Any]:
    """{"sizes": [...], "likes": {field: [...]}, "excludes": {field: [...]}} from text."""
    sizes = [
        m.group(1).upper() if m.group(1).isalpha() else m.group(1)
        for m in [*_SHOE.finditer(text), *_SIZE.finditer(text)]
    ]
    likes: dict[str, list[str]] = {}
    excludes: dict[str, list[str]] = {}
    target: dict[str, list[str]] | None = None
    for clause in _clauses(text):
        # "I love Nordvale and navy": a clause without its own verb keeps the last one.
        cannot = _CANNOT_HAVE.search(clause)
        target = (
            excludes if _NEG.search(clause) or cannot else likes if _POS.search(clause) else target
        )
        if target is None:
            continue
        found = facet_mentions(clause, facets)
        for field, value in found:
            target.setdefault(field, []).append(value)
        if not found and (m := cannot):
            # "I'm allergic to wool" in a shop whose products name no material: the word,
            # matched in their names and descriptions (Taste.excluded)
            excludes.setdefault("material", []).append(m.group(1).lower())
    return {"sizes": list(dict.fromkeys(sizes)), "likes": likes, "excludes": excludes}


# What the shopper cannot have, named by a word no facet holds: "allergic to wool", "can't
# eat nuts", "I avoid latex" (strong cues only: "no thanks" names nothing to exclude)
_CANNOT_HAVE = re.compile(
    r"\b(?:allergic to|intolerant to|sensitive to|can'?t (?:have|wear|use|eat|stand)|"
    r"cannot (?:have|wear|use|eat)|avoid|hate|never (?:show me|want|wear|use|eat))\s+"
    r"(?:any\s+|anything\s+(?:with|made of)\s+)?(?!(?:it|that|this|them|those|anything)\b)"
    r"([a-z][a-z-]{2,})\b",
    re.I,
)


def budget(text: str) -> Decimal | None:
    m = _BUDGET.search(text)
    if not m:
        return None
    try:
        value = Decimal(next(g for g in m.groups() if g).replace(",", "."))
    except InvalidOperation:
        return None
    return value if value > 0 else None


_INTEREST = re.compile(
    r"\b(?:likes?|loves?|into|enjoys?|fan of|crazy about|obsessed with|"
    r"passionate about|who does|who plays|plays|does|(?:is\s+)?learning(?:\s+to\s+play)?|"
    r"learns|(?:has\s+)?(?:just\s+)?(?:started|taken up|took up)(?:\s+playing)?|"
    r"getting into)\s+([^,.;!?]+)",
    re.I,
)
_TAIL = re.compile(r"\b(?:under|below|max|budget|up to|less than|for (?:her|him|them))\b.*$", re.I)


# What the person struggles with, said of them: "she has trouble sleeping", "he suffers
# from back pain", "my brother can't sleep", "she's always cold": the need is the phrase
_NEED = re.compile(
    r"\b(?:has|have|having|with)\s+((?:trouble|problems?|difficulty|issues)\s+[^,.;!?]+)|"
    r"\b(?:suffers?|suffering)\s+from\s+([^,.;!?]+)|"
    r"\b(?:struggles?|struggling)\s+(?:with\s+)?([^,.;!?]+)|"
    r"\b((?:can'?t|cannot|never can)\s+(?:sleep|relax|get warm|stay warm|switch off)\b[^,.;!?]*)|"
    r"\b(?:is|'s|are|am)\s+(always\s+(?:cold|tired|stressed|anxious|hot)\b)|"
    r"\b(?:has|have|with|got)\s+(?:a\s+)?(?:bad\s+)?([a-z]+\s+(?:problems?|pain|trouble|issues))\b",
    re.I,
)
_NEED_WORDS = re.compile(
    r"\b(?:trouble|problems?|difficulty|issues|pain|aches?)\b|"
    r"^(?:can'?t|cannot|never can|always)\b",
    re.I,
)


def interests(text: str) -> list[str]:
    """What the person likes ("likes hiking and chess") and what they struggle with ("has
    trouble sleeping"): the phrases plan their gift's categories (:func:`is_need`)."""
    out = []
    for m in _INTEREST.finditer(text):
        phrase = _TAIL.sub("", m.group(1)).strip()
        out += [p.strip() for p in re.split(r"\band\b|&", phrase) if p.strip()]
    for m in _NEED.finditer(text):
        phrase = _TAIL.sub("", next(g for g in m.groups() if g)).strip()
        if phrase and phrase not in out:
            out.append(phrase)
    return out[:4]


def is_need(phrase: str) -> bool:
    """A phrase of :func:`interests` that is a trouble ("trouble sleeping", "back pain"),
    not a love: its gift helps with it."""
    return bool(_NEED_WORDS.search(phrase.strip()))


def why_for(phrase: str) -> str:
    """Why a gift fits a phrase of :func:`interests`: "for their love of hiking", "to help
    with back pain", "for someone who is always cold", "for someone who can't sleep". A
    phrase is said up to the clause after it ("first time wild camping, what do i need":
    "first time wild camping")."""
    phrase = _CLAUSE_AFTER.split(phrase, maxsplit=1)[0].strip() or phrase
    if not is_need(phrase):
        return f"for their love of {phrase}"
    if phrase.lower().startswith("always"):
        return f"for someone who is {phrase}"
    if re.match(r"(?:can'?t|cannot|never)\b", phrase, re.I):
        return f"for someone who {phrase}"
    return f"to help with {phrase}"


# where a phrase of interests ends and another clause (often a question) begins
_CLAUSE_AFTER = re.compile(r"[,;?!]|\b(?:what|which|how|can you|could you|do you)\b", re.I)
# A shop's gift cards fit any person, not an interest or a need
GIFT_CARDS = re.compile(r"\bgift\s*(?:cards?|vouchers?|certificates?)\b|\bvouchers?\b", re.I)


def forget_what(text: str) -> str | None:
    low = text.casefold()
    if re.search(r"\b(everything|all|whole profile|all my data)\b", low):
        return "everything"
    if "size" in low:
        return "sizes"
    if re.search(r"\b(don'?t|dislike|exclu|never|no )", low):
        return "excludes"
    if re.search(r"\b(like|love|favou?rite|brand|prefer)", low):
        return "likes"
    return None
