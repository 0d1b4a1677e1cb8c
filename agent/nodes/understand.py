"""Reading the turn (embedded NLU, dialogue state) and choosing the tier that answers it."""

from __future__ import annotations

import logging
from typing import Any, Literal

from shopagent.agent import _actions
from shopagent.agent import events as ev
from shopagent.agent._turn import AgentDeps, bump, emit, turn_of
from shopagent.agent.embedded import DialogueState, NLUResult
from shopagent.agent.router import TurnFeatures, choose_tier
from shopagent.agent.state import AgentState, TurnView

log = logging.getLogger(__name__)


def dialogue_of(state: AgentState) -> DialogueState:
    return DialogueState.model_validate(state.get("dialogue") or {})


async def understand(state: AgentState, *, deps: AgentDeps) -> dict[str, Any]:
    turn = turn_of(state)
    update: dict[str, Any] = {}
    if not turn.get("action") and not turn.get("image_id"):
        # A message that is exactly one of the values the last reply offered answers
        # that question: it runs as the action the question was about.
        turn["action"] = _actions.answer_to(turn["text"], state.get("awaiting"))
    if turn.get("action"):  # a card action says exactly what to do: no NLU
        return {"turn": turn}
    if deps.embedded is not None:
        dialogue = dialogue_of(state)
        nlu: NLUResult = deps.embedded.understand(
            turn["text"], dialogue, image_id=turn.get("image_id")
        )
        turn["nlu"] = nlu.model_dump()
        update["dialogue"] = deps.embedded.update_state(dialogue, nlu).model_dump()
        turn["tokens_in"] = bump(turn.get("tokens_in", {}), "embedded", len(turn["text"].split()))
    update["turn"] = turn
    return update


async def route(state: AgentState, *, deps: AgentDeps) -> dict[str, Any]:
    turn = turn_of(state)
    if turn.get("action"):
        # No model decides anything here; "embedded" is the tier of no model call.
        reason = f"card action: {(turn.get('action') or {}).get('type')}"
        turn.update({"tier": "embedded", "reason": reason, "reroute": False})
        emit(ev.RouteEvent(tier="embedded", reason=reason, intent="action", confidence=1.0))
        return {"turn": turn}
    nlu = turn.get("nlu") or {}
    slots = {k: v for k, v in (nlu.get("slots") or {}).items() if v not in (None, "", [])}
    features = TurnFeatures(
        words=len(turn["text"].split()),
        has_image=bool(turn.get("image_id")),
        slot_count=len(slots),
        intent=nlu.get("intent"),
        confidence=nlu.get("confidence"),
        embedded_declined=turn.get("embedded_declined", False),
        failures=turn.get("failures", {}),
    )
    decision = choose_tier(features, deps.available_tiers(), deps.settings.nlu_confidence_threshold)
    turn.update({"tier": decision.tier, "reason": decision.reason, "reroute": False})
    log.info("route turn=%s tier=%s reason=%s", turn["turn_id"], decision.tier, decision.reason)
    emit(
        ev.RouteEvent(
            tier=decision.tier,
            reason=decision.reason,
            intent=nlu.get("intent"),
            confidence=nlu.get("confidence"),
        )
    )
    return {"turn": turn}


async def after_route(state: TurnView) -> Literal["act", "respond"]:
    return "respond" if state["turn"]["tier"] == "none" else "act"
