"""Plans for turns about products and the cart: which products a turn means, details,
compare, add and remove, quantities, "which one is cheaper?" answered from the state."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from typing import Any

from shopagent.agent.embedded._answers import (
    CHEAPER,
    PRICIER,
    page_question,
    said_options,
    value_forms,
)
from shopagent.agent.embedded._catalog import singular
from shopagent.agent.embedded._lexicon import leaf
from shopagent.agent.embedded._schema import DialogueState, NLUResult, Plan, PlannedCall
from shopagent.agent.embedded._state import resolve_references, shown_options
from shopagent.agent.embedded._titles import words
from shopagent.money import format_money

ASK_WHICH = [
    'Which product do you mean? Say "the first one", "the second one" and so on.',
    'Which one? You can say "the second one" or "the last one".',
]
ASK_SEARCH_FIRST = "Which product do you mean? Search for something first and I'll show options."
# "is it dishwasher safe?" over a list: the pages of its first products are read, and the
# one (or few) that say so answer (``_respond``); none: which one is asked as before
ASK_PAGES = 6


def _pick(options: list[str], state: DialogueState) -> str:
    # Deterministic per turn (replays stay stable) yet varied across a conversation.
    return random.Random(state.turn).choice(options)


SEVERAL_ADDS = "several products in one add to cart"
_SEVERAL = re.compile(
    r"\b(?:both|all (?:of )?(?:them|these|those|the \w+)|(?:them|these|those) all|"
    r"the (?:two|three|four) of them|each of them|every one of them)\b",
    re.I,
)
ONE_ADD_AT_A_TIME = (
    'I add one product at a time, so each can be confirmed: say "add the first one", '
    'then "add the second one".'
)


def _targets(nlu: NLUResult, state: DialogueState) -> tuple[list[str] | None, bool]:
    """Products the turn is about; and whether the shopper named some we could not resolve."""
    if nlu.slots.product_id:
        return [p.strip() for p in nlu.slots.product_id.split(",") if p.strip()], False
    if nlu.slots.reference:
        ids = resolve_references(state, nlu.slots.reference, nlu.slots.category)
        return ids, ids is None
    if nlu.intent == "add_to_cart" and by_name(nlu):
        return None, False  # "buy <a title we do not know>": not the product in focus
    offering = _offering(nlu, state)
    if state.focus:
        if state.focus in state.last_shown and state.focus not in offering and len(offering) == 1:
            return offering, False  # "the small cream one": not the one in focus, in XL only
        return [state.focus], False
    if len(state.last_shown) == 1:
        return list(state.last_shown), False
    if len(offering) == 1:  # "add the 4kg one": the one shown product that has 4kg
        return offering, False
    return None, False


def _offering(nlu: NLUResult, state: DialogueState) -> list[str]:
    """The shown products that offer every option value the turn names (size, colour, the
    shop's own options); [] when it names none."""
    s = nlu.slots
    said = [str(v).casefold() for v in (s.size, s.color, *(s.options or {}).values()) if v]
    if not said:  # the values of a shown product's own options ("the 800 lumen one")
        # those that come in most of what was said ("3 sets of the 12-53": the strings in
        # 12-53, not every pack of 3 sets)
        counts = {i: len(said_options(nlu.text, shown_options(state, i))) for i in state.last_shown}
        most = max(counts.values(), default=0)
        return [i for i, n in counts.items() if n and n == most]
    return [pid for pid in state.last_shown if set(said) <= _values_of(state, pid)]


def _which_offers(nlu: NLUResult, state: DialogueState) -> Plan | None:
    """ "add the 13.5 tog king" with two duvets shown that both come in it: which one, by
    name, each quick reply the add in full ("Add the Vegan Duvet in 13.5, King")."""
    offering = _offering(nlu, state)
    if not 2 <= len(offering) <= 4:
        return None
    said = [str(v) for v in (nlu.slots.size, nlu.slots.color) if v]
    said += [v for v in said_options(nlu.text, shown_options(state, offering[0])).values()]
    values = ", ".join(dict.fromkeys(said))
    titles = [str((state.shown.get(i) or {}).get("title") or i) for i in offering]
    listed = ", ".join(titles[:-1]) + " and " + titles[-1]
    every = "Both" if len(titles) == 2 else "All"
    return Plan(
        reply=f"{every} {listed} come in {values}. Which one should I add?",
        quick_replies=[f"Add the {t} in {values}" for t in titles],
    )


def _values_of(state: DialogueState, pid: str) -> set[str]:
    """Every option value a shown product offers, casefolded ("add the 4kg one")."""
    return {v.casefold() for vals in shown_options(state, pid).values() for v in map(str, vals)}


def _product_plan(nlu: NLUResult, state: DialogueState) -> Plan:
    s, intent, call = nlu.slots, nlu.intent, PlannedCall
    if intent == "product_details" and nlu.notes.get("which_page") and len(state.last_shown) > 1:
        return _read_pages(state, nlu.notes.get("pages_of"))
    ids, unresolved = _targets(nlu, state)
    if intent == "compare" and (pick := _which_priced(nlu, state, ids)) is not None:
        return pick
    if intent == "compare":
        in_play = state.focus or (state.last_shown[0] if len(state.last_shown) == 1 else None)
        if ids and len(ids) == 1 and not unresolved and in_play and in_play != ids[0]:
            ids = [in_play, ids[0]]  # "how does it compare to the first one?"
        if not ids or len(ids) < 2:
            ids = state.last_shown[:4] if not unresolved and len(state.last_shown) >= 2 else None
        if not ids and not unresolved and len(state.last_shown) == 1:
            # "which of those is the cheapest?" with one shown: that one's details
            return Plan(calls=[call(name="get_product", args={"product_id": state.last_shown[0]})])
        if not ids and not state.last_shown and s.category and not unresolved:
            # "compare the two yoga mats" before any search: the mats, then those compared
            # (``plan_next``)
            found = {"query": leaf(s.category).lower(), "category": s.category}
            return Plan(calls=[call(name="catalog_search", args=found)], followup=True)
        if not ids:
            return Plan(reply=ASK_SEARCH_FIRST if not state.last_shown else _pick(ASK_WHICH, state))
        return Plan(calls=[call(name="compare_products", args={"product_ids": ids[:4]})])
    if intent == "remove_from_cart":
        if ids and not unresolved and (s.reference or s.product_id):
            rm: dict[str, object] = {"product_id": ids[0]}
            if s.quantity and _accepts("remove_from_cart", "quantity"):
                rm["quantity"] = s.quantity  # "remove one of the two"
            return Plan(calls=[call(name="remove_from_cart", args=rm)])
        if CLEAR_ALL.search(nlu.text):
            return Plan(calls=[call(name="clear_cart")])  # "empty my whole cart"
        line = _cart_line(nlu, state)
        if line is not None:
            rm = {"product_id": line["product_id"]}
            if line.get("variant_id"):
                rm["variant_id"] = line["variant_id"]
            if s.quantity and _accepts("remove_from_cart", "quantity"):
                rm["quantity"] = s.quantity
            return Plan(calls=[call(name="remove_from_cart", args=rm)])
        # "remove the jeans": show the cart so the shopper can point at a line
        return Plan(calls=[call(name="view_cart")])
    if intent == "add_to_cart" and _SEVERAL.search(nlu.text) and not s.product_id:
        # "add both", "I'll take them all": one add at a time, each confirmed (never one of
        # them silently)
        return Plan(escalate=True, reason=SEVERAL_ADDS)
    if intent == "add_to_cart" and (kind := nlu.notes.get("add_kind")):
        # "add a dog bed" beside a harness: the beds first; "add it" then adds the one
        return Plan(calls=[call(name="catalog_search", args=dict(kind))], followup=True)
    if intent == "add_to_cart" and not unresolved and not s.reference and by_name(nlu):
        # a product named by a title we do not know: search for it, then add what matches
        query = {"query": by_name(nlu)}
        return Plan(calls=[call(name="catalog_search", args=query)], followup=True)
    if (
        intent == "product_details"
        and not ids
        and (not unresolved or s.reference == "it")  # "it" with none in focus
        and len(state.last_shown) >= 2
        and page_question(nlu.text)
    ):
        return _read_pages(state)
    if intent == "product_details" and (term := nlu.notes.get("define")) and not ids:
        # "whats a tog?": the first product that uses the word, its page read (plan_next)
        return Plan(calls=[call(name="catalog_search", args={"query": term})], followup=True)
    if intent == "product_details" and not state.last_shown and s.category and not ids:
        # "what sizes does the jacket come in?" before any search: the jackets, and the
        # question answered on the one there is (``plan_next``)
        found = {"query": leaf(s.category).lower(), "category": s.category}
        return Plan(calls=[call(name="catalog_search", args=found)], followup=True)
    if not ids and not unresolved and intent == "add_to_cart":
        if (asked := _which_offers(nlu, state)) is not None:
            return asked
    if not ids or unresolved:
        return Plan(reply=ASK_SEARCH_FIRST if not state.last_shown else _pick(ASK_WHICH, state))
    if len(ids) > 1 and intent == "add_to_cart":
        return Plan(escalate=True, reason=SEVERAL_ADDS)
    if intent == "product_details":
        return Plan(calls=[call(name="get_product", args={"product_id": ids[0]})])
    args = add_args(ids[0], nlu, state)
    most = _at_most("add_to_cart", "quantity")
    if most is not None and int(str(args["quantity"])) > most:
        # "add 30": more than one add takes; said plainly, not as the tool's refusal
        return Plan(
            reply=f"I can add up to {most} of one item at a time. Shall I add {most}?",
            quick_replies=[f"Add {most}", "No thanks"],
        )
    return Plan(calls=[call(name="add_to_cart", args=args)])


def _read_pages(state: DialogueState, ids: list[str] | None = None) -> Plan:
    """The pages of the first products shown (or of ``ids`` of them), for a question one
    of them answers."""
    pages = [i for i in ids or state.last_shown if i in state.last_shown][:ASK_PAGES]
    return Plan(calls=[PlannedCall(name="get_product", args={"product_id": i}) for i in pages])


CLEAR_ALL = re.compile(
    r"\b(?:empty|clear|wipe|reset)\b.*\b(?:cart|basket|bag|trolley|everything|all)\b|"
    r"\b(?:remove|delete|take out|drop)\s(?:everything|all(?: of it| items| the items)?)\b",
    re.I,
)


def _cart_line(nlu: NLUResult, state: DialogueState) -> dict[str, Any] | None:
    """The cart line a removal names without a reference: the only line there is, or the
    one line whose title shares the turn's product words ("take the Auron ones out")."""
    lines = [ln for ln in state.extra.get("cart") or [] if ln.get("product_id")]
    if not lines:
        return None
    said = cart_words(nlu.text)
    hits = [ln for ln in lines if said & {singular(w) for w in words(str(ln.get("title") or ""))}]
    if len(hits) == 1:
        return dict(hits[0])
    if len(lines) == 1 and not hits:
        return dict(lines[0])
    return None


def cart_words(text: str) -> set[str]:
    """The words of a removal that may name a cart line's product ("remove the paints":
    paint, paints), singular forms included."""
    said = set(words(text)) - {
        "remove",
        "take",
        "the",
        "out",
        "of",
        "from",
        "my",
        "cart",
        "basket",
        "bag",
        "one",
        "ones",
        "them",
        "it",
        "a",
        "please",
        "delete",
        "drop",
        "those",
        "these",
        "that",
    }
    said = {w for w in said if w.isalpha() and len(w) > 2 and w not in _NOT_A_NAME}
    return said | {singular(w) for w in said}  # "remove the paints" of a "Paint Set"


# Words of a removal that point at a line rather than name it ("the second one", "both")
_NOT_A_NAME = frozenset(
    "first second third fourth fifth last other both all everything item items thing "
    "things line lines again now instead too also actually one two three four five six seven "
    "eight nine ten eleven twelve pair pairs couple few".split()  # how many: no choice named
)


def add_args(product_id: str, nlu: NLUResult, state: DialogueState) -> dict[str, object]:
    """add_to_cart's arguments: options the shopper chose, in this turn or in the search
    that showed the product ("tees in XL", then "put 2 of the first in my basket")."""
    s = nlu.slots
    options: dict[str, str] = {}
    for k in ("size", "color"):
        # a size the search was filtered by carries into the add; a colour filter does not
        # (it describes the products shown, not a choice among a product's variants)
        v = getattr(s, k) or (state.filters.get(k) if k == "size" and not s.options else None)
        if v:
            options[k] = str(v)
    options.update({str(k): str(v) for k, v in (s.options or {}).items()})
    own = shown_options(state, product_id)
    taken = {v.casefold() for v in options.values()}
    said = said_options(nlu.text, own, quantity=s.quantity)
    for name, value in said.items():
        # the product's own options by any name: "add the 56cm", "in large with 625wh"
        if value.casefold() not in taken and name.casefold() not in _keys(options):
            options[name] = value
            taken.add(value.casefold())
    chosen = state.extra.get("chosen_option") or {}
    if (
        chosen.get("product_id") == product_id
        and str(chosen.get("option")).casefold() not in _keys(options)
        and not _names_another(nlu.text, [*options.values(), *said.values()], state, product_id)
    ):
        # "does it come in brown?" -> yes; then "add it" (or "add it in large"): the brown
        # one. Not "add brick red" or "add the pink one" after "is the berry one available?"
        options[str(chosen["option"])] = str(chosen["value"])
    declined = state.extra.get("declined_add") or {}
    if declined.get("product_id") == product_id and not another_said(nlu.text, state, product_id):
        # the add the shopper answered with "2 of them" instead of a yes: its choices stand
        for name, value in (declined.get("options") or {}).items():
            if name.casefold() not in _keys(options) and str(value).casefold() not in taken:
                options[name] = str(value)
                taken.add(str(value).casefold())
    tried = state.extra.get("tried_options") or {}
    if tried.get("product_id") == product_id:
        # the add before this one was sold out: its other options stand ("right zip then")
        for name, value in (tried.get("options") or {}).items():
            if name.casefold() not in _keys(options) and str(value).casefold() not in taken:
                options[name] = str(value)
                taken.add(str(value).casefold())
    another = _names_another(nlu.text, [*options.values(), *said.values()], state, product_id)
    for name, value in (state.filters.get("options") or {}).items():
        # the search's own option filter ("a case for my iphone 15": Model iPhone 15), when
        # this product offers it, is the variant wanted; not when the add names another
        # choice ("a red lipstick" found Brick Red, then "add the pink one": which shade?)
        offered = {v.casefold(): v for vals in own.values() for v in vals}
        if another:
            break
        if str(name).casefold() not in _keys(options) and str(value).casefold() in offered:
            if str(value).casefold() not in taken:
                options[str(name)] = offered[str(value).casefold()]
                taken.add(str(value).casefold())
    colour = state.filters.get("color")
    # (option names as the shop spells them: "Color" chosen is the colour, whatever case)
    if colour and not _keys(options) & {"color", "colour"} and len(state.last_shown) == 1:
        # "the red one" narrowed the list to this product, which comes in red: that variant
        values = {
            v.casefold(): v
            for k, vs in own.items()
            if k.casefold() in ("color", "colour")
            for v in vs
        }
        if str(colour).casefold() in values and str(colour).casefold() not in taken:
            options["color"] = values[str(colour).casefold()]
    quantity = s.quantity or 1
    if s.quantity and any(_is_the_pack(nlu.text, v, s.quantity) for v in options.values()):
        quantity = 1  # "add 3 sets of the 12-53": one pack of 3 Sets, not three of them
    args: dict[str, object] = {"product_id": product_id, "quantity": quantity}
    if set(options) <= {"size", "color"} or not _accepts("add_to_cart", "options"):
        args.update({k: v for k, v in options.items() if k in ("size", "color")})
    else:
        args["options"] = options
    return args


# What an add says besides the product and its options: "ok add it to my bag then"
_ADD_WORDS = frozenset(
    "add put get buy take want need like ill i'll will would please pls yes yeah yep sure ok "
    "okay alright then now just and can could you me for cart basket bag to in with of".split()
)


def another_said(text: str, state: DialogueState, pid: str) -> bool:
    """The turn names an option value of ``pid`` of its own ("2 in cool white")."""
    return bool(said_options(text, shown_options(state, pid)))


def _names_another(text: str, values: list[str], state: DialogueState, pid: str) -> bool:
    """The add says a word that is neither its product's title nor an option value it
    chose nor an add's own word: "add the pink one" names a choice not understood."""
    forms = [form for v in values for form in value_forms(str(v))]  # "large" for L
    known = set(cart_words(" ".join([*values, *forms]))) | set(
        cart_words(str((state.shown.get(pid) or {}).get("title") or ""))
    )
    return bool(cart_words(text) - known - _ADD_WORDS - _NOT_A_NAME)


def _is_the_pack(text: str, value: str, n: int) -> bool:
    """The turn's number counts the option value chosen ("3 sets" of a "3 Sets" pack), so
    it is no quantity of it."""
    unit = re.match(rf"{n}\s*([a-z]+)", value.casefold())
    if unit is None:
        return False
    stem = singular(unit.group(1))
    return re.search(rf"\b{n}\s*{re.escape(stem)}", text.casefold()) is not None


def _keys(options: dict[str, str]) -> set[str]:
    return {k.casefold() for k in options}


def _at_most(tool: str, field: str) -> int | None:
    """The installed tool's upper bound on ``field`` (add_to_cart's quantity), if any."""
    from shopagent.tools import cart

    info = getattr(getattr(cart, _ARGS[tool], None), "model_fields", {}).get(field)
    bounds = [m.le for m in getattr(info, "metadata", []) if getattr(m, "le", None) is not None]
    return int(bounds[0]) if bounds else None


_ARGS = {
    "add_to_cart": "AddToCartArgs",
    "remove_from_cart": "RemoveFromCartArgs",
    "update_cart_quantity": "UpdateCartQuantityArgs",
}


def _accepts(tool: str, field: str) -> bool:
    """Whether the installed tool takes ``field`` (tools gain arguments across versions)."""
    try:
        from shopagent.tools import cart
    except ImportError:  # pragma: no cover - tools always ship with the agent
        return False
    return field in getattr(getattr(cart, _ARGS[tool], None), "model_fields", {})


def _which_priced(nlu: NLUResult, state: DialogueState, ids: list[str] | None) -> Plan | None:
    """ "which one is cheaper?" about the products in play: answered from their shown
    prices, no new tool call. "which is cheaper in double?": a choice's price is its
    variant's, so their pages are read (``_answers.priced_in`` answers)."""
    cheap, dear = CHEAPER.search(nlu.text), PRICIER.search(nlu.text)
    if not (cheap or dear) or not re.search(r"\bwhich\b|\bwhat(?:'s| is)\b", nlu.text, re.I):
        return None
    if nlu.notes.get("by_price"):
        return None  # "which is the cheapest bench": picked among the benches already
    pool = (
        ids
        if ids and len(ids) >= 2
        else (state.focus_ids if len(state.focus_ids) >= 2 else state.last_shown[:4])
    )
    if len(pool) >= 2 and any(said_options(nlu.text, shown_options(state, i)) for i in pool):
        return Plan(
            calls=[PlannedCall(name="get_product", args={"product_id": i}) for i in pool],
            reason="priced_in_option",
        )
    priced = [
        (Decimal(str(state.shown[i]["price"])), i)
        for i in pool
        if (state.shown.get(i) or {}).get("price") is not None
    ]
    if len(priced) < 2:
        return None
    price, pid = min(priced) if cheap else max(priced)
    info = state.shown[pid]
    word = "cheaper" if cheap else "more expensive"
    if len(priced) > 2:
        word = "cheapest" if cheap else "most expensive"
    amount = format_money(str(price), info.get("currency") or "USD")
    tied = [str(state.shown[i].get("title")) for p, i in priced if p == price]
    if len(tied) == len(priced):  # "which is cheaper?" of two at one price
        text = f"Both cost {amount}." if len(tied) == 2 else f"They all cost {amount}."
    elif len(tied) >= 2:
        names = ", ".join(tied[:-1]) + " and " + tied[-1]
        text = f"{names} are the {word}, at {amount} each."
    else:
        text = f"The {word} one is {info.get('title')}, at {amount}."
    return Plan(reply=text, reason="answered_from_state")


_NAME_FILLER = re.compile(
    r"\b(?:add|buy|purchase|order|grab|take|get|put|throw|i'?ll|i'?d|like|have|want|to|in|"
    r"into|my|the|a|an|please|pls|can|could|you|me|i|cart|basket|bag|trolley|size|of|one|"
    r"and|for|it|that|this|also|too|yes|ok|okay|sure)\b"
)


def by_name(nlu: NLUResult) -> str:
    """The product name in an add-to-cart turn without a reference, or "" when the turn
    names no product (three words at least, one of them a brand or a product type)."""
    s = nlu.slots
    if s.product_id or s.reference:
        return ""
    text = nlu.text.lower()
    if s.size:
        text = re.sub(rf"\b(?:size\s|in\s)?{re.escape(s.size.lower())}\b", " ", text)
    text = re.sub(r"\(\s*\w{1,4}\s*\)|\d+", " ", text)
    name = " ".join(_NAME_FILLER.sub(" ", re.sub(r"[^\w&' -]", " ", text)).split())
    return name if len(name.split()) >= 3 else ""


def _set_quantity(n: int, state: DialogueState) -> Plan | None:
    """ "make it 3": the line in focus (or the only one) gets that quantity: the difference
    is added, or removed where remove_from_cart takes a quantity."""
    lines = [ln for ln in state.extra.get("cart") or [] if ln.get("product_id")]
    line = next((ln for ln in lines if ln.get("product_id") == state.focus), None)
    if line is None and len(lines) == 1:
        line = lines[0]
    if line is None or n < 1:
        return None
    have = int(line.get("quantity") or 0)
    base: dict[str, object] = {"product_id": line["product_id"]}
    if line.get("variant_id"):
        base["variant_id"] = line["variant_id"]
    if n != have and _accepts("update_cart_quantity", "quantity"):
        return Plan(calls=[PlannedCall(name="update_cart_quantity", args={**base, "quantity": n})])
    if n > have:
        return Plan(calls=[PlannedCall(name="add_to_cart", args={**base, "quantity": n - have})])
    if n < have and _accepts("remove_from_cart", "quantity"):
        return Plan(
            calls=[PlannedCall(name="remove_from_cart", args={**base, "quantity": have - n})]
        )
    if n == have:
        return Plan(reply=f"You already have {n} in your cart.", reason="nothing to change")
    return None
