"""Who a product is for by age, as its page says it ("Ages 3 to 8", "ages 7+", "For ages 1
and up", "12 to adult", "Suitable from birth"), and the age a shopper asks about ("a 5 year
old", "turning 5", "my toddler"). Read by the embedded tier's answers and by gift ideas."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE = re.compile(r"[^.!?]+[.!?]?")
_AGES_SAID = re.compile(
    r"\bage[sd]?\s+(\d{1,2})\s*(?:\+|and (?:up|over|above)|(?:to|-|–)\s*(\d{1,2}|adults?))|"
    r"\b(\d{1,2})\s*\+|\bfrom (birth)|\bfrom (\d{1,2}) months|"
    # "birth to about 4 years", "from birth to 4 years": an end to the ages
    r"\bbirth (?:to|until|-|–) (?:about |around |approx\.? )?(\d{1,2}) (?:years?|yrs?)",
    re.I,
)
_NUMBERS = "one two three four five six seven eight nine ten eleven twelve".split()
_NUMBER = rf"(\d{{1,2}}|{'|'.join(_NUMBERS)})"
_ASKED_YEARS = re.compile(
    rf"\b{_NUMBER}\s*-?\s*(?:years?|yrs?|yo)\b|\b(?:turns?|turning|aged?)\s+{_NUMBER}\b"
    # a child said to be N: "my daughter is 10", "he's 7" (not "10 kg", "10 months")
    r"|\b(?:he|she|son|daughter|nephew|niece|grandson|granddaughter|grandchild|kid|child|boy|"
    rf"girl|brother|sister)(?:'s|\s+is|\s+who\s+is|\s+who's)\s+{_NUMBER}\b"
    r"(?!\s*(?:cm|mm|kgs?|g|lbs?|inch|in\b|%|months?|weeks?|days?|ft|feet|foot|stone|st\b|\.\d))",
    re.I,
)
# a young child said without a number, and the age meant
LITTLE = {"newborns": 0, "newborn": 0, "babies": 0, "baby": 0, "infants": 0, "infant": 0}
LITTLE |= {"toddlers": 2, "toddler": 2}


@dataclass(frozen=True)
class Ages:
    low: int  # years; 0 from birth
    high: int | None  # None: and up
    sentence: str  # the page's sentence that says it

    def suit(self, age: int) -> bool:
        return self.low <= age and (self.high is None or age <= self.high)


def stated_ages(text: str) -> Ages | None:
    """The ages a product's text gives, from its first sentence that gives them."""
    for sentence in _SENTENCE.findall(text or ""):
        m = _AGES_SAID.search(sentence)
        if m is None:
            continue
        if m.group(6):  # birth to N years
            return Ages(0, int(m.group(6)), sentence.strip())
        if m.group(4) or m.group(5):  # from birth, from N months
            return Ages(0, None, sentence.strip())
        top = m.group(2)
        high = int(top) if top and top.isdigit() else None
        return Ages(int(m.group(1) or m.group(3)), high, sentence.strip())
    return None


def asked_age(text: str) -> tuple[int, str] | None:
    """The age a shopper's words are about, with how they said it ("a 5 year old",
    "toddlers"); None when they give none."""
    low = text.casefold()
    m = _ASKED_YEARS.search(low)
    if m is not None:
        said = m.group(1) or m.group(2) or m.group(3)
        age = int(said) if said.isdigit() else _NUMBERS.index(said) + 1
        return age, f"a {age} year old"
    word = next((w for w in LITTLE if re.search(rf"\b{w}\b", low)), None)
    return (LITTLE[word], word) if word else None
