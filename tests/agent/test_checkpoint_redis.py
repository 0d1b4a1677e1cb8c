"""Redis-specific behaviour of the checkpointer: key layout, TTL, deletion, sync API, a real
graph, and the conformance suite on a real Redis Cluster node."""

from __future__ import annotations

import operator
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any, TypedDict

import pytest
import redis
import redis.asyncio as aredis
from langgraph.checkpoint.base import Checkpoint, empty_checkpoint
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from redis.crc import key_slot

from shopagent.agent.checkpoint import RedisCheckpointSaver


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cp(values: dict[str, Any] | None = None, version: int = 1) -> Checkpoint:
    cp = empty_checkpoint()
    cp["channel_values"] = dict(values or {})
    cp["channel_versions"] = {k: version for k in (values or {})}
    return cp


async def _fill(saver: RedisCheckpointSaver, thread_id: str, run_id: str = "run-1") -> dict:
    """Two checkpoints in the root namespace, one in a child, and pending writes."""
    cfg = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
    first = await saver.aput(cfg, _cp({"a": 1}), {"step": 0, "run_id": run_id}, {"a": 1})
    second = await saver.aput(first, _cp({"a": 2}, 2), {"step": 1, "run_id": run_id}, {"a": 2})
    await saver.aput_writes(second, [("a", 3), ("b", 4)], "task-1")
    child = {"configurable": {"thread_id": thread_id, "checkpoint_ns": "tools:1"}}
    await saver.aput(child, _cp({"c": 1}), {"step": 0, "run_id": run_id}, {"c": 1})
    return second


@pytest.fixture
async def saver(redis_url: str) -> AsyncIterator[RedisCheckpointSaver]:
    s = RedisCheckpointSaver.from_url(redis_url)
    yield s
    await s.aclose()


async def _keys(saver: RedisCheckpointSaver) -> list[str]:
    return sorted(k.decode() for k in await saver.aclient.keys("*"))


