"""The whole local-tier fine-tuning pipeline, for real, offline, on CPU.

Recorded sessions -> SFT data -> tiny random Qwen2.5-VL (built here from a config, tokenizer
trained here) -> LoRA with TRL + PEFT -> adapter saved -> resumed from its checkpoint through
the CLI -> base + adapter reloaded -> generate -> tool calls parsed as vLLM's hermes parser
would. The tiny model learns the format, not the shop: assertions are about mechanics (loss
falls, adapter reloads and changes the output, calls parse), never about quality.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
import typer
from safetensors import safe_open
from typer.testing import CliRunner

from shopagent.agent.prompts import SYSTEM_PROMPT
from shopagent.errors import InvalidInput
from shopagent.training.vlm import (
    DEMO_TOOL_SCHEMAS,
    LoraTrainConfig,
    build_sft_data,
    build_tiny_vlm,
    load_for_inference,
    predict_tool_calls,
    read_split,
    train_lora,
    write_demo_sessions,
)

TOOL_NAMES = {s["function"]["name"] for s in DEMO_TOOL_SCHEMAS}


@pytest.fixture
def one_thread() -> Iterator[None]:
    # A 1.5M-parameter model gains nothing from intra-op threads, and on a shared 2-core
    # machine OpenMP spinning made each step several times slower.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _cli() -> typer.Typer:
    from shopagent.commands import train_vlm

    app, train = typer.Typer(), typer.Typer()
    app.add_typer(train, name="train")
    train_vlm.register(
        app=app, train=train, evals=typer.Typer(), tools=typer.Typer(), sessions=typer.Typer()
    )
    return app


def test_sessions_to_served_adapter(tmp_path: Path, one_thread: None) -> None:
    started = time.monotonic()
    sessions = write_demo_sessions(tmp_path / "recorded" / "sessions.jsonl", n=100, seed=1)
    data, base, out = tmp_path / "data", tmp_path / "base", tmp_path / "adapter"
    card = build_sft_data(data, DEMO_TOOL_SCHEMAS, sessions=[sessions], eval_fraction=0.1)
    assert card["train"]["conversations"] == 90 and card["eval"]["conversations"] == 10
    texts = [json.dumps(e["messages"]) for e in read_split(data, "train")]
    build_tiny_vlm(base, DEMO_TOOL_SCHEMAS, texts)
    # With a base, the card counts tokens as the model sees them, image tokens included.
    card = build_sft_data(
        data, DEMO_TOOL_SCHEMAS, sessions=[sessions], eval_fraction=0.1, base=base
    )
    assert card["length_unit"].startswith("tokens") and 50 < card["lengths"]["train"]["max"] < 512

    # Refusals before any weights load: a base that is not a local folder, and data where
    # every example is longer than max_length (cutting would split an image's tokens).
    with pytest.raises(InvalidInput, match="not a local model folder"):
        train_lora("Qwen/Qwen2.5-VL-7B-Instruct", data, tmp_path / "x")
    with pytest.raises(InvalidInput, match="max_length 64"):
        train_lora(base, data, tmp_path / "x", LoraTrainConfig(max_length=64))

    events: list[dict[str, Any]] = []
    config = LoraTrainConfig(
        epochs=4,
        learning_rate=2e-3,
        batch_size=2,
        grad_accum=1,
        gradient_checkpointing=False,
        logging_steps=5,
        warmup_ratio=0.05,
        save_total_limit=1,
    )
    result = train_lora(base, data, out, config, progress=events.append)
    assert events and events[-1]["step"] == result.steps
    assert result.first_train_loss is not None and result.last_train_loss is not None
    assert result.last_train_loss < result.first_train_loss / 3, result.train_loss_logged
    assert result.eval_loss_before is not None and len(result.eval_loss_per_epoch) == 4
    assert result.eval_loss_per_epoch[-1]["eval_loss"] < result.eval_loss_before / 2

    # What vLLM's --lora-modules loads: PEFT config + weights, language model only.
    adapter_config = json.loads((out / "adapter_config.json").read_text())
    assert adapter_config["r"] == 16 and adapter_config["peft_type"] == "LORA"
    with safe_open(str(out / "adapter_model.safetensors"), "pt") as f:
        keys = list(f.keys())
    assert keys and all("language_model" in k and "lora_" in k for k in keys)
    assert "endgeneration" not in (out / "chat_template.serving.jinja").read_text()

    # Resume from the last epoch checkpoint for one more epoch, through the CLI, with
    # gradient checkpointing on this time.
    args = [
        "train",
        "lora",
        "--base",
        str(base),
        "--data",
        str(data),
        "--out",
        str(out),
        "--epochs",
        "5",
        "--lr",
        "2e-3",
        "--batch-size",
        "2",
        "--grad-accum",
        "1",
        "--logging-steps",
        "5",
        "--gradient-checkpointing",
        "--check",
        "2",
    ]
    run = CliRunner().invoke(_cli(), args)
    assert run.exit_code == 0, run.output
    summary = json.loads((out / "training_summary.json").read_text())
    assert summary["resumed_from"].endswith(f"checkpoint-{result.steps}")
    assert summary["steps"] > result.steps and len(summary["eval_loss_per_epoch"]) == 5
    assert summary["eval_loss_before"] == result.eval_loss_before
    assert "--lora-modules shop-lora=" in run.output and "check: " in run.output

    # Reload base + adapter and generate from held-out prompts.
    model, processor = load_for_inference(base, out)
    bare, _ = load_for_inference(base)
    held_out = read_split(data, "eval")[:4]
    parsed = 0
    for example in held_out:
        prompt = example["messages"][: example["train_from"] + 1]
        assert prompt[0]["content"] == SYSTEM_PROMPT and prompt[-1]["role"] == "user"
        text, calls = predict_tool_calls(
            model, processor, prompt, example["tools"], data_dir=data, max_new_tokens=48
        )
        bare_text, _ = predict_tool_calls(
            bare, processor, prompt, example["tools"], data_dir=data, max_new_tokens=48
        )
        assert text != bare_text  # the adapter is applied
        if calls and calls[0]["name"] in TOOL_NAMES:
            parsed += 1
    assert parsed >= len(held_out) // 2, parsed
    # Budget for `make test` on 2 cores: at most 5 minutes for this module.
    assert time.monotonic() - started < 300
