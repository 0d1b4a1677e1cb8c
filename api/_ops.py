"""What operators reach and what an attacker must not: the metrics token, readiness
without internals, and a brake on guessing API keys."""

from __future__ import annotations

import hmac
import time
from typing import Any

from fastapi import Request

from shopagent.errors import NotFound, RateLimited, Unauthorized
from shopagent.settings import Settings


def require_metrics_token(settings: Settings, request: Request) -> None:
    """/metrics: with a token set, only ``Authorization: Bearer <token>`` reads it; in
    production without one it does not exist (404), elsewhere it is open."""
    token = settings.metrics_token
    if token is None:
        if settings.environment == "production":
            raise NotFound("not found", code="not_found")
        return
    sent = request.headers.get("authorization", "")
    scheme, _, value = sent.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        value.strip().encode(), token.get_secret_value().encode()
    ):
        raise Unauthorized("send the metrics token: Authorization: Bearer <token>")


def public_readiness(checks: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Production readiness: which part is ready, never counts, versions or error types."""
    return {
        name: {"ok": bool(c.get("ok")), "detail": "ok" if c.get("ok") else "failing"}
        for name, c in checks.items()
    }


class AuthFailures:
    """Failed API-key checks per client address (fixed one-minute windows, this process).

    Over the limit, the address is refused with 429 before its key is even checked, so a
    correct guess is not told apart from a wrong one while it is braked."""

    def __init__(self, per_minute: int) -> None:
        self.limit = max(1, per_minute)
        self._windows: dict[str, tuple[float, int]] = {}

    def _window(self, address: str) -> tuple[float, int]:
        now = time.monotonic()
        start, count = self._windows.get(address, (now, 0))
        if now - start >= 60:
            start, count = now, 0
        return start, count

    def check(self, address: str) -> None:
        start, count = self._window(address)
        if count >= self.limit:
            retry = max(1, int(60 - (time.monotonic() - start)) + 1)
            raise RateLimited("too many failed API key checks; slow down", retry_after_s=retry)

    def fail(self, address: str) -> None:
        start, count = self._window(address)
        self._windows[address] = (start, count + 1)
        if len(self._windows) > 100_000:  # forget old windows rather than grow unbounded
            now = time.monotonic()
            self._windows = {a: w for a, w in self._windows.items() if now - w[0] < 60}
