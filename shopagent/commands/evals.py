"""``shopagent eval run|diff|report|validate`` and ``shopagent sessions export``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer

_DEFAULT_OUT = Path("reports") / "evals"


def register(
    *,
    app: typer.Typer,
    train: typer.Typer,
    evals: typer.Typer,
    tools: typer.Typer,
    sessions: typer.Typer,
) -> None:
    @evals.command("run")
    def run(
        datasets: list[Path] = typer.Argument(
            ...,
            exists=True,
            dir_okay=False,
            help="JSONL dataset(s); several files replay as one set",
        ),
        config: Path = typer.Option(
            ...,
            "--config",
            "-c",
            exists=True,
            dir_okay=False,
            help="Eval configuration (TOML or JSON): tiers and prices",
        ),
        out: Path = typer.Option(_DEFAULT_OUT, "--out", help="Parent folder of the run folder"),
        concurrency: int = typer.Option(4, "--concurrency", "-j", min=1, max=64),
        fail_under: list[str] = typer.Option(
            [], "--fail-under", help="METRIC=VALUE: exit 1 if the metric is lower"
        ),
        fail_over: list[str] = typer.Option(
            [], "--fail-over", help="METRIC=VALUE: exit 1 if the metric is higher"
        ),
        limit: int | None = typer.Option(None, "--limit", help="Only the first N conversations"),
        tag: list[str] = typer.Option([], "--tag", help="Only conversations with this tag"),
        every: int = typer.Option(1, "--every", min=1, help="Every Nth conversation only"),
        run_id: str | None = typer.Option(None, "--run-id", help="Name of the run folder"),
    ) -> None:
        """Replay DATASETS through the agent with CONFIG's tiers; write run.json + report.html."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        from shopagent.evals import (
            check_gates,
            default_service_factory,
            load_config,
            load_datasets,
            parse_gates,
            run_conversations,
            save_run,
            select_conversations,
        )
        from shopagent.settings import get_settings

        console = Console(stderr=True)
        try:
            under, over = parse_gates(fail_under), parse_gates(fail_over)
            cfg = load_config(config)
            cfg.settings_update()  # fails now, not mid-run, when an API key variable is unset
            convs = load_datasets(datasets)
        except ValueError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
        convs = select_conversations(convs, every=every, tags=tag, limit=limit)
        settings = get_settings()
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task(f"{cfg.name}: replaying", total=len(convs))
            failed = 0

            def on_done(rec: object) -> None:
                nonlocal failed
                failed += not getattr(rec, "success", False)
                bar.update(task, advance=1, description=f"{cfg.name}: replaying ({failed} failed)")

            try:
                result = asyncio.run(
                    run_conversations(
                        convs,
                        cfg,
                        factory=default_service_factory(settings),
                        data_dir=settings.data_dir,
                        dataset=",".join(str(d) for d in datasets),
                        concurrency=concurrency,
                        run_id=run_id,
                        on_done=on_done,
                    )
                )
            except RuntimeError as exc:  # the service could not open (no embedded model, ...)
                console.print(f"[red]error:[/red] {exc}")
                raise typer.Exit(2) from exc
        folder = save_run(result, out / result.run_id)
        s = result.summary
        typer.echo(
            json.dumps(
                {
                    k: s[k]
                    for k in (
                        "conversations",
                        "turns",
                        "conversation_success",
                        "turn_success",
                        "tool_precision",
                        "tool_recall",
                        "argument_accuracy",
                        "constraint_satisfaction",
                        "cart_match",
                        "safety",
                        "escalation_rate",
                        "latency_p50_ms",
                        "latency_p95_ms",
                        "cost_per_conversation_usd",
                        "cost_ratio_vs_frontier",
                        "tag_turn_success",
                    )
                },
                indent=1,
            )
        )
        console.print(f"run written to {folder}/run.json and {folder}/report.html")
        try:
            failures = check_gates(s, under=under, over=over)
        except KeyError as exc:
            console.print(f"[red]error:[/red] {exc.args[0]}")
            raise typer.Exit(2) from exc
        for f in failures:
            console.print(f"[red]gate failed:[/red] {f}")
        if failures:
            raise typer.Exit(1)

    @evals.command("diff")
    def diff(
        run_a: Path = typer.Argument(..., exists=True, help="Baseline run (folder or run.json)"),
        run_b: Path = typer.Argument(..., exists=True, help="Candidate run"),
        as_json: bool = typer.Option(False, "--json"),
        fail_on_regression: bool = typer.Option(
            False, "--fail-on-regression", help="Exit 1 when any turn regressed"
        ),
    ) -> None:
        """List turns that passed in RUN_A and fail in RUN_B (and the reverse)."""
        from shopagent.evals import diff_runs, load_run

        a, b = load_run(run_a), load_run(run_b)
        d = diff_runs(a, b)
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "regressions": d.regressions,
                        "improvements": d.improvements,
                        "metric_deltas": d.metric_deltas,
                        "only_in_a": d.only_in_a,
                        "only_in_b": d.only_in_b,
                        "changed": d.changed,
                    },
                    indent=1,
                    default=str,
                )
            )
        else:
            typer.echo(
                f"{a.run_id} -> {b.run_id}: {len(d.regressions)} regressed turn(s), "
                f"{len(d.improvements)} improved"
            )
            for m, (va, vb) in d.metric_deltas.items():
                typer.echo(f"  {m:28} {va} -> {vb}")
            for title, rows in (("REGRESSIONS", d.regressions), ("IMPROVEMENTS", d.improvements)):
                if rows:
                    typer.echo(f"\n{title}")
                for r in rows:
                    typer.echo(
                        f"  {r['conversation']}#{r['turn']} [{r['intent'] or '-'}] "
                        f"{r['user']!r} tier {r['tier'][0]} -> {r['tier'][1]}"
                    )
                    for f in r["failures"][:4]:
                        typer.echo(f"      {f}")
            for label, ids in (
                ("only in A", d.only_in_a),
                ("only in B", d.only_in_b),
                ("input changed, not compared", d.changed),
            ):
                if ids:
                    typer.echo(f"\n{label}: {', '.join(ids)}")
        if fail_on_regression and d.regressions:
            raise typer.Exit(1)

    @evals.command("report")
    def report(
        runs: list[Path] = typer.Argument(..., exists=True, help="Run folders or run.json files"),
        out: Path = typer.Option(Path("reports/evals/compare.html"), "--out"),
    ) -> None:
        """One self-contained HTML report comparing several runs."""
        from shopagent.evals import load_run, render_html

        loaded = [load_run(r) for r in runs]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(loaded), encoding="utf-8")
        typer.echo(f"wrote {out} ({len(loaded)} runs)")

    @evals.command("validate")
    def validate(datasets: list[Path] = typer.Argument(..., exists=True, dir_okay=False)) -> None:
        """Check datasets against the conversation format; print what they cover."""
        from collections import Counter

        from shopagent.evals import load_datasets

        try:
            convs = load_datasets(datasets)
        except ValueError as exc:
            typer.echo(f"invalid: {exc}", err=True)
            raise typer.Exit(1) from exc
        turns = [t for c in convs for t in c.turns]
        intents = Counter(t.intent or "unlabelled" for t in turns)
        tools_ = Counter(n for t in turns for e in t.expect.tool_calls or [] for n in e.names)
        typer.echo(f"{len(convs)} conversations, {len(turns)} turns")
        typer.echo("intents: " + ", ".join(f"{k}={v}" for k, v in intents.most_common()))
        typer.echo("tools:   " + ", ".join(f"{k}={v}" for k, v in tools_.most_common()))
        tags = Counter(tag for c in convs for tag in c.tags)
        typer.echo("tags:    " + ", ".join(f"{k}={v}" for k, v in tags.most_common()))

    @sessions.command("export")
    def export(
        out: Path = typer.Option(..., "--out", help="JSONL file to write"),
        user: list[str] = typer.Option(
            [],
            "--user",
            help="Export this user's sessions (repeatable; default: every user the index knows)",
        ),
        pin: bool = typer.Option(
            False,
            "--pin",
            help="Pin expectations (tool names, tier) to what happened, for regression replay",
        ),
    ) -> None:
        """Export live sessions in the replay format, each turn with its trace."""
        from shopagent.evals import dump_conversations, export_sessions
        from shopagent.settings import get_settings

        async def go() -> list:
            from shopagent.agent.service import AgentService

            async with AgentService.open(get_settings()) as svc:
                users = list(user)
                if not users:
                    list_users = getattr(svc.sessions, "list_users", None)
                    if list_users is None:
                        raise typer.BadParameter(
                            "this session index cannot list users: pass --user", param_hint="--user"
                        )
                    users = list(await list_users())
                return await export_sessions(svc, users, pin=pin)

        convs = asyncio.run(go())
        out.parent.mkdir(parents=True, exist_ok=True)
        n = dump_conversations(convs, out)
        typer.echo(f"wrote {n} conversation(s) to {out}")
