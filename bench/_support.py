"""Helpers shared by the benchmarks: a throwaway redis-server, the server's event loop,
percentiles, RSS, output."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

RESULTS = Path(__file__).with_name("results")


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server not installed: run `make system-deps`")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workdir = tempfile.mkdtemp(prefix="bench-redis-")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("redis-server did not start") from None
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def machine(load_before: tuple[float, float, float]) -> dict[str, Any]:
    """What a result needs to be read against: the cores, the load average before (taken
    by the caller as it starts) and after, and when."""
    return {
        "cpu_count": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def run_on_loop(coro: Coroutine[Any, Any, T], loop: str = "server") -> T:
    """Run ``coro`` on the event loop the server runs on (``loop="server"``: uvicorn's
    choice for ``shopagent serve``, uvloop when installed) or on the standard library's
    (``"asyncio"``). A turn's CPU depends on it: each trip to a thread, each stream event
    is a turn of the loop."""
    factory = None
    if loop == "server":
        import uvicorn

        factory = uvicorn.Config(app=object(), log_config=None).get_loop_factory()
    elif loop != "asyncio":
        raise ValueError(f"loop must be 'server' or 'asyncio', not {loop!r}")
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro)


def loop_name() -> str:
    """The running event loop's class, for a result: ``uvloop.Loop`` or ``asyncio....``."""
    loop = type(asyncio.get_running_loop())
    return f"{loop.__module__}.{loop.__qualname__}"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    width = max(len(k) for k in result)
    for k, v in result.items():
        print(f"  {k:<{width}}  {v}")
    print(f"  -> {path}")
    return path


@contextlib.asynccontextmanager
async def in_process_service(settings: Any, model: Any) -> Any:
    """An AgentService on real stores and checkpointer with ``model`` as its only (local)
    tier and no catalog: what the agent benchmarks time. Yields the service."""
    from shopagent.agent.checkpoint import open_checkpointer
    from shopagent.agent.graph import AgentDeps, build_graph
    from shopagent.agent.service import AgentService
    from shopagent.retrieval.images import ImageStore
    from shopagent.tools.builtin import build_registry
    from shopagent.tools.stores import open_stores

    async with (
        await open_stores(settings) as (stores, sessions),
        open_checkpointer(settings) as saver,
    ):
        deps = AgentDeps(
            settings=settings,
            registry=build_registry(settings),
            stores=stores,
            catalog=None,
            images=ImageStore(Path(settings.data_dir) / "uploads"),
            models={"local": model},
        )
        yield AgentService(deps, build_graph(deps).compile(checkpointer=saver), sessions, saver)
