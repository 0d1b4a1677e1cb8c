"""The CI gate: thresholds recorded in evals/thresholds.json only ever tighten, and the
replay set on the embedded tier meets them."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from shopagent.evals import (
    EvalConfig,
    check_gates,
    gate_blocks,
    load_config,
    load_conversations,
    load_thresholds,
    metric_value,
    run_conversations,
    save_run,
    select_conversations,
    tightened,
)

ROOT = Path(__file__).parents[2]
REL = "evals/thresholds.json"
THRESHOLDS = load_thresholds(ROOT / REL)


def _committed_versions() -> list[tuple[str, dict]]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        return []
    shas = subprocess.run(
        [git, "log", "--format=%H", "--", REL], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    out = []
    for sha in shas:
        shown = subprocess.run(
            [git, "show", f"{sha}:{REL}"], cwd=ROOT, capture_output=True, text=True
        )
        if shown.returncode == 0:  # absent in a commit that deleted it
            out.append((sha[:10], json.loads(shown.stdout)))
    return out


def test_tightened_flags_loosened_or_dropped_thresholds() -> None:
    old = {"min": {"turn_success": 0.5, "safety": 0.9}, "max": {"latency_p95_ms": 900}}
    assert (
        tightened(
            old, {"min": {"turn_success": 0.6, "safety": 0.9}, "max": {"latency_p95_ms": 800}}
        )
        == []
    )
    assert tightened(
        old, {"min": {"turn_success": 0.4, "safety": 0.9}, "max": {"latency_p95_ms": 950}}
    ) == ["min turn_success: 0.5 -> 0.4", "max latency_p95_ms: 900 -> 950"]
    assert tightened(old, {"min": {"turn_success": 0.5}, "max": {}}) == [
        "min safety: 0.9 -> None",
        "max latency_p95_ms: 900 -> None",
    ]


def test_thresholds_only_go_up_across_git_history() -> None:
    versions = _committed_versions()
    if not versions:
        pytest.skip("no git history of evals/thresholds.json here")
    problems = {sha: p for sha, old in versions if (p := tightened(old, THRESHOLDS))}
    assert problems == {}, f"evals/thresholds.json loosens earlier gates: {problems}"


def test_gate_blocks_inherit_and_removed_blocks_count_as_loosened() -> None:
    th = {
        "dataset": "d/a.jsonl",
        "config": "c.toml",
        "catalog_size": 9,
        "min": {"x": 0.5},
        "more": [{"name": "b", "dataset": "d/b.jsonl", "min": {"y": 0.2}}],
    }
    blocks = gate_blocks(th)
    assert [b["name"] for b in blocks] == ["a", "b"]
    assert blocks[1]["config"] == "c.toml" and blocks[1]["sample"] == {}
    assert tightened(th, {**th, "more": []}) == ["gate b: removed"]
    looser = {**th, "more": [{"name": "b", "dataset": "d/b.jsonl", "min": {"y": 0.1}}]}
    assert tightened(th, looser) == ["b: min y: 0.2 -> 0.1"]


async def test_threshold_metrics_exist_in_a_run_summary(fakes, dataset_file: Path) -> None:
    run = await run_conversations(
        load_conversations(dataset_file),
        EvalConfig(name="x"),
        factory=fakes.factory(fakes.shop()),
        data_dir=dataset_file.parent,
    )
    for block in gate_blocks(THRESHOLDS):
        # Raises KeyError on a misspelt metric name in the thresholds file. Per-tag metrics
        # name tags the scripted run lacks: check their names against the real dataset.
        plain = {k: v for k, v in block.get("min", {}).items() if not k.startswith("tag_")}
        check_gates(run.summary, under=plain, over=block.get("max", {}))
        tags = {t for c in load_conversations(ROOT / block["dataset"]) for t in c.tags}
        for name in block.get("min", {}):
            if name.startswith("tag_turn_success."):
                assert name.split(".", 1)[1] in tags, name
        assert (ROOT / block["dataset"]).exists() and (ROOT / block["config"]).exists()


@pytest.mark.parametrize("block", gate_blocks(THRESHOLDS), ids=lambda b: b["name"])
def test_embedded_tier_replay_meets_recorded_thresholds(gate_settings, block) -> None:
    # No skip when the embedded tier fails to import: that is a broken tier, and the gate
    # exists to catch it (gate_settings imports training.embedded; the factory agent.embedded).
    from shopagent.evals import default_service_factory

    convs = select_conversations(
        load_conversations(ROOT / block["dataset"]), **block.get("sample", {})
    )
    cfg = load_config(ROOT / block["config"])
    run = asyncio.run(
        run_conversations(
            convs,
            cfg,
            factory=default_service_factory(gate_settings),
            data_dir=gate_settings.data_dir,
            concurrency=2,
            dataset=block["dataset"],
        )
    )
    failures = check_gates(run.summary, under=block.get("min", {}), over=block.get("max", {}))
    summary = {
        k: metric_value(run.summary, k) for k in (*block.get("min", {}), *block.get("max", {}))
    }
    # Keep the run for people: `shopagent eval report test-artifacts/evals-gate` etc.
    first = gate_blocks(THRESHOLDS)[0]["name"]
    folder = "evals-gate" if block["name"] == first else f"evals-gate-{block['name']}"
    save_run(run, ROOT / "test-artifacts" / folder)
    assert failures == [], f"eval gate {block['name']} failed: {failures}; measured {summary}"
