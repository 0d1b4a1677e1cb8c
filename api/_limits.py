"""What one client may consume: body size, request rate, one turn at a time per session.

Service mode keeps the rate limit and the turn locks in Redis, so several API processes
share them; embedded mode (SQLite) keeps them in process, where there is only one.
The rate limit is GCRA (a leaky bucket without a background refill): a user may burst up
to ``limit`` requests, then one every ``60/limit`` seconds, with no window edge at which
two full windows pass at once.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shopagent.api._errors import BodyTooLarge, error_response
from shopagent.errors import Conflict, RateLimited

# --- rate limit -----------------------------------------------------------------------------


class RateLimiter(Protocol):
    async def hit(self, user_id: str) -> None:
        """Count one request; raise RateLimited when over the limit."""
        ...


class MemoryRateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.interval = 60.0 / max(1, per_minute)
        self.burst = max(1, per_minute)
        self._tat: dict[str, float] = {}

    async def hit(self, user_id: str) -> None:
        now = time.monotonic()
        tat = max(self._tat.get(user_id, now), now)
        allow_at = tat + self.interval - self.interval * self.burst
        if allow_at > now:
            raise RateLimited("too many requests; slow down", retry_after_s=int(allow_at - now) + 1)
        self._tat[user_id] = tat + self.interval
        if len(self._tat) > 100_000:  # forget idle users rather than grow without bound
            self._tat = {u: t for u, t in self._tat.items() if t > now}


# Runs atomically in Redis with Redis' own clock, so API processes with skewed clocks
# agree. Returns 0 when allowed, else the seconds to wait.
_GCRA_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allow_at = tat + interval - interval * burst
if allow_at > now then return tostring(allow_at - now) end
local new_tat = tat + interval
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1000)
return '0'
"""


class RedisRateLimiter:
    def __init__(self, redis: Any, per_minute: int) -> None:
        self.redis = redis
        self.interval = 60.0 / max(1, per_minute)
        self.burst = max(1, per_minute)
        self._script = redis.register_script(_GCRA_LUA)

    async def hit(self, user_id: str) -> None:
        raw = await self._script(
            keys=[f"shopagent:rl:{{{user_id}}}"], args=[self.interval, self.burst]
        )
        wait = float(raw.decode() if isinstance(raw, bytes) else raw)
        if wait > 0:
            raise RateLimited("too many requests; slow down", retry_after_s=int(wait) + 1)


# --- one turn at a time per session ---------------------------------------------------------


class TurnLocks(Protocol):
    async def acquire(self, session_id: str) -> str:
        """Return a token; raise Conflict when a turn is already running."""
        ...

    async def release(self, session_id: str, token: str) -> None: ...


_BUSY = "a turn is already running in this session; wait for its done event"


# A client told to come back after this many seconds finds the session free in the
# usual case (turns take seconds), and the heartbeat-renewed lock of a dead process
# expires within ``turn_lock_ttl_s``.
RETRY_AFTER_S = 2


def _busy() -> Conflict:
    err = Conflict(_BUSY, code="turn_in_progress")
    err.retry_after_s = RETRY_AFTER_S
    return err


class MemoryTurnLocks:
    def __init__(self) -> None:
        self._held: dict[str, str] = {}

    async def acquire(self, session_id: str) -> str:
        if session_id in self._held:
            raise _busy()
        token = secrets.token_hex(8)
        self._held[session_id] = token
        return token

    async def release(self, session_id: str, token: str) -> None:
        if self._held.get(session_id) == token:
            del self._held[session_id]


_RELEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_RENEW_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_LOCK_PREFIX = "shopagent:turn:"


class RedisTurnLocks:
    """A lock per session, shared by every API process.

    The lock lives ``ttl_s`` (a few seconds) and a heartbeat renews it every third of that
    while the turn runs, so a process killed mid-turn, or cut off from Redis, frees its
    sessions within ``ttl_s`` rather than after the longest possible turn. Each lock's
    value names the process instance that holds it (``<instance_id>/<token>``); at startup
    :meth:`clear_own` deletes the locks the previous life of this instance left behind.
    """

    def __init__(self, redis: Any, ttl_s: float, instance_id: str = "") -> None:
        self.redis = redis
        self.ttl_ms = max(300, int(ttl_s * 1000))
        self.instance_id = instance_id or secrets.token_hex(6)
        self._release = redis.register_script(_RELEASE_LUA)
        self._renew = redis.register_script(_RENEW_LUA)
        self._beats: dict[str, asyncio.Task[None]] = {}

    @staticmethod
    def _key(session_id: str) -> str:
        return f"{_LOCK_PREFIX}{{{session_id}}}"

    async def clear_own(self) -> int:
        """Delete this instance's locks left by a crash (there is no running turn yet)."""
        mine = f"{self.instance_id}/".encode()
        cleared = 0
        async for key in self.redis.scan_iter(match=f"{_LOCK_PREFIX}*", count=500):
            value = await self.redis.get(key)
            if value is not None and value.startswith(mine):
                # compare-and-delete: another instance may have taken it since
                cleared += int(await self._release(keys=[key], args=[value]))
        return cleared

    async def acquire(self, session_id: str) -> str:
        token = f"{self.instance_id}/{secrets.token_hex(8)}"
        ok = await self.redis.set(self._key(session_id), token, nx=True, px=self.ttl_ms)
        if not ok:
            raise _busy()
        self._beats[token] = asyncio.create_task(self._heartbeat(session_id, token))
        return token

    async def _heartbeat(self, session_id: str, token: str) -> None:
        while True:
            await asyncio.sleep(self.ttl_ms / 3000)
            try:
                if not await self._renew(keys=[self._key(session_id)], args=[token, self.ttl_ms]):
                    return  # lost (expired during an outage): the turn ends on its own
            except Exception:  # Redis briefly away: try again next beat
                continue

    async def release(self, session_id: str, token: str) -> None:
        beat = self._beats.pop(token, None)
        if beat is not None:
            beat.cancel()
        # Shielded: release runs in cleanup after a client disconnect, when the task that
        # runs it is being cancelled; an unreleased lock would block the next message.
        await asyncio.shield(self._release(keys=[self._key(session_id)], args=[token]))


# --- body size ------------------------------------------------------------------------------


class BodyLimitMiddleware:
    """413 for bodies over the limit, before a byte of them is parsed.

    A declared Content-Length over the limit is refused at once; a chunked body is
    counted as it arrives and refused when it passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
                break
        if declared is not None and declared > self.max_bytes:
            response = error_response(
                413, "payload_too_large", f"request body larger than {self.max_bytes} bytes"
            )
            await response(scope, receive, send)
            return

        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as exc:
            if started:
                raise
            response = error_response(413, "payload_too_large", str(exc.detail))
            await response(scope, receive, send)
