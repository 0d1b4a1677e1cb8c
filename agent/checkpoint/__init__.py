"""Graph checkpointers: plain Redis in service mode, SQLite in embedded mode.

async with open_checkpointer(settings) as saver:
    graph = builder.compile(checkpointer=saver)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from shopagent.agent.checkpoint._serde import HistorySerializer
from shopagent.agent.checkpoint._sqlite import ShieldedSqliteSaver
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
            serde=HistorySerializer(),  # each history message decoded and encoded once
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
    async with ShieldedSqliteSaver.from_conn_string(path) as sqlite_saver:
        await sqlite_saver.setup()
        yield sqlite_saver
