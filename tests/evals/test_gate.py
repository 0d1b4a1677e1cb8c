"""The CI gate: thresholds recorded in evals/thresholds.json only ever tighten, and the
replay set on the embedded tier meets them."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from evals import (
    EvalConfig,
    check_gates,
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
    shas = subprocess.run([git, "log", "--format=%H", "--", REL], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.split()
    out = []
    for sha in shas:
        shown = subprocess.run([git, "show", f"{sha}:{REL}"], cwd=ROOT, capture_output=True,
                               text=True)
        if shown.returncode == 0:  # absent in a commit that deleted it
            out.append((sha[:10], json.loads(shown.stdout)))
    return out


def test_tightened_flags_loosened_or_dropped_thresholds() -> None:
    old = {"min": {"turn_success": 0.5, "safety": 0.9}, "max": {"latency_p95_ms": 900}}
    assert tightened(old, {"min": {"turn_success": 0.6, "safety": 0.9},
                           "max": {"latency_p95_ms": 800}}) == []
    assert tightened(old, {"min": {"turn_success": 0.4, "safety": 0.9},
                           "max": {"latency_p95_ms": 950}}) == [
        "min turn_success: 0.5 -> 0.4", "max latency_p95_ms: 900 -> 950"]
    assert tightened(old, {"min": {"turn_success": 0.5}, "max": {}}) == [
        "min safety: 0.9 -> None", "max latency_p95_ms: 900 -> None"]


def test_thresholds_only_go_up_across_git_history() -> None:
    versions = _committed_versions()
    if not versions:
        pytest.skip("no git history of evals/thresholds.json here")
    problems = {sha: p for sha, old in versions if (p := tightened(old, THRESHOLDS))}
    assert problems == {}, f"evals/thresholds.json loosens earlier gates: {problems}"


async def test_threshold_metrics_exist_in_a_run_summary(fakes, dataset_file: Path) -> None:
    run = await run_conversations(load_conversations(dataset_file), EvalConfig(name="x"),
                                  factory=fakes.factory(fakes.shop()),
                                  data_dir=dataset_file.parent)
    # Raises KeyError on a misspelt metric name in the thresholds file.
    check_gates(run.summary, under=THRESHOLDS["min"], over=THRESHOLDS["max"])
    assert (ROOT / THRESHOLDS["dataset"]).exists() and (ROOT / THRESHOLDS["config"]).exists()


def _embedded_tier_available() -> bool:
    try:
        from agent.embedded import EmbeddedTier  # noqa: F401
        from training.embedded import quick_model  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _embedded_tier_available(),
                    reason="the embedded tier (agent.embedded, training.embedded) is not "
                           "installed: the replay gate needs it")
def test_embedded_tier_replay_meets_recorded_thresholds(gate_settings) -> None:
    from evals import default_service_factory

    convs = select_conversations(load_conversations(ROOT / THRESHOLDS["dataset"]),
                                 **THRESHOLDS.get("sample", {}))
    cfg = load_config(ROOT / THRESHOLDS["config"])
    run = asyncio.run(run_conversations(convs, cfg, factory=default_service_factory(gate_settings),
                                        data_dir=gate_settings.data_dir, concurrency=2,
                                        dataset=THRESHOLDS["dataset"]))
    failures = check_gates(run.summary, under=THRESHOLDS["min"], over=THRESHOLDS["max"])
    summary = {k: metric_value(run.summary, k) for k in (*THRESHOLDS["min"], *THRESHOLDS["max"])}
    # Keep the run for people: `shopagent eval report test-artifacts/evals-gate` etc.
    save_run(run, ROOT / "test-artifacts" / "evals-gate")
    assert failures == [], f"eval gate failed: {failures}; measured {summary}"
