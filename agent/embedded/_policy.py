"""The embedded tier's planner: one NLU result + dialogue state -> tool calls or a reply.

Writes (cart, checkout, cancel) are only proposed here; the graph asks the shopper before
any of them runs. When the turn is unclear or beyond these templates, the plan escalates.
"""

from __future__ import annotations

import re
from typing import Any

from shopagent.agent.embedded._answers import BETTER_DEAL, page_question, said_options
from shopagent.agent.embedded._guards import NEGATIVE_PRICE_REPLY, NOTHING_PENDING, OTHER_USER_REPLY
from shopagent.agent.embedded._product_plan import (
    ASK_PAGES,
    ASK_WHICH,
    ONE_ADD_AT_A_TIME,
    SEVERAL_ADDS,
    _pick,
    _product_plan,
    _set_quantity,
    _targets,
    _which_priced,
    by_name,
)
from shopagent.agent.embedded._schema import (
    CATALOG_SLOTS,
    DialogueState,
    NLUResult,
    Plan,
    PlannedCall,
    ToolOutcome,
)
from shopagent.agent.embedded._titles import words

SEARCH_FILTERS = (*CATALOG_SLOTS, "price_min", "price_max", "on_sale", "options")

GREETINGS = [
    "Hi! What are you shopping for today?",
    'Hello! Tell me what you\'re looking for, like "red dresses under $50".',
    "Hey there! I can search the shop, compare products and manage your cart. What do you need?",
]
HELP = [
    'I can find products ("black leather boots under $150"), narrow results ("in blue?"), '
    "show details, compare items, search by photo, manage your cart, check out and track or "
    "cancel orders. What would you like to do?",
    'Try things like "linen shirts in M", "compare the first two", "add the second one", '
    '"what\'s in my cart" or "where is my order". You can also upload a photo to find '
    "similar items.",
]
GOODBYES = [
    "Thanks for stopping by. Happy shopping!",
    "Bye! Your cart will be here when you come back.",
    "Take care, and come back any time.",
]
SCOPE = [
    "I can only help with shopping here: finding products, your cart and your orders. "
    "What can I find for you?",
    "Sorry, that's outside what I can do. I'm the shop's assistant: products, cart and "
    "orders. Anything you'd like to look for?",
]
HANDOFF = (
    "I'm handing this conversation to a member of our team; they'll pick it up here. "
    "Anything you tell them next goes straight to them."
)
ASK_PHOTO = "Upload a photo (or pick a product I showed) and I'll find similar items."


def search_args(state: DialogueState, **extra: object) -> dict[str, object]:
    args: dict[str, object] = {"query": state.query or ""}
    args.update({k: v for k, v in state.filters.items() if k in SEARCH_FILTERS and v is not None})
    args.update(extra)
    return args


