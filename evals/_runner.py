"""Replay conversations through the agent service and record full traces.

Each conversation runs as a fresh user (``eval-<run>-<conversation>``) with an empty cart
and a new session, so conversations cannot leak state into each other and any number run
concurrently (bounded by a semaphore).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from shopagent.errors import ShopAgentError
from shopagent.evals._config import EvalConfig
from shopagent.evals._format import Conversation, Turn
from shopagent.evals._grounding import resolve_product
from shopagent.evals._records import ConversationRecord, RunResult, TurnRecord
from shopagent.evals._scoring import score_conversation, summarize

_MAX_RESULT_CHARS = 4000  # tool results are kept for traces, not whole catalogs


class Service(Protocol):
    """The part of ``agent.service.AgentService`` a replay drives."""

    sessions: Any
    images: Any

    def stream_turn(
        self, *, user_id: str, session_id: str, text: str, image_id: str | None = None
    ) -> AsyncIterator[Any]: ...
    def stream_confirm(
        self, *, user_id: str, session_id: str, confirmation_id: str, approve: bool
    ) -> AsyncIterator[Any]: ...
    async def get_cart(self, *, user_id: str) -> dict[str, Any]: ...


ServiceFactory = Callable[[EvalConfig], AbstractAsyncContextManager[Service]]


def default_service_factory(settings: Any) -> ServiceFactory:
    """Open the real agent service with the configuration's tiers."""

    @contextlib.asynccontextmanager
    async def open_service(config: EvalConfig) -> AsyncIterator[Service]:
        # Lazy: evals must import without the graph. An ImportError here is a broken
        # install, and it propagates: a replay without its tiers would score nothing real.
        from shopagent.agent.embedded import EmbeddedTier
        from shopagent.agent.service import AgentService
        from shopagent.retrieval import ensure_demo_catalog

        tuned = settings.model_copy(update=config.settings_update())
        # The datasets reference the demo catalog: build it on first use, as `make run` does.
        catalog = ensure_demo_catalog(tuned)
        embedded: Any = None
        try:
            # Loaded here, not by the service, whose fallback for a missing model is "no
            # embedded tier": with no other tier configured every turn would go nowhere and
            # the run would measure that. With model tiers, running without it is a choice.
            embedded = EmbeddedTier.load(tuned, catalog.facet_values())
        except ShopAgentError as exc:
            if not config.tiers:
                catalog.close()
                raise RuntimeError(
                    f"the embedded tier cannot load ({exc.message}); train it first "
                    "(`shopagent train embedded`, or start `make run` once on this data "
                    "folder)"
                ) from exc
        try:
            async with AgentService.open(tuned, catalog=catalog, embedded=embedded) as svc:
                yield svc
        finally:
            catalog.close()

    return open_service


def _dump(ev: Any) -> dict[str, Any]:
    return ev.model_dump(mode="json") if hasattr(ev, "model_dump") else dict(ev)


def _clip(v: Any) -> Any:
    import json

    text = json.dumps(v, default=str)
    return v if len(text) <= _MAX_RESULT_CHARS else text[:_MAX_RESULT_CHARS] + "...[clipped]"


def _record_events(rec: TurnRecord, events: Iterable[dict[str, Any]]) -> str | None:
    """Fold one turn's events into ``rec``; returns the pending confirmation id, if any."""
    pending = None
    deltas: list[str] = []
    for ev in events:
        t = ev.get("type")
        if t == "route":
            rec.tiers.append(ev["tier"])
            rec.tier, rec.route_reason = ev["tier"], ev.get("reason")
            rec.predicted_intent = ev.get("intent") or rec.predicted_intent
            rec.confidence = ev.get("confidence", rec.confidence)
        elif t == "tool_call":
            rec.tool_calls.append(
                {"id": ev.get("id"), "name": ev["name"], "arguments": ev.get("arguments") or {}}
            )
        elif t == "tool_result":
            rec.tool_results.append(
                {
                    "id": ev.get("id"),
                    "name": ev["name"],
                    "ok": ev.get("ok"),
                    "error_code": ev.get("error_code"),
                    "content": _clip(ev.get("content")),
                }
            )
        elif t == "products":
            rec.products.extend(ev.get("products") or [])
        elif t == "message_delta":
            deltas.append(ev.get("text", ""))
        elif t == "message":
            rec.reply = (rec.reply + "\n" + ev.get("text", "")).strip()
        elif t == "confirm_required":
            rec.confirmation = {
                k: ev.get(k) for k in ("confirmation_id", "tool", "arguments", "summary")
            }
            pending = ev.get("confirmation_id")
        elif t == "error":
            rec.errors.append({"code": ev.get("code"), "message": ev.get("message")})
        elif t == "done":
            rec.latency_ms = float(ev.get("latency_ms") or 0.0)
            rec.usage = ev.get("usage") or {}
    if not rec.reply and deltas:
        rec.reply = "".join(deltas)
    return pending


def _cart_key(cart: dict[str, Any] | None) -> Any:
    lines = (cart or {}).get("lines") or []
    return sorted(
        (str(x.get("product_id")), str(x.get("variant_id")), int(x.get("quantity", 1)))
        for x in lines
    )


async def _maybe_await(v: Any) -> Any:
    return await v if inspect.isawaitable(v) else v


