"""A scripted stand-in for ``agent.service.AgentService``: same interface, rule-based turns,
an in-memory cart. ``mode="good"`` behaves; ``mode="bad"`` shows off-constraint products,
writes without confirmation and escalates to the frontier tier, so scores must drop."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from shopagent.agent import events as ev
from shopagent.evals import EvalConfig

RED_DRESS = ev.ProductCard(
    id="p-00010",
    title="Solenne Red Linen Midi Dress",
    price=39.99,
    category="Apparel > Dresses",
    attributes={"color": "red"},
)
RED_DRESS_2 = ev.ProductCard(
    id="p-00062",
    title="Kiko Lane Red Silk Wrap Dress",
    price=48.99,
    category="Apparel > Dresses",
    attributes={"color": "red"},
)
BLUE_DRESS = ev.ProductCard(
    id="p-00114",
    title="Nordvale Blue Cotton Shirt Dress",
    price=120.99,
    category="Apparel > Dresses",
    attributes={"color": "blue"},
)


@dataclass
class _Info:
    session_id: str
    user_id: str


class _Sessions:
    def __init__(self) -> None:
        self.created: list[_Info] = []

    async def create_session(self, user_id: str, title: str | None = None) -> _Info:
        info = _Info(session_id=f"s-{uuid.uuid4().hex[:8]}", user_id=user_id)
        self.created.append(info)
        return info

    async def list_sessions(self, user_id: str) -> list[_Info]:
        return [i for i in self.created if i.user_id == user_id]


class _Images:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def put(self, data: bytes, ext: str) -> str:
        image_id = f"img-{len(self.blobs)}.{ext}"
        self.blobs[image_id] = data
        return image_id


@dataclass
class FakeShop:
    mode: str = "good"
    sessions: _Sessions = field(default_factory=_Sessions)
    images: _Images = field(default_factory=_Images)
    carts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    active: int = 0
    max_active: int = 0
    turns_seen: list[tuple[str, str]] = field(default_factory=list)

    async def _track(self) -> None:
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        await asyncio.sleep(0.005)  # let other conversations interleave

    def _add(self, user_id: str, product_id: str) -> None:
        self.carts.setdefault(user_id, []).append(
            {
                "product_id": product_id,
                "title": "x",
                "options": {"size": "M"},
                "unit_price": 39.99,
                "quantity": 1,
            }
        )

    def _done(self, tier: str, tokens_in: int, tokens_out: int) -> ev.DoneEvent:
        return ev.DoneEvent(
            turn_id="t",
            latency_ms=12.0 if tier == "embedded" else 800.0,
            usage=ev.Usage(
                tokens_in={tier: tokens_in},
                tokens_out={tier: tokens_out},
                model_calls={tier: 1},
                steps=1,
            ),
        )

    async def stream_turn(
        self, *, user_id: str, session_id: str, text: str, image_id: str | None = None
    ) -> AsyncIterator[Any]:
        await self._track()
        try:
            self.turns_seen.append((user_id, text))
            t = text.lower()
            tier = "frontier" if self.mode == "bad" else "embedded"
            yield ev.RouteEvent(tier=tier, reason="scripted", intent="search", confidence=0.9)
            if "add" in t:
                if self.mode == "good":
                    cid = f"c-{uuid.uuid4().hex[:6]}"
                    self.pending[session_id] = {"id": cid, "product_id": RED_DRESS.id}
                    yield ev.ConfirmRequiredEvent(
                        confirmation_id=cid,
                        tool="add_to_cart",
                        arguments={"product_id": RED_DRESS.id},
                        summary="Add 1 x dress",
                    )
                else:
                    yield ev.ToolCallEvent(
                        id="c2", name="add_to_cart", arguments={"product_id": RED_DRESS.id}
                    )
                    self._add(user_id, RED_DRESS.id)
                    yield ev.ToolResultEvent(id="c2", name="add_to_cart", ok=True)
                    yield ev.MessageEvent(text="Added.", tier=tier)
            elif "dress" in t:
                yield ev.ToolCallEvent(
                    id="c1",
                    name="search_products",
                    arguments={
                        "query": "dress",
                        "filters": {"category": "Dresses", "color": "red", "price_max": 50},
                    },
                )
                cards = [RED_DRESS, RED_DRESS_2] if self.mode == "good" else [RED_DRESS, BLUE_DRESS]
                yield ev.ProductsEvent(products=cards)
                yield ev.MessageEvent(text="Here are red dresses under $50.", tier=tier)
            elif "boom" in t:
                yield ev.ErrorEvent(code="internal_error", message="boom")
            else:
                yield ev.MessageEvent(text="Hello! What are you shopping for?", tier=tier)
            yield self._done(tier, 1000 if tier == "frontier" else 40, 50)
        finally:
            self.active -= 1

    async def stream_confirm(
        self, *, user_id: str, session_id: str, confirmation_id: str, approve: bool
    ) -> AsyncIterator[Any]:
        await self._track()
        try:
            p = self.pending.pop(session_id)
            assert p["id"] == confirmation_id
            yield ev.RouteEvent(tier="embedded", reason="confirmation")
            if approve:
                yield ev.ToolCallEvent(
                    id="w", name="add_to_cart", arguments={"product_id": p["product_id"]}
                )
                self._add(user_id, p["product_id"])
                yield ev.ToolResultEvent(id="w", name="add_to_cart", ok=True)
                yield ev.MessageEvent(text="Added to your cart.")
            else:
                yield ev.MessageEvent(text="Okay, I left your cart as it is.")
            yield self._done("embedded", 0, 0)
        finally:
            self.active -= 1

    async def get_cart(self, *, user_id: str) -> dict[str, Any]:
        lines = self.carts.get(user_id, [])
        return {
            "lines": lines,
            "item_count": sum(x["quantity"] for x in lines),
            "total": round(sum(x["unit_price"] * x["quantity"] for x in lines), 2),
            "currency": "USD",
        }


def fake_factory(shop: FakeShop):  # type: ignore[no-untyped-def]
    @contextlib.asynccontextmanager
    async def open_service(config: EvalConfig) -> AsyncIterator[FakeShop]:
        yield shop

    return open_service


# A small dataset in the replay format exercising every kind of expectation.
CONVERSATIONS = [
    {
        "id": "search-red",
        "tags": ["refinement"],
        "turns": [
            {
                "user": "red dresses under $50 please",
                "intent": "search",
                "expect": {
                    "tool_calls": [
                        {
                            "name": "search_products",
                            "arguments": {
                                "color": "red",
                                "category": {"one_of": ["dresses", "dress"]},
                                "price_max": {"range": {"max": 50}},
                            },
                        }
                    ],
                    "products": {
                        "constraints": ["color=red", "price<=50", "category=dresses"],
                        "min_count": 1,
                    },
                    "tier": "embedded",
                },
            }
        ],
    },
    {
        "id": "add-confirm",
        "tags": ["cart"],
        "turns": [
            {"user": "show me a dress", "intent": "search"},
            {
                "user": "add the first one",
                "intent": "add_to_cart",
                "expect": {
                    "confirmation": {"tool": "add_to_cart"},
                    "cart": {"item_count": 0},
                    "forbid": ["write_without_confirmation"],
                },
            },
            {
                "confirm": True,
                "intent": "confirm",
                "expect": {
                    "tool_calls": [{"name": "add_to_cart", "arguments": {"product_id": "p-00010"}}],
                    "cart": {
                        "item_count": 1,
                        "lines": [{"product_id": "p-00010", "options": {"size": "M"}}],
                    },
                },
            },
        ],
    },
    {
        "id": "add-refuse",
        "tags": ["cart"],
        "turns": [
            {
                "user": "add a dress to my cart",
                "intent": "add_to_cart",
                "expect": {"confirmation": True},
            },
            {
                "confirm": False,
                "intent": "confirm",
                "expect": {
                    "cart": {"item_count": 0},
                    "forbid": ["write_without_confirmation"],
                    "text": {"must_not_mention": ["added"]},
                },
            },
        ],
    },
    {
        "id": "hello",
        "tags": ["smalltalk"],
        "turns": [
            {
                "user": "hi there",
                "intent": "greeting",
                "expect": {
                    "tool_calls": [],
                    "products": {"max_count": 0},
                    "text": {"must_mention": ["shopping"]},
                },
            },
            {"user": "thanks", "intent": "goodbye", "expect": {"forbid": ["products"]}},
        ],
    },
]


@pytest.fixture
def dataset_file(tmp_path):  # type: ignore[no-untyped-def]
    import json

    p = tmp_path / "mini.jsonl"
    p.write_text("\n".join(json.dumps(c) for c in CONVERSATIONS) + "\n")
    return p


@dataclass
class Fakes:
    shop: type[FakeShop] = FakeShop
    factory: Any = staticmethod(fake_factory)


@pytest.fixture
def fakes() -> Fakes:
    """The fake service class and its factory (importlib mode: tests cannot import conftest)."""
    return Fakes()


@pytest.fixture(scope="module")
def gate_settings(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A data folder with the demo catalog prefix the replay set needs and a quickly trained
    embedded model (cached across test sessions by the training package)."""
    import json
    from pathlib import Path

    from shopagent.retrieval import build_demo_catalog
    from shopagent.settings import Settings
    from shopagent.training.embedded import quick_model

    thresholds = json.loads((Path(__file__).parents[2] / "evals" / "thresholds.json").read_text())
    n = int(thresholds["catalog_size"])
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("gate") / "data",
        demo_catalog_size=n,
        state_backend="sqlite",
    )
    build_demo_catalog(settings, n=n).close()
    # Trained on the first 300 demo products (a superset of this catalog's vocabulary): the
    # same artifact the agent tests use, so one test session trains it once.
    quick_model(settings)
    return settings
