"""Checkpoint put/get latency on a loopback redis-server (and the SQLite saver for context).

    .venv/bin/python -m bench._checkpoint_probe [--n 2000]

Each put looks like a graph step of a shopping turn: the ``messages`` channel (a growing
conversation of LangChain messages, trimmed to the last 20) and two small channels change.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver, empty_checkpoint

from bench._support import redis_server


def _pct(samples: list[float], q: float) -> float:
    return round(statistics.quantiles(samples, n=100)[int(q) - 1], 3)


async def _probe(saver: BaseCheckpointSaver, n: int) -> dict[str, Any]:
    cfg: dict = {"configurable": {"thread_id": "bench-thread", "checkpoint_ns": ""}}
    messages: list[Any] = []
    put_ms, writes_ms, get_ms = [], [], []
    version = None
    for step in range(n):
        messages = (
            messages
            + [
                HumanMessage(f"show me red running shoes size {step % 12}"),
                AIMessage("Here are three options: " + "x" * 150),
            ]
        )[-20:]
        version = saver.get_next_version(version, None)
        cp = empty_checkpoint()
        cp["channel_values"] = {"messages": messages, "route": {"tier": "embedded"}, "steps": step}
        cp["channel_versions"] = {"messages": version, "route": version, "steps": version}
        meta = {"source": "loop", "step": step, "run_id": f"run-{step // 6}"}
        t0 = time.perf_counter()
        cfg = await saver.aput(cfg, cp, meta, dict(cp["channel_versions"]))
        put_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        await saver.aput_writes(cfg, [("messages", messages[-1:]), ("steps", step)], f"task-{step}")
        writes_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        await saver.aget_tuple({"configurable": {"thread_id": "bench-thread", "checkpoint_ns": ""}})
        get_ms.append((time.perf_counter() - t0) * 1000)
    return {
        "put_p50_ms": _pct(put_ms, 50),
        "put_p95_ms": _pct(put_ms, 95),
        "put_writes_p50_ms": _pct(writes_ms, 50),
        "get_latest_p50_ms": _pct(get_ms, 50),
        "get_latest_p95_ms": _pct(get_ms, 95),
        "n": n,
    }


async def main(n: int) -> dict[str, Any]:
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    from shopagent.agent.checkpoint import RedisCheckpointSaver

    out: dict[str, Any] = {}
    with redis_server() as url:
        saver = RedisCheckpointSaver.from_url(url)
        await _probe(saver, 50)  # warm up connections and code paths
        out["redis"] = await _probe(saver, n)
        await saver.aclose()
    with tempfile.TemporaryDirectory() as tmp:
        async with AsyncSqliteSaver.from_conn_string(str(Path(tmp) / "s.sqlite")) as sqlite:
            await _probe(sqlite, 50)
            out["sqlite"] = await _probe(sqlite, n)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    print(json.dumps(asyncio.run(main(parser.parse_args().n)), indent=2))
