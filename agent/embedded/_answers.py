"""Grounded answers to questions about one product, from that product's data only.

"is it in stock?", "how much?", "what sizes?", "does it come in blue?", "what is it made
of?", "is it waterproof?", "machine washable?": the answer is the product's field (stock,
price, option values, attribute), or the sentence of its description that mentions what was
asked, quoted; when nothing does, "the product page doesn't say", never a guess.

Matching is by words (a light stemmer, no model): the product's own fields are short and
exact, and a quoted sentence must contain the asked-about word to count as an answer.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from shopagent.agent.embedded._assortment import word_frequency
from shopagent.agent.embedded._catalog import measured, short_names, singular
from shopagent.money import format_money
from shopagent.retrieval.ages import asked_age, stated_ages
from shopagent.retrieval.schema import SIZE_WORDS, value_words

# "when will it be back (in stock)?", "any restock date": a date the feed never has
RESTOCK = re.compile(
    # "when will lamb be back", "when is the xl restocked", "when are they back"
    r"\bwhen (?:will|is|are|do|does|would) (?:it|they|that|this|those|these|the [\w -]+?|"
    r"(?!(?:my|our|your)\b)[\w-]+(?: [\w-]+)?) "
    r"(?:be )?(?:back|restocked|coming back|available again|in stock again)\b|"
    r"\bback in stock\b|\brestock",
    re.I,
)
_STOCK = re.compile(
    r"\b(?:in stock|stock|available|availability|sold out|out of stock|any left|"
    r"left(?![- ]?(?:hand|side|foot|ear|arm|eye))|"  # not "left handed": a question of fit
    r"can i (?:buy|get|order) (?:it|one|this|that)|have (?:it|any)|"
    r"(?:do|did) (?:you|u) (?:still )?(?:have|sell|stock|carry))\b",
    re.I,
)
CHEAPER = re.compile(
    r"\b(?:cheaper|cheapest|less expensive|least expensive|lower price|"
    r"best price|more affordable)\b",
    re.I,
)
# "which is the better deal", "which has the bigger discount", "most off"
BETTER_DEAL = re.compile(
    r"\b(?:(?:better|best|bigger|biggest)\s+(?:deal|discount|saving|bargain|offer)s?|"
    r"(?:more|most)\s+(?:off|discounted|savings?)|(?:saves?|save)\s+(?:me\s+)?(?:more|most))\b",
    re.I,
)
PRICIER = re.compile(r"\b(?:pricier|priciest|more expensive|most expensive|dearer)\b", re.I)
_PRICE = re.compile(r"\b(?:price|prices|cost|costs|how much|pricey|expensive)\b", re.I)
# A sale: "is it on sale?", "whats the discount on the retinol", "how much off is it"
_SALE = re.compile(
    r"\b(?:on sale|sale price|in the sale|discount(?:ed|s)?|reduced|marked down|markdown|"
    r"on offer|special offer|(?:how much|what'?s|\d+ ?%) off|promo(?:tion)?|deal|"
    # the price before: "how much was it before", "what was the original price", "rrp"
    r"(?:was|were) (?:it|they|this|that)(?: before| originally| usually)|"
    r"(?:original|full|usual|normal|old|regular) price|price before|before the sale|rrp)\b",
    re.I,
)
# Shop policies are not product data: asked about them, the page is quoted or said silent
_POLICY = re.compile(
    r"\b(?:shipping|ships?|shipped|delivery|deliver|returns?|refunds?|warranty|guarantee)\b",
    re.I,
)
# Size-like questions: a product's size options answer them when no attribute does
# "does it fit a pixel 8?", "will it fit my iphone 14": the option value asked about
_FITS = re.compile(r"\bfits?\s(?:on\s|in\s|into\s)?(?:an?\s|the\s|my\s)?([\w' .-]+?)[?.!]*$")
# options that say what a product fits ("Model: iPhone 15"): "does it fit a pixel 8?" is
# answered from their values
_FITTING_OPTIONS = {
    "model", "models", "device", "devices", "fits", "fit", "compatibility", "compatible",
    "compatible with", "for", "phone", "phone model", "vehicle", "car", "make", "bike",
}  # fmt: skip
# "ok what about galaxy s24", "in 17cm?", "and the 250g?": the last question again, of
# another option value (a bare "in"/"the" form must be asked, with its "?")
_WHAT_ABOUT = re.compile(
    r"^\s*(?:(?:ok|okay|so|and|hmm)\W+)?(?:(?:what|how)\s+about\s+(?:the\s|an?\s)?|"
    r"(?:in\s+(?:the\s|an?\s)?|the\s)(?=[\w' .-]+\?))([\w' .-]+?)[?.!]*$"
)
_SIZE_LIKE = re.compile(
    r"\b(?:how (?:big|large|tall|wide)|dimensions?|measurements?|capacity|volume|"
    r"how much (?:does it|do they) hold|how many (?:pieces|ml|litres?|liters?)|what size)\b",
    re.I,
)
_SIZES = re.compile(r"\b(?:sizes?|fits?|sizing)\b", re.I)
_COLOURS = re.compile(r"\b(?:colou?rs?|shades?)\b", re.I)
_COMES_IN = re.compile(
    r"\b(?:come|comes|available|have it|has it|get it|got it|make it|it)\s(?:in|with)\s"
    r"(?:an?\s|the\s)?([\w' -]+?)(?:\s(?:colou?r|size|version|option|too|as well))?[?.!]*$",
    re.I,
)
# what shoppers call an attribute -> the attribute keys that answer it
_ASPECTS = {
    "material": ("material", "fabric", "made of", "made from", "what is it made"),
    "dimensions": (
        "dimensions",
        "how big",
        "how large",
        "measurements",
        "measure",
        "length",
        "width",
        "height",
        "depth",
    ),
    "weight": ("weight", "how heavy", "weigh"),
    "brand": ("brand", "who makes", "made by", "manufacturer"),
    "style": ("style",),
    "audience": ("for men", "for women", "for kids", "unisex", "who is it for"),
}
_STOP = {
    "come",  # "what finish does it come in?": the finish is asked
    "comes",
    "the",
    "a",
    "an",
    "is",
    "it",
    "its",
    "it's",
    "this",
    "that",
    "one",
    "does",
    "do",
    "can",
    "could",
    "would",
    "will",
    "be",
    "are",
    "there",
    "what",
    "whats",
    "what's",
    "which",
    "how",
    "about",
    "and",
    "of",
    "in",
    "on",
    "for",
    "to",
    "with",
    "me",
    "i",
    "you",
    "tell",
    "please",
    "any",
    "have",
    "has",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "last",
    "item",
    "product",
    "also",
    "too",
    "still",
    "really",
    "very",
    "much",
    "so",
    "if",
    "or",
    "yes",
    "no",
    "know",
    "show",
    "details",
    "more",
    "info",
    "information",
    "describe",
    "say",
    "page",
    "they",
    "them",
    "these",
    "those",
    "ones",
    "thing",
    "okay",
    "ok",
    "well",
    "bit",
    "quite",
    "enough",
    "good",
    "better",
    "best",
    "every",
    "each",
    "always",
    "ideal",
    "suitable",
    "recommend",
    "recommended",
    "work",
    "doe",
    "get",
    "got",
    "need",
    "want",
    "like",
    "my",
    "number",
    "option",
    "then",
    "hey",
    "u",
    "ur",
    "just",
    "actually",
    "maybe",
    "wondering",
    "curious",
    "hmm",
    "um",
    "pls",
    "keep",
    "day",
    "all",
    "make",
    "use",
    "used",
    "using",
    "way",
    "thanks",
    "though",
    "guys",
}
_SENTENCE = re.compile(r"(?:[^.!?]|\.(?=\d))+[.!?]?")  # "Bluetooth 5.3" is no sentence end
# What a product is or holds, asked as a whole: its page's own words answer it
# A judgement asked of the product as a whole, which no page states: "is the adjustable one
# worth it", "is it any good", "would you recommend it", "worth the money?"
_OPINION = re.compile(
    r"\b(?:(?:is|are) (?:it|they|this|that|the [\w ]{1,30}?) (?:worth (?:it|the money|buying)|"
    r"any good|good value|a good buy)|worth (?:it|the money)\W*$|"
    r"would you (?:recommend|get|buy) (?:it|one|them|this|that))(?!\s+(?:for|with|on|in)\b)"
)
_WHATS_IN = re.compile(
    r"\bwhat(?:'s|s| is| are)? (?:in|inside)\b(?! stock| my )|"
    r"\bwhat(?: does| do)? (?:it|they|this|that)? ?(?:include|come with|comes with|contain)|"
    r"\bwhat(?:'s|s| is) (?:it|this|that)(?: exactly)?\W*$|"
    # "whats the second book", "what is the last one": the one at that place, as a whole
    r"^\W*what(?:'s|s| is) the (?:first|second|third|fourth|fifth|last|other|\d+(?:st|nd|rd|th)?)"
    r"(?: [a-z]+)?\W*$|"
    # "what comes in the kit", "what do you get with it", "whats included"
    r"\bwhat comes (?:in|with) (?:the|it|this|that|a|each|your)\b|"
    r"\bwhat do (?:you|i|we) get (?:in|with)\b|\bwhat(?:'s|s| is| are)? included\b"
)


def _stem(word: str) -> str:
    w = singular(word.lower().strip("'"))
    if len(w) > 6 and w.endswith(("ancy", "ency")):
        w = w[:-2] + "t"  # "pregnancy" is said as "pregnant", "frequency" as "frequent"
    for suffix in ("able", "ible", "ing", "ness", "ed", "er", "ly"):
        # "older" is old (a comparative of a short word keeps three letters)
        if len(w) > len(suffix) + (2 if suffix == "er" else 3) and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def _plural_name(option: str) -> str:
    """An option's name for its values: "sizes", "glasses"; "steps" stays "steps"."""
    if singular(option) != option:
        return option
    if option.endswith("y") and option[-2:-1] not in ("a", "e", "i", "o", "u"):
        return option[:-1] + "ies"  # "batteries"
    return option + ("es" if option.endswith(("s", "x", "ch", "sh")) else "s")


