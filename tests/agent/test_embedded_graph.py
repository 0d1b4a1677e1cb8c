"""Routine turns end to end through the graph with the embedded tier alone (no model
endpoint configured): search with filters, refine, references, compare, cart with
confirmation, checkout and order status."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage


@pytest.fixture(scope="module")
def embedded_tier(shared_catalog: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from types import SimpleNamespace

    from shopagent.agent.embedded import EmbeddedTier
    from shopagent.training.embedded import quick_model

    settings = SimpleNamespace(
        embedded_model_path=tmp_path_factory.mktemp("embedded") / "model",
        nlu_confidence_threshold=0.6,
    )
    quick_model(settings, shared_catalog)
    return EmbeddedTier.load(settings, shared_catalog.facet_values())


def busiest(catalog: Any) -> tuple[str, str]:
    """A (leaf category, colour) pair with several in-stock products, from the catalog."""
    products = [catalog.get_product(i) for i in catalog.product_ids()]
    pairs = Counter(
        (p.leaf_category, str(p.attributes.get("color")))
        for p in products
        if p.available and isinstance(p.attributes.get("color"), str)
    )
    (leaf, color), _ = pairs.most_common(1)[0]
    return leaf, color


async def turn(svc: Any, sid: str, text: str) -> list[Any]:
    return [e async for e in svc.stream_turn(user_id="alice", session_id=sid, text=text)]


def of(events: list[Any], kind: str) -> list[Any]:
    return [e for e in events if e.type == kind]


async def test_routine_conversation_on_the_embedded_tier_alone(
    service_factory: Any, embedded_tier: Any, shared_catalog: Any
) -> None:
    svc = await service_factory(embedded=embedded_tier)
    assert svc.deps.models == {}  # no local or frontier endpoint
    leaf, color = busiest(shared_catalog)
    sid = (await svc.sessions.create_session("alice")).session_id

    events = await turn(svc, sid, f"show me {leaf.lower()} under 500 dollars")
    assert of(events, "route")[0].tier == "embedded"
    call = of(events, "tool_call")[0]
    assert call.name == "catalog_search" and call.arguments["price_max"] == 500
    cards = of(events, "products")[0].products
    assert cards and all(Decimal(c.price) <= 500 and leaf in (c.category or "") for c in cards)

    events = await turn(svc, sid, f"now in {color}")  # refine keeps category and price
    args = of(events, "tool_call")[0].arguments
    assert args["color"] == color and args["price_max"] == 500 and args["category"]
    shown = of(events, "products")[0].products
    assert all(c.attributes.get("color") == color and Decimal(c.price) <= 500 for c in shown)
    # grounded: every amount the reply names is the shopper's bound or a shown price
    message = of(events, "message")[0].text
    allowed = {500.0, *(float(c.price) for c in shown)}
    assert all(float(a) in allowed for a in re.findall(r"\$(\d+(?:\.\d+)?)", message))

    if len(shown) >= 2:
        events = await turn(svc, sid, "compare the first two")
        cmp_call = of(events, "tool_call")[0]
        assert cmp_call.name == "compare_products"
        assert cmp_call.arguments["product_ids"] == [shown[0].id, shown[1].id]

    events = await turn(svc, sid, "add the first one to my cart")
    asks = of(events, "confirm_required")
    if not asks:  # the product has options: the tier asks which one before any write
        assert "?" in of(events, "message")[0].text
        product = shared_catalog.get_product(shown[0].id)
        size = next(v.options["size"] for v in product.variants if v.available)
        events = await turn(svc, sid, f"add the first one in size {size}")
        asks = of(events, "confirm_required")
    assert asks and asks[0].tool == "add_to_cart"
    assert asks[0].arguments["product_id"] == shown[0].id
    assert (await svc.get_cart(user_id="alice"))["lines"] == []

    events = await turn(svc, sid, "yes")
    assert of(events, "tool_result")[0].ok
    cart = await svc.get_cart(user_id="alice")
    assert [line["product_id"] for line in cart["lines"]] == [shown[0].id]

    events = await turn(svc, sid, "checkout please")
    ask = of(events, "confirm_required")[0]
    events = [
        e
        async for e in svc.stream_confirm(
            user_id="alice", session_id=sid, confirmation_id=ask.confirmation_id, approve=True
        )
    ]
    order_id = of(events, "tool_result")[0].content["order_id"]
    assert order_id in of(events, "message")[0].text

    events = await turn(svc, sid, f"where is my order {order_id}?")
    status = of(events, "tool_call")[0]
    assert status.name == "order_status" and status.arguments["order_id"] == order_id
    assert "pending" in of(events, "message")[0].text.lower()


async def test_saying_the_write_again_answers_its_confirmation(
    service_factory: Any, embedded_tier: Any, shared_catalog: Any
) -> None:
    """ "add it" to "Add 1 x ...?" is a yes to that add (not a second request that declines
    the first and asks again); "place the order" to the checkout's question places it."""
    svc = await service_factory(embedded=embedded_tier)
    leaf, _ = busiest(shared_catalog)
    sid = (await svc.sessions.create_session("alice")).session_id
    shown = of(await turn(svc, sid, f"show me {leaf.lower()}"), "products")[0].products
    product = shared_catalog.get_product(shown[0].id)
    variant = next(v for v in product.variants if v.available)
    said = " ".join(f"{k} {v}" for k, v in variant.options.items())
    events = await turn(svc, sid, f"add the first one {said}".strip())
    asks = of(events, "confirm_required")
    assert asks and asks[0].tool == "add_to_cart", events

    events = await turn(svc, sid, "add it please")
    assert not of(events, "confirm_required"), events  # not asked a second time
    assert "did not go ahead" not in " ".join(e.text for e in of(events, "message"))
    cart = await svc.get_cart(user_id="alice")
    assert [line["variant_id"] for line in cart["lines"]] == [asks[0].variant_id]

    asks = of(await turn(svc, sid, "checkout"), "confirm_required")
    assert asks and asks[0].tool == "checkout", asks
    events = await turn(svc, sid, "ok place the order")
    assert of(events, "tool_result")[0].content["order_id"]
    assert (await svc.get_cart(user_id="alice"))["lines"] == []


