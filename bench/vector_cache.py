"""vector_cache: what a search for words no shopper typed before costs in the text-vector
cache (``retrieval/embed/_cache.py``): its vector looked up, missed, written. The file's
settings (a write-ahead log, ``synchronous=NORMAL``) against SQLite's defaults (a rollback
journal created, synced and deleted per commit, ``synchronous=FULL``), same code, same run,
alternating blocks; wall and CPU ms per new query, and their ratio."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import write_result  # noqa: E402
from shopagent.retrieval.embed._cache import VectorCache  # noqa: E402

QUERIES, BLOCKS = 200, 5


def _cache(folder: Path, name: str, defaults: bool) -> VectorCache:
    cache = VectorCache(folder / f"{name}.sqlite", 384)
    if defaults and cache._db is not None:  # the settings the file had before
        cache._db.execute("PRAGMA journal_mode=DELETE")
        cache._db.execute("PRAGMA synchronous=FULL")
    return cache


def _block(cache: VectorCache, first: int) -> tuple[float, float]:
    vector = np.ones(384, dtype=np.float32)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for i in range(first, first + QUERIES):
        key = f"query-{i}"
        if not cache.get_many([key]):
            cache.put_many({key: vector})
    return (
        (time.perf_counter() - wall0) * 1000 / QUERIES,
        (time.process_time() - cpu0) * 1000 / QUERIES,
    )


def main() -> None:
    arms: dict[str, list[tuple[float, float]]] = {"wal_normal": [], "sqlite_defaults": []}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        caches = {name: _cache(Path(tmp), name, name == "sqlite_defaults") for name in arms}
        for b in range(BLOCKS):
            for name in list(arms) if b % 2 == 0 else list(arms)[::-1]:
                arms[name].append(_block(caches[name], b * QUERIES))
        for cache in caches.values():
            cache.close()
    result: dict[str, object] = {"new_queries_per_arm": QUERIES * BLOCKS}
    medians = {
        (name, unit): statistics.median(run[k] for run in runs)
        for name, runs in arms.items()
        for k, unit in enumerate(("wall", "cpu"))
    }
    for (name, unit), ms in medians.items():
        result[f"{name}_{unit}_ms_per_new_query"] = round(ms, 3)
    for unit in ("wall", "cpu"):
        ratio = medians["wal_normal", unit] / medians["sqlite_defaults", unit]
        result[f"{unit}_ratio_wal_over_defaults"] = round(ratio, 3)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    result["measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    write_result("vector_cache", result)


if __name__ == "__main__":
    main()
