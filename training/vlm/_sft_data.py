"""SFT examples from recorded conversations, in the chat format the agent uses at run time.

Input: JSONL in the replay format of ``evals`` (``shopagent-conversation/1``, one conversation
per line). Fields read::

    {"format": "shopagent-conversation/1" (or "version": 1), "id": "...",
     "turns": [{"user": "text", "image": {"path": ...} | {"product_id": ...} | null,
                "intent": "search",                         # counted in the data card
                "confirm": true | false,                    # a confirmation-answer turn
                "expect": {"tool_calls": [{"name": "...", "arguments": {...matchers}}]},
                "trace": {"tool_calls": [{"name", "arguments"}], "tool_results": [...],
                          "reply": "..."}}]}                # sessions export only

A turn with a ``trace`` (``shopagent sessions export``) gives the real assistant calls, their
results and the reply. Calls become one assistant step each, answered by results in order;
a write's result arrives in the following confirm turn, as it does at run time, where the
confirmation adds no message the model sees. A turn without a trace (a replay) gives only its
expected calls, usable where the name is one tool and every argument matcher is an exact
value (a bare value or ``{"exact": v}``; dotted names nest), with at least one argument for a
tool that takes any (no matcher means "any arguments"); replays carry no tool results.

Output (one or more examples per conversation): ``{"id", "conversation_id", "source",
"intents", "tools", "messages", "train_from"}``, the messages as ``agent.llm_policy`` builds
them: the system prompt, the user's text then the image (``{"type": "image", "image":
"images/<sha256>.<ext>"}``, copied next to the data); images of earlier turns as the text
marker the agent sends instead of pixels. Because of that marker, a conversation is split
after each image turn that more turns follow; ``train_from`` (a message index) marks where a
split example's supervised part starts. A conversation is cut at the first turn that cannot
become a concrete target (a fuzzy matcher, an unknown tool, a missing image).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopagent.agent.llm_policy import EARLIER_PHOTO, current_photo_text
from shopagent.agent.prompts import SYSTEM_PROMPT
from shopagent.errors import InvalidInput

FORMAT = "shopagent-conversation/1"


def _photo_id(ref: Any) -> str:
    """The image id the agent showed the model: uploads are stored as media/uploads/<id>."""
    if isinstance(ref, dict) and ref.get("product_id"):
        return f"{ref['product_id']}.png"
    return Path(str(ref.get("path") if isinstance(ref, dict) else ref)).name


_WS = re.compile(r"\s+")


@dataclass
class Conversion:
    """What reading the sources gave: the examples and why the rest was left out."""

    examples: list[dict[str, Any]] = field(default_factory=list)
    read: Counter[str] = field(default_factory=Counter)  # conversations per source kind
    skipped: Counter[str] = field(default_factory=Counter)  # conversations dropped, by reason
    cut: Counter[str] = field(default_factory=Counter)  # conversations shortened, by reason
    duplicates: int = 0


class _Cut(Exception):
    """This turn cannot become a training target; the conversation ends before it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _TurnOut:
    user: dict[str, Any] | None  # None for a confirm turn
    text: str
    image: str | None
    produced: list[dict[str, Any]]
    intent: str


