"""The embedded tier calls a product team's MCP tool it was never trained on: the example
in-store pickup server (examples/store_pickup.py, over stdio), recognised from its example
requests by meaning, on CPU, through the real graph (no model endpoint configured)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PICKUP = {
    "name": "pickup",
    "command": sys.executable,
    "args": [str(ROOT / "examples" / "store_pickup.py")],
    "tools": ["check_pickup", "reserve_pickup"],
    "writes": ["reserve_pickup"],
    "identity_header": "X-Shopper-Id",
}


@pytest.fixture
def backend() -> str:  # one backend is enough here: the stores are not what is tested
    return "sqlite"


@pytest.fixture(scope="module")
def embedded_tier(shared_catalog: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from types import SimpleNamespace

    from shopagent.agent.embedded import EmbeddedTier
    from shopagent.training.embedded import quick_model

    settings = SimpleNamespace(
        embedded_model_path=tmp_path_factory.mktemp("embedded") / "model",
        nlu_confidence_threshold=0.6,
    )
    quick_model(settings, shared_catalog)
    return EmbeddedTier.load(settings, shared_catalog.facet_values())


async def turn(svc: Any, sid: str, text: str) -> list[Any]:
    return [e async for e in svc.stream_turn(user_id="alice", session_id=sid, text=text)]


def of(events: list[Any], kind: str) -> list[Any]:
    return [e for e in events if e.type == kind]


async def test_embedded_tier_reaches_the_example_mcp_tool(
    service_factory: Any, embedded_tier: Any, shared_catalog: Any
) -> None:
    svc = await service_factory(embedded=embedded_tier, mcp_servers=[PICKUP])
    assert svc.deps.models == {}
    assert svc.registry.get("pickup__check_pickup").origin == "mcp:pickup"
    sid = (await svc.sessions.create_session("alice")).session_id

    # Nothing shown yet: it cannot know which product, so it asks (no model to hand to).
    events = await turn(svc, sid, "can I pick it up in a store today?")
    assert of(events, "route")[0].tier == "embedded"
    assert not of(events, "tool_call")
    assert "which product" in of(events, "message")[0].text.lower()

    leaf = next(
        p.leaf_category
        for p in (shared_catalog.get_product(i) for i in shared_catalog.product_ids())
        if p.available
    )
    events = await turn(svc, sid, f"show me {leaf.lower()}")
    assert of(events, "tool_call")[0].name == "catalog_search"
    shown = [c.id for c in of(events, "products")[0].products]
    assert len(shown) >= 2

    events = await turn(svc, sid, "is the second one available for click and collect?")
    route = of(events, "route")[0]
    assert route.tier == "embedded" and route.intent == "plugin:pickup__check_pickup"
    call = of(events, "tool_call")[0]
    assert call.name == "pickup__check_pickup" and call.arguments == {"product_id": shown[1]}
    result = of(events, "tool_result")[0]
    assert result.ok
    text = of(events, "message")[0].text
    stores = result.content["stores"] if isinstance(result.content, dict) else []
    assert (stores and stores[0]["name"] in text) or "no stores" in text.lower()

    # A write: the example's reserve tool goes through the shopper's confirmation.
    events = await turn(svc, sid, "reserve it for pickup at the ridge store")
    assert of(events, "tool_call") == []
    ask = of(events, "confirm_required")[0]
    assert ask.tool == "pickup__reserve_pickup"
    assert ask.arguments == {"product_id": shown[1], "store_id": "ridge"}
    done = [
        e
        async for e in svc.stream_confirm(
            user_id="alice", session_id=sid, confirmation_id=ask.confirmation_id, approve=True
        )
    ]
    results = of(done, "tool_result")
    if results[0].ok:
        assert results[0].content["shopper"] == "alice"  # identity out of band
        assert "Ridge Park" in of(done, "message")[0].text
    else:  # the made-up stock can be 0 at that store: the refusal reaches the shopper
        assert "none in stock" in of(done, "message")[0].text
