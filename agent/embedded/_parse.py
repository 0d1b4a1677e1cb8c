"""Deterministic parsers for the slots that are numbers or identifiers: prices, quantities,
references ("the second one", "it"), product and order ids, and value-less refinements.

Regular expressions rather than the tagger: these forms are closed and exact ("under $30",
"between 20 and 40", "p-00042"), and a learned tagger would only add ways to misread digits.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
ORDINALS = {
    "first": "1",
    "second": "2",
    "third": "3",
    "fourth": "4",
    "fifth": "5",
    "sixth": "6",
    "seventh": "7",
    "eighth": "8",
    "ninth": "9",
    "tenth": "10",
    "last": "last",
}
_CUR = r"(?:[$€£]\s?)"
_CUR_WORD = r"(?:\s?(?:dollars?|bucks?|usd|eur|euros?|quid|pounds?|gbp))"
_NUM = r"(\d+(?:\.\d{1,2})?)"
PRICE_AMOUNT = rf"{_CUR}?{_NUM}k?{_CUR_WORD}?"
_MAX_CUES = (
    r"under|below|less than|cheaper than|lower than|max(?:imum)?|no more than|"
    r"not more than|nothing (?:over|above|more than)|not over|up to|at most|within|no higher than|"
    r"budget(?: is| of)?|<=?"
)
_PRODUCT_ID = re.compile(r"(?<![\w-])(p|sku|prod)-([a-z0-9]{3,})\b", re.I)
_ORDER_ID = re.compile(r"(?<![\w-])(o|ord|order)-([a-z0-9]{3,})\b", re.I)
_MIN_CUES = r"over|above|more than|at least|min(?:imum)?|starting at|from|>=?"
_NEGATION = (
    r"\b(?:don'?t|do not|doesn'?t|does not|won'?t|will not|wouldn'?t|can'?t|cannot|not|"
    r"never|no|nothing)"
)
_MIN_CUES_NEG = r"more than|over|above|higher than|exceed(?:ing)?|beyond|past"


def words_to_numbers(text: str) -> str:
    """'fifty' -> '50', 'a hundred' -> '100', 'twenty five' -> '25', '1k' -> '1000'."""

    def tens(m: re.Match[str]) -> str:
        return str(_UNITS[m.group(1)] + _UNITS[m.group(2)])

    t = re.sub(
        r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-]"
        r"(one|two|three|four|five|six|seven|eight|nine)\b",
        tens,
        text,
    )
    t = re.sub(
        r"\b(?:a|one) (hundred|thousand|grand)\b",
        lambda m: "1000" if m.group(1) != "hundred" else "100",
        t,
    )
    t = re.sub(r"\b(\d+)\s?k\b", lambda m: str(int(m.group(1)) * 1000), t)
    t = re.sub(
        r"\b(" + "|".join(k for k in _UNITS if k not in ("one",)) + r")\b",
        lambda m: str(_UNITS[m.group(1)]),
        t,
    )
    return t


# A sale asked for ("anything on sale?", "any deals on tents", "discounted boots"): a
# filter, never search words. A code or a voucher is a question about the shop, and "for
# sale" or "sales tax" is no sale.
SALE = re.compile(
    r"\b(?:on (?:sale|offer|special|promotion|clearance)|in (?:the|your) sales?"
    r"|(?<!for )sale(?! tax)(?: items?| stuff| section| prices?)?|deals?(?= on| for|\W*$)"
    r"|deals|discount(?:s|ed)?(?! codes?| vouchers?)|(?:special )?offers"
    # "anything reduced?", not "reduced sugar"; a clearance sale, not ground clearance
    r"|reduced(?=\s*(?:$|[?.!,]|(?:to|in|at|for|items?|stuff|prices?|now)\b))"
    r"|(?<!ground )clearance"
    r"|special offer|marked down|markdowns?|promotions?|bargains?|price drops?)\b"
    r"(?:\s(?:on|for|in)\b)?",
    re.I,
)


@dataclass
class Parsed:
    price_min: float | None = None
    price_max: float | None = None
    on_sale: bool = False
    quantity: int | None = None
    references: list[str] = field(default_factory=list)
    bare_numbers: list[str] = field(default_factory=list)
    product_ids: list[str] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)
    modifier: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)  # consumed spans of ``text``
    text: str = ""  # the lowercased text with number words as digits, which spans index


def _f(x: str) -> float:
    return float(x)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the characters inside ``spans`` as spaces (same length)."""
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        for i in range(max(a, 0), min(b, len(chars))):
            chars[i] = " "
    return "".join(chars)


