"""The embedded tier's planner: one NLU result + dialogue state -> tool calls or a reply.

Writes (cart, checkout, cancel) are only proposed here; the graph asks the shopper before
any of them runs. When the turn is unclear or beyond these templates, the plan escalates.
"""

from __future__ import annotations

import random
import re

from agent.embedded._schema import (
    CATALOG_SLOTS,
    DialogueState,
    NLUResult,
    Plan,
    PlannedCall,
    ToolOutcome,
)
from agent.embedded._state import resolve_references
from agent.embedded._titles import words

SEARCH_FILTERS = (*CATALOG_SLOTS, "price_min", "price_max")

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
ASK_WHICH = [
    'Which product do you mean? Say "the first one", "the second one" and so on.',
    'Which one? You can say "the second one" or "the last one".',
]
ASK_SEARCH_FIRST = "Which product do you mean? Search for something first and I'll show options."
ASK_PHOTO = "Upload a photo (or pick a product I showed) and I'll find similar items."


def _pick(options: list[str], state: DialogueState) -> str:
    # Deterministic per turn (replays stay stable) yet varied across a conversation.
    return random.Random(state.turn).choice(options)


def search_args(state: DialogueState, **extra: object) -> dict[str, object]:
    args: dict[str, object] = {"query": state.query or ""}
    args.update({k: v for k, v in state.filters.items() if k in SEARCH_FILTERS and v is not None})
    args.update(extra)
    return args


def _targets(nlu: NLUResult, state: DialogueState) -> tuple[list[str] | None, bool]:
    """Products the turn is about; and whether the shopper named some we could not resolve."""
    if nlu.slots.product_id:
        return [p.strip() for p in nlu.slots.product_id.split(",") if p.strip()], False
    if nlu.slots.reference:
        ids = resolve_references(state, nlu.slots.reference)
        return ids, ids is None
    if nlu.intent == "add_to_cart" and by_name(nlu):
        return None, False  # "buy <a title we do not know>": not the product in focus
    if state.focus:
        return [state.focus], False
    if len(state.last_shown) == 1:
        return list(state.last_shown), False
    return None, False


def plan(nlu: NLUResult, state: DialogueState, threshold: float) -> Plan:
    intent = nlu.intent
    if nlu.confidence < threshold:
        return Plan(
            escalate=True,
            reason=f"low NLU confidence {nlu.confidence:.2f} for "
            f"{intent} (threshold {threshold:.2f})",
        )
    s = nlu.slots
    call = PlannedCall
    if intent == "refine" and state.extra.get("visual_refine") and state.extra.get("image_id"):
        args = {"image_id": state.extra["image_id"], **state.extra.get("visual_filters", {})}
        return Plan(calls=[call(name="visual_search", args=args)])
    if intent in ("search", "refine"):
        if not state.query and not state.filters:
            return Plan(escalate=True, reason="search without anything to search for")
        args = search_args(state, page=state.page)
        calls = [call(name="catalog_search", args=args)]
        if intent == "search" and _broad(state):
            facet_args = {k: v for k, v in args.items() if k != "page"}
            calls.append(
                call(name="get_facets", args={**facet_args, "fields": ["size", "color", "brand"]})
            )
        return Plan(calls=calls)
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
        return _product_plan(nlu, state)
    if intent == "view_cart":
        return Plan(calls=[call(name="view_cart")])
    if intent == "checkout":
        return Plan(calls=[call(name="checkout")])
    if intent in ("order_status", "cancel_order"):
        if s.order_id:
            return Plan(calls=[call(name=intent, args={"order_id": s.order_id.split(",")[0]})])
        return Plan(calls=[call(name="list_orders")])
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


def _product_plan(nlu: NLUResult, state: DialogueState) -> Plan:
    s, intent, call = nlu.slots, nlu.intent, PlannedCall
    ids, unresolved = _targets(nlu, state)
    if intent == "compare":
        if ids and len(ids) == 1 and not unresolved and state.focus and state.focus != ids[0]:
            ids = [state.focus, ids[0]]  # "how does it compare to the first one?"
        if not ids or len(ids) < 2:
            ids = state.last_shown[:4] if not unresolved and len(state.last_shown) >= 2 else None
        if not ids and not unresolved and len(state.last_shown) == 1:
            # "which of those is the cheapest?" with one shown: that one's details
            return Plan(calls=[call(name="get_product", args={"product_id": state.last_shown[0]})])
        if not ids:
            return Plan(reply=ASK_SEARCH_FIRST if not state.last_shown else _pick(ASK_WHICH, state))
        return Plan(calls=[call(name="compare_products", args={"product_ids": ids[:4]})])
    if intent == "remove_from_cart":
        if ids and not unresolved and (s.reference or s.product_id):
            return Plan(calls=[call(name="remove_from_cart", args={"product_id": ids[0]})])
        # "remove the jeans": show the cart so the shopper can point at a line
        return Plan(calls=[call(name="view_cart")])
    if intent == "add_to_cart" and not unresolved and not s.reference and by_name(nlu):
        # a product named by a title we do not know: search for it, then add what matches
        query = {"query": by_name(nlu)}
        return Plan(calls=[call(name="catalog_search", args=query)], followup=True)
    if not ids or unresolved:
        return Plan(reply=ASK_SEARCH_FIRST if not state.last_shown else _pick(ASK_WHICH, state))
    if len(ids) > 1 and intent == "add_to_cart":
        return Plan(escalate=True, reason="several products in one add to cart")
    if intent == "product_details":
        return Plan(calls=[call(name="get_product", args={"product_id": ids[0]})])
    args: dict[str, object] = {"product_id": ids[0], "quantity": s.quantity or 1}
    if s.size:
        args["size"] = s.size
    if s.color:
        args["color"] = s.color
    return Plan(calls=[call(name="add_to_cart", args=args)])


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


def plan_next(nlu: NLUResult, state: DialogueState, outcomes: list[ToolOutcome]) -> Plan:
    """The step after a ``followup`` plan: add the product the search found by its name."""
    if nlu.intent != "add_to_cart":
        return Plan()
    found = next((o for o in outcomes if o.name == "catalog_search" and o.ok), None)
    products = list(((found.content or {}) if found else {}).get("products") or [])
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
