"""``shopagent train sft-data | lora | tiny-vlm``: the local tier's fine-tuning pipeline.

Heavy libraries load inside the commands, so ``shopagent --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer


def _default_tool_schemas() -> list[dict[str, Any]]:
    """The tool schemas the agent offers, from the same registry it builds at run time."""
    try:
        from shopagent.tools.builtin import build_registry
    except ImportError as exc:
        raise typer.BadParameter(
            "tools.builtin.build_registry is not available, so the agent's tool schemas are "
            "unknown; pass --tools FILE (a JSON list of OpenAI tool schemas)"
        ) from exc
    from shopagent.settings import get_settings

    return list(build_registry(get_settings()).openai_schemas())


def _tool_schemas(path: Path | None) -> list[dict[str, Any]]:
    if path is None:
        return _default_tool_schemas()
    schemas = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(schemas, list) or not all("function" in s for s in schemas):
        raise typer.BadParameter(f"{path}: expected a JSON list of OpenAI tool schemas")
    return schemas


def _defaults() -> Any:
    from shopagent.training.vlm import LoraTrainConfig

    return LoraTrainConfig()


def register(
    *,
    app: typer.Typer,
    train: typer.Typer,
    evals: typer.Typer,
    tools: typer.Typer,
    sessions: typer.Typer,
) -> None:
    d = _defaults()

    @train.command("sft-data")
    def sft_data(
        out: Path = typer.Option(..., "--out", help="Folder for train/eval JSONL, images, card."),
        sessions_in: list[Path] = typer.Option(
            [], "--sessions", help="Sessions export JSONL file or folder (repeatable)."
        ),
        replays: list[Path] = typer.Option(
            [], "--replays", help="Replay JSONL file or folder (repeatable)."
        ),
        tools_file: Path | None = typer.Option(
            None, "--tools", help="JSON list of tool schemas; default: the agent's registry."
        ),
        media_root: Path | None = typer.Option(
            None,
            help="Root of relative image paths (default: SHOPAGENT_DATA_DIR); the JSONL "
            "file's folder is tried too.",
        ),
        eval_fraction: float = typer.Option(0.1, help="Share of conversations held out."),
        seed: int = typer.Option(0, help="Salt of the conversation split."),
        base: Path | None = typer.Option(
            None,
            help="Local model folder: token lengths in the card are counted with its processor.",
        ),
    ) -> None:
        """Turn recorded conversations into SFT examples in the agent's chat format."""
        from shopagent.training.vlm import build_sft_data, card_markdown

        if media_root is None:
            from shopagent.settings import get_settings

            media_root = get_settings().data_dir
        card = build_sft_data(
            out,
            _tool_schemas(tools_file),
            sessions=sessions_in,
            replays=replays,
            media_root=media_root,
            eval_fraction=eval_fraction,
            seed=seed,
            base=base,
        )
        typer.echo(card_markdown(card))
        typer.echo(f"wrote {out}/train.jsonl, {out}/eval.jsonl, {out}/card.md")

    @train.command("lora")
    def lora(
        base: Path = typer.Option(..., help="Local folder of the base VLM (never a hub id)."),
        data: Path = typer.Option(..., help="Folder written by `shopagent train sft-data`."),
        out: Path = typer.Option(..., help="Adapter folder (checkpoints in <out>/checkpoints)."),
        rank: int = typer.Option(d.rank),
        alpha: int = typer.Option(d.alpha),
        dropout: float = typer.Option(d.dropout),
        target_modules: str = typer.Option(d.target_modules, help="Regex over module names."),
        lr: float = typer.Option(d.learning_rate, "--lr"),
        epochs: float = typer.Option(d.epochs),
        max_length: int = typer.Option(d.max_length, help="Longer examples are left out."),
        batch_size: int = typer.Option(d.batch_size),
        grad_accum: int = typer.Option(d.grad_accum),
        gradient_checkpointing: bool = typer.Option(d.gradient_checkpointing),
        max_image_pixels: int | None = typer.Option(d.max_image_pixels),
        logging_steps: int = typer.Option(d.logging_steps),
        seed: int = typer.Option(d.seed),
        module_name: str = typer.Option(d.module_name, help="Name vLLM serves the adapter as."),
        resume: bool = typer.Option(True, help="Resume from the last checkpoint in <out>."),
        check: int = typer.Option(
            0,
            help="After training, reload base + adapter and predict "
            "the first step of this many eval examples.",
        ),
    ) -> None:
        """Fine-tune a LoRA adapter (TRL SFT + PEFT) that `vllm serve --lora-modules` loads."""
        from shopagent.training.vlm import LoraTrainConfig, train_lora

        config = LoraTrainConfig(
            rank=rank,
            alpha=alpha,
            dropout=dropout,
            target_modules=target_modules,
            learning_rate=lr,
            epochs=epochs,
            max_length=max_length,
            batch_size=batch_size,
            grad_accum=grad_accum,
            gradient_checkpointing=gradient_checkpointing,
            max_image_pixels=max_image_pixels,
            logging_steps=logging_steps,
            seed=seed,
            module_name=module_name,
        )

        def progress(event: dict[str, Any]) -> None:
            keys = ("loss", "eval_loss", "train_loss", "learning_rate", "grad_norm")
            shown = " ".join(f"{k}={event[k]:.4g}" for k in keys if k in event)
            typer.echo(f"step {event['step']}/{event['max_steps']} epoch {event['epoch']} {shown}")

        result = train_lora(base, data, out, config, resume=resume, progress=progress)
        before = "n/a" if result.eval_loss_before is None else f"{result.eval_loss_before:.4g}"
        typer.echo(
            f"adapter: {result.adapter_dir} ({result.steps} steps, "
            f"{result.duration_s} s); eval loss before {before}, per epoch "
            f"{[round(e['eval_loss'], 4) for e in result.eval_loss_per_epoch]}"
        )
        if check:
            from shopagent.training.vlm import check_adapter

            report = check_adapter(base, out, data, check)
            typer.echo(
                f"check: {report['format_ok']}/{report['examples']} in the expected "
                f"format (tool call or reply), {report['right_tools']}/"
                f"{report['examples']} with the recorded tool(s)"
            )
        typer.echo(
            f"serve: --lora-modules {module_name}={Path(out).resolve()} "
            f"--chat-template {Path(out).resolve()}/chat_template.serving.jinja"
        )

    @train.command("tiny-vlm")
    def tiny_vlm(
        out: Path = typer.Option(..., help="Folder for the tiny random model."),
        tools_file: Path | None = typer.Option(
            None,
            "--tools",
            help="JSON tool schemas; "
            "default: the demo tools (--demo-sessions) or "
            "the agent's registry.",
        ),
        data: Path | None = typer.Option(
            None, help="SFT data folder whose text the tokenizer is trained on as well."
        ),
        demo_sessions: Path | None = typer.Option(
            None, help="Also write generated sessions (demo tools) to this JSONL file."
        ),
        demo_count: int = typer.Option(200),
        seed: int = typer.Option(0),
    ) -> None:
        """Build a tiny random Qwen2.5-VL (no download) to run the pipeline without weights."""
        from shopagent.training.vlm import (
            DEMO_TOOL_SCHEMAS,
            build_tiny_vlm,
            read_split,
            write_demo_sessions,
        )

        if demo_sessions is not None:
            write_demo_sessions(demo_sessions, n=demo_count, seed=seed)
            typer.echo(f"wrote {demo_count} demo sessions to {demo_sessions}")
        if tools_file is not None or demo_sessions is None:
            schemas = _tool_schemas(tools_file)
        else:
            schemas = DEMO_TOOL_SCHEMAS
        texts = [json.dumps(e["messages"]) for e in read_split(data, "train")] if data else []
        build_tiny_vlm(out, schemas, texts, seed=seed)
        typer.echo(f"tiny Qwen2.5-VL written to {out}")
