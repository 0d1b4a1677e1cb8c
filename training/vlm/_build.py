"""``shopagent train sft-data``: write train/eval splits, the images and a data card.

Output folder::

    train.jsonl  eval.jsonl   one example per line (see training.vlm._sft_data)
    images/                   user images, content-addressed
    tools.json                the tool schemas the examples carry
    card.json  card.md        counts per source, intent and tool; skips; token lengths
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shopagent.errors import InvalidInput
from shopagent.training.vlm._sft_data import convert, split_by_conversation


def _length_stats(values: list[int]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "min": ordered[0],
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
        "max": ordered[-1],
        "mean": round(statistics.fmean(ordered), 1),
    }


def _rendered_chars(example: dict[str, Any]) -> int:
    return len(json.dumps(example["messages"], ensure_ascii=False))


def _split_counts(examples: list[dict[str, Any]]) -> dict[str, Any]:
    intents: Counter[str] = Counter()
    tools: Counter[str] = Counter()
    images = replies = tool_call_turns = 0
    for e in examples:
        intents.update(e["intents"])
        for m in e["messages"][e.get("train_from", 1) :]:  # the trained part, not history
            if m["role"] == "user" and isinstance(m["content"], list):
                images += sum(1 for p in m["content"] if p.get("type") == "image")
            if m["role"] == "assistant":
                if m.get("tool_calls"):
                    tool_call_turns += 1
                    tools.update(c["function"]["name"] for c in m["tool_calls"])
                else:
                    replies += 1
    return {
        "examples": len(examples),
        "conversations": len({e.get("conversation_id", e["id"]) for e in examples}),
        "user_turns": sum(intents.values()),
        "assistant_tool_call_messages": tool_call_turns,
        "assistant_replies": replies,
        "images": images,
        "intents": dict(intents.most_common()),
        "tool_calls": dict(tools.most_common()),
    }


def build_sft_data(
    out_dir: str | Path,
    tool_schemas: list[dict[str, Any]],
    *,
    sessions: Iterable[str | Path] = (),
    replays: Iterable[str | Path] = (),
    media_root: str | Path | None = None,
    eval_fraction: float = 0.1,
    seed: int = 0,
    base: str | Path | None = None,
) -> dict[str, Any]:
    """Convert, dedupe, split by conversation and write; returns the data card.

    Image paths in the conversations are relative to ``media_root`` (the service's data dir,
    where uploads and product images live) or to the JSONL file's folder.

    With ``base`` (a local model folder) the card gives token lengths as that model sees them,
    image tokens included; without it, lengths of the messages in characters.
    """
    session_paths = [Path(p) for p in sessions]
    replay_paths = [Path(p) for p in replays]
    if not session_paths and not replay_paths:
        raise InvalidInput("give at least one sessions export or replay file/folder")
    for p in [*session_paths, *replay_paths]:
        if not p.exists():
            raise InvalidInput(f"{p} does not exist")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    conv = convert(
        session_paths,
        replay_paths,
        tool_schemas,
        out,
        media_root=Path(media_root) if media_root else None,
    )
    train, evals = split_by_conversation(conv.examples, eval_fraction, seed)
    for name, rows in (("train", train), ("eval", evals)):
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for e in rows:
                fh.write(json.dumps(e, ensure_ascii=False) + "\n")
    (out / "tools.json").write_text(json.dumps(tool_schemas, indent=2), encoding="utf-8")

    card: dict[str, Any] = {
        "read": dict(conv.read),
        "skipped": dict(conv.skipped),
        "cut_short": dict(conv.cut),
        "duplicates": conv.duplicates,
        "sources": dict(Counter(e["source"] for e in conv.examples)),
        "train": _split_counts(train),
        "eval": _split_counts(evals),
        "tools_offered": [s["function"]["name"] for s in tool_schemas],
        "eval_fraction": eval_fraction,
        "seed": seed,
    }
    if base is not None and conv.examples:
        from shopagent.training.vlm._collate import token_lengths
        from shopagent.training.vlm._processor import load_processor

        processor = load_processor(base)
        card["length_unit"] = f"tokens ({Path(base).name})"
        card["lengths"] = {
            n: _length_stats(token_lengths(processor, rows, out))
            for n, rows in (("train", train), ("eval", evals))
        }
    else:
        card["length_unit"] = "characters of the messages JSON (give --base for tokens)"
        card["lengths"] = {
            n: _length_stats([_rendered_chars(e) for e in rows])
            for n, rows in (("train", train), ("eval", evals))
        }
    (out / "card.json").write_text(json.dumps(card, indent=2), encoding="utf-8")
    (out / "card.md").write_text(card_markdown(card), encoding="utf-8")
    return card


def _table(title: str, rows: dict[str, Any]) -> list[str]:
    if not rows:
        return [f"**{title}**: none", ""]
    return [f"| {title} | count |", "|---|---:|", *[f"| {k} | {v} |" for k, v in rows.items()], ""]


def card_markdown(card: dict[str, Any]) -> str:
    lines = [
        "# SFT data card",
        "",
        f"Read: {card['read']} conversations; kept by source: {card['sources']}; "
        f"duplicates dropped: {card['duplicates']}.",
        "",
    ]
    lines += _table("skipped (reason)", card["skipped"])
    lines += _table("cut short (reason)", card["cut_short"])
    for split in ("train", "eval"):
        s = card[split]
        lines += [
            f"## {split}",
            "",
            f"{s['examples']} examples from {s['conversations']} conversations, "
            f"{s['user_turns']} trained user turns, "
            f"{s['assistant_tool_call_messages']} tool-call messages, "
            f"{s['assistant_replies']} replies, {s['images']} images.",
            "",
        ]
        lines += _table("intent", s["intents"]) + _table("tool", s["tool_calls"])
        lengths = card["lengths"].get(split) or {}
        lines += [
            f"Lengths in {card['length_unit']}: "
            + (", ".join(f"{k} {v}" for k, v in lengths.items()) or "none"),
            "",
        ]
    return "\n".join(lines)
