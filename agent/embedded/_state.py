"""Dialogue state updates: constraints carry across turns, a new topic resets them, and
references ("the second one", "it") resolve against the products last shown."""

from __future__ import annotations

import re
from typing import Any

from shopagent.agent.embedded._parse import SALE
from shopagent.agent.embedded._schema import (
    CATALOG_SLOTS,
    PRODUCT_INTENTS,
    DialogueState,
    NLUResult,
    Slots,
)

# A new search for another category keeps only who the shopper is buying for.
_KEEP_ON_NEW_TOPIC = ("audience",)
# Not inside a hyphenated word: "over-ear", "in-wall", "up-to-date" are what is sought.
_QUERY_FILLER = re.compile(
    r"(?<![\w-])(?:show|me|i'?m|i am|looking|for|i need|need|i want|want|do you have|"
    r"do you sell|got|any|find|search|can you|could you|please|pls|thanks|some|a|an|the|in|"
    r"under|over|below|"
    r"above|between|and|or|less|than|more|max|min|up to|at least|no|not|size|price|of|"
    r"now|what about|how about|only|just|maybe|with|by|from|on|is|are|there|"
    # how a turn starts in speech, never what is sought: "ok show me jackets"
    r"ok|okay|alright|all right|so|then|oh|hmm+|um+|uh+|yeah|yep|"
    # a greeting, and how a question about the range is put: "hi, what lamps do you have?"
    r"hi|hello|hey|hiya|good (?:morning|afternoon|evening)|what(?:'?s)?|which|do you carry|"
    # when: "what's on offer this week", "anything reduced at the moment"
    r"(?:this|next) (?:week|weekend|month)|today|right now|at the moment|currently|rn|atm|"
    r"going|happening|available|around|at all|"
    r"you have|you sell|you carry|"
    # the whole range, and how it is to be ordered: "the cheapest thing you have"
    r"anything|something|everything|all|both|each|things?|stuff|items?|products?|"
    r"(?:cheapest|priciest|dearest)(?: ones?)?|"
    # the same, as they are typed in a hurry
    r"anythin|anyting|anythng|somethin|someting|somthing|sumthing|everythin|"
    r"somewhere|someplace|anywhere|"
    r"(?:least|most) expensive(?: ones?)?|"
    # what it is to go with: "some polish to go with it", "a case that fits it"
    r"(?:to go|that goes|to match|that fits|fits?|goes with|go with|works? with) "
    r"(?:with )?(?:it|them|that|those|these)|"
    r"(?:do|will|would) (?:i|we) (?:also |still )?need|too|as well|also)(?![\w-])",
    re.I,
)


def one_in_play(state: DialogueState) -> str | None:
    """The product in focus, or the only one shown."""
    return state.focus or (state.last_shown[0] if len(state.last_shown) == 1 else None)


def shown_options(state: DialogueState, pid: str | None) -> dict[str, list[str]]:
    """A shown product's options by name ("add the 56cm" reads its frame size). A state
    kept before 2026-12-01 holds the values alone: they come back under one name."""
    shown = state.shown.get(pid or "") or {}
    return shown.get("options") or ({"option": shown["values"]} if shown.get("values") else {})


def resolve_references(
    state: DialogueState, reference: str | None, kind: str | None = None
) -> list[str] | None:
    """Product ids a reference names, or None when it cannot be resolved. ``kind``: the
    category the turn names; "the cheapest dumbbell" of a list of dumbbells and benches is
    the cheapest of the dumbbells shown (of all shown when none is of that kind)."""
    if not reference:
        return None
    ids: list[str] = []
    for ref in reference.split(","):
        ref = ref.strip()
        if ref == "it":
            if state.focus:
                ids.append(state.focus)
            elif len(state.last_shown) == 1:
                ids.append(state.last_shown[0])
            else:
                return None
        elif ref in ("cheapest", "priciest"):
            priced = [
                (float(state.shown[i]["price"]), n, i)
                for n, i in enumerate(state.last_shown)
                if (state.shown.get(i) or {}).get("price") is not None
            ]
            leaf = str(kind or "").split(">")[-1].strip().casefold()
            of_kind = [
                x
                for x in priced
                if leaf
                and str(state.shown[x[2]].get("category") or "").split(">")[-1].strip().casefold()
                == leaf
            ]
            priced = of_kind or priced
            if not priced:
                return None
            pick = min(priced) if ref == "cheapest" else max(priced, key=lambda x: (x[0], -x[1]))
            ids.append(pick[2])
        elif ref == "last":
            if not state.last_shown:
                return None
            ids.append(state.last_shown[-1])
        elif ref.isdigit():
            k = int(ref)
            if not 1 <= k <= len(state.last_shown):
                return None
            ids.append(state.last_shown[k - 1])
        else:
            return None
    return list(dict.fromkeys(ids))


