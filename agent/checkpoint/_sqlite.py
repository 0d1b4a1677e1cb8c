"""The SQLite checkpointer (embedded mode): LangGraph's AsyncSqliteSaver with writes that
always reach their COMMIT, and a turn's read and write in fewer trips to the connection's
thread."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar, cast

import aiosqlite
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
    get_checkpoint_metadata,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.checkpoint.sqlite.utils import load_pending_writes

from shopagent.agent.checkpoint._serde import HistorySerializer

T = TypeVar("T")

_COLUMNS = "thread_id, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata"
_LATEST = (
    f"SELECT {_COLUMNS} FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? "
    "ORDER BY checkpoint_id DESC LIMIT 1"
)
_EXACT = (
    f"SELECT {_COLUMNS} FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? "
    "AND checkpoint_id = ?"
)


def _with_writes(checkpoint_sql: str, task_path: str) -> str:
    """The checkpoint row (kind 0) and its pending writes (kind 1, the columns of
    ``pending_writes_sql``) in one statement: one trip to the connection's thread instead
    of two, and one consistent read."""
    return (
        f"WITH cp AS ({checkpoint_sql}) "
        f"SELECT 0, {_COLUMNS} FROM cp UNION ALL "
        f"SELECT 1, w.task_id, w.channel, w.type, w.value, {task_path}, w.idx "
        "FROM writes AS w JOIN cp ON w.thread_id = cp.thread_id "
        "AND w.checkpoint_ns = ? AND w.checkpoint_id = cp.checkpoint_id ORDER BY 1"
    )


_INSERT = (
    "INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, "
    "parent_checkpoint_id, type, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


class ShieldedSqliteSaver(AsyncSqliteSaver):
    """Three changes to LangGraph's saver, same tables, same rows:

    - Its writes run an INSERT and then COMMIT as two awaits; a hang-up between them would
      leave the connection inside an open transaction (and the rows of a deleted thread
      half gone). Each write runs as its own task that the caller's cancellation does not
      reach: it always reaches its COMMIT.
    - Every await on the aiosqlite connection is a trip to its thread (a wake-up on each
      side); the stock read takes six (cursor, execute, fetch, execute, fetch, close) and
      the checkpoint write three. Each query here is one trip (execute and fetch there),
      and the checkpoint and its pending writes are one query: a turn's read is one trip,
      its write two.
    - Its serializer decodes and encodes each history message once (``_serde.py``).
    """

    def __init__(self, conn: aiosqlite.Connection, *, serde: SerializerProtocol | None = None):
        # A turn reads and writes the whole history: decode and encode each message once
        super().__init__(conn, serde=serde or HistorySerializer())

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        await self.setup()
        conf = config["configurable"]
        thread_id, ns = str(conf["thread_id"]), conf.get("checkpoint_ns", "")
        checkpoint_id = get_checkpoint_id(config)
        task_path = "w.task_path" if self._has_task_path else "''"  # as LangGraph's query
        async with self.lock:
            if checkpoint_id:
                sql = _with_writes(_EXACT, task_path)
                rows = await self.conn.execute_fetchall(sql, (thread_id, ns, checkpoint_id, ns))
            else:
                sql = _with_writes(_LATEST, task_path)
                rows = await self.conn.execute_fetchall(sql, (thread_id, ns, ns))
        rows = list(rows)
        if not rows or rows[0][0] != 0:
            return None
        _, thread_id, checkpoint_id, parent_id, type_, checkpoint, metadata = rows[0]
        writes = [r[1:] for r in rows[1:]]
        found: RunnableConfig = {
            "configurable": {
                "thread_id": thread_id,
                "checkpoint_ns": ns,
                "checkpoint_id": checkpoint_id,
            }
        }
        parent: RunnableConfig | None = (
            {
                "configurable": {
                    "thread_id": thread_id,
                    "checkpoint_ns": ns,
                    "checkpoint_id": parent_id,
                }
            }
            if parent_id
            else None
        )
        return CheckpointTuple(
            # as the stock saver: the caller's config when it named the checkpoint
            config if get_checkpoint_id(config) else found,
            self.serde.loads_typed((type_, checkpoint)),
            cast(CheckpointMetadata, json.loads(metadata) if metadata is not None else {}),
            parent,
            load_pending_writes(writes, self.serde),
        )

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await _shielded(self._put(config, checkpoint, metadata))

    async def _put(
        self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata
    ) -> RunnableConfig:
        await self.setup()
        conf = config["configurable"]
        thread_id, ns = conf["thread_id"], conf["checkpoint_ns"]
        type_, blob = self.serde.dumps_typed(checkpoint)
        meta = json.dumps(get_checkpoint_metadata(config, metadata), ensure_ascii=False)
        row = (
            str(thread_id),
            ns,
            checkpoint["id"],
            conf.get("checkpoint_id"),
            type_,
            blob,
            meta.encode("utf-8", "ignore"),
        )
        async with self.lock:
            await self.conn.execute_fetchall(_INSERT, row)
            await self.conn.commit()
        return {
            "configurable": {
                "thread_id": thread_id,
                "checkpoint_ns": ns,
                "checkpoint_id": checkpoint["id"],
            }
        }

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await _shielded(super().aput_writes(config, writes, task_id, task_path))

    async def adelete_thread(self, thread_id: str) -> None:
        await _shielded(super().adelete_thread(thread_id))


async def _shielded(write: Coroutine[Any, Any, T]) -> T:
    task = asyncio.ensure_future(write)
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    return await asyncio.shield(task)
