"""Turns said right after a search, about the list it showed rather than one product of
it: a size ("in size XXXL?", "any in a large?"), a facet question ("what sizes?"), a
narrowing question ("any cheaper?", "waterproof?"), a comparative ("something warmer",
"thicker") or a pick by price ("the cheapest pair"). ``_understand`` decides when they
apply; this module reads them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from shopagent.agent.embedded import _guards
from shopagent.agent.embedded._answers import said_options
from shopagent.agent.embedded._assortment import english_word, word_frequency
from shopagent.agent.embedded._catalog import singular
from shopagent.agent.embedded._cues import ABOUT_IT, QUESTION, QUESTION_ABOUT, STOCK_QUESTION
from shopagent.agent.embedded._parse import parse
from shopagent.agent.embedded._schema import CATALOG_SLOTS, DialogueState, NLUResult, Slots
from shopagent.agent.embedded._titles import PURCHASE

if TYPE_CHECKING:
    from shopagent.agent.embedded._tier import EmbeddedTier

FACET_QUESTION = re.compile(
    r"\b(?:which|what)\s(?:kinds? of\s|types? of\s)?(brands?|materials?|colou?rs?|sizes?|styles?)"
    r"\b|\b(?:are|is) (?:the|your|these|those) [\w ]{2,30}? made (?:of|from)\b",
    re.I,
)
# "the cheapest", "show me the cheapest pair", "and the most expensive one?", "whats the
# cheapest dumbbell" (``kind``: the words after it, a kind the list shown must hold)
THE_CHEAPEST = re.compile(
    r"^\s*(?:(?:ok|okay|and|so|just|then)\W+)*(?:show me |what'?s |what is |which is )?"
    r"the (?:(cheapest|least expensive|lowest priced)|priciest|most expensive|dearest)"
    r"(?: (?:one|pair|item|option|of (?:them|those|these))|\s(?!(?:please|pls|then|thanks|"
    r"here|there)\b)(?P<kind>[a-z]+(?: (?!(?:please|pls|then|thanks)\b)[a-z]+)?))?"
    r"(?: (?:here|there|of (?:them|those|these)|you (?:have|sell|do|showed)))?"
    r"(?:\W*(?:please|pls|then|thanks))?\s*[?.!]*\s*$",
    re.I,
)
ONE_OF_THEM = re.compile(r"\b(?:the|this|that)\s+(?:\w+\s+)?one\b", re.I)


def names_filters(slots: Slots) -> bool:
    """The turn narrows a search: a facet value, an option value of the category ("any in
    brushed steel?"), a price, or "cheaper", "more" ("any cheaper?" over a list is the
    list, cheaper)."""
    return (
        bool(slots.modifier)
        or bool(slots.options)
        or any(
            getattr(slots, k) is not None
            for k in (*CATALOG_SLOTS, "price_min", "price_max", "on_sale")
        )
    )


# "something warmer", "anything a bit lighter?", "a little smaller please": a comparative
# said of the products shown, not a product
_COMPARATIVE = re.compile(
    r"^\s*(?:(?:ok|okay|hmm+|and|but|maybe|um+|no|actually|so)\W+)*"
    r"(?:(?:not|no)\s+[\w' ]{1,30}?[,;:.-]\s*)?"  # "not sneakers, something smarter"
    r"(?:(?:something|anything)(?:\s+(?:a (?:bit|little|tad)|slightly|much|even|way))?"
    r"|a (?:bit|little|tad)|slightly|much|even|way|(?:an?\s+)?(?=\w+er\s+ones?\b))"
    r"\s*([a-z]+er)\b"
    r"(?:\s+(?:ones?|than (?:th(?:at|ose|ese|is)|them|it)|maybe|perhaps|please|pls|plz|"
    r"for (?:me|him|her|them)|instead))*"
    # "something lighter maybe, funny": one more word of what it should be
    r"(?:\s*[,;]?\s*(?:and\s+|or\s+|more\s+|something\s+)?([a-z]{3,15}))?\s*[?!.]*\s*$",
    re.IGNORECASE,
)


_BARE_QUESTION = re.compile(
    r"^\s*(?:(?:and|but|also|so|ok)\W+)?"
    # "anything decaf?", "any vegan ones?", "got anything waterproof?": the same question
    r"(?:(?:got\s+)?(?:anything|something|any)\s+)?"
    r"([a-z][a-z' -]{2,30}?)(?:\s+ones?)?\s*\?+\s*$",
    re.I,
)


# "one that keeps drinks cold", "something with a hood", "any which fold flat?"
_DESCRIBED = re.compile(
    r"^\s*(?:(?:ok|okay|and|but|maybe|hmm+|actually|so)\W+)*(?:(?:i'?d like|i want|i need|"
    r"show me|got|do you have)\s+)?(?:an?\s+|any\s+)?(?:one|ones|something|anything|any)\s+"
    r"(?:that|which|with|that'?s|thats|that can|that will)\s+(.+?)\s*[?.!]*\s*$",
    re.I,
)


# "anything else?", "something else maybe", "any other ones?": more of the same search
_ANYTHING_ELSE = re.compile(
    r"^\s*(?:(?:ok|okay|and|hmm+|um+|so)\W+)*(?:(?:anything|something|any) else|"
    r"(?:any|show me|got any)? ?(?:other|others|more) (?:ones|options))"
    r"(?:\s+(?:maybe|please|pls))?\s*[?.!]*\s*$",
    re.I,
)


def narrows_the_list(
    tier: EmbeddedTier, nlu: NLUResult, state: DialogueState
) -> tuple[Slots, str] | None:
    """A question said of the whole list just shown, pointing at none of it: its filters
    ("any cheaper?", "any in red?"), the quality it asks for ("waterproof?") or describes
    ("one that keeps drinks cold"), or more of it ("anything else?"), as a refinement's
    slots and search words; None for anything else."""
    text = nlu.text
    if _ANYTHING_ELSE.match(text):
        return Slots(modifier="more"), ""  # "anything else?": the next page of it
    described = _DESCRIBED.match(text)  # its "one" points at no product shown
    if described is None and (
        parse(text).references or ONE_OF_THEM.search(text) or ABOUT_IT.search(text)
    ):
        return None
    slots = nlu.slots
    if nlu.intent == "product_details":
        slots = tier.extract_slots(text, "refine", state.filters.get("category"))
    if described is not None:
        # "one that keeps drinks cold", "any with a hood?": those words, searched too
        said = {
            w
            for k in ("color", "size", "material")
            if (v := getattr(slots, k))
            for w in str(v).lower().split()
        }
        words = [w for w in _guards.content_words(described.group(1)) if w not in said]
        if words:
            return slots, " ".join(words)
    if (kept := _kept_to(text, state)) is not None:
        said = {
            w
            for k in ("color", "size", "material")
            if (v := getattr(slots, k))
            for w in str(v).lower().split()
        }
        return slots, " ".join(w for w in kept.split() if w not in said)
    if (kind := any_of(text)) is not None and (
        in_shown_titles(kind.split()[-1], state) or tier.titles.names_phrase(kind)
    ):
        return slots, kind  # "any alpaca?" over yarns: the alpaca yarn (or its absence)
    if names_filters(slots) and QUESTION.search(text):
        return slots, ""
    bare = None if names_filters(slots) else comparative(text, alone=True) or _bare_question(text)
    return (slots, bare) if bare else None


# "and some filters", "plus a grinder please", "mugs too", "a kettle as well": one more
# thing (its last word the thing), nothing else said
_AND_A_THING = re.compile(
    r"^\W*(?:(?:ok|okay|oh|right|oh and)\W+)?(?:and|also|plus)\s+(?:(?:some|a|an|any|the|"
    r"a few|a couple of|one|two|three|\d+)\s+)?((?:[a-z][a-z'-]*\s+){0,2}?[a-z][a-z'-]*)"
    r"(?:\s+(?:too|as well|also|please|pls|for (?:it|them|that|this)|to go with (?:it|them)))*"
    r"\s*[?!.]*\s*$",
    re.I,
)
_A_THING_TOO = re.compile(
    r"^\W*(?:(?:some|a|an|the|any)\s+)?((?:[a-z][a-z'-]*\s+){0,2}?[a-z][a-z'-]*)\s+"
    r"(?:too|as well)(?:\s+(?:please|pls))?\s*[?!.]*\s*$",
    re.I,
)


def added_thing(text: str) -> str | None:
    """The last word of the one thing a turn adds ("and some filters" -> "filters")."""
    m = _AND_A_THING.match(text) or _A_THING_TOO.match(text)
    return m.group(1).split()[-1].lower() if m else None


def in_shown_titles(word: str, state: DialogueState) -> bool:
    """A word (or its singular) is a word of a shown product's title."""
    one = singular(word)
    return any(
        one
        in {
            singular(w)
            for w in _guards.title_words(str((state.shown.get(i) or {}).get("title", "")))
        }
        for i in state.last_shown
    )


