"""Live sessions -> replay conversations (``shopagent sessions export``).

Each exported turn carries a ``trace`` (the tool calls, tool results, reply and tier that
answered it) so the SFT builder in training/ can learn from real traffic, and, with
``pin=True``, expectations pinned to what happened (tool names and tier) so the export
doubles as a regression replay set.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from typing import Any

from shopagent.evals._format import (
    AnyValue,
    CatalogRef,
    Conversation,
    Expectations,
    ImageRef,
    ToolCallExpectation,
    ToolCallTrace,
    Turn,
    TurnTrace,
)


def _get(item: Any, key: str, default: Any = None) -> Any:
    if isinstance(item, dict):
        return item.get(key, default)
    return getattr(item, key, default)


def history_to_conversation(
    history: Iterable[Any],
    *,
    conversation_id: str,
    user_id: str,
    catalog: CatalogRef | None = None,
    pin: bool = False,
    image_path: Any = None,
) -> Conversation | None:
    """Fold a session's history (``agent.events.HistoryItem``-shaped items, in order) into a
    conversation. A user item starts a turn; assistant and tool items fill its trace. An
    item with ``confirm`` set (true/false) is a confirmation answer turn."""
    turns: list[Turn] = []
    for item in history:
        role = _get(item, "role")
        confirm = _get(item, "confirm")
        if role == "user":
            image_id = _get(item, "image_id")
            image = None
            if image_id:
                path = image_path(image_id) if image_path else f"media/uploads/{image_id}"
                image = ImageRef(path=str(path))
            text = _get(item, "text") or None
            if confirm is not None:
                turns.append(Turn(confirm=bool(confirm), trace=TurnTrace()))
            elif text or image:
                turns.append(Turn(user=text, image=image, trace=TurnTrace()))
            continue
        if not turns or turns[-1].trace is None:
            continue  # assistant output before any user turn (a greeting): nothing to replay
        tr = turns[-1].trace
        if role == "assistant":
            for tc in _get(item, "tool_calls") or []:
                tr.tool_calls.append(
                    ToolCallTrace(name=_get(tc, "name"), arguments=_get(tc, "arguments") or {})
                )
            text = _get(item, "text") or ""
            if text:
                tr.reply = (tr.reply + "\n" + text).strip()
            tr.products.extend(str(_get(p, "id")) for p in _get(item, "products") or [])
            tr.tier = _get(item, "tier") or tr.tier
        elif role == "tool":
            content = _get(item, "content", None)
            tr.tool_results.append(content if content is not None else _get(item, "text"))
    if not turns:
        return None
    if pin:
        for t in turns:
            assert t.trace is not None
            t.expect = Expectations(
                tool_calls=[
                    ToolCallExpectation(
                        name=c.name, arguments={k: AnyValue(any=True) for k in c.arguments}
                    )
                    for c in t.trace.tool_calls
                ],
                tier=t.trace.tier if t.trace.tier in ("embedded", "local", "frontier") else None,  # type: ignore[arg-type]
            )
    return Conversation(
        id=conversation_id,
        user_id=user_id,
        catalog=catalog or CatalogRef(),
        tags=["export"],
        turns=turns,
    )


async def _call(v: Any) -> Any:
    return await v if inspect.isawaitable(v) else v


async def export_sessions(
    svc: Any, user_ids: Iterable[str], *, pin: bool = False, catalog: CatalogRef | None = None
) -> list[Conversation]:
    """Every session of ``user_ids`` as a conversation (sessions with no user turn are
    skipped). ``svc`` is the agent service: ``sessions.list_sessions`` and
    ``history(user_id=, session_id=)``."""
    out: list[Conversation] = []
    store_path = getattr(getattr(svc, "images", None), "path", None)
    data_dir = getattr(getattr(svc, "settings", None), "data_dir", None)

    def image_path(image_id: str) -> str:
        # Uploaded images live in the data dir; the format stores paths relative to it.
        if store_path is None:
            return f"media/uploads/{image_id}"
        p = store_path(image_id)
        try:
            return str(p.relative_to(data_dir)) if data_dir is not None else str(p)
        except ValueError:
            return str(p)

    history_fn = getattr(svc, "history", None) or svc.get_history
    for user_id in user_ids:
        for info in await _call(svc.sessions.list_sessions(user_id)):
            try:  # the real service adds tool calls and results when asked
                history = await _call(
                    history_fn(user_id=user_id, session_id=info.session_id, include_tools=True)
                )
            except TypeError:
                history = await _call(history_fn(user_id=user_id, session_id=info.session_id))
            cid = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{user_id}-{info.session_id}")
            conv = history_to_conversation(
                history,
                conversation_id=cid,
                user_id=user_id,
                catalog=catalog,
                pin=pin,
                image_path=image_path,
            )
            if conv is not None:
                out.append(conv)
    return out
