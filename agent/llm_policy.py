"""The policy of the OpenAI-compatible tiers: history -> chat messages -> one model step.

Tool output is wrapped as data (JSON in a tool message), never merged into the system
prompt, so product text cannot pose as instructions.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage

from shopagent.agent.prompts import SYSTEM_PROMPT

HISTORY_MESSAGES = 30  # recent messages sent to a model; older ones are dropped
EARLIER_PHOTO = "[photo attached earlier]"


def current_photo_text(text: str, image_id: str) -> str:
    """The text part of a turn with a photo. The id lets the model pass the photo on to
    ``visual_search(image_id=...)``; SFT data (training/vlm) renders turns the same way."""
    return f"{text} [photo attached, image_id={image_id}]".strip()


def image_data_url(data: bytes) -> str:
    mime = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def to_openai_messages(
    messages: list[AnyMessage], *, image: bytes | None, current_turn_id: str
) -> list[dict[str, Any]]:
    """Convert the thread's history. Only the current turn's image is sent as pixels."""
    recent = messages[-HISTORY_MESSAGES:]
    # Never start the window on tool messages whose calling AI message was cut off.
    while recent and isinstance(recent[0], ToolMessage):
        recent = recent[1:]
    out: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT}]
    for m in recent:
        if isinstance(m, HumanMessage):
            text = m.content if isinstance(m.content, str) else str(m.content)
            is_current = m.additional_kwargs.get("turn_id") == current_turn_id
            if m.additional_kwargs.get("image_id") and is_current and image is not None:
                out.append(
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "text",
                                "text": current_photo_text(text, m.additional_kwargs["image_id"]),
                            },
                            {"type": "image_url", "image_url": {"url": image_data_url(image)}},
                        ],
                    }
                )
            elif m.additional_kwargs.get("image_id"):
                out.append({"role": "user", "content": f"{text} {EARLIER_PHOTO}".strip()})
            else:
                out.append({"role": "user", "content": text})
        elif isinstance(m, AIMessage):
            msg: dict[str, Any] = {"role": "assistant", "content": m.content or None}
            if m.tool_calls:
                msg["tool_calls"] = [
                    {
                        "id": tc["id"],
                        "type": "function",
                        "function": {"name": tc["name"], "arguments": json.dumps(tc["args"])},
                    }
                    for tc in m.tool_calls
                ]
            out.append(msg)
        elif isinstance(m, ToolMessage):
            out.append(
                {
                    "role": "tool",
                    "tool_call_id": m.tool_call_id,
                    "content": m.content if isinstance(m.content, str) else json.dumps(m.content),
                }
            )
    return out


def outcome_message(outcome: dict[str, Any]) -> ToolMessage:
    if outcome["ok"]:
        body = json.dumps(outcome["content"], default=str)
    else:
        body = json.dumps(
            {"error": {"code": outcome.get("error_code"), "message": outcome.get("error_message")}}
        )
    return ToolMessage(content=body, tool_call_id=outcome["id"], name=outcome["name"])