# "only decaf", "just the decaf ones", "decaf ones": the list shown, kept to those
_ONLY_THOSE = re.compile(
    r"^\W*(?:(?:ok|okay|so|and|hmm+|um+)\W+)*(?:(?:only|just)\s+(?:the\s+)?"
    r"((?:[a-z][a-z'-]*\s*){1,2}?)(?:\s+ones?)?|(?:the\s+|any\s+)?"
    r"((?:[a-z][a-z'-]*\s+){1,2}?)ones?(?:\s+only)?)\s*(?:please|pls)?\s*[?!.]*\s*$",
    re.I,
)


# "any alpaca?", "anything in merino", "got any cotton ones": the list, of that kind
_ANY_OF = re.compile(
    r"^\W*(?:(?:ok|okay|so|and|hmm+|um+|oh)\W+)*(?:any|anything|something|got any|"
    r"do you have any|have you got any|what about|how about)\s+(?:in\s+|made of\s+)?"
    r"((?:[a-z][a-z'-]*\s*){1,2}?)(?:\s+ones?)?\s*(?:please|pls|then)?\s*[?!.]*\s*$",
    re.I,
)


def any_of(text: str) -> str | None:
    """The one or two words "any <words>" asks the list for, or None."""
    m = _ANY_OF.match(text)
    if m is None:
        return None
    words = _guards.content_words(m.group(1))
    return " ".join(words) if words and len(words) == len(m.group(1).split()) else None


