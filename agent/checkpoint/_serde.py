"""A checkpoint serializer that decodes and encodes each history message once, not on
every turn.

A checkpoint holds the thread's whole message history, and every turn reads it (to start)
and writes it (at the end) whole: with LangGraph's serializer each message is rebuilt
from its bytes on every read (a pydantic validation) and dumped again on every write
(``model_dump``), although only the turn's few new messages changed. This serializer keeps
the messages it decoded, by their bytes, for a while (a bounded LRU): reading a message
again returns the same object, and writing that object again reuses the bytes it was
read from. The bytes written are exactly LangGraph's (a test compares them), so the
checkpoints are the same rows as before and any saver can read them.

Safe because nothing changes a message once it is in the history: LangGraph's
``add_messages`` replaces a message by id and never edits one, and the agent only appends.
A decoded message is therefore shared by the reads that return it; read it, never change
it. Uses two private names of ``langgraph.checkpoint.serde.jsonplus`` (the message codec
and the msgpack options), pinned with LangGraph in the lockfile.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import ormsgpack
from langchain_core.messages import BaseMessage
from langgraph.checkpoint.serde import jsonplus
from langgraph.checkpoint.serde.jsonplus import EXT_PYDANTIC_V2, JsonPlusSerializer

# The histories of the sessions active at once (a session adds about four messages a turn;
# 20 conversations of 12 turns hold ~1,000). Beyond that the least recently read are decoded
# again when read. Memory: ~5 KB a message with its bytes (measured on the embedded replay's
# 4,697 histories), so ~11 MB at most.
MEMO_MESSAGES = 2048


class HistorySerializer(JsonPlusSerializer):
    """LangGraph's serializer with decoded messages remembered (see the module)."""

    def __init__(self, *, size: int = MEMO_MESSAGES, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._size = size
        self._lock = threading.Lock()
        # message bytes -> the message decoded from them (LRU order)
        self._decoded: OrderedDict[bytes, BaseMessage] = OrderedDict()
        # id(message) -> (a weak reference to it, its bytes), for messages decoded here
        self._bytes: dict[int, tuple[weakref.ref[BaseMessage], bytes]] = {}
        self._unpack_ext_hook = self._remembering(self._unpack_ext_hook)

    def with_msgpack_allowlist(
        self, extra_allowlist: Iterable[tuple[str, ...] | type]
    ) -> JsonPlusSerializer:
        # LangGraph's copy gets a fresh decoding hook for the wider allowlist: wrap that one
        # too (the copy shares the memo), so a strict-allowlist setup keeps remembering.
        clone = super().with_msgpack_allowlist(extra_allowlist)
        if clone is not self and isinstance(clone, HistorySerializer):
            clone._unpack_ext_hook = clone._remembering(clone._unpack_ext_hook)
        return clone

    def _remembering(self, decode: Callable[[int, bytes], Any]) -> Callable[[int, bytes], Any]:
        def hook(code: int, data: bytes) -> Any:
            if code != EXT_PYDANTIC_V2:
                return decode(code, data)
            with self._lock:
                known = self._decoded.get(data)
                if known is not None:
                    self._decoded.move_to_end(data)
                    return known
            obj = decode(code, data)
            if isinstance(obj, BaseMessage):
                self._remember(obj, data)
            return obj

        return hook

    def _remember(self, message: BaseMessage, data: bytes) -> None:
        key = id(message)

        def forget(_: object, key: int = key) -> None:
            self._bytes.pop(key, None)

        with self._lock:
            self._decoded[data] = message
            self._bytes[key] = (weakref.ref(message, forget), data)
            while len(self._decoded) > self._size:
                self._decoded.popitem(last=False)

    def _default(self, obj: Any) -> Any:
        if isinstance(obj, BaseMessage):
            known = self._bytes.get(id(obj))
            if known is not None and known[0]() is obj:
                return ormsgpack.Ext(EXT_PYDANTIC_V2, known[1])
        return jsonplus._msgpack_default(obj)

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        if obj is None or isinstance(obj, (bytes, bytearray)):
            return super().dumps_typed(obj)
        try:
            return "msgpack", ormsgpack.packb(obj, default=self._default, option=jsonplus._option)
        except ormsgpack.MsgpackEncodeError:
            return super().dumps_typed(obj)  # the stock path: its pickle fallback or error
