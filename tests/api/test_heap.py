"""The serving process keeps what startup made out of the garbage collector's passes while
the app runs (api/_heap.py), and gives it back when the app stops."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from shopagent.api import create_app
from shopagent.api._scripted import ScriptedAgentService
from tests.api.helpers import make_settings


async def test_startup_objects_are_left_out_of_collections_while_serving(
    data_dir: Path,
) -> None:
    made_at_startup: list[Any] = []

    @contextlib.asynccontextmanager
    async def opener(settings: Any) -> AsyncIterator[Any]:
        async with ScriptedAgentService.open(settings) as svc:
            # stands for the models, the index and the graph the real service opens
            made_at_startup.extend({"row": i, "refs": [i]} for i in range(2000))
            yield svc

    app = create_app(make_settings(data_dir), open_service=opener)
    gc.unfreeze()
    before = gc.get_threshold()
    gc.set_threshold(700, *before[1:])  # Python's default young generation
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() >= 2 * len(made_at_startup) > 0
            # young passes every 10,000 net allocations while serving, not every 700
            assert gc.get_threshold() == (10_000, *before[1:])
            tracked = {id(o) for o in gc.get_objects()}  # what a full pass visits
            assert not any(id(o) in tracked for o in made_at_startup)
            made_later: dict[str, Any] = {}
            made_later["self"] = made_later  # a cycle only the collector can free
            assert id(made_later) in {id(o) for o in gc.get_objects()}
        assert gc.get_freeze_count() == 0  # stopped: collected as before
        assert gc.get_threshold() == (700, *before[1:])
        tracked = {id(o) for o in gc.get_objects()}
        assert all(id(o) in tracked for o in made_at_startup)
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
