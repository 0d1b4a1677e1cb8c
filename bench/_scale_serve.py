"""The serving side of the scale benchmark: fresh processes on an index already on disk.

- :func:`serve_rss`: a real ``shopagent serve`` on the catalog's data folder: seconds to
  ready, resident memory at ready and after a few chat turns (the embedded tier searches
  the catalog).
- :func:`probe`: run in its own process (``bench/scale.py --probe``): opens the catalog
  with ``open_catalog`` (the code path ``serve`` uses), times filtered hybrid queries at the
  engine and through ``CatalogService.search``, then measures recall against exact search.
  The process holds nothing but the catalog, so its memory is the service's.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def mem_mb(pid: int | str = "self") -> dict[str, float]:
    """VmRSS (what the 6 GB target counts: heap plus mapped file pages in RAM), split into
    anonymous (heap) and file-backed pages, and the peak."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key = line.split(":")[0]
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            out[key] = round(int(line.split()[1]) / 1024, 1)
    return {
        "rss_mb": out.get("VmRSS", 0.0),
        "rss_anon_mb": out.get("RssAnon", 0.0),
        "rss_file_mb": out.get("RssFile", 0.0),
        "peak_rss_mb": out.get("VmHWM", 0.0),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(url: str, key: str, body: dict[str, Any] | None = None) -> bytes:
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=120) as resp:
        return bytes(resp.read())


def serve_rss(data_dir: Path, env: dict[str, str], turns: list[str]) -> dict[str, Any]:
    port, key = _free_port(), "bench-scale-key"
    env = {
        **os.environ,
        **env,
        "SHOPAGENT_DATA_DIR": str(data_dir),
        "SHOPAGENT_PORT": str(port),
        "SHOPAGENT_HOST": "127.0.0.1",
        "SHOPAGENT_DEV_API_KEY": key,
        "SHOPAGENT_LOG_LEVEL": "WARNING",
    }
    log = open(data_dir / "serve.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "shopagent.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"shopagent serve exited; see {data_dir / 'serve.log'}")
            try:
                urllib.request.urlopen(f"{base}/readyz", timeout=2).read()
                break
            except OSError:
                if time.perf_counter() - t0 > 900:
                    raise SystemExit("shopagent serve not ready in 900 s") from None
                time.sleep(0.5)
        out: dict[str, Any] = {"ready_seconds": round(time.perf_counter() - t0, 1)}
        out["at_ready"] = mem_mb(proc.pid)
        sid = json.loads(_request(f"{base}/v1/sessions", key, {}))["session_id"]
        ms = []
        for text in turns:
            t = time.perf_counter()
            _request(f"{base}/v1/sessions/{sid}/messages", key, {"text": text})
            ms.append((time.perf_counter() - t) * 1000)
        out["turns"] = len(turns)
        out["turn_p50_ms"] = round(float(np.percentile(ms, 50)), 1) if ms else None
        out["after_turns"] = mem_mb(proc.pid)
        return out
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _pct(xs: list[float], q: float) -> float | None:
    return round(float(np.percentile(np.asarray(xs), q)), 3) if xs else None


