"""Turn SFT examples into model inputs with the processor, tools included.

TRL's vision collator does not pass ``tools`` to the chat template, so the tool schemas would
never reach the prompt and the adapter would learn to call tools it was never shown. This one
renders every example with its tools through :func:`encode_example`, the same rendering the
server applies, and keeps the loss on assistant tokens only (the ``{% generation %}`` spans).
The processor's whole output goes to the model: without ``mm_token_type_ids`` transformers
silently falls back to 1-D positions for image tokens.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

IGNORE_INDEX = -100
_SEQ_KEYS = ("input_ids", "attention_mask", "mm_token_type_ids", "labels")


def with_images(messages: list[dict[str, Any]], data_dir: Path) -> list[dict[str, Any]]:
    """The messages with image parts' paths (relative to the data folder) opened as RGB."""
    from PIL import Image

    out = []
    for m in messages:
        content = m.get("content")
        if isinstance(content, list):
            parts = []
            for p in content:
                if p.get("type") == "image" and isinstance(p.get("image"), str):
                    with Image.open(data_dir / p["image"]) as img:
                        p = {"type": "image", "image": img.convert("RGB")}
                parts.append(p)
            m = {**m, "content": parts}
        out.append(m)
    return out


def encode_example(processor: Any, example: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """One example as 1-D sequences (``labels`` -100 outside assistant spans and before
    ``train_from``) plus the image tensors."""
    messages = with_images(example["messages"], data_dir)
    enc = processor.apply_chat_template(
        [messages],
        tools=example.get("tools") or None,
        tokenize=True,
        return_dict=True,
        return_assistant_tokens_mask=True,
        return_tensors="pt",
    )
    out: dict[str, Any] = {k: enc[k][0] for k in ("input_ids", "attention_mask") if k in enc}
    if "mm_token_type_ids" in enc:
        out["mm_token_type_ids"] = enc["mm_token_type_ids"][0]
    labels = enc["input_ids"][0].clone()
    labels[enc["assistant_masks"][0] == 0] = IGNORE_INDEX
    train_from = example.get("train_from") or 0
    if train_from > 1:
        # A split conversation: its history (no pixels there, only text markers) is context,
        # not target. Rendering stops at a message boundary, where a special token starts the
        # next message, so the prefix's tokens are a prefix of the whole's.
        prefix = processor.apply_chat_template(
            [example["messages"][:train_from]],
            tools=example.get("tools") or None,
            tokenize=True,
            return_dict=True,
            return_tensors="pt",
        )
        labels[: prefix["input_ids"].shape[1]] = IGNORE_INDEX
    out["labels"] = labels
    for k in ("pixel_values", "image_grid_thw"):
        if k in enc:
            out[k] = enc[k]
    return out


class VlmCollator:
    """Batches of encoded examples, padded on the right. Dataset rows hold the example as a
    JSON string (``{"example": "..."}``) and are encoded here, so images are decoded per batch
    rather than held in memory for the whole run."""

    def __init__(self, processor: Any, data_dir: Path) -> None:
        self.processor = processor
        self.data_dir = Path(data_dir)
        tok = processor.tokenizer
        self.pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        encoded = [
            encode_example(self.processor, json.loads(r["example"]), self.data_dir) for r in rows
        ]
        width = max(len(e["input_ids"]) for e in encoded)
        pad = {
            "input_ids": self.pad_id,
            "attention_mask": 0,
            "mm_token_type_ids": 0,
            "labels": IGNORE_INDEX,
        }
        batch: dict[str, Any] = {}
        for key in _SEQ_KEYS:
            if key not in encoded[0]:
                continue
            batch[key] = torch.stack(
                [
                    torch.nn.functional.pad(e[key], (0, width - len(e[key])), value=pad[key])
                    for e in encoded
                ]
            )
        for key in ("pixel_values", "image_grid_thw"):
            parts = [e[key] for e in encoded if key in e]
            if parts:
                batch[key] = torch.cat(parts, dim=0)
        return batch


def token_lengths(processor: Any, examples: list[dict[str, Any]], data_dir: Path) -> list[int]:
    """Tokens per example as the model sees them (image tokens included)."""
    return [len(encode_example(processor, e, data_dir)["input_ids"]) for e in examples]
