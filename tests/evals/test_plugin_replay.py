"""Replaying evals/datasets/plugin_v1.jsonl with evals/configs/plugin.toml: the configuration
starts the example pickup MCP server, and the embedded tier (trained on the catalog alone,
never on the plugin) calls it in the conversations tagged ``plugin``. Small demo catalog,
real graph, CPU only."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopagent.evals import default_service_factory, load_conversations, run_conversations
from shopagent.evals._config import load_config
from shopagent.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


async def test_plugin_conversations_reach_the_example_mcp_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shopagent.retrieval import ensure_demo_catalog
    from shopagent.training.embedded import quick_model

    settings = Settings(data_dir=tmp_path / "data", demo_catalog_size=120, state_backend="sqlite")
    catalog = ensure_demo_catalog(settings)
    quick_model(settings, catalog)
    catalog.close()
    monkeypatch.chdir(ROOT)  # the configuration names the server by a path relative to the repo
    run = await run_conversations(
        load_conversations(ROOT / "evals/datasets/plugin_v1.jsonl"),
        load_config(ROOT / "evals/configs/plugin.toml"),
        factory=default_service_factory(settings),
        data_dir=settings.data_dir,
        concurrency=1,
    )
    failures = {
        (c.id, t.index): t.score.failures
        for c in run.conversations
        for t in c.turns
        if not t.score.success
    }
    assert failures == {}
    # The example server was called wherever a tool call was due: not with nothing in play
    # (005), not for a declined reservation (007), never for routine turns (008).
    reached = {
        c.id
        for c in run.conversations
        if any(call["name"].startswith("pickup__") for t in c.turns for call in t.tool_calls)
    }
    assert reached == {f"plugin-00{i}" for i in (0, 1, 2, 3, 4, 6)}
