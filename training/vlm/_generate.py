"""Reload a base model with a saved adapter and generate, as a check of what was trained.

Serving is vLLM's job (deploy/); this is the in-process path the offline test and
``shopagent train lora --check`` use to show that the adapter reloads and emits tool calls the
server's ``hermes`` parser would read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from training.vlm._collate import with_images
from training.vlm._template import parse_tool_calls


def load_for_inference(base: str | Path, adapter: str | Path | None = None) -> tuple[Any, Any]:
    """(model, processor): the local base, with the adapter applied when one is given."""
    from transformers import AutoModelForImageTextToText

    from training.vlm._processor import load_processor

    model: Any = AutoModelForImageTextToText.from_pretrained(base, local_files_only=True)
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter), is_trainable=False)
    model.eval()
    return model, load_processor(base)


def generate(model: Any, processor: Any, messages: list[dict[str, Any]],
             tools: list[dict[str, Any]] | None, *, data_dir: Path | None = None,
             max_new_tokens: int = 96) -> str:
    """Greedy continuation of a conversation whose last message is the user's (or a tool's)."""
    import torch

    msgs = with_images(messages, data_dir) if data_dir is not None else messages
    inputs = processor.apply_chat_template(
        [msgs], tools=tools or None, add_generation_prompt=True, tokenize=True,
        return_dict=True, return_tensors="pt",
    )
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    new = out[0, inputs["input_ids"].shape[1]:]
    # <tool_call> tags are ordinary tokens, so they survive skip_special_tokens, as in vLLM.
    return str(processor.tokenizer.decode(new, skip_special_tokens=True))


def predict_tool_calls(model: Any, processor: Any, messages: list[dict[str, Any]],
                       tools: list[dict[str, Any]] | None, *, data_dir: Path | None = None,
                       max_new_tokens: int = 96) -> tuple[str, list[dict[str, Any]]]:
    text = generate(model, processor, messages, tools, data_dir=data_dir,
                    max_new_tokens=max_new_tokens)
    return text, parse_tool_calls(text)
