"""Fixtures shared by the discovery tool tests: one demo catalog (with its looks file)
built once per session, and fresh commerce stores per test (SQLite, or both backends)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from shopagent.settings import Settings
from shopagent.tools.stores import Stores, open_stores


def discovery_settings(data: Path) -> Settings:
    return Settings(_env_file=None, data_dir=data)  # type: ignore[call-arg]


@contextlib.contextmanager
def hand_made_shop(
    tmp_path_factory: pytest.TempPathFactory, name: str, products: list[Any]
) -> Iterator[Any]:
    """A real catalog service over ``products`` (all ingested) in a fresh data folder."""
    from shopagent.retrieval import open_catalog

    cat = open_catalog(discovery_settings(tmp_path_factory.mktemp(name)))
    try:
        assert cat.ingest(products).ingested == len(products)
        yield cat
    finally:
        cat.close()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Settings]]:
    from shopagent.retrieval import build_demo_catalog

    settings = discovery_settings(tmp_path_factory.mktemp("discovery-demo"))
    cat = build_demo_catalog(settings, n=480)
    yield cat, settings
    cat.close()


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[Stores]:
    async with await open_stores(discovery_settings(tmp_path)) as s:
        yield s


@pytest.fixture(params=["sqlite", "redis"])
async def both(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stores]:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else "redis://x"
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        state_backend=request.param,  # type: ignore[call-arg]
        redis_url=url,
    )
    async with await open_stores(settings) as s:
        yield s