async def test_relaxed_searches_stop_at_the_first_that_finds_products(
    service_factory: Any, embedded_tier: Any, shared_catalog: Any
) -> None:
    """A filtered search that finds nothing is retried with filters dropped one at a time;
    the reply uses the first retry that finds products, so the later ones are not run, and
    leave the history: it shows the calls that ran, each with its result."""
    svc = await service_factory(embedded=embedded_tier)
    products = [shared_catalog.get_product(i) for i in shared_catalog.product_ids()]
    leaf, _ = busiest(shared_catalog)
    colours = {str(p.attributes.get("color")) for p in products if p.attributes.get("color")}
    in_leaf = {str(p.attributes.get("color")) for p in products if p.leaf_category == leaf}
    absent = sorted(colours - in_leaf)
    if not absent:
        pytest.skip("every colour of the catalog is in its busiest category")
    sid = (await svc.sessions.create_session("alice")).session_id

    events = await turn(svc, sid, f"{absent[0]} {leaf.lower()} under 500 dollars")
    calls = of(events, "tool_call")
    assert calls[0].arguments["color"] == absent[0]  # nothing in that colour
    # colour dropped, and that finds them: price and category are not dropped after it
    assert len(calls) == 2 and "color" not in calls[1].arguments
    assert calls[1].arguments["price_max"] == 500
    assert "I dropped the colour" in of(events, "message")[0].text
    assert of(events, "products")[0].products

    history = await svc.history(user_id="alice", session_id=sid, include_tools=True)
    assert [c.id for h in history for c in h.tool_calls] == [c.id for c in calls]
    thread = await svc.graph.aget_state({"configurable": {"thread_id": sid}})
    messages = thread.values["messages"]
    asked = [c["id"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls]
    answered = [m.tool_call_id for m in messages if isinstance(m, ToolMessage)]
    assert asked == answered == [c.id for c in calls]  # not the 2 alternatives not run
