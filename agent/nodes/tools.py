"""Running tool calls with the caller's authorization context."""

from __future__ import annotations

import logging
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableConfig

from shopagent.agent import events as ev
from shopagent.agent._turn import AgentDeps, emit, emit_outcome, outcome, over_budget, turn_of
from shopagent.agent.embedded import NLUResult, ToolOutcome
from shopagent.agent.llm_policy import outcome_message
from shopagent.agent.nodes.understand import dialogue_of
from shopagent.agent.state import AgentState, TurnState, TurnView
from shopagent.errors import ToolError
from shopagent.tools import ToolContext

log = logging.getLogger(__name__)


def tool_context(
    deps: AgentDeps, config: RunnableConfig, call: dict[str, Any], writes: bool
) -> ToolContext:
    """Identity comes from the run's config (set by the service for the authenticated
    caller), never from the model's arguments."""
    conf = config.get("configurable", {})
    return ToolContext(
        user_id=conf["user_id"],
        session_id=conf["thread_id"],
        stores=deps.stores,
        catalog=deps.catalog,
        settings=deps.settings,
        # The key is the thread and the tool call: a replayed or resumed step reuses it.
        idempotency_key=f"{conf['thread_id']}:{call['id']}" if writes else None,
        images=deps.images,
    )


async def run_tools(
    state: AgentState, config: RunnableConfig, *, deps: AgentDeps
) -> dict[str, Any]:
    turn = turn_of(state)
    approved = bool((turn.get("confirmation") or {}).get("approved"))
    new: list[dict[str, Any]] = []
    stop, skipped = False, set()
    for call in turn.get("pending", []):
        if stop:
            # Alternatives after one that found products (the embedded tier's relaxed
            # searches) or failed: the reply uses that one, and the rest are not run. They
            # leave the turn and the history: its call message keeps the calls that ran.
            skipped.add(call["id"])
            continue
        emit(ev.ToolCallEvent(id=call["id"], name=call["name"], arguments=call["args"]))
        try:
            tool = deps.registry.get(call["name"])
            args = tool.parse_args(call["raw"] if call.get("raw") else call["args"])
            if tool.writes and not approved:
                raise ToolError("writes need the shopper's confirmation", code="not_confirmed")
            content = await tool(tool_context(deps, config, call, tool.writes), args)
            result = outcome(call, ok=True, content=content)
        except ToolError as exc:
            result = outcome(
                call,
                error_code=exc.code,
                error_message=exc.message,
                error_details=getattr(exc, "details", None),
            )
        except Exception:  # a broken tool must not kill the turn
            log.exception("tool %s failed", call["name"])
            # The shopper may read this message: a sentence, never an exception's class name.
            result = outcome(
                call,
                error_code="tool_failed",
                error_message="it failed on our side; please try again in a moment",
            )
        emit_outcome(result)
        new.append(result)
        # alternatives stop at the first that finds products, or at a failure (its
        # reply is the failure: the others would run for nothing)
        stop = bool(turn.get("until_found")) and (_lists_products(result) or not result["ok"])
    turn.update(
        {
            "outcomes": [*turn.get("outcomes", []), *new],
            "pending": [],
            "steps": turn.get("steps", 0) + 1,
            "confirmation": None,
        }
    )
    if turn.get("followup") and not _followup_has_work(state, turn, deps):
        turn["followup"] = False  # straight to the reply: one superstep (act) fewer
    messages: list[BaseMessage] = [outcome_message(o) for o in new]
    if skipped:
        messages.insert(0, _without_calls(state, skipped))
    return {"turn": turn, "messages": messages}


def _without_calls(state: AgentState, ids: set[str]) -> AIMessage:
    """The step's call message without the calls ``ids`` (same message id: it replaces the
    one in the history), so every call the history shows has its result."""
    ai = next(
        m
        for m in reversed(state.get("messages", []))
        if isinstance(m, AIMessage) and any(c["id"] in ids for c in m.tool_calls)
    )
    return ai.model_copy(update={"tool_calls": [c for c in ai.tool_calls if c["id"] not in ids]})


def _followup_has_work(state: AgentState, turn: TurnState, deps: AgentDeps) -> bool:
    """Whether the embedded tier's follow-up step (``act`` after these results) would plan
    a call or a reply. Mostly it would not (the search found what was asked), and ``act``
    with an empty plan only passes the turn on to ``respond``. The plan is a pure function
    of the turn's reading and results; ``act`` makes it again when there is work."""
    nlu = turn.get("nlu")
    if turn.get("tier") != "embedded" or deps.embedded is None or not nlu or turn.get("reroute"):
        return True  # not the embedded follow-up: leave the decision to act
    if over_budget(turn, deps.settings):
        return True  # act ends the turn with the budget's message
    plan = deps.embedded.plan_next(
        NLUResult.model_validate(nlu),
        dialogue_of(state),
        [ToolOutcome.model_validate(o) for o in turn["outcomes"]],
    )
    return bool(plan.calls or plan.reply)


def _lists_products(result: dict[str, Any]) -> bool:
    content = result.get("content")
    return bool(result.get("ok") and isinstance(content, dict) and content.get("products"))


async def after_tools(state: TurnView) -> Literal["act", "respond", "route"]:
    # Invalid calls still run (their errors become tool messages, which keeps the
    # history well-formed for the next tier) before an escalation takes effect.
    turn = state["turn"]
    if turn.get("reroute"):
        return "route"
    if turn["tier"] == "embedded" and not turn.get("followup"):
        return "respond"
    return "act"
