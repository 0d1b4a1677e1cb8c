"""A quickly trained embedded tier (cached across sessions by training.embedded.quick_model)
and the demo catalog vocabulary it was trained for."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest


@pytest.fixture(scope="session")
def demo_facets() -> dict[str, list[str]]:
    from shopagent.retrieval.demo import vocabulary

    return vocabulary()


@pytest.fixture(scope="session")
def trained_settings(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from shopagent.training.embedded import quick_model

    settings = SimpleNamespace(
        embedded_model_path=Path(tmp_path_factory.mktemp("embedded")) / "model",
        nlu_confidence_threshold=0.6,
    )
    quick_model(settings)
    return settings


@pytest.fixture(scope="session")
def tier(trained_settings: Any, demo_facets: dict[str, list[str]]) -> Any:
    from shopagent.agent.embedded import EmbeddedTier

    return EmbeddedTier.load(trained_settings, demo_facets)


@pytest.fixture(scope="session")
def encode() -> object:
    """The catalog's text encoder (the real MiniLM, torch), loaded once for the small shops'
    tests (tests/agent/embedded/mini_shop.py)."""
    from shopagent.retrieval.embed import TextEmbedder

    return TextEmbedder(None, encoder="torch").encode
