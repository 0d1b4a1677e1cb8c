"""Turns the embedded tier answers before (or instead of) planning tools: requests about
other shoppers, impossible constraints, a bare yes/no with nothing to confirm, an answer to
the assistant's own option question, and requests for what the shop does not carry.

Each check is a small rule over the text and the dialogue state, so it is explainable and
cheap (no model call).
"""

from __future__ import annotations

import re
from typing import Any

from shopagent.agent.embedded._catalog import CatalogProfile, singular

_OTHER_USER = re.compile(
    r"\b(?:(?:cart|basket|bag|orders?|account|address|purchases?|history|wishlist|details)\s"
    r"(?:of|for|belonging to|from)\s(?:the\s)?(?:user|customer|shopper|account|member|someone|"
    r"somebody|another|other|my (?:friend|neighbou?r|boss|colleague)|[a-z]+'s)\b"
    r"|\b(?:user|customer|shopper|account)\s(?:id\s)?[\w@.-]+'?s?\s(?:cart|basket|orders?|"
    r"account|address|purchases?)"
    r"|\b(?:another|other|someone else'?s?|somebody else'?s?|a different)\s(?:user|customer|"
    r"shopper|person|account)'?s?\b(?:[^.?!]{0,30})\b(?:cart|basket|orders?|account|address|"
    r"purchases?|history)"
    r"|\b(?:log|sign)\s?(?:me\s)?in\sas\s(?!me\b)\w+"
    r"|\b(?:as|for|of)\s(?:user|customer)\s[\w@.-]+)",
    re.I,
)
OTHER_USER_REPLY = (
    "I can't show or change another shopper's cart, orders or account: I only have access "
    "to yours. Want me to show your cart or your orders?"
)
_NEGATIVE_PRICE = re.compile(
    r"(?:under|below|less than|over|above|more than|at least|at most|max(?:imum)?|"
    r"min(?:imum)?|budget(?: of| is)?|for|around|between|from|price|costs?|up to)\s"
    r"(?:(?:-|−|minus\s|negative\s)\s?[$€£]?\s?\d|[$€£]\s?-\s?\d)",
    re.I,
)
NEGATIVE_PRICE_REPLY = (
    "A price can't be below zero, so nothing could match that. What's your budget? "
    'For example "under $50".'
)
YES_NO = re.compile(
    r"^\s*(?:(yes|yep|yeah|yup|y|ya|sure|ok(?:ay)?|confirm(?:ed)?|do it|go ahead|please do)|"
    # "ok nevermind", "nah forget it", "actually scratch that"
    r"(?:(?:ok(?:ay)?|oh|ah|actually|hmm+|um+|well|no|nope|nah)\W+)?"
    r"(no|n|nope|nah|cancel that|don'?t|do not|stop|never ?mind|forget (?:it|that|about it)|"
    r"scratch that|leave it|doesn'?t matter|not now))"
    r"(?:,?\s*(?:please|thanks|thank you|cancel that|do it|go ahead|ok|okay|sure|then|"
    r"for now))*[\s.!]*$",
    re.I,
)
NOTHING_PENDING = {
    "yes": "There's nothing waiting for a yes right now. What would you like to do? I can "
    "search the shop, show your cart or check an order.",
    "no": "Okay, I haven't changed anything. What would you like to do next?",
}
_FILLER = re.compile(
    r"\b(?:show|me|i'?m|im|i|am|looking|look|for|need|want|would|like|to|buy|get|do|does|you|"
    r"u|have|sell|carry|stock|got|any|some|find|search|can|could|please|pls|a|an|the|in|on|"
    r"of|with|and|or|my|your|something|anything|stuff|things?|ones?|items?|products?|good|"
    r"nice|new|cheap|best|great|what|about|how|is|are|there|under|over|below|above|less|more|"
    r"than|between|dollars?|bucks|usd|eur|euros?|price|size|colou?r|it|them|that|this|"
    r"those|these|shop|store|here|hi|hiya|heya|hello|hey|howdy|yo|thanks|cheers|help|pairs?|sets?|gifts?|presents?|"
    r"ideas?|outfits?|clothes|clothing|accessories|options?|recommendations?|suggestions?|"
    r"deals?|sale|offers?|discounts?|discounted|promos?|promotions?|coupons?|clearance|"
    r"reduced|bestsellers?|arrivals?|collections?|brands?|styles?|kinds?|types?|"
    r"range|selection|catalog(?:ue)?|everything|else|other|others|similar|alternatives?|now|"
    r"all|whole|entire|week|weekend|today|currently|moment|rn|atm|going|happening|"
    r"anythin|anyting|anythng|somethin|someting|somthing|sumthing|everythin|"
    r"somewhere|someplace|anywhere|order|ordering|"
    r"same|but|ok|okay|just|really|also|maybe|actually|even|still|too|very|so|then|well|yes|"
    r"no|not|only|again|instead|which|where|when|why|who|will|was|were|been|be|had|has|"
    r"should|let|lets|see|give|tell|want|wanted|kind|sort|lot|lots|few|bit|little|much|many|"
    r"cheaper|pricier|bigger|smaller|larger|better|nicer|different|another|one|two|three|"
    r"hmm+|idk|um+|uh+|dunno|whatever|change|switch|make|plz|guys|nope|yeah|cool|lovely|"
    r"pretty|cute|stylish|fancy|affordable|budget|quality|size|sizes|ones|they|them|come|"
    r"comes|version|look|looks|like|pls|plz|"
    # texting shorthand: "wht do u hav", "r u selling", "wat", "ya got"
    r"wht|wat|wut|whats|hav|hv|r|ur|ya|yall|y'all|gimme|lemme|wanna|gonna|gotta|sth|smth|"
    r"selling|sells|carrying|stocking)\b"
)


