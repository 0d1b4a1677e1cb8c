"""The graph's state schema. Everything in it is JSON-serialisable so checkpoints survive
restarts and move between processes."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class TurnState(TypedDict, total=False):
    """Per-turn scratch state; replaced whole at the start of every turn."""

    turn_id: str
    text: str
    image_id: str | None
    started_at: float  # wall clock (time.time): the deadline must hold across a restart
    nlu: dict[str, Any] | None
    tier: str
    reason: str
    embedded_declined: bool
    reroute: bool
    failures: dict[str, int]
    steps: int
    tokens_in: dict[str, int]
    tokens_out: dict[str, int]
    model_calls: dict[str, int]
    pending: list[dict[str, Any]]  # tool calls to run: {"id", "name", "args", "raw"}
    outcomes: list[dict[str, Any]]  # ToolOutcome dumps, in order
    confirmation: dict[str, Any] | None  # {"id", "calls", "summary", "approved"}
    reply: dict[str, Any] | None  # {"text", "product_ids"}
    bound: str | None  # which budget ended the turn, if any
    followup: bool  # the embedded plan asked for one more step after its results
    until_found: bool  # pending calls are alternatives: stop at the first finding products
    action: dict[str, Any] | None  # a card action (agent/_actions.py): planned, no NLU
    quick_replies: list[str]  # short answers offered with this turn's reply


class AgentState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    dialogue: dict[str, Any]  # agent.embedded.DialogueState dump: constraints, last shown ...
    turn: TurnState
    # Product cards shown, by id: no longer written (nothing read it, and it was re-saved
    # with every checkpoint); kept in the schema so threads saved before still load.
    cards: dict[str, dict[str, Any]]
    awaiting: dict[str, Any] | None  # the option question the last reply asked, if any


class TurnView(TypedDict):
    """What an edge function reads: the turn alone. LangGraph reads a branch's input
    afresh (the node's writes applied to a copy of the channels it names, taken from the
    first parameter's type): typed with the whole state, that copy re-applies the node's
    messages to the whole history on every routing decision."""

    turn: TurnState


def new_turn(
    turn_id: str,
    text: str,
    image_id: str | None,
    now: float,
    action: dict[str, Any] | None = None,
) -> TurnState:
    return TurnState(
        turn_id=turn_id,
        text=text,
        image_id=image_id,
        started_at=now,
        nlu=None,
        tier="none",
        reason="",
        embedded_declined=False,
        reroute=False,
        failures={},
        steps=0,
        tokens_in={},
        tokens_out={},
        model_calls={},
        pending=[],
        outcomes=[],
        confirmation=None,
        reply=None,
        bound=None,
        followup=False,
        until_found=False,
        action=action,
        quick_replies=[],
    )
