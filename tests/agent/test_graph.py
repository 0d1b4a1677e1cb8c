"""The whole graph through AgentService: real catalog, real stores and checkpointers
(SQLite and Redis), a scripted OpenAI-compatible model at the boundary."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple

from shopagent.agent.checkpoint import HeldReadSaver
from shopagent.agent.fake_openai import FakeOpenAIServer, FakeReply
from shopagent.agent.graph import build_graph
from shopagent.agent.service import AgentService
from shopagent.errors import NotFound

SNAPSHOT = Path(__file__).with_name("graph.mmd")


async def collect(stream: Any) -> list[Any]:
    return [e async for e in stream]


def types(events: list[Any]) -> list[str]:
    return [e.type for e in events]


async def new_session(svc: Any, user: str = "alice") -> str:
    return (await svc.sessions.create_session(user)).session_id


async def test_graph_shape_matches_snapshot(service_factory: Any) -> None:
    svc = await service_factory()
    drawing = svc.graph.get_graph().draw_mermaid()
    if os.environ.get("SHOPAGENT_UPDATE_SNAPSHOTS") == "1":  # after a deliberate change
        SNAPSHOT.write_text(drawing)
    assert drawing == SNAPSHOT.read_text()


async def test_search_turn_streams_typed_events_and_cards(
    service_factory: Any, fake_model: FakeOpenAIServer
) -> None:
    svc = await service_factory(local_base_url=fake_model.base_url)
    color = svc.catalog.facet_values()["color"][0]
    fake_model.push(
        FakeReply(tool_calls=[("catalog_search", {"query": "something nice", "color": color})]),
        FakeReply(text=f"Here are some {color} picks."),
    )
    sid = await new_session(svc)
    events = await collect(svc.stream_turn(user_id="alice", session_id=sid, text=f"{color} stuff"))
    kinds = types(events)
    assert kinds[0] == "route" and events[0].tier == "local"
    assert kinds[-1] == "done"
    # text streams while the model writes; the cards follow, then the final message
    assert kinds.index("tool_call") < kinds.index("tool_result") < kinds.index("products")
    assert kinds.index("products") < kinds.index("message")
    assert "message_delta" in kinds and kinds[-2] == "message"
    cards = next(e for e in events if e.type == "products").products
    assert cards and all(c.attributes.get("color", "").lower() == color.lower() for c in cards)
    assert events[-2].text == f"Here are some {color} picks."
    # the model saw the tool result as a tool message in its second call
    second = fake_model.requests[1]["messages"]
    assert second[-1]["role"] == "tool" and cards[0].id in second[-1]["content"]
    done = events[-1]
    assert done.usage.model_calls == {"local": 2} and done.usage.tokens_in["local"] == 100
    history = await svc.history(user_id="alice", session_id=sid)
    assert [h.role for h in history] == ["user", "assistant"]
    assert history[1].products and history[1].tier == "local"


async def test_write_waits_for_explicit_yes_and_never_runs_twice(
    service_factory: Any, fake_model: FakeOpenAIServer, pick_product: Any
) -> None:
    svc = await service_factory(local_base_url=fake_model.base_url)
    pid, opts = pick_product(svc.catalog)
    fake_model.push(
        FakeReply(tool_calls=[("add_to_cart", {"product_id": pid, "quantity": 2, **opts})]),
        FakeReply(text="Added to your cart."),
    )
    sid = await new_session(svc)
    events = await collect(svc.stream_turn(user_id="alice", session_id=sid, text="add it"))
    assert types(events)[-2:] == ["confirm_required", "done"]
    ask = events[-2]
    assert ask.tool == "add_to_cart" and pid in ask.summary
    assert (await svc.get_cart(user_id="alice"))["lines"] == []  # nothing before the yes
    pending = await svc.pending_confirmation(user_id="alice", session_id=sid)
    assert pending is not None and pending.confirmation_id == ask.confirmation_id

    events = await collect(
        svc.stream_confirm(
            user_id="alice", session_id=sid, confirmation_id=ask.confirmation_id, approve=True
        )
    )
    result = next(e for e in events if e.type == "tool_result")
    assert result.ok and result.name == "add_to_cart"
    assert events[-2].text == "Added to your cart."
    cart = await svc.get_cart(user_id="alice")
    assert [(line["product_id"], line["quantity"]) for line in cart["lines"]] == [(pid, 2)]
    # answering the same confirmation again is refused and writes nothing
    with pytest.raises(NotFound):
        await collect(
            svc.stream_confirm(
                user_id="alice", session_id=sid, confirmation_id=ask.confirmation_id, approve=True
            )
        )
    assert (await svc.get_cart(user_id="alice"))["item_count"] == 2


async def test_declining_changes_nothing_and_a_typed_yes_also_confirms(
    service_factory: Any, fake_model: FakeOpenAIServer, pick_product: Any
) -> None:
    svc = await service_factory(local_base_url=fake_model.base_url)
    pid, opts = pick_product(svc.catalog)
    sid = await new_session(svc)
    fake_model.push(FakeReply(tool_calls=[("add_to_cart", {"product_id": pid, **opts})]))
    ask = (await collect(svc.stream_turn(user_id="alice", session_id=sid, text="add")))[-2]
    events = await collect(
        svc.stream_confirm(
            user_id="alice", session_id=sid, confirmation_id=ask.confirmation_id, approve=False
        )
    )
    assert events[-2].type == "message" and "haven't changed anything" in events[-2].text
    assert (await svc.get_cart(user_id="alice"))["lines"] == []
    assert len(fake_model.requests) == 1  # the decline needs no model call

    fake_model.push(
        FakeReply(tool_calls=[("add_to_cart", {"product_id": pid, **opts})]),
        FakeReply(text="Done."),
    )
    await collect(svc.stream_turn(user_id="alice", session_id=sid, text="add it after all"))
    events = await collect(svc.stream_turn(user_id="alice", session_id=sid, text="yes please"))
    assert any(e.type == "tool_result" and e.ok for e in events)
    assert (await svc.get_cart(user_id="alice"))["item_count"] == 1


async def test_checkout_order_status_and_cancel(
    service_factory: Any, fake_model: FakeOpenAIServer, pick_product: Any
) -> None:
    svc = await service_factory(local_base_url=fake_model.base_url)
    pid, opts = pick_product(svc.catalog)
    sid = await new_session(svc)

    async def confirmed(text: str, *replies: FakeReply) -> list[Any]:
        fake_model.push(*replies)
        events = await collect(svc.stream_turn(user_id="alice", session_id=sid, text=text))
        ask = events[-2]
        assert ask.type == "confirm_required"
        return await collect(
            svc.stream_confirm(
                user_id="alice", session_id=sid, confirmation_id=ask.confirmation_id, approve=True
            )
        )

    await confirmed(
        "add",
        FakeReply(tool_calls=[("add_to_cart", {"product_id": pid, **opts})]),
        FakeReply(text="ok"),
    )
    events = await confirmed(
        "checkout", FakeReply(tool_calls=[("checkout", {})]), FakeReply(text="Order placed.")
    )
    order_id = next(e for e in events if e.type == "tool_result").content["order_id"]
    assert (await svc.get_cart(user_id="alice"))["lines"] == []
    fake_model.push(
        FakeReply(tool_calls=[("order_status", {"order_id": order_id})]),
        FakeReply(text="It is pending."),
    )
    events = await collect(svc.stream_turn(user_id="alice", session_id=sid, text="status?"))
    status = next(e for e in events if e.type == "tool_result")
    assert status.ok and status.content["order"]["status"] == "pending"
    events = await confirmed(
        "cancel it",
        FakeReply(tool_calls=[("cancel_order", {"order_id": order_id})]),
        FakeReply(text="Cancelled."),
    )
    assert next(e for e in events if e.type == "tool_result").content["status"] == "cancelled"


async def test_tools_act_only_for_the_authenticated_user(
    service_factory: Any, fake_model: FakeOpenAIServer, pick_product: Any
) -> None:
    svc = await service_factory(local_base_url=fake_model.base_url)
    pid, opts = pick_product(svc.catalog)
    alice = await new_session(svc, "alice")
    fake_model.push(
        FakeReply(tool_calls=[("add_to_cart", {"product_id": pid, **opts})]),
        FakeReply(text="ok"),
        FakeReply(tool_calls=[("checkout", {})]),
        FakeReply(text="ok"),
    )
    for text in ("add", "checkout"):
        ask = (await collect(svc.stream_turn(user_id="alice", session_id=alice, text=text)))[-2]
        events = await collect(
            svc.stream_confirm(
                user_id="alice", session_id=alice, confirmation_id=ask.confirmation_id, approve=True
            )
        )
    order_id = next(e for e in events if e.type == "tool_result").content["order_id"]

    # Bob cannot use Alice's session at all: it answers exactly like a missing one.
    with pytest.raises(NotFound):
        await collect(svc.stream_turn(user_id="bob", session_id=alice, text="hi"))
    with pytest.raises(NotFound):
        await svc.history(user_id="bob", session_id=alice)
    # In his own session, a model asking for Alice's order gets "not found", and a
    # confirmed cancel of it changes nothing; a user_id argument is rejected outright.
    bob = await new_session(svc, "bob")
    fake_model.push(
        FakeReply(tool_calls=[("order_status", {"order_id": order_id})]),
        FakeReply(text="no such order"),
        FakeReply(tool_calls=[("cancel_order", {"order_id": order_id})]),
        FakeReply(text="could not"),
        FakeReply(tool_calls=[("view_cart", {"user_id": "alice"})]),
        FakeReply(text="?"),
    )
    events = await collect(svc.stream_turn(user_id="bob", session_id=bob, text="alice's order"))
    res = next(e for e in events if e.type == "tool_result")
    assert not res.ok and res.error_code == "not_found"
    # a cancel of her order is refused before Bob is even asked to confirm it
    events = await collect(svc.stream_turn(user_id="bob", session_id=bob, text="cancel"))
    assert "confirm_required" not in types(events)
    assert next(e for e in events if e.type == "tool_result").error_code == "not_found"
    events = await collect(svc.stream_turn(user_id="bob", session_id=bob, text="her cart"))
    assert next(e for e in events if e.type == "tool_result").error_code == "invalid_arguments"
    order = await svc.stores.get_order("alice", order_id)
    assert order is not None and order.status == "pending"


async def test_invalid_tool_calls_become_tool_errors_then_escalate(
    service_factory: Any, fake_model: FakeOpenAIServer
) -> None:
    with FakeOpenAIServer(model="frontier-x") as frontier:
        svc = await service_factory(
            local_base_url=fake_model.base_url, frontier_base_url=frontier.base_url
        )
        fake_model.push(
            FakeReply(tool_calls=[("find_stuff", {"q": "x"})]),
            FakeReply(tool_calls=[("catalog_search", "{not json")]),
        )
        frontier.push(FakeReply(text="Let me help with that."))
        sid = await new_session(svc)
        events = await collect(
            svc.stream_turn(user_id="alice", session_id=sid, text="find me something")
        )
    routes = [e for e in events if e.type == "route"]
    assert [r.tier for r in routes][-1] == "frontier"
    assert "escalated after local failed" in routes[-1].reason
    errors = [e.error_code for e in events if e.type == "tool_result"]
    assert errors == ["unknown_tool", "invalid_arguments"]
    assert events[-2].text == "Let me help with that." and events[-1].type == "done"
    # the model was told what went wrong, so it could have fixed its call
    assert "unknown tool" in fake_model.requests[1]["messages"][-1]["content"]


async def test_failing_model_twice_then_no_tier_gives_an_apology(
    service_factory: Any, fake_model: FakeOpenAIServer
) -> None:
    # no SDK retry here, so each scripted failure is one failed attempt of the tier
    svc = await service_factory(local_base_url=fake_model.base_url, model_max_retries=0)
    fake_model.push(FakeReply(status=500), FakeReply(status=503))
    sid = await new_session(svc)
    events = await collect(svc.stream_turn(user_id="alice", session_id=sid, text="hello"))
    assert [e.tier for e in events if e.type == "route"] == ["local", "local", "none"]
    assert "no assistant model is available" in events[-2].text
    assert events[-1].type == "done"


async def test_no_model_configured_never_crashes(service_factory: Any) -> None:
    svc = await service_factory()
    sid = await new_session(svc)
    events = await collect(svc.stream_turn(user_id="alice", session_id=sid, text="red dress"))
    assert types(events) == ["route", "message_delta", "message", "done"]
    assert events[0].tier == "none" and "no model tier can answer" in events[0].reason


async def test_step_bound_ends_the_turn_with_a_message(
    service_factory: Any, fake_model: FakeOpenAIServer
) -> None:
    svc = await service_factory(local_base_url=fake_model.base_url, max_steps_per_turn=2)
    fake_model.responder = lambda body: FakeReply(tool_calls=[("catalog_search", {"query": "x"})])
    sid = await new_session(svc)
    events = await collect(svc.stream_turn(user_id="alice", session_id=sid, text="loop"))
    assert sum(e.type == "tool_result" for e in events) == 2
    assert "as many steps as I can" in events[-2].text and events[-1].type == "done"


async def test_deleting_a_session_removes_its_history(
    service_factory: Any, fake_model: FakeOpenAIServer
) -> None:
    svc = await service_factory(local_base_url=fake_model.base_url)
    fake_model.push(FakeReply(text="hi"))
    sid = await new_session(svc)
    await collect(svc.stream_turn(user_id="alice", session_id=sid, text="hello"))
    await svc.delete_session(user_id="alice", session_id=sid)
    with pytest.raises(NotFound):
        await svc.history(user_id="alice", session_id=sid)
    assert (
        await svc.checkpointer.aget_tuple({"configurable": {"thread_id": sid, "checkpoint_ns": ""}})
        is None
    )


async def test_a_write_that_cannot_succeed_is_not_put_to_the_shopper(
    service_factory: Any, fake_model: FakeOpenAIServer
) -> None:
    svc = await service_factory(local_base_url=fake_model.base_url)
    fake_model.push(
        FakeReply(tool_calls=[("checkout", {})]),
        FakeReply(text="Your cart is empty, so there is nothing to order yet."),
    )
    sid = await new_session(svc)
    events = await collect(svc.stream_turn(user_id="alice", session_id=sid, text="checkout"))
    assert "confirm_required" not in types(events)
    assert next(e for e in events if e.type == "tool_result").error_code == "empty_cart"
    # the model saw why and answered the shopper
    assert "empty_cart" in fake_model.requests[1]["messages"][-1]["content"]
    assert events[-2].text.startswith("Your cart is empty")


async def test_history_with_tools_records_calls_and_results_for_export(
    service_factory: Any, fake_model: FakeOpenAIServer
) -> None:
    svc = await service_factory(local_base_url=fake_model.base_url)
    fake_model.push(FakeReply(tool_calls=[("view_cart", {})]), FakeReply(text="Empty."))
    sid = await new_session(svc)
    await collect(svc.stream_turn(user_id="alice", session_id=sid, text="my cart?"))
    plain = await svc.history(user_id="alice", session_id=sid)
    assert [h.role for h in plain] == ["user", "assistant"]
    full = await svc.history(user_id="alice", session_id=sid, include_tools=True)
    assert [h.role for h in full] == ["user", "assistant", "tool", "assistant"]
    assert full[1].tool_calls[0].name == "view_cart"
    assert '"item_count": 0' in full[2].text and full[3].text == "Empty."


async def test_a_turn_reads_its_history_from_storage_once(
    service_factory: Any, fake_model: FakeOpenAIServer
) -> None:
    """The service's look at the thread and the graph's run share one checkpoint read; a
    write in between (a confirmation's steps) is never answered from the held read."""
    svc = await service_factory(local_base_url=fake_model.base_url)
    sid = await new_session(svc)
    saver = svc.graph.checkpointer
    assert isinstance(saver, HeldReadSaver)
    reads: list[str] = []

    class Counting(HeldReadSaver):  # the storage below the held reads, counted
        async def aget_tuple(self, config: Any) -> Any:
            reads.append(config["configurable"]["thread_id"])
            return await self.inner.aget_tuple(config)

    saver.inner = Counting(saver.inner)
    for text in ("hello", "show me shoes", "anything else?"):
        fake_model.push(FakeReply(text=f"re: {text}"))
        events = await collect(svc.stream_turn(user_id="alice", session_id=sid, text=text))
        assert events[-1].type == "done" and "error" not in types(events)
    assert reads == [sid] * 3  # one storage read per turn, not two
    history = await svc.history(user_id="alice", session_id=sid)
    texts = [m.text for m in history if m.role == "assistant"]
    assert texts[-3:] == ["re: hello", "re: show me shoes", "re: anything else?"]
    assert not saver.held_threads()  # nothing is kept once the turn is over


async def test_without_held_reads_a_turn_reads_twice_and_answers_the_same(
    service_factory: Any, fake_model: FakeOpenAIServer
) -> None:
    """hold_reads=False (the bench's other arm): the run reads the thread itself."""
    svc = await service_factory(local_base_url=fake_model.base_url)
    graph = build_graph(svc.deps).compile(checkpointer=svc.checkpointer)
    plain = AgentService(svc.deps, graph, svc.sessions, svc.checkpointer, hold_reads=False)
    assert not isinstance(plain.graph.checkpointer, HeldReadSaver)
    sid = await new_session(plain)
    for text in ("hello", "anything else?"):
        fake_model.push(FakeReply(text=f"re: {text}"))
        events = await collect(plain.stream_turn(user_id="alice", session_id=sid, text=text))
        assert events[-2].text == f"re: {text}" and events[-1].type == "done"


async def test_a_turn_given_its_session_record_does_not_read_it_again(
    service_factory: Any, fake_model: FakeOpenAIServer
) -> None:
    """The API reads the record to check ownership before the turn lock and passes it on."""
    svc = await service_factory(local_base_url=fake_model.base_url)

    class Counting:
        def __init__(self, inner: Any) -> None:
            self.inner, self.reads = inner, 0

        async def get_session(self, user_id: str, session_id: str) -> Any:
            self.reads += 1
            return await self.inner.get_session(user_id, session_id)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    sessions = Counting(svc.sessions)
    counted = AgentService(svc.deps, svc.graph, sessions, svc.checkpointer)  # type: ignore[arg-type]
    sid = await new_session(svc)
    info = await svc.sessions.get_session("alice", sid)
    fake_model.push(FakeReply(text="hi"))
    events = await collect(
        counted.stream_turn(user_id="alice", session_id=sid, text="hello", session=info)
    )
    assert events[-2].text == "hi" and sessions.reads == 0
    # another user's call carrying that record is still checked, and refused
    with pytest.raises(NotFound):
        await collect(counted.stream_turn(user_id="bob", session_id=sid, text="hi", session=info))
    assert sessions.reads == 1
    history = await svc.history(user_id="alice", session_id=sid)
    assert [h.text for h in history] == ["hello", "hi"]


class _Saver(BaseCheckpointSaver[int]):
    """A saver whose reads say how many writes came before them."""

    def __init__(self) -> None:
        super().__init__()
        self.version = 0

    async def aget_tuple(self, config: Any) -> Any:
        return CheckpointTuple(config, {"v": self.version}, {}, None, [])  # type: ignore[typeddict-item]

    async def aput(self, config: Any, *a: Any) -> Any:
        self.version += 1
        return config

    async def aput_writes(self, config: Any, *a: Any) -> None:
        self.version += 1

    async def adelete_thread(self, thread_id: str) -> None:
        self.version += 1

    async def acopy_thread(self, source: str, target: str) -> None:
        self.version += 1

    async def aprune(self, thread_ids: Any, *, strategy: str = "keep_latest") -> None:
        self.version += 1


async def test_a_held_read_is_dropped_by_any_write_to_its_thread() -> None:
    inner = _Saver()
    saver = HeldReadSaver(inner)
    cfg: Any = {"configurable": {"thread_id": "t1"}}
    other: Any = {"configurable": {"thread_id": "t2"}}
    await saver.hold(cfg)
    inner.version = 7  # a read served from the hold does not reach storage
    assert (await saver.aget_tuple(cfg)).checkpoint["v"] == 0
    await saver.aput(other, {}, {}, {})  # another thread's write keeps t1's read
    assert (await saver.aget_tuple(cfg)).checkpoint["v"] == 0
    assert (await saver.aget_tuple(cfg)).checkpoint["v"] == 8  # held for two reads only
    writes = (
        lambda: saver.aput(cfg, {}, {}, {}),  # type: ignore[arg-type]
        lambda: saver.aput_writes(cfg, [], "task"),
        lambda: saver.adelete_thread("t1"),
        lambda: saver.acopy_thread("t2", "t1"),
        lambda: saver.aprune(["t1"]),
    )
    for write in writes:
        await saver.hold(cfg)
        before = inner.version
        await write()
        assert (await saver.aget_tuple(cfg)).checkpoint["v"] == before + 1  # read again


def test_the_held_read_saver_keeps_langgraphs_task_path() -> None:
    """LangGraph passes ``task_path`` only to savers whose put_writes names it."""
    from langgraph.pregel._checkpoint import put_writes_accepts_task_path

    saver = HeldReadSaver(_Saver())
    assert put_writes_accepts_task_path(saver.aput_writes)
    assert put_writes_accepts_task_path(saver.put_writes)
