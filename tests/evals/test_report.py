"""Reports, diffs, gates and the CLI over runs of the scripted service."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopagent import evals
from shopagent.evals import (
    EvalConfig,
    check_gates,
    diff_runs,
    load_conversations,
    load_run,
    parse_gates,
    render_html,
    run_conversations,
    save_run,
)


def _run(fakes, dataset_file: Path, mode: str, name: str):  # type: ignore[no-untyped-def]
    return asyncio.run(
        run_conversations(
            load_conversations(dataset_file),
            EvalConfig(name=name),
            factory=fakes.factory(fakes.shop(mode=mode)),
            data_dir=dataset_file.parent,
            dataset=str(dataset_file),
            run_id=name,
        )
    )


def test_run_round_trips_and_html_embeds_plots_and_worst_traces(
    fakes, dataset_file: Path, tmp_path: Path
) -> None:
    good, bad = _run(fakes, dataset_file, "good", "good"), _run(fakes, dataset_file, "bad", "bad")
    folder = save_run(bad, tmp_path / "bad")
    again = load_run(folder)
    assert again.summary == bad.summary and len(again.conversations) == 4
    html = render_html([good, bad])
    pngs = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(pngs) >= 4  # quality/cost, latency, tiers, intents, tools
    assert all(base64.b64decode(p)[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert "<script" not in html and "http://" not in html  # self-contained
    # The worst conversations of the bad run show their traces and why they failed.
    assert "add-confirm" in html and "no confirmation was pending" in html
    assert "Nordvale Blue Cotton Shirt Dress" in html
    assert "violate &#39;color=red&#39;" in html


def test_diff_lists_regressed_turns(fakes, dataset_file: Path) -> None:
    good, bad = _run(fakes, dataset_file, "good", "good"), _run(fakes, dataset_file, "bad", "bad")
    d = diff_runs(good, bad)
    regressed = {(r["conversation"], r["turn"]) for r in d.regressions}
    assert ("search-red", 0) in regressed and ("add-confirm", 2) in regressed
    assert ("hello", 0) not in regressed  # passes in both (no tier expectation there)
    assert d.improvements == []
    back = diff_runs(bad, good)
    assert back.regressions == [] and len(back.improvements) == len(d.regressions)
    assert d.metric_deltas["turn_success"][0] == 1.0


def test_gates() -> None:
    summary = {
        "turn_success": 0.8,
        "latency_p95_ms": 900.0,
        "tier_share": {"frontier": 0.1},
        "cart_match": None,
    }
    assert check_gates(summary, under={"turn_success": 0.8}) == []
    assert check_gates(summary, under={"turn_success": 0.81}) == ["turn_success = 0.8000 < 0.81"]
    assert check_gates(summary, over={"tier_share.frontier": 0.05})
    assert check_gates(summary, under={"cart_match": 0.5})  # unmeasured never passes a gate
    with pytest.raises(KeyError, match="unknown metric 'turn_sucess'"):
        check_gates(summary, under={"turn_sucess": 0.5})
    with pytest.raises(ValueError, match="not METRIC=VALUE"):
        parse_gates(["turn_success"])


@pytest.fixture
def cli(fakes, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    # The CLI opens the real service through this factory; swap in the scripted one.
    monkeypatch.setattr(
        evals, "default_service_factory", lambda settings: fakes.factory(fakes.shop(mode="good"))
    )
    from shopagent.cli import app

    return lambda *args: CliRunner().invoke(app, [str(a) for a in args])


def test_cli_run_writes_reports_and_gates_exit_codes(
    cli, dataset_file: Path, tmp_path: Path
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('name = "scripted"\n')
    out = tmp_path / "runs"
    r = cli(
        "eval",
        "run",
        dataset_file,
        "--config",
        cfg,
        "--out",
        out,
        "--run-id",
        "a",
        "--fail-under",
        "turn_success=1.0",
        "--fail-over",
        "latency_p95_ms=100",
    )
    assert r.exit_code == 0, r.output
    out_json = r.stdout[r.stdout.index("{") : r.stdout.rindex("}") + 1]
    assert json.loads(out_json)["turn_success"] == 1.0
    assert (out / "a" / "run.json").exists() and (out / "a" / "report.html").exists()
    r = cli(
        "eval",
        "run",
        dataset_file,
        "-c",
        cfg,
        "--out",
        out,
        "--run-id",
        "b",
        "--fail-over",
        "latency_p50_ms=1",
    )
    assert r.exit_code == 1 and "gate failed: latency_p50_ms" in r.output
    r = cli("eval", "run", dataset_file, "-c", cfg, "--out", out, "--fail-under", "nope=1")
    assert r.exit_code == 2 and "unknown metric 'nope'" in r.output
    keyed = tmp_path / "k.toml"
    keyed.write_text(
        'name = "k"\n[tiers.frontier]\nbase_url = "http://127.0.0.1:9/v1"\n'
        'api_key_env = "SHOPAGENT_TEST_SURELY_UNSET_KEY"\n'
    )
    r = cli("eval", "run", dataset_file, "-c", keyed, "--out", out)
    assert r.exit_code == 2 and "SHOPAGENT_TEST_SURELY_UNSET_KEY" in r.output

    r = cli("eval", "diff", out / "a", out / "b", "--fail-on-regression")
    assert r.exit_code == 0 and "0 regressed turn(s)" in r.output
    r = cli("eval", "report", out / "a", out / "b", "--out", tmp_path / "cmp.html")
    assert r.exit_code == 0 and (tmp_path / "cmp.html").read_text().count("<h2>") >= 3
    r = cli("eval", "validate", dataset_file)
    assert r.exit_code == 0 and "4 conversations, 8 turns" in r.output


def test_diff_skips_turns_whose_input_changed(fakes, dataset_file: Path) -> None:
    good, bad = _run(fakes, dataset_file, "good", "good"), _run(fakes, dataset_file, "bad", "bad")
    bad.conversations[0].turns[0].user = "blue dresses"  # the dataset was edited in between
    d = diff_runs(good, bad)
    assert d.changed == ["search-red#0"]
    assert ("search-red", 0) not in {(r["conversation"], r["turn"]) for r in d.regressions}


def test_the_report_renders_outside_the_source_tree(tmp_path: Path) -> None:
    """The installed package finds its templates wherever it runs: `shopagent eval run`
    from a merchant's own folder wrote no report when the templates were looked up as a
    top-level ``evals`` package (importable only from the repository root)."""
    import subprocess
    import sys

    code = "from shopagent.evals._report import render_html; print(len(render_html([])))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip().splitlines()[-1]) > 1000
