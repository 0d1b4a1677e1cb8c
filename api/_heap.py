"""The serving process's heap: what startup made is kept out of the garbage collector's passes.

The service's startup leaves ~600k objects alive for the life of the process (the models,
the catalog index, the compiled graph, imported modules). A full (generation 2) collection
visits every one: 350 ms on a 2-core machine, on whichever thread happens to allocate, which
in the server is the event loop, so every open stream stalls at once; one ran in the first
240 turns of a fresh server. Frozen (``gc.freeze``), they are never visited, and a full pass
sees only what the service made since: 1.3 ms (``scripts/bench.sh gc_pause``,
docs/performance.md). The app's lifespan freezes once the service is open and thaws on the
way out, so a process that goes on after it (tests, embedding apps) collects as before.

While frozen, a young-generation pass runs after 10,000 net allocations of container
objects instead of Python's 700: a turn allocates thousands (messages, product cards, the
checkpoint's history) that reference counting frees, and at 700 each turn ran one or two
passes over whatever happened to be alive. Cyclic garbage waits a little longer (at most
10,000 objects). Measured in one process, A/B (docs/performance.md, "sixth pass").
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
_before: list[tuple[int, int, int]] = []  # the thresholds ``thaw`` puts back


def freeze_startup_heap() -> int:
    """Keep every object alive now out of later collections; returns how many are frozen.

    No collection first: it would cost a full pass at every start (~0.35 s), and what is
    garbage now is freed by reference counting or, in cycles, at ``thaw``."""
    gc.freeze()
    young, *older = gc.get_threshold()
    if not _before:
        _before.append((young, *older))  # type: ignore[arg-type]
    if young:  # 0: collection is off, and stays off
        gc.set_threshold(max(young, YOUNG_THRESHOLD), *older)
    return gc.get_freeze_count()


def thaw() -> None:
    """Put the frozen objects back under the collector and the collector's thresholds as
    they were (the app is shutting down)."""
    gc.unfreeze()
    if _before:
        gc.set_threshold(*_before.pop())