# What the shopper rules out is no search word: "not black", "no leather", "anything but
# pink" (the value is not a filter either: _slots.NEGATED)
_RULED_OUT = re.compile(
    r"(?:\b(?:not|no|without|except|excluding|anything but|never|hates?|dislikes?|less|"
    r"allergic to|can'?t stand|avoid)"
    r"|\b(?:is|are|was|do|does|did)n'?t|\b\w+n't)\s+"
    r"(?:(?:in|a|an|any|too|really|so|very|want|like|need)\s+){0,2}[\w'-]+",
    re.I,
)
# Amounts of money are filters (price_min/price_max), never search words.
_MONEY = re.compile(
    r"(?:[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?-\s?[$€£]?\d[\d,]*(?:\.\d+)?)?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:-\s?\d[\d,]*(?:\.\d+)?\s?)?"
    r"(?:dollars?|bucks|usd|eur|euros?|gbp|pounds?|quid)\b"
    r"|\b(?:under|below|over|above|less than|more than|max(?:imum)?|min(?:imum)?|up to|"
    r"at least|at most|around|about|between|budget(?: of| is)?|cheaper than|no more than)"
    r"\s+[$€£]?\d[\d,]*(?:\.\d+)?(?:\s?(?:-|and|to)\s?[$€£]?\d[\d,]*(?:\.\d+)?)?"
    r"(?:\s?(?:dollars?|bucks|usd|eur|euros?|gbp|pounds?|quid)\b)?)",
    re.I,
)
# A bare number ("size 10", "a 10") is the size slot's or nothing; a number with a unit
# ("27 inch", "32GB", "4K", "10 hours") names the product and stays in the search text.
_BARE_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.%\"'-])(?!\s?(?:-\s?)?[a-zA-Z\"])")
# A number after a name stays: "spf 50", "iphone 15", "windows 11" (not "for 20", "top 5")
_NAMED_NUMBER = re.compile(
    r"(?<![\w.])(?!(?:for|to|and|of|about|around|at|by|than|max|min|budget|the|a|an|my|me|"
    r"in|on|with|show|get|add|buy|want|need|give|only|just|top|first|last|page|number|no|"
    r"maybe|like|approx|roughly|under|over|below|above|is|are|x|or|each|per|all|any)\b)"
    r"([a-z]{2,})\s+(\d+(?:\.\d+)?)(?![\w.%\"'-])(?!\s?(?:-\s?)?[a-zA-Z\"])",
    re.I,
)


def _without_bare_numbers(text: str) -> str:
    kept = {m.start(2) for m in _NAMED_NUMBER.finditer(text)}
    return _BARE_NUMBER.sub(lambda m: m.group(0) if m.start() in kept else " ", text)


_ANY_WORD = re.compile(r"[a-z]{3}", re.I)
# a need put as a question ("what do i need for a newborn"): the words after it are what to
# search ("a newborn", "wild camping")
NEEDED_FOR = re.compile(
    r"\bwhat (?:do|will|would|should) (?:i|we) (?:need|get|buy|bring|pack)(?: for| to)?\b",
    re.I,
)


# A superlative of price asks for the search in price order ("cheapest", "the most
# expensive one you have"); a comparative ("cheaper ones") narrows by price instead
_PRICE_LOW = re.compile(
    r"\b(?:cheapest|least expensive|lowest[- ]price[sd]?|most affordable|lowest cost)\b", re.I
)
_PRICE_HIGH = re.compile(
    r"\b(?:most expensive|priciest|dearest|highest[- ]price[sd]?|most premium)\b", re.I
)


