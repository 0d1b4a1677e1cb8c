"""The tier's policy proposes the turn's tool calls: templates for the embedded tier, a
model call for the local and frontier tiers."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, Literal

from langchain_core.messages import AIMessage
from langgraph.config import get_stream_writer

from shopagent.agent import _actions
from shopagent.agent import events as ev
from shopagent.agent._turn import BOUND_TEXT, AgentDeps, bump, over_budget, turn_of
from shopagent.agent.embedded import NLUResult, Plan, PlannedCall, ToolOutcome
from shopagent.agent.llm_policy import to_openai_messages
from shopagent.agent.nodes.confirm import is_valid_write
from shopagent.agent.nodes.understand import dialogue_of
from shopagent.agent.router import LOCAL_FAILURE_LIMIT
from shopagent.agent.state import AgentState, TurnState, TurnView
from shopagent.errors import ModelError

log = logging.getLogger(__name__)


async def act(state: AgentState, *, deps: AgentDeps) -> dict[str, Any]:
    turn = turn_of(state)
    turn["pending"] = []
    bound = over_budget(turn, deps.settings)
    if bound:
        turn["bound"] = bound
        turn["reply"] = {"text": BOUND_TEXT[bound], "product_ids": []}
        return {"turn": turn}
    if turn.get("action"):
        return await act_action(turn, deps)
    if turn["tier"] == "embedded":
        return act_embedded(state, turn, deps)
    return await act_model(state, turn, deps)


def pending_from_plan(turn: TurnState, plan: Plan, *, first: bool = True) -> dict[str, Any]:
    turn["followup"] = first and bool(plan.calls) and bool(plan.followup)
    turn["until_found"] = plan.until_found
    turn["pending"] = [
        {"id": f"call_{uuid.uuid4().hex[:12]}", "name": c.name, "args": c.args, "raw": None}
        for c in plan.calls
    ]
    if not turn["pending"]:
        return {"turn": turn}
    ai = AIMessage(
        content="",
        tool_calls=[{"id": c["id"], "name": c["name"], "args": c["args"]} for c in turn["pending"]],
    )
    return {"turn": turn, "messages": [ai]}


async def act_action(turn: TurnState, deps: AgentDeps) -> dict[str, Any]:
    """A card action (agent/_actions.py): its tool calls, planned without a model."""
    if turn.get("outcomes"):  # an action is one step; its results are the answer
        return {"turn": turn}
    action = turn.get("action") or {}
    calls = await asyncio.to_thread(_actions.plan, action, deps.registry, deps.catalog)
    return pending_from_plan(turn, Plan(calls=[PlannedCall(**c) for c in calls]))


def act_embedded(state: AgentState, turn: TurnState, deps: AgentDeps) -> dict[str, Any]:
    assert deps.embedded is not None  # the router picks "embedded" only when it is loaded
    nlu = NLUResult.model_validate(turn["nlu"])
    if turn.get("outcomes"):
        # The embedded policy plans one step, plus at most one follow-up that needs
        # the first step's results (e.g. find a product named by title, then add it).
        if not turn.get("followup"):
            return {"turn": turn}
        turn["followup"] = False
        outcomes = [ToolOutcome.model_validate(o) for o in turn["outcomes"]]
        plan = deps.embedded.plan_next(nlu, dialogue_of(state), outcomes)
        if plan.reply and not plan.calls:
            turn["reply"] = {"text": plan.reply, "product_ids": []}
        return pending_from_plan(turn, plan, first=False)
    # Nothing stronger to escalate to: below the threshold the embedded tier asks one
    # clarifying question rather than guessing (the route event recorded the confidence).
    alone = not deps.available_tiers() - {"embedded"}
    plan = deps.embedded.plan(nlu, dialogue_of(state), alone=alone)
    if plan.escalate:
        turn.update(
            {
                "embedded_declined": True,
                "reroute": True,
                "reason": plan.reason or "embedded planner declined",
            }
        )
        return {"turn": turn}
    if not plan.calls:
        turn["reply"] = {
            "text": plan.reply or "",
            "product_ids": list(getattr(plan, "product_ids", []) or []),
            # answers to the question the reply asks (contracts item 3)
            "quick_replies": list(getattr(plan, "quick_replies", []) or []),
        }
    return pending_from_plan(turn, plan)


async def act_model(state: AgentState, turn: TurnState, deps: AgentDeps) -> dict[str, Any]:
    tier = turn["tier"]
    model = deps.models[tier]
    image = None
    image_id = turn.get("image_id")
    if image_id and deps.images is not None:
        image = await asyncio.to_thread(deps.images.get, image_id)
    messages = to_openai_messages(
        state.get("messages", []), image=image, current_turn_id=turn["turn_id"]
    )
    writer = get_stream_writer()
    streamed: list[str] = []

    def on_delta(text: str) -> None:
        streamed.append(text)
        writer(ev.MessageDeltaEvent(text=text))

    turn["model_calls"] = bump(turn.get("model_calls", {}), tier)
    try:
        reply = await model.complete(
            messages, deps.registry.openai_schemas(catalog=deps.catalog), on_delta=on_delta
        )
    except ModelError as exc:
        log.warning("tier %s failed: %s", tier, exc.code)
        turn["failures"] = bump(turn.get("failures", {}), tier)
        turn["reroute"] = True
        return {"turn": turn}
    turn["tokens_in"] = bump(turn.get("tokens_in", {}), tier, reply.tokens_in)
    turn["tokens_out"] = bump(turn.get("tokens_out", {}), tier, reply.tokens_out)
    if not reply.tool_calls:
        turn["reply"] = {"text": reply.text, "product_ids": [], "streamed": bool(streamed)}
        return {"turn": turn}
    calls, valid = [], True
    for tc in reply.tool_calls:
        try:
            args = json.loads(tc.arguments or "{}")
            if not isinstance(args, dict):
                raise ValueError("arguments must be an object")
        except ValueError:
            args, valid = {}, False
        if tc.name not in deps.registry:
            valid = False
        calls.append({"id": tc.id, "name": tc.name, "args": args, "raw": tc.arguments})
    if not valid:
        # An invalid call is still run (it yields a tool error the model can act on),
        # and counts towards escalating away from this tier.
        turn["failures"] = bump(turn.get("failures", {}), tier)
        if tier == "local" and turn["failures"][tier] >= LOCAL_FAILURE_LIMIT:
            turn["reroute"] = True
    turn["pending"] = calls
    ai = AIMessage(
        content=reply.text,
        tool_calls=[{"id": c["id"], "name": c["name"], "args": c["args"]} for c in calls],
    )
    return {"turn": turn, "messages": [ai]}


async def after_act(
    state: TurnView, *, deps: AgentDeps
) -> Literal["tools", "confirm", "respond", "route"]:
    turn = state["turn"]
    pending = turn.get("pending") or []
    if turn.get("reroute") and not pending:
        return "route"
    if not pending:
        return "respond"
    # Only well-formed writes are put to the shopper; a malformed one goes straight to
    # the tool node, which answers it with an error the model can act on.
    if any(is_valid_write(deps, c) for c in pending):
        return "confirm"
    return "tools"


class ActEdge:
    """``after_act`` bound to ``deps`` as a method, not a ``functools.partial``: LangGraph
    takes a branch's input type from its first parameter (a partial hides it), and the
    turn alone is far cheaper to read than the whole state (:class:`TurnView`)."""

    def __init__(self, deps: AgentDeps) -> None:
        self.deps = deps

    async def after_act(self, state: TurnView) -> Literal["tools", "confirm", "respond", "route"]:
        return await after_act(state, deps=self.deps)
