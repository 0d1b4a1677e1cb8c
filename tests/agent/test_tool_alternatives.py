"""Alternatives planned in one step (``until_found``: the embedded tier's relaxed searches)
run in order and stop at the first that finds products or fails; those not run leave the
history, whose call message then lists exactly the calls that ran, each with its result."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel

from shopagent.agent._turn import AgentDeps
from shopagent.agent.nodes import run_tools
from shopagent.agent.state import AgentState, new_turn
from shopagent.errors import ToolError
from shopagent.settings import Settings
from shopagent.tools import ToolContext, ToolRegistry, tool

RAN: list[str] = []


class Find(BaseModel):
    kind: str


@tool
def find_seeds(ctx: ToolContext, args: Find) -> dict[str, Any]:
    """Find seeds of a kind."""
    RAN.append(args.kind)
    if args.kind == "broken":
        raise ToolError("the seed index is being rebuilt", code="unavailable")
    return {"products": [{"id": "s-1"}] if args.kind == "tomato" else []}


def _run(kinds: list[str]) -> tuple[dict[str, Any], list[Any]]:
    RAN.clear()
    deps = AgentDeps(
        settings=Settings(),
        registry=ToolRegistry([find_seeds]),
        stores=None,  # type: ignore[arg-type]  # the tool reads no store
        catalog=None,  # type: ignore[arg-type]
    )
    g = StateGraph(AgentState)
    g.add_node("tools", partial(run_tools, deps=deps))
    g.add_edge(START, "tools")
    g.add_edge("tools", END)
    calls = [
        {"id": f"call_{k}", "name": "find_seeds", "args": {"kind": k}, "raw": None} for k in kinds
    ]
    turn = {**new_turn("t-1", "seeds", None, 0.0), "tier": "embedded", "until_found": True}
    turn["pending"] = calls
    ai = AIMessage(
        content="", id="ai-1", tool_calls=[{k: c[k] for k in ("id", "name", "args")} for c in calls]
    )
    config: Any = {"configurable": {"thread_id": "t", "user_id": "u"}}
    out = asyncio.run(g.compile().ainvoke({"turn": turn, "messages": [ai]}, config))
    return out["turn"], out["messages"]


def _consistent(messages: list[Any]) -> list[str]:
    asked = [c["id"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls]
    answered = [m.tool_call_id for m in messages if isinstance(m, ToolMessage)]
    assert asked == answered
    return asked


def test_alternatives_stop_at_the_first_that_finds_products() -> None:
    turn, messages = _run(["heirloom tomato", "tomato", "vegetable"])
    assert RAN == ["heirloom tomato", "tomato"]
    assert _consistent(messages) == ["call_heirloom tomato", "call_tomato"]
    assert [o["id"] for o in turn["outcomes"]] == ["call_heirloom tomato", "call_tomato"]


def test_alternatives_stop_at_a_failure() -> None:
    turn, messages = _run(["broken", "tomato", "vegetable"])
    assert RAN == ["broken"]  # the reply is the failure: the others would run for nothing
    assert _consistent(messages) == ["call_broken"]
    assert turn["outcomes"][0]["error_code"] == "unavailable"