# Words that describe a thing or gather things under a loose name rather than name a kind
# of product ("something cozy for winter", "running gear"): with nothing else, the request
# is a search by description, not a thing the shop lacks.
_DESCRIBES = re.compile(
    r"(?:cozy|cosy|comfy|comfortable|warm|cool|soft|light|lightweight|heavy|durable|sturdy|"
    r"practical|useful|unique|special|classy|chic|trendy|fashionable|modern|vintage|retro|"
    r"simple|minimal|elegant|formal|casual|sporty|smart|fun|funny|quirky|colorful|colourful|"
    r"bright|dark|summery|wintery|wintry|festive|luxury|luxurious|premium|fancy|high-end|"
    r"handmade|eco|sustainable|organic|gear|stuff|equipment|supplies|essentials|wear|"
    r"smth|sth|somethin|anythin|"
    # what a thing is like, asked of the whole range ("anything waterproof?", "the cheapest
    # thing you have"): a property to search by, never a thing the shop lacks
    r"\w+proof|waterproofed|breathable|washable|reusable|rechargeable|wireless|cordless|"
    r"foldable|adjustable|portable|compact|insulated|vegan|vegetarian|unscented|"
    r"hypoallergenic|recycled|biodegradable|cheap|cheaper|cheapest|affordable|inexpensive|"
    r"pricey|pricier|priciest|expensive|newest|latest|popular|bestselling|best-selling)"
)
# Who a thing is for, the occasion and when: never the thing ("my girlfriends birthday is
# next week and she likes perfume" asks for no "girlfriends birthday next week")
_NOT_A_THING = re.compile(
    r"(?:(?:girl|boy)friend|friend|wife|husband|partner|fianc[eé]e?|mum|mom|mommy|mother|"
    r"dad|daddy|father|parent|son|daughter|sister|brother|sibling|nephew|niece|cousin|aunt|"
    r"uncle|grandma|grandpa|granny|grandmother|grandfather|grandson|granddaughter|boss|"
    r"colleague|coworker|co-worker|teacher|neighbou?r|kid|child|children|birthday|"
    r"anniversary|christmas|xmas|valentine|graduation|housewarming|retirement|holiday|"
    r"week|weekend|month|year|tomorrow|today|tonight|next|idea|clue|"
    # what they do: "he likes football" asks for no "likes football"
    r"like|love|enjoy|play|collect|"
    # what the asker does: "my daughter is turning 3, what would you suggest?"
    r"turning|suggest|suggestion|recommend|recommendation|"
    # units: "i need like 30 litres" asks for an amount of the thing in play
    r"litre|liter|millilitre|milliliter|gallon|kilo|kilogram|gram|gramme|ounce|"
    r"metre|meter|centimetre|centimeter|millimetre|millimeter|inch|inche|feet)s?"
)
_REQUEST = re.compile(
    r"^.{0,40}?\b(?:looking for|look for|searching for|search for|shopping for|needs?|wants?|"
    r"(?:i'?m|im|i am) after|"
    r"have|sell|carry|got|stock|show me|find me|find|get me)\b\s",
)


