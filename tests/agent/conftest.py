"""Fixtures for agent tests: a small real catalog (built once), real stores and
checkpointers on both backends, and a scripted OpenAI-compatible model server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from shopagent.agent.fake_openai import FakeOpenAIServer
from shopagent.settings import Settings


@pytest.fixture(scope="session")
def small_catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding a small demo catalog index, built once per test session."""
    from shopagent.retrieval import build_demo_catalog

    data = tmp_path_factory.mktemp("catalog-data")
    settings = Settings(data_dir=data, demo_catalog_size=240)
    build_demo_catalog(settings, n=240).close()
    return data


@pytest.fixture(scope="session")
def shared_catalog(small_catalog_dir: Path) -> Iterator[object]:
    """One open catalog for all agent tests: they only read it."""
    from shopagent.retrieval import open_catalog

    catalog = open_catalog(Settings(data_dir=small_catalog_dir))
    yield catalog
    catalog.close()


@pytest.fixture
def fake_model() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(model="shop-lora") as server:
        yield server


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def agent_settings(
    backend: str, small_catalog_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Settings:
    redis_url = request.getfixturevalue("redis_url") if backend == "redis" else "redis://unused"
    return Settings(
        data_dir=tmp_path / "data",
        state_backend=backend,
        redis_url=redis_url,
        demo_catalog_size=240,
    )


@pytest.fixture
async def service_factory(agent_settings: Settings, shared_catalog: object) -> AsyncIterator:
    """Open an AgentService with the given tiers; closes everything afterwards."""
    from contextlib import AsyncExitStack

    from shopagent.agent.service import AgentService

    async with AsyncExitStack() as stack:

        async def make(*, embedded: object = None, **overrides: object) -> AgentService:
            settings = agent_settings.model_copy(update=overrides)
            return await stack.enter_async_context(
                AgentService.open(settings, catalog=shared_catalog, embedded=embedded)
            )

        yield make


def _pick(catalog: object) -> tuple[str, dict[str, str]]:
    """A product in stock and the options that select one available variant of it."""
    for hit in catalog.search("", {}, page_size=50).hits:  # type: ignore[attr-defined]
        pid = hit.product.id if hasattr(hit, "product") else hit.id
        product = catalog.get_product(pid)  # type: ignore[attr-defined]
        for v in product.variants:
            if v.available:
                return product.id, {
                    k: str(x) for k, x in v.options.items() if k in ("size", "color")
                }
        if not product.variants and product.available:
            return product.id, {}
    raise AssertionError("no product in stock")


@pytest.fixture
def pick_product():  # type: ignore[no-untyped-def]
    return _pick