def _kept_to(text: str, state: DialogueState) -> str | None:
    """The words a turn keeps the list shown to ("only decaf", "decaf ones", "and some
    decaf" with the decaf among them), or None."""
    m = _ONLY_THOSE.match(text)
    if m is not None:
        words = _guards.content_words(m.group(1) or m.group(2) or "")
        return " ".join(words) or None
    thing = added_thing(text)
    return thing if thing is not None and in_shown_titles(thing, state) else None


_KIND_ALONE = re.compile(
    r"^\s*(?:(?:and|or|ok|so|what about|how about|any)\s+)?([a-z]{3,})\s*\?+\s*$", re.I
)


def asks_for_a_kind(text: str, named: set[str]) -> bool:
    """A plural noun asked alone ("tents?", "what about lamps?"): a request for that kind
    of product, never a question about the products shown. Not a facet value ("leather?")
    nor a word of the shop's own that names no product."""
    m = _KIND_ALONE.match(text)
    if m is None or named:
        return False
    word = m.group(1).lower()
    return (
        singular(word) != word
        and english_word(word) is not None
        and bool(_guards.content_words(word))  # "discounts?", "deals?" name no kind
    )


def _bare_question(text: str) -> str | None:
    """The word or two of a bare yes/no question about a quality ("waterproof?", "machine
    washable?"), or None: not one about price, stock or a product's facts ("price?",
    "in stock?", "what material?")."""
    m = _BARE_QUESTION.match(text)
    if m is None or QUESTION_ABOUT.search(m.group(1)) or STOCK_QUESTION.search(m.group(1)):
        return None
    words = _guards.content_words(m.group(1))
    if not 1 <= len(words) <= 2 or len(words) != len(m.group(1).split()):
        return None
    if singular(words[-1]) != words[-1]:
        return None  # "tents?" asks for a kind of product, not a quality of these
    return " ".join(words)


_LONE_COMPARATIVE = re.compile(
    r"^\s*(?:(?:ok|hmm+|um+|no|actually)\W+)*([a-z]+er)\s*[?!.]*\s*$", re.I
)


def comparative(text: str, *, alone: bool = False) -> str | None:
    """The plain adjective of a comparative said alone ("something warmer" -> "warm",
    "a bit bigger" -> "big", "something cosier" -> "cosy"), or None. "cheaper" and "pricier"
    are price modifiers (``_parse``), read there. ``alone``: a search is in play, so the
    word may come bare ("thicker"), when its superlative is a word too ("thickest"; no
    "blendest": "blender" stays a product)."""
    m = _COMPARATIVE.match(text)
    lone = None if m is not None or not alone else _LONE_COMPARATIVE.match(text)
    m = m or lone
    if m is None:
        return None
    word = m.group(1).lower()
    if word in ("cheaper", "pricier", "dearer", "other", "another", "either", "whatever"):
        return None
    stem = word[:-2]
    doubled = stem[:-1] if stem[-1:] == stem[-2:-1] else ""  # "bigger"
    extra = (m.group(2) or "").lower() if m.re is _COMPARATIVE else ""
    for base in (stem, stem + "e", doubled, stem[:-1] + "y"):
        if len(base) >= 3 and english_word(base) == base:
            if lone is not None and english_word(word[:-2] + "est") != word[:-2] + "est":
                return None
            if extra and english_word(extra) == extra and _guards.describes_after(extra):
                return f"{base} {extra}"  # "something lighter maybe, funny"
            return base
    return None