def price_order(text: str) -> str | None:
    """catalog_search's ``sort`` a turn asks for, or None (best match first)."""
    low, high = _PRICE_LOW.search(text), _PRICE_HIGH.search(text)
    if bool(low) == bool(high):
        return None
    return "price_low" if low else "price_high"


def search_query(nlu: NLUResult, category: str | None) -> str:
    """Free text for the hybrid search: the turn minus filler and amounts of money (those
    are filters); numbers with units stay (they tell a 27-inch monitor from a 15-inch one);
    the category leaf if nothing is left."""
    text = _RULED_OUT.sub(" ", _without_bare_numbers(_MONEY.sub(" ", SALE.sub(" ", nlu.text))))
    # Attribute words are enforced by filters; left in the text they would keep pulling
    # towards "red" after the shopper asked for navy.
    attrs = {
        w
        for k in ("color", "size", "material", "brand", "style", "audience")
        if (v := getattr(nlu.slots, k))
        for w in str(v).lower().split()
    }

    def query_of(text: str) -> str:
        words = _QUERY_FILLER.sub(" ", text)
        return " ".join(w for w in re.findall(r"[\w&'-]+", words) if w.lower() not in attrs)

    need = NEEDED_FOR.search(text)
    # "im expecting my first, what do i need for a newborn": what the need is for (the
    # newborn's size a filter, nothing else to search by)
    if need and _ANY_WORD.search(text[need.end() :]):
        q = query_of(text[need.end() :])
    else:
        q = query_of(text)
    if not q and category:
        q = category.split(">")[-1].strip()
    return q[:200]


