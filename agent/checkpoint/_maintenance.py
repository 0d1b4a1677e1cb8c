"""Maintenance plans of the Redis checkpointer: delete, prune, delete_for_runs, copy.

None of these is on a turn's hot path; they read a thread's index and records, then send
one batch of deletes or writes. Key layout: ``_layout``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langgraph.checkpoint.serde.base import SerializerProtocol

from shopagent.agent.checkpoint._driver import Cmd, Plan, _s
from shopagent.agent.checkpoint._layout import ThreadKeys, blob_field, run_key, unpack


class MaintenancePlans:
    """Mixin for the saver: needs ``prefix``, ``ttl_s`` and ``serde``."""

    prefix: str
    ttl_s: int
    serde: SerializerProtocol

    def _keys(self, thread_id: str) -> ThreadKeys:
        return ThreadKeys(self.prefix, str(thread_id))

    def _ttl_cmds(self, keys: ThreadKeys, namespaces: Any) -> list[Cmd]:
        cmds: list[Cmd] = [("EXPIRE", keys.ns_set, self.ttl_s), ("EXPIRE", keys.runs, self.ttl_s)]
        for ns in namespaces:
            cmds += [("EXPIRE", key, self.ttl_s) for key in keys.ns_keys(_s(ns))]
        return cmds

    def _delete_thread_plan(self, thread_id: str) -> Plan:
        keys = self._keys(thread_id)
        namespaces, runs = yield [("SMEMBERS", keys.ns_set), ("SMEMBERS", keys.runs)]
        doomed = [keys.ns_set, keys.runs]
        for ns in namespaces:
            doomed += keys.ns_keys(_s(ns))
        # One DEL is fine on Cluster: all of a thread's keys share its hash tag.
        cmds: list[Cmd] = [("DEL", *doomed)]
        cmds += [("SREM", run_key(self.prefix, _s(r)), str(thread_id)) for r in runs]
        yield cmds

    def _rewrite_plan(self, thread_id: str, keep_latest: bool, drop_runs: set[str]) -> Plan:
        """Drop checkpoints (latest-per-namespace kept, or those of ``drop_runs``) with their
        writes, and blobs no surviving checkpoint references."""
        keys = self._keys(thread_id)
        (namespaces,) = yield [("SMEMBERS", keys.ns_set)]
        nss = [_s(n) for n in namespaces]
        cmds: list[Cmd] = []
        for ns in nss:
            cmds += [
                ("HGETALL", keys.cp(ns)),
                ("ZRANGE", keys.wi(ns), 0, -1),
                ("HKEYS", keys.bl(ns)),
            ]
        reply = yield cmds
        cmds = []
        for i, ns in enumerate(nss):
            records, write_fields, blob_fields = reply[3 * i : 3 * i + 3]
            records = {_s(k): v for k, v in records.items()}
            latest = max(records, default=None)
            kept: dict[str, dict[str, Any]] = {}
            for cid, raw in records.items():
                cp_type, cp_bytes, md_type, md_bytes, _parent = unpack(raw)
                if keep_latest:
                    keep = cid == latest
                else:
                    md = self.serde.loads_typed((md_type, md_bytes))
                    keep = str(md.get("run_id")) not in drop_runs
                if keep:
                    kept[cid] = self.serde.loads_typed((cp_type, cp_bytes))
            if not kept:
                cmds += [("DEL", *keys.ns_keys(ns)), ("SREM", keys.ns_set, ns)]
                continue
            gone = [cid for cid in records if cid not in kept]
            if gone:
                cmds += [("ZREM", keys.idx(ns), *gone), ("HDEL", keys.cp(ns), *gone)]
            stale_writes = [f for f in write_fields if _s(f).split("\0", 1)[0] not in kept]
            if stale_writes:
                cmds += [("ZREM", keys.wi(ns), *stale_writes), ("HDEL", keys.wv(ns), *stale_writes)]
            live = {
                blob_field(c, v) for cp in kept.values() for c, v in cp["channel_versions"].items()
            }
            stale_blobs = [f for f in blob_fields if _s(f) not in live]
            if stale_blobs:
                cmds.append(("HDEL", keys.bl(ns), *stale_blobs))
        if drop_runs:
            cmds.append(("SREM", keys.runs, *drop_runs))
        yield cmds

    def _delete_for_runs_plan(self, run_ids: Sequence[str]) -> Plan:
        runs = {str(r) for r in run_ids}
        if not runs:
            return
        ordered = sorted(runs)
        reply = yield [("SMEMBERS", run_key(self.prefix, r)) for r in ordered]
        threads = sorted({_s(t) for members in reply for t in members})
        for thread_id in threads:
            yield from self._rewrite_plan(thread_id, keep_latest=False, drop_runs=runs)
        # Separate DELs: the run keys live in different cluster slots.
        yield [("DEL", run_key(self.prefix, r)) for r in ordered]

    def _prune_plan(self, thread_ids: Sequence[str], strategy: str) -> Plan:
        if strategy not in ("keep_latest", "delete"):
            raise ValueError(f"unknown prune strategy {strategy!r}")
        for thread_id in thread_ids:
            if strategy == "delete":
                yield from self._delete_thread_plan(thread_id)
            else:
                yield from self._rewrite_plan(str(thread_id), keep_latest=True, drop_runs=set())

    def _copy_thread_plan(self, source: str, target: str) -> Plan:
        src, dst = self._keys(source), self._keys(target)
        namespaces, runs = yield [("SMEMBERS", src.ns_set), ("SMEMBERS", src.runs)]
        nss = [_s(n) for n in namespaces]
        if not nss:
            return
        cmds: list[Cmd] = []
        for ns in nss:
            cmds += [
                ("ZRANGE", src.idx(ns), 0, -1),
                ("HGETALL", src.cp(ns)),
                ("HGETALL", src.bl(ns)),
                ("ZRANGE", src.wi(ns), 0, -1),
                ("HGETALL", src.wv(ns)),
            ]
        reply = yield cmds
        # Records hold no thread id, so they copy verbatim; namespaces are registered first
        # and indexes written last, as in put.
        out: list[Cmd] = [("SADD", dst.ns_set, *nss)]
        indexes: list[Cmd] = []
        for i, ns in enumerate(nss):
            ids, records, blobs, write_fields, write_values = reply[5 * i : 5 * i + 5]
            for key, mapping in (
                (dst.cp(ns), records),
                (dst.bl(ns), blobs),
                (dst.wv(ns), write_values),
            ):
                if mapping:
                    out.append(("HSET", key, *[x for kv in mapping.items() for x in kv]))
            if write_fields:
                indexes.append(("ZADD", dst.wi(ns), *[x for f in write_fields for x in (0, f)]))
            if ids:
                indexes.append(("ZADD", dst.idx(ns), *[x for c in ids for x in (0, c)]))
        for r in runs:
            out += [("SADD", dst.runs, r), ("SADD", run_key(self.prefix, _s(r)), str(target))]
        out += indexes
        if self.ttl_s:
            out += self._ttl_cmds(dst, nss)
        yield out
