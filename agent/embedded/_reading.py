"""Reading a turn: the model's intent, corrected by what the turn names (a category or
brand makes it shopping, a product's title with a purchase verb an add, several titles a
comparison), and its slots. ``understand`` (``_understand.py``) adds the dialogue's notes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from shopagent.agent.embedded import _guards
from shopagent.agent.embedded._answers import said_options
from shopagent.agent.embedded._catalog import singular
from shopagent.agent.embedded._cues import ASKS_FOR, QUESTION_ABOUT, STOCK_QUESTION
from shopagent.agent.embedded._followups import rare_named
from shopagent.agent.embedded._lexicon import leaf
from shopagent.agent.embedded._parse import parse
from shopagent.agent.embedded._product_plan import CLEAR_ALL
from shopagent.agent.embedded._schema import PRODUCT_INTENTS, DialogueState, NLUResult, Slots
from shopagent.agent.embedded._scope import POLICY_QUESTION
from shopagent.agent.embedded._slots import CART_WORDS, FILTER_INTENTS, ruled_out, values_only
from shopagent.agent.embedded._state import one_in_play, shown_options
from shopagent.agent.embedded._titles import PURCHASE, shown_named

if TYPE_CHECKING:
    from shopagent.agent.embedded._tier import EmbeddedTier

# "do you sell / carry / stock <something>": about the shop's range unless "it", "this",
# "them" or a position ("the first one") follows.
ASKS_THE_SHOP = re.compile(
    r"\b(?:do|does) (?:you|u|the shop|your shop|this shop) (?:guys )?"
    r"(?:sell|carry|stock|offer|have)\s+(?!(?:it|its|this|that|them|these|those|one|ones|"
    r"any of (?:them|these|those)|the (?:first|second|third|last|same|other|one)|"
    r"(?:any|some)\s+(?:left|more)|more|enough|stock|any in|some in|(?:it|them) in)\b)"
)
# With a product's title and no purchase verb, these still ask for it to be added.
# a turn that starts by buying: "add red medium", "buy it in a large", "take a 4kg"
ADD_LEAD = re.compile(r"\s*(?:please\s+)?(?:add|buy|take|grab|i'?ll take|i'?ll have)\b", re.I)
_ADD_CUE = re.compile(r"\d|\b(?:please|pls|plz|too|also|as well|another|one more)\b", re.I)
# Intents that never name a product type: if a turn does, it is a search after all.
_CHAT_INTENTS = {"out_of_scope", "help", "greeting", "goodbye", "view_cart"}
# product_details questions that do name an attribute ("does it come in blue?")
_ASKS_ABOUT = re.compile(r"\b(?:does|is|it|its|it's|this|that one|made of|material)\b")
_COMPARE_CUE = re.compile(r"\b(?:difference|differ|compare|comparison|vs|versus|better|or)\b", re.I)
# Words of taking something out of the cart (beyond REMOVE_CUE's verbs)
_TAKE_BACK = re.compile(
    r"\b(?:remove|delete|take|drop|get rid|cancel|undo|don'?t|do not|no longer|never ?mind|"
    r"instead|without|out|cart|basket|bag|trolley|changed my mind|forget|scrap|ditch|nix|"
    r"skip|lose)\b"
)


def _plugin_turn(
    tier: EmbeddedTier, text: str, state: DialogueState, scores: dict[str, float]
) -> NLUResult | None:
    """[plugin hook] The turn as a request for a plugin tool, if it reads like one."""
    hit = tier.plugins.match(text, state) if tier.plugins is not None else None
    if hit is None:
        return None
    found = tier.extract_slots(text, "product_details")
    shown = {pid: str(v["title"]) for pid, v in state.shown.items() if v.get("title")}
    titled = tier.titles.match(text, shown) if (len(tier.titles) or shown) else None
    slots = Slots(
        reference=None if titled else found.reference,
        product_id=titled.product_id if titled else found.product_id,
        order_id=found.order_id,
        quantity=found.quantity,
    )
    intent = f"plugin:{hit.tool}"
    return NLUResult(
        intent=intent,
        confidence=round(max(hit.score, tier.threshold), 4),
        slots=slots,
        intent_scores={**{k: round(v, 4) for k, v in scores.items()}, intent: hit.score},
        text=text,
    )


# Words that only steer a search the shopper is in ("in blue instead", "show me more",
# "the second one in white", "any cheaper ones under 40?"), beside the shop's own filter values.
_STEERING = frozenset(
    "a an the any anything something some one ones them those these it in instead more "
    "less show me see do you have got so and ok okay what about how only just also too "
    "maybe say please pls first second third fourth fifth last next other others another "
    "cheaper pricier cheapest lower higher bigger smaller larger size sizes colour color "
    "colours colors price under over below above than up to max around page again".split()
)
# Closed sets of words some intents are said in: thanks and greetings, a look at the cart.
_SAID_IN = {
    "goodbye": frozenset(
        "ok okay alright so and thanks thank you thx ty cheers bye goodbye see ya later "
        "great perfect good nice cool lovely that's thats that is all a lot so much very "
        "for your help now for today".split()
    ),
    "greeting": frozenset("hi hello hey there good morning afternoon evening yo".split()),
    "view_cart": frozenset(
        "what what's whats s is in my the cart basket trolley bag show me see view open "
        "can could i do have got how looking please so and ok okay let's lets check".split()
    ),
}


_SURE_OF_A_SERVICE = 0.8


def _of_the_one_in_play(text: str, state: DialogueState) -> bool:
    """ "do you have it in a gift box?" with one product in play: a question of that
    product, not a plugin tool's request at a guess ("reserve it for pickup" still is)."""
    low = text.lower()
    return (
        one_in_play(state) is not None and bool(_ASKED_OF.match(low)) and bool(_OF_IT.search(low))
    )


