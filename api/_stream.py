"""One turn as a Server-Sent Events response.

- Each agent event goes out as ``event: <type>`` with its JSON as ``data``; ``done`` is
  always the last event, also after a failure (then preceded by an ``error`` event).
- The first event is awaited before the response starts, but for ``FIRST_EVENT_S`` at
  most: a request the agent refuses up front (nothing to confirm: 404, a conflict: 409)
  still gets a proper HTTP status, and a turn with slow work before its first event (a
  cut-off turn being completed, a slow model) is already streaming keep-alives under a
  disconnect watch instead of holding the client in silence.
- On shutdown (SIGTERM) the ``Drain`` refuses new turns with 503 and, at its deadline,
  ends the running ones with an ``error`` (code ``shutting_down``) and ``done``, before
  the server would cancel them.
- The agent's stream runs in its own task feeding a queue; every write to the socket
  carries all the events that are ready, so a burst (tool result, products, text deltas)
  costs one write, not one per event. Under load the writes, not the events, cost most.
- A client that disconnects cancels the turn: a watcher sees ``http.disconnect`` and
  cancels the agent's task, so the model call awaiting inside it is cancelled and the
  agent's own cleanup runs. The session's turn lock is released in every case.
- A comment line every ``PING_S`` keeps proxies from closing a connection that waits on
  a slow model.

This is a small purpose-built response rather than sse-starlette's: that one runs four
tasks per response under anyio task groups, which was the largest per-turn CPU cost in
bench/api_load.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
from pydantic import BaseModel, TypeAdapter
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from shopagent.agent.events import AgentEvent, DoneEvent, ErrorEvent
from shopagent.api._limits import TurnLocks
from shopagent.api._metrics import TurnObserver
from shopagent.errors import ShopAgentError, Unavailable, storage_failure

log = logging.getLogger("api.stream")
_EVENT = TypeAdapter(AgentEvent)
_END = object()  # the agent's stream is exhausted
_MAX_BATCH = 64
PING_S = 15.0
FIRST_EVENT_S = 1.0
_RESTARTING = "The service is restarting; please send that again in a moment."


class Drain:
    """Graceful shutdown: ``begin()`` (from the SIGTERM handler) refuses new turns and,
    ``grace_s`` later less a second to flush, ends the running ones cleanly."""

    def __init__(self, grace_s: float) -> None:
        self.grace_s = grace_s
        self.draining = False
        self.turns: set[_Turn] = set()

    def begin(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        if self.draining:
            return
        self.draining = True
        loop = loop or asyncio.get_event_loop()
        loop.call_soon_threadsafe(
            lambda: loop.call_later(max(0.0, self.grace_s - 1.0), self._end_turns)
        )

    def _end_turns(self) -> None:
        for turn in list(self.turns):
            turn.queue.put_nowait(Unavailable(_RESTARTING, code="shutting_down"))

    def check(self) -> None:
        if self.draining:
            err = Unavailable(_RESTARTING, code="shutting_down")
            err.retry_after_s = 5
            raise err


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


async def _produce(events: AsyncIterator[AgentEvent], queue: asyncio.Queue[Any]) -> None:
    """Runs the agent's stream and queues what it yields; an exception is queued last."""
    try:
        async for item in events:
            queue.put_nowait(item)
        queue.put_nowait(_END)
    except Exception as exc:
        queue.put_nowait(exc)


async def _stop(task: asyncio.Task[Any]) -> None:
    """Cancel a task and wait for its cleanup, even while we are being cancelled."""
    with anyio.CancelScope(shield=True):
        if not task.done():
            task.cancel()
        try:
            await task
        except BaseException:  # noqa: BLE001 - its cancellation, or a failure in cleanup
            if not task.cancelled():
                log.warning("task failed while stopping", exc_info=True)


