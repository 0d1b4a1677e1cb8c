"""Key layout and value framing of the Redis checkpointer.

Every key of one thread carries the hash tag ``{<thread_id>}`` so a thread lives in one
cluster slot: multi-key commands on a thread (DEL of all its keys) work on Redis Cluster
and one node serves a whole turn. Per thread (``T`` = ``<prefix>:{<thread_id>}``)::

    T:ns              SET   checkpoint namespaces used by the thread
    T:runs            SET   run ids seen on the thread (to unlink the run index on delete)
    T:idx:<ns>        ZSET  checkpoint ids, all score 0, so lex order = uuid6 time order
    T:cp:<ns>         HASH  checkpoint id -> record (checkpoint sans values, metadata, parent)
    T:bl:<ns>         HASH  "<channel>\\0<version>" -> typed blob (shared across checkpoints)
    T:wi:<ns>         ZSET  "<checkpoint_id>\\0<task_id>\\0<idx>" (lex range = one checkpoint)
    T:wv:<ns>         HASH  same field -> packed pending write

and one global index ``<prefix>:run:{<run_id>}`` (SET of thread ids) for delete_for_runs.
A thread has a fixed number of keys per namespace (no key per checkpoint), which keeps TTL
refreshes O(namespaces) and lets delete_thread find every key without SCAN.
"""

from __future__ import annotations

import re
from typing import Any

import ormsgpack

from shopagent.redis import tag_safe

# An empty thread id would give the tag "{}", which Redis ignores (the whole key is then
# hashed and the thread's keys scatter across slots). "%E" cannot come out of _esc.
_EMPTY = "%E"
_UNESC = re.compile(r"%(25|7B|7D)")
_UNESC_MAP = {"25": "%", "7B": "{", "7D": "}"}


def esc(value: str) -> str:
    """Make ``value`` safe inside a hash tag: a ``}`` would end the tag early."""
    if not value:
        return _EMPTY
    return tag_safe(value)


def unesc(value: str) -> str:
    if value == _EMPTY:
        return ""
    return _UNESC.sub(lambda m: _UNESC_MAP[m.group(1)], value)


class ThreadKeys:
    __slots__ = ("tag", "ns_set", "runs")

    def __init__(self, prefix: str, thread_id: str) -> None:
        self.tag = f"{prefix}:{{{esc(thread_id)}}}"
        self.ns_set = f"{self.tag}:ns"
        self.runs = f"{self.tag}:runs"

    def idx(self, ns: str) -> str:
        return f"{self.tag}:idx:{ns}"

    def cp(self, ns: str) -> str:
        return f"{self.tag}:cp:{ns}"

    def bl(self, ns: str) -> str:
        return f"{self.tag}:bl:{ns}"

    def wi(self, ns: str) -> str:
        return f"{self.tag}:wi:{ns}"

    def wv(self, ns: str) -> str:
        return f"{self.tag}:wv:{ns}"

    def ns_keys(self, ns: str) -> list[str]:
        return [self.idx(ns), self.cp(ns), self.bl(ns), self.wi(ns), self.wv(ns)]


def run_key(prefix: str, run_id: str) -> str:
    return f"{prefix}:run:{{{esc(run_id)}}}"


def thread_of_ns_key(prefix: str, key: str) -> str | None:
    """Thread id of a ``T:ns`` key found by SCAN, or None for any other key."""
    head = f"{prefix}:{{"
    if not key.startswith(head):
        return None
    end = key.find("}", len(head))
    if end < 0 or key[end + 1 :] != ":ns":
        return None
    return unesc(key[len(head) : end])


def blob_field(channel: str, version: Any) -> str:
    return f"{channel}\0{version}"


def write_field(checkpoint_id: str, task_id: str, idx: int) -> str:
    return f"{checkpoint_id}\0{task_id}\0{idx}"


def pack(*parts: Any) -> bytes:
    return ormsgpack.packb(parts)


def unpack(data: bytes) -> list[Any]:
    parts: list[Any] = ormsgpack.unpackb(data)
    return parts
