"""The SQLite checkpointer as the service opens it (embedded mode)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.base import empty_checkpoint

from shopagent.agent.checkpoint import open_checkpointer
from shopagent.settings import Settings


async def test_a_write_cut_off_by_a_hang_up_still_reaches_its_commit(tmp_path: Path) -> None:
    """A cancelled put (the shopper hung up) never leaves the shared connection inside an
    open transaction: the write runs on to its COMMIT, and the next turn can write."""
    async with open_checkpointer(Settings(data_dir=tmp_path, state_backend="sqlite")) as saver:
        cfg: Any = {"configurable": {"thread_id": "t1", "checkpoint_ns": ""}}
        first = empty_checkpoint()
        put = asyncio.ensure_future(saver.aput(cfg, first, {}, {}))
        await asyncio.sleep(0)  # under way
        put.cancel()
        with pytest.raises(asyncio.CancelledError):
            await put
        for _ in range(200):  # the write finishes on its own
            if await saver.aget_tuple(cfg) is not None:
                break
            await asyncio.sleep(0.01)
        saved = await saver.aget_tuple(cfg)
        assert saved is not None and saved.checkpoint["id"] == first["id"]
        assert not saver.conn.in_transaction  # type: ignore[attr-defined]
        second = empty_checkpoint()
        await saver.aput(saved.config, second, {}, {})
        latest = await saver.aget_tuple(cfg)
        assert latest is not None and latest.checkpoint["id"] == second["id"]
