"""LoRA fine-tuning of a Qwen2.5-VL-class model with TRL ``SFTTrainer`` and PEFT.

The base is always a local folder (``local_files_only``): nothing reaches a hub. Checkpoints
go to ``<out>/checkpoints`` once per epoch (optimizer, scheduler and RNG state included) and a
rerun with the same ``--out`` resumes from the last one. The finished adapter is written to
``<out>`` itself (``adapter_config.json`` + ``adapter_model.safetensors``), the folder that
``vllm serve --lora-modules <name>=<out>`` takes, next to the serving chat template and a
``training_summary.json`` with the losses.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from shopagent.errors import InvalidInput
from shopagent.training.vlm._collate import VlmCollator, token_lengths
from shopagent.training.vlm._config import LoraTrainConfig
from shopagent.training.vlm._template import write_serving_template

log = logging.getLogger(__name__)
Progress = Callable[[dict[str, Any]], None]
SUMMARY_FILE = "training_summary.json"


@dataclass
class TrainResult:
    adapter_dir: str
    module_name: str
    train_examples: int
    eval_examples: int
    dropped_too_long: int
    steps: int
    duration_s: float
    eval_loss_before: float | None
    eval_loss_per_epoch: list[dict[str, float]] = field(default_factory=list)
    train_loss_logged: list[dict[str, float]] = field(default_factory=list)
    resumed_from: str | None = None

    @property
    def first_train_loss(self) -> float | None:
        return self.train_loss_logged[0]["loss"] if self.train_loss_logged else None

    @property
    def last_train_loss(self) -> float | None:
        return self.train_loss_logged[-1]["loss"] if self.train_loss_logged else None


def read_split(data_dir: Path, name: str) -> list[dict[str, Any]]:
    path = data_dir / f"{name}.jsonl"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _fits(
    processor: Any, examples: list[dict[str, Any]], data_dir: Path, max_length: int
) -> tuple[list[dict[str, Any]], int]:
    lengths = token_lengths(processor, examples, data_dir)
    kept = [e for e, n in zip(examples, lengths, strict=True) if n <= max_length]
    return kept, len(examples) - len(kept)


def _as_dataset(examples: list[dict[str, Any]]) -> Any:
    from datasets import Dataset

    # One JSON string column: the messages are too irregular (tool arguments of any shape)
    # for an Arrow schema, and the collator re-reads them anyway.
    return Dataset.from_list([{"example": json.dumps(e, ensure_ascii=False)} for e in examples])


def _progress_callback(progress: Progress) -> Any:
    from transformers import TrainerCallback

    class _Report(TrainerCallback):  # type: ignore[misc]
        def on_log(
            self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any
        ) -> None:
            if logs:
                progress(
                    {
                        **logs,
                        "step": state.global_step,
                        "max_steps": state.max_steps,
                        "epoch": round(state.epoch or 0.0, 3),
                    }
                )

    return _Report()


def _bf16(config: LoraTrainConfig) -> bool:
    import torch

    if config.bf16 is not None:
        return config.bf16
    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


def train_lora(
    base: str | Path,
    data_dir: str | Path,
    out_dir: str | Path,
    config: LoraTrainConfig | None = None,
    *,
    resume: bool = True,
    progress: Progress | None = None,
) -> TrainResult:
    """Fine-tune a LoRA adapter on ``<data_dir>/{train,eval}.jsonl`` (``shopagent train
    sft-data``). Returns the losses; writes the adapter to ``out_dir``."""
    import torch
    from peft import LoraConfig
    from transformers import AutoModelForImageTextToText
    from transformers.trainer_utils import get_last_checkpoint
    from trl import SFTConfig, SFTTrainer

    from shopagent.training.vlm._processor import load_processor

    config = config or LoraTrainConfig()
    base, data_dir, out_dir = Path(base), Path(data_dir), Path(out_dir)
    if not (base / "config.json").is_file():
        raise InvalidInput(
            f"--base {base} is not a local model folder (no config.json); "
            "weights are never downloaded"
        )
    processor = load_processor(base)
    if config.max_image_pixels:
        processor.image_processor.size["longest_edge"] = config.max_image_pixels
    train, dropped = _fits(processor, read_split(data_dir, "train"), data_dir, config.max_length)
    evals, dropped_eval = _fits(
        processor, read_split(data_dir, "eval"), data_dir, config.max_length
    )
    if not train:
        raise InvalidInput(
            f"{data_dir}/train.jsonl has no example within max_length "
            f"{config.max_length} ({dropped} too long)"
        )
    if dropped or dropped_eval:
        log.warning(
            "left out %d train and %d eval examples longer than %d tokens",
            dropped,
            dropped_eval,
            config.max_length,
        )

    torch.manual_seed(config.seed)
    use_bf16 = _bf16(config)
    model = AutoModelForImageTextToText.from_pretrained(
        base, local_files_only=True, dtype=torch.bfloat16 if use_bf16 else torch.float32
    )
    checkpoints = out_dir / "checkpoints"
    args = SFTConfig(
        output_dir=str(checkpoints),
        num_train_epochs=config.epochs,
        learning_rate=config.learning_rate,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        gradient_checkpointing=config.gradient_checkpointing,
        warmup_steps=config.warmup_ratio,  # a float in [0, 1) is a ratio of all steps
        lr_scheduler_type=config.lr_scheduler,
        weight_decay=config.weight_decay,
        logging_steps=config.logging_steps,
        logging_first_step=True,
        eval_strategy="epoch" if evals else "no",
        save_strategy="epoch",
        save_total_limit=config.save_total_limit,
        seed=config.seed,
        bf16=use_bf16,
        max_length=config.max_length,
        # The collator renders and masks; TRL must neither re-tokenize nor drop the column.
        dataset_kwargs={"skip_prepare_dataset": True},
        remove_unused_columns=False,
        report_to=[],
        disable_tqdm=progress is not None,
        dataloader_num_workers=0,
        dataloader_pin_memory=torch.cuda.is_available(),
    )
    peft_config = LoraConfig(
        r=config.rank,
        lora_alpha=config.alpha,
        lora_dropout=config.dropout,
        target_modules=config.target_modules,
        task_type="CAUSAL_LM",
    )
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=_as_dataset(train),
        eval_dataset=_as_dataset(evals) if evals else None,
        processing_class=processor,
        data_collator=VlmCollator(processor, data_dir),
        peft_config=peft_config,
        callbacks=[_progress_callback(progress)] if progress else None,
    )
    if progress is not None:
        from transformers import PrinterCallback

        trainer.remove_callback(PrinterCallback)  # progress() reports instead
    last = get_last_checkpoint(str(checkpoints)) if resume and checkpoints.is_dir() else None
    started = time.monotonic()
    # Kept beside the checkpoints, so a resumed run still reports where training started.
    before_file = checkpoints / "eval_loss_before.json"
    eval_before = None
    if evals and last is None:
        eval_before = float(trainer.evaluate()["eval_loss"])
        checkpoints.mkdir(parents=True, exist_ok=True)
        before_file.write_text(json.dumps({"eval_loss": eval_before}), encoding="utf-8")
    elif before_file.is_file():
        eval_before = json.loads(before_file.read_text(encoding="utf-8"))["eval_loss"]
    trainer.train(resume_from_checkpoint=last)
    duration = time.monotonic() - started

    peft_model: Any = trainer.model  # a PeftModel: saves the adapter only
    peft_model.save_pretrained(out_dir)
    write_serving_template(out_dir)
    history = trainer.state.log_history
    result = TrainResult(
        adapter_dir=str(out_dir),
        module_name=config.module_name,
        train_examples=len(train),
        eval_examples=len(evals),
        dropped_too_long=dropped + dropped_eval,
        steps=trainer.state.global_step,
        duration_s=round(duration, 1),
        eval_loss_before=eval_before,
        eval_loss_per_epoch=[
            {"epoch": h["epoch"], "eval_loss": h["eval_loss"]} for h in history if "eval_loss" in h
        ],
        train_loss_logged=[
            {"step": h["step"], "epoch": h["epoch"], "loss": h["loss"]}
            for h in history
            if "loss" in h
        ],
        resumed_from=last,
    )
    summary = {
        "base": str(base),
        "data": str(data_dir),
        "config": config.model_dump(),
        **asdict(result),
    }
    (out_dir / SUMMARY_FILE).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return result
