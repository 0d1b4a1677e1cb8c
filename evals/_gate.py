"""Comparing runs: turn-by-turn regressions, and the gates CI applies to a run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopagent.evals._records import RunResult
from shopagent.evals._report import LOWER_IS_BETTER, TABLE_METRICS


@dataclass
class RunDiff:
    regressions: list[dict[str, Any]] = field(default_factory=list)
    improvements: list[dict[str, Any]] = field(default_factory=list)
    metric_deltas: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # turns whose input differs: skipped


def diff_runs(a: RunResult, b: RunResult) -> RunDiff:
    """Turns that passed in ``a`` and fail in ``b`` (regressions), and the reverse."""
    d = RunDiff()
    ca = {c.id: c for c in a.conversations}
    cb = {c.id: c for c in b.conversations}
    d.only_in_a = sorted(set(ca) - set(cb))
    d.only_in_b = sorted(set(cb) - set(ca))
    for cid in sorted(set(ca) & set(cb)):
        for ta, tb in zip(ca[cid].turns, cb[cid].turns, strict=False):
            if (ta.kind, ta.user, ta.confirm) != (tb.kind, tb.user, tb.confirm):
                d.changed.append(f"{cid}#{ta.index}")  # the dataset changed between the runs
                continue
            if ta.score.success == tb.score.success:
                continue
            row = {
                "conversation": cid,
                "turn": ta.index,
                "kind": ta.kind,
                "user": ta.user if ta.kind == "user" else f"confirm={ta.confirm}",
                "intent": ta.intent,
                "tier": (ta.tier, tb.tier),
                "failures": tb.score.failures if ta.score.success else ta.score.failures,
            }
            (d.regressions if ta.score.success else d.improvements).append(row)
    for m in TABLE_METRICS:
        va, vb = a.summary.get(m), b.summary.get(m)
        if va != vb:
            d.metric_deltas[m] = (va, vb)
    return d


def metric_value(summary: dict[str, Any], name: str) -> float:
    """A summary metric by name; dotted names reach nested ones (``tier_share.frontier``)."""
    cur: Any = summary
    for part in name.split("."):
        if not isinstance(cur, dict) or part not in cur:
            known = sorted(k for k, v in summary.items() if isinstance(v, int | float | dict))
            raise KeyError(f"unknown metric {name!r}; known: {', '.join(known)}")
        cur = cur[part]
    if cur is None:
        return float("nan")  # not measured on this dataset: any gate on it fails
    if not isinstance(cur, int | float):
        raise KeyError(f"metric {name!r} is not a number")
    return float(cur)


def parse_gates(specs: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for s in specs:
        name, sep, value = s.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"gate {s!r} is not METRIC=VALUE")
        try:
            out[name.strip()] = float(value)
        except ValueError as exc:
            raise ValueError(f"gate {s!r}: {value!r} is not a number") from exc
    return out


def check_gates(
    summary: dict[str, Any],
    *,
    under: dict[str, float] | None = None,
    over: dict[str, float] | None = None,
) -> list[str]:
    """Failures: metrics below their ``under`` floor or above their ``over`` ceiling."""
    failures: list[str] = []
    for name, floor in (under or {}).items():
        v = metric_value(summary, name)
        if not v >= floor:  # also catches NaN
            failures.append(f"{name} = {v:.4f} < {floor}")
    for name, ceiling in (over or {}).items():
        v = metric_value(summary, name)
        if not v <= ceiling:
            failures.append(f"{name} = {v:.4f} > {ceiling}")
    return failures


def load_thresholds(path: str | Path) -> dict[str, Any]:
    """``evals/thresholds.json``: the CI gate. ``min`` floors only ever go up and ``max``
    ceilings only ever go down (tests/evals check this against git history)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def gate_blocks(thresholds: dict[str, Any]) -> list[dict[str, Any]]:
    """Each replay the CI gate runs: the top-level block, then each of ``more`` (another
    dataset with its own sample, floors and ceilings). Top-level keys a block does not set
    (config, catalog size) are inherited."""
    top = {k: v for k, v in thresholds.items() if k != "more"}
    top.setdefault("name", Path(str(top.get("dataset", "gate"))).stem)
    inherited = {k: top[k] for k in ("config", "catalog_size") if k in top}
    return [top, *({**inherited, "sample": {}, **b} for b in thresholds.get("more") or [])]


def tightened(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Where ``new`` thresholds are looser than ``old`` (empty: never loosened), in every
    gate block (a block of ``more`` that disappeared counts as loosened)."""
    problems = _tightened_block(old, new)
    new_more = {b.get("name"): b for b in new.get("more") or []}
    for block in old.get("more") or []:
        name = block.get("name")
        if name not in new_more:
            problems.append(f"gate {name}: removed")
            continue
        problems += [f"{name}: {p}" for p in _tightened_block(block, new_more[name])]
    return problems


def _tightened_block(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for name, v in (old.get("min") or {}).items():
        nv = (new.get("min") or {}).get(name)
        if nv is None or nv < v:
            problems.append(f"min {name}: {v} -> {nv}")
    for name, v in (old.get("max") or {}).items():
        nv = (new.get("max") or {}).get(name)
        if nv is None or nv > v:
            problems.append(f"max {name}: {v} -> {nv}")
    return problems


__all__ = [
    "LOWER_IS_BETTER",
    "RunDiff",
    "check_gates",
    "diff_runs",
    "gate_blocks",
    "load_thresholds",
    "metric_value",
    "parse_gates",
    "tightened",
]