def _names_its_option(text: str, state: DialogueState) -> bool:
    """ "gift box please" of a champagne that comes in a Gift Box: a choice of the one
    product in play, never a plugin tool's request."""
    one = one_in_play(state)
    return one is not None and bool(said_options(text.lower(), shown_options(state, one)))


def _needs_no_tool(
    tier: EmbeddedTier, text: str, state: DialogueState, scores: dict[str, float]
) -> bool:
    """A turn no tool's example requests can tell more about, so the plugin matcher's
    MiniLM pass is not run: read confidently as narrowing the search in progress and made
    only of the shop's filter values, numbers and steering words; or read confidently as
    thanks, a greeting or a look at the cart and said only in those words. Not right after
    a plugin tool's answer, whose own follow-ups ("something cheaper") the matcher knows."""
    if (state.last_intent or "").startswith("plugin:"):
        return False
    top = max(scores, key=scores.__getitem__)
    low = text.lower()
    if top in _SAID_IN:
        allowed = _SAID_IN[top]
    elif top in ("refine", "search") and (state.query or state.filters):
        allowed = _STEERING
        rest = list(low)
        for m in tier.lexicon.scan(low, [], fuzzy=False):
            rest[m.start : m.end] = " " * (m.end - m.start)
        low = "".join(rest)
        top = "refine"  # confident of either: narrowing
        scores = {"refine": scores["refine"] + scores["search"]}
    else:
        return False
    return scores[top] >= 0.9 and all(w in allowed for w in re.findall(r"[a-z']+", low))


def _heads_another_kind(tier: EmbeddedTier, low: str, category: str) -> bool:
    """ "cheapest espresso machine?" while coffee filters are searched: the noun that heads
    the titles of another category's products ("machine": Coffee Makers), so a new search,
    not the filters narrowed."""
    head = tier.profile.head_noun(low)
    return head is not None and leaf(category).lower() not in {c.lower() for c in head[1]}


