"""Slots of a turn: the catalog's facet values, prices, references, quantities, order ids.

A word becomes a filter only when it is a value of that facet in this catalog for the
category in play (``_fit``); the category is the request's head noun
(``_modifier_categories``)."""

from __future__ import annotations

import re
from typing import Any, Protocol

from shopagent.agent.embedded._catalog import CatalogProfile, measure_key, singular
from shopagent.agent.embedded._cues import (
    FOR_USE,
    NOT_A_SIZE_AFTER,
    OPTION_SLOTS,
    QUALIFIER,
    REMOVE_QTY,
)
from shopagent.agent.embedded._lexicon import Lexicon, Match
from shopagent.agent.embedded._parse import parse
from shopagent.agent.embedded._schema import CATALOG_SLOTS, PRODUCT_INTENTS, Slots

# Which slots each intent may carry; anything else in the turn is noise for that intent.
FILTER_INTENTS = {"search", "refine", "visual_search"}
_CATALOG_SLOT_INTENTS = FILTER_INTENTS | {"product_details", "add_to_cart", "remove_from_cart"}
_ORDER_INTENTS = {"order_status", "cancel_order"}
_PICK_INTENTS = {"add_to_cart", "product_details", "remove_from_cart"}
CART_WORDS = re.compile(r"\b(?:my|the|your|to|shopping)\s(?:bag|basket|cart|trolley)\b")
_SUPERLATIVE = re.compile(
    r"\bthe\s(?:(cheaper|cheapest|less expensive|least expensive|lower priced)|"
    r"(pricier|priciest|more expensive|most expensive|dearer))(?:\s(?:one|option|item|pair))?\b"
)
_PLURAL_REF = re.compile(r"\b(?:those|these|them|they|all)\b")
# A value the shopper rules out ("not black", "anything but leather", "no pink please"):
# never a filter for it
NEGATED = re.compile(
    r"(?:\b(?:not|no|without|except|excluding|anything but|nothing|never|hates?|dislikes?|less|"
    r"allergic to|can'?t stand|avoid)"
    r"|\b(?:is|are|was|do|does|did)n'?t|n't)\s+(?:(?:in|a|an|any|too|really|so|very|want|like|need)\s+){0,2}$",
    re.I,
)


def ruled_out(text: str, start: int) -> bool:
    """The value found at ``start`` of ``text`` is one the shopper rules out ("not
    sneakers", "no white ones")."""
    return bool(NEGATED.search(text[max(0, start - 30) : start]))


# Words around a bare value given as an answer ("the 1l one please", "tactile i guess")
_ANSWER_FILLER = re.compile(
    r"\b(?:the|a|an|one|ones|in|please|pls|plz|size|sz|ok|okay|i'?d|i|like|want|prefer|go|"
    r"with|let'?s|lets|maybe|just|then|how|what|about|only|thanks|thx|ty|guess|think|"
    r"version|option|model|type|kind|is|fine|good|great|perfect|works|hmm+|um+|uh+|oh|"
    r"yeah|yes|sure|probably|prob|rather)\b"
)


class SlotReader(Protocol):
    """What slot reading needs of the tier: its lexicon and catalog profile."""

    lexicon: Lexicon
    profile: CatalogProfile

    @property
    def fuzzy(self) -> bool: ...