def yes_no(text: str) -> str | None:
    """'yes' or 'no' for a bare yes/no answer ("no, cancel that"), else None."""
    m = YES_NO.match(text)
    if not m or (_OK.fullmatch(m.group(1) or "") and _THANKS.search(text)):
        return None  # "ok thanks" is thanks, not a yes
    return "yes" if m.group(1) else "no"


_OK = re.compile(r"ok(?:ay)?", re.I)
_THANKS = re.compile(r"\bthank", re.I)


_ACCOUNT_THINGS = r"(?:cart|basket|bag|orders?|account|address|purchases?|wishlist|history)"
_OTHER_USER_MORE = re.compile(
    # "my friend Sarah's cart", "alice's account", "my brother's order", "every user's cart"
    rf"\b(?!(?:it|that|what|there|here|let|one|today|yesterday|tonight|everyone|somebody|"
    rf"where|who|how|when|why|he|she|this|mine)'s)"
    rf"[a-z0-9_]+'s\s(?:\w+\s)?{_ACCOUNT_THINGS}\b"
    # "her user id is u-4821", "his username is mike77", "their account"
    r"|\b(?:her|his|their)\s(?:user\s?id|username|user name|login|account|cart|basket|"
    r"orders?|password)\b"
    r"|\b(?:every|all|other)\s(?:users?|customers?|shoppers?)'?s?\b",
    re.I,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def other_user(text: str) -> bool:
    """A request about another shopper's cart, orders or account."""
    if _OTHER_USER.search(text) or _OTHER_USER_MORE.search(text):
        return True
    # someone's e-mail with an order or cart word ("what did jane@example.com order?")
    return bool(
        _EMAIL.search(text)
        and re.search(
            r"\b(?:order|ordered|orders|cart|"
            r"account|bought|purchases?)\b",
            text,
            re.I,
        )
    )


def negative_price(text: str) -> bool:
    return bool(_NEGATIVE_PRICE.search(text))


def answer_option(text: str, pending: dict[str, Any]) -> str | None:
    """The value of the pending option question this turn picks ("clicky", "the 1TB one",
    "large please"), or None. The longest value named wins ("xl" over "l")."""
    values = [str(v) for v in pending.get("values") or []]
    low = " " + " ".join(re.findall(r"[\w.+#/-]+", text.lower())) + " "
    hits = []
    for v in values:
        lv = " ".join(re.findall(r"[\w.+#/-]+", v.lower()))
        if not lv:
            continue
        squeezed = lv.replace(" ", "")
        if f" {lv} " in low or (squeezed != lv and f" {squeezed} " in low):
            hits.append(v)
    if not hits:
        # "red then" of Cherry Red and Graphite, "ok 24 then" of 20cm and 24cm: the one value
        # holding every word or number said (the rest filler)
        said = [w for w in low.split() if not _FILLER.fullmatch(w) and w not in _PICK_FILLER]
        if said and len(said) <= 3:
            fits = [v for v in values if all(_in_value(w, v) for w in said)]
            if len(fits) == 1:
                return fits[0]
        # "yes" to "is only left in Loose Leaf: add that?": the one value offered
        return values[0] if len(values) == 1 and yes_no(text) == "yes" else None
    hits.sort(key=len, reverse=True)
    return hits[0]


# words of a pick that are no part of the value picked ("ok the 24 then please")
_PICK_FILLER = {"then", "ok", "okay", "fine", "go", "with", "one", "ones", "instead", "yeah", "yes"}


def _in_value(word: str, value: str) -> bool:
    """A word of ``value``, or the number it starts with ("24" of "24cm"; a letter is no
    start of a word: "y" is a yes, never "Yellow")."""
    parts = re.findall(r"[\w.+#/-]+", value.lower())
    if word in parts:
        return True
    return word[:1].isdigit() and any(re.fullmatch(rf"{re.escape(word)}[a-z]+", p) for p in parts)


def title_words(title: str) -> set[str]:
    """A product title's words, split as ``content_words`` splits a request ("over-ear"
    stays one word), so a shopper's word and a title's compare as equals."""
    return set(re.findall(r"[a-z][a-z'-]+", title.lower()))


def content_words(text: str, exclude: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The words of a request that could name a product (filler and prices removed)."""
    low = re.sub(r"[$€£]?\d+(?:[.,]\d+)?\S*", " ", text.lower())
    return [
        w
        for w in re.findall(r"[a-z][a-z'-]+", _FILLER.sub(" ", low))
        if len(w) > 2 and "'" not in w and w not in exclude and singular(w) not in exclude
    ]


def split_use(text: str) -> tuple[str, str]:
    """The thing a request asks for and what it is for: "i need a sleeve for my laptop" ->
    ("a sleeve ", "for my laptop"). The request's opening ("i'm looking for") and amounts
    are dropped; words after "for", "with", "that" ... describe the thing or its use."""
    low = re.sub(r"[$€£]?\d+(?:[.,]\d+)?\S*", " ", text.lower())
    # "i'm looking for a tent for camping": what follows the request is the thing
    low = _REQUEST.sub(" ", low, count=1)
    # "what about helmets", "ok how about a lamp": what follows is the thing
    low = re.sub(r"^\W*(?:(?:ok|okay|so|and|then|fine)\W+)*(?:what|how) about\b", " ", low)
    parts = re.split(
        r"\b(?=(?:for|with|thats|that|which|from|by|to|under|below|over|in|on|about)\b)",
        low,
        maxsplit=1,
    )
    return parts[0], (parts[1] if len(parts) > 1 else "")


# A clause saying what the shopper already has ("i have an espresso machine, which beans
# ...", "i've got a v60 - what filters do i need"): what the request is for, not the thing
# asked for. Up to the clause's end or the question that follows it.
_OWNED = re.compile(
    r"\b(?:i\s+(?:already\s+)?(?:have|own|use|got)|i'?ve\s+(?:already\s+)?got|i'?ve)\s+"
    r"(?:an?|one|two|three|\d+|my|the|this|that|these|those|some)\s+"
    r"[^,.;!?]*?(?=[,.;!?-]|\s(?:and|so|but|which|what|do|does|can|could|any|is|are|"
    r"will|would|should|need|want|how|where)\b|$)",
    re.I,
)


def without_owned(text: str) -> str:
    """The request without its clauses saying what the shopper has, when any other words
    remain ("i have an espresso machine, which beans" -> ", which beans"); else the text."""
    rest = _OWNED.sub(" ", text)
    return rest if content_words(rest) else text


def not_carried(
    text: str,
    profile: CatalogProfile,
    named: set[str],
    head_nouns: set[str] | frozenset[str] = frozenset(),
    exclude: set[str] | frozenset[str] = frozenset(),
) -> str | None:
    """The thing asked for when no word of the request names what the shop sells
    ("umbrellas", "cast iron skillets", "laptops" in a shop whose only laptop word is in
    "Laptop Backpack"), else None.

    ``named``: the catalog slots the lexicon found (a category or brand named means the shop
    has it). ``head_nouns``: words that name the shop's products (categories, brands, the
    last word of titles); without them, any catalog word counts. Words after "for", "with"
    ... describe the use ("a blender for smoothies") and are left out."""
    if not profile.vocab or named & {"category", "brand"}:
        return None
    head_part, _ = split_use(without_owned(text))
    exclude = {*exclude, *profile.value_words}  # "i like firm": a Firmness, not a thing
    head_part = profile.without_phrase_values(head_part)  # "as a pirate ship": a choice
    found = [
        w
        for w in content_words(head_part, exclude)
        if not describes(w) and not _of_a_place(w, profile.vocab)
    ]
    if not found or all(
        w in profile.option_words or singular(w) in profile.option_words for w in found
    ):
        return None  # "screw fitting": a Fitting (its value's word left out), not a thing
    if head_nouns:
        if any(w in head_nouns or singular(w) in head_nouns for w in found):
            return None
    elif any(profile.knows(w) for w in found):
        return None
    # the thing is named in the first clause that names anything ("socks! warm wool
    # socks", "a mattress, queen size"); the rest describes it
    for clause in re.split(r"[,!?;:]", head_part):
        first = [w for w in content_words(clause, exclude) if not describes(w)]
        if first:
            return " ".join(dict.fromkeys(first))
    return " ".join(dict.fromkeys(found))


def _of_a_place(word: str, vocab: set[str] | frozenset[str]) -> bool:
    """A word for things from a place the shop's words name ("colombian" of Colombia,
    "brazilian", "italian", "japanese", "mexican"): it says which product, never a thing of
    its own."""
    forms = []
    if word.endswith("n"):
        forms.append(word[:-1])  # colombia-n, kenya-n (the place ends in a)
    if word.endswith(("ian", "ese")):
        forms += [word[:-3], word[:-3] + "y", word[:-3] + "a"]  # brazil, italy, china
    if word.endswith("an"):
        forms.append(word[:-2] + "o")  # mexic-o
    return any(
        len(f) >= 4 and f in vocab and (not word.endswith("n") or f != word[:-1] or f[-1] == "a")
        for f in forms
    )


def describes(word: str) -> bool:
    """A word that describes a thing or says who or when it is for, never names it."""
    return bool(_DESCRIBES.fullmatch(word) or _NOT_A_THING.fullmatch(word))


def describes_after(word: str) -> bool:
    """A word that describes (``describes``), or reads as describing when typed after a
    thing ("dress long", "something lighter, romantic")."""
    return describes(word) or bool(_AFTER_DESCRIBES.fullmatch(word))


# Words that describe rather than name a thing when typed after a product ("boots
# waterproof", "dress long"): never the accessory of a compound noun
_AFTER_DESCRIBES = re.compile(
    r"(?:\w+(?:proof|able|ible|ful|less|ous|ive|ic|ish|ed|ing|est|ly)|tall|short|long|big|"
    r"small|large|wide|narrow|thin|thick|high|low|old|light|dark|plain|matte|gloss|glossy|"
    r"mini|maxi|midi|slim|loose|tight|warm|hot|cold|soft|hard|heavy|pink|gold|silver)"
)


def accessory_of(head: str, end: int) -> str | None:
    """The noun after a product type in a compound, which may be an accessory the type
    is only what it is for: "sofa cover", "mug rack" -> "cover", "rack" (the caller
    judges it against the catalog). ``head``: the request's head (``split_use``); ``end``:
    where the product type named in it ends. The noun must follow the type directly
    ("sofa 3 seater" is a sofa) and end the head; a describing word is none ("boots
    waterproof", "sofas please")."""
    tail = re.sub(r"[\s.,!?]+$", "", head[end:].lower())
    while (cut := re.sub(r"\s+[a-z]+$", "", tail)) != tail and _FILLER.fullmatch(
        tail[len(cut) :].strip()
    ):
        tail = cut  # "backpack strap pls"
    m = re.fullmatch(r"\s+([a-z][a-z-]{2,}(?:\s[a-z][a-z-]{2,})?)", tail)
    if not m:
        return None
    words = m.group(1).split()
    if any(
        _FILLER.fullmatch(w) or _DESCRIBES.fullmatch(w) or _AFTER_DESCRIBES.fullmatch(w)
        for w in words
    ):
        return None  # "sofas please", "boots waterproof"
    return " ".join(words)
