"""The agent graph, written out: understand -> route -> act (tool loop) -> confirm -> respond.

    START -> understand -> route -+-> act -+-> tools -> (act | respond)
                                  |        +-> confirm -> (tools | act | respond)
                                  |        +-> route   (escalation)
                                  |        +-> respond
                                  +-> respond (no tier can answer: apology)
    respond -> END

Events for the client are written to LangGraph's custom stream as they happen.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from typing import Any, Literal

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt

from agent import events as ev
from agent._turn import (
    APOLOGY,
    BOUND_TEXT,
    MAX_CARDS_KEPT,
    REPHRASE,
    AgentDeps,
    bump,
    cards_from_outcomes,
    confirmation_id,
    emit,
    emit_outcome,
    outcome,
    over_budget,
    turn_of,
)
from agent.llm_policy import outcome_message, to_openai_messages
from agent.router import TurnFeatures, choose_tier
from agent.state import AgentState, TurnState
from shopagent.errors import ModelError, ToolError
from tools import ToolContext

log = logging.getLogger(__name__)


def build_graph(deps: AgentDeps) -> StateGraph:
    settings = deps.settings

    def dialogue_of(state: AgentState) -> Any:
        from agent.embedded import DialogueState

        return DialogueState.model_validate(state.get("dialogue") or {})

    async def understand(state: AgentState) -> dict[str, Any]:
        turn = turn_of(state)
        update: dict[str, Any] = {}
        if deps.embedded is not None:
            from agent.embedded import NLUResult

            dialogue = dialogue_of(state)
            nlu: NLUResult = deps.embedded.understand(
                turn["text"], dialogue, image_id=turn.get("image_id")
            )
            turn["nlu"] = nlu.model_dump()
            update["dialogue"] = deps.embedded.update_state(dialogue, nlu).model_dump()
            turn["tokens_in"] = bump(
                turn.get("tokens_in", {}), "embedded", len(turn["text"].split())
            )
        update["turn"] = turn
        return update

    async def route(state: AgentState) -> dict[str, Any]:
        turn = turn_of(state)
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
        decision = choose_tier(features, deps.available_tiers(), settings.nlu_confidence_threshold)
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

    def after_route(state: AgentState) -> Literal["act", "respond"]:
        return "respond" if state["turn"]["tier"] == "none" else "act"

    async def act(state: AgentState) -> dict[str, Any]:
        turn = turn_of(state)
        turn["pending"] = []
        bound = over_budget(turn, settings)
        if bound:
            turn["bound"] = bound
            turn["reply"] = {"text": BOUND_TEXT[bound], "product_ids": []}
            return {"turn": turn}
        if turn["tier"] == "embedded":
            return _act_embedded(state, turn)
        return await _act_model(state, turn)

    def _pending_from_plan(turn: TurnState, plan: Any, *, first: bool = True) -> dict[str, Any]:
        turn["followup"] = first and bool(plan.calls) and bool(getattr(plan, "followup", False))
        turn["pending"] = [
            {"id": f"call_{uuid.uuid4().hex[:12]}", "name": c.name, "args": c.args, "raw": None}
            for c in plan.calls
        ]
        if not turn["pending"]:
            return {"turn": turn}
        ai = AIMessage(
            content="",
            tool_calls=[
                {"id": c["id"], "name": c["name"], "args": c["args"]} for c in turn["pending"]
            ],
        )
        return {"turn": turn, "messages": [ai]}

    def _act_embedded(state: AgentState, turn: TurnState) -> dict[str, Any]:
        from agent.embedded import NLUResult, ToolOutcome

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
            return _pending_from_plan(turn, plan, first=False)
        if not deps.available_tiers() - {"embedded"}:
            # Nothing stronger to escalate to: a best-effort plan beats an apology. The
            # route event already recorded the low confidence.
            floor = settings.nlu_confidence_threshold
            nlu = nlu.model_copy(update={"confidence": max(nlu.confidence, floor)})
        plan = deps.embedded.plan(nlu, dialogue_of(state))
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
            turn["reply"] = {"text": plan.reply or "", "product_ids": []}
        return _pending_from_plan(turn, plan)

    async def _act_model(state: AgentState, turn: TurnState) -> dict[str, Any]:
        tier = turn["tier"]
        model = deps.models[tier]
        image = None
        if turn.get("image_id") and deps.images is not None:
            image = await asyncio.to_thread(deps.images.get, turn["image_id"])
        messages = to_openai_messages(
            state.get("messages", []), image=image, current_turn_id=turn["turn_id"]
        )
        writer = get_stream_writer()
        streamed: list[str] = []

        def on_delta(text: str) -> None:
            streamed.append(text)
            writer(ev.MessageDeltaEvent(text=text).model_dump())

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
            if turn["failures"][tier] >= 2 and tier == "local":
                turn["reroute"] = True
        turn["pending"] = calls
        ai = AIMessage(
            content=reply.text,
            tool_calls=[{"id": c["id"], "name": c["name"], "args": c["args"]} for c in calls],
        )
        return {"turn": turn, "messages": [ai]}

    def after_act(state: AgentState) -> Literal["tools", "confirm", "respond", "route"]:
        turn = state["turn"]
        pending = turn.get("pending") or []
        if turn.get("reroute") and not pending:
            return "route"
        if not pending:
            return "respond"
        # Only well-formed writes are put to the shopper; a malformed one goes straight to
        # the tool node, which answers it with an error the model can act on.
        if any(_is_valid_write(c) for c in pending):
            return "confirm"
        return "tools"

    def _is_valid_write(call: dict[str, Any]) -> bool:
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

    def context(config: RunnableConfig, call: dict[str, Any], writes: bool) -> ToolContext:
        conf = config.get("configurable", {})
        return ToolContext(
            user_id=conf["user_id"],
            session_id=conf["thread_id"],
            stores=deps.stores,
            catalog=deps.catalog,
            settings=settings,
            # The key is the thread and the tool call: a replayed or resumed step reuses it.
            idempotency_key=f"{conf['thread_id']}:{call['id']}" if writes else None,
            extra={"images": deps.images},
        )

    async def confirm(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        turn = turn_of(state)
        writes, summaries, refused = [], [], []
        for c in turn["pending"]:
            if not _is_valid_write(c):
                continue
            tool = deps.registry.get(c["name"])
            args = tool.parse_args(c["raw"] if c.get("raw") else c["args"])
            try:  # never ask the shopper to approve a write that cannot succeed
                pinned = await tool.check(context(config, c, writes=False), args)
            except ToolError as exc:
                refused.append(outcome(c, error_code=exc.code, error_message=exc.message,
                                       error_details=exc.details))
                continue
            if pinned:  # what the shopper approves (variant, unit price) is what is written
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
        # The id covers the pinned values: this node runs again on resume, and if a price
        # or variant changed meanwhile the shopper's yes was for something else.
        conf_id += "-" + hashlib.sha256(
            json.dumps([c["args"] for c in writes], sort_keys=True, default=str).encode()
        ).hexdigest()[:8]
        summary = "; ".join(summaries)
        answer = interrupt(
            {
                "confirmation_id": conf_id,
                "tool": writes[0]["name"],
                "arguments": writes[0]["args"],
                "summary": summary,
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
                error_message="The price or availability changed after you confirmed, so "
                f"nothing was changed. Now: {summary}. Please confirm again.",
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

    def after_confirm(state: AgentState) -> Literal["tools", "act", "respond"]:
        turn = state["turn"]
        if turn.get("pending"):
            return "tools"
        if turn.get("confirmation") is None and turn["tier"] != "embedded":
            return "act"  # a write was refused before asking: let the model react to why
        return "respond"

    async def run_tools(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        turn = turn_of(state)
        approved = bool((turn.get("confirmation") or {}).get("approved"))
        new: list[dict[str, Any]] = []
        for call in turn.get("pending", []):
            emit(ev.ToolCallEvent(id=call["id"], name=call["name"], arguments=call["args"]))
            try:
                tool = deps.registry.get(call["name"])
                args = tool.parse_args(call["raw"] if call.get("raw") else call["args"])
                if tool.writes and not approved:
                    raise ToolError("writes need the shopper's confirmation", code="not_confirmed")
                result = outcome(
                    call, ok=True, content=await tool(context(config, call, tool.writes), args)
                )
            except ToolError as exc:
                result = outcome(
                    call, error_code=exc.code, error_message=exc.message,
                    error_details=exc.details,
                )
            except Exception as exc:  # a broken tool must not kill the turn
                log.exception("tool %s failed", call["name"])
                result = outcome(call, error_code="tool_failed", error_message=type(exc).__name__)
            emit_outcome(result)
            new.append(result)
        turn.update(
            {
                "outcomes": [*turn.get("outcomes", []), *new],
                "pending": [],
                "steps": turn.get("steps", 0) + 1,
                "confirmation": None,
            }
        )
        return {"turn": turn, "messages": [outcome_message(o) for o in new]}

    def after_tools(state: AgentState) -> Literal["act", "respond", "route"]:
        # Invalid calls still run (their errors become tool messages, which keeps the
        # history well-formed for the next tier) before an escalation takes effect.
        turn = state["turn"]
        if turn.get("reroute"):
            return "route"
        if turn["tier"] == "embedded" and not turn.get("followup"):
            return "respond"
        return "act"

    async def respond(state: AgentState) -> dict[str, Any]:
        turn = turn_of(state)
        update: dict[str, Any] = {}
        outcomes = turn.get("outcomes", [])
        found = cards_from_outcomes(outcomes)
        reply = turn.get("reply") or {}
        if turn["tier"] == "none":
            text, ids = (REPHRASE if turn.get("embedded_declined") else APOLOGY), []
        elif turn["tier"] == "embedded" and not reply:
            from agent.embedded import NLUResult, ToolOutcome

            nlu = NLUResult.model_validate(turn["nlu"])
            r, dialogue = deps.embedded.respond(
                nlu, dialogue_of(state), [ToolOutcome.model_validate(o) for o in outcomes]
            )
            text, ids = r.text, list(r.product_ids)
            update["dialogue"] = dialogue.model_dump()
        else:
            text = reply.get("text") or ""
            ids = list(reply.get("product_ids") or found)
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
        cards = [found[i] for i in ids if i in found]
        if cards:
            emit(ev.ProductsEvent(products=[ev.ProductCard(**c) for c in cards]))
        if not reply.get("streamed"):
            emit(ev.MessageDeltaEvent(text=text))
        tier = turn["tier"] if turn["tier"] in ("embedded", "local", "frontier") else "none"
        emit(ev.MessageEvent(text=text, tier=tier))
        kept = {**(state.get("cards") or {}), **found}
        update["cards"] = dict(list(kept.items())[-MAX_CARDS_KEPT:])
        update["turn"] = turn
        update["messages"] = [
            AIMessage(
                content=text,
                additional_kwargs={
                    "tier": tier,
                    "turn_id": turn["turn_id"],
                    "products": cards,
                    "final": True,
                },
            )
        ]
        return update

    g = StateGraph(AgentState)
    g.add_node("understand", understand)
    g.add_node("route", route)
    g.add_node("act", act)
    g.add_node("confirm", confirm)
    g.add_node("tools", run_tools)
    g.add_node("respond", respond)
    g.add_edge(START, "understand")
    g.add_edge("understand", "route")
    g.add_conditional_edges("route", after_route, {"act": "act", "respond": "respond"})
    g.add_conditional_edges(
        "act",
        after_act,
        {"tools": "tools", "confirm": "confirm", "respond": "respond", "route": "route"},
    )
    g.add_conditional_edges(
        "confirm", after_confirm, {"tools": "tools", "act": "act", "respond": "respond"}
    )
    g.add_conditional_edges(
        "tools", after_tools, {"act": "act", "respond": "respond", "route": "route"}
    )
    g.add_edge("respond", END)
    return g
