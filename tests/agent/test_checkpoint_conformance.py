"""The official langgraph-checkpoint-conformance suite against our savers.

The suite detects capabilities by which async methods a saver overrides and runs each
capability's spec on a fresh saver. "FULL" means every detected capability passed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import redis.asyncio as aredis
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import ALL_CAPABILITIES, BASE_CAPABILITIES
from langgraph.checkpoint.conformance.report import CapabilityReport

from shopagent.agent.checkpoint import RedisCheckpointSaver, open_checkpointer
from shopagent.settings import Settings


def _failures(report: CapabilityReport) -> dict[str, list[str]]:
    return {name: r.failures for name, r in report.results.items() if r.failures}


async def test_redis_saver_passes_every_capability(redis_url: str) -> None:
    @checkpointer_test(name="RedisCheckpointSaver")
    async def factory() -> AsyncIterator[RedisCheckpointSaver]:
        client = aredis.Redis.from_url(redis_url)
        await client.flushdb()
        saver = RedisCheckpointSaver(aclient=client)
        yield saver
        await saver.aclose()

    report = await validate(factory)
    assert _failures(report) == {}
    detected = {name for name, r in report.results.items() if r.detected}
    assert detected == {c.value for c in ALL_CAPABILITIES}  # base + all extended
    assert report.conformance_level() == "FULL"
    assert sum(r.tests_passed for r in report.results.values()) >= 80


async def test_redis_saver_with_ttl_passes_every_capability(redis_url: str) -> None:
    @checkpointer_test(name="RedisCheckpointSaver+ttl")
    async def factory() -> AsyncIterator[RedisCheckpointSaver]:
        saver = RedisCheckpointSaver.from_url(redis_url, ttl_s=3600)
        yield saver
        await saver.aclose()

    report = await validate(factory)
    assert _failures(report) == {}
    assert report.conformance_level() == "FULL"


async def test_sqlite_saver_from_open_checkpointer(data_dir: Path) -> None:
    """The embedded default, through the same factory the app uses."""
    settings = Settings(_env_file=None, state_backend="sqlite", data_dir=data_dir)

    @checkpointer_test(name="AsyncSqliteSaver")
    async def factory():  # type: ignore[no-untyped-def]
        async with open_checkpointer(settings) as saver:
            yield saver

    report = await validate(factory)
    assert _failures(report) == {}
    # langgraph-checkpoint-sqlite implements the base capabilities only.
    assert report.passed_all_base() and report.passed_all()
    detected = {name for name, r in report.results.items() if r.detected}
    assert detected == {c.value for c in BASE_CAPABILITIES}
    assert (data_dir / "state.sqlite").exists()


async def test_open_checkpointer_redis(redis_url: str) -> None:
    settings = Settings(
        _env_file=None, state_backend="redis", redis_url=redis_url, checkpoint_ttl_s=60
    )
    async with open_checkpointer(settings) as saver:
        assert isinstance(saver, RedisCheckpointSaver) and saver.ttl_s == 60
        stored = await saver.aput(
            {"configurable": {"thread_id": "t", "checkpoint_ns": ""}},
            {
                "v": 1,
                "id": "1",
                "ts": "",
                "channel_values": {},
                "channel_versions": {},
                "versions_seen": {},
                "updated_channels": None,
            },
            {"source": "input", "step": -1},
            {},
        )
        assert (await saver.aget_tuple(stored)).checkpoint["id"] == "1"