class _Turn:
    """The state of one streamed turn: its queue, lock, metrics and SSE encoding."""

    def __init__(
        self,
        producer: asyncio.Task[None],
        queue: asyncio.Queue[Any],
        guard: _TurnGuard,
        observer: TurnObserver,
        start: float,
        deadline: float,
    ) -> None:
        self.producer, self.queue, self.guard = producer, queue, guard
        self.observer, self.start, self.deadline = observer, start, deadline
        self.seq = 0
        self.done_sent = False
        self.cancelled = False
        self.drain: Drain | None = None

    async def next_item(self, *, ping: bool = False, wait_s: float = PING_S) -> Any:
        """The next queued item; None when a ping is due first (if ``ping``: after
        ``wait_s``)."""
        loop = asyncio.get_running_loop()
        until = min(self.deadline, loop.time() + wait_s) if ping else self.deadline
        try:
            async with asyncio.timeout_at(until):
                return await self.queue.get()
        except TimeoutError:
            if loop.time() < self.deadline:
                return None
            return ShopAgentError("the turn took too long", code="turn_timeout")

    def encode(self, event: BaseModel) -> bytes:
        if self.seq == 0:
            self.observer.first_event(time.perf_counter() - self.start)
        self.seq += 1
        self.observer.see(event)
        kind = getattr(event, "type", "message")
        self.done_sent = self.done_sent or kind == "done"
        return (f"id: {self.seq}\nevent: {kind}\ndata: {event.model_dump_json()}\n\n").encode()

    def encode_batch(self, batch: list[Any]) -> tuple[bytes, bool]:
        """SSE bytes for the items, and whether the turn is over."""
        chunks = []
        finished = False
        for item in batch:
            if item is _END:
                finished = True
            elif isinstance(item, BaseException):
                known = item if isinstance(item, ShopAgentError) else storage_failure(item)
                if known is None:
                    log.error("turn failed", exc_info=item)
                    item = ErrorEvent(code="internal_error", message="the turn failed; try again")
                else:
                    if known is not item:
                        log.error("turn failed: storage unavailable: %s", item)
                    item = ErrorEvent(code=known.code, message=known.message)
                chunks.append(self.encode(item))
                finished = True
            else:
                chunks.append(self.encode(_as_event(item)))
                finished = self.done_sent
            if finished:
                break
        if finished and not self.done_sent:
            chunks.append(
                self.encode(
                    DoneEvent(
                        turn_id="t-" + secrets.token_hex(6),
                        latency_ms=(time.perf_counter() - self.start) * 1000,
                    )
                )
            )
        return b"".join(chunks), finished

    async def stream(self, first: Any, send: Send) -> None:
        item = first
        while True:
            if item is None:  # nothing for PING_S: a comment keeps proxies from hanging up
                await send({"type": "http.response.body", "body": b": ping\n\n", "more_body": True})
            else:
                batch = [item]
                while not self.queue.empty() and len(batch) < _MAX_BATCH:
                    batch.append(self.queue.get_nowait())
                body, finished = self.encode_batch(batch)
                if finished:
                    await self.settle()
                await send({"type": "http.response.body", "body": body, "more_body": not finished})
                if finished:
                    return
            item = await self.next_item(ping=True)

    async def settle(self) -> None:
        """Before the last bytes go out: let the agent's stream end (its own cleanup and
        locks) and release the turn lock, so the moment a client sees ``done`` its next
        message is accepted rather than answered 409."""
        if not self.producer.done():
            await asyncio.wait({self.producer}, timeout=5)
        await _stop(self.producer)
        await self.guard.release()

    async def finish(self) -> None:
        if self.drain is not None:
            self.drain.turns.discard(self)
        await _stop(self.producer)
        self.observer.finish(time.perf_counter() - self.start, cancelled=self.cancelled)
        with anyio.CancelScope(shield=True):
            await self.guard.release()


class TurnResponse(Response):
    media_type = "text/event-stream"

    # status_code is a parameter with a default because FastAPI reads the documented
    # status from this signature.
    def __init__(
        self, turn: _Turn | None = None, first: Any = None, status_code: int = 200
    ) -> None:
        # Not Response.__init__: it would set a body, hence "content-length: 0", and the
        # client would read nothing. Without a body, uvicorn streams it chunked.
        self.status_code = status_code
        self.background = None
        self.init_headers({"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        self.turn, self.first = turn, first

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        turn = self.turn
        assert turn is not None
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            streamer = asyncio.create_task(turn.stream(self.first, send))
            watcher = asyncio.create_task(_wait_disconnect(receive))
            try:
                await asyncio.wait({streamer, watcher}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if not streamer.done():  # the client went away (or we are shutting down)
                    turn.cancelled = True
                    log.info("client went away; turn cancelled")
                await _stop(watcher)
                await _stop(streamer)
            if not turn.cancelled:
                streamer.result()  # a failure while sending surfaces here
        finally:
            await turn.finish()


async def _wait_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def stream_turn(
    events: AsyncIterator[AgentEvent],
    *,
    locks: TurnLocks,
    session_id: str,
    observer: TurnObserver,
    deadline_s: float,
    drain: Drain | None = None,
) -> TurnResponse:
    """Take the session's turn lock, await the first event, return the streaming response.

    Raises Conflict (409) when a turn is already running, and any client-class
    ShopAgentError the agent raises before its first event.
    """
    start = time.perf_counter()
    guard = _TurnGuard(locks, session_id, await locks.acquire(session_id))
    queue: asyncio.Queue[Any] = asyncio.Queue()
    producer = asyncio.create_task(_produce(events, queue))
    turn = _Turn(
        producer, queue, guard, observer, start, asyncio.get_running_loop().time() + deadline_s
    )
    if drain is not None:
        turn.drain = drain
        drain.turns.add(turn)
    try:
        first = await turn.next_item(ping=True, wait_s=FIRST_EVENT_S)
    except BaseException:  # cancelled while waiting (shutdown): leave nothing running
        await turn.finish()
        raise
    if isinstance(first, ShopAgentError) and first.http_status < 500:
        await _stop(producer)
        with contextlib.suppress(Exception):
            await guard.release()
        raise first
    return TurnResponse(turn, first)