_SIZE_SAID = re.compile(
    # a size after "size": a number ("size 9", "size uk 8", "size 7.5") or a letter size;
    # never the next word ("that size in the boots", "what size should i get")
    r"\bsizes?\s+((?:(?:uk|us|eu)\s?)?\d[\w.,/-]*|[a-z]\d[\w.-]*|x{0,4}[sl]\b|[2-6]x?[sl]\b|m\b|"
    r"small|medium|large|(?:extra|x)[- ]?(?:small|large))"
    # a letter size or its name after "in": "any in a large?", "in XXXL", "in extra small";
    # only at the end of the clause ("in a medium roast" names no size)
    r"|\bin\s+(?:an?\s+)?((?:x{0,4}|[2-6]x?)[sl]|m|small|medium|large|"
    r"(?:extra|x)[- ]?(?:small|large))"
    r"(?=\s*(?:sizes?\b|ones?\b)?\s*(?:[?!.,]|$|\b(?:please|pls|plz|too|instead|maybe)\b))",
    re.IGNORECASE,
)


def size_said(text: str) -> str | None:
    """The size a turn says ("size 42", "in XXXL?", "any in a large?"), whether or not the
    shop sells it, or None."""
    said = _SIZE_SAID.search(text)
    if said is None:
        return None
    return (said.group(1) or said.group(2)).rstrip(".,")


def size_not_offered(
    tier: EmbeddedTier, nlu: NLUResult, state: DialogueState
) -> dict[str, Any] | None:
    """ "any boots in size XS?" where boots come in 38-45: no reading of the size fits
    the category, so it is no filter there; the reply says so, with the sizes there are,
    rather than show boots as if they came in XS."""
    said = size_said(nlu.text)
    category = nlu.slots.category or state.filters.get("category")
    if said is None or nlu.slots.size is not None or not category:
        return None
    offered = tier.profile.values("size", str(category))
    if offered is None:
        return None  # a category the profile does not know: nothing to tell
    if said.casefold() in {v.casefold() for v in tier.profile.sized(str(category))}:
        return None  # "size M" of rings that come in Ring Size M: an option filter
    if said_options(f"size {said}", {"size": offered}) or within_a_range(said, offered):
        return None  # "7.5" of UK 7.5, "5" of "S (UK 4-5)": a size the shop has
    return {
        "size": said,
        "category": str(category).split(">")[-1].strip(),
        "sizes": sorted(offered, key=_size_order)[:12],
    }


def within_a_range(said: str, sizes: list[str]) -> bool:
    """ "5" of "S (UK 4-5)": a number within a size's range."""
    number = re.fullmatch(r"(?:(?:uk|us|eu)\s?)?(\d+(?:\.\d+)?)", said.casefold())
    if number is None:
        return False
    n = float(number.group(1))
    return any(
        float(low) <= n <= float(high)
        for size in sizes
        for low, high in re.findall(r"(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)", size)
    )


_LETTER_SIZES = ("xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl")


def as_said_size(size: str) -> str:
    """A letter size as shops write it ("xxl" -> "XXL", "3xl" -> "3XL"); others as said."""
    low = size.casefold()
    return size.upper() if low in _LETTER_SIZES or re.fullmatch(r"[2-5]xl", low) else size


def _size_order(size: str) -> tuple[int, float, str]:
    """S before M before L; 38 before 40; other sizes by name after them."""
    low = size.lower().strip()
    if low in _LETTER_SIZES:
        return (0, _LETTER_SIZES.index(low), low)
    number = re.match(r"\d+(?:\.\d+)?", low)
    return (1, float(number.group(0)), low) if number else (2, 0.0, low)


# "the sidamo one", "is the decaf one any good?", "does the hand grinder fit in a bag?": a
# product of the list picked by words of its title rather than by its place in it. Up to
# four words after "the", the longest run of them that titles hold ("the Belle Rue ones",
# plural, narrows the list to that brand instead)
_THE_WORDS = re.compile(r"\bthe\s+([a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){0,3})", re.I)
_PLURAL_AFTER = re.compile(r"^\s+(?:ones|pairs|sets)\b", re.I)
_PLURAL = {"ones", "pairs", "sets"}


