"""The chat template shared by training and serving, and the parser for its tool calls.

Tool calls are rendered in the Qwen2.5 / Hermes format::

    <tool_call>
    {"name": "search_products", "arguments": {"query": "red sneakers"}}
    </tool_call>

which is what vLLM's ``hermes`` tool-call parser turns back into OpenAI ``tool_calls``.
:func:`parse_tool_calls` does the same here, so tests check generated text the way the
server will read it.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

TEMPLATE_FILE = "chat_template.jinja"
SERVING_TEMPLATE_FILE = "chat_template.serving.jinja"
_GENERATION_TAG = re.compile(r"\{%-?\s*(?:end)?generation\s*-?%\}")
_TOOL_CALL = re.compile(r"<tool_call>\s*(.*?)\s*</tool_call>", re.DOTALL)


@lru_cache
def training_chat_template() -> str:
    """The template with ``{% generation %}`` markers (assistant spans, for the loss mask)."""
    return files("shopagent.training.vlm").joinpath(TEMPLATE_FILE).read_text(encoding="utf-8")


def serving_chat_template() -> str:
    """The same template without generation markers, for ``vllm serve --chat-template``.

    transformers understands the markers, but other renderers may not; removing them changes
    no rendered character.
    """
    return _GENERATION_TAG.sub("", training_chat_template())


def write_serving_template(folder: Path) -> Path:
    path = folder / SERVING_TEMPLATE_FILE
    path.write_text(serving_chat_template(), encoding="utf-8")
    return path


def parse_tool_calls(text: str) -> list[dict[str, Any]]:
    """Tool calls in generated text, as ``[{"name": ..., "arguments": {...}}]``.

    A block that is not a JSON object with a string ``name`` is skipped, as the server's
    parser would leave it in the content rather than make a call of it.
    """
    calls: list[dict[str, Any]] = []
    for block in _TOOL_CALL.findall(text):
        try:
            obj = json.loads(block)
        except json.JSONDecodeError:
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
            continue
        args = obj.get("arguments", {})
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except json.JSONDecodeError:
                continue
        calls.append({"name": obj["name"], "arguments": args if isinstance(args, dict) else {}})
    return calls
