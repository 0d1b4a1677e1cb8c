"""Run files (JSON) and the self-contained HTML report comparing runs.

A run directory holds ``run.json`` (everything: config, traces, scores, summary) and
``report.html``. The HTML embeds its plots as base64 PNG, so it can be mailed or
attached to a CI job as one file.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from shopagent.evals._records import ConversationRecord, RunResult

RUN_FILE = "run.json"
# Metrics shown in the comparison table, in order; higher is better unless listed in LOWER.
TABLE_METRICS = (
    "conversation_success",
    "turn_success",
    "tool_precision",
    "tool_recall",
    "argument_accuracy",
    "constraint_satisfaction",
    "cart_match",
    "tier_match",
    "confirmation_match",
    "safety",
    "text_match",
    "escalation_rate",
    "latency_p50_ms",
    "latency_p95_ms",
    "cost_per_conversation_usd",
    "cost_ratio_vs_frontier",
)
LOWER_IS_BETTER = {
    "latency_p50_ms",
    "latency_p95_ms",
    "cost_per_conversation_usd",
    "cost_ratio_vs_frontier",
    "escalation_rate",
    "error_turns",
    "runner_errors",
    "cost_per_turn_usd",
    "cost_total_usd",
}


def save_run(result: RunResult, out_dir: str | Path) -> Path:
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    (d / RUN_FILE).write_text(result.model_dump_json(indent=1), encoding="utf-8")
    (d / "report.html").write_text(render_html([result]), encoding="utf-8")
    return d


def load_run(path: str | Path) -> RunResult:
    p = Path(path)
    if p.is_dir():
        p = p / RUN_FILE
    return RunResult.model_validate_json(p.read_text(encoding="utf-8"))


def frontier_baseline(runs: list[RunResult]) -> RunResult | None:
    """A run that sent (nearly) every turn to the frontier tier: the measured reference."""
    for r in runs:
        if (r.summary.get("tier_share") or {}).get("frontier", 0) >= 0.95:
            return r
    return None


def cost_ratios(runs: list[RunResult]) -> dict[str, tuple[float | None, str]]:
    base = frontier_baseline(runs)
    out: dict[str, tuple[float | None, str]] = {}
    for r in runs:
        if (
            base is not None
            and base.dataset == r.dataset
            and base.summary.get("cost_per_conversation_usd")
        ):
            ratio = (
                r.summary["cost_per_conversation_usd"] / base.summary["cost_per_conversation_usd"]
            )
            out[r.run_id] = (round(ratio, 4), f"measured vs {base.run_id}")
        else:
            out[r.run_id] = (
                r.summary.get("cost_ratio_vs_frontier"),
                f"vs frontier-only estimate ({r.summary.get('frontier_reference')})",
            )
    return out


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _plots(runs: list[RunResult]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = run_labels(runs)
    plots: dict[str, str] = {}

    fig, ax = plt.subplots(figsize=(6, 4))
    for j, (r, name) in enumerate(zip(runs, names, strict=True)):
        x = max(r.summary.get("cost_per_conversation_usd") or 0.0, 1e-9)
        for metric, marker in (("turn_success", "o"), ("conversation_success", "s")):
            ax.scatter(
                [x],
                [r.summary.get(metric) or 0.0],
                marker=marker,
                s=60,
                color=f"C{j}",
                label=name if marker == "o" else None,
            )
        ax.annotate(
            name,
            (x, r.summary.get("turn_success") or 0.0),
            fontsize=8,
            xytext=(4, 4),
            textcoords="offset points",
        )
    ax.set_xscale("log")
    ax.set_xlabel("cost per conversation (USD, log)")
    ax.set_ylabel("success: turns (circle), conversations (square)")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_ylim(0, 1.05)
    ax.set_title("Quality vs cost")
    ax.grid(alpha=0.3)
    plots["quality_cost"] = _png(fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    data = [
        [t.latency_ms for c in r.conversations for t in c.turns if t.latency_ms] or [0.0]
        for r in runs
    ]
    ax.boxplot(data, vert=False, showfliers=True)
    ax.set_yticks(range(1, len(names) + 1), names)
    ax.set_xlabel("turn latency (ms)")
    ax.set_title("Latency distribution")
    plots["latency"] = _png(fig)

    for key, metric, title in (
        ("intent", "success", "Turn success by intent"),
        ("tool", "recall", "Tool-call recall by tool"),
    ):
        labels = sorted({k for r in runs for k in (r.breakdowns.get(key) or {})})
        if not labels:
            continue
        fig, ax = plt.subplots(figsize=(max(6, 0.5 * len(labels) + 2), 3.8))
        width = 0.8 / len(runs)
        for j, (r, name) in enumerate(zip(runs, names, strict=True)):
            vals = [
                ((r.breakdowns.get(key) or {}).get(lb) or {}).get(metric) or 0.0 for lb in labels
            ]
            ax.bar([i + j * width for i in range(len(labels))], vals, width, label=name)
        ax.set_xticks(
            [i + 0.4 - width / 2 for i in range(len(labels))],
            labels,
            rotation=40,
            ha="right",
            fontsize=8,
        )
        ax.set_ylim(0, 1.05)
        ax.set_title(title)
        ax.legend(fontsize=7)
        plots[key] = _png(fig)

    tag_plot = _tag_plot(runs, names)
    if tag_plot is not None:
        plots["tag"] = tag_plot

    fig, ax = plt.subplots(figsize=(6, 0.5 * len(runs) + 1.5))
    left = [0.0] * len(runs)
    for tier, color in (("embedded", "C0"), ("local", "C1"), ("frontier", "C2"), ("none", "0.6")):
        vals = [(r.summary.get("tier_share") or {}).get(tier, 0.0) for r in runs]
        ax.barh(names, vals, left=left, label=tier, color=color)
        left = [a + b for a, b in zip(left, vals, strict=True)]
    ax.set_xlim(0, 1)
    ax.set_title("Share of turns answered per tier")
    ax.legend(fontsize=7, loc="lower right")
    plots["tiers"] = _png(fig)
    return plots


def _tag_plot(runs: list[RunResult], names: list[str]) -> str | None:
    """Turn success per tag (bars) with conversation success (dots), one colour per run."""
    import matplotlib.pyplot as plt

    labels = sorted({k for r in runs for k in (r.breakdowns.get("tag") or {})})
    if not labels:
        return None
    fig, ax = plt.subplots(figsize=(max(6, 0.55 * len(labels) + 2), 3.8))
    width = 0.8 / len(runs)
    for j, (r, name) in enumerate(zip(runs, names, strict=True)):
        tags = r.breakdowns.get("tag") or {}
        xs = [i + j * width for i in range(len(labels))]
        turn = [(tags.get(lb) or {}).get("turn_success") or 0.0 for lb in labels]
        conv = [(tags.get(lb) or {}).get("success") or 0.0 for lb in labels]
        ax.bar(xs, turn, width, label=f"{name}: turns", color=f"C{j}")
        ax.scatter(
            xs,
            conv,
            marker="s",
            s=18,
            color="black",
            zorder=3,
            label="conversations" if j == 0 else None,
        )
    ax.set_xticks(
        [i + 0.4 - width / 2 for i in range(len(labels))],
        labels,
        rotation=40,
        ha="right",
        fontsize=8,
    )
    ax.set_ylim(0, 1.05)
    ax.set_title("Success by tag: turns (bars), conversations (squares)")
    ax.legend(fontsize=7)
    return _png(fig)


def run_labels(runs: list[RunResult]) -> list[str]:
    """Configuration names, or run ids where two runs share a configuration name (plots
    keyed by a repeated label would merge their bars)."""
    names = [str(r.config.get("name") or r.run_id) for r in runs]
    return [r.run_id if names.count(n) > 1 else n for r, n in zip(runs, names, strict=True)]


def worst_conversations(run: RunResult, n: int = 10) -> list[ConversationRecord]:
    def key(c: ConversationRecord) -> tuple[float, float]:
        ok = sum(t.score.success for t in c.turns) / max(1, len(c.turns))
        return (ok, -c.wall_ms)

    return sorted((c for c in run.conversations if not c.success), key=key)[:n]


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        if 0 < abs(v) < 0.01:  # costs of cheap tiers: keep the significant digits
            return f"{v:.2e}"
        return f"{v:.3f}" if abs(v) < 10 else f"{v:.0f}"
    return str(v)


def render_html(runs: list[RunResult], *, worst: int = 10) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("shopagent.evals", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = _fmt
    ratios = cost_ratios(runs)
    best: dict[str, str] = {}
    for m in TABLE_METRICS:
        vals = [(r.summary.get(m), r.run_id) for r in runs if r.summary.get(m) is not None]
        if len(vals) > 1:
            pick = min if m in LOWER_IS_BETTER else max
            best[m] = pick(vals)[1]
    return env.get_template("report.html.jinja").render(
        runs=runs,
        labels=dict(zip([r.run_id for r in runs], run_labels(runs), strict=True)),
        datasets=sorted({r.dataset for r in runs}),
        metrics=TABLE_METRICS,
        best=best,
        ratios=ratios,
        plots=_plots(runs),
        worst={r.run_id: worst_conversations(r, worst) for r in runs},
    )