def extract_slots(reader: SlotReader, text: str, intent: str, context: str | None = None) -> Slots:
    """``context``: the category in play before this turn (option words are read as
    that category's values unless the turn names another)."""
    p = parse(text)
    found: dict[str, Any] = {}
    if intent in _CATALOG_SLOT_INTENTS:
        # "my bag" is the cart, not the Bags category
        blocked = p.spans + [m.span() for m in CART_WORDS.finditer(p.text)]
        # typos are already fixed when a spell fixer runs; fuzzy scanning is the fallback
        matches = reader.lexicon.scan(p.text, blocked, fuzzy=reader.fuzzy)
        cats = [m for m in matches if m.slot == "category"]
        if len(cats) > 1:
            # "cushions for the sofa": the product is the one not named as its use
            use = [m for m in cats if FOR_USE.search(p.text[: m.start])]
            # "power bank that can charge a laptop", "case with a stand": a category
            # after a clause or preposition qualifies the one before it
            head = next(m for m in cats if m not in use) if len(use) < len(cats) else None
            use += [
                m
                for m in cats
                if head is not None
                and m.start > head.end
                and m not in use
                and QUALIFIER.search(p.text[head.end : m.start])
            ]
            if len(use) < len(cats):
                matches = [m for m in matches if m not in use]
        matches = _modifier_categories(reader, p.text, matches)
        matches = _compound_heads(reader, p.text, matches)
        matches = _owner_category(reader, p.text, matches)
        matches = [
            m
            if m.slot != "category"
            else Match(
                m.slot,
                reader.profile.best_category(p.text[m.start : m.end], m.value, p.text),
                m.start,
                m.end,
                m.exact,
            )
            for m in matches
        ]
        # the category the slot ends up with (a later mention wins, below): sizes and
        # options are that category's ("electric guitar strings 10-46": the strings' gauge)
        named = next((m.value for m in reversed(matches) if m.slot == "category"), None)
        category = named or context
        source: dict[str, Match] = {}
        for m in matches:
            if (
                m.slot == "size"
                and any(c.isdigit() for c in m.value)
                and NOT_A_SIZE_AFTER.match(p.text, m.end)
            ):
                continue
            if ruled_out(p.text, m.start):
                continue  # "not black", "not sneakers": ruled out, so no filter on it
            if m.slot == "color" and named and reader.profile.values("color", named) == []:
                continue  # "coffee, i drink it black": no coffee has a colour; words only
            value: str | None = m.value
            if m.slot in OPTION_SLOTS:
                value = _fit(
                    reader,
                    m.slot,
                    p.text[m.start : m.end],
                    m.value,
                    category,
                    filtering=intent in FILTER_INTENTS,
                )
                if value is None:
                    continue  # not a value of that facet here: stays free text
            found[m.slot] = value  # a later mention wins ("no wait, the blue one")
            source[m.slot] = m
        if intent in FILTER_INTENTS:
            # the category's own options ("tactile", "32GB"): filters like the slots
            options = reader.profile.option_values(p.text, category, skip=CATALOG_SLOTS)
            if options:
                found["options"] = options
                _within_options(p.text, options, found, source)
    if intent in ("add_to_cart", "search", "refine") and "size" not in found:
        paren = re.search(r"\(\s*([\w .-]{1,12}?)\s*\)", p.text)
        if paren:  # "<title> (L)", "(50 ml)": the size the shopper picked
            size = reader.lexicon.normalise("size", paren.group(1), fuzzy=False)
            if size:
                found["size"] = size
    if intent in FILTER_INTENTS:
        found.update(price_min=p.price_min, price_max=p.price_max, modifier=p.modifier)
        found["on_sale"] = True if p.on_sale else None
    if intent in PRODUCT_INTENTS:
        refs = p.references
        if intent == "compare" and len(refs) < 2 and p.bare_numbers:
            refs = list(dict.fromkeys([*refs, *p.bare_numbers]))
        if intent == "compare" and refs == ["it"] and _PLURAL_REF.search(p.text):
            refs = []  # "which of those is the cheapest": all of them
        sup = _SUPERLATIVE.search(p.text)
        if intent in _PICK_INTENTS and sup and (not refs or refs == ["it"]):
            refs = ["cheapest" if sup.group(1) else "priciest"]
        if refs:
            found["reference"] = ",".join(refs)
        if p.product_ids:
            found["product_id"] = ",".join(p.product_ids)
    if intent == "add_to_cart" and p.quantity:
        found["quantity"] = p.quantity
    elif intent == "add_to_cart" and (lead := re.match(r"\s*(\d{1,2})\s+[a-z]", p.text)):
        found["quantity"] = int(lead.group(1))  # "2 <title> please"
    if intent == "remove_from_cart":
        rm = REMOVE_QTY.search(p.text)
        if rm:  # "remove one of the two", "take 2 of them out"
            found["quantity"] = 1 if rm.group(1) in ("one", "a") else int(rm.group(1))
    if intent in _ORDER_INTENTS and (p.order_ids or p.product_ids):
        found["order_id"] = (p.order_ids or p.product_ids)[0]
    if intent == "add_to_cart":  # the product is the reference; its type adds nothing
        found.pop("category", None)
    if intent == "compare":  # catalog words in "compare the blue one" are references
        for k in CATALOG_SLOTS:
            found.pop(k, None)
    return Slots(**{k: v for k, v in found.items() if v is not None})


def values_only(reader: SlotReader, text: str, category: str | None) -> Slots | None:
    """The slots of a turn that is nothing but option values of the search in play ("1l",
    "tactile", "32GB", "blue or black"): the answer to a clarifying question typed rather
    than tapped, read as a refinement. None when the turn says anything else."""
    slots = extract_slots(reader, text, "refine", context=category)
    values = [
        str(v)
        for k in ("color", "size", "material", "style", "brand")
        if (v := getattr(slots, k)) is not None
    ] + list((slots.options or {}).values())
    if not values or slots.category or parse(text).references:
        return None
    keys = [measure_key(v) for v in values]
    rest = _ANSWER_FILLER.sub(" ", text.lower())
    for word in re.findall(r"[\w.'\"-]+", rest):
        if not any(measure_key(word) and measure_key(word) in k for k in keys):
            return None  # a word that is no value: a question or a new request
    return slots


def _within_options(
    text: str, options: dict[str, Any], found: dict[str, Any], source: dict[str, Match]
) -> None:
    """Words read as a facet value that are (part of) an option value of the category are
    that option, not the facet too: "a grinder in matte black" is the finish Matte Black,
    and "white" over grinders whose finish comes in White is that finish, not also the
    colour White (no grinder has a colour, so the search would find none)."""
    low = text.lower()
    for value in options.values():
        for said in re.finditer(re.escape(str(value).lower()), low):
            for slot, m in list(source.items()):
                inside = said.start() <= m.start and m.end <= said.end()
                if inside:
                    found.pop(slot, None)
                    del source[slot]
        # "rose gold" said of "9ct Rose Gold": the option, not also the colour Gold
        words = set(_VALUE_WORD.findall(str(value).lower()))
        for slot, m in list(source.items()):
            said_words = _VALUE_WORD.findall(low[m.start : m.end])
            if slot != "category" and said_words and set(said_words) <= words:
                found.pop(slot, None)
                del source[slot]


