"""The turn's answer: text, product cards and the final events."""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import AIMessage

from shopagent.agent import _actions
from shopagent.agent import events as ev
from shopagent.agent._turn import (
    APOLOGY,
    REPHRASE,
    AgentDeps,
    cards_from_outcomes,
    emit,
    turn_of,
)
from shopagent.agent.embedded import NLUResult, ToolOutcome
from shopagent.agent.nodes.understand import dialogue_of
from shopagent.agent.state import AgentState


async def respond(state: AgentState, *, deps: AgentDeps) -> dict[str, Any]:
    turn = turn_of(state)
    update: dict[str, Any] = {}
    outcomes = turn.get("outcomes", [])
    found = cards_from_outcomes(outcomes)
    reply = turn.get("reply") or {}
    quick: list[str] = []
    if turn.get("action"):
        text, ids = await asyncio.to_thread(
            _actions.reply, turn.get("action") or {}, outcomes, deps.catalog
        )
    elif turn["tier"] == "none":
        text, ids = (REPHRASE if turn.get("embedded_declined") else APOLOGY), []
    elif turn["tier"] == "embedded" and not reply:
        assert deps.embedded is not None
        nlu = NLUResult.model_validate(turn["nlu"])
        r, dialogue = deps.embedded.respond(
            nlu, dialogue_of(state), [ToolOutcome.model_validate(o) for o in outcomes]
        )
        text, ids = r.text, list(r.product_ids)
        quick = [str(q) for q in getattr(r, "quick_replies", None) or []]
        update["dialogue"] = dialogue.model_dump()
    else:
        text = reply.get("text") or ""
        ids = list(reply.get("product_ids") or found)
        quick = [str(q) for q in reply.get("quick_replies") or []]  # a clarifying question
        changed = [o for o in outcomes if o.get("error_code") == "price_changed"]
        if not text and changed:  # what changed since the yes, and the ask to confirm again
            text = str(changed[0].get("error_message") or "")
        if not text and any(o.get("error_code") == "declined" for o in outcomes):
            text = "Okay, I haven't changed anything."
        if ids and state.get("dialogue") is not None:
            update["dialogue"] = {
                **state["dialogue"],
                "last_shown": ids[:10],
                "focus": ids[0] if len(ids) == 1 else state["dialogue"].get("focus"),
            }
    # An option question (from any tier) offers the open values as buttons, and the
    # next message picking one is answered without guessing (see understand).
    awaiting = (
        await asyncio.to_thread(_actions.awaiting_from, outcomes, deps.catalog)
        if _actions.may_await(outcomes)
        else None
    )
    if awaiting is not None:
        quick = list(awaiting["values"])
    update["awaiting"] = awaiting
    shown = [found[i] for i in ids if i in found]
    if shown:
        emit(ev.ProductsEvent(products=shown))
    cards = [c.model_dump() for c in shown]
    if not reply.get("streamed"):
        emit(ev.MessageDeltaEvent(text=text))
    tier = turn["tier"] if turn["tier"] in ("embedded", "local", "frontier") else "none"
    emit(ev.MessageEvent(text=text, tier=tier, quick_replies=quick))
    update["turn"] = turn
    update["messages"] = [
        AIMessage(
            content=text,
            additional_kwargs={
                "tier": tier,
                "turn_id": turn["turn_id"],
                "products": cards,
                "final": True,
                **({"quick_replies": quick} if quick else {}),
            },
        )
    ]
    return update
