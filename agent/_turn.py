"""Pieces of a turn the graph nodes share: the bound services, events, budgets, cards
and tool outcomes."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langgraph.config import get_stream_writer
from pydantic import BaseModel

from shopagent.agent import events as ev
from shopagent.agent.models import ChatModel
from shopagent.agent.state import AgentState, TurnState
from shopagent.settings import Settings
from shopagent.tools import ToolRegistry
from shopagent.tools.protocols import CatalogReader
from shopagent.tools.stores.base import CommerceStore

if TYPE_CHECKING:  # the embedded tier is an optional install; images load lazily
    from shopagent.agent.embedded import EmbeddedTier
    from shopagent.retrieval.images import ImageStore

REPHRASE = (
    "Sorry, I didn't understand that. Could you put it another way? For example: "
    '"red dresses under $50" or "add the second one in size M".'
)
APOLOGY = (
    "Sorry, I can't answer right now: no assistant model is available. "
    "Please try again in a moment."
)


@dataclass
class AgentDeps:
    """Services bound into the graph once; per-call identity comes from the config."""

    settings: Settings
    registry: ToolRegistry
    stores: CommerceStore
    catalog: CatalogReader
    images: ImageStore | None = None
    embedded: EmbeddedTier | None = None  # None when untrained or not installed
    models: dict[str, ChatModel] = field(default_factory=dict)

    def available_tiers(self) -> set[str]:
        return set(self.models) | ({"embedded"} if self.embedded is not None else set())


def emit(event: BaseModel) -> None:
    # The event itself, not a dump of it: the custom stream stays in process, and the
    # service yields it as is (a dump here was validated back into the same model there).
    get_stream_writer()(event)


def turn_of(state: AgentState) -> TurnState:
    return {**state["turn"]}


def bump(counter: dict[str, int], key: str, n: int = 1) -> dict[str, int]:
    return {**counter, key: counter.get(key, 0) + n}


def _card(d: dict[str, Any]) -> ev.ProductCard:
    keys = ev.ProductCard.model_fields
    return ev.ProductCard.model_validate({k: v for k, v in d.items() if k in keys})


def cards_from_outcomes(outcomes: list[dict[str, Any]]) -> dict[str, ev.ProductCard]:
    """The product cards the turn's results hold, by id (first seen wins; a malformed one
    is left out), validated once: the products event and the history both use them."""
    found: dict[str, ev.ProductCard] = {}
    for o in outcomes:
        content = o.get("content") if o.get("ok") else None
        if not isinstance(content, dict):
            continue
        items = list(content.get("products") or [])
        if isinstance(content.get("product"), dict):
            items.append(content["product"])
        for item in items:
            if isinstance(item, dict) and item.get("id") and "price" in item:
                try:
                    found.setdefault(str(item["id"]), _card(item))
                except ValueError:
                    continue
    return found


def confirmation_id(turn: TurnState, calls: list[dict[str, Any]]) -> str:
    # Deterministic: the confirm node re-runs on resume and must name the same request.
    raw = turn["turn_id"] + "|" + "|".join(c["id"] for c in calls)
    return "c-" + hashlib.sha256(raw.encode()).hexdigest()[:16]


def over_budget(turn: TurnState, settings: Settings) -> str | None:
    if turn.get("steps", 0) >= settings.max_steps_per_turn:
        return "steps"
    if (
        sum(turn.get("tokens_in", {}).values()) + sum(turn.get("tokens_out", {}).values())
        >= settings.max_tokens_per_turn
    ):
        return "tokens"
    if time.time() - turn.get("started_at", time.time()) >= settings.turn_deadline_s:
        return "time"
    return None


BOUND_TEXT = {
    "steps": "I've taken as many steps as I can for one message. Here's what I found so far; "
    "could you narrow the request?",
    "tokens": "That request needs more work than I can do in one message. Could you narrow it?",
    "time": "That took too long, so I stopped. Please try again or narrow the request.",
}


def outcome(
    call: dict[str, Any],
    *,
    ok: bool = False,
    content: Any = None,
    error_code: str | None = None,
    error_message: str | None = None,
    error_details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A tool call's result as the turn records it (``agent.embedded.ToolOutcome`` shape).
    ``error_details``: the ToolError's machine-readable facts (e.g. the option to ask for)."""
    return {
        "id": call["id"],
        "name": call["name"],
        "args": call["args"],
        "ok": ok,
        "content": content,
        "error_code": error_code,
        "error_message": error_message,
        # What the tool said beyond the message (e.g. the option and values still open),
        # so a clarifying question can offer them as quick replies.
        "error_details": error_details,
    }


def emit_outcome(o: dict[str, Any]) -> None:
    emit(
        ev.ToolResultEvent(
            id=o["id"], name=o["name"], ok=o["ok"], content=o["content"], error_code=o["error_code"]
        )
    )
