"""Turns cut off mid-way (a hang-up, a crash) on the real AgentService, both backends:
the missed reply reaches the shopper as part of their next response (not as silent work
before it), a confirmed write still happens exactly once, and a confirmation nobody
answered is declined out loud."""

from __future__ import annotations

import asyncio
from typing import Any

from shopagent.agent.fake_openai import FakeOpenAIServer, FakeReply


async def _ask(svc: Any, fake_model: FakeOpenAIServer, pick_product: Any, sid: str) -> Any:
    pid, opts = pick_product(svc.catalog)
    fake_model.push(FakeReply(tool_calls=[("add_to_cart", {"product_id": pid, **opts})]))
    events = [e async for e in svc.stream_turn(user_id="alice", session_id=sid, text="add it")]
    assert events[-2].type == "confirm_required"
    return events[-2]


async def test_a_cut_off_reply_streams_with_the_next_response(
    service_factory: Any, fake_model: FakeOpenAIServer, pick_product: Any
) -> None:
    svc = await service_factory(local_base_url=fake_model.base_url)
    sid = (await svc.sessions.create_session("alice")).session_id
    ask = await _ask(svc, fake_model, pick_product, sid)

    # The shopper confirms; the write runs; they hang up while the reply is being written.
    fake_model.push(FakeReply(text="never delivered", delay_s=30))
    seen: list[Any] = []

    async def confirm() -> None:
        async for e in svc.stream_confirm(
            user_id="alice", session_id=sid, confirmation_id=ask.confirmation_id, approve=True
        ):
            seen.append(e)

    task = asyncio.create_task(confirm())
    while not any(e.type == "tool_result" for e in seen):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # now waiting on the slow model
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert (await svc.get_cart(user_id="alice"))["item_count"] == 1

    # The next message: the missed reply is the first thing the response carries, then
    # the new turn's own answer; the write is not repeated.
    fake_model.push(FakeReply(text="Added it to your cart."), FakeReply(text="You're welcome!"))
    stream = svc.stream_turn(user_id="alice", session_id=sid, text="thanks")
    first = await anext(stream)
    rest = [e async for e in stream]
    events = [first, *rest]
    texts = [e.text for e in events if e.type == "message"]
    assert texts == ["Added it to your cart.", "You're welcome!"]
    assert [e.type for e in events].count("done") == 1 and events[-1].type == "done"
    assert (await svc.get_cart(user_id="alice"))["item_count"] == 1
    history = await svc.history(user_id="alice", session_id=sid)
    assert [h.text for h in history if h.role == "assistant"][-2:] == texts


async def test_an_unanswered_confirmation_is_declined_out_loud(
    service_factory: Any, fake_model: FakeOpenAIServer, pick_product: Any
) -> None:
    # e.g. the shopper's "yes" was cut off before it reached the checkpoint, and after a
    # restart the confirmation still waits: moving on must not drop it silently.
    svc = await service_factory(local_base_url=fake_model.base_url)
    sid = (await svc.sessions.create_session("alice")).session_id
    ask = await _ask(svc, fake_model, pick_product, sid)
    fake_model.push(FakeReply(text="Here are some tents."))
    events = [
        e async for e in svc.stream_turn(user_id="alice", session_id=sid, text="show me tents")
    ]
    messages = [e.text for e in events if e.type == "message"]
    assert len(messages) == 2 and ask.summary in messages[0]
    assert "did not" in messages[0]
    assert messages[1] == "Here are some tents."
    assert (await svc.get_cart(user_id="alice"))["item_count"] == 0
    assert await svc.pending_confirmation(user_id="alice", session_id=sid) is None
