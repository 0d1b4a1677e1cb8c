"""The runner against the real AgentService (real graph, catalog, stores, checkpointer) with a
scripted OpenAI-compatible model as the local tier: the events the service really emits
are recorded and scored, confirmations round-trip, tokens turn into cost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shopagent.agent.fake_openai import FakeOpenAIServer, FakeReply
from shopagent.evals import (
    EvalConfig,
    default_service_factory,
    load_conversations,
    run_conversations,
)
from shopagent.evals._config import TierEndpoint, TierPrice
from shopagent.retrieval.demo import generate_products
from shopagent.settings import Settings

N_PRODUCTS = 12


def _responder(product_id: str, color: str) -> Any:
    def respond(body: dict[str, Any]) -> FakeReply:
        last = body["messages"][-1]
        if last["role"] == "tool":
            return FakeReply(text="Here is what I found.", tokens_in=900, tokens_out=12)
        text = str(last.get("content") or "").lower()
        if "add" in text:
            return FakeReply(
                tool_calls=[("add_to_cart", {"product_id": product_id})],
                tokens_in=800,
                tokens_out=30,
            )
        return FakeReply(
            tool_calls=[("catalog_search", {"query": text, "color": color})],
            tokens_in=800,
            tokens_out=30,
        )

    return respond


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", demo_catalog_size=N_PRODUCTS, state_backend="sqlite"
    )


async def test_replay_through_the_real_service(settings: Settings, tmp_path: Path) -> None:
    product = next(
        p for p in generate_products(N_PRODUCTS, seed=7) if p.available and len(p.variants) <= 1
    )
    color = product.attributes["color"]
    convs = [
        {
            "id": "search",
            "turns": [
                {
                    "user": f"show me {color} things",
                    "expect": {
                        "tool_calls": [{"name": "catalog_search", "arguments": {"color": color}}],
                        "products": {"constraints": [f"color={color}"], "min_count": 1},
                        "tier": "local",
                    },
                },
                {"user": "thanks!", "expect": {"forbid": ["write_without_confirmation"]}},
            ],
        },
        {
            "id": "buy",
            "turns": [
                {
                    "user": "add it to my cart",
                    "expect": {
                        "confirmation": {
                            "tool": "add_to_cart",
                            "arguments": {"product_id": product.id},
                        },
                        "cart": {"item_count": 0},
                        "forbid": ["write_without_confirmation"],
                    },
                },
                {
                    "confirm": True,
                    "expect": {"cart": {"item_count": 1, "lines": [{"product_id": product.id}]}},
                },
            ],
        },
        {
            "id": "refuse",
            "turns": [
                {"user": "add it to my cart", "expect": {"confirmation": True}},
                {
                    "confirm": False,
                    "expect": {"cart": {"item_count": 0}, "forbid": ["write_without_confirmation"]},
                },
            ],
        },
    ]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in convs))
    with FakeOpenAIServer(model="shop-lora", responder=_responder(product.id, color)) as fake:
        cfg = EvalConfig(
            name="fake-local",
            tiers={"local": TierEndpoint(base_url=fake.base_url)},
            prices={"local": TierPrice(input_usd_per_mtok=1.0, output_usd_per_mtok=10.0)},
        )
        run = await run_conversations(
            load_conversations(path),
            cfg,
            factory=default_service_factory(settings),
            data_dir=settings.data_dir,
            concurrency=3,
        )
    failures = {
        (c.id, t.index): t.score.failures
        for c in run.conversations
        for t in c.turns
        if not t.score.success
    }
    assert failures == {}
    s = run.summary
    assert s["turn_success"] == 1.0 and s["tier_share"]["local"] == 1.0
    search = run.conversations[0].turns[0]
    assert search.tool_results and search.tool_results[0]["ok"] is True
    assert search.reply == "Here is what I found." and search.latency_ms > 0
    # Two model calls on the search turn: 800 + 900 tokens in, 30 + 12 out, priced per 1M.
    assert search.usage["tokens_in"]["local"] == 1700
    assert search.score.cost_usd == pytest.approx(1700 * 1.0 / 1e6 + 42 * 10.0 / 1e6)
    assert s["cost_total_usd"] > 0 and s["cost_ratio_vs_frontier"] < 1


async def test_embedded_only_replay_without_a_model_fails_loudly(
    settings: Settings, tmp_path: Path
) -> None:
    """No trained model and no other tier: the run would score a shop that answers nothing,
    so it refuses to start and says how to train the model."""
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"id": "hi", "turns": [{"user": "hello"}]}))
    with pytest.raises(RuntimeError, match="embedded tier cannot load.*train"):
        await run_conversations(
            load_conversations(path),
            EvalConfig(name="embedded"),
            factory=default_service_factory(settings),
            data_dir=settings.data_dir,
        )