@functools.lru_cache(maxsize=4096)
def _misspelt_ordinal(word: str) -> str | None:
    """The ordinal ``word`` is a typo of ("secnod"), as its number; None for other words.
    Remembered per word: the fuzzy match is most of a parse, and words recur."""
    close = difflib.get_close_matches(word, list(ORDINALS), n=1, cutoff=0.8)
    if not close or close[0] == "last":
        return None
    # an English word is no typo: "tents?" is no "tenth"
    from shopagent.agent.embedded._assortment import english_word  # lazy: an import cycle

    return None if english_word(word) == word else ORDINALS[close[0]]


# What a count of a product is said in ("2 packs", "3 bottles"; plural: "the 3 pack" is a
# kind of it, one pack of three)
COUNTED_IN = (
    r"packs|bags|boxes|tins|bottles|tubes|jars|rolls|cans|balls|skeins|hanks|cones|spools|"
    r"reels|pots|tubs|sachets|pouches|cartons|packets|bars|sheets|pads|cases|crates"
)


@functools.lru_cache(maxsize=64)
def parse(text: str) -> Parsed:
    """Parse the numeric and identifier slots of ``text`` (any case).

    Memoised: one turn's reading parses its text several times (the slots, the kind check,
    the reference checks). The result is shared by every caller: read it, never change it."""
    t = words_to_numbers(text.lower())
    out = Parsed(text=t)

    def eat(m: re.Match[str]) -> None:
        out.spans.append(m.span())

    # ids first, so their digits are not read as prices or sizes
    # (found in the original text: ids keep their case, "o-3fa9c2b1e0" its letters)
    for kind, pattern in (("p", _PRODUCT_ID), ("o", _ORDER_ID)):
        for m in pattern.finditer(text):
            found = t.find(m.group(0).lower())
            if found < 0 or not any(c.isdigit() for c in m.group(2)):
                continue
            (out.product_ids if kind == "p" else out.order_ids).append(m.group(0))
            out.spans.append((found, found + len(m.group(0))))
    for m in re.finditer(r"(?:#\s?|\border (?:number |no\.? )?)(\d{4,})\b", t):
        out.order_ids.append(m.group(1))
        eat(m)

    def free(m: re.Match[str]) -> bool:
        return not any(a < m.end() and m.start() < b for a, b in out.spans)

    rng = re.compile(
        rf"(?:between|from)\s{PRICE_AMOUNT}\s(?:and|to|-)\s{PRICE_AMOUNT}"
        rf"|{_CUR}{_NUM}\s?(?:-|to)\s?{_CUR}?{_NUM}{_CUR_WORD}?"
        rf"|\b{_NUM}\s?(?:-|to)\s?{_NUM}{_CUR_WORD}"
    )
    for m in rng.finditer(t):
        if free(m):
            a, b = [g for g in m.groups() if g is not None][:2]
            out.price_min, out.price_max = sorted((_f(a), _f(b)))
            eat(m)
    # a negated minimum is a maximum: "don't spend more than $40", "won't pay over 50",
    # "not above $40" (before the cues below read "more than $40" as a minimum)
    negated = rf"{_NEGATION}\s(?:[a-z']+\s){{0,4}}?(?:{_MIN_CUES_NEG})\s?{PRICE_AMOUNT}"
    for m in re.finditer(negated, t):
        if free(m):
            out.price_max = _f(m.group(1))
            eat(m)
    for m in re.finditer(rf"\b(?:spend|pay)(?:\s(?:only|just|about|around))?\s{PRICE_AMOUNT}", t):
        if free(m) and re.search(r"\d", m.group(0)):
            out.price_max = _f(m.group(1))
            eat(m)
    for m in re.finditer(rf"\b(?:{_MAX_CUES})\s?{PRICE_AMOUNT}", t):
        if free(m):
            out.price_max = _f(m.group(1))
            eat(m)
    after = r"or less|or under|max|tops|or below|or cheaper|at most"
    for m in re.finditer(rf"{PRICE_AMOUNT}\s(?:{after})\b", t):
        if free(m):
            out.price_max = _f(m.group(1))
            eat(m)
    for m in re.finditer(rf"(?:\b|(?<=[<>]))(?:{_MIN_CUES})\s?{PRICE_AMOUNT}", t):
        # "from 20" is a minimum only with a currency sign or word: "from kestrel 42" is not
        if free(m) and (
            not m.group(0).startswith("from") or re.search(r"[$€£]|dollar|buck", m.group(0))
        ):
            out.price_min = _f(m.group(1))
            eat(m)
    for m in re.finditer(rf"{PRICE_AMOUNT}\s?(?:or more|plus|\+|and up)", t):
        if free(m):
            out.price_min = _f(m.group(1))
            eat(m)
    if out.price_min is None and out.price_max is None:
        # A bare amount with a currency ("a dress for 50 bucks") is a budget.
        bare = re.search(rf"{_CUR}{_NUM}\b|\b{_NUM}{_CUR_WORD}\b", t)
        if bare and free(bare):
            out.price_max = _f(bare.group(1) or bare.group(2))
            eat(bare)

    for m in SALE.finditer(t):
        if free(m):
            out.on_sale = True
            eat(m)

    # quantities: "add 2 of", "two of those", "3 pairs", "qty 3", "x2"
    q = re.search(
        r"\b(?:add|want|get|take|buy|put|grab|order|need)\s(\d{1,2}|one|a couple)"
        r"\b(?!\s?(?:st|nd|rd|th)\b)(?!\s(?:year|month|day|size))"
        # "5 x 8 ft" is a size (width x length), not 5 of it nor 8 of it
        # not "the 50 piece one": a kind of it (a 50-piece set), not 50 of it
        r"|(?<!the )\b(\d{1,2})\s?(?:x\b(?!\s?\d)|of\b|pairs?\b|pieces?\b|pcs\b|units?\b|"
        # "2 packs", "3 bags" (plural: "the 3 pack" is a kind of it, one pack of three)
        rf"items?\b|(?:{COUNTED_IN})\b)"
        r"|\b(?:qty|quantity)\s?:?\s?(\d{1,2})\b|(?<![\d.]\s)(?<![\d.])\bx\s?(\d{1,2})\b",
        t,
    )
    if q:
        g = next(x for x in q.groups() if x is not None)
        out.quantity = {"one": 1, "a couple": 2}.get(g) or int(g)
        eat(q)

    # references: ordinals, "number 3", "the first two", pronouns
    refs: list[tuple[int, str]] = []
    top = re.search(r"\b(?:first|top)\s(2|3|4)\b", t)
    if top:
        refs += [(top.start(), str(i)) for i in range(1, int(top.group(1)) + 1)]
        eat(top)
    tokens = [(w.start(), w.group(0)) for w in re.finditer(r"[a-z0-9#]+", t)]
    for pos, w in tokens:
        if any(a <= pos < b for a, b in out.spans):
            continue
        m2 = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)", w)
        if m2:
            refs.append((pos, m2.group(1)))
        elif w in ORDINALS:
            refs.append((pos, ORDINALS[w]))
        elif len(w) >= 5 and w.isalpha():
            near = _misspelt_ordinal(w)
            if near is not None:
                refs.append((pos, near))
    for m in re.finditer(r"\b(?:number|no\.?|item|#)\s?(\d{1,2})\b", t):
        if free(m):
            refs.append((m.start(), m.group(1)))
            eat(m)
    for m in re.finditer(
        r"\b(?:it|that one|this one|that|those|this item|that item)\b"
        r"(?!\s(?:looks?|is|are|has|have|was|matches|fits|goes|i|you|we)\b)",
        t,
    ):
        if free(m) and not re.match(r"that'?s|that is", t[m.start() : m.start() + 7]):
            refs.append((m.start(), "it"))
            break
    seen: dict[str, None] = {}
    for _, r in sorted(refs):
        if not (r == "it" and any(k != "it" for k in seen)):
            seen.setdefault(r, None)
    out.references = [r for r in seen if r != "it"] or list(seen)
    for m in re.finditer(r"(?<![\w$€£.#-])(\d{1,2})(?![\w.%-])", t):
        if free(m):
            out.bare_numbers.append(m.group(1))

    rest = _blank(t, out.spans)
    if re.search(
        r"\b(?:forget|drop|ignore|remove|scrap|no|never ?mind|lose|without)\s(?:the\s|my\s|a\s)?"
        r"(?:budget|price(?: limit| cap| filter)?|max(?:imum)? price|spending limit)\b",
        rest,
    ):
        out.modifier = "any_price"  # "forget the budget": the price bounds go
        return out
    if re.search(r"\b(?:cheaper|less expensive|lower price|more affordable|cheapest)\b", rest):
        out.modifier = "cheaper"
    elif re.search(r"\b(?:pricier|more expensive|fancier|higher end|premium)\b", rest):
        out.modifier = "pricier"
    elif re.search(r"\b(?:more|next page|next|other options|others|another page)\b", rest):
        out.modifier = "more"
    return out
