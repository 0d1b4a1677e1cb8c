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

from agent.prompts import SYSTEM_PROMPT
from training.vlm import (
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


def _session(cid: str, user: str = "show me red boots", image: str | None = None,
             trace: dict[str, Any] | None = None) -> dict[str, Any]:
    trace = trace or {"tool_calls": [{"name": "search_products",
                                      "arguments": {"query": "boots", "color": "red"}}],
                      "tool_results": [[{"id": "p1", "price": 40}]],
                      "reply": "I found red boots for 40 EUR."}
    return {"version": 1, "id": cid, "catalog": "demo",
            "turns": [{"user": user, "image": image, "intent": "search", "trace": trace}]}


def _replay(cid: str, *turns: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "id": cid, "catalog": "demo", "turns": list(turns)}


def _turn(user: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"user": user, "image": None, "expect": {"tool_calls": [{"name": name, "args": args}]}}


def test_session_becomes_runtime_chat_format(tmp_path: Path) -> None:
    Image.new("RGB", (20, 20), (200, 0, 0)).save(tmp_path / "shoe.png")
    src = _write(tmp_path / "s.jsonl", [_session("c1", "like this", image="shoe.png")])
    conv = convert([src], [], TOOLS, tmp_path / "out")
    [ex] = conv.examples
    assert ex["source"] == "session" and ex["tools"] == TOOLS and ex["intents"] == ["search"]
    system, user, call, tool, reply = ex["messages"]
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    image_part, text_part = user["content"]
    assert image_part["type"] == "image" and text_part == {"type": "text", "text": "like this"}
    assert (tmp_path / "out" / image_part["image"]).read_bytes() == (
        tmp_path / "shoe.png").read_bytes()
    assert call["tool_calls"][0]["function"] == {
        "name": "search_products", "arguments": {"query": "boots", "color": "red"}}
    assert tool["role"] == "tool" and tool["tool_call_id"] == call["tool_calls"][0]["id"]
    assert json.loads(tool["content"]) == [{"id": "p1", "price": 40}]
    assert reply == {"role": "assistant", "content": "I found red boots for 40 EUR."}


def test_string_arguments_and_unanswered_call(tmp_path: Path) -> None:
    call = {"name": "add_to_cart", "arguments": '{"product_id": "p1", "quantity": 2}'}
    conv_ = _session("c1", trace={"tool_calls": [call], "tool_results": [], "reply": ""})
    conv_["turns"].append(_session("x")["turns"][0])
    conv = convert([_write(tmp_path / "s.jsonl", [conv_])], [], TOOLS, tmp_path / "out")
    [ex] = conv.examples
    # The call is a target; with no result, nothing after it is trusted.
    assert ex["messages"][-1]["tool_calls"][0]["function"]["arguments"] == {
        "product_id": "p1", "quantity": 2}
    assert len(ex["messages"]) == 3 and conv.cut["unanswered_tool_call"] == 1


def test_replays_use_exact_matchers_and_cut_at_fuzzy_ones(tmp_path: Path) -> None:
    assert is_exact({"query": "boots", "tags": ["a", {"k": 1}]})
    assert not is_exact({"query": {"$contains": "boot"}})
    replays = _write(tmp_path / "r.jsonl", [
        _replay("r1", _turn("red boots", "search_products", {"query": "boots", "color": "red"}),
                _turn("cheaper", "search_products", {"query": {"$contains": "boot"}})),
        _replay("r2", _turn("anything", "search_products", {"query": {"$any": True}})),
        _replay("r3", _turn("hack", "delete_everything", {})),
        _replay("r4", {"user": "like this", "image": "nope.png",
                       "expect": {"tool_calls": [{"name": "visual_search", "args": {}}]}}),
        {"version": 99, "id": "r5", "turns": []},
    ])
    conv = convert([], [replays], TOOLS, tmp_path / "out")
    [ex] = conv.examples
    assert ex["id"] == "r1" and ex["source"] == "replay"
    assert [m["role"] for m in ex["messages"]] == ["system", "user", "assistant"]
    assert conv.cut == {"fuzzy_matcher": 1}
    assert conv.skipped == {"fuzzy_matcher": 1, "unknown_tool": 1, "missing_image": 1,
                            "unsupported_version": 1}


def test_dedupe_prefers_sessions(tmp_path: Path) -> None:
    sessions = _write(tmp_path / "s.jsonl", [
        _session("c1"), _session("c2", user="  Show me RED   boots ")])
    replays = _write(tmp_path / "r.jsonl", [
        _replay("c1", _turn("show me red boots", "search_products", {"query": "boots"}))])
    conv = convert([sessions], [replays], TOOLS, tmp_path / "out")
    assert [e["id"] for e in conv.examples] == ["c1"]
    assert conv.duplicates == 2 and conv.read == {"session": 2, "replay": 1}


def test_split_is_by_conversation_and_stable() -> None:
    examples = [{"id": f"c{i}"} for i in range(50)]
    train, evals = split_by_conversation(examples, 0.2, seed=3)
    assert len(evals) == 10 and not {e["id"] for e in train} & {e["id"] for e in evals}
    _, evals_more = split_by_conversation(examples + [{"id": f"n{i}"} for i in range(50)], 0.2,
                                          seed=3)
    # Adding data never moves an old eval conversation into training.
    assert {e["id"] for e in evals} <= {e["id"] for e in evals_more}
    assert len(split_by_conversation(examples[:2], 0.01)[1]) == 1


def test_build_writes_splits_and_card(tmp_path: Path) -> None:
    rows = [_session(f"c{i}", user=f"show me red boots size {i}") for i in range(10)]
    sessions = _write(tmp_path / "s.jsonl", rows)
    card = build_sft_data(tmp_path / "out", TOOLS, sessions=[sessions], eval_fraction=0.2)
    out = tmp_path / "out"
    train = [json.loads(x) for x in (out / "train.jsonl").read_text().splitlines()]
    evals = [json.loads(x) for x in (out / "eval.jsonl").read_text().splitlines()]
    assert (len(train), len(evals)) == (8, 2)
    assert card["train"]["intents"] == {"search": 8}
    assert card["train"]["tool_calls"] == {"search_products": 8}
    assert card["lengths"]["train"]["min"] > 0 and "characters" in card["length_unit"]
    assert "| search_products | 8 |" in (out / "card.md").read_text()
    assert json.loads((out / "tools.json").read_text()) == TOOLS


def test_template_round_trip_and_serving_copy() -> None:
    serving = serving_chat_template()
    assert "{%- generation -%}" in training_chat_template()
    assert "{%- generation" not in serving and "endgeneration" not in serving
    env = jinja2.Environment()
    env.filters["tojson"] = json.dumps
    text = env.from_string(serving).render(
        messages=[{"role": "system", "content": SYSTEM_PROMPT},
                  {"role": "user", "content": [{"type": "image", "image": "x"},
                                               {"type": "text", "text": "hi"}]},
                  {"role": "assistant", "content": None, "tool_calls": [
                      {"type": "function", "function": {"name": "search_products",
                                                        "arguments": {"query": "boots"}}},
                      {"type": "function", "function": {"name": "visual_search",
                                                        "arguments": "{}"}}]}],
        tools=TOOLS)
    assert text.startswith("<|im_start|>system\n" + SYSTEM_PROMPT)
    assert '"name": "add_to_cart"' in text and "<|vision_start|><|image_pad|>" in text
    assert parse_tool_calls(text.split("<|im_start|>assistant")[-1]) == [
        {"name": "search_products", "arguments": {"query": "boots"}},
        {"name": "visual_search", "arguments": {}}]
    assert parse_tool_calls("<tool_call>\nnot json\n</tool_call> <tool_call>[1]</tool_call>") == []


def _cli() -> typer.Typer:
    from shopagent.commands import train_vlm

    app, train = typer.Typer(), typer.Typer()
    app.add_typer(train, name="train")
    train_vlm.register(app=app, train=train, evals=typer.Typer(), tools=typer.Typer(),
                       sessions=typer.Typer())
    return app


def test_cli_sft_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sessions = _write(tmp_path / "s.jsonl", [_session(f"c{i}", user=f"boots {i}")
                                             for i in range(4)])
    tools_file = tmp_path / "tools.json"
    tools_file.write_text(json.dumps(TOOLS))
    result = CliRunner().invoke(_cli(), ["train", "sft-data", "--out", str(tmp_path / "o"),
                                         "--sessions", str(sessions), "--tools", str(tools_file)])
    assert result.exit_code == 0, result.output
    assert "SFT data card" in result.output and (tmp_path / "o" / "card.json").is_file()
    # Without --tools the agent's registry is needed; until it exists the error says so.
    monkeypatch.setitem(sys.modules, "tools.builtin", None)
    result = CliRunner().invoke(_cli(), ["train", "sft-data", "--out", str(tmp_path / "p"),
                                         "--sessions", str(sessions)])
    assert result.exit_code != 0 and "--tools" in result.output
