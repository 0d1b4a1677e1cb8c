"""turn_parts: what each part of the embedded turn costs the turn, found by taking it away.

``turn_cpu`` times the MiniLM passes on the thread they run on; a part also costs the rest of
the turn (its weights and data push the rest's out of the caches, its threads wake and
hand back), so its thread time understates what removing it would save. Here each part is
taken away in A/B blocks inside one process, on one service and the same data:

- A: the turn as it is; B: the same turn with one part's outputs served from a memo filled
  in an untimed pass (same inputs, so the same outputs and the same decisions downstream);
- the same 20 conversations of ``turn_cpu``'s ``embedded_varied`` run as A and as B on two
  sets of sessions, turn by turn, the blocks of 20 turns alternating which goes first; the
  per-text caches (intent scores, matcher vectors, query vectors in memory, ``parse``) are
  emptied before every block, as for text no shopper has typed before;
- ``saved`` = A - B, CPU ms per turn (process time: all threads); ``by_thread_ms``: the same
  by thread, for A ("with") and B ("without"): the event loop's, the catalog worker threads'
  and the SQLite connections' (from /proc, Linux; 10 ms ticks, summed over the blocks);
- the heap is frozen after the untimed pass, as the app freezes it at startup (``api/_heap``:
  ``gc.freeze`` and its collector thresholds): the memo keeps every search's products
  alive, and the collector's full passes over them (which a server without the memo would
  not make) were 2 ms of A's turn before this.

Alternatives are measured the same way, B running the alternative instead of a memo: a
negative ``saved_ms`` is what the alternative costs more than the turn as it is.

Parts: ``intent_model`` (the 4-layer MiniLM intent pass), ``plugin_matcher`` (the matcher's
MiniLM pass: the last 2 layers over the intent pass's states, or a whole pass when those do
not fit), ``catalog_search`` (``CatalogService.search``: query vector, the engine's
probe and hybrid query, the page's records). Alternatives: ``torch_intent`` (the intent
model as before 2026-12-01: MiniLM's first 4 layers on torch, TorchScript, its head trained
for the same catalog here, and the matcher's whole MiniLM pass), ``fused_query_always``
(a search runs its fused query even when the probe found no product under the filters) and
``gc_default_threshold`` (young collections every 700 net allocations, as before
``api/_heap`` raised it).
``BENCH_DATA`` as in ``turn_cpu``; parts named on the command line run alone
(``bench/turn_parts.py catalog_search``). Runs on the event loop the server runs on
(uvloop when installed, as uvicorn picks it).
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import machine, run_on_loop, write_result  # noqa: E402
from bench.turn_cpu import _catalog_source, varied_conversation  # noqa: E402

CONVERSATIONS = 20


class _Memo:
    """Wraps ``owner.name``: with ``on``, answers from the memo when it has the call."""

    def __init__(self, owner: Any, name: str, key: Callable[..., Any]) -> None:
        self.on, self.memo = False, {}  # type: ignore[var-annotated]
        real = getattr(owner, name)
        self.restore = lambda: setattr(owner, name, real)

        def served(*a: Any, **kw: Any) -> Any:
            k = key(*a, **kw)
            if self.on and k in self.memo:
                return self.memo[k]
            out = self.memo[k] = real(*a, **kw)
            return out

        setattr(owner, name, served)


class _Swap:
    """B runs an alternative: ``swap(True)`` puts it in, ``swap(False)`` takes it out."""

    def __init__(self, swap: Callable[[bool], None]) -> None:
        self._swap, self._on = swap, False

    @property
    def on(self) -> bool:
        return self._on

    @on.setter
    def on(self, value: bool) -> None:
        self._on = value
        self._swap(value)

    def restore(self) -> None:
        self._swap(False)


def _torch_intent(svc: Any, catalog: Any, tmp: Path) -> _Swap:
    from types import SimpleNamespace

    from shopagent.agent.embedded import IntentModel
    from shopagent.training.embedded import TrainConfig, ensure_model

    folder = tmp / "torch-intent" / "embedded"
    settings = SimpleNamespace(embedded_model_path=folder)
    ensure_model(settings, catalog, progress=False, cfg=TrainConfig(runtime="torch"))
    tier = svc.deps.embedded
    old, new, held = IntentModel.load(folder), tier.model, tier.plugins.held_vector

    def swap(b: bool) -> None:
        tier.model = old if b else new
        tier.plugins.held_vector = None if b else held

    return _Swap(swap)


def _fused_query_always(catalog: Any) -> _Swap:
    from shopagent.retrieval.service import DENSE_FLOOR, DENSE_MARGIN, TEXT, CatalogService

    now = CatalogService._hybrid

    def before(self: Any, query: str, cond: Any, window: int, payload: Any = True) -> Any:
        dense = self.text.embed_one(query)
        best = self.index.nearest(TEXT, dense, cond, limit=1, with_payload=False)
        threshold = max(DENSE_FLOOR, best[0].score - DENSE_MARGIN) if best else None
        return self.index.hybrid(
            dense,
            self.sparse.query(query),
            cond,
            limit=window,
            prefetch=window,
            with_payload=payload,
            dense_threshold=threshold,
        )

    def swap(b: bool) -> None:
        CatalogService._hybrid = before if b else now  # type: ignore[method-assign]

    return _Swap(swap)


def _gc_default_threshold() -> _Swap:
    """B collects the young generation every 700 net allocations, Python's default (the
    app's frozen heap runs one every ``api._heap.YOUNG_THRESHOLD``)."""
    serving = gc.get_threshold()

    def swap(b: bool) -> None:
        gc.set_threshold(700 if b else serving[0], *serving[1:])

    return _Swap(swap)