@pytest.mark.parametrize("thread_id", ["t-1", "odd}{thread:id", ""])
async def test_every_key_of_a_thread_shares_one_slot(
    saver: RedisCheckpointSaver, thread_id: str
) -> None:
    await _fill(saver, thread_id)
    await _fill(saver, "someone-else")
    keys = [k for k in await _keys(saver) if ":run:" not in k]
    slots: dict[int, int] = {}
    for k in keys:
        slots[key_slot(k.encode())] = slots.get(key_slot(k.encode()), 0) + 1
    # 2 thread keys + 5 for the root namespace + 3 for the child (it has no writes)
    assert sorted(slots.values()) == [10, 10], keys
    assert (
        await saver.aget_tuple({"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}})
        is not None
    )


async def test_put_is_one_round_trip(saver: RedisCheckpointSaver) -> None:
    sent: list[int] = []
    original = saver._aexec

    async def counting(cmds: list) -> list:
        sent.append(len(cmds))
        return await original(cmds)

    saver._aexec = counting  # type: ignore[method-assign]
    cfg = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}
    stored = await saver.aput(
        cfg, _cp({"a": 1, "b": 2}), {"step": 0, "run_id": "r"}, {"a": 1, "b": 2}
    )
    await saver.aput_writes(stored, [("a", 1)], "task")
    assert len(sent) == 2  # one pipeline each
    sent.clear()
    await saver.aget_tuple(cfg)
    assert len(sent) == 3  # latest id; record + write index; blobs + write values


async def test_ttl_is_armed_on_every_key_and_slides(redis_url: str) -> None:
    saver = RedisCheckpointSaver.from_url(redis_url, ttl_s=500)
    try:
        last = await _fill(saver, "t")
        keys = await _keys(saver)
        assert keys and all([400 < await saver.aclient.ttl(k) <= 500 for k in keys])
        for k in keys:  # age every key; one more put must re-arm all of the thread's keys,
            await saver.aclient.expire(k, 10)  # the idle child namespace included
        await saver.aput(last, _cp({"a": 9}, 3), {"step": 2, "run_id": "run-2"}, {"a": 3})
        ttls = {k: await saver.aclient.ttl(k) for k in await _keys(saver)}
        # A run's index key lives ttl after that run's last put (older runs age out).
        assert ttls.pop("lgcp:run:{run-1}") <= 10
        assert all(400 < t <= 500 for t in ttls.values()), ttls
    finally:
        await saver.aclose()


async def test_no_ttl_by_default(saver: RedisCheckpointSaver) -> None:
    await _fill(saver, "t")
    assert all([await saver.aclient.ttl(k) == -1 for k in await _keys(saver)])


async def test_delete_thread_removes_every_key(saver: RedisCheckpointSaver) -> None:
    await _fill(saver, "doomed", run_id="shared-run")
    await _fill(saver, "kept", run_id="shared-run")
    await saver.adelete_thread("doomed")
    keys = await _keys(saver)
    assert keys and not [k for k in keys if "doomed" in k]
    run_members = await saver.aclient.smembers("lgcp:run:{shared-run}")
    assert run_members == {b"kept"}
    await saver.adelete_thread("kept")
    assert await _keys(saver) == []


async def test_prune_keeps_latest_and_drops_unreferenced_blobs(saver: RedisCheckpointSaver) -> None:
    last = await _fill(saver, "t")
    await saver.aprune(["t"])
    tup = await saver.aget_tuple(last)
    assert tup is not None and tup.checkpoint["channel_values"] == {"a": 2}
    assert [w[1:] for w in tup.pending_writes] == [("a", 3), ("b", 4)]
    fields = await saver.aclient.hkeys("lgcp:{t}:bl:")
    assert [f.split(b"\0")[0] for f in fields] == [b"a"]  # a@1 went with checkpoint 1


async def test_list_across_namespaces_and_threads(saver: RedisCheckpointSaver) -> None:
    await _fill(saver, "t1")
    await _fill(saver, "t2")
    per_thread = [t async for t in saver.alist({"configurable": {"thread_id": "t1"}})]
    assert len(per_thread) == 3
    ids = [t.checkpoint["id"] for t in per_thread]
    assert ids == sorted(ids, reverse=True)
    assert {t.config["configurable"]["checkpoint_ns"] for t in per_thread} == {"", "tools:1"}
    everything = [t async for t in saver.alist(None)]
    assert len(everything) == 6
    assert len([t async for t in saver.alist(None, limit=4)]) == 4
    assert len([t async for t in saver.alist(None, filter={"step": 1})]) == 2


def test_sync_api(redis_url: str) -> None:
    saver = RedisCheckpointSaver(client=redis.Redis.from_url(redis_url))
    try:
        cfg = {"configurable": {"thread_id": "s", "checkpoint_ns": ""}}
        first = saver.put(cfg, _cp({"x": "one"}), {"step": 0, "run_id": "r1"}, {"x": 1})
        second = saver.put(first, _cp({"x": "two"}, 2), {"step": 1, "run_id": "r2"}, {"x": 2})
        saver.put_writes(second, [("x", "three")], "task")
        tup = saver.get_tuple(cfg)
        assert tup.checkpoint["channel_values"] == {"x": "two"}
        assert (
            tup.parent_config["configurable"]["checkpoint_id"]
            == first["configurable"]["checkpoint_id"]
        )
        assert tup.pending_writes == [("task", "x", "three")]
        assert [t.metadata["step"] for t in saver.list(cfg)] == [1, 0]
        saver.copy_thread("s", "s2")
        assert len(list(saver.list({"configurable": {"thread_id": "s2"}}))) == 2
        saver.delete_for_runs(["r2"])  # the copy carries run r2's checkpoint too
        assert [t.metadata["step"] for t in saver.list(cfg)] == [0]
        assert [t.metadata["step"] for t in saver.list({"configurable": {"thread_id": "s2"}})] == [
            0
        ]
        saver.delete_thread("s")
        saver.delete_thread("s2")
        assert saver.get_tuple(cfg) is None
        assert saver.client.dbsize() == 0
    finally:
        saver.close()


class _State(TypedDict):
    log: Annotated[list[str], operator.add]


async def test_a_real_graph_interrupts_and_resumes(saver: RedisCheckpointSaver) -> None:
    def plan(state: _State) -> dict:
        return {"log": ["planned"]}

    def confirm(state: _State) -> dict:
        answer = interrupt({"question": "buy it?"})
        return {"log": [f"answer:{answer}"]}

    builder = StateGraph(_State)
    builder.add_node("plan", plan)
    builder.add_node("confirm", confirm)
    builder.add_edge(START, "plan")
    builder.add_edge("plan", "confirm")
    builder.add_edge("confirm", END)
    graph = builder.compile(checkpointer=saver)
    cfg = {"configurable": {"thread_id": "session-1"}}

    out = await graph.ainvoke({"log": ["hi"]}, cfg)
    assert out["__interrupt__"][0].value == {"question": "buy it?"}
    state = await graph.aget_state(cfg)
    assert state.next == ("confirm",) and state.values["log"] == ["hi", "planned"]
    # a fresh saver instance (another API worker) resumes the same thread
    other = RedisCheckpointSaver(aclient=aredis.Redis.from_url(saver.url))
    try:
        resumed = await builder.compile(checkpointer=other).ainvoke(Command(resume="yes"), cfg)
    finally:
        await other.aclose()
    assert resumed["log"] == ["hi", "planned", "answer:yes"]
    history = [s async for s in graph.aget_state_history(cfg)]
    assert len(history) >= 4 and history[0].next == ()


# --- a real Redis Cluster node (cluster mode, all 16384 slots on one node) ----------------


@pytest.fixture(scope="module")
def cluster_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server not installed")
    # The cluster bus listens on port + 10000, so the port must leave room below 65536.
    port = free_port()
    while port > 55000:
        port = free_port()
    workdir = tempfile.mkdtemp(prefix="shopagent-cluster-")
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            f"{workdir}/nodes.conf",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.execute_command("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        while b"cluster_state:ok" not in client.execute_command("CLUSTER", "INFO"):
            assert time.monotonic() < deadline, "cluster did not come up"
            time.sleep(0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


async def test_conformance_on_redis_cluster(cluster_url: str) -> None:
    """Cluster mode rejects multi-key commands across slots (CROSSSLOT), so this proves
    every multi-key command stays inside a thread's slot."""

    @checkpointer_test(name="RedisCheckpointSaver on Cluster")
    async def factory() -> AsyncIterator[RedisCheckpointSaver]:
        saver = RedisCheckpointSaver.from_url(cluster_url, cluster=True, ttl_s=600)
        await saver.aclient.flushall()
        yield saver
        await saver.aclose()

    report = await validate(factory)
    assert {n: r.failures for n, r in report.results.items() if r.failures} == {}
    assert report.conformance_level() == "FULL"
    # Redis's own CLUSTER KEYSLOT agrees that a thread's keys share one slot.
    client = redis.Redis.from_url(cluster_url)
    saver = RedisCheckpointSaver.from_url(cluster_url, cluster=True)
    try:
        await _fill(saver, "odd}{thread")
        keys = [k for k in client.execute_command("KEYS", "lgcp:{odd%7D%7Bthread}*")]
        assert len(keys) == 10
        assert len({client.execute_command("CLUSTER", "KEYSLOT", k) for k in keys}) == 1
        with pytest.raises(NotImplementedError):  # SCAN would see one node only
            [t async for t in saver.alist(None)]
    finally:
        client.close()
        await saver.aclose()
