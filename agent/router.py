"""Which tier answers a turn, and why. Pure rules over the NLU result, turn features and
failures of cheaper tiers, so every decision is explainable and testable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from shopagent.agent.embedded import INTENTS

TierName = Literal["embedded", "local", "frontier", "none"]

# Intents the embedded tier plans from templates when it is confident: all it knows.
ROUTINE_INTENTS = frozenset(INTENTS)
COMPLEX_SLOT_COUNT = 5  # this many constraints at once interact: a frontier turn
LONG_TURN_WORDS = 40
LOCAL_FAILURE_LIMIT = 2


@dataclass
class TurnFeatures:
    words: int = 0
    has_image: bool = False
    slot_count: int = 0
    intent: str | None = None
    confidence: float | None = None
    embedded_declined: bool = False  # the embedded planner asked to escalate
    failures: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    tier: TierName
    reason: str


def choose_tier(f: TurnFeatures, available: set[str], threshold: float) -> Decision:
    usable = set(available)
    if f.failures.get("local", 0) >= LOCAL_FAILURE_LIMIT:
        usable.discard("local")
    if f.failures.get("frontier", 0) >= 1:
        usable.discard("frontier")
    if f.failures.get("embedded", 0) >= 1 or f.embedded_declined:
        usable.discard("embedded")

    def first(order: list[TierName], why: str) -> Decision:
        for tier in order:
            if tier in usable:
                degraded = "" if tier == order[0] else f" ({order[0]} unavailable)"
                return Decision(tier, why + degraded)
        return Decision("none", why + "; no model tier can answer")

    failed = [t for t, n in f.failures.items() if n]
    if failed:
        return first(
            ["frontier", "local", "embedded"], f"escalated after {', '.join(sorted(failed))} failed"
        )
    conf = f.confidence if f.confidence is not None else 0.0
    if f.embedded_declined:
        return first(["local", "frontier"], "embedded planner could not handle the turn")
    if f.intent is None:
        return first(["local", "frontier", "embedded"], "no NLU result")
    if conf < threshold:
        return first(
            ["frontier", "local", "embedded"], f"low NLU confidence {conf:.2f} < {threshold:.2f}"
        )
    if f.slot_count >= COMPLEX_SLOT_COUNT or f.words >= LONG_TURN_WORDS:
        return first(
            ["frontier", "local", "embedded"],
            f"complex turn ({f.slot_count} constraints, {f.words} words)",
        )
    if f.has_image and f.intent != "visual_search":
        return first(["local", "frontier", "embedded"], "image turn beyond visual search")
    if f.intent in ROUTINE_INTENTS or f.intent.startswith("plugin:"):  # a tool's examples
        return first(
            ["embedded", "local", "frontier"], f"routine {f.intent}, confidence {conf:.2f}"
        )
    return first(["local", "frontier", "embedded"], f"open-ended intent {f.intent}")
