"""SFT data from sessions exports and replays: conversion, cuts, dedupe, split, card, CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from shopagent.agent.llm_policy import current_photo_text
from shopagent.agent.prompts import SYSTEM_PROMPT
from shopagent.training.vlm import (
    DEMO_TOOL_SCHEMAS,
    build_sft_data,
    convert,
    is_exact,
    parse_tool_calls,
    serving_chat_template,
    split_by_conversation,
    training_chat_template,
)

TOOLS = DEMO_TOOL_SCHEMAS


def _write(path: Path, conversations: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(c) + "\n" for c in conversations), encoding="utf-8")
    return path


FORMAT = "shopagent-conversation/1"
SEARCH = {"name": "catalog_search", "arguments": {"query": "boots", "color": "red"}}


def _session(
    cid: str,
    user: str = "show me red boots",
    image: Any = None,
    trace: dict[str, Any] | None = None,
    *more: dict[str, Any],
) -> dict[str, Any]:
    trace = trace or {
        "tool_calls": [SEARCH],
        "tool_results": [[{"id": "p1", "price": 40}]],
        "reply": "I found red boots for 40 EUR.",
    }
    turn = {"user": user, "image": image, "intent": "search", "trace": trace}
    return {"format": FORMAT, "id": cid, "turns": [turn, *more]}


def _replay(cid: str, *turns: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "id": cid, "turns": list(turns)}


def _turn(user: str, name: Any, args: dict[str, Any]) -> dict[str, Any]:
    return {"user": user, "expect": {"tool_calls": [{"name": name, "arguments": args}]}}


def test_session_becomes_runtime_chat_format(tmp_path: Path) -> None:
    Image.new("RGB", (20, 20), (200, 0, 0)).save(tmp_path / "shoe.png")
    src = _write(tmp_path / "s.jsonl", [_session("c1", "like this", {"path": "shoe.png"})])
    conv = convert([src], [], TOOLS, tmp_path / "out")
    [ex] = conv.examples
    assert ex["source"] == "session" and ex["tools"] == TOOLS and ex["intents"] == ["search"]
    assert ex["train_from"] == 1
    system, user, call, tool, reply = ex["messages"]
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    # Text first, then the image: the order agent.llm_policy sends.
    text_part, image_part = user["content"]
    expected = current_photo_text("like this", "shoe.png")  # the id lets it call visual_search
    assert image_part["type"] == "image" and text_part == {"type": "text", "text": expected}
    assert (tmp_path / "out" / image_part["image"]).read_bytes() == (
        tmp_path / "shoe.png"
    ).read_bytes()
    assert call["tool_calls"][0]["function"] == SEARCH
    assert tool["role"] == "tool" and tool["tool_call_id"] == call["tool_calls"][0]["id"]
    assert json.loads(tool["content"]) == [{"id": "p1", "price": 40}]
    assert reply == {"role": "assistant", "content": "I found red boots for 40 EUR."}


def test_write_result_arrives_in_the_confirm_turn(tmp_path: Path) -> None:
    add = {"name": "add_to_cart", "arguments": '{"product_id": "p1", "quantity": 2}'}
    conv_ = _session(
        "c1",
        "add two",
        None,
        {"tool_calls": [add], "tool_results": [], "reply": ""},
        {"confirm": True, "trace": {"tool_results": [{"ok": True}], "reply": "Added."}},
        {
            "user": "and boots",
            "trace": {"tool_calls": [SEARCH], "tool_results": ["[]"], "reply": "None."},
        },
    )
    conv = convert([_write(tmp_path / "s.jsonl", [conv_])], [], TOOLS, tmp_path / "out")
    [ex] = conv.examples
    roles = [m["role"] for m in ex["messages"]]
    assert roles == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
        "assistant",
        "tool",
        "assistant",
    ]
    assert ex["messages"][2]["tool_calls"][0]["function"]["arguments"] == {
        "product_id": "p1",
        "quantity": 2,
    }
    assert ex["intents"] == ["search", "unknown"]
    # A new user turn while a call waits for its result: the conversation stops before it.
    unanswered = _session(
        "c2",
        "add two",
        None,
        {"tool_calls": [add], "tool_results": []},
        {"user": "hello?", "trace": {"reply": "Hi."}},
    )
    conv = convert([_write(tmp_path / "u.jsonl", [unanswered])], [], TOOLS, tmp_path / "out")
    assert len(conv.examples[0]["messages"]) == 3 and conv.cut == {"unanswered_tool_call": 1}


def test_image_turn_splits_the_conversation(tmp_path: Path) -> None:
    Image.new("RGB", (20, 20), (0, 0, 200)).save(tmp_path / "a.png")
    conv_ = _session(
        "c1",
        "",
        {"path": "a.png"},
        None,
        {
            "user": "cheaper",
            "trace": {"tool_calls": [SEARCH], "tool_results": ["[]"], "reply": "No."},
        },
    )
    conv = convert(
        [_write(tmp_path / "s.jsonl", [conv_])], [], TOOLS, tmp_path / "out", media_root=tmp_path
    )
    first, second = conv.examples
    assert first["messages"][1]["content"][0]["text"].startswith("[photo attached, image_id=")
    assert [e["conversation_id"] for e in conv.examples] == ["c1", "c1"]
    # Later turns see the earlier photo as the agent sends it: a text marker, no pixels.
    assert second["messages"][1] == {"role": "user", "content": "[photo attached earlier]"}
    assert second["train_from"] == 5 and second["messages"][5]["content"] == "cheaper"


def test_replays_use_exact_matchers_and_cut_at_fuzzy_ones(tmp_path: Path) -> None:
    assert is_exact("boots") and is_exact({"exact": "boots"}) and is_exact(None)
    assert not is_exact({"regex": "boot"}) and not is_exact({"one_of": ["a", "b"]})
    replays = _write(
        tmp_path / "r.jsonl",
        [
            _replay(
                "r1",
                _turn(
                    "red boots",
                    "catalog_search",
                    {"query": {"exact": "boots"}, "filters.color": "red"},
                ),
                {"confirm": True},
                _turn(
                    "cheaper",
                    "catalog_search",
                    {"query": "boots", "price_max": {"range": {"max": 50}}},
                ),
            ),
            _replay("r2", _turn("anything", "catalog_search", {"query": {"any": True}})),
            _replay("r3", _turn("hack", "delete_everything", {})),
            _replay("r4", _turn("either", ["view_cart", "checkout"], {})),
            _replay("r5", _turn("no query", "catalog_search", {"color": "red"})),
            _replay(
                "r6",
                {
                    "user": "like this",
                    "image": {"product_id": "p-404"},
                    "expect": {"tool_calls": [{"name": "visual_search"}]},
                },
            ),
            _replay("r8", _turn("similar", "visual_search", {})),
            {"version": 99, "id": "r7", "turns": []},
        ],
    )
    conv = convert([], [replays], TOOLS, tmp_path / "out")
    [ex] = conv.examples
    assert ex["id"] == "r1" and ex["source"] == "replay"
    assert [m["role"] for m in ex["messages"]] == ["system", "user", "assistant"]
    assert ex["messages"][2]["tool_calls"][0]["function"]["arguments"] == {
        "query": "boots",
        "filters": {"color": "red"},
    }
    assert conv.cut == {"fuzzy_matcher": 1}
    assert conv.skipped == {
        "fuzzy_matcher": 1,
        "unknown_tool": 2,
        "missing_image": 1,
        "missing_required_argument": 1,
        "unsupported_format": 1,
        "unpinned_arguments": 1,
    }


def test_dedupe_prefers_sessions(tmp_path: Path) -> None:
    sessions = _write(
        tmp_path / "s.jsonl", [_session("c1"), _session("c2", user="  Show me RED   boots ")]
    )
    replays = _write(
        tmp_path / "r.jsonl",
        [_replay("c1", _turn("show me red boots", "catalog_search", {"query": "boots"}))],
    )
    conv = convert([sessions], [replays], TOOLS, tmp_path / "out")
    assert [e["id"] for e in conv.examples] == ["c1"]
    assert conv.duplicates == 2 and conv.read == {"session": 2, "replay": 1}


def test_split_is_by_conversation_and_stable() -> None:
    examples = [
        {"id": f"c{i}#{j}", "conversation_id": f"c{i}"} for i in range(50) for j in range(2)
    ]
    train, evals = split_by_conversation(examples, 0.2, seed=3)

    def convs(rows: list[dict[str, Any]]) -> set[str]:
        return {e["conversation_id"] for e in rows}

    assert len(evals) == 20 and len(convs(evals)) == 10 and not convs(train) & convs(evals)
    more = [{"id": f"n{i}", "conversation_id": f"n{i}"} for i in range(50)]
    _, evals_more = split_by_conversation(examples + more, 0.2, seed=3)
    # Adding data never moves an old eval conversation into training.
    assert {e["id"] for e in evals} <= {e["id"] for e in evals_more}
    assert len(split_by_conversation(examples[:4], 0.01)[1]) == 2


def test_build_writes_splits_and_card(tmp_path: Path) -> None:
    rows = [_session(f"c{i}", user=f"show me red boots size {i}") for i in range(10)]
    sessions = _write(tmp_path / "s.jsonl", rows)
    card = build_sft_data(tmp_path / "out", TOOLS, sessions=[sessions], eval_fraction=0.2)
    out = tmp_path / "out"
    train = [json.loads(x) for x in (out / "train.jsonl").read_text().splitlines()]
    evals = [json.loads(x) for x in (out / "eval.jsonl").read_text().splitlines()]
    assert (len(train), len(evals)) == (8, 2)
    assert card["train"]["intents"] == {"search": 8}
    assert card["train"]["tool_calls"] == {"catalog_search": 8}
    assert card["lengths"]["train"]["min"] > 0 and "characters" in card["length_unit"]
    assert "| catalog_search | 8 |" in (out / "card.md").read_text()
    assert json.loads((out / "tools.json").read_text()) == TOOLS


def test_template_round_trip_and_serving_copy() -> None:
    serving = serving_chat_template()
    assert "{%- generation -%}" in training_chat_template()
    assert "{%- generation" not in serving and "endgeneration" not in serving
    env = jinja2.Environment()
    env.filters["tojson"] = json.dumps
    text = env.from_string(serving).render(
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {
                "role": "user",
                "content": [{"type": "image", "image": "x"}, {"type": "text", "text": "hi"}],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "type": "function",
                        "function": {"name": "catalog_search", "arguments": {"query": "boots"}},
                    },
                    {"type": "function", "function": {"name": "visual_search", "arguments": "{}"}},
                ],
            },
        ],
        tools=TOOLS,
    )
    assert text.startswith("<|im_start|>system\n" + SYSTEM_PROMPT)
    assert '"name": "add_to_cart"' in text and "<|vision_start|><|image_pad|>" in text
    assert parse_tool_calls(text.split("<|im_start|>assistant")[-1]) == [
        {"name": "catalog_search", "arguments": {"query": "boots"}},
        {"name": "visual_search", "arguments": {}},
    ]
    assert parse_tool_calls("<tool_call>\nnot json\n</tool_call> <tool_call>[1]</tool_call>") == []


def _cli() -> typer.Typer:
    from shopagent.commands import train_vlm

    app, train = typer.Typer(), typer.Typer()
    app.add_typer(train, name="train")
    train_vlm.register(
        app=app, train=train, evals=typer.Typer(), tools=typer.Typer(), sessions=typer.Typer()
    )
    return app


def test_cli_sft_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sessions = _write(
        tmp_path / "s.jsonl", [_session(f"c{i}", user=f"boots {i}") for i in range(4)]
    )
    tools_file = tmp_path / "tools.json"
    tools_file.write_text(json.dumps(TOOLS))
    result = CliRunner().invoke(
        _cli(),
        [
            "train",
            "sft-data",
            "--out",
            str(tmp_path / "o"),
            "--sessions",
            str(sessions),
            "--tools",
            str(tools_file),
            "--media-root",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "SFT data card" in result.output and (tmp_path / "o" / "card.json").is_file()
    # Without --tools the agent's registry is needed; until it exists the error says so.
    monkeypatch.setitem(sys.modules, "shopagent.tools.builtin", None)
    result = CliRunner().invoke(
        _cli(),
        [
            "train",
            "sft-data",
            "--out",
            str(tmp_path / "p"),
            "--sessions",
            str(sessions),
            "--media-root",
            str(tmp_path),
        ],
    )
    assert result.exit_code != 0 and "--tools" in result.output
