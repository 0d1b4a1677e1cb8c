"""Turns over SSE: event order, confirmations, failures, one turn at a time, metrics."""

from __future__ import annotations

import asyncio

from tests.api.helpers import ALICE, Api, parse_sse


async def test_turn_streams_typed_events_with_done_last(api: Api) -> None:
    sid = await api.new_session()
    events = await api.turn(sid, "blue linen shirts")
    kinds = [k for k, _ in events]
    assert kinds[0] == "route" and kinds[-1] == "done"
    assert kinds.count("done") == 1
    assert {"tool_call", "tool_result", "products", "message_delta", "message"} <= set(kinds)
    products = next(d for k, d in events if k == "products")["products"]
    assert products[0]["title"] == "Linen Shirt" and products[0]["price"] == "39.00"
    deltas = "".join(d["text"] for k, d in events if k == "message_delta")
    message = next(d for k, d in events if k == "message")
    assert deltas.strip() == message["text"]
    # Each event's data carries its own type, matching the SSE event name.
    assert all(d["type"] == k for k, d in events)


async def test_add_to_cart_needs_confirmation(api: Api) -> None:
    sid = await api.new_session()
    events = await api.turn(sid, "add the linen shirt to my cart")
    confirm = next(d for k, d in events if k == "confirm_required")
    assert [k for k, _ in events][-1] == "done"
    assert (await api.client.get("/v1/cart", headers=ALICE)).json()["item_count"] == 0

    # The pending question survives a page reload.
    detail = (await api.client.get(f"/v1/sessions/{sid}", headers=ALICE)).json()
    assert detail["pending_confirmation"]["confirmation_id"] == confirm["confirmation_id"]

    wrong = await api.client.post(
        f"/v1/sessions/{sid}/confirm",
        json={"confirmation_id": "c-other", "approve": True},
        headers=ALICE,
    )
    assert wrong.status_code == 404
    assert wrong.json()["error"]["code"] == "confirmation_not_found"

    r = await api.client.post(
        f"/v1/sessions/{sid}/confirm",
        json={"confirmation_id": confirm["confirmation_id"], "approve": True},
        headers=ALICE,
    )
    assert r.status_code == 200
    after = parse_sse(r.text)
    assert [k for k, _ in after][-1] == "done"
    assert "Added Linen Shirt" in next(d for k, d in after if k == "message")["text"]
    cart = (await api.client.get("/v1/cart", headers=ALICE)).json()
    assert cart["item_count"] == 1 and cart["lines"][0]["product_id"] == "p-00001"

    # Answered: a second confirm with the same id has nothing to confirm.
    again = await api.client.post(
        f"/v1/sessions/{sid}/confirm",
        json={"confirmation_id": confirm["confirmation_id"], "approve": True},
        headers=ALICE,
    )
    assert again.status_code == 404
    assert (await api.client.get("/v1/cart", headers=ALICE)).json()["item_count"] == 1


async def test_declined_confirmation_leaves_cart_alone(api: Api) -> None:
    sid = await api.new_session()
    confirm = next(
        d for k, d in await api.turn(sid, "add it to the cart") if k == "confirm_required"
    )
    r = await api.client.post(
        f"/v1/sessions/{sid}/confirm",
        json={"confirmation_id": confirm["confirmation_id"], "approve": False},
        headers=ALICE,
    )
    assert "did not change" in next(d for k, d in parse_sse(r.text) if k == "message")["text"]
    assert (await api.client.get("/v1/cart", headers=ALICE)).json()["item_count"] == 0


async def test_agent_failure_mid_stream_becomes_error_then_done(api: Api) -> None:
    sid = await api.new_session()
    events = await api.turn(sid, "boom")
    assert [k for k, _ in events] == ["route", "error", "done"]
    assert events[1][1]["code"] == "internal_error"
    assert "scripted" not in events[1][1]["message"]  # internals stay in the logs
    # The session is usable afterwards.
    assert [k for k, _ in await api.turn(sid, "shirts")][-1] == "done"


async def test_second_concurrent_turn_in_a_session_is_409(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = await api_factory(model_delay_s=0.6)
    sid = await api.new_session()
    other = await api.new_session()
    first = asyncio.create_task(
        api.client.post(f"/v1/sessions/{sid}/messages", json={"text": "shirts"}, headers=ALICE)
    )
    await asyncio.wait_for(api.service.model_call_started.wait(), 5)
    second = await api.client.post(
        f"/v1/sessions/{sid}/messages", json={"text": "more"}, headers=ALICE
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "turn_in_progress"
    # Other sessions are not blocked, even for the same user.
    third = await api.client.post(
        f"/v1/sessions/{other}/messages", json={"text": "x"}, headers=ALICE
    )
    assert third.status_code == 200
    assert (await first).status_code == 200
    # Once the first turn is done the session takes messages again.
    assert [k for k, _ in await api.turn(sid, "more")][-1] == "done"


async def test_metrics_count_turns_tiers_tokens_cost_and_tool_errors(api: Api) -> None:
    sid = await api.new_session()
    await api.turn(sid, "shirts")
    await api.turn(sid, "boom")
    text = (await api.client.get("/metrics")).text
    assert 'shopagent_turns_total{outcome="ok",tier="local"} 1.0' in text
    assert 'shopagent_turns_total{outcome="error",tier="local"} 1.0' in text
    assert 'shopagent_tokens_total{direction="in",tier="local"} 120.0' in text
    assert 'shopagent_turn_errors_total{code="internal_error"} 1.0' in text
    assert 'shopagent_tool_calls_total{result="ok",tool="search_products"} 1.0' in text
    # local price: 0.05 $/1M in, 0.20 $/1M out -> 120*0.05e-6 + 40*0.2e-6
    cost_line = next(
        line
        for line in text.splitlines()
        if line.startswith('shopagent_estimated_cost_usd_total{tier="local"}')
    )
    assert abs(float(cost_line.split()[-1]) - (120 * 0.05 + 40 * 0.20) / 1e6) < 1e-12
    assert "shopagent_turn_latency_seconds_bucket" in text
    assert 'route="/v1/sessions/{session_id}/messages",status="200"' in text


async def test_tool_error_is_counted(api: Api) -> None:
    from shopagent.agent.events import ToolResultEvent
    from shopagent.api._metrics import ApiMetrics

    metrics = ApiMetrics()
    obs = metrics.turn_observer()
    obs.see(ToolResultEvent(id="1", name="add_to_cart", ok=False, error_code="out_of_stock"))
    obs.finish(0.1)
    text = metrics.render().decode()
    assert 'shopagent_tool_errors_total{code="out_of_stock",tool="add_to_cart"} 1.0' in text
