"""One turn as a Server-Sent Events response.

- Each agent event goes out as ``event: <type>`` with its JSON as ``data``; ``done`` is
  always the last event, also after a failure (then preceded by an ``error`` event).
- The first event is awaited before the response starts, so a request the agent refuses
  up front (nothing to confirm: 404, a conflict: 409) still gets a proper HTTP status.
- A client that disconnects cancels the turn: sse-starlette cancels the task iterating
  the agent's stream, the cancellation reaches the model call awaiting inside it, and the
  agent's own cleanup runs. The session's turn lock is released in every case.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
from pydantic import BaseModel, TypeAdapter
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.types import Receive, Scope, Send

from agent.events import AgentEvent, DoneEvent, ErrorEvent
from api._limits import TurnLocks
from api._metrics import TurnObserver
from shopagent.errors import ShopAgentError

log = logging.getLogger("api.stream")
_EVENT = TypeAdapter(AgentEvent)


def _as_event(item: Any) -> BaseModel:
    return item if isinstance(item, BaseModel) else _EVENT.validate_python(item)


class _TurnGuard:
    """Releases the session's turn lock exactly once, however the turn ends."""

    def __init__(self, locks: TurnLocks, session_id: str, token: str) -> None:
        self.locks, self.session_id, self.token = locks, session_id, token
        self.released = False

    async def release(self) -> None:
        if self.released:
            return
        self.released = True
        try:
            await self.locks.release(self.session_id, self.token)
        except Exception:  # a lock we cannot release expires by TTL; never fail the turn
            log.warning("could not release turn lock", exc_info=True)


class TurnResponse(EventSourceResponse):
    """An SSE response that releases the turn lock even if streaming never starts."""

    # A class attribute too (sse-starlette sets it per instance), so FastAPI's OpenAPI
    # generation sees the media type.
    media_type = "text/event-stream"
    guard: _TurnGuard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self.guard.release()


async def stream_turn(
    events: AsyncIterator[Any],
    *,
    locks: TurnLocks,
    session_id: str,
    observer: TurnObserver,
    deadline_s: float,
) -> TurnResponse:
    """Take the session's turn lock, await the first event, return the streaming response.

    Raises Conflict (409) when a turn is already running, and any client-class
    ShopAgentError the agent raises before its first event.
    """
    start = time.perf_counter()
    guard = _TurnGuard(locks, session_id, await locks.acquire(session_id))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    it = aiter(events)
    try:
        async with asyncio.timeout_at(deadline):
            first: Any = await anext(it)
    except StopAsyncIteration:
        first = None
    except ShopAgentError as exc:
        if exc.http_status < 500:
            await guard.release()
            raise
        first = exc
    except TimeoutError:
        first = ShopAgentError("the turn took too long", code="turn_timeout")
    except Exception as exc:
        log.exception("turn failed before its first event")
        first = exc
    observer.first_event(time.perf_counter() - start)

    async def body() -> AsyncIterator[ServerSentEvent]:
        seq = 0
        done_sent = False
        cancelled = False

        def sse(event: BaseModel) -> ServerSentEvent:
            nonlocal seq, done_sent
            seq += 1
            observer.see(event)
            kind = getattr(event, "type", "message")
            done_sent = done_sent or kind == "done"
            return ServerSentEvent(data=event.model_dump_json(), event=kind, id=str(seq))

        def failure(exc: BaseException) -> ErrorEvent:
            if isinstance(exc, ShopAgentError):
                return ErrorEvent(code=exc.code, message=exc.message)
            return ErrorEvent(code="internal_error", message="the turn failed; try again")

        try:
            if isinstance(first, BaseException):
                yield sse(failure(first))
            elif first is not None:
                yield sse(_as_event(first))
                while not done_sent:
                    try:
                        async with asyncio.timeout_at(deadline):
                            item = await anext(it)
                    except StopAsyncIteration:
                        break
                    except TimeoutError:
                        yield sse(ErrorEvent(code="turn_timeout", message="the turn took too long"))
                        break
                    except Exception as exc:
                        if not isinstance(exc, ShopAgentError):
                            log.exception("turn failed mid-stream")
                        yield sse(failure(exc))
                        break
                    yield sse(_as_event(item))
            if not done_sent:
                yield sse(
                    DoneEvent(
                        turn_id="t-" + secrets.token_hex(6),
                        latency_ms=(time.perf_counter() - start) * 1000,
                    )
                )
        except (asyncio.CancelledError, GeneratorExit):
            cancelled = True
            log.info("client went away; turn cancelled")
            raise
        finally:
            # Shielded: during a disconnect the surrounding scope is cancelled, and every
            # unshielded await here would be cancelled again before it did its work.
            with anyio.CancelScope(shield=True):
                aclose = getattr(it, "aclose", None)
                if aclose is not None:
                    try:
                        await aclose()
                    except Exception:
                        log.warning("agent stream failed while closing", exc_info=True)
                observer.finish(time.perf_counter() - start, cancelled=cancelled)
                await guard.release()

    response = TurnResponse(
        body(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
    response.guard = guard
    return response