def _take_away(part: str, svc: Any, catalog: Any, tmp: Path) -> _Memo | _Swap:
    if part == "gc_default_threshold":
        return _gc_default_threshold()
    if part == "torch_intent":
        return _torch_intent(svc, catalog, tmp)
    if part == "fused_query_always":
        return _fused_query_always(catalog)
    tier = svc.deps.embedded
    if part == "intent_model":
        if tier.model.encoder is not None:  # the ONNX layers (the head still runs)
            return _Memo(tier.model.encoder, "trunk", lambda ids: tuple(map(tuple, ids)))
        return _Memo(tier.model, "_logits", lambda ids: tuple(ids))
    if part == "plugin_matcher":
        memo = _Memo(tier.plugins, "_encode_query", lambda meaning: meaning)
        tier.plugins._query_vector = tier.plugins._encode_query  # (its LRU held the original)
        return memo
    if part == "catalog_search":
        from shopagent.retrieval.service import CatalogService

        return _Memo(
            CatalogService,
            "search",
            lambda self, q, f=None, page=1, size=10: (q, repr(f), page, size),
        )
    raise SystemExit(f"turn_parts: no part {part!r}")


def _forget_texts(svc: Any, catalog: Any) -> None:
    """Empty the caches keyed by text, so every block's turns are new to the process."""
    from shopagent.agent.embedded import _parse

    tier = svc.deps.embedded
    tier.model._scores.cache_clear()
    if hasattr(tier.plugins._query_vector, "cache_clear"):
        tier.plugins._query_vector.cache_clear()
    catalog.text._recent.cache_clear()
    _parse.parse.cache_clear()


def _thread_cpu_ms() -> Counter[str]:
    """CPU ms of each live thread of this process, by Python thread name (Linux /proc)."""
    names = {str(t.native_id): t.name.split(" (")[0] for t in threading.enumerate()}
    out: Counter[str] = Counter()
    tick = os.sysconf("SC_CLK_TCK")
    for tid in os.listdir("/proc/self/task"):
        try:
            fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = names.get(tid, "other")
        name = "catalog workers" if name.startswith("asyncio_") else name
        name = "SQLite connections" if name.startswith("Thread-") else name
        out[name] += (int(fields[11]) + int(fields[12])) * 1000 / tick
    return out


