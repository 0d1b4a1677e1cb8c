"""AgentService: what the API, the CLI and the eval runner call. It owns the compiled
graph and the services it needs, and turns a graph run into a typed event stream."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Literal, cast

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from pydantic import BaseModel

from shopagent.agent import events as ev
from shopagent.agent.checkpoint import HeldReadSaver
from shopagent.agent.graph import AgentDeps, build_graph
from shopagent.agent.models import ChatModel, endpoints_from_settings
from shopagent.agent.state import new_turn
from shopagent.errors import Conflict, NotFound, ShopAgentError, storage_failure
from shopagent.settings import Settings
from shopagent.tools.protocols import CatalogReader
from shopagent.tools.stores.base import SessionIndex, SessionInfo

if TYPE_CHECKING:  # the embedded tier is an optional install
    from shopagent.agent.embedded import EmbeddedTier

log = logging.getLogger(__name__)

# A typed answer to a pending confirmation: only short, unambiguous replies count.
_POLITE = r"(,?\s*(please|thanks|thank you|do it|go ahead|cancel that|ok|okay|sure))*"
_YES = re.compile(
    r"^\s*(yes|yep|yeah|yup|y|sure|ok(ay)?|confirm(ed)?|do it|go ahead|please do)"
    rf"{_POLITE}[\s.!]*$",
    re.IGNORECASE,
)
_NO = re.compile(
    rf"^\s*(no|nope|n|cancel|don'?t|do not|stop|never ?mind){_POLITE}[\s.!]*$", re.IGNORECASE
)
# Saying the write itself again answers its confirmation: "add it" to "Add 1 x ... to your
# cart?", "place the order" to "Place an order for everything in your cart?"
_AGAIN_LEAD = r"^\s*(?:(?:yes|yep|yeah|yup|ok(?:ay)?|sure)\W+)?(?:(?:please|just)\s+)?"
_AGAIN_END = rf"{_POLITE}[\s.!]*$"
_SAYS_THE_WRITE = {
    "add_to_cart": re.compile(
        rf"{_AGAIN_LEAD}(?:add|put|pop|get|buy)(?:\s+(?:it|that|this|them|those|these|one))?"
        rf"(?:\s+(?:to|in|into)\s+(?:my\s+|the\s+)?(?:cart|basket|bag|trolley))?{_AGAIN_END}",
        re.IGNORECASE,
    ),
    "checkout": re.compile(
        rf"{_AGAIN_LEAD}(?:check\s?out|place\s+(?:it|the\s+order|my\s+order|an\s+order)"
        rf"|order\s+it|buy\s+(?:it|them)(?:\s+now)?){_AGAIN_END}",
        re.IGNORECASE,
    ),
    "remove_from_cart": re.compile(
        rf"{_AGAIN_LEAD}(?:remove|delete|take\s+out)(?:\s+(?:it|that|this|them|those|these))?"
        rf"{_AGAIN_END}",
        re.IGNORECASE,
    ),
}


def _approves(text: str, pending: dict[str, Any]) -> bool:
    """A typed yes to ``pending``: a short yes, or the write said again."""
    again = _SAYS_THE_WRITE.get(str(pending.get("tool")))
    return bool(_YES.match(text) or (again is not None and again.match(text)))


def _load_embedded(settings: Settings, catalog: CatalogReader) -> EmbeddedTier | None:
    try:
        from shopagent.agent.embedded import EmbeddedTier

        return EmbeddedTier.load(settings, catalog.facet_values())
    except ShopAgentError as exc:
        log.warning("embedded tier unavailable: %s", exc.message)
    except ImportError:
        log.warning("embedded tier not installed")
    return None


class AgentService:
    def __init__(
        self,
        deps: AgentDeps,
        graph: CompiledStateGraph[Any, Any, Any, Any],
        sessions: SessionIndex,
        checkpointer: BaseCheckpointSaver[Any],
        *,
        hold_reads: bool = True,
    ) -> None:
        """``graph``: compiled with ``checkpointer``. ``hold_reads``: a turn's look at the
        thread and the run share one checkpoint read (:class:`HeldReadSaver`; the run
        uses a copy of ``graph`` on that saver)."""
        self.deps = deps
        self.settings = deps.settings
        self.registry = deps.registry
        self.stores = deps.stores
        self.catalog = deps.catalog
        self.images = deps.images
        self.sessions = sessions
        self.checkpointer = checkpointer
        self._running: set[str] = set()
        self._held: HeldReadSaver | None = None
        if hold_reads and isinstance(graph.checkpointer, HeldReadSaver):
            self._held = graph.checkpointer
        elif hold_reads:
            compiled = graph.checkpointer
            inner = compiled if isinstance(compiled, BaseCheckpointSaver) else checkpointer
            self._held = HeldReadSaver(inner)
            graph = graph.copy({"checkpointer": self._held})
        self.graph = graph

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls,
        settings: Settings,
        *,
        catalog: CatalogReader | None = None,
        embedded: EmbeddedTier | None | Literal["auto"] = "auto",
    ) -> AsyncIterator[AgentService]:
        """Open every service from settings. ``catalog``/``embedded`` may be passed in
        (tests, evals) to share one across several services."""
        from shopagent.agent.checkpoint import open_checkpointer
        from shopagent.agent.plugin_match import attach_plugin_tools
        from shopagent.retrieval import open_catalog
        from shopagent.retrieval.images import ImageStore
        from shopagent.tools.builtin import build_registry
        from shopagent.tools.mcp import open_mcp_tools
        from shopagent.tools.stores import open_stores

        own_catalog = None  # one we open, we close
        if catalog is None:
            catalog = own_catalog = open_catalog(settings)
        models = {t: ChatModel(e) for t, e in endpoints_from_settings(settings).items()}
        try:
            async with (
                await open_stores(settings) as (stores, sessions),
                open_checkpointer(settings) as checkpointer,
                # Product teams' MCP servers (settings.mcp_servers) join the registry.
                open_mcp_tools(build_registry(settings), settings) as mcp_tools,
            ):
                deps = AgentDeps(
                    settings=settings,
                    registry=mcp_tools.registry,
                    stores=stores,
                    catalog=catalog,
                    images=ImageStore(settings.data_dir / "media" / "uploads"),
                    embedded=_load_embedded(settings, catalog) if embedded == "auto" else embedded,
                    models=models,
                )
                # Tools declaring example requests: the embedded tier calls them too.
                attach_plugin_tools(
                    deps.embedded, deps.registry, catalog, settings, can_escalate=bool(models)
                )
                # "We don't carry X; closest: ..." ranks categories with the catalog's encoder.
                text = getattr(catalog, "text", None)
                if deps.embedded is not None and text is not None:
                    deps.embedded.attach_text_encoder(text.encode)
                graph = build_graph(deps).compile(checkpointer=checkpointer)
                yield cls(deps, graph, sessions, checkpointer)
        finally:
            for m in models.values():
                await m.aclose()
            if own_catalog is not None:
                own_catalog.close()

    # --- helpers ---------------------------------------------------------------------------
    def _config(self, user_id: str, session_id: str) -> RunnableConfig:
        return {
            "configurable": {"thread_id": session_id, "user_id": user_id},
            "recursion_limit": 4 * self.settings.max_steps_per_turn + 20,
        }

    async def _owned(
        self, user_id: str, session_id: str, known: SessionInfo | None = None
    ) -> SessionInfo:
        """The caller's session record; ``known``: one the caller has just read (the API
        checks ownership before it takes the turn lock), used instead of reading again."""
        if known is not None and (known.user_id, known.session_id) == (user_id, session_id):
            return known
        info = await self.sessions.get_session(user_id, session_id)
        if info is None:
            raise NotFound("no such session", code="session_not_found")
        return info

    async def _pending(
        self, config: RunnableConfig, *, hold: bool = True
    ) -> tuple[Any, dict[str, Any] | None]:
        if hold and self._held is not None:  # a run follows: it reuses this read
            await self._held.hold(config)
        snapshot = await self.graph.aget_state(config)
        for task in snapshot.tasks:
            for intr in task.interrupts:
                return snapshot, intr.value
        return snapshot, None

    async def pending_confirmation(
        self, *, user_id: str, session_id: str
    ) -> ev.ConfirmRequiredEvent | None:
        await self._owned(user_id, session_id)
        _, value = await self._pending(self._config(user_id, session_id), hold=False)
        return ev.ConfirmRequiredEvent(**value) if value else None

    async def _run(
        self, payload: Command[Any] | dict[str, Any] | None, config: RunnableConfig, turn_id: str
    ) -> AsyncIterator[ev.AgentEvent]:
        """Run the graph, yield events, always end with ``done``.

        Checkpoint granularity follows what a crash could lose. Writes only ever run when a
        confirmation resumes the graph (a Command) or a cut-off turn is completed (None):
        those runs checkpoint after every step, so a confirmed write is never lost or
        repeated. A fresh message runs read-only steps up to its reply or its confirmation
        request and checkpoints once, at the end or the interrupt: a crash before that loses
        only the unanswered message, and halves a routine turn's overhead.
        """
        started = time.perf_counter()
        turn: dict[str, Any] = {}
        durability: Literal["sync", "exit"] = (
            "sync" if payload is None or isinstance(payload, Command) else "exit"
        )
        try:
            async for part in self.graph.astream(
                payload, config, stream_mode=["custom", "updates"], durability=durability
            ):
                # With a list of modes the stream yields (mode, chunk) pairs (langgraph types
                # it loosely): custom chunks are our events (``_turn.emit``), update chunks
                # map each node to its state update.
                mode, chunk = cast(tuple[str, Any], part)
                if mode == "custom":
                    yield (
                        cast(ev.AgentEvent, chunk)
                        if isinstance(chunk, BaseModel)
                        else _event(chunk)
                    )
                    continue
                for node, update in chunk.items():
                    if node == "__interrupt__":
                        for intr in update:
                            yield ev.ConfirmRequiredEvent(**intr.value)
                    elif isinstance(update, dict) and "turn" in update:
                        turn = update["turn"]  # the latest per-turn counters, for usage
        except ShopAgentError as exc:
            yield ev.ErrorEvent(code=exc.code, message=exc.message)
        except Exception as exc:
            if (storage := storage_failure(exc)) is not None:  # a full or failing disk
                log.error("turn %s failed: storage unavailable: %s", turn_id, exc)
                yield ev.ErrorEvent(code=storage.code, message=storage.message)
            else:
                log.exception("turn %s failed", turn_id)
                yield ev.ErrorEvent(
                    code="internal_error", message="Something went wrong on our side."
                )
        finally:
            usage = ev.Usage(
                tokens_in=turn.get("tokens_in", {}),
                tokens_out=turn.get("tokens_out", {}),
                model_calls=turn.get("model_calls", {}),
                steps=turn.get("steps", 0),
            )
            yield ev.DoneEvent(
                turn_id=turn_id, usage=usage, latency_ms=(time.perf_counter() - started) * 1000
            )

    @contextlib.asynccontextmanager
    async def _exclusive(self, session_id: str) -> AsyncIterator[None]:
        if session_id in self._running:
            err = Conflict("a turn is already running in this session", code="turn_in_progress")
            err.retry_after_s = 2
            raise err
        self._running.add(session_id)
        try:
            yield
        finally:
            self._running.discard(session_id)
            if self._held is not None:
                self._held.release(session_id)

    async def _complete_interrupted(
        self, config: RunnableConfig, snapshot: Any
    ) -> AsyncIterator[ev.AgentEvent]:
        """A turn cut off by a crash or a disconnect is completed before the next one, so
        the thread never skips a step (its writes are idempotent). Its events stream as
        the start of the new response: the shopper gets the reply they missed, and the
        response is under way (keep-alives, disconnect watch) while it runs. Its own
        ``done`` is left out: the response ends with the new turn's."""
        if not (snapshot.next and not _interrupts(snapshot)):
            return
        log.info("completing a cut-off turn of session %s", config["configurable"]["thread_id"])
        async for e in self._run(None, config, f"t-{uuid.uuid4().hex[:12]}"):
            if not isinstance(e, ev.DoneEvent):
                yield e

    async def _decline_unanswered(
        self, config: RunnableConfig, pending: dict[str, Any]
    ) -> AsyncIterator[ev.AgentEvent]:
        """The shopper moved on without answering a confirmation (perhaps one whose answer
        a crash cut off): decline it, and say so rather than drop it silently."""
        # Annotated, not Command[Any](...): calling a subscripted frozen dataclass sets
        # __orig_class__ on the instance, which raises TypeError at run time.
        decline: Command[Any] = Command(resume={"approve": False})
        async for _ in self.graph.astream(
            decline,
            config,
            stream_mode="updates",
            durability="sync",
        ):
            pass
        what = pending.get("summary") or "the change you were asked to confirm"
        yield ev.MessageEvent(
            text=f"I did not go ahead with this, as it was still waiting for your yes: {what}. "
            "Ask again if you still want it."
        )

    # --- public API ------------------------------------------------------------------------
    async def stream_turn(
        self,
        *,
        user_id: str,
        session_id: str,
        text: str,
        image_id: str | None = None,
        action: dict[str, Any] | None = None,
        session: SessionInfo | None = None,
    ) -> AsyncIterator[ev.AgentEvent]:
        """``action``: a card action (agent/_actions.py), run as planned tool calls; the
        history stores a readable line for it when ``text`` is empty. ``session``: the
        session's record when the caller has just read it (not read again)."""
        info = await self._owned(user_id, session_id, session)
        if action is not None and not text.strip():
            from shopagent.agent._actions import user_line

            text = await asyncio.to_thread(user_line, action, self.catalog)
        config = self._config(user_id, session_id)
        async with self._exclusive(session_id):
            snapshot, pending = await self._pending(config)
            is_new = not snapshot.values.get("messages")
            if snapshot.next and pending is None:
                async for e in self._complete_interrupted(config, snapshot):
                    yield e
                _, pending = await self._pending(config)
            if (
                pending is not None
                and image_id is None
                and action is None
                and ((approve := _approves(text, pending)) or _NO.match(text))
            ):
                async for e in self._run(
                    Command(
                        resume={
                            "confirmation_id": pending["confirmation_id"],
                            "approve": approve,
                        }
                    ),
                    config,
                    f"t-{uuid.uuid4().hex[:12]}",
                ):
                    yield e
                return
            if pending is not None:  # moving on without answering declines the write
                async for e in self._decline_unanswered(config, pending):
                    yield e
            turn_id = f"t-{uuid.uuid4().hex[:12]}"
            payload = {
                "turn": new_turn(turn_id, text, image_id, time.time(), action),
                "messages": [
                    HumanMessage(
                        content=text,
                        additional_kwargs={
                            "turn_id": turn_id,
                            "image_id": image_id,
                            **({"action": action} if action else {}),
                        },
                    )
                ],
            }
            # The first message names the session; later ones only mark it as active.
            title = (text[:60] or "Photo search") if is_new else None
            await self.sessions.touch_session(user_id, session_id, title=title, info=info)
            async for e in self._run(payload, config, turn_id):
                yield e

    async def stream_confirm(
        self,
        *,
        user_id: str,
        session_id: str,
        confirmation_id: str,
        approve: bool,
        session: SessionInfo | None = None,
    ) -> AsyncIterator[ev.AgentEvent]:
        await self._owned(user_id, session_id, session)
        config = self._config(user_id, session_id)
        async with self._exclusive(session_id):
            _, pending = await self._pending(config)
            if pending is None or pending.get("confirmation_id") != confirmation_id:
                raise NotFound(
                    "no pending confirmation with that id", code="confirmation_not_found"
                )
            resume: Command[Any] = Command(
                resume={"confirmation_id": confirmation_id, "approve": approve}
            )
            async for e in self._run(resume, config, f"t-{uuid.uuid4().hex[:12]}"):
                yield e

    async def stream_resume(self, *, user_id: str, session_id: str) -> AsyncIterator[ev.AgentEvent]:
        """Complete a turn that a crash interrupted (no-op stream when none is)."""
        await self._owned(user_id, session_id)
        config = self._config(user_id, session_id)
        async with self._exclusive(session_id):
            snapshot, pending = await self._pending(config)
            if snapshot.next and pending is None:
                async for e in self._run(None, config, f"t-{uuid.uuid4().hex[:12]}"):
                    yield e

    async def history(
        self, *, user_id: str, session_id: str, include_tools: bool = False
    ) -> list[ev.HistoryItem]:
        """The conversation as the shopper saw it; ``include_tools`` adds the tool calls
        and results between (what ``shopagent sessions export`` records as traces)."""
        await self._owned(user_id, session_id)
        snapshot = await self.graph.aget_state(self._config(user_id, session_id))
        items: list[ev.HistoryItem] = []
        for m in snapshot.values.get("messages", []):
            if isinstance(m, HumanMessage):
                image_id = m.additional_kwargs.get("image_id")
                items.append(ev.HistoryItem(role="user", text=str(m.content), image_id=image_id))
            elif isinstance(m, AIMessage) and m.additional_kwargs.get("final"):
                cards = [ev.ProductCard(**c) for c in m.additional_kwargs.get("products", [])]
                tier = m.additional_kwargs.get("tier")
                items.append(
                    ev.HistoryItem(
                        role="assistant",
                        text=str(m.content),
                        tier=tier,
                        products=cards,
                        quick_replies=m.additional_kwargs.get("quick_replies", []),
                    )
                )
            elif include_tools and isinstance(m, AIMessage) and m.tool_calls:
                calls = [
                    ev.ToolCallEvent(id=tc["id"] or "", name=tc["name"], arguments=tc["args"])
                    for tc in m.tool_calls
                ]
                items.append(
                    ev.HistoryItem(role="assistant", text=str(m.content), tool_calls=calls)
                )
            elif include_tools and isinstance(m, ToolMessage):
                items.append(ev.HistoryItem(role="tool", text=str(m.content)))
        return items

    async def get_cart(self, *, user_id: str) -> dict[str, Any]:
        return (await self.stores.get_cart(user_id)).summary()

    async def delete_session(self, *, user_id: str, session_id: str) -> None:
        await self._owned(user_id, session_id)
        await (self._held or self.checkpointer).adelete_thread(session_id)
        await self.sessions.delete_session(user_id, session_id)

    async def readiness(self) -> dict[str, dict[str, Any]]:
        """Whether this process can serve: state readable and writable, index readable,
        models loaded or reachable. Details are plain words (the API strips them in
        production); the exceptions go to the log."""
        out: dict[str, dict[str, Any]] = {}
        try:
            await self.sessions.get_session("__readyz__", "__readyz__")
            await asyncio.to_thread(_probe_writable, self.settings.data_dir)
            out["state"] = {"ok": True, "detail": self.settings.state_backend}
        except OSError:
            log.warning("readiness: data folder not writable", exc_info=True)
            out["state"] = {"ok": False, "detail": "data folder not writable"}
        except Exception:
            log.warning("readiness: state store failed", exc_info=True)
            out["state"] = {"ok": False, "detail": "state store unavailable"}
        try:
            n = self.catalog.count()
            out["index"] = {"ok": n > 0, "detail": f"{n} products" if n else "empty"}
        except Exception:
            log.warning("readiness: index failed", exc_info=True)
            out["index"] = {"ok": False, "detail": "index unreadable"}
        out["embedded_model"] = {
            "ok": self.deps.embedded is not None,
            "detail": "loaded" if self.deps.embedded else "not trained",
        }
        for tier in ("local", "frontier"):
            model = self.deps.models.get(tier)
            if model is None:
                out[f"{tier}_model"] = {"ok": True, "detail": "not configured"}
            else:
                ok, detail = await model.ping()
                out[f"{tier}_model"] = {"ok": ok, "detail": detail}
        return out


def _probe_writable(folder: Any) -> None:
    """Write, flush and delete a small file: a read-only or full data folder raises."""
    probe = folder / f".readyz-{uuid.uuid4().hex[:8]}"
    try:
        with open(probe, "wb") as f:
            f.write(b"ok")
            f.flush()
            os.fsync(f.fileno())
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def _interrupts(snapshot: Any) -> list[Any]:
    return [i for task in snapshot.tasks for i in task.interrupts]


_EVENT_TYPES = {
    cls.model_fields["type"].default: cls
    for cls in (
        ev.RouteEvent,
        ev.ToolCallEvent,
        ev.ToolResultEvent,
        ev.ProductsEvent,
        ev.MessageDeltaEvent,
        ev.MessageEvent,
        ev.ConfirmRequiredEvent,
        ev.ErrorEvent,
        ev.DoneEvent,
    )
}


def _event(chunk: dict[str, Any]) -> ev.AgentEvent:
    return _EVENT_TYPES[chunk["type"]].model_validate(chunk)
