"""A scripted stand-in for AgentService: same interface, canned turns, a fixed model delay.

It exists to test and measure the HTTP layer alone (tests/api, bench/api_load.py): the
API's auth, limits, streaming, cancellation and error handling do not depend on what the
agent decides, and a scripted turn makes them deterministic. Session ownership, the
pending-confirmation rules and "done is last" follow the real service's contract.
The image store is the real one.

Scripted behaviour, by the message text:
- contains "add" and "cart": a confirm_required for adding the first product shown;
- "boom": the stream raises mid-turn (the API must still end it with error + done);
- anything else: route, a search tool call and result, products, streamed text, message.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopagent.agent import events as ev
from shopagent.api.deps import ChatService
from shopagent.errors import Conflict, NotFound
from shopagent.retrieval.images import ImageStore
from shopagent.settings import Settings
from shopagent.tools import ToolRegistry
from shopagent.tools.cart import CART_TOOLS
from shopagent.tools.protocols import CatalogReader
from shopagent.tools.stores.base import CommerceStore, SessionIndex, SessionInfo, utcnow

_PRODUCTS = [
    ev.ProductCard(
        id="p-00001",
        title="Linen Shirt",
        price="39.00",
        brand="Nordvik",
        category="apparel/shirts",
        image_url="/media/products/p-00001.png",
        attributes={"color": "blue", "size": ["S", "M", "L"], "material": "linen"},
    ),
    ev.ProductCard(
        id="p-00002",
        title="Oxford Shirt",
        price="45.50",
        compare_at_price="59.00",  # on sale: the page shows the price before it
        brand="Calder",
        category="apparel/shirts",
        image_url="/media/products/p-00002.png",
        attributes={"color": "white", "size": ["M", "L"], "material": "cotton"},
    ),
    ev.ProductCard(
        id="p-00003",
        title="Chambray Shirt",
        price="49.00",
        brand="Nordvik",
        category="apparel/shirts",
        image_url="/media/products/p-00003.png",
        attributes={"color": "light blue", "size": ["S", "M"], "material": "cotton"},
    ),
]


class MemorySessionIndex:
    def __init__(self) -> None:
        self._sessions: dict[str, SessionInfo] = {}

    async def create_session(self, user_id: str, title: str | None = None) -> SessionInfo:
        info = SessionInfo(
            session_id="s-" + secrets.token_hex(8),
            user_id=user_id,
            title=title or "New conversation",
        )
        self._sessions[info.session_id] = info
        return info

    async def get_session(self, user_id: str, session_id: str) -> SessionInfo | None:
        info = self._sessions.get(session_id)
        return info if info is not None and info.user_id == user_id else None

    async def list_sessions(self, user_id: str) -> list[SessionInfo]:
        return [s for s in self._sessions.values() if s.user_id == user_id]

    async def touch_session(
        self,
        user_id: str,
        session_id: str,
        title: str | None = None,
        *,
        info: SessionInfo | None = None,
    ) -> None:
        info = await self.get_session(user_id, session_id)
        if info is not None:
            info.updated_at = utcnow()
            if title and info.title == "New conversation":
                info.title = title

    async def delete_session(self, user_id: str, session_id: str) -> bool:
        if await self.get_session(user_id, session_id) is None:
            return False
        del self._sessions[session_id]
        return True


class ScriptedAgentService:
    def __init__(self, settings: Settings, *, model_delay_s: float = 0.0) -> None:
        self.settings = settings
        self.model_delay_s = model_delay_s
        self.registry = ToolRegistry(CART_TOOLS)
        self.sessions: SessionIndex = MemorySessionIndex()
        self.images = ImageStore(Path(settings.data_dir) / "media" / "uploads")
        # No commerce store or catalog: the scripted turns stand in for what they serve.
        self.stores: CommerceStore | None = None
        self.catalog: CatalogReader | None = None
        self.carts: dict[str, list[dict[str, Any]]] = {}
        self.history_by_session: dict[str, list[ev.HistoryItem]] = {}
        self.pending: dict[str, ev.ConfirmRequiredEvent] = {}
        self.running: set[str] = set()
        # What tests look at: turns whose model call was cancelled, and the last turn's text.
        self.cancelled_turns = 0
        self.model_calls_started = 0
        self.model_call_started = asyncio.Event()

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls, settings: Settings, *, shared_sessions: bool = False, **kwargs: Any
    ) -> AsyncIterator[ScriptedAgentService]:
        """``shared_sessions``: keep the session index in the configured real store (Redis
        in service mode), so several API processes agree on who owns which session."""
        svc = cls(settings, **kwargs)
        if not shared_sessions:
            yield svc
            return
        from shopagent.tools.stores import open_stores

        stores = await open_stores(settings)
        svc.sessions = stores.sessions
        try:
            yield svc
        finally:
            await stores.aclose()

    async def _owned(self, user_id: str, session_id: str, known: SessionInfo | None = None) -> None:
        if known is not None and (known.user_id, known.session_id) == (user_id, session_id):
            return  # the route has just read it
        if await self.sessions.get_session(user_id, session_id) is None:
            raise NotFound("no such session", code="session_not_found")

    @contextlib.asynccontextmanager
    async def _exclusive(self, session_id: str) -> AsyncIterator[None]:
        if session_id in self.running:
            raise Conflict("a turn is already running in this session", code="turn_in_progress")
        self.running.add(session_id)
        try:
            yield
        finally:
            self.running.discard(session_id)

    async def _model_call(self) -> None:
        self.model_calls_started += 1
        self.model_call_started.set()
        try:
            await asyncio.sleep(self.model_delay_s)
        except asyncio.CancelledError:
            self.cancelled_turns += 1
            raise

    def _done(self, turn_id: str) -> ev.DoneEvent:
        return ev.DoneEvent(
            turn_id=turn_id,
            latency_ms=self.model_delay_s * 1000,
            usage=ev.Usage(
                tokens_in={"local": 120},
                tokens_out={"local": 40},
                model_calls={"local": 1},
                steps=2,
            ),
        )

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
        if action is not None and not text:
            text = f"{action['type']} {action.get('product_id') or ''}".strip()
        await self._owned(user_id, session_id, session)
        if image_id is not None and not self.images.exists(image_id):
            raise NotFound("no such image", code="image_not_found")
        async with self._exclusive(session_id):
            self.pending.pop(session_id, None)  # moving on declines a pending write
            log = self.history_by_session.setdefault(session_id, [])
            log.append(ev.HistoryItem(role="user", text=text, image_id=image_id))
            await self.sessions.touch_session(user_id, session_id, title=text[:60] or None)
            turn_id = "t-" + secrets.token_hex(6)
            yield ev.RouteEvent(tier="local", reason="scripted", intent="search", confidence=0.9)
            await self._model_call()
            if text.strip().lower() == "boom":
                raise RuntimeError("scripted failure")
            lowered = text.lower()
            if "add" in lowered and "cart" in lowered:
                # the shirt named ("add the oxford shirt to my cart"), else the first
                product = next(
                    (p for p in _PRODUCTS if p.title.split()[0].lower() in lowered), _PRODUCTS[0]
                )
                confirm = ev.ConfirmRequiredEvent(
                    confirmation_id="c-" + secrets.token_hex(6),
                    tool="add_to_cart",
                    arguments={"product_id": product.id, "quantity": 1, "size": "M"},
                    summary=f"Add 1 x {product.title} (M) for {product.price} USD",
                )
                self.pending[session_id] = confirm
                yield confirm
                yield self._done(turn_id)
                return
            name = "visual_search" if image_id else "search_products"
            call_id = "call-" + secrets.token_hex(4)
            yield ev.ToolCallEvent(id=call_id, name=name, arguments={"query": text})
            yield ev.ToolResultEvent(
                id=call_id, name=name, ok=True, content={"count": len(_PRODUCTS)}
            )
            yield ev.ProductsEvent(products=_PRODUCTS)
            reply = f"Here are {len(_PRODUCTS)} shirts you might like."
            for word in reply.split(" "):
                yield ev.MessageDeltaEvent(text=word + " ")
            yield ev.MessageEvent(text=reply, tier="local")
            log.append(
                ev.HistoryItem(role="assistant", text=reply, products=_PRODUCTS, tier="local")
            )
            yield self._done(turn_id)

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
        async with self._exclusive(session_id):
            pending = self.pending.get(session_id)
            if pending is None or pending.confirmation_id != confirmation_id:
                raise NotFound(
                    "no pending confirmation with that id", code="confirmation_not_found"
                )
            del self.pending[session_id]
            turn_id = "t-" + secrets.token_hex(6)
            if approve:
                call_id = "call-" + secrets.token_hex(4)
                yield ev.ToolCallEvent(id=call_id, name=pending.tool, arguments=pending.arguments)
                pid = pending.arguments.get("product_id")
                product = next((p for p in _PRODUCTS if p.id == pid), _PRODUCTS[0])
                self.carts.setdefault(user_id, []).append(
                    {
                        "product_id": product.id,
                        "title": product.title,
                        "options": {"size": "M"},
                        "unit_price": product.price,
                        "compare_at_price": product.compare_at_price,  # added in its sale
                        "currency": "USD",
                        "quantity": 1,
                        "line_total": product.price,
                    }
                )
                yield ev.ToolResultEvent(id=call_id, name=pending.tool, ok=True)
                reply = f"Added {product.title} to your cart."
            else:
                reply = "OK, I did not change your cart."
            yield ev.MessageEvent(text=reply, tier="embedded")
            self.history_by_session.setdefault(session_id, []).append(
                ev.HistoryItem(role="assistant", text=reply, tier="embedded")
            )
            yield self._done(turn_id)

    async def history(self, *, user_id: str, session_id: str) -> list[ev.HistoryItem]:
        await self._owned(user_id, session_id)
        return list(self.history_by_session.get(session_id, []))

    async def pending_confirmation(
        self, *, user_id: str, session_id: str
    ) -> ev.ConfirmRequiredEvent | None:
        await self._owned(user_id, session_id)
        return self.pending.get(session_id)

    async def get_cart(self, *, user_id: str) -> dict[str, Any]:
        lines = self.carts.get(user_id, [])
        saved = sum(
            (
                (Decimal(line["compare_at_price"]) - Decimal(line["unit_price"])) * line["quantity"]
                for line in lines
                if line.get("compare_at_price")
            ),
            Decimal("0.00"),
        )
        return {
            "lines": lines,
            "item_count": sum(line["quantity"] for line in lines),
            "total": str(sum((Decimal(line["line_total"]) for line in lines), Decimal("0.00"))),
            "savings": str(saved) if saved else None,
            "currency": "USD",
        }

    async def delete_session(self, *, user_id: str, session_id: str) -> None:
        await self._owned(user_id, session_id)
        self.history_by_session.pop(session_id, None)
        self.pending.pop(session_id, None)
        await self.sessions.delete_session(user_id, session_id)

    async def readiness(self) -> dict[str, dict[str, Any]]:
        return {
            "index": {"ok": True, "detail": "scripted"},
            "local_model": {"ok": True, "detail": "scripted"},
            "frontier_model": {"ok": True, "detail": "not configured"},
        }


def _implements_chat_service(svc: ScriptedAgentService) -> ChatService:
    return svc  # mypy checks here that the scripted service keeps the API's Protocol
