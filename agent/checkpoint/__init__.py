"""Graph checkpointers: plain Redis in service mode, SQLite in embedded mode.

async with open_checkpointer(settings) as saver:
    graph = builder.compile(checkpointer=saver)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
)
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from shopagent.agent.checkpoint.held import HeldReadSaver
from shopagent.agent.checkpoint.redis import RedisCheckpointSaver
from shopagent.settings import Settings

__all__ = ["HeldReadSaver", "RedisCheckpointSaver", "open_checkpointer"]

T = TypeVar("T")


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """Yield the checkpointer ``settings.state_backend`` names; close it on exit."""
    if settings.state_backend == "redis":
        from shopagent.redis import async_redis

        saver = RedisCheckpointSaver(
            aclient=async_redis(settings),
            url=settings.redis_url,  # the sync API (not used by the service) connects lazily
            cluster=settings.redis_cluster,
            ttl_s=settings.checkpoint_ttl_s,
        )
        try:
            # Fail at startup, not on the first turn, when Redis is unreachable.
            await saver.aclient.ping()
            yield saver
        finally:
            await saver.aclose()
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = str(settings.data_dir / "state.sqlite")
    async with _ShieldedSqliteSaver.from_conn_string(path) as sqlite_saver:
        await sqlite_saver.setup()
        yield sqlite_saver


class _ShieldedSqliteSaver(AsyncSqliteSaver):
    """The SQLite saver's writes run an INSERT and then COMMIT as two awaits; a hang-up
    between them would leave the connection inside an open transaction (and the rows of a
    deleted thread half gone). Each write runs as its own task that the caller's
    cancellation does not reach: it always reaches its COMMIT."""

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await _shielded(super().aput(config, checkpoint, metadata, new_versions))

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
