"""The confirmation gate: every write waits for the shopper's explicit yes."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.types import interrupt

from shopagent.agent import _actions
from shopagent.agent import events as ev
from shopagent.agent._turn import AgentDeps, confirmation_id, emit, emit_outcome, outcome, turn_of
from shopagent.agent.llm_policy import outcome_message
from shopagent.agent.nodes.tools import tool_context
from shopagent.agent.state import AgentState, TurnView
from shopagent.errors import ToolError


def is_valid_write(deps: AgentDeps, call: dict[str, Any]) -> bool:
    """A known write tool whose arguments parse: only such calls are put to the shopper."""
    if call["name"] not in deps.registry:
        return False
    tool = deps.registry.get(call["name"])
    if not tool.writes:
        return False
    try:
        tool.parse_args(call["raw"] if call.get("raw") else call["args"])
    except ToolError:
        return False
    return True


async def confirm(state: AgentState, config: RunnableConfig, *, deps: AgentDeps) -> dict[str, Any]:
    turn = turn_of(state)
    writes, summaries, refused = [], [], []
    for c in turn["pending"]:
        if not is_valid_write(deps, c):
            continue
        tool = deps.registry.get(c["name"])
        args = tool.parse_args(c["raw"] if c.get("raw") else c["args"])
        try:  # never ask the shopper to approve a write that cannot succeed
            pinned = await tool.check(tool_context(deps, config, c, writes=False), args)
        except ToolError as exc:
            refused.append(
                outcome(
                    c,
                    error_code=exc.code,
                    error_message=exc.message,
                    error_details=getattr(exc, "details", None),
                )
            )
            continue
        if isinstance(pinned, dict) and pinned:
            # What the shopper approves (variant, unit price) is what is written.
            c["args"] = {**c["args"], **pinned}
            c.pop("raw", None)
            args = tool.parse_args(c["args"])
        writes.append(c)
        summaries.append(
            tool.describe_write(args, deps.catalog) if tool.describe_write else c["name"]
        )
    for o in refused:
        emit(ev.ToolCallEvent(id=o["id"], name=o["name"], arguments=o["args"]))
        emit_outcome(o)
    refused_ids = {o["id"] for o in refused}
    turn["pending"] = [c for c in turn["pending"] if c["id"] not in refused_ids]
    turn["outcomes"] = [*turn.get("outcomes", []), *refused]
    update: dict[str, Any] = {"turn": turn, "messages": [outcome_message(o) for o in refused]}
    if not writes:
        return update
    conf_id = confirmation_id(turn, writes)
    # The id covers the pinned values: this node runs again on resume, and if a price or
    # variant changed meanwhile the shopper's yes was for something else.
    conf_id += (
        "-"
        + hashlib.sha256(
            json.dumps([c["args"] for c in writes], sort_keys=True, default=str).encode()
        ).hexdigest()[:8]
    )
    summary = "; ".join(summaries)
    # The exact variant and unit price as fields, so a client can show what is confirmed.
    facts = await asyncio.to_thread(
        _actions.confirm_facts, writes[0]["name"], writes[0]["args"], deps.catalog
    )
    answer = interrupt(
        {
            "confirmation_id": conf_id,
            "tool": writes[0]["name"],
            "arguments": writes[0]["args"],
            "summary": summary,
            **facts,
        }
    )
    approved = (
        isinstance(answer, dict)
        and answer.get("confirmation_id") == conf_id
        and answer.get("approve") is True
    )
    turn["confirmation"] = {"id": conf_id, "approved": approved, "summary": summary}
    if approved:
        return update
    changed = (
        isinstance(answer, dict)
        and answer.get("approve") is True
        and str(answer.get("confirmation_id", "")).split("-")[:2] == conf_id.split("-")[:2]
    )
    declined = [
        outcome(
            c,
            error_code="price_changed",
            error_message="The price or availability changed after you confirmed, so nothing "
            f"was changed. Now: {summary}. Please confirm again.",
        )
        if changed
        else outcome(
            c, error_code="declined", error_message="The shopper declined; nothing changed."
        )
        for c in writes
    ]
    if changed:  # a refused write is an event the client shows, like any tool error
        for o in declined:
            emit(ev.ToolCallEvent(id=o["id"], name=o["name"], arguments=o["args"]))
            emit_outcome(o)
    turn["outcomes"] = [*turn["outcomes"], *declined]
    write_ids = {c["id"] for c in writes}
    turn["pending"] = [c for c in turn["pending"] if c["id"] not in write_ids]
    update["messages"] += [outcome_message(o) for o in declined]
    return update


async def after_confirm(state: TurnView) -> Literal["tools", "act", "respond"]:
    turn = state["turn"]
    if turn.get("pending"):
        return "tools"
    if turn.get("confirmation") is None and turn["tier"] != "embedded":
        return "act"  # a write was refused before asking: let the model react to why
    return "respond"
