"""Reload a base model with a saved adapter and generate, as a check of what was trained.

Serving is vLLM's job (deploy/); this is the in-process path the offline test and
``shopagent train lora --check N`` use to show that the adapter reloads and emits tool calls
the server's ``hermes`` parser would read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shopagent.training.vlm._collate import with_images
from shopagent.training.vlm._template import parse_tool_calls


def load_for_inference(base: str | Path, adapter: str | Path | None = None) -> tuple[Any, Any]:
    """(model, processor): the local base, with the adapter applied when one is given."""
    from transformers import AutoModelForImageTextToText

    from shopagent.training.vlm._processor import load_processor

    model: Any = AutoModelForImageTextToText.from_pretrained(base, local_files_only=True)
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter), is_trainable=False)
    model.eval()
    return model, load_processor(base)


def generate(
    model: Any,
    processor: Any,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None,
    *,
    data_dir: Path | None = None,
    max_new_tokens: int = 96,
) -> str:
    """Greedy continuation of a conversation whose last message is the user's (or a tool's)."""
    import torch

    msgs = with_images(messages, data_dir) if data_dir is not None else messages
    inputs = processor.apply_chat_template(
        [msgs],
        tools=tools or None,
        add_generation_prompt=True,
        tokenize=True,
        return_dict=True,
        return_tensors="pt",
    ).to(model.device)
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    new = out[0, inputs["input_ids"].shape[1] :]
    # <tool_call> tags are ordinary tokens, so they survive skip_special_tokens, as in vLLM.
    return str(processor.tokenizer.decode(new, skip_special_tokens=True))


def predict_tool_calls(
    model: Any,
    processor: Any,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None,
    *,
    data_dir: Path | None = None,
    max_new_tokens: int = 96,
) -> tuple[str, list[dict[str, Any]]]:
    text = generate(
        model, processor, messages, tools, data_dir=data_dir, max_new_tokens=max_new_tokens
    )
    return text, parse_tool_calls(text)


def check_adapter(
    base: str | Path,
    adapter: str | Path,
    data_dir: str | Path,
    n: int = 20,
    *,
    max_new_tokens: int = 96,
) -> dict[str, Any]:
    """Greedy predictions for the first assistant step of ``n`` held-out examples: how many
    parse as tool calls, and how many name the recorded tool. A smoke check of the adapter
    and the format; ``shopagent eval`` against the served model is the real comparison."""
    import torch

    from shopagent.training.vlm._train import read_split

    data_dir = Path(data_dir)
    model, processor = load_for_inference(base, adapter)
    if torch.cuda.is_available():
        model = model.to("cuda", dtype=torch.bfloat16)
    rows = [e for e in read_split(data_dir, "eval") if e["messages"][e["train_from"] :]][:n]
    parsed = right = 0
    samples = []
    for e in rows:
        prompt = e["messages"][: e["train_from"] + 1]
        target = e["messages"][e["train_from"] + 1]
        want = [c["function"]["name"] for c in target.get("tool_calls") or []]
        text, calls = predict_tool_calls(
            model,
            processor,
            prompt,
            e.get("tools"),
            data_dir=data_dir,
            max_new_tokens=max_new_tokens,
        )
        parsed += bool(calls) == bool(want)
        right += [c["name"] for c in calls] == want
        samples.append({"id": e["id"], "want": want, "got": text[:200]})
    return {"examples": len(rows), "format_ok": parsed, "right_tools": right, "samples": samples}
