"""The Redis turn lock of a session: held while its turn runs (a heartbeat renews it past
its short TTL), gone within the TTL when the process holding it dies, and cleared at once
by the same instance after a restart. Real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aredis

from shopagent.api._limits import RedisTurnLocks
from shopagent.errors import Conflict


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[Any]:
    r = aredis.Redis.from_url(redis_url)
    yield r
    await r.aclose()


async def _free_within(locks: RedisTurnLocks, session: str, seconds: float) -> bool:
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    while loop.time() < until:
        try:
            await locks.release(session, await locks.acquire(session))
            return True
        except Conflict:
            await asyncio.sleep(0.1)
    return False


async def test_a_running_turn_keeps_its_lock_past_the_ttl(client: Any) -> None:
    locks = RedisTurnLocks(client, ttl_s=0.6, instance_id="api-1")
    other = RedisTurnLocks(client, ttl_s=0.6, instance_id="api-2")
    token = await locks.acquire("s1")
    await asyncio.sleep(1.5)  # 2.5 TTLs: only the heartbeat keeps it
    with pytest.raises(Conflict) as busy:
        await other.acquire("s1")
    assert busy.value.code == "turn_in_progress" and busy.value.retry_after_s
    await locks.release("s1", token)
    assert await _free_within(other, "s1", 1)


async def test_a_dead_holders_lock_expires_within_its_ttl(client: Any) -> None:
    crashed = RedisTurnLocks(client, ttl_s=1.0, instance_id="api-1")
    await crashed.acquire("s2")
    for beat in crashed._beats.values():  # kill -9: the heartbeat stops with the process
        beat.cancel()
    survivor = RedisTurnLocks(client, ttl_s=1.0, instance_id="api-2")
    assert await _free_within(survivor, "s2", 5)


async def test_a_restarted_instance_clears_its_own_stale_locks(client: Any) -> None:
    before = RedisTurnLocks(client, ttl_s=60, instance_id="api-1")
    await before.acquire("s3")
    await RedisTurnLocks(client, ttl_s=60, instance_id="api-2").acquire("s4")
    for beat in before._beats.values():
        beat.cancel()
    restarted = RedisTurnLocks(client, ttl_s=60, instance_id="api-1")
    assert await restarted.clear_own() == 1
    await restarted.release("s3", await restarted.acquire("s3"))  # free again at once
    with pytest.raises(Conflict):  # another instance's lock is not ours to clear
        await restarted.acquire("s4")