def _money(amount: Any, currency: str | None) -> str:
    # exact: tool results carry decimal strings; no float on the way to the text
    return format_money(str(amount), currency)


def _options(p: dict[str, Any]) -> dict[str, list[str]]:
    """Option name -> values (available first kept in feed order)."""
    out: dict[str, list[str]] = {}
    for v in p.get("variants") or []:
        for k, val in (v.get("options") or {}).items():
            vals = out.setdefault(str(k).casefold(), [])
            if str(val) not in vals:
                vals.append(str(val))
    attrs = p.get("attributes") or {}
    for k in ("color", "material"):
        if isinstance(attrs.get(k), str) and k not in out:
            out[k] = [attrs[k]]
    return out


def _available(p: dict[str, Any], option: str) -> list[str]:
    vals: list[str] = []
    for v in p.get("variants") or []:
        val = (v.get("options") or {}).get(option)
        if val is not None and v.get("available", True) and str(val) not in vals:
            vals.append(str(val))
    return vals


def _join(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def _stock(p: dict[str, Any], name: str) -> str:
    variants = p.get("variants") or []
    in_stock = p.get("in_stock", p.get("available", True))
    if not in_stock:
        return f"{name} is out of stock right now."
    qty = [v.get("quantity") for v in variants if v.get("available", True)]
    left = (
        sum(q for q in qty if isinstance(q, int))
        if qty and all(isinstance(q, int) for q in qty)
        else None
    )
    text = f"Yes, {name} is in stock"
    text += f" ({left} available)." if left else "."
    sold_out = [v for v in variants if not v.get("available", True)]
    if sold_out and len(variants) > 1:
        # name only the options that tell the variants apart ("size M", not "purple, M")
        keys = [
            k
            for k in {k for v in variants for k in (v.get("options") or {})}
            if len({str((v.get("options") or {}).get(k)) for v in variants}) > 1
        ]
        gone = [
            ", ".join(f"{k} {(v.get('options') or {}).get(k)}" for k in sorted(keys))
            for v in sold_out
        ]
        if any(gone):
            text += f" Sold out: {_join([g for g in gone if g][:4])}."
    return text


# Who a product is for by age: "is it ok for a 5 year old?", "what age is it for", "babies"
_AGE_ASKED = re.compile(
    r"\b\d{1,2}\s*-?\s*(?:years?|yrs?|yo)\b|\b(?:what|which) ages?\b|\bage (?:range|group)\b|"
    r"\bages?\b|\bhow old\b|\b(?:babies|baby|newborns?|infants?|toddlers?)\b|"
    # "how long can he use the car seat for", "until what age": how long it lasts a child
    r"\bhow long (?:can|will|would|does|do) (?:he|she|they|we|i|my \w+|the baby|it) "
    r"(?:use|last|fit|be used)|\buntil what age\b"
)


def _for_ages(low: str, p: dict[str, Any], name: str) -> str | None:
    """ "is the scooter ok for a 5 year old?": the ages the page gives, and whether the
    age asked is among them; None when the page gives no ages."""
    ages = stated_ages(str(p.get("description") or ""))
    if ages is None:
        return None
    quoted = f'Its page says: "{ages.sentence}"'
    asked = asked_age(low)
    if asked is None:
        return f'The product page says: "{ages.sentence}"'
    if ages.suit(asked[0]):
        return f"Yes, {name} suits {asked[1]}. {quoted}"
    return f"No, {name} isn't meant for {asked[1]}. {quoted}"


def _sale(low: str, p: dict[str, Any], name: str) -> str:
    """ "is it on sale?": the variants (those the question names, or all) whose price is
    below the price before the sale, with what they cost before and the saving."""
    cur = p.get("currency")
    variants = p.get("variants") or [{}]
    named = _named_variants(low, variants)
    asked = [v for v, _ in named] or variants
    said = " ".join(dict.fromkeys(w for _, ws in named for w in ws))
    of = f"{name} in {said}" if said else name
    # the options that tell the variants apart name the ones on sale ("50ml")
    keys = [k for k, vals in _options({"variants": variants}).items() if len(vals) > 1]
    deals: dict[tuple[Decimal, Decimal], list[str]] = {}
    prices: set[Decimal] = set()
    for v in asked:
        price = v.get("price") if v.get("price") is not None else p.get("price")
        before = v.get("compare_at_price") or p.get("compare_at_price")
        if price is None:
            continue
        prices.add(Decimal(str(price)))
        if before is not None and Decimal(str(before)) > Decimal(str(price)):
            opts = {str(k).casefold(): str(x) for k, x in (v.get("options") or {}).items()}
            which = " ".join(opts[k] for k in keys if k in opts)
            deals.setdefault((Decimal(str(price)), Decimal(str(before))), []).append(which)
    if not deals:
        low_high = sorted(prices)
        cost = (
            None
            if not prices
            else _money(low_high[0], cur)
            if len(prices) == 1
            else f"{_money(low_high[0], cur)} to {_money(low_high[-1], cur)}"
        )
        return f"{of} isn't on sale right now" + (f": it's {cost}." if cost else ".")
    told: list[tuple[str, str, Decimal]] = []
    for (now, was), names in sorted(deals.items())[:3]:
        off = ((was - now) * 100 / was).to_integral_value(rounding="ROUND_HALF_UP")
        told.append((_join(names[:3]), f"{_money(now, cur)}, down from {_money(was, cur)}", off))
    # "is it on sale?" is answered yes; "how much was it before?" is not a yes/no question
    yes = "Yes, " if re.match(r"\W*(?:is|are|does|do|any|so)\b", low) else ""
    if sum(len(w) for w in deals.values()) == len(asked) and len(told) == 1:
        return f"{yes}{of} is on sale: {told[0][1]} ({told[0][2]}% off)."
    return f"{yes}{of} is on sale in " + _join([f"{w} ({t}, {o}% off)" for w, t, o in told]) + "."


def _price_against(low: str, p: dict[str, Any], name: str) -> str | None:
    """ "is it cheaper in black?": the price of the variants said against the others'
    ("… costs $110.00 in Black, the same as in Volt Yellow"); None when none is said."""
    variants = [v for v in p.get("variants") or [] if v.get("price") is not None]
    named = _named_variants(low, variants)
    if not named:
        return None
    said = " ".join(dict.fromkeys(w for _, ws in named for w in ws))
    ids = {id(v) for v, _ in named}
    keys = {
        str(k) for v, ws in named for k, val in (v.get("options") or {}).items() if str(val) in ws
    }
    others: dict[str, set[Decimal]] = {}
    for v in variants:
        if id(v) not in ids:
            label = " ".join(str(x) for k, x in (v.get("options") or {}).items() if k in keys)
            others.setdefault(label, set()).add(Decimal(str(v["price"])))
    mine = sorted({Decimal(str(v["price"])) for v, _ in named})
    cur = p.get("currency")
    if others and len(mine) > 1 and _priced_alike(named, variants, keys):
        # "is it cheaper in sand?" of a bottle whose price goes by its capacity alone
        return f"{name} costs the same in {said} as in {_join(list(others)[:4])}."
    if not others or len(mine) != 1:
        return None
    theirs = sorted({x for xs in others.values() for x in xs})
    which = _join(list(others)[:4])
    if theirs == mine:
        return f"{name} costs {_money(mine[0], cur)} in {said}, the same as in {which}."
    cost = (
        _money(theirs[0], cur)
        if len(theirs) == 1
        else f"{_money(theirs[0], cur)} to {_money(theirs[-1], cur)}"
    )
    return f"{name} costs {_money(mine[0], cur)} in {said}, and {cost} in {which}."


def _priced_alike(
    named: list[tuple[Any, list[str]]], variants: list[dict[str, Any]], keys: set[str]
) -> bool:
    """Each variant said costs what the others with the same other options cost."""

    def rest(v: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        return tuple(
            sorted((str(k), str(x)) for k, x in (v.get("options") or {}).items() if k not in keys)
        )

    price = {id(v): Decimal(str(v["price"])) for v in variants}
    by_rest: dict[tuple[tuple[str, str], ...], set[Decimal]] = {}
    for v in variants:
        by_rest.setdefault(rest(v), set()).add(price[id(v)])
    return all(len(by_rest[rest(v)]) == 1 for v, _ in named)


# a comparison of two things: "lighter than the orange", "warmer than", "better than"
_THAN = re.compile(r"\b(?:\w+er|more \w+|less \w+|better|worse)\s+than\b", re.I)


def _two_prices(p: dict[str, Any], name: str, option: str, one: str, other: str) -> str:
    """ "is the olive one cheaper than the orange": both choices' prices."""
    cur = p.get("currency")

    def prices(value: str) -> list[Decimal]:
        return sorted(
            {
                # a variant without a price of its own costs the product's price
                Decimal(str(v["price"] if v.get("price") is not None else p["price"]))
                for v in p.get("variants") or []
                if (v.get("price") is not None or p.get("price") is not None)
                and any(
                    str(k).casefold() == option and str(x).casefold() == value.casefold()
                    for k, x in (v.get("options") or {}).items()
                )
            }
        )

    def said(values: list[Decimal]) -> str:
        if len(values) == 1:
            return _money(values[0], cur)
        return f"{_money(values[0], cur)} to {_money(values[-1], cur)}"

    a, b = prices(one), prices(other)
    if not a or not b:
        return f"{name} comes in {one} and {other}; the shop gives no price for one of them."
    if a == b:
        return f"{name} costs {said(a)} in {one}, the same as in {other}."
    return f"{name} costs {said(a)} in {one}, and {said(b)} in {other}."


def _option_word(option: str) -> str:
    """An option's name as a reply says it: "colour" for Color, else the name."""
    return {"colour": "colour", "color": "colour"}.get(option.casefold(), option.casefold())


# "is it cheaper in black", "are the bigger ones more expensive": a price against others
_DEARER = re.compile(
    r"\b(?:cheaper|less expensive|more expensive|pricier|dearer|costs? (?:more|less)|"
    r"same price)\b",
    re.I,
)


def _named_stock(named: list[tuple[Any, list[str]]], name: str) -> str:
    """ "is the hardcover in stock?": the stock of the options said, not the product's."""
    said = " ".join(dict.fromkeys(w for _, ws in named for w in ws))
    left = [v for v, _ in named if v.get("available", True)]
    if not left:
        return f"No, {name} in {said} is sold out."
    qty = [v.get("quantity") for v in left]
    count = sum(qty) if all(isinstance(q, int) for q in qty) else None
    text = f"Yes, {name} in {said} is in stock" + (f" ({count} available)" if count else "")
    # "in large?" of a helmet whose red large is gone: the rest of what is sold out
    gone = [
        str(val)
        for v, ws in named
        if not v.get("available", True)
        for val in (v.get("options") or {}).values()
        if str(val) not in ws
    ]
    if gone:
        return f"{text}, but not in {_join(list(dict.fromkeys(gone)))}."
    return text + "."


def answer(text: str, p: dict[str, Any]) -> str | None:
    """The grounded answer to ``text`` about product ``p`` (get_product's dict), or None
    when the turn asks no particular question (then the caller describes the product)."""
    low = " ".join(text.lower().replace("’", "'").split())
    name = str(p.get("title") or "This product")
    options = _options(p)
    attrs = {
        str(k).casefold(): v
        for k, v in (p.get("attributes") or {}).items()
        if v not in (None, "", [])
    }
    parts: list[str] = []
    if _OPINION.search(low):
        return None  # "is it worth it?": no page says; what it is and costs, described
    if _WHATS_IN.search(low) and str(p.get("description") or "").strip():
        # "what's in the sampler box?", "what does it come with?": what the page says it is
        said = " ".join(x.strip() for x in _SENTENCE.findall(str(p["description"]))[:2])
        return f'The product page says: "{said}"'
    if _POLICY.search(low):
        asked = [m.group(0) for m in _POLICY.finditer(low)]
        return _quote_or_unknown(p, asked, name)
    if (_AGE_ASKED.search(low) or asked_age(low)) and (aged := _for_ages(low, p, name)):
        return aged
    if fitted := fit_answer(low, p):
        return fitted  # "what size for a 62cm chest": the size whose range takes it
    if than := _THAN.search(low):
        # "is the olive one lighter than the orange": two choices of one product, which its
        # data does not tell apart by that (never "Yes, it comes in Olive"); "cheaper
        # than": their prices
        left = said_options(low[: than.start()], options)
        right = said_options(low[than.end() :], options)
        same = [k for k in left if k in right and left[k] != right[k]]
        if same:
            k = same[0]
            if _DEARER.search(low):
                return _two_prices(p, name, k, left[k], right[k])
            return (
                f"{left[k]} and {right[k]} are the same {name} in another "
                f"{_option_word(k)}: its page doesn't tell them apart by that."
            )
    stocked: list[tuple[Any, list[str]]] = []  # the variants whose stock was told
    restock, stock = RESTOCK.search(low), _STOCK.search(low)
    whole_stock = None  # "do you have it in a gift box": the product's stock, no choice named
    if stock or restock:
        stocked = _named_variants(low, p.get("variants") or [])
        told = _named_stock(stocked, name) if stocked else _stock(p, name)
        whole_stock = None if stocked else told
        if restock and not stock:
            told = told.removeprefix("Yes, ").removeprefix("No, ")  # "when": no yes or no
            told = told[:1].upper() + told[1:]
        parts.append(told)
    if restock:
        # "when will it be back?": the feed has no restock dates, and none is made up
        parts.append("I can't see when sold-out items will be back: the shop doesn't say.")
    # "sizes" of a product whose sizes are a "frame size" or a "ring size" option: those
    size_keys = [k for k in options if k == "size" or k.endswith(" size")] or ["size"]
    if not stocked and (_SIZE_LIKE.search(low) or _SIZES.search(low)):
        # "tan in size 8?": whether that one is there, not the list of sizes
        named = _named_variants(low, p.get("variants") or [])
        sizes_said = {w for _, ws in named for w in ws} & set(options.get(size_keys[0]) or [])
        if sizes_said:
            stocked = named
            parts.append(_named_stock(named, name))
    if (
        _SIZE_LIKE.search(low)
        and not stocked
        and not any(k in attrs for k in ("dimensions", "size", "capacity", "volume"))
    ):
        sizes = options.get(size_keys[0]) or []
        if sizes and sizes != ["one size"]:
            parts.append(f"{name} comes in {_plural_name(size_keys[0])}: {_join(sizes)}.")
        elif not _ASPECTS_HIT(low, attrs) and not _keywords(low, p):
            parts.append(_quote_or_unknown(p, ["dimensions"], name))
    if _SALE.search(low):
        parts.append(_sale(low, p, name))
    elif _DEARER.search(low) and (against := _price_against(low, p, name)):
        parts.append(against)  # "is it cheaper in black": that one's price against the rest
    elif _PRICE.search(low):
        variants = p.get("variants") or []
        prices = sorted({Decimal(str(v["price"])) for v in variants if v.get("price") is not None})
        cur = p.get("currency")
        named = _named_variants(low, variants) if len(prices) > 1 else []
        named_prices = {Decimal(str(v["price"])) for v, _ in named if v.get("price") is not None}
        chosen = " ".join(dict.fromkeys(w for _, said in named for w in said))
        if len(named_prices) == 1:  # "how much is the hardcover?": that option's price
            parts.append(f"{name} in {chosen} costs {_money(next(iter(named_prices)), cur)}.")
        elif len(named_prices) > 1:  # "the lefty one": its prices, by the options left open
            low_p, high_p = min(named_prices), max(named_prices)
            said_values = {w for _, said in named for w in said}
            said_keys = {
                str(k).casefold()
                for v, _ in named
                for k, val in (v.get("options") or {}).items()
                if str(val) in said_values
            }
            open_keys = [k for k in options if k not in said_keys and len(options[k]) > 1]
            by = f"the {open_keys[0]}" if len(open_keys) == 1 else "the option"
            parts.append(
                f"{name} in {chosen} costs {_money(low_p, cur)} to {_money(high_p, cur)}"
                f" depending on {by}."
            )
        elif len(prices) > 1:
            parts.append(
                f"{name} costs {_money(prices[0], cur)} to {_money(prices[-1], cur)}"
                " depending on the option."
            )
        elif p.get("price") is not None or prices:
            parts.append(f"{name} costs {_money(prices[0] if prices else p['price'], cur)}.")
    comes = _COMES_IN.search(low) or _FITS.search(low)
    if (
        comes is None
        and (about := _WHAT_ABOUT.match(low))
        and only_option_values(about.group(1), options)
    ):
        comes = about  # "ok what about galaxy s24" after "does it fit a pixel 8?"
    asked_value = comes.group(1).strip() if comes else None
    fit_told = False  # a "does it fit ..." answered from the page: no sizes listed too
    if (
        asked_value
        and comes is not None
        and comes.re is _FITS
        and not said_options(asked_value, options)
        and not any(k in _FITTING_OPTIONS for k in options)
    ):
        # "will the battery fit the impact driver" of a battery by Capacity: what its page
        # says, not "it doesn't come in impact driver; its capacities: ..."
        parts.append(_quote_or_unknown(p, _keywords(asked_value, p) or [asked_value], name))
        asked_value, fit_told = None, True
    if asked_value and (_STOCK.search(asked_value) or _PRICE.search(asked_value)):
        asked_value = None
    with_ = comes is not None and " with " in f" {comes.group(0)} "
    if (
        asked_value
        and with_
        and any(singular(w) in options for w in re.findall(r"[a-z]+", asked_value))
    ):
        asked_value = None  # "does it come with a battery?" of a Battery option: its values
    if asked_value and with_ and not said_options(asked_value, options):
        # "does it come with a cable?": what is in the box, as the page says (no option)
        parts.append(_quote_or_unknown(p, _keywords(asked_value, p) or [asked_value], name))
        asked_value = None
    if asked_value:
        said = _comes_in(asked_value, options, name)
        variants = p.get("variants") or []
        named = _named_variants(asked_value, variants)
        every = {str(v.get("price")) for v in variants if v.get("price") is not None}
        priced = {str(v.get("price")) for v, _ in named if v.get("price") is not None}
        if said.startswith("Yes") and len(every) > 1 and len(priced) == 1:
            # "and the audiobook?": that choice's own price, when the choices differ in it
            said = said[:-1] + f", {_money(next(iter(priced)), p.get('currency'))}."
        if said.startswith("Yes") and named and not any(v.get("available", True) for v, _ in named):
            said = said[:-1] + ", but that one is sold out."  # "fits a pixel 8": sold out
        asked_words = {w for _, ws in named for w in ws}
        if not (named and stocked and asked_words <= {w for _, ws in stocked for w in ws}):
            # "do u have it in espresso?", "is the wide one available in uk 9" are told
            # once, by their stock
            parts.append(said)
    told_values = {w for _, ws in stocked for w in ws}
    named_options = [
        k
        for k in options
        if re.search(rf"\b{re.escape(k)}s?\b", low) and not told_values & set(options[k])
    ]  # "is size 8 in stock": its stock told, not the sizes listed too
    if (
        _SIZES.search(low)
        and not any("size" in k for k in named_options)
        and not asked_value
        and not stocked
        and not fit_told
    ):
        named_options.extend(size_keys)
    if _COLOURS.search(low) and "color" not in named_options and not asked_value:
        named_options.append("color")
    variant_keys = {
        str(k).casefold() for v in p.get("variants") or [] for k in (v.get("options") or {})
    }
    for k in named_options:
        vals = options.get(k) or []
        if k not in variant_keys and len(vals) == 1:
            parts.append(f"{name}'s {k} is {vals[0]}.")  # a fact, not a choice
            continue
        avail = _available(p, k)
        label = {"color": "colours"}.get(k) or _plural_name(k)
        if vals and vals != ["one size"]:
            gone = [v for v in vals if avail and v not in avail]
            note = f" ({_join(gone)} sold out)" if gone else ""
            parts.append(f"{name} comes in {label}: {_join(vals)}{note}.")
        elif vals == ["one size"]:
            parts.append(f"{name} is one size.")
        elif k == "size" and not vals:
            # "what size is it" of a sofa: its measurements, where its page gives them
            measured = _quote(p, ["dimensions"], name)
            parts.append(measured or f"{name} has no size options.")
    for key, cues in _ASPECTS.items():
        if key == "dimensions" and _SIZE_LIKE.search(low):
            continue  # answered above
        if any(c in low for c in cues) and key not in named_options:
            value = attrs.get(key) or (p.get(key) if key == "brand" else None)
            if value:
                parts.append(f"{name}'s {key} is {value}.")
            else:
                parts.append(_quote_or_unknown(p, [key], name))
    for k, v in attrs.items():  # any other attribute the shopper names by its key
        if k in ("shape",) or k in _ASPECTS or k in named_options:
            continue
        if re.search(rf"\b{re.escape(k.replace('_', ' '))}\b", low):
            parts.append(f"{name}'s {k.replace('_', ' ')} is {v}.")
    if whole_stock in parts and any(x.startswith("No, ") and " come in " in x for x in parts):
        # "do you have it in a gift box" of a whisky sold in a bottle only: that it does not
        # come so answers it; "Yes, it is in stock" beside it would say the opposite
        parts.remove(str(whole_stock))
    if parts:
        return _it(list(dict.fromkeys(parts)), name)
    keys = _keywords(low, p)
    if not keys:
        return None
    offered = _offered(p, text, name)  # "and the audiobook?": an option it comes in
    if offered is not None:
        return offered
    return _quote_or_unknown(p, keys, name)


def _ASPECTS_HIT(low: str, attrs: dict[str, Any]) -> bool:  # noqa: N802
    return any(k in attrs for k in ("dimensions", "width", "height", "length", "depth"))


def _it(parts: list[str], name: str) -> str:
    """The product's name once; "It" in the sentences after."""
    out = [parts[0]]
    for part in parts[1:]:
        for lead in (f"Yes, {name} ", f"No, {name} ", f"{name}'s ", f"{name} "):
            if part.startswith(lead):
                short = {f"{name}'s ": "Its ", f"{name} ": "It "}.get(
                    lead, lead.replace(name + " ", "it ")
                )
                part = short + part[len(lead) :]
                break
        out.append(part)
    return " ".join(out)


def _comes_in(value: str, options: dict[str, list[str]], name: str) -> str:
    v = value.lower()
    for val in said_options(v, options).values():  # "large" of S/M/L, "625 wh"
        return f"Yes, {name} comes in {val}."
    for vals in options.values():
        for val in vals:
            if v == val.lower() or re.search(rf"\b{re.escape(v)}\b", val.lower()):
                return f"Yes, {name} comes in {val}."
    sizeish = v in SIZE_WORDS or v in SIZE_WORDS.values() or any(ch.isdigit() for ch in v)
    for k in ("size", "color") if sizeish else ("color", "size"):
        if options.get(k) and options[k] != ["one size"]:
            label = {"color": "colours", "size": "sizes"}[k]
            if k == "color" or sizeish or len(v) <= 3:
                return f"No, {name} doesn't come in {value}; its {label}: {_join(options[k])}."
    if len(options) == 1:  # "will it fit my iphone 13?" of a case made by Model
        label, vals = next(iter(options.items()))
        return f"No, {name} doesn't come in {value}; its {_plural_name(label)}: {_join(vals)}."
    return f"The product page doesn't list {value} as an option for {name}."


# "-est" words that are no superlatives of the word before their ending
_NOT_SUPERLATIVE = {"interest", "honest", "modest", "earnest", "forest"}


def plain(word: str) -> str:
    """A superlative's plain adjective ("fruitiest" -> "fruity", "warmest" -> "warm",
    "biggest" -> "big", "nicest" -> "nice"): a page says what a product is, not that it is
    the most so; any other word unchanged. "most"/"least" are words of their own."""
    w = word.lower()
    if not w.endswith("est") or len(w) < 6 or w in _NOT_SUPERLATIVE or w in ("best", "cheapest"):
        return word
    if w.endswith("iest"):
        forms = [w[:-4] + "y"]
    else:
        stem = w[:-3]
        forms = [stem[:-1]] if len(stem) >= 4 and stem[-1] == stem[-2] else []
        forms += [stem] if len(stem) >= 4 else []
        forms.append(stem + "e")
    freq, form = max(((word_frequency(f) or 0), f) for f in forms if len(f) >= 3)
    return form if freq > 100 else word


def _keywords(low: str, p: dict[str, Any]) -> list[str]:
    """The words the question is about, minus the product's own name."""
    own = f"{p.get('title') or ''} {p.get('category') or ''} {p.get('brand') or ''}"
    title_words = {_stem(w) for w in re.findall(r"[a-z]+", own.lower())}
    words = [plain(w) for w in re.findall(r"[a-z][a-z'-]+", low) if w != "most"]
    return [w for w in words if w not in _STOP and len(w) > 2 and _stem(w) not in title_words]


_TAG_KEYS = ("tags", "keywords")
_TAXONOMY_KEYS = ("product_category", "google_product_category", "product_type", "category", "type")


def _quote_or_unknown(p: dict[str, Any], keys: list[str], name: str) -> str:
    found = _quote(p, keys, name)
    if found is not None:
        return found
    what = " ".join(_ASPECT_SAID.get(k, k) for k in keys)
    return f"The product page doesn't say anything about {what} for {name}."


# an aspect as a reply says it ("who it is for", not the attribute's key "audience")
_ASPECT_SAID = {"audience": "who it is for"}


# Words that say what a thing is safe, proof or fit for only beside that thing
_QUALIFIERS = {"safe", "proof", "friendly", "compatible", "suitable", "ready", "resistant", "ok"}

# The words a page answers a question's word with: "how far does it go?" -> "80km range"
_PAGE_WORDS = {
    "dishwasher": ("handwash", "wash", "washing"),  # "Hand wash only"
    "pet": ("cats", "dogs", "cat", "dog", "animals"),  # "pet safe": "safe for cats and dogs"
    # who it is for: "ok for kids?" of a page that says "Teen and adult." or "Ages 9+"
    "audience": ("kids", "children", "child", "teen", "teens", "adult", "adults", "ages", "age"),
    "kids": ("children", "child", "teen", "teens", "adult", "adults", "ages", "age"),
    "induction": ("hob", "hobs"),
    "far": ("range", "km", "miles"),
    "charge": ("range", "battery"),
    "heavy": ("weight", "weighs", "kg", "g", "lb", "lbs", "oz"),
    "weigh": ("weight", "kg", "g", "lb", "lbs", "oz"),
    "weight": ("weighs", "kg", "g", "lb", "lbs", "oz"),
    "many": ("pack", "pieces", "piece", "pcs", "set", "count"),
    "bright": ("lumen", "lumens"),
    "brighter": ("lumen", "lumens"),
    "brightest": ("lumen", "lumens"),
    "hot": ("warm", "heat", "cool", "cooling"),
    "cold": ("warm", "warmth", "cool", "insulated"),
    "warm": ("warmth", "hot", "heat", "cool", "cooling"),
    # "how long does a game take", "how long does the battery last"
    "long": ("minutes", "mins", "hours", "hrs", "length", "lasts", "m", "cm", "metres"),
    "take": ("minutes", "mins", "hours", "hrs"),
    "last": ("hours", "hrs", "lasts", "runtime"),
    # what a food page says of its allergens and diet: "does it have milk in it?"
    "milk": ("dairy", "lactose"),
    "dairy": ("milk", "lactose"),
    "lactose": ("dairy", "milk"),
    "nuts": ("nut", "peanuts", "peanut"),
    "nut": ("nuts", "peanuts", "peanut"),
    "allergic": ("contains", "traces", "free"),
    "allergy": ("contains", "traces", "free"),
    "gluten": ("wheat", "coeliac", "celiac"),
    "wheat": ("gluten",),
    "sugar": ("sugars", "sweetened", "unsweetened"),
    # measures, as pages write them ("100g ball of 190m", "183 x 68cm", "4mm")
    "meters": ("m", "metres", "metre", "meter", "length"),
    "metres": ("m", "meters", "metre", "meter", "length"),
    "yards": ("yds", "yd", "m", "metres"),
    "grams": ("g", "gram"),
    "big": ("cm", "mm", "size", "dimensions"),
    "dimensions": (
        *("cm", "mm", "inches", "inch"),
        *("width", "height", "depth", "wide", "tall", "deep"),
    ),
    "wide": ("cm", "mm", "width"),
    "tall": ("cm", "height"),
    "thick": ("mm", "cm", "thickness"),
}


def _quote(p: dict[str, Any], keys: list[str], name: str) -> str | None:
    """What ``p``'s page says about ``keys``: an attribute, the description's sentence, a
    tag; None when it says nothing."""
    asked = [k for key in keys for k in key.split()]
    stems = {_stem(k) for k in asked} | {_stem(w) for k in asked for w in _PAGE_WORDS.get(k, ())}
    # "dishwasher safe": a sentence that says only "safe" ("Oven safe to 180C") is about
    # something else; it must say what is safe (or the page's word for it: "hand wash")
    strong = {_stem(k) for k in asked if k not in _QUALIFIERS}
    strong |= {_stem(w) for k in asked if k not in _QUALIFIERS for w in _PAGE_WORDS.get(k, ())}
    attrs = p.get("attributes") or {}

    def page_stems(text: str) -> set[str]:
        # "is it oaked?" of "Unoaked Chardonnay": the page's "un-"/"non-" word answers it
        ws = re.findall(r"[a-z]+", text.lower())
        return {_stem(w) for w in ws} | {
            _stem(w[k:]) for w in ws for k in (2, 3) if len(w) > k + 3 and w[:k] in ("un", "non")
        }

    def hits(text: str) -> int:
        return len(page_stems(text) & stems)

    def said(text: str) -> bool:
        return bool(page_stems(text) & (strong or stems))

    for k, v in attrs.items():
        if k in _TAG_KEYS or k in _TAXONOMY_KEYS:
            continue  # tags say less than the page's own sentence (below); a taxonomy path
            # ("Health & Beauty > Skin Care > ...") says what the shop files it under
        shown = _join([str(x) for x in v]) if isinstance(v, list) else v
        if said(f"{k} {shown}"):
            return f"{name}'s {str(k).replace('_', ' ')} is {shown}."
    # the sentence that says most of what was asked ("good if i sleep hot": "Sleeps warm."
    # over "ideal for side sleepers."), the first of equals
    sentences = _SENTENCE.findall(str(p.get("description") or ""))
    best = max((x for x in sentences if said(x)), key=hits, default="")
    if best:
        return f'The product page says: "{best.strip()}"'
    for k in _TAG_KEYS:
        tags = attrs.get(k)
        for tag in tags if isinstance(tags, list) else [tags] if tags else []:
            if said(str(tag)):
                return f"{name} is listed under {tag}."
    if said(name):  # "how many in the pack?" of a "... 2-Pack": its name says
        return f'Its name says it: "{name}".'
    return None


# "56 cm" and "56cm", "625 wh" and "625Wh": a number and its unit, with or without a space
_UNIT_GAP = re.compile(r"(\d)\s+(?=[a-z%])")
_UNIT_START = re.compile(r"(?<=\d)(?=[a-z%])")


# A value of two of a thing, with its word ("2 Pillows", "set of 2", "2 pack"), and
# what shoppers call it
_TWO_OF = re.compile(
    r"(?<![\d.])(?:2|two)\s*(?:x\s*)?(?:pack|pk|pcs|pieces|(?!pairs)[a-z]{3,}s)\b|"
    r"\b(?:set|pack|box|bundle) of (?:2|two)\b|\btwin\s*pack\b"
)
# The numbers a value starts with, before its words ("12-53 Light", "10-46 Regular")
_NUMBER_FIRST = re.compile(r"(\d[\d.]*(?:\s\d[\d.]*)+)\s+[a-z]")
_PAIR_WORDS = ("pairs", "pair", "twin pack", "two pack", "set of two", "2 pack", "pack of 2")


def _squash(text: str) -> str:
    return _UNIT_GAP.sub(r"\1", _spaced(text))


# a hyphen is a space ("12-53", "pour-over"), but not a minus ("-5°C", "the -5 one")
_HYPHEN = re.compile(r"(?<=\w)-|-(?!\d)")


def _spaced(text: str) -> str:
    return " ".join(_HYPHEN.sub(" ", text.casefold().replace("\u2019", "'")).split())


# What may be said around an option value picked: "ok the 100g then", "250g pls"
_AROUND_A_PICK = re.compile(
    r"\b(?:ok|okay|alright|then|the|a|an|one|ones|pls|please|plz|i'?ll|i|will|take|have|"
    r"want|go|with|get|in|that|this|yes|yeah|instead|actually|oh|and|make|it|let'?s|do|"
    r"version|model|option)\b"
    # how many: "fish please, 2 packs", "x2", "3 of them"
    r"|\b\d{1,2}\s?(?:x|of|pairs?|pieces?|pcs|units?|items?|packs|bags|boxes|tins|bottles|"
    r"tubes|jars|rolls|cans)\b|\bx\s?\d{1,2}\b"
)


def only_option_values(text: str, options: dict[str, list[str]]) -> dict[str, str]:
    """``said_options`` of a turn that says nothing else ("250g pls", "the galaxy s24
    then"); {} when it says more ("the Ardent Living Brown Wood Bookshelf": a title)."""
    said = said_options(text, options)
    rest = _spaced(text)
    for option, value in said.items():
        names = [_squash(n) for n in short_names(options[option]).get(value, [])]
        for form in sorted([*value_forms(value), *names], key=len, reverse=True):
            rest = re.sub(_said_pattern(form), " ", rest)
        if value == _extreme(rest, options[option]):
            rest = _SMALL.sub(" ", _BIG.sub(" ", rest))  # "the big one please"
        # the option's name said with its value: "the -5 one with left zip", "size 8"
        rest = re.sub(rf"\b{re.escape(_spaced(option))}s?\b", " ", rest)
    return said if said and not re.search(r"[a-z0-9]", _AROUND_A_PICK.sub(" ", rest)) else {}


def lone_value(text: str, options: dict[str, list[str]]) -> tuple[str, str] | None:
    """(option, value) of a turn that says one lone letter or number besides the words
    around a pick ("L please", "ok M then", "24 please" of 8kg-32kg kettlebells) when
    exactly one value is that letter, or that number in its option's one unit (both of
    which ``said_options`` leaves alone: a size slot's letter, a count); None otherwise."""
    rest = _AROUND_A_PICK.sub(" ", _spaced(re.sub(r"\bsize\b", " ", text.lower()))).split()
    if len(rest) != 1:
        return None
    word = rest[0]
    if len(word) == 1 and word.isalpha():
        hits = [(k, v) for k, vs in options.items() for v in vs if v.casefold() == word]
    elif re.fullmatch(r"\d+(?:\.\d+)?", word):
        hits = [
            (k, v) for k, vs in options.items() for v in (measured(vs, word) or _plain(vs, word))
        ]
    else:
        return None
    return hits[0] if len(hits) == 1 else None


def _plain(values: list[str], number: str) -> list[str]:
    """The value that is ``number`` itself ("10" of shoe sizes 9, 10, 11)."""
    return [v for v in values if v.strip() == number]


def what_about_option(text: str, options: dict[str, list[str]]) -> bool:
    """ "ok what about galaxy s24?": the last question again, of another option value of
    the product in play (not of another product: "what about the <title>?")."""
    about = _WHAT_ABOUT.match(" ".join(text.casefold().split()))
    return about is not None and bool(only_option_values(about.group(1), options))


def value_forms(value: str) -> list[str]:
    """The ways a shopper says an option value, squashed as ``said_options`` reads a turn:
    the value ("250g"), run together ("teabags" for "Tea Bags"), a size's word ("large" for
    L), shoppers' words ("lefty"), its numbers alone ("12-53" of "12-53 Light"), and a
    pair for a value of two ("2 Pillows")."""
    form = _squash(value)
    forms = [form]
    if " " in form:
        forms.append(form.replace(" ", ""))
    if form in SIZE_WORDS:
        forms.append(SIZE_WORDS[form])  # but not within "extra large" (said_options)
    forms.extend(value_words(value))
    spaced = value.casefold().replace("-", " ")
    number = _NUMBER_FIRST.match(spaced)
    if number and number.end() < len(value.strip()):
        forms.append(number.group(1))
    if _TWO_OF.search(spaced):
        forms.extend(_PAIR_WORDS)
    one = _ONE_UNIT.match(form)
    if one:
        forms.extend(_UNIT_NAMES[one.group(1)])  # "the litre" of "1L"
        forms.extend(f"1 {name}" for name in _UNIT_NAMES[one.group(1)])  # "1 litre in sand"
    whole = re.sub(r"(\d)\.0+(?![\d.])", r"\1", form)
    if whole != form:
        forms.append(whole)  # "the 5ah" of "5.0Ah"
    lettered = _LETTER_HEAD.match(form)
    if lettered:
        # "S (UK 4-5)": "the s", "size s", "in s" (a lone letter only where it is a size)
        forms.extend(f"{lead} {lettered.group(1)}" for lead in ("the", "size", "in", "an", "a"))
    counted = _COUNTED.match(form)
    if counted and singular(counted.group(2)) != counted.group(2):
        # "the 50 piece one", "a 5 step ladder": the count's noun in the singular
        forms.append(f"{counted.group(1)} {singular(counted.group(2))}")
    return forms


_COUNTED = re.compile(r"^(\d+)\s?([a-z]+)$")
_LETTER_HEAD = re.compile(r"^(x{0,3}[sml]|x{1,3}l)\s*\(")
# a value of one whole unit is said by the unit's name: "the litre", "a kilo"
_UNIT_NAMES = {
    "l": ("litre", "liter"),
    "kg": ("kilo", "kilogram", "kilogramme"),
    "lb": ("pound",),
    "m": ("metre", "meter"),
    "gallon": ("gallon",),
}
_ONE_UNIT = re.compile(rf"^1\s?({'|'.join(_UNIT_NAMES)})$")


def _said_pattern(form: str, *, plural: bool = False) -> str:
    """A value's form as said in a turn: "56cm" or "56 cm", never inside "extra large"."""
    said = r"\s?".join(re.escape(part) for part in _UNIT_START.split(form))
    # ``plural``: a value's plural names it too ("2 paperbacks" of "Paperback"); not a
    # shopper's word for it ("southpaws" are people, not the left-handed model)
    ending = r"(?:e?s)?" if plural and len(form) >= 4 and form[-1].isalpha() else ""
    return rf"(?<![\w.-])(?<!extra )(?<!x )(?<!xx )(?<!2x ){said}{ending}(?!\w|\.\d)"


def said_options(
    text: str, options: dict[str, list[str]], *, quantity: int | None = None
) -> dict[str, str]:
    """Option -> the one value of it that ``text`` names, for any option name ("add the
    56cm", "with 625wh", "the 800 lumen one", "in large" for L); an option of which the text
    names none, or several, is left out. A lone letter ("M") is left to the size slot, and a
    bare number the turn's quantity ("add 2") is not a value."""
    low = _spaced(text)
    out: dict[str, str] = {}
    for option, values in options.items():
        forms = [
            (form, value, form.replace(" ", "") == _squash(str(value)).replace(" ", ""))
            for value in values
            for form in value_forms(str(value))
        ]
        # "caramel" of "05 Caramel", "rose gold" of "9ct Rose Gold", "50" of "$50"
        forms += [
            (_squash(name), value, False)
            for value, names in short_names(values).items()
            for name in names
        ]
        hits: list[str] = []
        blank = low
        for form, value, whole in sorted(forms, key=lambda f: -len(f[0])):  # "extra large" first
            if not form or (len(form) == 1 and form.isalpha()):
                continue
            if form.isdigit() and quantity is not None and int(form) == quantity:
                continue
            pattern = _said_pattern(form, plural=whole)
            if re.search(pattern, blank):
                blank = re.sub(pattern, " ", blank)
                if value not in hits:
                    hits.append(value)
        if len(hits) == 1:
            out[option] = hits[0]
        elif not hits and (end := _extreme(low, values)) is not None:
            out[option] = end  # "the big one" of a teddy in 25cm, 40cm and 60cm: 60cm
    return out


# "the big one", "the smallest one": the end of an option whose values are measures
_ONE = r"\s(?:one|size|bag|pack|box|tin|bottle|jar|tub|can|carton|packet)\b"
_BIG = re.compile(r"\b(?:big|bigger|biggest|large|larger|largest|tall|taller|tallest)" + _ONE)
_SMALL = re.compile(r"\b(?:small|smaller|smallest|little|mini|tiny)" + _ONE)
# "250g", "60cm", "24 half pans" (a count of one kind of thing: "12 Half Pans", "24 Half Pans")
_MEASURED = re.compile(r"^(\d+(?:\.\d+)?)\s?([a-z]*(?: [a-z]+)*)$")


def _extreme(low: str, values: list[str]) -> str | None:
    big, small = _BIG.search(low), _SMALL.search(low)
    if bool(big) == bool(small) or len(values) < 2:
        return None
    measured = [(_MEASURED.match(str(v).casefold().strip()), str(v)) for v in values]
    if not all(m for m, _ in measured):
        return None  # "S", "M"
    units = {m.group(2) for m, _ in measured if m}
    families = {_SCALE[u][0] for u in units if u in _SCALE}
    if len(units) != 1 and (len(families) != 1 or not units <= set(_SCALE)):
        return None  # not one measure ("1 Pillow", "2 Pillows" are counts; "250g", "1L")
    ranked = sorted(
        (float(m.group(1)) * _SCALE.get(m.group(2), ("", 1.0))[1], v) for m, v in measured if m
    )
    return ranked[-1][1] if big else ranked[0][1]


# units of one measure, to rank "250g" below "1kg"
_SCALE = {
    "g": ("mass", 1.0),
    "kg": ("mass", 1000.0),
    "oz": ("mass", 28.35),
    "lb": ("mass", 453.6),
    "ml": ("volume", 1.0),
    "cl": ("volume", 10.0),
    "l": ("volume", 1000.0),
    "mm": ("length", 1.0),
    "cm": ("length", 10.0),
    "m": ("length", 1000.0),
}


def _named_variants(low: str, variants: list[dict[str, Any]]) -> list[tuple[Any, list[str]]]:
    """The variants with the option values the question says ("the hardcover", "in XL",
    "the large red one": large and red), with the values said; [] when it says none."""
    words = set(re.findall(r"[\w.]+", low))
    # options with a choice to make: the black of a bookshelf made only in black (its
    # title says it) names no variant
    choices = {k: vals for k, vals in _options({"variants": variants}).items() if len(vals) > 1}
    chosen = said_options(low, choices)  # "in large": L
    said: dict[str, set[str]] = {}  # option -> the values of it said
    for v in variants:
        for k, val in (v.get("options") or {}).items():
            key = str(k).casefold()
            if (
                key in choices
                and val
                and (
                    set(re.findall(r"[\w.]+", str(val).lower())) <= words
                    or chosen.get(key) == str(val)
                )
            ):
                said.setdefault(key, set()).add(str(val))
    out = []
    for v in variants:
        options = {str(k).casefold(): str(val) for k, val in (v.get("options") or {}).items()}
        if said and all(options.get(k) in vals for k, vals in said.items()):
            out.append((v, [options[k] for k in said]))
    return out


def explain(term: str, p: dict[str, Any]) -> str:
    """ "whats a tog?" answered from the first product that uses the word: the page's
    sentence that says it, the option's values, or the product it names ("Harbor D-10
    Dreadnought Acoustic Guitar is one: ...")."""
    name = str(p.get("title") or "This product")
    options = _options(p)
    key = next((k for k in options if k in (term, singular(term))), None)
    said = []
    quoted = _quote(p, [term], name)
    if quoted and quoted.startswith("The product page says"):
        said.append(f"{name}'s page says: {quoted.split(': ', 1)[1]}")
    if key is not None and len(options[key]) > 1:
        said.append(f"{name} comes in {_plural_name(key)}: {_join(options[key])}.")
    if not said:
        first = _SENTENCE.findall(str(p.get("description") or ""))
        said.append(f"{name} is one" + (f": {first[0].strip()}" if first else "."))
    return " ".join(said)


def priced_in(text: str, products: list[dict[str, Any]]) -> str | None:
    """ "which is cheaper in double?" over the pages read (get_product's dicts): the one
    cheapest (or dearest) in the option values said, at its variant's price, with the
    others' prices in them, and those that do not come in them said; None when the text
    asks no price or names no option value of any of them."""
    low = " ".join(text.lower().replace("’", "'").split())
    cheap, dear = CHEAPER.search(low), PRICIER.search(low)
    if not (cheap or dear):
        return None
    priced: list[tuple[Decimal, str, str, str | None]] = []  # price, title, values, currency
    lacking: list[str] = []
    for p in products:
        named = _named_variants(low, p.get("variants") or [])
        prices = [Decimal(str(v["price"])) for v, _ in named if v.get("price") is not None]
        title = str(p.get("title") or "")
        if not prices:
            lacking.append(title)
            continue
        said = " ".join(dict.fromkeys(w for _, vals in named for w in vals))
        priced.append((min(prices), title, said, p.get("currency")))
    if not priced:
        return None
    price, title, said, cur = min(priced) if cheap else max(priced)
    if len(priced) + len(lacking) > 2:
        word = "cheapest" if cheap else "most expensive"
    else:
        word = "cheaper" if cheap else "more expensive"
    others = [f"{t}: {_money(x, c)}" for x, t, _, c in priced if t != title]
    text = f"In {said}, the {word} one is {title}, at {_money(price, cur)}"
    text += f" ({'; '.join(others)})." if others else "."
    if lacking:
        verb = "doesn't" if len(lacking) == 1 else "don't"
        text += f" {_join(lacking)} {verb} come in {said}."
    return text


def offered_option(text: str, p: dict[str, Any]) -> tuple[str, str] | None:
    """(option, value) when ``text`` asks about one of ``p``'s option values ("the brown
    one", "does it come in brown?", "and the audiobook?"): the choice the shopper made."""
    low = " ".join(text.lower().replace("’", "'").split())
    comes = _COMES_IN.search(low) or _FITS.search(low)
    about = _WHAT_ABOUT.match(low) if comes is None else None
    if about is not None and only_option_values(about.group(1), _options(p)):
        comes = about
    asked = comes.group(1).strip() if comes else ""
    for option, value in said_options(asked, _options(p)).items():
        return option, value  # "does it fit a pixel 8?", "what about galaxy s24?"
    stems = {_stem(k) for k in _keywords(low, p)} | {_stem(w) for w in asked.split()}
    for option, values in _options(p).items() if stems else ():
        for value in values:
            said = {_stem(w) for w in re.findall(r"[a-z]+", value.lower())}
            if said and said <= stems:
                return option, value
    return None


def _offered(p: dict[str, Any], text: str, name: str) -> str | None:
    """ "Yes, <name> comes in Audiobook" when the question asks about one of its option
    values (with that option's price when the options differ in price); else None."""
    chosen = offered_option(text, p)
    if chosen is None:
        return None
    value = chosen[1]
    variants = p.get("variants") or []
    prices = {str(v.get("price")) for v in variants if v.get("price") is not None}
    priced = {
        Decimal(str(v["price"]))
        for v in variants
        if v.get("price") is not None and value in (v.get("options") or {}).values()
    }
    cost = (
        f", {_money(next(iter(priced)), p.get('currency'))}"
        if len(prices) > 1 and len(priced) == 1
        else ""
    )
    return f"Yes, {name} comes in {value}{cost}."


def page_question(text: str) -> bool:
    """A question about something a product's page may say ("is it dishwasher safe?",
    "good for kidneys?", "is it out in paperback?"), not about its price, stock, sizes,
    colours or the shop's policies: the question whose answer can tell the products of a
    list apart."""
    low = " ".join(text.lower().replace("’", "'").split())
    # "available as an audiobook", "does it come in red?": an option some of them have
    low = re.sub(r"\bavailable (?:as|in)\b", "in", low)
    generic = (_POLICY, _STOCK, _PRICE, _SIZE_LIKE, _SIZES, _COLOURS)
    # (who it is for tells products apart: "which one is for kids?")
    if any(r.search(low) for r in generic) or any(
        c in low for k, cues in _ASPECTS.items() if k != "audience" for c in cues
    ):
        return False
    return bool(_keywords(low, {}))


def asked_words(text: str) -> list[str]:
    """The words a question asks about ("which one is machine washable?" -> machine,
    washable)."""
    low = " ".join(text.lower().replace("’", "'").split())
    return [w for w in _keywords(low, {}) if w not in ("which", "ones")]


def page_hits(text: str, p: dict[str, Any]) -> int:
    """How many of the question's words ``p``'s page holds (its description, attributes,
    tags and option values): of two pages that answer "is it fragrance free?", the one
    that says both words ("Fragrance free.") over the one that says "soap-free"."""
    low = " ".join(text.lower().replace("’", "'").split())
    stems = {_stem(k) for k in _keywords(low, p)}
    attrs = p.get("attributes") or {}
    stems |= {_stem(w) for w in asked_words(text)}  # the title's words count too
    page = " ".join(
        [
            str(p.get("title") or ""),
            str(p.get("description") or ""),
            *(f"{k} {v}" for k, v in attrs.items() if k not in _TAXONOMY_KEYS),
            *(v for values in _options(p).values() for v in values),
        ]
    )
    return len(stems & {_stem(w) for w in re.findall(r"[a-z]+", page.lower())})


def page_rank(text: str, p: dict[str, Any]) -> int:
    """Where ``p``'s page says the question's words: 3 its title, 2 its description, 1 its
    other attributes or tags, 0 only its options ("which is best for espresso?" of four
    coffees ground for espresso: the House Espresso Blend says so in its name)."""
    stems = {_stem(w) for w in asked_words(text)}

    def says(part: str) -> bool:
        return bool(stems & {_stem(w) for w in re.findall(r"[a-z]+", part.lower())})

    attrs = p.get("attributes") or {}
    if says(str(p.get("title") or "")):
        return 3
    if says(str(p.get("description") or "")):
        return 2
    others = (f"{k} {v}" for k, v in attrs.items() if k not in _TAXONOMY_KEYS)
    return 1 if any(says(o) for o in others) else 0


def none_comes_in(text: str, contents: list[dict[str, Any]]) -> str | None:
    """ "does it come in pink?" with several shown and none offered in pink: said, with what
    each comes in (its colours, or sizes); None for another question or when one does."""
    comes = _COMES_IN.search(" ".join(text.lower().replace("’", "'").split()))
    products = [c.get("product") or {} for c in contents if (c.get("product") or {}).get("id")]
    if comes is None or len(products) < 2:
        return None
    value = comes.group(1).strip()
    key = "size" if value in SIZE_WORDS or any(ch.isdigit() for ch in value) else "color"
    each = []
    for p in products:
        options = _options(p)
        if said_options(value, options) or value in {v.casefold() for v in options.get(key) or []}:
            return None  # one does: not "none"
        if options.get(key):
            each.append(f"{p.get('title')} in {_join(options[key])}")
    lead = "Neither of them" if len(products) == 2 else "None of them"
    return f"{lead} comes in {value}" + (f": {'; '.join(each)}." if each else ".")


def page_says(text: str, p: dict[str, Any]) -> str | None:
    """What ``p``'s page says about the words of ``text`` (a :func:`page_question`),
    naming the product; None when it says nothing about them."""
    low = " ".join(text.lower().replace("’", "'").split())
    keys = _keywords(low, p)
    name = str(p.get("title") or "This product")
    asked = asked_words(text)
    title = {_stem(w) for w in re.findall(r"[a-z]+", name.lower())}
    if asked and all(_stem(w) in title for w in asked):
        return f"{name} is the {' '.join(asked)} one."  # "which one is decaf?": its name
    offered = _offered(p, text, name)  # "is it out in paperback?": an option it has
    if offered is not None:
        return offered
    found = _quote(p, keys, name) if keys else None
    if found is None:
        return None
    return found.replace("The product page says:", f"{name}'s page says:", 1)


# A body or thing measured by the shopper ("a 62cm chest", "she's 25 kg", "5kg baby"), and
# what it is of (the noun after the measure)
_SAID_MEASURE = re.compile(
    # ("in" only at the end: "size 10 in black" is a colour, not ten inches)
    r"(\d+(?:\.\d+)?)\s?(cm|mm|inch(?:es)?|in(?=\s*(?:$|[?.!,]))|\"|kgs?|kilos?|g|lbs?|pounds|oz)"
    r"(?![a-z0-9])(?:(?:\s+(?:round|around|across|at))?(?:\s+(?:the|her|his|its|my|their))?"
    r"\s+(?!(?:and|or|but|so|which|what|how|is|are|the|a|an|will|would|should|does|do|"
    r"can|in|on|for|to|with|long|wide|tall|high|deep|old|please|pls)\b)([a-z]+))?",
    re.I,
)
# the units a shopper measures in: ``_SCALE``'s, with their other spellings and inches
_UNIT = {
    **_SCALE,
    **{k: _SCALE["kg"] for k in ("kgs", "kilo", "kilos")},
    **{k: _SCALE["lb"] for k in ("lbs", "pounds")},
    **{k: ("length", 25.4) for k in ("in", "inch", "inches", '"')},
}
# a range written in an option value: "M (55-70cm)", "Size 2 (3-6kg)", "fits 10-15 lbs"
_VALUE_RANGE = re.compile(
    r"(\d+(?:\.\d+)?)\s?(?:-|–|to)\s?(\d+(?:\.\d+)?)\s?(cm|mm|inch(?:es)?|in|\"|kgs?|g|lbs?|oz)"
    r"(?![a-z])",
    re.I,
)


def measure_said(text: str) -> tuple[float, str, str] | None:
    """(amount in the unit family's base, family, what it measures) of the first measure
    the shopper gives ("a 62cm chest" -> (620.0, "length", "chest")), or None."""
    m = _SAID_MEASURE.search(text)
    if m is None:
        return None
    family, scale = _UNIT[m.group(2).lower()]
    return float(m.group(1)) * scale, family, (m.group(3) or "").lower()


def fitting_values(text: str, options: dict[str, list[str]]) -> tuple[str, list[str]] | None:
    """The option whose values are ranges of the measure the shopper gave, and the values
    that take it ("62cm chest" of sizes "S (40-55cm)", "M (55-70cm)": ("size", ["M (55-70cm)"]));
    None when the turn gives no measure or no option is written as ranges of it."""
    said = measure_said(text)
    if said is None:
        return None
    amount, family, _ = said
    for key, values in options.items():
        ranged = []
        for v in values:
            r = _VALUE_RANGE.search(str(v))
            if r and _UNIT[r.group(3).lower()][0] == family:
                scale = _UNIT[r.group(3).lower()][1]
                ranged.append((float(r.group(1)) * scale, float(r.group(2)) * scale, str(v)))
        if len(ranged) >= 2:
            return key, [v for low, high, v in ranged if low <= amount <= high]
    return None


def fit_answer(text: str, p: dict[str, Any]) -> str | None:
    """ "For a 62cm chest, No-Pull Dog Harness in M (55-70cm)." (and whether that size is in
    stock); the sizes there are when none takes the measure; None when the product's
    options are not ranges of that measure."""
    fit = fitting_values(text, _options(p))
    said = _SAID_MEASURE.search(text)
    if fit is None or said is None:
        return None
    key, values = fit
    name = str(p.get("title") or "It")
    unit = said.group(2).replace('"', "inch")
    amount = said.group(1) + (" " if len(unit) > 3 else "") + unit  # "62cm", "24 inch"
    # what was measured: after the measure ("a 62cm chest") or before it ("her chest is 45cm")
    before = re.search(
        r"\b([a-z]+)\s(?:is|measures|of|at)\s(?:about\s|around\s)?$", text[: said.start()]
    )
    noun = said.group(3) or (before.group(1) if before else "")
    what = f"{'an' if amount[:1] == '8' or amount[:2] in ('11', '18') else 'a'} {amount} {noun}"
    what = what if noun else amount
    if not values:
        offered = _join(_options(p)[key])
        return f"None of {name}'s {_plural_name(key)} is made for {what}: {offered}."
    stocked = _available(p, key)
    said_values = [v if v in stocked else f"{v} (sold out right now)" for v in values]
    either = " or ".join(said_values)  # two ranges that overlap both take it
    return f"For {what}, {name} in {either}."


def best_deal(products: list[dict[str, Any]]) -> str | None:
    """ "which is the better deal?" of product pages: each one's best sale among the choices
    that can be bought (its price against its price before, the choice named where only some
    are on sale), the biggest share off first; None when none is on sale."""
    deals: list[tuple[Decimal, Decimal, str, str]] = []
    plain: list[str] = []
    for p in products:
        title, cur = str(p.get("title") or ""), p.get("currency")
        variants = [v for v in p.get("variants") or [] if v.get("available", True)]
        offers = []
        for v in variants:
            before = v.get("compare_at_price") or p.get("compare_at_price")
            if v.get("price") is None or before is None:
                continue
            now, was = Decimal(str(v["price"])), Decimal(str(before))
            if was > now:
                offers.append(((was - now) / was, was - now, now, was, v))
        if not offers:
            plain.append(title)
            continue
        share, off, now, was, v = max(offers, key=lambda o: (o[0], o[1]))
        values = [str(x) for x in (v.get("options") or {}).values()]
        where = f" in {' '.join(values)}" if values and len(offers) < len(variants) else ""
        pct = int((share * 100).to_integral_value())
        said = f"{pct}% off{where}, {_money(off, cur)} less ({_money(now, cur)}, "
        deals.append((share, off, title, said + f"down from {_money(was, cur)})"))
    if not deals:
        return None
    deals.sort(key=lambda d: (d[0], d[1]), reverse=True)
    word = "bigger" if len(products) == 2 else "biggest"
    text = f"{deals[0][2]} is the {word} saving: {deals[0][3]}."
    if len(deals) > 1:
        text += " " + "; ".join(f"{d[2]}: {d[3]}" for d in deals[1:]) + "."
    if plain:
        verb = "isn't" if len(plain) == 1 else "aren't"
        text += f" {_join(plain)} {verb} on sale."
    return text