async def run_part(part: str, tmp: Path) -> dict[str, Any]:
    from shopagent.agent.service import AgentService
    from shopagent.api._heap import freeze_startup_heap, thaw
    from shopagent.retrieval import open_catalog
    from shopagent.retrieval.embed._cache import VectorCache
    from shopagent.settings import Settings

    src = _catalog_source(tmp)
    catalog = open_catalog(Settings(data_dir=src))
    catalog.text.close()  # a query-vector cache of this run's own (see turn_cpu)
    catalog.text._cache = VectorCache(tmp / "query-vectors.sqlite", catalog.text.dim)
    settings = Settings(
        data_dir=tmp / "state", state_backend="sqlite", embedded_model_dir=src / "models/embedded"
    )
    convs = [varied_conversation(k) for k in range(CONVERSATIONS)]
    cpu, turns = {False: 0.0, True: 0.0}, {False: 0, True: 0}
    threads: Counter[str] = Counter()
    try:
        async with AgentService.open(settings, catalog=catalog) as svc:
            if svc.deps.embedded is None or svc.deps.embedded.plugins is None:
                raise SystemExit("turn_parts: the embedded tier (with plugin tools) did not load")
            memo = _take_away(part, svc, catalog, tmp)

            async def conversation_set(user: str) -> list[str]:
                return [(await svc.sessions.create_session(user)).session_id for _ in convs]

            async def block(sids: list[str], t: int) -> None:
                for k, sid in enumerate(sids):
                    events = [
                        e
                        async for e in svc.stream_turn(
                            user_id="b", session_id=sid, text=convs[k][t]
                        )
                    ]
                    assert events[-1].type == "done" and not any(e.type == "error" for e in events)

            memo.on = True  # the untimed pass that fills the memo
            warm = await conversation_set("b")
            for t in range(len(convs[0])):
                await block(warm, t)
            # What the memo holds (every search's products) must not make the collector's
            # full passes, which a process without it would not run, part of A's figure.
            gc.collect()
            freeze_startup_heap()  # as the app serves it (and its collector thresholds)
            sets = {False: await conversation_set("b"), True: await conversation_set("b")}
            for t in range(len(convs[0])):
                for taken in (False, True) if t % 2 == 0 else (True, False):
                    memo.on = taken
                    _forget_texts(svc, catalog)
                    before = _thread_cpu_ms()
                    cpu0 = time.process_time()
                    await block(sets[taken], t)
                    if t > 0:  # first turns (a new session each) untimed, as in turn_cpu
                        cpu[taken] += time.process_time() - cpu0
                        turns[taken] += len(convs)
                        for name, ms in (_thread_cpu_ms() - before).items():
                            threads[f"{name}, {'without' if taken else 'with'}"] += ms
            memo.restore()
    finally:
        thaw()
        catalog.close()
    a, b = (cpu[x] * 1000 / turns[x] for x in (False, True))
    out: dict[str, Any] = {
        "with_ms": round(a, 2),
        "without_ms": round(b, 2),
        "saved_ms": round(a - b, 2),
        "turns_each": turns[False],
    }
    out["by_thread_ms"] = {k: round(v / turns[False], 2) for k, v in threads.most_common()}
    return out


def main() -> None:
    load_before = os.getloadavg()
    parts = sys.argv[1:] or [
        "intent_model",
        "plugin_matcher",
        "catalog_search",
        "torch_intent",
        "fused_query_always",
        "gc_default_threshold",
    ]
    result: dict[str, Any] = {}
    for part in parts:
        with tempfile.TemporaryDirectory() as tmp:
            result[part] = run_on_loop(run_part(part, Path(tmp)))
        print(f"  {part}: {result[part]}", flush=True)
    result.update(
        {
            "what": "CPU ms per embedded_varied turn with each part and without it (its "
            "outputs served from a memo), or with an alternative instead (torch_intent, "
            "fused_query_always, gc_default_threshold), A/B blocks in one process",
            **machine(load_before),
        }
    )
    write_result("turn_parts", result)


if __name__ == "__main__":
    main()
