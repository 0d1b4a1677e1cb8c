"""The embedded tier (CPU, no model endpoint) reaches the discovery tools through their
example requests, on the real graph: complete the look and add it in one confirmed step,
a gift plan, and a taste remembered in one session and shown in the next."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture
def backend() -> str:  # the stores are tested elsewhere; one backend is enough here
    return "sqlite"


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


async def turn(svc: Any, sid: str, text: str, user: str = "ann") -> list[Any]:
    return [e async for e in svc.stream_turn(user_id=user, session_id=sid, text=text)]


def of(events: list[Any], kind: str) -> list[Any]:
    return [e for e in events if e.type == kind]


async def test_look_and_taste_in_the_embedded_tier(
    service_factory: Any, embedded_tier: Any, shared_catalog: Any
) -> None:
    svc = await service_factory(embedded=embedded_tier)
    assert svc.deps.models == {}
    sid = (await svc.sessions.create_session("ann")).session_id

    events = await turn(svc, sid, "show me dresses")
    shown = [c for c in of(events, "products")[0].products]
    assert shown and all("Dresses" in (c.category or "") for c in shown)

    events = await turn(svc, sid, "what would go well with the first one?")
    route = of(events, "route")[0]
    assert route.tier == "embedded" and route.intent == "plugin:complete_the_look"
    call = of(events, "tool_call")[0]
    assert call.name == "complete_the_look" and call.arguments["product_id"] == shown[0].id
    cards = of(events, "products")[0].products
    assert cards and not any("Dresses" in (c.category or "") for c in cards)
    look = of(events, "tool_result")[0].content["look"]["items"]
    assert len(look) >= 2

    needs = [i["needs"] for i in look if i["needs"]]
    if needs:  # a size is asked for, never guessed; the shopper's answer is remembered
        events = await turn(svc, sid, "add the whole look")
        assert not of(events, "confirm_required")
        assert "which size" in of(events, "message")[0].text.lower()
        for need in needs:
            events = await turn(svc, sid, f"I wear size {need['values'][0]}")
            assert of(events, "tool_call")[0].name == "remember_preference"
    events = await turn(svc, sid, "add the whole look")
    ask = of(events, "confirm_required")[0]
    assert ask.tool == "add_look_to_cart"
    for item in look:  # the confirmation names every item and its exact price
        assert item["title"] in ask.summary and item["unit_price"] in ask.summary
    done = [
        e
        async for e in svc.stream_confirm(
            user_id="ann", session_id=sid, confirmation_id=ask.confirmation_id, approve=True
        )
    ]
    assert of(done, "tool_result")[0].ok
    cart = await svc.deps.stores.get_cart("ann")
    assert {ln.product_id for ln in cart.lines} == {i["product_id"] for i in look}
    for ln in cart.lines:
        shown_price = next(i["unit_price"] for i in look if i["product_id"] == ln.product_id)
        if not any(i["needs"] for i in look if i["product_id"] == ln.product_id):
            assert Decimal(str(ln.unit_price)) == Decimal(shown_price)

    # Taste said in one session is known in the next one; another user knows nothing.
    events = await turn(svc, sid, "I'm a size M, no polyester please")
    assert of(events, "tool_call")[0].name == "remember_preference"
    sid2 = (await svc.sessions.create_session("ann")).session_id
    events = await turn(svc, sid2, "what do you know about me?")
    assert of(events, "tool_call")[0].name == "show_profile"
    text = of(events, "message")[0].text.lower()
    assert "polyester" in text and "m" in text
    other = (await svc.sessions.create_session("bob")).session_id
    events = await turn(svc, other, "what do you know about me?", user="bob")
    assert "polyester" not in of(events, "message")[0].text.lower()

    events = await turn(svc, sid2, "forget everything")
    assert of(events, "tool_call")[0].name == "forget_profile"
    events = await turn(svc, sid2, "what do you know about me?")
    assert "polyester" not in of(events, "message")[0].text.lower()


async def test_gift_request_in_the_embedded_tier(service_factory: Any, embedded_tier: Any) -> None:
    svc = await service_factory(embedded=embedded_tier)
    sid = (await svc.sessions.create_session("cy")).session_id
    events = await turn(svc, sid, "gift for my mum who loves gardening, under 40", user="cy")
    assert of(events, "tool_call")[0].name == "gift_ideas"
    cards = of(events, "products")[0].products
    assert cards and all(Decimal(c.price) <= 40 for c in cards)
    assert len({c.category for c in cards}) >= 2
    assert all(c.reason and "gardening" in c.reason for c in cards)  # one line each
    first = {c.id: c for c in cards}
    events = await turn(svc, sid, "cheaper gift ideas please", user="cy")
    assert of(events, "tool_call")[0].name == "gift_ideas"
    res = of(events, "tool_result")[0]
    if not res.ok:  # the small test catalog may have nothing cheaper: it says so
        assert res.error_code == "no_results"
        assert "nothing cheaper" in of(events, "message")[0].text
        return
    cheaper = of(events, "products")[0].products
    assert cheaper and not set(first) & {c.id for c in cheaper}
    for c in cheaper:  # each idea costs less than the one its category showed before
        before = [Decimal(o.price) for o in first.values() if o.category == c.category]
        assert not before or Decimal(c.price) < min(before)