def _names_a_kind(tier: EmbeddedTier, text: str) -> bool:
    """The thing asked for is one of the shop's product types, named ("a teddy bear for my
    granddaughter"): a search in it answers better than a plan over several categories.
    Not when a shown product is pointed at ("style this sofa") or the type is only the
    use ("a gift for my dad who likes tennis rackets")."""
    if parse(text).references:
        return False
    head, _ = _guards.split_use(text)
    head = head.rstrip(" ,.;:!?")
    kinds = [m for m in tier.lexicon.scan(head, [], fuzzy=False) if m.slot == "category"]
    if not kinds:
        return False
    # the type ends the request's head ("teddy bear": a word products are named by);
    # "shoe" in "I'm a size M and shoe size 40" does not; nor need it when the turn opens
    # by asking for it ("i need new running shoes size 42, under 80, not too flashy")
    last = head.split()[-1]
    return (
        kinds[-1].end == len(head)
        or singular(last) in tier.assortment.head_nouns
        or bool(ASKS_FOR.match(text))
    )


def _asks_for_what_is_not_sold(
    tier: EmbeddedTier, low: str, named: set[str], found: list[Any], category: str | None = None
) -> bool:
    """ "wool scarves" while necklaces are shown, in a shop with no scarves: a product type
    the shop does not sell, asked for (the model reads a search), not a narrowing of the
    necklaces. Kept a search, it gets the answer a first turn would: not carried, and the
    closest departments. Words of the shop's facets ("wool") describe, never name it."""
    described = {w for m in found for w in re.findall(r"[\w'-]+", low[m.start : m.end])}
    # the kind's own option values ("galaxy s24" of the phone cases' Model) describe too
    for value in tier.profile.option_values(low, category).values():
        described.update(re.findall(r"[\w'-]+", str(value).lower()))
    return tier.assortment.judge(low, named, described).missing is not None


def _kind_in_play(state: DialogueState) -> str | None:
    """The category searched, or the one most products shown are of ("espresso ground
    decaf" after a search for "decaf" showed coffees: its options are the coffee's Grind)."""
    if category := state.filters.get("category"):
        return str(category)
    kinds = [str((state.shown.get(i) or {}).get("category") or "") for i in state.last_shown]
    return max(kinds, key=kinds.count) or None if kinds else None


def _names_values(tier: EmbeddedTier, low: str) -> bool:
    """The turn names a value of the shop's facets (a colour, a size, a brand, a type)."""
    return bool(tier.lexicon.scan(low, [], fuzzy=False))


# A question put about "it" or "the <kind>": "how far does it go", "is the e-bike heavy?"
_ASKED_OF = re.compile(
    r"^\s*(?:(?:and|so|but|ok|okay)\W+)?(?:how|what|what's|whats|does|do|is|are|can|will|"
    r"would|could|has|which|where)\b"
)
_OF_IT = re.compile(r"\b(?:it|it's|its|this one|that one)\b")
_ASKS_RANGE = re.compile(
    r"\b(?:you|u)\s+(?:have|sell|carry|stock|got)\b|\bare there\b|\b(?:any|other|more|"
    r"another|else|cheaper|similar)\b"
)


def _asks_about_the_one_in_play(
    intent: str, low: str, found: list[Any], state: DialogueState
) -> bool:
    """A question about the one product in play, read as small talk ("how far does it go
    on a charge?") or as a search because it names the product's kind ("how heavy is the
    e-bike?"); never a question about the range ("what helmets do you have?")."""
    one = one_in_play(state)
    if one is None or not _ASKED_OF.match(low) or _ASKS_RANGE.search(low):
        return False
    if intent in ("out_of_scope", "help"):
        # "is it any good?", or a question of one of its choices ("which size is best for
        # a kid", "what tog do i need") of the one in play
        names = {"size", "colour", "color", *shown_options(state, one)}
        asked = re.search(
            r"\b(?:which|what)\s+(?:" + "|".join(re.escape(n.casefold()) for n in names) + r")s?\b",
            low,
        )
        return _OF_IT.search(low) is not None or asked is not None
    if intent != "search":
        return False
    kinds = [m for m in found if m.slot == "category"]
    if len(found) != 1 or len(kinds) != 1:
        return False  # a colour or size besides names what to look for
    kind = leaf(str(kinds[0].value)).casefold()
    in_play = leaf(str((state.shown.get(one) or {}).get("category") or "")).casefold()
    return kind == in_play and bool(
        re.search(r"\b(?:the|this|that|your)\s+$", low[: kinds[0].start])
    )


