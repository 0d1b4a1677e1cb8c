"""Arguments the example matcher reads from the shopper's own words, by argument name.

A tool matched by example (agent/plugin_match.py) gets the product in play, order id and
quantity from the dialogue; this module adds what only the words say: a budget ("under
80", "budget 150", "I have 150 left"), who a gift is for, their interests, the occasion,
sizes / likes / exclusions stated about oneself, and which part of a profile to forget.
Each reader fills an argument only when the tool's schema names it, so any tool (built-in,
plugin or MCP) that declares e.g. ``budget`` or ``occasion`` gets it, and one that does
not is untouched. Values are recognised against the shop's own facet values and the
editable discovery defaults (occasions, recipients), never a fixed word list of products.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from shopagent.tools.discovery import words as _words

# Money the shopper sets as a cap: "under 80", "max 40", "budget 150", "$150 total",
# "I have 150 left", "no more than 25". A bare number is not a budget ("size 40").
_CAP = re.compile(
    r"(?:under|below|max(?:imum)?|up to|less than|at most|budget(?:\s+(?:of|is))?|"
    r"no more than|not more than|(?:nothing|not|none) (?:over|above|more than)|"
    r"within|spend(?:ing)?)\s*[:=]?\s*"
    # "budget around 50", "spend about $40": about that much is the cap
    r"(?:(?:around|about|roughly|approx(?:imately)?|~)\s*)?(?:\$|€|£|usd\s*)?"
    r"([0-9]{1,6}(?:[.,][0-9]{1,2})?)\b"
    r"|(?:\$|€|£)\s*([0-9]{1,6}(?:[.,][0-9]{1,2})?)\b"
    r"|\b([0-9]{1,6}(?:[.,][0-9]{1,2})?)\s*(?:\$|€|£|dollars|euros|pounds|bucks)?\s+"
    r"(?:left|to spend|in total|total|max|tops)\b",
    re.IGNORECASE,
)
# "forget", "delete", "erase": the words that alone make a profile reset wanted.
_OTHER_PERSON = re.compile(
    r"\b(?:for|to)\s+(?:my|a|an|our|the)\s+([a-z-]+(?:\s+(?!(?:who|that|which|with|in|"
    r"at|on|for|from|into|and|or|under|below|over|around|about)\b)[a-z-]+)?)",
    re.IGNORECASE,
)
_EVENT = re.compile(
    r"\b(?:for|to|at)\s+(?:a|an|my|our|the)\s+((?:[a-z]+\s+){0,2}"
    r"(?:wedding|party|shower|interview|holiday|vacation|trip|birthday|anniversary|"
    r"graduation|housewarming|dinner|date|funeral|christening|office|barbecue|bbq|"
    r"festival|concert|gala|ceremony|reunion|retirement))\b",
    re.IGNORECASE,
)


def budget(text: str) -> Decimal | None:
    """The cap the shopper set, exact; None when the words set none."""
    m = _CAP.search(text)
    if not m:
        return None
    raw = next(g for g in m.groups() if g)
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value > 0 else None


def without_budget(text: str) -> str:
    return re.sub(r"\s{2,}", " ", _CAP.sub(" ", text)).strip(" ,") or text


def occasion(text: str, defaults: dict[str, Any]) -> str | None:
    """The event a request is built around: one the shop's defaults name, longest first
    ("baby shower" before "baby"), else an event phrase ("for a dinner party")."""
    low = " ".join(re.findall(r"[a-z0-9'-]+", text.casefold()))
    for name in sorted(defaults.get("occasions", {}), key=len, reverse=True):
        words = str(name).casefold().split()
        # "home office" names "new home office"; "a summer wedding" names "wedding"
        for n in range(len(words), 0, -1):
            tail = " ".join(words[-n:])
            if len(tail) >= 5 and re.search(rf"\b{re.escape(tail)}\b", low):
                lead = re.search(rf"\b((?:[a-z]+\s)?{re.escape(tail)})\b", low)
                found = lead.group(1) if lead else tail
                first = found.split()[0]
                return found if first not in _FILLER else tail
    m = _EVENT.search(text)
    return m.group(1).strip().casefold() if m else None


_FILLER = {"a", "an", "the", "my", "our", "to", "for", "at", "of", "is", "s", "up", "setting"}
# how an occasion is praised or placed, never which one it is: "a good birthday present"
_FILLER |= {"good", "nice", "great", "lovely", "perfect", "special", "big", "next", "upcoming"}
_FILLER |= {"this", "her", "his", "their", "your", "its"}


def recipient(text: str, defaults: dict[str, Any]) -> str | None:
    """Who it is for: a person word the defaults know ("my dad", "nephew"), else the noun
    after "for my / for a" ("for a coffee lover")."""
    words = re.findall(r"[a-z][a-z-]*", text.casefold())
    known = {w for names in defaults.get("recipients", {}).values() for w in names}
    # "her"/"him" alone say little; a named relation says more
    named = [w for w in words if w in known and w not in ("her", "him")]
    if named:
        return str(named[0])
    m = _OTHER_PERSON.search(text)
    if m and not _EVENT.search(m.group(0)):
        return m.group(1).casefold()
    return None


def _plural(noun: str) -> str:
    if noun.endswith(("s", "fish", "sheep")):
        return noun
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("x", "ch", "sh")) else "s")


def interests(text: str) -> list[str]:
    found = _words.interests(text)
    # "a coffee lover", "a home cook", "someone who runs marathons"
    for m in re.finditer(
        r"\b([a-z]+(?:\s+[a-z]+)?)\s+(?:lover|fan|enthusiast|addict|cook|"
        r"gardener|runner|reader)s?\b",
        text,
        re.IGNORECASE,
    ):
        found.append(m.group(0).casefold())
    for m in re.finditer(
        r"\bwho\s+(?:runs|reads|cooks|bakes|paints|travels|swims|cycles|"
        r"climbs|hikes|fishes|camps|knits|sews|writes|draws|surfs|skis)"
        r"(?:\s+([a-z]+))?",
        text,
        re.IGNORECASE,
    ):
        found.append(m.group(0).casefold().removeprefix("who ").strip())
    # "a friend who just got a kitten", "she has a new puppy": what they now have, as a
    # love of its kind ("kittens", "puppies")
    for m in re.finditer(
        r"\b(?:who|she|he|they)(?:'s|\s+is|\s+are)?\s+(?:just\s+)?(?:got|gets|has|have|"
        r"adopted|bought|owns|getting|adopting)\s+(?:a|an|their|her|his)\s+"
        r"(?:new\s+|first\s+)?([a-z]+)",
        text,
        re.IGNORECASE,
    ):
        found.append(_plural(m.group(1).casefold()))
    return list(dict.fromkeys(f for f in found if f))[:4]


def forget(text: str, facets: dict[str, list[str]]) -> dict[str, Any]:
    """{"what": ..., "value": ...} for "forget my size", "forget that I like Pavo"."""
    out: dict[str, Any] = {}
    what = _words.forget_what(text)
    if what:
        out["what"] = what
    mentions = _words.facet_mentions(text, facets)
    if mentions and what in ("likes", "excludes"):
        out["value"] = mentions[0][1]
    return out


def read(
    props: dict[str, Any], text: str, facets: dict[str, list[str]], defaults: dict[str, Any]
) -> dict[str, Any]:
    """Arguments named in ``props`` (a JSON schema's properties) that the words give."""
    args: dict[str, Any] = {}
    if "budget" in props and (b := budget(text)) is not None:
        args["budget"] = str(b)
    if "occasion" in props and (o := occasion(text, defaults)):
        args["occasion"] = o
    if "recipient" in props and (r := recipient(text, defaults)):
        args["recipient"] = r
    if "interests" in props and (i := interests(text)):
        args["interests"] = i
    if {"sizes", "likes", "excludes"} & set(props):
        prefs = _words.preferences(text, facets)
        args.update({k: v for k, v in prefs.items() if k in props and v})
    if "what" in props and "value" in props:
        args.update(forget(text, facets))
    return args


class Evidence:
    """Facts about a turn's words, each worked out when first asked: a tool asks only for
    the few its arguments use, and most turns are matched against one or two tools."""

    def __init__(self, facts: dict[str, Callable[[], Any]]) -> None:
        self._facts = facts
        self._known: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self._facts:
            return default
        if key not in self._known:
            self._known[key] = self._facts[key]()
        return self._known[key]

    def __getitem__(self, key: str) -> Any:
        if key not in self._facts:
            raise KeyError(key)
        return self.get(key)

    def as_dict(self) -> dict[str, Any]:
        return {k: self.get(k) for k in self._facts}


def evidence(text: str, facets: dict[str, list[str]], defaults: dict[str, Any]) -> Evidence:
    """What the words say that tools with such arguments are for (agent/plugin_match.py):
    an occasion or a person the shop's defaults name, interests, a stated preference."""
    low = text.casefold()

    def known_recipient() -> bool:
        words = set(re.findall(r"[a-z][a-z-]*", low))
        known = {w for names in defaults.get("recipients", {}).values() for w in names}
        return bool(words & (known - {"her", "him", "man", "guy", "woman"}))

    def preference() -> bool:
        prefs = _words.preferences(text, facets)
        return bool(prefs["sizes"] or prefs["likes"] or prefs["excludes"])

    return Evidence(
        {
            "known_occasion": lambda: any(
                re.search(rf"\b{re.escape(str(k).casefold().split()[-1])}\b", low)
                for k in defaults.get("occasions", {})
            ),
            "known_recipient": known_recipient,
            "interests": lambda: bool(interests(text)),
            "preference": preference,
            "names_part": lambda: "value" in forget(text, facets),
            # "shoe size 40", "a 42 in shoes" state a size, they do not ask for shoes
            "category": lambda: categories(_SIZED.sub(" ", low), facets.get("category", [])),
        }
    )


_SIZED = re.compile(r"\b[a-z-]+\s+(?=sizes?\b)|\b(?:a|an)\s+[0-9]{1,2}(?:\.5)?\s+in\s+[a-z-]+")


def _singular(word: str) -> str:
    if re.search(r"(?:ss|sh|ch|x)es$", word):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def categories(text: str, names: list[str]) -> list[str]:
    """The shop's categories a text names, singular or plural ("a dress" names Dresses)."""
    low = f" {' '.join(re.findall(r'[a-z0-9-]+', text.casefold()))} "
    found = []
    for name in names:
        words = re.findall(r"[a-z0-9-]+", name.casefold())
        if not words:
            continue
        forms = {" ".join(words), " ".join([*words[:-1], _singular(words[-1])])}
        if any(f" {f} " in low for f in forms if len(f) >= 3):
            found.append(name)
    return found
