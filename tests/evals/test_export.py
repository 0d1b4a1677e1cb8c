"""Session export: history in, replay conversations with traces out."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from shopagent.agent.events import HistoryItem, ProductCard, ToolCallEvent
from shopagent.evals import (
    dump_conversations,
    export_sessions,
    history_to_conversation,
    load_conversations,
)


def _history() -> list[HistoryItem]:
    card = ProductCard(id="p-00010", title="Red Dress", price=39.99)
    return [
        HistoryItem(role="assistant", text="Hi! How can I help?"),  # greeting: nothing to replay
        HistoryItem(role="user", text="red dresses under 50"),
        HistoryItem(
            role="assistant",
            tool_calls=[
                ToolCallEvent(
                    id="c1", name="catalog_search", arguments={"query": "dress", "color": "red"}
                )
            ],
        ),
        HistoryItem(role="tool", text='{"products": [{"id": "p-00010"}]}'),
        HistoryItem(role="assistant", text="Here you go.", products=[card], tier="local"),
        HistoryItem(role="user", text="like this", image_id="abc123.png"),
        HistoryItem(role="assistant", text="Similar ones.", tier="embedded"),
    ]


def test_history_becomes_turns_with_traces_and_optional_pinned_expectations() -> None:
    conv = history_to_conversation(_history(), conversation_id="u1-s1", user_id="u1")
    assert conv is not None and [t.user for t in conv.turns] == [
        "red dresses under 50",
        "like this",
    ]
    tr = conv.turns[0].trace
    assert tr.tool_calls[0].name == "catalog_search"
    assert tr.tool_calls[0].arguments["color"] == "red"
    assert tr.tool_results == ['{"products": [{"id": "p-00010"}]}']
    assert tr.reply == "Here you go." and tr.products == ["p-00010"] and tr.tier == "local"
    assert conv.turns[1].image.path == "media/uploads/abc123.png"
    assert conv.turns[0].expect.tool_calls is None  # unpinned: a trace only
    pinned = history_to_conversation(_history(), conversation_id="x", user_id="u1", pin=True)
    exp = pinned.turns[0].expect
    assert exp.tier == "local" and exp.tool_calls[0].name == "catalog_search"
    assert set(exp.tool_calls[0].arguments) == {"query", "color"}
    assert pinned.turns[1].expect.tool_calls == []  # nothing was called: replay expects none


async def test_export_sessions_round_trips_through_the_format(tmp_path: Path) -> None:
    sessions = {"u1": [SimpleNamespace(session_id="s1"), SimpleNamespace(session_id="s2")]}
    histories = {"s1": _history(), "s2": [HistoryItem(role="assistant", text="hello")]}

    class Index:
        async def list_sessions(self, user_id: str):  # type: ignore[no-untyped-def]
            return sessions.get(user_id, [])

    class Svc:
        sessions = Index()
        images = SimpleNamespace(path=lambda image_id: tmp_path / "data/media/uploads" / image_id)
        settings = SimpleNamespace(data_dir=tmp_path / "data")

        async def history(self, *, user_id: str, session_id: str):  # type: ignore[no-untyped-def]
            return histories[session_id]

    convs = await export_sessions(Svc(), ["u1", "nobody"])
    assert [c.id for c in convs] == ["u1-s1"]  # s2 has no user turn
    assert convs[0].turns[1].image.path == "media/uploads/abc123.png"
    out = tmp_path / "export.jsonl"
    assert dump_conversations(convs, out) == 1
    again = load_conversations(out)
    assert again[0].turns[0].trace.tool_calls[0].name == "catalog_search"
    assert again[0].user_id == "u1" and "export" in again[0].tags