def probe(data_dir: Path, queries_file: Path, out_file: Path) -> None:
    """The query side, in a process of its own (see the module docstring)."""
    from shopagent.retrieval import open_catalog
    from shopagent.retrieval.index import TEXT, Conditions
    from shopagent.retrieval.schema import SearchFilters
    from shopagent.settings import Settings

    queries = json.loads(queries_file.read_text())
    t0 = time.perf_counter()
    catalog = open_catalog(Settings(data_dir=data_dir))
    result: dict[str, Any] = {"open_seconds": round(time.perf_counter() - t0, 2)}
    result["after_open"] = mem_mb()
    index, text, sparse = catalog.index, catalog.text, catalog.sparse
    conds = [Conditions.from_filters(SearchFilters(**q["filters"])) for q in queries]
    dense = {q["text"]: text.embed_one(q["text"]) for q in queries}
    sparse_q = {q["text"]: sparse.query(q["text"]) for q in queries}

    def engine(i: int, exact: bool = False) -> list[Any]:
        q = queries[i]["text"]
        return index.hybrid(
            dense[q],
            sparse_q[q],
            conds[i],
            limit=10,
            prefetch=100,
            with_payload=["pid"],
            exact=exact,
        )

    for i in range(min(20, len(queries))):  # warm up, as a running service is
        engine(i)
    lat, cpu, got, faults = [], [], [], []
    for i in range(len(queries)):
        f = resource.getrusage(resource.RUSAGE_SELF).ru_majflt
        t, c = time.perf_counter(), time.process_time()
        got.append(engine(i))
        lat.append((time.perf_counter() - t) * 1000)
        # Page faults that waited for the disk: a memory-mapped part of the index that was
        # not in RAM (each costs a disk read; on-disk vectors read to rescore show here).
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_majflt - f)
        # CPU of every thread of the process: what a query costs whatever else runs on
        # the machine (wall time on a shared machine also counts waiting for a core).
        cpu.append((time.process_time() - c) * 1000)
    svc, svc_cpu = [], []
    for q in queries:  # the whole search a tool call makes, query embedding included
        t, c = time.perf_counter(), time.process_time()
        catalog.search(q["text"], q["filters"], page_size=10)
        svc.append((time.perf_counter() - t) * 1000)
        svc_cpu.append((time.process_time() - c) * 1000)
    result["after_queries"] = mem_mb()
    by_class: dict[str, list[float]] = {}
    for q, ms in zip(queries, lat, strict=True):
        by_class.setdefault(q["class"], []).append(ms)
    cpu_by_class: dict[str, list[float]] = {}
    for q, ms in zip(queries, cpu, strict=True):
        cpu_by_class.setdefault(q["class"], []).append(ms)
    recalls, dense_recalls = [], []
    for i, hits in enumerate(got):
        truth = engine(i, exact=True)
        if truth:
            want = {h.product_id for h in truth}
            recalls.append(len({h.product_id for h in hits} & want) / len(want))
        q = queries[i]["text"]
        a = index.nearest(TEXT, dense[q], conds[i], limit=10, with_payload=False)
        b = index.hybrid(
            dense[q], ([], []), conds[i], limit=10, prefetch=10, with_payload=["pid"], exact=True
        )
        if b:
            want = {h.product_id for h in b}
            dense_recalls.append(len({h.product_id for h in a} & want) / len(want))
    slowest = sorted(range(len(lat)), key=lat.__getitem__)[-5:]
    result.update(
        {
            "queries": len(queries),
            "hybrid_filtered_p50_ms": _pct(lat, 50),
            "hybrid_filtered_p99_ms": _pct(lat, 99),
            "hybrid_filtered_cpu_p50_ms": _pct(cpu, 50),
            "hybrid_filtered_cpu_p99_ms": _pct(cpu, 99),
            "disk_page_faults_per_query": round(float(np.mean(faults)), 2),
            "by_filter": {
                k: {
                    "queries": len(v),
                    "p50_ms": _pct(v, 50),
                    "p99_ms": _pct(v, 99),
                    "cpu_p99_ms": _pct(cpu_by_class[k], 99),
                }
                for k, v in sorted(by_class.items())
            },
            "search_service_p50_ms": _pct(svc, 50),
            "search_service_p99_ms": _pct(svc, 99),
            "search_service_cpu_p50_ms": _pct(svc_cpu, 50),
            "search_service_cpu_mean_ms": round(float(np.mean(svc_cpu)), 3),
            "slowest_queries": [
                {
                    "ms": round(lat[i], 2),
                    "cpu_ms": round(cpu[i], 2),
                    "disk_page_faults": faults[i],
                    "text": queries[i]["text"],
                    "class": queries[i]["class"],
                    "filters": queries[i]["filters"],
                    "matching_products": index.count(conds[i]),
                }
                for i in reversed(slowest)
            ],
            "recall_at_10": round(float(np.mean(recalls)), 4) if recalls else None,
            "dense_recall_at_10": round(float(np.mean(dense_recalls)), 4)
            if dense_recalls
            else None,
        }
    )
    catalog.close()
    out_file.write_text(json.dumps(result, indent=2) + "\n")


def run_probe(data_dir: Path, queries: list[dict[str, Any]], env: dict[str, str]) -> dict[str, Any]:
    qf, of = data_dir / "queries.json", data_dir / "probe.json"
    qf.write_text(json.dumps(queries))
    of.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scale.py"), "--probe", str(data_dir)],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    return dict(json.loads(of.read_text()))
