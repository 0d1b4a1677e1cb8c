"""Prometheus metrics, computed from the events each turn streams.

The agent reports what happened (RouteEvent: the tier; ToolResultEvent: ok/error_code;
DoneEvent: latency and tokens per tier); the API turns that into counters, so the agent
needs no metrics code. Each app gets its own registry, which keeps tests independent.
Cost is estimated from the price table in settings ($ per 1M tokens in/out per tier).
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from shopagent.agent.events import DoneEvent, ErrorEvent, RouteEvent, ToolResultEvent

_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120)


class ApiMetrics:
    def __init__(self, prices: dict[str, dict[str, float]] | None = None) -> None:
        self.prices = prices or {}
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "shopagent_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=r,
        )
        self.turn_latency = Histogram(
            "shopagent_turn_latency_seconds",
            "Turn latency, request to done event, by tier",
            ["tier"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.first_event = Histogram(
            "shopagent_turn_first_event_seconds",
            "Time from request to the first streamed event",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.turns = Counter(
            "shopagent_turns", "Turns by tier and outcome", ["tier", "outcome"], registry=r
        )
        self.tool_calls = Counter(
            "shopagent_tool_calls", "Tool calls by tool and result", ["tool", "result"], registry=r
        )
        self.tool_errors = Counter(
            "shopagent_tool_errors", "Tool errors by tool and code", ["tool", "code"], registry=r
        )
        self.turn_errors = Counter(
            "shopagent_turn_errors", "Error events by code", ["code"], registry=r
        )
        self.tokens = Counter(
            "shopagent_tokens",
            "Model tokens by tier and direction",
            ["tier", "direction"],
            registry=r,
        )
        self.model_calls = Counter(
            "shopagent_model_calls", "Model calls by tier", ["tier"], registry=r
        )
        self.cost = Counter(
            "shopagent_estimated_cost_usd",
            "Estimated model cost in USD by tier",
            ["tier"],
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def turn_observer(self) -> TurnObserver:
        return TurnObserver(self)


class TurnObserver:
    """Watches one turn's events and records them once, whatever way the turn ends."""

    def __init__(self, metrics: ApiMetrics) -> None:
        self.m = metrics
        self.tier = "none"
        self.outcome = "ok"
        self._recorded = False

    def first_event(self, seconds: float) -> None:
        self.m.first_event.observe(seconds)

    def see(self, event: Any) -> None:
        if isinstance(event, RouteEvent):
            self.tier = event.tier
        elif isinstance(event, ToolResultEvent):
            self.m.tool_calls.labels(event.name, "ok" if event.ok else "error").inc()
            if not event.ok:
                self.m.tool_errors.labels(event.name, event.error_code or "unknown").inc()
        elif isinstance(event, ErrorEvent):
            self.outcome = "error"
            self.m.turn_errors.labels(event.code).inc()
        elif isinstance(event, DoneEvent):
            self._record_usage(event)

    def _record_usage(self, done: DoneEvent) -> None:
        usage = done.usage
        for tier, n in usage.tokens_in.items():
            self.m.tokens.labels(tier, "in").inc(n)
        for tier, n in usage.tokens_out.items():
            self.m.tokens.labels(tier, "out").inc(n)
        for tier, n in usage.model_calls.items():
            self.m.model_calls.labels(tier).inc(n)
        for tier in set(usage.tokens_in) | set(usage.tokens_out):
            price = self.m.prices.get(tier) or {}
            cost = (
                usage.tokens_in.get(tier, 0) * float(price.get("in", 0.0))
                + usage.tokens_out.get(tier, 0) * float(price.get("out", 0.0))
            ) / 1e6
            if cost > 0:
                self.m.cost.labels(tier).inc(cost)

    def finish(self, seconds: float, *, cancelled: bool = False) -> None:
        if self._recorded:
            return
        self._recorded = True
        outcome = "cancelled" if cancelled else self.outcome
        self.m.turns.labels(self.tier, outcome).inc()
        self.m.turn_latency.labels(self.tier).observe(seconds)