def read_turn(
    tier: EmbeddedTier, text: str, state: DialogueState, *, image_id: str | None = None
) -> NLUResult:
    typed = text.lower()
    asks_the_shop = ASKS_THE_SHOP.search(typed)  # as typed: "sell" is no typo
    fixed = tier.spell(text) if tier.spell else text
    scores = tier.model.probs(fixed)
    if fixed != text:
        # a correction must not override a confident reading of the shopper's own
        # words ("whats in my crat" is view_cart as written)
        original = tier.model.probs(text)
        top_fixed = max(scores, key=scores.__getitem__)
        top_original = max(original, key=original.__getitem__)
        if (
            top_original != top_fixed
            and top_original not in FILTER_INTENTS
            and original[top_original] >= max(0.9, scores[top_fixed])
        ):
            fixed, scores = text, original
    text = fixed
    # [plugin hook] A turn that names one of the shop's product types is a search whatever
    # a plugin tool would make of it, so it is checked first (words only): the matcher's
    # MiniLM pass (~1.3 ms, the turn's largest after the intent model) is then not run.
    if (
        tier.plugins is not None
        and image_id is None
        and not _names_a_kind(tier, text)
        and not _needs_no_tool(tier, text, state, scores)
    ):
        plugin = _plugin_turn(tier, text, state, scores)
        if (
            plugin is not None
            and not tier.assortment.asks_for_a_kind(
                text, {m.slot for m in tier.lexicon.scan(text.lower(), [], fuzzy=False)}
            )
            # "do you do gift wrapping" is the shop's service, not gift ideas at 0.64: a
            # question of policy or service goes to a tool only when that tool is sure
            # (a click-and-collect tool for "available for click and collect?")
            and not _names_its_option(text, state)
            and (
                plugin.confidence >= _SURE_OF_A_SERVICE
                or not (POLICY_QUESTION.search(text) or _of_the_one_in_play(text, state))
            )
        ):
            return plugin
    intent = max(scores, key=scores.__getitem__)
    nlu_intent = intent
    confidence = scores[intent]
    low = text.lower()
    cart_words = [m.span() for m in CART_WORDS.finditer(low)]
    found = [
        m for m in tier.lexicon.scan(low, cart_words, fuzzy=False) if not ruled_out(low, m.start)
    ]
    named = {m.slot for m in found}  # "not sneakers": no category named
    if (
        intent == "search"
        and not named & {"category", "brand"}
        and state.filters.get("category")
        and (image_id is None)
        and not _asks_for_what_is_not_sold(tier, low, named, found, state.filters["category"])
        and not _heads_another_kind(tier, low, str(state.filters["category"]))
    ):
        # "forget the budget, show me everything in that colour": no new product type,
        # so it narrows (or widens) the current search
        intent = "refine"
        confidence = scores["search"] + scores["refine"]
    elif intent == "refine" and "category" in named:
        intent = "search"  # naming a product type starts a search; refining keeps one
        confidence = scores["search"] + scores["refine"]
    elif (
        intent in _CHAT_INTENTS or (intent == "checkout" and confidence < tier.threshold)
    ) and named & {"category", "brand"}:
        # "mechanical keyboard from Voltix": the catalog's words make it shopping (and an
        # unsure checkout of "bird feeder" names no checkout, only the product)
        intent, confidence = "search", scores["search"] + scores["refine"]
    elif (
        intent not in ("search", "refine")
        and image_id is None
        and (state.filters or state.query)
        and not state.focus
        and values_only(tier, text, state.filters.get("category")) is not None
    ):
        # "1l", "tactile", "32GB" while a search is going: the answer to its clarifying
        # question, typed instead of tapped, whatever the model makes of one bare word
        intent, confidence = "refine", max(confidence, 0.9)
    elif (
        intent in _CHAT_INTENTS
        and named & {"color", "material", "size", "style", "audience"}
        and (state.filters or state.query)
    ):
        # "now in gold" during a search: a refinement, not small talk
        intent, confidence = "refine", scores["search"] + scores["refine"]
    elif (
        intent in (*_CHAT_INTENTS, "checkout")
        and image_id is None
        and values_only(tier, text, None) is not None
    ):
        # "blue", "xl" as the first words, read as a goodbye however sure the model is:
        # only the shop's own values name what to look for (asked about: which product?)
        intent, confidence = "search", scores["search"] + scores["refine"]
    if image_id is None and _asks_about_the_one_in_play(intent, low, found, state):
        # "how far does it go on a charge?", "is the e-bike heavy?" with one e-bike in play:
        # a question its page may answer, not small talk nor a new search
        intent = "product_details"
        confidence = max(confidence, scores.get("product_details", 0.0) + scores[nlu_intent])
    # A product named by its title ("buy Nordvale Navy Denim Women's Bootcut Jeans size
    # L"): with a purchase cue outside the title it is an add to cart, whatever the
    # title's catalog words made the model think.
    shown = {pid: str(v["title"]) for pid, v in state.shown.items() if v.get("title")}
    titled_all = tier.titles.match_all(text, shown) if (len(tier.titles) or shown) else []
    titled = titled_all[0] if len(titled_all) == 1 else None
    if not titled_all and shown:
        titled = tier.titles.match(text, shown) or shown_named(
            text,
            shown,
            lambda pid: {
                w
                for vals in shown_options(state, pid).values()
                for v in map(str, vals)
                for w in v.casefold().split()
            },
        )
    if titled is None and not titled_all and len(tier.titles):
        ends = tier.titles.all_named_by_end(text)
        if len(ends) >= 2 and (intent == "compare" or _COMPARE_CUE.search(text)):
            titled_all = ends  # "the difference between the combi drill and the drill driver"
        titled = ends[0] if len(ends) == 1 else None  # "is the memory foam mattress ...?"
        if titled is None and intent == "compare":
            titled = tier.titles.named_by_word(text)  # "compare it with the hybrid"
    rest = text
    for t in titled_all or ([titled] if titled else []):
        rest = rest[: t.start] + " " * (t.end - t.start) + rest[t.end :]
    if len(titled_all) >= 2 and (
        intent not in ("add_to_cart", "remove_from_cart") or _COMPARE_CUE.search(rest)
    ):
        # "what's the difference between the <title> and the <title>?"
        intent = "compare"
        confidence = max(confidence, scores.get("compare", 0.0) + scores[nlu_intent])
    elif (
        titled is not None
        and intent in ("search", "refine", "add_to_cart", "out_of_scope", "help")
        and not PURCHASE.search(rest)
        and QUESTION_ABOUT.search(rest)
        and (STOCK_QUESTION.search(rest) or not ASKS_FOR.search(rest))
    ):
        # "what's the <title> made of?", "warranty on the <title>?": about that product
        intent = "product_details"
        confidence = max(confidence, scores.get("product_details", 0.0) + scores[nlu_intent])
    elif titled is not None and intent not in PRODUCT_INTENTS and PURCHASE.search(rest):
        intent = "add_to_cart"
        confidence = max(
            confidence,
            sum(scores.get(k, 0.0) for k in ("add_to_cart", "search", "refine")),
        )
    elif intent in ("search", "refine") and not image_id and PURCHASE.search(low):
        # "take the third one in a large": a purchase verb and a shown product by position;
        # "add red medium" with one product in focus: that one, in those options
        one_in_focus = bool(state.focus or len(state.last_shown) == 1)
        if any(r != "it" for r in parse(text).references) or (
            one_in_focus
            and ADD_LEAD.match(low)
            and not {m.slot for m in tier.lexicon.scan(low, [], fuzzy=False)}
            & {"category", "brand"}
        ):
            intent = "add_to_cart"
            confidence = max(
                confidence,
                sum(scores.get(k, 0.0) for k in ("add_to_cart", "search", "refine")),
            )
    if (
        intent == "add_to_cart"
        and not PURCHASE.search(low)
        and not parse(text).references
        and not parse(text).product_ids
        and (
            (titled is None and named & {"category", "brand"})
            # a title alone; "2 <title> please", "and the <title> too" still add
            or (titled is not None and not _ADD_CUE.search(rest))
        )
    ):
        # "7-inch e-reader", "washable down alternative comforter" (a product's own
        # title): a product type or name and no word of buying is a search; nothing is
        # put to the shopper as a purchase they did not ask for
        intent = "search"
        confidence = max(confidence, scores["search"] + scores["add_to_cart"])
    if (
        intent == "remove_from_cart"
        and titled is None
        # "my cat scratches the sofa, what can i do": a need, in three words or more
        and (named & {"category", "brand"} or len(_guards.content_words(low)) >= 3)
        and not _TAKE_BACK.search(low)
        and not parse(text).references
        and not parse(text).product_ids
    ):
        # "noise cancelling over-ear headphones": a product type (or a need said in words)
        # and no word of taking anything back is a search, never a removal from the cart
        intent = "search"
        confidence = max(confidence, scores["search"] + scores["remove_from_cart"])
    elif (
        intent == "search"
        and titled is None
        and not PURCHASE.search(low)
        and not _ADD_CUE.search(low)
        and not parse(text).references
        and not parse(text).product_ids
    ):
        # "true wireless earbuds" half read as an add: with no word of buying and no
        # product to add, only a search is left
        confidence = max(confidence, scores["search"] + scores.get("add_to_cart", 0.0))
    if (
        intent in ("product_details", "refine")
        and titled is None
        and asks_the_shop is not None
        and not parse(typed[asks_the_shop.end() :]).references
        and (intent == "product_details" or not _names_values(tier, typed))
    ):
        # "do you sell umbrellas?", "do you have spf 50?" with products in play ask about
        # the shop's range, not about them: a search (and an honest "we don't carry" if
        # so); "do you have a medium?" still narrows the list
        confidence = max(confidence, scores["search"] + scores[intent])
        intent = "search"
    if intent == "view_cart" and CLEAR_ALL.search(text):
        # "empty my cart": the cart's words, but a removal of all of it (confirmed first)
        intent = "remove_from_cart"
        confidence = max(confidence, scores["view_cart"] + scores.get("remove_from_cart", 0.0))
    if intent not in PRODUCT_INTENTS:
        rest = text  # a title in a search is what the shopper is looking for
    slots = tier.extract_slots(rest, intent, context=_kind_in_play(state))
    if len(titled_all) >= 2 and intent == "compare":
        slots.product_id = ",".join(dict.fromkeys(t.product_id for t in titled_all))
        slots.reference = None
    elif titled is not None and intent == "compare" and slots.reference in (None, "it"):
        # "compare it with the hybrid": the one named, beside the one in play (the plan)
        slots.product_id, slots.reference = titled.product_id, None
    elif (
        titled is not None
        and intent in PRODUCT_INTENTS
        and intent != "compare"
        and not slots.product_id
    ):
        slots.product_id = titled.product_id
        slots.reference = None
    elif intent in ("product_details", "compare") and not (slots.reference or slots.product_id):
        # "what's there below $850", "ok show me the blue ones": filters, no product
        p = parse(text)
        fil = tier.extract_slots(text, "refine")
        if (
            not p.references
            and (
                fil.price_min is not None
                or fil.price_max is not None
                or fil.color
                or fil.material
                or (fil.size and intent != "product_details")
            )
            and not _ASKS_ABOUT.search(text.lower())
        ):
            intent, slots = "refine", fil
            confidence = max(confidence, scores.get("refine", 0.0) + scores[nlu_intent])
    if (
        titled is None
        and not image_id
        and intent in ("product_details", "add_to_cart")
        and not slots.product_id
        and slots.reference in (None, "it")
        and (rare := rare_named(tier, text, state)) is not None
    ):
        slots.product_id, slots.reference = rare, None
    if image_id and (
        intent in ("search", "refine", "visual_search", "product_details") or not text.strip()
    ):
        intent = "visual_search"
        confidence = max(confidence, scores.get("visual_search", 0.0))
    return NLUResult(
        intent=intent,
        confidence=round(confidence, 4),
        slots=slots,
        intent_scores={k: round(v, 4) for k, v in scores.items()},
        image_id=image_id,
        text=text,
    )
