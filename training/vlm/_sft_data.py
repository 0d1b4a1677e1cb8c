"""SFT examples from recorded conversations, in the chat format the agent uses at run time.

Input: JSONL files of the replay format (``evals``), one conversation per line::

    {"version": 1, "id": "c1", "catalog": "demo",
     "turns": [{"user": "red sneakers under 80", "image": "img/shoe.jpg" | null,
                "intent": "search"?,                       # optional, for the data card
                "expect": {"tool_calls": [{"name": ..., "args": {...matchers...}}], ...},
                "trace": {"tool_calls": [{"name": ..., "arguments": {...} | "json"}],
                          "tool_results": [...], "reply": "..."}}]}   # sessions export only

Fields read, per turn: ``user``, ``image``, ``intent`` (or ``expect.intent``/``trace.intent``),
``trace`` when present (exported sessions: the real assistant tool calls, their results and
the reply), else ``expect.tool_calls`` (replays: expectations, usable only where every argument
matcher is an exact value). ``trace.steps`` (a list of ``{"tool_calls", "tool_results"}``), if
present, keeps sequential tool steps apart; without it a turn's calls form one step.

Output, one example per conversation: ``{"id", "source", "intents", "tools", "messages"}`` with
the agent's system prompt and tool schemas, user images as ``{"type": "image", "image":
"images/<sha256>.<ext>"}`` parts (copied next to the data, so the folder is self-contained),
assistant turns as ``tool_calls`` or grounded replies and tool results as ``tool`` messages.
A conversation is cut at the first turn that cannot become a concrete target (a fuzzy
matcher, an unknown tool, a missing image): with causal attention every assistant turn of an
example is trained on exactly the history it had, so one example per conversation is the
per-step data without the repetition.
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

from agent.prompts import SYSTEM_PROMPT
from shopagent.errors import InvalidInput

SUPPORTED_VERSIONS = {1}
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


def is_exact(value: Any) -> bool:
    """Whether an argument matcher is a plain value (usable as a target).

    Matchers are objects whose keys start with ``$`` (``{"$contains": "red"}``,
    ``{"$any": true}``); anything else is the exact value the call must carry.
    """
    if isinstance(value, dict):
        return not any(str(k).startswith("$") for k in value) and all(
            is_exact(v) for v in value.values())
    if isinstance(value, list):
        return all(is_exact(v) for v in value)
    return True


def _normal_text(text: str) -> str:
    return _WS.sub(" ", text).strip().lower()


class _Builder:
    def __init__(self, tool_schemas: list[dict[str, Any]], out_dir: Path,
                 images_dir: Path | None, system_prompt: str) -> None:
        self.tools = tool_schemas
        self.schemas = {s["function"]["name"]: s["function"] for s in tool_schemas}
        self.out_dir = out_dir
        self.images_dir = images_dir
        self.system_prompt = system_prompt
        self.image_cache: dict[Path, str] = {}

    # --- pieces -------------------------------------------------------------------------------
    def image(self, ref: str, base: Path) -> str:
        candidates = [Path(ref)] if Path(ref).is_absolute() else [base / ref]
        if self.images_dir is not None:
            candidates.append(self.images_dir / ref)
        src = next((p for p in candidates if p.is_file()), None)
        if src is None:
            raise _Cut("missing_image")
        if src not in self.image_cache:
            digest = hashlib.sha256(src.read_bytes()).hexdigest()[:32]
            rel = f"images/{digest}{src.suffix.lower() or '.img'}"
            dest = self.out_dir / rel
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
            self.image_cache[src] = rel
        return self.image_cache[src]

    def call(self, name: Any, args: Any, n: int) -> dict[str, Any]:
        if not isinstance(name, str) or name not in self.schemas:
            raise _Cut("unknown_tool")
        if isinstance(args, str):
            try:
                args = json.loads(args or "{}")
            except json.JSONDecodeError:
                raise _Cut("invalid_arguments") from None
        args = args or {}
        if not isinstance(args, dict):
            raise _Cut("invalid_arguments")
        required = self.schemas[name].get("parameters", {}).get("required", [])
        if any(r not in args for r in required):
            raise _Cut("missing_required_argument")
        return {"id": f"call_{n}", "type": "function",
                "function": {"name": name, "arguments": args}}

    @staticmethod
    def tool_content(result: Any) -> str:
        if isinstance(result, dict) and set(result) <= {"name", "content", "tool_call_id"} \
                and "content" in result:
            result = result["content"]
        return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)

    # --- turns --------------------------------------------------------------------------------
    def user_message(self, turn: dict[str, Any], base: Path) -> dict[str, Any]:
        text = turn.get("user")
        if not isinstance(text, str) or not text.strip():
            raise _Cut("no_user_text")
        if turn.get("image"):
            return {"role": "user", "content": [
                {"type": "image", "image": self.image(str(turn["image"]), base)},
                {"type": "text", "text": text}]}
        return {"role": "user", "content": text}

    def from_trace(self, trace: dict[str, Any], ncalls: int) -> tuple[list[dict[str, Any]], bool]:
        """Messages of a recorded turn, and whether the conversation may go on after it."""
        steps = trace.get("steps")
        if steps is None:
            steps = [{"tool_calls": trace.get("tool_calls") or [],
                      "tool_results": trace.get("tool_results") or []}]
        messages: list[dict[str, Any]] = []
        for step in steps:
            raw_calls = step.get("tool_calls") or []
            if not raw_calls:
                continue
            calls = []
            for c in raw_calls:
                calls.append(self.call(c.get("name"), c.get("arguments", c.get("args")), ncalls))
                ncalls += 1
            messages.append({"role": "assistant", "content": None, "tool_calls": calls})
            results = step.get("tool_results") or []
            if len(results) < len(calls):
                # A call without its result (e.g. a write never confirmed): the call itself is
                # a fine target, but nothing after it can be trusted.
                return messages, False
            for c, r in zip(calls, results, strict=False):
                messages.append({"role": "tool", "tool_call_id": c["id"],
                                 "name": c["function"]["name"], "content": self.tool_content(r)})
        reply = trace.get("reply")
        if isinstance(reply, str) and reply.strip():
            messages.append({"role": "assistant", "content": reply})
        if not messages or messages[-1]["role"] != "assistant":
            raise _Cut("no_reply")
        return messages, True

    def from_expect(self, expect: dict[str, Any], ncalls: int) -> list[dict[str, Any]]:
        expected = expect.get("tool_calls")
        if not expected:
            raise _Cut("no_concrete_target")
        calls = []
        for i, c in enumerate(expected):
            args = c.get("args", c.get("arguments")) or {}
            if not is_exact(args):
                raise _Cut("fuzzy_matcher")
            calls.append(self.call(c.get("name"), args, ncalls + i))
        return [{"role": "assistant", "content": None, "tool_calls": calls}]

    def conversation(self, obj: dict[str, Any], file: Path,
                     line: int) -> tuple[dict[str, Any] | None, str]:
        """(example or None, reason it was cut or dropped; "" when complete)."""
        if obj.get("version") not in SUPPORTED_VERSIONS:
            return None, "unsupported_version"
        turns = obj.get("turns")
        if not isinstance(turns, list) or not turns:
            return None, "no_turns"
        messages: list[dict[str, Any]] = [{"role": "system", "content": self.system_prompt}]
        intents: list[str] = []
        source, reason = "replay", ""
        for turn in turns:
            trace = turn.get("trace")
            expect = turn.get("expect") or {}
            ncalls = sum(len(m.get("tool_calls") or []) for m in messages)
            try:
                user = self.user_message(turn, file.parent)
                if isinstance(trace, dict):
                    source = "session"
                    produced, goes_on = self.from_trace(trace, ncalls)
                else:
                    produced, goes_on = self.from_expect(expect, ncalls), True
            except _Cut as cut:
                reason = cut.reason
                break
            messages += [user, *produced]
            intents.append(str(turn.get("intent") or expect.get("intent")
                               or (trace or {}).get("intent") or "unknown"))
            if not goes_on:
                reason = "unanswered_tool_call" if turn is not turns[-1] else ""
                break
        if not intents:
            return None, reason or "empty"
        example = {"id": str(obj.get("id") or f"{file.name}:{line}"), "source": source,
                   "catalog": obj.get("catalog"), "intents": intents, "tools": self.tools,
                   "messages": messages}
        return example, reason


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
        calls = [(c["function"]["name"], c["function"]["arguments"])
                 for c in m.get("tool_calls") or []]
        parts.append([m["role"], content, calls])
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def convert(sessions: Iterable[Path], replays: Iterable[Path], tool_schemas: list[dict[str, Any]],
            out_dir: Path, *, images_dir: Path | None = None,
            system_prompt: str = SYSTEM_PROMPT) -> Conversion:
    """Read sessions first, then replays: where both hold a conversation (same id or same
    content), the session's real outputs win over the replay's expectations."""
    if not tool_schemas:
        raise InvalidInput("no tool schemas: SFT examples must carry the tools the agent offers")
    builder = _Builder(tool_schemas, out_dir, images_dir, system_prompt)
    result = Conversion()
    seen_ids: set[str] = set()
    seen_keys: set[str] = set()
    for kind, paths in (("session", sessions), ("replay", replays)):
        for file, line, obj in iter_jsonl(paths):
            result.read[kind] += 1
            example, reason = builder.conversation(obj, file, line)
            if example is None:
                result.skipped[reason] += 1
                continue
            if reason:
                result.cut[reason] += 1
            key = dedupe_key(example)
            if example["id"] in seen_ids or key in seen_keys:
                result.duplicates += 1
                continue
            seen_ids.add(example["id"])
            seen_keys.add(key)
            result.examples.append(example)
    return result


def split_by_conversation(examples: list[dict[str, Any]], eval_fraction: float,
                          seed: int = 0) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Train/eval split on conversation ids, by a salted hash: no conversation is on both
    sides, and a conversation keeps its side when more data is added."""
    if not 0 <= eval_fraction < 1:
        raise InvalidInput("eval_fraction must be in [0, 1)")

    def rank(e: dict[str, Any]) -> str:
        return hashlib.sha256(f"{seed}:{e['id']}".encode()).hexdigest()

    ordered = sorted(examples, key=rank)
    n_eval = round(eval_fraction * len(ordered))
    if eval_fraction > 0 and len(ordered) >= 2:
        n_eval = max(1, n_eval)
    eval_ids = {e["id"] for e in ordered[:n_eval]}
    train = [e for e in examples if e["id"] not in eval_ids]
    return train, [e for e in examples if e["id"] in eval_ids]
