"""A small demo catalog shared by the read-only retrieval tests (built once per session;
the product-mutating tests build their own)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shopagent.settings import Settings

DEMO_N = 300


def demo_settings(data_dir: Path, **kw: object) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, environment="test", **kw)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo-catalog")


@pytest.fixture(scope="module")
def demo_catalog(demo_dir: Path) -> Iterator[object]:
    from shopagent.retrieval import build_demo_catalog

    catalog = build_demo_catalog(demo_settings(demo_dir), n=DEMO_N)
    yield catalog
    catalog.close()


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return demo_settings(data_dir)