_VALUE_WORD = re.compile(r"[a-z0-9]+")


_OWNER_WORD = re.compile(r"[a-z][\w'-]*")
_DETERMINERS = {"my", "our", "a", "an", "the", "his", "her", "their", "your", "some"}


def _owner_category(reader: SlotReader, text: str, matches: list[Match]) -> list[Match]:
    """ "food for my old cat", "toys for our dogs": the shop's category that puts the
    owner's word before the product's ("cat food", "dog toys"), when it has one, in place
    of what the words inside read alone ("toys": Cat Toys or Dog Toys). Nothing when it has
    none ("shoes for my husband" names no "husband shoes")."""
    words = [(m.group(0), m.start(), m.end()) for m in _OWNER_WORD.finditer(text.lower())]
    surfaces = reader.lexicon.surfaces.get("category", {})
    for i, (w, _, _) in enumerate(words):
        if w != "for" or i == 0:
            continue
        product, start = words[i - 1][0], words[i - 1][1]
        for owner, _, end in words[i + 1 : i + 5]:  # the owner: within the next few words
            if owner in _DETERMINERS:
                continue
            value = surfaces.get(f"{singular(owner)} {product}")
            if value is not None:
                inside = [m for m in matches if start <= m.start and m.end <= end]
                found = Match("category", value, start, end)
                return sorted(
                    [m for m in matches if m not in inside] + [found], key=lambda m: m.start
                )
    return matches


def _modifier_categories(reader: SlotReader, text: str, matches: list[Match]) -> list[Match]:
    """ "mouse for my laptop": the product is the head noun before the qualifying words
    (a noun the shop's titles end in), not a category named after them; that category
    goes, and the head's own category comes in when it has one ("mouse" -> Mice)."""
    cats = [m for m in matches if m.slot == "category"]
    qualifier = QUALIFIER.search(text)
    if not cats or qualifier is None or any(m.start < qualifier.start() for m in cats):
        return matches
    found = reader.profile.head_noun(text[: qualifier.start()])
    if found is None:
        return matches
    head, leaves = found
    kept = [m for m in matches if m.slot != "category"]
    if len(leaves) == 1 and leaves[0] in reader.lexicon.facets["category"]:
        at = text.find(head)  # a span for the head's category (matches carry one)
        kept.append(Match("category", leaves[0], max(at, 0), max(at, 0) + len(head)))
    return kept


_NEXT_WORD = re.compile(r"\s+([a-z][a-z'-]*)", re.I)


def _compound_heads(reader: SlotReader, text: str, matches: list[Match]) -> list[Match]:
    """ "drill bits", "guitar picks": a category word that only qualifies the next word,
    which heads titles in other categories. The head's category (when it has one) is what
    is sought, not the qualifier's ("drill bits" are no Drills)."""
    out = []
    for m in matches:
        nxt = _NEXT_WORD.match(text, m.end) if m.slot == "category" else None
        found = reader.profile.head_noun(nxt.group(1).casefold()) if nxt else None
        if found is None or m.value.split(">")[-1].strip() in found[1]:
            out.append(m)
            continue
        head, leaves = found
        if len(leaves) == 1 and leaves[0] in reader.lexicon.facets["category"]:
            out.append(Match("category", leaves[0], m.start, nxt.end() if nxt else m.end))
    return out


def _fit(
    reader: SlotReader,
    slot: str,
    surface: str,
    value: str,
    category: str | None,
    *,
    filtering: bool = False,
) -> str | None:
    """The reading of ``surface`` that is a ``slot`` value of ``category`` in this
    catalog; ``value`` when the catalog profile does not know the category; None when
    no reading is (a filter nothing in the category could pass)."""
    readings = reader.lexicon.readings(slot, surface) or [value]
    if value not in readings:
        readings = [value, *readings]
    if not reader.profile:
        return readings[0]
    if not category:
        # no category in play: the reading more of the shop's categories use ("large"
        # is L where tees and jeans have L and only planters have "large")
        counts = [reader.profile.categories_with(slot, r) for r in readings]
        if (
            filtering
            and slot == "size"
            and max(counts) * 2 < reader.profile.categories_having(slot)
            and not any(ch.isdigit() for ch in surface)
        ):
            # a size word that fits few of the shop's sized categories ("small" where
            # only baskets come in small: "small loveseat") is not a filter on its own;
            # it stays in the search text. A measure ("6kg", "10L") says which it is.
            return None
        return readings[counts.index(max(counts))] if max(counts) else readings[0]
    verdicts = [(r, reader.profile.allows(slot, r, category)) for r in readings]
    if all(v is None for _, v in verdicts):
        return readings[0]
    return next((r for r, v in verdicts if v), None)
