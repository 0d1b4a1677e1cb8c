"""gc_pause: how long a full garbage-collector pass stalls the serving process, with the
startup objects in it and with them frozen out (the app freezes them once its service is
open: api/_heap.py).

A full (generation 2) pass runs on whichever thread allocates when enough objects have
piled up since the last one; in the server that is the event loop, so every stream waits.
Here: the agent service opened on a built catalog and trained embedded model (``BENCH_DATA``
or ./data, else a 300-product demo catalog built here), 240 embedded turns run (the
``embedded_varied`` conversations of ``turn_cpu``), then a full pass timed (what a pass
costs with the startup objects in the heap); then ``freeze_startup_heap``, 240 more turns, a
full pass timed again. Both in one process, so the ratio compares like with like. Also the
passes that ran by themselves during the turns, and their durations. Runs on the event
loop the server runs on (uvloop when installed, as uvicorn picks it).
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import machine, run_on_loop, write_result  # noqa: E402
from bench.turn_cpu import _catalog_source, varied_conversation  # noqa: E402

TIMED_PASSES = 3
_timing = [False]  # the passes timed here are not the ones that ran by themselves


def _full_pass_ms() -> float:
    times = []
    _timing[0] = True
    for _ in range(TIMED_PASSES):
        t0 = time.perf_counter()
        gc.collect()
        times.append((time.perf_counter() - t0) * 1000)
    _timing[0] = False
    return round(sorted(times)[len(times) // 2], 1)


async def measure(tmp: Path) -> dict[str, Any]:
    from shopagent.agent.service import AgentService
    from shopagent.api._heap import freeze_startup_heap, thaw
    from shopagent.retrieval import open_catalog
    from shopagent.settings import Settings

    src = _catalog_source(tmp)
    catalog = open_catalog(Settings(data_dir=src))
    settings = Settings(
        data_dir=tmp / "state", state_backend="sqlite", embedded_model_dir=src / "models/embedded"
    )
    passes: list[float] = []
    started: list[float] = []

    def watch(phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2 or _timing[0]:
            return
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            passes.append(round((time.perf_counter() - started.pop()) * 1000, 1))

    async def turns(svc: Any) -> None:
        convs = [varied_conversation(k) for k in range(20)]
        sids = [(await svc.sessions.create_session("b")).session_id for _ in convs]
        for t in range(len(convs[0])):
            for k, sid in enumerate(sids):
                async for _ in svc.stream_turn(user_id="b", session_id=sid, text=convs[k][t]):
                    pass

    out: dict[str, Any] = {}
    try:
        async with AgentService.open(settings, catalog=catalog) as svc:
            gc.callbacks.append(watch)
            try:
                await turns(svc)
                out["tracked_objects"] = len(gc.get_objects())
                out["full_pass_ms"] = _full_pass_ms()
                out["frozen_objects"] = freeze_startup_heap()
                await turns(svc)
                out["tracked_objects_frozen"] = len(gc.get_objects())
                out["full_pass_frozen_ms"] = _full_pass_ms()
            finally:
                gc.callbacks.remove(watch)
                thaw()
    finally:
        catalog.close()
    out["frozen_over_not"] = round(out["full_pass_frozen_ms"] / out["full_pass_ms"], 3)
    out["passes_during_turns_ms"] = passes
    return out


def main() -> None:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        result = run_on_loop(measure(Path(tmp)))
    result.update(
        {
            **machine(load_before),
        }
    )
    write_result("gc_pause", result)


if __name__ == "__main__":
    main()
