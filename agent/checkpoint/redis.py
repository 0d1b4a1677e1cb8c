"""A LangGraph checkpointer on plain Redis (>= 6, no modules): Valkey, managed Redis, Cluster.

``langgraph-checkpoint-redis`` needs RediSearch and RedisJSON; this one uses only strings,
hashes, sets and sorted sets (key layout in ``_layout``). Each operation is written once as
a *plan*: a generator that yields batches of commands, receives their replies and returns
the result (or, for listing, also yields ``CheckpointTuple``s). The sync and async APIs are
two small drivers that send each batch as one non-transactional pipeline, so a ``put`` is
a single round trip.

Why no MULTI: a put also touches the run index, which lives in another cluster slot, and
MULTI cannot span slots. Instead commands are ordered so a torn write is invisible: the
namespace is registered first (so delete_thread finds the keys) and the checkpoint id is
added to the index last (a checkpoint is readable only once indexed).

TTL (``ttl_s`` > 0) slides per thread: every put/put_writes re-arms the expiry of all of
the thread's keys, so a thread disappears ``ttl_s`` after its last write, all at once. A
run's entry in the run index lives ``ttl_s`` after that run's last put.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import redis
import redis.asyncio as aredis
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
    get_checkpoint_metadata,
)
from langgraph.checkpoint.serde.base import SerializerProtocol

from shopagent.agent.checkpoint._driver import Cmd, Plan, PlanDriver, _s
from shopagent.agent.checkpoint._layout import (
    blob_field,
    pack,
    run_key,
    thread_of_ns_key,
    unpack,
    write_field,
)
from shopagent.agent.checkpoint._maintenance import MaintenancePlans

_PAGE = 64  # checkpoints loaded per round trip when listing with a filter
# redis.Redis / redis.RedisCluster and their asyncio twins. Typed loosely on purpose: the
# installed stubs (types-redis 4.6) predate redis 5's asyncio cluster client and aclose().
SyncClient = Any
AsyncClient = Any
# The class defines a method named ``list``, which shadows the builtin inside its body.
_Items = list[tuple[str, str]]
_Remaining = list[int | None]


def _cfg(thread_id: str, ns: str, checkpoint_id: str) -> RunnableConfig:
    return {
        "configurable": {
            "thread_id": thread_id,
            "checkpoint_ns": ns,
            "checkpoint_id": checkpoint_id,
        }
    }


class RedisCheckpointSaver(MaintenancePlans, PlanDriver, BaseCheckpointSaver[str]):
    """Checkpointer on plain Redis. Build with :meth:`from_url` or pass clients.

    ``aclient`` serves the async API (what the graph uses), ``client`` the sync API; given
    only ``url``, each is created on first use. Close with :meth:`aclose` / :meth:`close`.
    """

    def __init__(
        self,
        *,
        url: str | None = None,
        aclient: AsyncClient | None = None,
        client: SyncClient | None = None,
        cluster: bool = False,
        ttl_s: int = 0,
        prefix: str = "lgcp",
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(serde=serde)
        if url is None and aclient is None and client is None:
            raise ValueError("give a Redis url or a client")
        if ttl_s < 0:
            raise ValueError("ttl_s must be >= 0")
        self.url = url
        self.cluster = cluster
        self._aclient = aclient
        self._client = client
        self.ttl_s = ttl_s
        self.prefix = prefix

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        cluster: bool = False,
        ttl_s: int = 0,
        prefix: str = "lgcp",
        serde: SerializerProtocol | None = None,
    ) -> RedisCheckpointSaver:
        """``cluster``: ``url`` names a Redis Cluster node; use the cluster clients."""
        return cls(url=url, cluster=cluster, ttl_s=ttl_s, prefix=prefix, serde=serde)

    @property
    def aclient(self) -> AsyncClient:
        if self._aclient is None:
            if self.url is None:
                raise RuntimeError("no async Redis client configured")
            factory = aredis.RedisCluster if self.cluster else aredis.Redis
            self._aclient = factory.from_url(self.url)
        return self._aclient

    @property
    def client(self) -> SyncClient:
        if self._client is None:
            if self.url is None:
                raise RuntimeError("no sync Redis client configured")
            factory = redis.RedisCluster if self.cluster else redis.Redis
            self._client = factory.from_url(self.url)
        return self._client

    def _is_cluster(self) -> bool:
        return (
            self.cluster
            or isinstance(self._aclient, aredis.RedisCluster)
            or isinstance(self._client, redis.RedisCluster)
        )

    async def aclose(self) -> None:
        if self._aclient is not None:
            await self._aclient.aclose()
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # --- public API: sync ------------------------------------------------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        found: CheckpointTuple | None = self._run(self._get_plan(config))
        return found

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        return self._iter(self._list_plan(config, filter, before, limit))

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        saved: RunnableConfig = self._run(
            self._put_plan(config, checkpoint, metadata, new_versions)
        )
        return saved

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._run(self._put_writes_plan(config, writes, task_id, task_path))

    def delete_thread(self, thread_id: str) -> None:
        self._run(self._delete_thread_plan(thread_id))

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        self._run(self._delete_for_runs_plan(run_ids))

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self._run(self._copy_thread_plan(source_thread_id, target_thread_id))

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        self._run(self._prune_plan(thread_ids, strategy))

    # --- public API: async -----------------------------------------------------------------

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        found: CheckpointTuple | None = await self._arun(self._get_plan(config))
        return found

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        async for item in self._aiter(self._list_plan(config, filter, before, limit)):
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        saved: RunnableConfig = await self._arun(
            self._put_plan(config, checkpoint, metadata, new_versions)
        )
        return saved

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await self._arun(self._put_writes_plan(config, writes, task_id, task_path))

    async def adelete_thread(self, thread_id: str) -> None:
        await self._arun(self._delete_thread_plan(thread_id))

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        await self._arun(self._delete_for_runs_plan(run_ids))

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        await self._arun(self._copy_thread_plan(source_thread_id, target_thread_id))

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        await self._arun(self._prune_plan(thread_ids, strategy))

    def get_next_version(self, current: str | None, channel: None) -> str:
        # Same scheme as the SQLite/Postgres savers: sortable, and unique per writer so two
        # forks of one thread never share a blob field.
        if current is None:
            current_v = 0
        elif isinstance(current, int):
            current_v = current
        else:
            current_v = int(current.split(".")[0])
        return f"{current_v + 1:032}.{random.random():016}"

    # --- plans: writes ---------------------------------------------------------------------

    def _put_plan(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> Plan:
        conf = config["configurable"]
        thread_id = str(conf["thread_id"])
        ns = conf.get("checkpoint_ns", "")
        parent_id = conf.get("checkpoint_id")
        keys = self._keys(thread_id)
        cp = checkpoint.copy()
        values: dict[str, Any] = cp.pop("channel_values")  # type: ignore[misc]
        md = get_checkpoint_metadata(config, metadata)
        cmds: list[Cmd] = [("SADD", keys.ns_set, ns)]
        if new_versions:
            fields: list[Any] = []
            for channel, version in new_versions.items():
                typed = (
                    self.serde.dumps_typed(values[channel]) if channel in values else ("empty", b"")
                )
                fields += [blob_field(channel, version), pack(*typed)]
            cmds.append(("HSET", keys.bl(ns), *fields))
        run_id = md.get("run_id")
        if run_id:
            cmds += [
                ("SADD", keys.runs, str(run_id)),
                ("SADD", run_key(self.prefix, str(run_id)), thread_id),
            ]
            if self.ttl_s:
                cmds.append(("EXPIRE", run_key(self.prefix, str(run_id)), self.ttl_s))
        record = pack(*self.serde.dumps_typed(cp), *self.serde.dumps_typed(md), parent_id)
        cmds.append(("HSET", keys.cp(ns), checkpoint["id"], record))
        cmds.append(("ZADD", keys.idx(ns), 0, checkpoint["id"]))  # visible from here on
        if self.ttl_s:
            cmds += self._ttl_cmds(keys, [ns])
            cmds.append(("SMEMBERS", keys.ns_set))
            reply = yield cmds
            others = {_s(n) for n in reply[-1]} - {ns}
            if others:
                yield self._ttl_cmds(keys, others)
        else:
            yield cmds
        return _cfg(thread_id, ns, checkpoint["id"])

    def _put_writes_plan(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str,
    ) -> Plan:
        conf = config["configurable"]
        thread_id = str(conf["thread_id"])
        ns = conf.get("checkpoint_ns", "")
        checkpoint_id = conf["checkpoint_id"]
        keys = self._keys(thread_id)
        cmds: list[Cmd] = [("SADD", keys.ns_set, ns)]
        members: list[Any] = []
        for i, (channel, value) in enumerate(writes):
            idx = WRITES_IDX_MAP.get(channel, i)
            field = write_field(checkpoint_id, task_id, idx)
            payload = pack(channel, task_path, task_id, idx, *self.serde.dumps_typed(value))
            # Like the reference savers: a retried task never duplicates or replaces its
            # regular writes, while special writes (error, interrupt, resume) are replaced.
            cmds.append(("HSET" if idx < 0 else "HSETNX", keys.wv(ns), field, payload))
            members += [0, field]
        if members:
            cmds.append(("ZADD", keys.wi(ns), *members))
        if self.ttl_s:
            cmds += self._ttl_cmds(keys, [ns])
        yield cmds

    # --- plans: reads ----------------------------------------------------------------------

    def _get_plan(self, config: RunnableConfig) -> Plan:
        conf = config["configurable"]
        thread_id = str(conf["thread_id"])
        ns = conf.get("checkpoint_ns", "")
        checkpoint_id = get_checkpoint_id(config)
        keys = self._keys(thread_id)
        if not checkpoint_id:
            (ids,) = yield [("ZREVRANGEBYLEX", keys.idx(ns), "+", "-", "LIMIT", 0, 1)]
            if not ids:
                return None
            checkpoint_id = _s(ids[0])
        loaded = yield from self._load_plan(thread_id, [(ns, checkpoint_id)], None)
        return loaded[0] if loaded else None

    def _load_plan(self, thread_id: str, items: _Items, filter: dict[str, Any] | None) -> Plan:
        """Load full tuples for (ns, checkpoint_id) pairs of one thread, keeping order."""
        keys = self._keys(thread_id)
        cmds: list[Cmd] = []
        for ns, cid in items:
            cmds += [
                ("HGET", keys.cp(ns), cid),
                ("ZRANGEBYLEX", keys.wi(ns), f"[{cid}\0", f"({cid}\x01"),
            ]
        reply = yield cmds
        found: list[tuple[str, str, dict[str, Any], CheckpointMetadata, str | None, list[Any]]] = []
        for i, (ns, cid) in enumerate(items):
            raw, write_fields = reply[2 * i], reply[2 * i + 1]
            if raw is None:
                continue
            cp_type, cp_bytes, md_type, md_bytes, parent_id = unpack(raw)
            md = self.serde.loads_typed((md_type, md_bytes))
            if filter and not all(md.get(k) == v for k, v in filter.items()):
                continue
            found.append(
                (ns, cid, self.serde.loads_typed((cp_type, cp_bytes)), md, parent_id, write_fields)
            )
        if not found:
            return []
        cmds = []
        for ns, _cid, cp, _md, _parent, write_fields in found:
            versions = cp["channel_versions"]
            cmds.append(
                ("HMGET", keys.bl(ns), *[blob_field(c, v) for c, v in versions.items()])
                if versions
                else ("PING",)
            )
            cmds.append(("HMGET", keys.wv(ns), *write_fields) if write_fields else ("PING",))
        reply = yield cmds
        out: list[CheckpointTuple] = []
        for i, (ns, cid, cp, md, parent_id, _fields) in enumerate(found):
            blobs, raw_writes = reply[2 * i], reply[2 * i + 1]
            values: dict[str, Any] = {}
            if isinstance(blobs, list):
                for channel, blob in zip(cp["channel_versions"], blobs, strict=True):
                    if blob is not None:
                        typ, data = unpack(blob)
                        if typ != "empty":
                            values[channel] = self.serde.loads_typed((typ, data))
            pending = []
            if isinstance(raw_writes, list):
                rows = [unpack(w) for w in raw_writes if w is not None]
                # get_tuple's contract: pending writes in writes_sort_key order.
                rows.sort(key=lambda r: (r[1], r[2], r[3]))
                pending = [(r[2], r[0], self.serde.loads_typed((r[4], r[5]))) for r in rows]
            out.append(
                CheckpointTuple(
                    config=_cfg(thread_id, ns, cid),
                    checkpoint={**cp, "channel_values": values},  # type: ignore[typeddict-item]
                    metadata=md,
                    parent_config=_cfg(thread_id, ns, parent_id) if parent_id else None,
                    pending_writes=pending,
                )
            )
        return out

    def _list_plan(
        self,
        config: RunnableConfig | None,
        filter: dict[str, Any] | None,
        before: RunnableConfig | None,
        limit: int | None,
    ) -> Plan:
        if limit is not None and limit <= 0:
            return
        before_id = get_checkpoint_id(before) if before else None
        remaining = [limit]  # shared with the per-thread sub-plans
        if config is None:
            # Listing every thread is an admin operation; SCAN is acceptable here only. On
            # Cluster a pipelined SCAN would visit one node and silently miss threads.
            if self._is_cluster():
                raise NotImplementedError(
                    "listing all threads is not supported on Redis "
                    "Cluster; pass a config with a thread_id"
                )
            cursor: Any = 0
            while True:
                ((cursor, found),) = yield [
                    ("SCAN", cursor, "MATCH", f"{self.prefix}:{{*}}:ns", "COUNT", 1000)
                ]
                for key in found:
                    thread_id = thread_of_ns_key(self.prefix, _s(key))
                    if thread_id is not None:
                        yield from self._list_thread_plan(
                            thread_id, None, None, filter, before_id, remaining
                        )
                        if remaining[0] is not None and remaining[0] <= 0:
                            return
                if int(cursor) == 0:
                    return
        conf = config["configurable"]
        yield from self._list_thread_plan(
            str(conf["thread_id"]),
            conf.get("checkpoint_ns"),
            get_checkpoint_id(config),
            filter,
            before_id,
            remaining,
        )

    def _list_thread_plan(
        self,
        thread_id: str,
        ns: str | None,
        only_id: str | None,
        filter: dict[str, Any] | None,
        before_id: str | None,
        remaining: _Remaining,
    ) -> Plan:
        keys = self._keys(thread_id)
        if ns is None:
            # No namespace given: every namespace of the thread, newest first overall.
            (namespaces,) = yield [("SMEMBERS", keys.ns_set)]
            nss = sorted(_s(n) for n in namespaces)
            replies = yield [("ZRANGE", keys.idx(n), 0, -1) for n in nss]
            items = sorted(
                ((n, _s(c)) for n, ids in zip(nss, replies, strict=True) for c in ids),
                key=lambda it: it[1],
                reverse=True,
            )
            items = [
                it
                for it in items
                if (not before_id or it[1] < before_id) and (not only_id or it[1] == only_id)
            ]
            for start in range(0, len(items), _PAGE):
                for tup in (
                    yield from self._load_plan(thread_id, items[start : start + _PAGE], filter)
                ):
                    yield tup
                    if remaining[0] is not None:
                        remaining[0] -= 1
                        if remaining[0] <= 0:
                            return
            return
        if only_id:
            if before_id and only_id >= before_id:
                return
            for tup in (yield from self._load_plan(thread_id, [(ns, only_id)], filter)):
                yield tup
                if remaining[0] is not None:
                    remaining[0] -= 1
            return
        high = f"({before_id}" if before_id else "+"
        while True:
            page = _PAGE if (filter or remaining[0] is None) else min(remaining[0], _PAGE)
            (ids,) = yield [("ZREVRANGEBYLEX", keys.idx(ns), high, "-", "LIMIT", 0, page)]
            page_ids = [_s(i) for i in ids]
            if not page_ids:
                return
            high = f"({page_ids[-1]}"
            for tup in (yield from self._load_plan(thread_id, [(ns, c) for c in page_ids], filter)):
                yield tup
                if remaining[0] is not None:
                    remaining[0] -= 1
                    if remaining[0] <= 0:
                        return
            if len(page_ids) < page:
                return
