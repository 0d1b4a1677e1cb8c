"""Fixtures for the API tests: the real app with a scripted agent (api/_scripted.py),
in process over ASGI, or served by a real uvicorn on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shopagent.api import create_app
from shopagent.api._scripted import ScriptedAgentService
from tests.api.helpers import Api, LiveServer, make_settings

ApiFactory = Callable[..., Any]


@pytest.fixture
async def api_factory(data_dir: Path) -> AsyncIterator[ApiFactory]:
    """make(**settings_overrides, model_delay_s=0.0) -> Api, with the lifespan running."""
    from contextlib import AsyncExitStack

    async with AsyncExitStack() as stack:

        async def make(model_delay_s: float = 0.0, **overrides: Any) -> Api:
            settings = make_settings(data_dir, **overrides)
            app = create_app(
                settings,
                open_service=lambda s: ScriptedAgentService.open(s, model_delay_s=model_delay_s),
            )
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://testserver"
                )
            )
            return Api(app, client)

        yield make


@pytest.fixture
async def api(api_factory: ApiFactory) -> Api:
    return await api_factory()  # type: ignore[no-any-return]


@pytest.fixture
def live_factory(data_dir: Path) -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def make(model_delay_s: float = 0.0, **overrides: Any) -> LiveServer:
        settings = make_settings(data_dir, **overrides)
        app = create_app(
            settings,
            open_service=lambda s: ScriptedAgentService.open(s, model_delay_s=model_delay_s),
        )
        server = LiveServer(app).__enter__()
        servers.append(server)
        return server

    yield make
    for s in servers:
        s.__exit__()


@pytest.fixture(scope="session")
def demo_catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real demo catalog (index and product images), built once per session."""
    from shopagent.retrieval import build_demo_catalog

    data = tmp_path_factory.mktemp("api-catalog")
    build_demo_catalog(make_settings(data, demo_catalog_size=60), n=60).close()
    return data


@pytest.fixture
def real_data_dir(demo_catalog_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the demo catalog's data folder, for one real AgentService."""
    import shutil

    data = tmp_path / "real-data"
    shutil.copytree(demo_catalog_dir, data)
    return data


@pytest.fixture(scope="session")
def shop_catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """The page's test shop (tests/api/shop_fixture.py): (open catalog, its data folder),
    built once per session; tests give their services their own data folder for state."""
    from tests.api import shop_fixture

    data = tmp_path_factory.mktemp("shop-catalog")
    catalog = shop_fixture.build(make_settings(data))
    yield catalog, data
    catalog.close()