def _names(said: str, title_words: set[str]) -> bool:
    """A word of the shopper's for a word of the title: the same word, its singular, or a
    demonym of a place the title names ("ethiopian" for Ethiopia, "brazilian" for Brazil)."""
    if said in title_words or singular(said) in title_words:
        return True
    return any(len(w) >= 4 and said.startswith(w) and len(said) - len(w) <= 4 for w in title_words)


def described_pick(tier: EmbeddedTier, text: str, state: DialogueState) -> list[str]:
    """The shown products "the <words> [one]" names by their titles (every word in the
    title), or the one product not shown whose title holds more of them ("the knife set"
    beside a chef's knife: the Knife Block Set); [] when the turn says no such thing, its
    words hold a value of the shop's options ("the blue one" narrows by colour, as
    before), or name no product shown. A
    brand's or a product type's name picks its product when only one shown has it ("the
    nordvale one", "the kettle" beside mugs)."""
    if not state.last_shown or set(parse(text).references) - {"it"}:
        return []  # "the first one", "the cheapest": a place in the list ("it" is the named)
    titles: dict[str, set[str]] | None = None  # only for a turn that says "the ..."
    for m in _THE_WORDS.finditer(text):
        words = m.group(1).split()
        if _PLURAL.intersection(w.lower() for w in words) or _PLURAL_AFTER.match(text[m.end(1) :]):
            continue  # "the Belle Rue ones": those, a filter
        if titles is None:
            titles = {
                pid: _guards.title_words(str((state.shown.get(pid) or {}).get("title") or ""))
                for pid in state.last_shown
            }
        for n in range(len(words), 0, -1):  # the longest run the titles hold
            run = " ".join(words[:n])
            said = _guards.content_words(" ".join(w for w in words[:n] if w.lower() != "one"))
            found = tier.lexicon.scan(run.lower(), [], fuzzy=False)
            values = [f for f in found if f.slot not in ("brand", "category")]
            if values:
                # "the black cast iron one": the title's words pick the one product, the
                # colour its variant (the slot); a colour alone narrows, as before
                valued = {w for f in values for w in run.lower()[f.start : f.end].split()}
                said = [w for w in said if w not in valued]
            if not said:
                continue
            picked = [p for p, tw in titles.items() if tw and all(_names(w, tw) for w in said)]
            if picked and (not values or len(picked) == 1):
                if _another_titled(tier, text, picked):
                    return []  # "the drill bit set" names the bit set, not the drill shown
                run_words = [w.lower() for w in words[:n] if w.lower() not in ("one", "ones")]
                other = [p for p in tier.titles.holding_all(run_words) if p not in picked]
                if other:
                    # "the knife set" names the Knife Block Set (not shown: sold out), not
                    # the knife shown
                    return other if len(other) == 1 else []
                return picked
    return _one_not_shown(tier, text, state)


# "the lisbon one": a word and "one" after "the"
_THE_WORD_ONE = re.compile(r"\bthe\s+([a-z][a-z'-]{3,})\s+one\b", re.I)


def rare_named(tier: EmbeddedTier, text: str, state: DialogueState) -> str | None:
    """ "is the hardcover dune in stock?" with The Hobbit in focus: Dune, named by the one
    rare word of its title (not the product in focus, answered about by mistake); None for
    a product shown (the shown titles' words pick those) or no such word."""
    rare = tier.titles.rare_name(text, word_frequency) if len(tier.titles) else None
    return rare if rare is not None and rare not in state.shown else None


def _one_not_shown(tier: EmbeddedTier, text: str, state: DialogueState) -> list[str]:
    """ "what about the lisbon one" where no shown title has "lisbon": the one catalog
    product whose title alone has that word (not a value of the shop's, nor a kind); "the
    rioja" by a word rare in English (``TitleIndex.rare_name``)."""
    if not len(tier.titles) or PURCHASE.search(text):
        return []  # "add the lisbon one": an add, which names its product itself
    m = _THE_WORD_ONE.search(text)
    if m is None:
        # "the rioja in magnum": a word English hardly has, that one title alone holds
        rare = rare_named(tier, text, state)
        return [rare] if rare is not None else []
    word = m.group(1).lower()
    pid = tier.titles.only_title_with(word)
    if pid is None or pid in state.last_shown or tier.lexicon.scan(word, [], fuzzy=False):
        return []
    return [pid]


def _another_titled(tier: EmbeddedTier, text: str, picked: list[str]) -> bool:
    """The turn names, by its title's end, a product other than those ``picked`` by only
    some of its words."""
    named = tier.titles.named_by_end(text) if len(tier.titles) else None
    return named is not None and named.product_id not in picked
