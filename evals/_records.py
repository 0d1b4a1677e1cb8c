"""What a run records: per-turn traces and scores, per-conversation results, the run."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class TurnScore(BaseModel):
    success: bool = True
    failures: list[str] = Field(default_factory=list, description="Why the turn failed")
    checks: dict[str, bool] = Field(default_factory=dict, description="Each expectation checked")
    tool_tp: int = 0  # expected calls matched by name
    tool_pred: int = 0  # calls made (counted only where tool_calls was expected)
    tool_expected: int = 0
    args_ok: int = 0
    args_total: int = 0
    constraints_ok: int = 0  # (product, constraint) pairs satisfied
    constraints_total: int = 0
    cost_usd: float = 0.0


class TurnRecord(BaseModel):
    index: int
    kind: str  # "user" | "confirm"
    user: str | None = None
    image: str | None = None
    confirm: bool | None = None
    intent: str | None = Field(default=None, description="The dataset's label")
    predicted_intent: str | None = None
    confidence: float | None = None
    tier: str | None = Field(default=None, description="Tier of the last route event")
    tiers: list[str] = Field(default_factory=list)
    route_reason: str | None = None
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    tool_results: list[dict[str, Any]] = Field(default_factory=list)
    products: list[dict[str, Any]] = Field(default_factory=list)
    reply: str = ""
    confirmation: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = Field(default_factory=list)
    latency_ms: float = 0.0
    usage: dict[str, Any] = Field(default_factory=dict)
    cart: dict[str, Any] | None = None
    cart_changed: bool = False
    skipped: str | None = Field(default=None, description="Why the turn could not be replayed")
    grounding: dict[str, Any] | None = Field(
        default=None,
        description="The product a `grounded` expectation is about: "
        "{product_id, source: catalog|card, data}, or {error}",
    )
    score: TurnScore = Field(default_factory=TurnScore)


class ConversationRecord(BaseModel):
    id: str
    tags: list[str] = Field(default_factory=list)
    user_id: str
    turns: list[TurnRecord] = Field(default_factory=list)
    error: str | None = Field(default=None, description="Runner failure that cut the replay short")
    wall_ms: float = 0.0
    success: bool = False
    cost_usd: float = 0.0


class RunResult(BaseModel):
    run_id: str
    config: dict[str, Any]
    dataset: str
    started_at: str
    wall_s: float = 0.0
    conversations: list[ConversationRecord] = Field(default_factory=list)
    summary: dict[str, Any] = Field(default_factory=dict)
    breakdowns: dict[str, Any] = Field(default_factory=dict)