def plan(
    nlu: NLUResult,
    state: DialogueState,
    threshold: float,
    *,
    alone: bool = False,
    categories: dict[str, list[str]] | None = None,
) -> Plan:
    """``alone``: no other tier to escalate to; below the threshold the shopper is asked
    one clarifying question instead of getting a guess. ``categories``: leaf category ->
    its colours, from the catalog profile (a vague request is answered with a question
    offering the shop's own categories)."""
    intent = nlu.intent
    notes = nlu.notes
    if notes.get("other_user"):
        return Plan(
            reply=OTHER_USER_REPLY,
            reason="other_user",
            quick_replies=["Show my cart", "Show my orders"],
        )
    if notes.get("off_topic"):
        return Plan(reply=str(notes["scope_reply"]), reason="out_of_scope")
    if notes.get("negative_price"):
        return Plan(
            reply=NEGATIVE_PRICE_REPLY,
            reason="impossible_constraint",
            quick_replies=["Under $25", "Under $50", "Under $100"],
        )
    if notes.get("which_of"):
        # "the ethiopian one" with two Ethiopian coffees shown: which of those two
        titles = [str((state.shown.get(i) or {}).get("title") or i) for i in notes["which_of"]]
        listed = ", ".join(titles[:-1]) + " or " + titles[-1]
        return Plan(reply=f"Which one do you mean: {listed}?", quick_replies=titles[:4])
    if notes.get("yes_no") and (
        intent not in ("search", "refine", "add_to_cart")
        # "ok nevermind", "nah forget it" read as a refinement: nothing to search
        or (notes["yes_no"] == "no" and intent != "add_to_cart" and not nlu.slots.filled())
    ):
        return Plan(reply=NOTHING_PENDING[notes["yes_no"]], reason="nothing_pending")
    if intent in ("search", "refine") and notes.get("vague"):
        # "which is cheaper" names no product, yet is about the two just compared
        if (pick := _which_priced(nlu, state, None)) is not None:
            return pick
        return _ask_what(nlu, state, categories)
    if notes.get("not_carried") or notes.get("product_like"):
        # searched all the same: the results' categories are what the shop has nearby
        # the missing thing alone: its nearest products name the closest categories
        query = str(notes.get("not_carried") or nlu.text)
        return Plan(
            calls=[PlannedCall(name="catalog_search", args={"query": query[:200], "page": 1})]
        )
    if notes.get("another") and notes["another"].get("product_id"):
        again = {k: v for k, v in notes["another"].items() if v}
        return Plan(
            calls=[
                PlannedCall(name="add_to_cart", args={**again, "quantity": nlu.slots.quantity or 1})
            ]
        )
    if notes.get("set_quantity") is not None:
        changed = _set_quantity(int(notes["set_quantity"]), state)
        if changed is not None:
            return changed
    if (pick := _which_priced(nlu, state, None)) is not None and intent not in (
        "add_to_cart",
        "remove_from_cart",
    ):
        return pick  # "which is cheaper?" about the products in play
    if BETTER_DEAL.search(nlu.text) and intent not in ("add_to_cart", "remove_from_cart"):
        # "which is the better deal?" of the products in play: their pages' sale prices
        pool = state.focus_ids if len(state.focus_ids) >= 2 else state.last_shown[:4]
        if len(pool) >= 2:
            return Plan(
                calls=[PlannedCall(name="get_product", args={"product_id": i}) for i in pool],
                reason="better_deal",
            )
    if nlu.confidence < threshold:
        if alone:
            return clarify(nlu, state)
        return Plan(
            escalate=True,
            reason=f"low NLU confidence {nlu.confidence:.2f} for "
            f"{intent} (threshold {threshold:.2f})",
        )
    s = nlu.slots
    call = PlannedCall
    if intent == "refine" and state.extra.get("visual_refine") and state.extra.get("image_id"):
        args = {"image_id": state.extra["image_id"], **state.extra.get("visual_filters", {})}
        if state.extra.get("visual_category") and "category" not in args:
            args["category"] = state.extra["visual_category"]
        return Plan(calls=[call(name="visual_search", args=args)])
    if intent in ("search", "refine"):
        if not state.query and not state.filters:
            if alone:  # "the cheapest thing you have?": which kind of thing, asked
                return _ask_what(nlu, state, categories)
            return Plan(escalate=True, reason="search without anything to search for")
        args = search_args(state, page=state.page)
        if (order := state.extra.get("sort")) is not None:
            args["sort"] = order  # "the cheapest book you have": by price, not the best match
        calls = [call(name="catalog_search", args=args)]
        asked = nlu.notes.get("facet_question")
        if asked or (intent == "search" and _broad(state) and not nlu.notes.get("not_carried")):
            # "what colours do they come in?" over black boots: the boots' colours, all
            facet_args = {k: v for k, v in args.items() if k not in ("page", "sort", asked)}
            fields = ["size", "color", "brand"] if args.get("category") else ["color", "brand"]
            if asked:
                fields = [str(asked)]
            calls.append(call(name="get_facets", args={**facet_args, "fields": fields}))
        # past the first page, no results means all were shown, not that nothing matches
        relaxed = _relaxed(args) if state.page <= 1 else []
        if len(calls) == 1 and relaxed:
            # When the filters leave nothing, the same search with them dropped one at a
            # time; planned with it, as alternatives: the first that finds something is
            # the answer, the rest are not run. One step, not a second act and tools.
            return Plan(calls=[*calls, *relaxed], reason="relax filters", until_found=True)
        # with the facets asked too, the next step relaxes them (plan_next)
        return Plan(calls=calls, followup=bool(relaxed))
    if intent == "visual_search":
        ids, unresolved = _targets(nlu, state)
        filters = {k: getattr(s, k) for k in SEARCH_FILTERS if getattr(s, k) is not None}
        if nlu.image_id:
            return Plan(
                calls=[call(name="visual_search", args={"image_id": nlu.image_id, **filters})]
            )
        if ids and not unresolved and (s.reference or s.product_id):
            return Plan(calls=[call(name="visual_search", args={"product_id": ids[0], **filters})])
        return Plan(reply=ASK_PHOTO if not unresolved else _pick(ASK_WHICH, state))
    if intent in ("product_details", "add_to_cart", "remove_from_cart", "compare"):
        planned = _product_plan(nlu, state)
        if planned.escalate and alone and planned.reason == SEVERAL_ADDS:
            # "add the first two" with no model tier: say how, not "I didn't understand"
            return Plan(reply=ONE_ADD_AT_A_TIME, quick_replies=["Add the first one"])
        return planned
    if intent == "view_cart":
        return Plan(calls=[call(name="view_cart")])
    if intent == "checkout":
        return Plan(calls=[call(name="checkout")])
    if intent in ("order_status", "cancel_order"):
        if s.order_id:
            return Plan(calls=[call(name=intent, args={"order_id": s.order_id.split(",")[0]})])
        known = _one_order(intent, list(state.extra.get("orders") or []))
        if known:  # the one order placed in this conversation
            return Plan(calls=[call(name=intent, args={"order_id": known})])
        # with one order (one still cancellable) it is that one: see plan_next
        return Plan(calls=[call(name="list_orders")], followup=True)
    if intent == "greeting":
        return Plan(reply=_pick(GREETINGS, state))
    if intent == "help":
        return Plan(reply=_pick(HELP, state))
    if intent == "goodbye":
        return Plan(reply=_pick(GOODBYES, state))
    if intent == "human_handoff":
        return Plan(reply=HANDOFF, reason="human_handoff")
    if intent == "out_of_scope":
        return Plan(reply=_pick(SCOPE, state), reason="out_of_scope")
    return Plan(escalate=True, reason=f"no template for intent {intent}")


