"""Graph checkpointers: plain Redis in service mode, SQLite in embedded mode.

async with open_checkpointer(settings) as saver:
    graph = builder.compile(checkpointer=saver)
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from shopagent.agent.checkpoint.held import HeldReadSaver
from shopagent.agent.checkpoint.redis import RedisCheckpointSaver
from shopagent.settings import Settings

__all__ = ["HeldReadSaver", "RedisCheckpointSaver", "open_checkpointer"]


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
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = str(settings.data_dir / "state.sqlite")
    async with AsyncSqliteSaver.from_conn_string(path) as sqlite_saver:
        await sqlite_saver.setup()
        for name in ("aput", "aput_writes", "adelete_thread"):
            setattr(sqlite_saver, name, _uncancellable(getattr(sqlite_saver, name)))
        yield sqlite_saver


def _uncancellable(write: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """The SQLite saver's writes run an INSERT and then COMMIT as two awaits; a hang-up
    between them would leave the connection inside an open transaction (and the rows of a
    deleted thread half gone). Run each write as its own task that the caller's
    cancellation does not reach: it always reaches its COMMIT."""

    @functools.wraps(write)
    async def shielded(*args: Any, **kwargs: Any) -> Any:
        task = asyncio.ensure_future(write(*args, **kwargs))
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        return await asyncio.shield(task)

    return shielded