def update_state(state: DialogueState, nlu: NLUResult) -> DialogueState:
    s = state.model_copy(deep=True)
    s.turn += 1
    slots = nlu.slots
    new = {
        k: getattr(slots, k)
        for k in (*CATALOG_SLOTS, "price_min", "price_max", "on_sale")
        if getattr(slots, k) is not None
    }
    intent = nlu.intent
    if slots.options and intent in ("search", "refine", "visual_search"):
        # the category's own options filter like the slots; a refinement adds to them
        same = intent == "refine" and "category" not in new
        new["options"] = {**(s.filters.get("options") or {} if same else {}), **slots.options}
    s.extra.pop("visual_refine", None)
    s.extra.pop("just_added", None)  # the last turn's add, undone by this turn or not at all
    if kind_asked := nlu.notes.get("any_of"):  # the kind "any <words>?" kept the list to
        s.extra["any_of"] = kind_asked
    else:
        s.extra.pop("any_of", None)
    # an option question is answered by the next turn or not at all
    s.extra.pop("pending_option", None)
    if intent == "visual_search" and nlu.image_id:
        s.extra["image_id"] = nlu.image_id  # "any of those under $30?" narrows this search
        s.extra.pop("visual_category", None)  # the new photo's kind: set by its reply
        s.extra["visual_filters"] = new
    elif (
        intent == "refine"
        and state.last_intent == "visual_search"
        and s.extra.get("image_id")
        and "category" not in new
    ):
        s.extra["visual_filters"] = {**s.extra.get("visual_filters", {}), **new}
        s.extra["visual_refine"] = True
        s.last_intent = "visual_search"
        return s
    if intent in ("search", "refine") and nlu.notes.get("not_carried"):
        # "cashmere scarves for men" where no scarves are sold: refused, so nothing of it
        # (who it is for, its material) filters the next search; the last one stands
        s.last_intent = intent
        return s
    if intent == "refine" and not (s.filters or s.query):
        intent = "search"  # nothing to refine yet: a refinement starts a search
    if intent == "search":
        # A search is a new request ("refine" is the model's label for narrowing one): start
        # over, keeping who the shopper buys for unless they say otherwise. Repeating the
        # same category ("red dresses" after "dresses") still keeps what was said about it.
        same_kind = bool(new.get("category")) and new.get("category") == s.filters.get("category")
        if same_kind:
            s.filters = {**s.filters, **new}
        else:
            kept = {k: v for k, v in s.filters.items() if k in _KEEP_ON_NEW_TOPIC}
            s.filters = {**kept, **new}
        # "any deals?" searches the whole sale, not the words of the last search
        said = nlu.notes.get("search_words")  # the words a rule read as the request
        s.query = (
            str(said or "")
            or search_query(nlu, s.filters.get("category"))
            or ("" if new.get("on_sale") else s.query)
        )
        if unoffered := nlu.notes.get("size_not_offered"):  # "boots XS": no XS boots here
            size = re.escape(str(unoffered["size"]))
            query = re.sub(rf"(?<!\w){size}(?!\w)", " ", s.query or "", flags=re.I)
            s.query = " ".join(query.split()) or s.query
        # "show me more (blue) dresses" over the (blue) dresses shown: their next page
        said = all(state.filters.get(k) == v for k, v in new.items())
        more = same_kind and slots.modifier == "more" and said
        s.page = s.page + 1 if more else 1
        if same_kind:  # "any cheaper kettle?" over the kettles shown
            _cheaper_or_pricier(s, slots, new)
    elif intent == "refine":
        if "category" in new and new["category"] != s.filters.get("category"):
            kept = {k: v for k, v in s.filters.items() if k in _KEEP_ON_NEW_TOPIC}
            s.filters = {**kept, **new}
            s.query = new["category"].split(">")[-1].strip()
        else:
            merged = {**s.filters, **new}
            # a new bound on one side drops a contradicting bound on the other
            lo, hi = merged.get("price_min"), merged.get("price_max")
            if lo is not None and hi is not None and lo > hi:
                merged.pop("price_min" if "price_max" in new else "price_max")
            s.filters = merged
        if (before := state.extra.get("any_of")) and nlu.notes.get("any_of"):
            # "any merino?" then "anything in cotton": the one kind asked for, not both
            dropped = set(str(before).split())
            s.query = " ".join(w for w in (s.query or "").split() if w not in dropped)
        if (more := nlu.notes.get("adds_words")) and more not in (s.query or "").split():
            s.query = f"{s.query or ''} {more}".strip()  # "something warmer": + "warm"
        s.page = s.page + 1 if slots.modifier == "more" and not new else 1
        if slots.modifier == "any_price":
            for k in ("price_min", "price_max"):
                if k not in new:
                    s.filters.pop(k, None)
        _cheaper_or_pricier(s, slots, new)
    if intent in ("search", "refine"):
        # "the cheapest book you have": in price order, kept by its narrowings and its
        # next pages ("in paperback", "more"); a new search is best match first again
        if (order := price_order(nlu.text)) is not None:
            s.extra["sort"] = order
        elif intent == "search" and s.page == 1:
            s.extra.pop("sort", None)
    if intent in PRODUCT_INTENTS:
        ids = resolve_references(s, slots.reference)
        if slots.product_id:
            ids = [p.strip() for p in slots.product_id.split(",") if p.strip()]
        if ids:
            s.focus_ids = ids
            # "how does it compare to the first one?": "it" stays the product in focus
            s.focus = ids[0] if len(ids) == 1 and intent != "compare" else s.focus
        else:
            s.focus_ids = []
    s.last_intent = intent
    return s


def _cheaper_or_pricier(s: DialogueState, slots: Slots, new: dict[str, Any]) -> None:
    """ "cheaper" / "pricier" said of the products shown: a price bound from them, the
    middle of what was shown; of one or two shown, past the dearest (cheapest) one, which
    the middle would keep."""
    prices = sorted(float(v["price"]) for v in s.shown.values() if v.get("price") is not None)
    if slots.modifier == "cheaper" and "price_max" not in new:
        if (floor := s.filters.pop("price_min", None)) is not None:
            s.filters["price_max"] = floor  # "over 100" shown: cheaper is under 100
        elif len(prices) > 2:
            s.filters["price_max"] = round(prices[len(prices) // 2], 2)
        elif prices:
            below = [p for p in prices if p < prices[-1]]
            s.filters["price_max"] = round(below[-1] if below else prices[-1] - 0.01, 2)
    elif slots.modifier == "pricier" and "price_min" not in new:
        if (cap := s.filters.pop("price_max", None)) is not None:
            s.filters["price_min"] = cap  # "under 30" shown: pricier is over 30
        elif len(prices) > 2:
            s.filters["price_min"] = round(prices[len(prices) // 2], 2)
        elif prices:
            above = [p for p in prices if p > prices[0]]
            s.filters["price_min"] = round(above[0] if above else prices[0] + 0.01, 2)