def _broad(state: DialogueState) -> bool:
    """Only a category (or nothing) to go on: worth one clarifying question."""
    return len([k for k, v in state.filters.items() if v is not None]) <= 1


# Filters dropped first when a search finds nothing: the least certain readings first
# (a style word is a guess at taste, a budget or a product type is what was asked for).
RELAX_ORDER = (
    "style",
    "audience",
    "options",
    "material",
    "color",
    "size",
    "brand",
    "price_min",
    "price_max",
    "on_sale",
    "category",
)


def _one_order(intent: str, orders: list[dict[str, Any]]) -> str | None:
    """The order a request without an id means: the only one (for a cancellation, the only
    one that can still be cancelled)."""
    if intent == "cancel_order":
        orders = [
            o
            for o in orders
            if str(o.get("status", "")).lower()
            not in ("cancelled", "canceled", "shipped", "delivered", "refunded")
        ]
    ids = list(dict.fromkeys(str(o["order_id"]) for o in orders if o.get("order_id")))
    return ids[0] if len(ids) == 1 else None


def _relaxable(args: dict[str, object]) -> list[str]:
    return [k for k in RELAX_ORDER if args.get(k) is not None]


def _relaxed(args: dict[str, object]) -> list[PlannedCall]:
    """The search ``args`` with its filters dropped one more at a time (at most three),
    while something is left to search for."""
    relaxed, calls = dict(args), []
    for k in _relaxable(relaxed)[:3]:
        relaxed = {a: v for a, v in relaxed.items() if a != k}
        if relaxed.get("query") or any(relaxed.get(f) is not None for f in SEARCH_FILTERS):
            calls.append(PlannedCall(name="catalog_search", args={**relaxed, "page": 1}))
    return calls