class Replayer:
    def __init__(
        self,
        svc: Service,
        config: EvalConfig,
        *,
        data_dir: Path,
        run_id: str,
        turn_timeout_s: float = 120.0,
    ) -> None:
        self.svc, self.config, self.data_dir = svc, config, data_dir
        self.run_id, self.turn_timeout_s = run_id, turn_timeout_s

    def user_id_for(self, conv: Conversation) -> str:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", conv.id)[:80]
        return f"eval-{self.run_id}-{safe}"

    async def _image_id(self, turn: Turn) -> str | None:
        if turn.image is None:
            return None
        path = turn.image.resolve(self.data_dir)
        data = path.read_bytes()  # a missing image is a dataset bug: fail loudly in the record
        return str(await _maybe_await(self.svc.images.put(data, path.suffix.lstrip(".") or "png")))

    async def _grounding(self, turn: Turn, earlier: list[TurnRecord]) -> dict[str, Any]:
        """The product a ``grounded`` expectation is about, from the catalog the replay runs
        on (the card shown earlier when the service has no catalog to ask)."""
        assert turn.expect.grounded is not None
        pid = resolve_product(turn.expect.grounded, [t.products for t in earlier])
        if pid is None:
            return {"error": f"no earlier turn showed {turn.expect.grounded.product} products"}
        catalog = getattr(self.svc, "catalog", None)
        if catalog is not None and hasattr(catalog, "get_product"):
            product = await asyncio.to_thread(catalog.get_product, pid)
            if product is None:
                return {"product_id": pid, "error": f"{pid} is not in the catalog"}
            data = product.model_dump(mode="json")
            data["in_stock"] = bool(getattr(product, "available", data.get("in_stock")))
            return {"product_id": pid, "source": "catalog", "data": data}
        card = next(
            (c for t in reversed(earlier) for c in t.products if str(c.get("id")) == pid), None
        )
        if card is None:
            return {"product_id": pid, "error": f"{pid} was never shown"}
        return {"product_id": pid, "source": "card", "data": card}

    async def replay(self, conv: Conversation) -> ConversationRecord:
        user_id = self.user_id_for(conv)
        rec = ConversationRecord(id=conv.id, tags=conv.tags, user_id=user_id)
        t0 = time.perf_counter()
        try:
            info = await self.svc.sessions.create_session(user_id)
            session_id = info.session_id
            pending: str | None = None
            cart_before = _cart_key(await self.svc.get_cart(user_id=user_id))
            for i, turn in enumerate(conv.turns):
                tr = TurnRecord(
                    index=i,
                    kind=turn.kind,
                    user=turn.user,
                    confirm=turn.confirm,
                    intent=turn.intent,
                    image=turn.image.model_dump_json(exclude_none=True) if turn.image else None,
                )
                rec.turns.append(tr)
                if turn.new_session:  # same user, fresh conversation: only memory carries
                    session_id = (await self.svc.sessions.create_session(user_id)).session_id
                    pending = None
                if turn.kind == "confirm":
                    if pending is None:  # the agent never asked: nothing to answer
                        tr.skipped = "no confirmation was pending to answer"
                        continue
                    stream = self.svc.stream_confirm(
                        user_id=user_id,
                        session_id=session_id,
                        confirmation_id=pending,
                        approve=bool(turn.confirm),
                    )
                else:
                    stream = self.svc.stream_turn(
                        user_id=user_id,
                        session_id=session_id,
                        text=turn.user or "",
                        image_id=await self._image_id(turn),
                    )
                started = time.perf_counter()
                events = await asyncio.wait_for(_collect(stream), self.turn_timeout_s)
                pending = _record_events(tr, events)
                if not tr.latency_ms:
                    tr.latency_ms = (time.perf_counter() - started) * 1000
                if turn.expect.grounded is not None:
                    tr.grounding = await self._grounding(turn, rec.turns[:-1])
                tr.cart = await self.svc.get_cart(user_id=user_id)
                after = _cart_key(tr.cart)
                tr.cart_changed, cart_before = after != cart_before, after
        except TimeoutError:
            rec.error = f"turn {len(rec.turns) - 1} timed out after {self.turn_timeout_s:.0f}s"
        except Exception as exc:  # one broken conversation must not end the run
            rec.error = f"{type(exc).__name__}: {exc}"
        if rec.error and rec.turns:  # the turn it broke on fails; later ones are not played
            rec.turns[-1].errors.append({"code": "runner_error", "message": rec.error})
        rec.wall_ms = (time.perf_counter() - t0) * 1000
        return rec


async def _collect(stream: AsyncIterator[Any]) -> list[dict[str, Any]]:
    return [_dump(ev) async for ev in stream]


async def run_conversations(
    convs: list[Conversation],
    config: EvalConfig,
    *,
    factory: ServiceFactory,
    data_dir: Path,
    dataset: str = "",
    concurrency: int = 4,
    run_id: str | None = None,
    on_done: Callable[[ConversationRecord], None] | None = None,
    turn_timeout_s: float = 120.0,
) -> RunResult:
    """Replay ``convs`` with ``config``; returns the scored run."""
    run_id = run_id or f"{config.name}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:4]}"
    run_id = re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)
    result = RunResult(
        run_id=run_id,
        config=config.model_dump(mode="json"),
        dataset=dataset,
        started_at=datetime.now(UTC).isoformat(),
    )
    t0 = time.perf_counter()
    sem = asyncio.Semaphore(max(1, concurrency))
    by_id = {c.id: c for c in convs}
    async with factory(config) as svc:
        replayer = Replayer(
            svc, config, data_dir=data_dir, run_id=run_id, turn_timeout_s=turn_timeout_s
        )

        async def one(conv: Conversation) -> ConversationRecord:
            async with sem:
                rec = await replayer.replay(conv)
            score_conversation(rec, conv, config)
            if on_done is not None:
                on_done(rec)
            return rec

        records = await asyncio.gather(*(one(c) for c in convs))
    result.conversations = list(records)
    result.wall_s = time.perf_counter() - t0
    result.summary, result.breakdowns = summarize(result, config, by_id)
    return result
