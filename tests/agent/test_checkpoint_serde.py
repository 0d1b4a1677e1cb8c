"""The checkpoint serializer that decodes and encodes each history message once
(agent/checkpoint/_serde.py): what it writes is exactly what LangGraph's writes, and a
message replaced in the history is written as it is now, never as it was read."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.graph.message import add_messages

from shopagent.agent.checkpoint._serde import HistorySerializer


def _history() -> list[Any]:
    # a hardware shop's conversation, not the demo's
    return [
        HumanMessage(content="cordless drills under 120", id="m1", additional_kwargs={"t": 1}),
        AIMessage(
            content="",
            id="m2",
            tool_calls=[{"id": "c1", "name": "catalog_search", "args": {"query": "drill"}}],
        ),
        ToolMessage(content='{"products": [{"id": "p-7", "price": "99.50"}]}', tool_call_id="c1"),
        AIMessage(content="Here are 3 drills.", id="m4", additional_kwargs={"final": True}),
    ]


def _checkpoint(messages: list[Any]) -> dict[str, Any]:
    return {"channel_values": {"messages": messages, "turn": {"steps": 2}}, "v": 4}


def test_it_writes_the_bytes_langgraph_writes_before_and_after_a_read() -> None:
    stock, ours = JsonPlusSerializer(), HistorySerializer()
    written = stock.dumps_typed(_checkpoint(_history()))
    assert ours.dumps_typed(_checkpoint(_history())) == written
    read = ours.loads_typed(written)  # messages now remembered, with their bytes
    assert read["channel_values"]["messages"] == _history()
    assert ours.dumps_typed(read) == written
    # a reader without the memo (another process, LangGraph's own saver) reads it alike
    assert stock.loads_typed(ours.dumps_typed(read)) == stock.loads_typed(written)


def test_each_later_turn_reads_the_history_it_wrote() -> None:
    ours = HistorySerializer()
    history = _history()
    for turn in range(3):
        saved = ours.loads_typed(ours.dumps_typed(_checkpoint(history)))
        history = add_messages(
            saved["channel_values"]["messages"],
            [HumanMessage(content=f"and in yellow {turn}", id=f"u{turn}")],
        )
    assert [m.content for m in history[-3:]] == [
        "and in yellow 0",
        "and in yellow 1",
        "and in yellow 2",
    ]
    assert (
        ours.loads_typed(ours.dumps_typed(_checkpoint(history)))["channel_values"]["messages"]
        == history
    )


def test_a_replaced_message_is_written_as_it_is_now() -> None:
    ours = HistorySerializer()
    read = ours.loads_typed(ours.dumps_typed(_checkpoint(_history())))["channel_values"]
    edited = add_messages(read["messages"], [AIMessage(content="Here are 2 drills.", id="m4")])
    again = ours.loads_typed(ours.dumps_typed(_checkpoint(edited)))
    assert again["channel_values"]["messages"][-1].content == "Here are 2 drills."
    assert again["channel_values"]["messages"][0].content == "cordless drills under 120"


def test_more_messages_than_it_remembers_still_read_back_whole() -> None:
    ours = HistorySerializer(size=2)
    history = _history()
    for _ in range(2):
        saved = ours.loads_typed(ours.dumps_typed(_checkpoint(history)))
        assert saved["channel_values"]["messages"] == history


def test_a_strict_allowlist_copy_reads_and_writes_the_same_bytes() -> None:
    # LANGGRAPH_STRICT_MSGPACK-style setup: LangGraph widens the allowlist on a copy
    ours = HistorySerializer(allowed_msgpack_modules=None).with_msgpack_allowlist(
        [("shopagent.tests", "Board")]
    )
    assert isinstance(ours, HistorySerializer)
    written = JsonPlusSerializer().dumps_typed(_checkpoint(_history()))
    for _ in range(2):
        read = ours.loads_typed(written)
        assert read["channel_values"]["messages"] == _history()
        assert ours.dumps_typed(read) == written