def _titled(text: str, products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The one product a question's own words name among several found ("does the rugged
    case fit a pixel 8?": the one titled "Rugged ..."): a word of the question in its
    title and in no other's."""
    asked = set(words(text))
    titles = [set(words(str(p.get("title") or ""))) for p in products]
    picked = [
        p
        for p, title in zip(products, titles, strict=True)
        if any(w in title and sum(w in t for t in titles) == 1 for w in asked)
    ]
    return picked if len(picked) == 1 else []


def _how_many(text: str) -> int:
    """The number of products a comparison names ("the two mats": 2), at most 4."""
    said = re.search(r"\b(2|3|4|two|three|four|both)\b", text.lower())
    words = {"two": 2, "both": 2, "three": 3, "four": 4}
    return (words.get(said.group(1)) or int(said.group(1))) if said else 4


def plan_next(nlu: NLUResult, state: DialogueState, outcomes: list[ToolOutcome]) -> Plan:
    """The step after a ``followup`` plan: add the product the search found by its name;
    or, when a filtered search found nothing, the same search with filters dropped one at
    a time (each call drops one more; the reply uses the first that finds something)."""
    if nlu.intent in ("search", "refine"):
        first = next((o for o in outcomes if o.name == "catalog_search"), None)
        if first is None or not first.ok or (first.content or {}).get("products"):
            return Plan()
        return Plan(calls=_relaxed(dict(first.args)), reason="relax filters", until_found=True)
    if nlu.intent == "compare":
        # "compare the two yoga mats" with none shown: the ones the search found, as many
        # as said ("the two", "the three"; up to four)
        found = next((o for o in outcomes if o.name == "catalog_search" and o.ok), None)
        products = list(((found.content or {}) if found else {}).get("products") or [])
        ids = [str(p["id"]) for p in products if p.get("id")][: _how_many(nlu.text)]
        if len(ids) < 2 or len(outcomes) != 1:
            return Plan()
        return Plan(calls=[PlannedCall(name="compare_products", args={"product_ids": ids})])
    if nlu.intent in ("order_status", "cancel_order"):
        listed = next((o for o in outcomes if o.name == "list_orders" and o.ok), None)
        orders = list(((listed.content or {}) if listed else {}).get("orders") or [])
        one = _one_order(nlu.intent, orders)
        if one:
            return Plan(calls=[PlannedCall(name=nlu.intent, args={"order_id": one})])
        return Plan()
    if nlu.intent == "product_details":
        # a question about a kind of product before any was shown: asked of the one found
        found = next((o for o in outcomes if o.name == "catalog_search" and o.ok), None)
        products = list(((found.content or {}) if found else {}).get("products") or [])
        named = products if len(products) == 1 else _titled(nlu.text, products)
        if not named and nlu.notes.get("define"):
            named = products[:1]  # "whats a tog?": the page of the first that uses the word
        if len(named) == 1 and named[0].get("id") and len(outcomes) == 1:
            pid = str(named[0]["id"])
            return Plan(calls=[PlannedCall(name="get_product", args={"product_id": pid})])
        if len(products) > 1 and len(outcomes) == 1 and page_question(nlu.text):
            # "the duvet - is it machine washable?" with two duvets: their pages say which
            ids = [str(p["id"]) for p in products[:ASK_PAGES] if p.get("id")]
            return Plan(
                calls=[PlannedCall(name="get_product", args={"product_id": i}) for i in ids]
            )
        return Plan()
    if nlu.intent != "add_to_cart":
        return Plan()
    found = next((o for o in outcomes if o.name == "catalog_search" and o.ok), None)
    products = list(((found.content or {}) if found else {}).get("products") or [])
    if nlu.notes.get("add_kind"):
        # "add the coral lipstick" with none shown: the one lipstick there is, in coral
        # (several: the reply shows them, and "add the second one" picks)
        if len(products) != 1 or not products[0].get("id"):
            return Plan()
        card = products[0]
        own = {str(k): [str(x) for x in v] for k, v in (card.get("options") or {}).items()}
        chosen = said_options(nlu.text, own, quantity=nlu.slots.quantity)
        add: dict[str, object] = {
            "product_id": str(card["id"]),
            "quantity": nlu.slots.quantity or 1,
        }
        if chosen:
            add["options"] = chosen
        return Plan(calls=[PlannedCall(name="add_to_cart", args=add)])
    want = set(words(by_name(nlu)))
    if not want or not products:
        return Plan()
    scored = sorted(
        (
            (len(want & set(words(str(p.get("title") or "")))) / len(want), n, p)
            for n, p in enumerate(products)
            if p.get("id")
        ),
        key=lambda x: (-x[0], x[1]),
    )
    if not scored or scored[0][0] < 0.8 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return Plan()  # no clear match: the reply shows what the search found
    args: dict[str, object] = {
        "product_id": str(scored[0][2]["id"]),
        "quantity": nlu.slots.quantity or 1,
    }
    if nlu.slots.size:
        args["size"] = nlu.slots.size
    return Plan(calls=[PlannedCall(name="add_to_cart", args=args)])


# What each intent would do, as a clarifying question offers it (and the quick reply that
# says it in words the tier reads back as that intent).
_OFFER = {
    "search": ("search for {what}", "Search for {what}"),
    "refine": ("narrow down these results", "Narrow these down"),
    "visual_search": ("find similar items", "Find similar items"),
    "product_details": ("tell you more about a product", "Tell me more about it"),
    "compare": ("compare the products", "Compare them"),
    "add_to_cart": ("add something to your cart", "Add it to my cart"),
    "remove_from_cart": ("remove something from your cart", "Remove it from my cart"),
    "view_cart": ("show your cart", "Show my cart"),
    "checkout": ("check out", "Check out"),
    "order_status": ("check on an order", "Where is my order?"),
    "cancel_order": ("cancel an order", "Cancel my order"),
    "human_handoff": ("put you through to a person", "Talk to a person"),
    "help": ("explain what I can do", "What can you do?"),
}
_SEARCHES = {"search", "refine", "visual_search"}
# Readings that change nothing and cost little: when one of them is likeliest, just do it
_READ_ONLY = {
    "view_cart",
    "order_status",
    "help",
    "greeting",
    "goodbye",
    "out_of_scope",
    "product_details",
    "visual_search",
}


def _ask_what(
    nlu: NLUResult, state: DialogueState, categories: dict[str, list[str]] | None
) -> Plan:
    """A request with nothing to search for ("blue", "cheap", "something nice?"): ask what
    kind of product, offering the shop's categories (those that have the colour named)."""
    categories = categories or {}
    color = nlu.slots.color
    cats = list(categories)
    if color:
        cats = [c for c in cats if color.lower() in {v.lower() for v in categories[c]}] or cats
    offer = cats[:4]
    what = f"in {color}" if color else ""
    if nlu.slots.price_max is not None:
        what += f" under ${nlu.slots.price_max:,.0f}"
    text = f"What kind of product are you looking for{(' ' + what.strip()) if what else ''}?"
    if offer:
        listed = ", ".join(offer[:-1]) + " or " + offer[-1] if len(offer) > 1 else offer[0]
        text += f" For example {listed}."
    return Plan(
        reply=text,
        reason="clarify vague request",
        quick_replies=[f"{c} {what}".strip() for c in offer],
    )


def _grounded(nlu: NLUResult) -> bool:
    """The turn carries what its reading needs (a filter for a search, a product for a
    product action, an order id for an order): the reading is likely right, go ahead."""
    s = nlu.slots
    if nlu.intent in _SEARCHES:
        return (
            any(getattr(s, k) is not None for k in SEARCH_FILTERS)
            or bool(s.modifier)
            or bool(s.options)  # the shop's own option values: "galaxy s24"
        )
    if nlu.intent in ("product_details", "compare", "add_to_cart", "remove_from_cart"):
        return bool(s.reference or s.product_id)
    if nlu.intent in ("order_status", "cancel_order"):
        return bool(s.order_id)
    return False


def clarify(nlu: NLUResult, state: DialogueState) -> Plan:
    """One short question for a turn the model is unsure of: the two likeliest readings
    (only when they would do different things), with quick replies."""
    ranked = sorted(nlu.intent_scores.items(), key=lambda kv: -kv[1]) or [(nlu.intent, 1.0)]
    top = [i for i, _ in ranked if i in _OFFER][:2]
    if nlu.intent not in top and nlu.intent in _OFFER:
        top = [nlu.intent, *top][:2]
    if not (state.last_shown or state.focus or nlu.slots.product_id) and len(top) == 2:
        # nothing shown or named: "retinol cream" as the first words is no question about
        # a product in play; the other reading goes ahead
        kept = [i for i in top if i not in ("product_details", "compare", "add_to_cart")]
        if len(kept) == 1 and kept[0] in _SEARCHES and (state.query or state.filters):
            return plan(nlu.model_copy(update={"intent": kept[0], "confidence": 1.0}), state, 0.0)
    if len(top) < 2 or set(top) <= _SEARCHES or nlu.intent in _READ_ONLY or _grounded(nlu):
        # searching either way, or small talk: go ahead with the likeliest reading
        return plan(nlu.model_copy(update={"confidence": 1.0}), state, 0.0)
    what = " ".join(words(nlu.text)[:8]) or "that"
    asks = [_OFFER[i][0].format(what=what) for i in top]
    replies = [_OFFER[i][1].format(what=what) for i in top]
    text = f"Just to be sure: do you want me to {asks[0]}, or {asks[1]}?"
    return Plan(reply=text, reason=f"clarify {top[0]} / {top[1]}", quick_replies=replies)