def iter_jsonl(paths: Iterable[Path]) -> Iterator[tuple[Path, int, dict[str, Any]]]:
    """(file, line number, object) for every non-empty line of the files or folders given."""
    for path in paths:
        files = sorted(path.rglob("*.jsonl")) if path.is_dir() else [path]
        for file in files:
            with file.open(encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise InvalidInput(f"{file}:{n}: not JSON: {exc.msg}") from exc
                    if not isinstance(obj, dict):
                        raise InvalidInput(f"{file}:{n}: a line must be a JSON object")
                    yield file, n, obj


_NOT_EXACT = object()


def exact_value(matcher: Any) -> Any:
    """The value an argument matcher pins down, or ``_NOT_EXACT`` (one_of, range, regex, any)."""
    if isinstance(matcher, dict):
        return matcher["exact"] if set(matcher) == {"exact"} else _NOT_EXACT
    return matcher


def is_exact(matcher: Any) -> bool:
    return exact_value(matcher) is not _NOT_EXACT


def _normal_text(text: str) -> str:
    return _WS.sub(" ", text).strip().lower()


class _Builder:
    def __init__(
        self,
        tool_schemas: list[dict[str, Any]],
        out_dir: Path,
        media_root: Path | None,
        system_prompt: str,
    ) -> None:
        self.tools = tool_schemas
        self.schemas = {s["function"]["name"]: s["function"] for s in tool_schemas}
        self.out_dir = out_dir
        self.media_root = media_root
        self.system_prompt = system_prompt
        self.image_cache: dict[Path, str] = {}

    def image(self, ref: Any, base: Path) -> str:
        if isinstance(ref, dict) and ref.get("product_id"):
            rel = Path("media") / "products" / f"{ref['product_id']}.png"
        elif isinstance(ref, dict | str):
            rel = Path((ref.get("path") or "") if isinstance(ref, dict) else ref)
        else:
            raise _Cut("missing_image")
        roots = [r for r in (self.media_root, base) if r is not None]
        candidates = [rel] if rel.is_absolute() else [r / rel for r in roots]
        src = next((p for p in candidates if p.is_file()), None)
        if src is None:
            raise _Cut("missing_image")
        if src not in self.image_cache:
            digest = hashlib.sha256(src.read_bytes()).hexdigest()[:32]
            name = f"images/{digest}{src.suffix.lower() or '.img'}"
            dest = self.out_dir / name
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
            self.image_cache[src] = name
        return self.image_cache[src]

    def call(self, name: Any, args: Any, n: int) -> dict[str, Any]:
        if not isinstance(name, str) or name not in self.schemas:
            raise _Cut("unknown_tool")
        if isinstance(args, str):
            try:
                args = json.loads(args or "{}")
            except json.JSONDecodeError:
                raise _Cut("invalid_arguments") from None
        if not isinstance(args, dict):
            raise _Cut("invalid_arguments")
        required = self.schemas[name].get("parameters", {}).get("required", [])
        if any(r not in args for r in required):
            raise _Cut("missing_required_argument")
        return {
            "id": f"call_{n}",
            "type": "function",
            "function": {"name": name, "arguments": args},
        }

    @staticmethod
    def tool_message(call: dict[str, Any], result: Any) -> dict[str, Any]:
        content = result if isinstance(result, str) else json.dumps(result)
        return {
            "role": "tool",
            "tool_call_id": call["id"],
            "name": call["function"]["name"],
            "content": content,
        }

    def from_trace(
        self, trace: dict[str, Any], pending: list[dict[str, Any]], ncalls: int
    ) -> list[dict[str, Any]]:
        """A recorded turn: results answer pending calls first, then this turn's calls, each
        call its own step (the trace does not keep step boundaries; one call per step is
        always a valid order). Calls left unanswered stay in ``pending``."""
        results = list(trace.get("tool_results") or [])
        out: list[dict[str, Any]] = []
        while pending and results:
            out.append(self.tool_message(pending.pop(0), results.pop(0)))
        for raw in trace.get("tool_calls") or []:
            if pending:  # a new call while an earlier one is unanswered: order unknown
                raise _Cut("unanswered_tool_call")
            call = self.call(raw.get("name"), raw.get("arguments", raw.get("args")), ncalls)
            ncalls += 1
            out.append({"role": "assistant", "content": None, "tool_calls": [call]})
            if results:
                out.append(self.tool_message(call, results.pop(0)))
            else:
                pending.append(call)
        reply = trace.get("reply")
        if isinstance(reply, str) and reply.strip():
            out.append({"role": "assistant", "content": reply.strip()})
        return out

    def from_expect(self, expect: dict[str, Any], ncalls: int) -> list[dict[str, Any]]:
        expected = expect.get("tool_calls")
        if not expected:  # None: no expectation; []: "no call", but the reply is unknown
            raise _Cut("no_concrete_target")
        calls = []
        for i, c in enumerate(expected):
            args: dict[str, Any] = {}
            for key, matcher in (c.get("arguments", c.get("args")) or {}).items():
                value = exact_value(matcher)
                if value is _NOT_EXACT:
                    raise _Cut("fuzzy_matcher")
                *path, last = key.split(".")
                node = args
                for part in path:
                    node = node.setdefault(part, {})
                node[last] = value
            name = c.get("name")
            params = (
                self.schemas.get(name, {}).get("parameters", {}) if isinstance(name, str) else {}
            )
            if not args and params.get("properties"):
                # No matcher means "any arguments", not "no arguments".
                raise _Cut("unpinned_arguments")
            calls.append(self.call(name, args, ncalls + i))
        return [{"role": "assistant", "content": None, "tool_calls": calls}]

    def turns(self, obj: dict[str, Any], file: Path) -> tuple[list[_TurnOut], str, str]:
        """(turns that became messages, source kind, reason for stopping early or "")."""
        outs: list[_TurnOut] = []
        pending: list[dict[str, Any]] = []
        source, ncalls = "replay", 0
        for turn in obj.get("turns") or []:
            trace = turn.get("trace")
            expect = turn.get("expect") or {}
            user: dict[str, Any] | None
            try:
                if turn.get("confirm") is not None:
                    if not isinstance(trace, dict):
                        continue  # a replay's confirm: nothing the model says
                    user, text, image = None, "", None
                else:
                    if pending:
                        raise _Cut("unanswered_tool_call")
                    text = str(turn.get("user") or "").strip()
                    image = self.image(turn["image"], file.parent) if turn.get("image") else None
                    if not text and image is None:
                        raise _Cut("no_user_text")
                    content: Any = text
                    if image is not None:
                        photo_id = _photo_id(turn["image"])
                        content = [
                            {"type": "text", "text": current_photo_text(text, photo_id)},
                            {"type": "image", "image": image},
                        ]
                    user = {"role": "user", "content": content}
                if isinstance(trace, dict):
                    source = "session"
                    produced = self.from_trace(trace, pending, ncalls)
                else:
                    produced = self.from_expect(expect, ncalls)
            except _Cut as cut:
                return outs, source, cut.reason
            if not any(m["role"] == "assistant" for m in produced) and user is not None:
                return outs, source, "no_assistant_output"
            ncalls += sum(len(m.get("tool_calls") or []) for m in produced)
            outs.append(_TurnOut(user, text, image, produced, str(turn.get("intent") or "unknown")))
        return outs, source, ""

    def examples(
        self, cid: str, source: str, outs: list[_TurnOut], catalog: Any
    ) -> list[dict[str, Any]]:
        """Split after image turns that more user turns follow (see the module docstring)."""
        segments: list[tuple[int, int]] = []
        start = 0
        for k in range(1, len(outs)):
            if outs[k].user is not None and any(o.image for o in outs[start:k]):
                segments.append((start, k))
                start = k
        segments.append((start, len(outs)))
        examples = []
        for i, (s, e) in enumerate(segments):
            messages: list[dict[str, Any]] = [{"role": "system", "content": self.system_prompt}]
            for o in outs[:s]:
                if o.user is not None:
                    content = f"{o.text} {EARLIER_PHOTO}".strip() if o.image else o.text
                    messages.append({"role": "user", "content": content})
                messages += o.produced
            train_from = len(messages)
            for o in outs[s:e]:
                messages += [o.user] if o.user is not None else []
                messages += o.produced
            examples.append(
                {
                    "id": cid if i == 0 else f"{cid}#{i}",
                    "conversation_id": cid,
                    "source": source,
                    "catalog": catalog,
                    "intents": [o.intent for o in outs[s:e] if o.user],
                    "tools": self.tools,
                    "messages": messages,
                    "train_from": train_from,
                }
            )
        return examples


def dedupe_key(example: dict[str, Any]) -> str:
    """Content identity: user text normalised for case and spacing, images by content,
    targets exactly; ids and tool-call ids do not count."""
    parts = []
    for m in example["messages"][1:]:
        content = m.get("content")
        if m["role"] == "user":
            if isinstance(content, list):
                content = [p.get("image") or _normal_text(p.get("text", "")) for p in content]
            else:
                content = _normal_text(content)
        calls = [
            (c["function"]["name"], c["function"]["arguments"]) for c in m.get("tool_calls") or []
        ]
        parts.append([m["role"], content, calls])
    blob = json.dumps([example["train_from"], parts], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def convert(
    sessions: Iterable[Path],
    replays: Iterable[Path],
    tool_schemas: list[dict[str, Any]],
    out_dir: Path,
    *,
    media_root: Path | None = None,
    system_prompt: str = SYSTEM_PROMPT,
) -> Conversion:
    """Read sessions first, then replays: where both hold a conversation (same id or same
    content), the session's real outputs win over the replay's expectations."""
    if not tool_schemas:
        raise InvalidInput("no tool schemas: SFT examples must carry the tools the agent offers")
    builder = _Builder(tool_schemas, out_dir, media_root, system_prompt)
    result = Conversion()
    seen_ids: set[str] = set()
    seen_keys: set[str] = set()
    for kind, paths in (("session", sessions), ("replay", replays)):
        for file, line, obj in iter_jsonl(paths):
            result.read[kind] += 1
            if obj.get("format") != FORMAT and obj.get("version") != 1:
                result.skipped["unsupported_format"] += 1
                continue
            cid = str(obj.get("id") or f"{file.name}:{line}")
            if cid in seen_ids:
                result.duplicates += 1
                continue
            outs, source, reason = builder.turns(obj, file)
            if not outs:
                result.skipped[reason or "no_turns"] += 1
                continue
            if reason:
                result.cut[reason] += 1
            seen_ids.add(cid)
            examples = builder.examples(cid, source, outs, obj.get("catalog"))
            keys = [dedupe_key(e) for e in examples]
            if all(k in seen_keys for k in keys):
                result.duplicates += 1
                continue
            seen_keys.update(keys)
            result.examples += examples
    return result


def split_by_conversation(
    examples: list[dict[str, Any]], eval_fraction: float, seed: int = 0
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Train/eval split on conversation ids, by a salted hash: no conversation is on both
    sides, and a conversation keeps its side when more data is added."""
    if not 0 <= eval_fraction < 1:
        raise InvalidInput("eval_fraction must be in [0, 1)")
    ids = sorted(
        {e.get("conversation_id", e["id"]) for e in examples},
        key=lambda c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest(),
    )
    n_eval = round(eval_fraction * len(ids))
    if eval_fraction > 0 and len(ids) >= 2:
        n_eval = max(1, n_eval)
    eval_ids = set(ids[:n_eval])
    evals = [e for e in examples if e.get("conversation_id", e["id"]) in eval_ids]
    return [e for e in examples if e.get("conversation_id", e["id"]) not in eval_ids], evals
