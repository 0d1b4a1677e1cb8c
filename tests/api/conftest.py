"""Fixtures for the API tests: the real app with a scripted agent (api/_scripted.py),
in process over ASGI, or served by a real uvicorn on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import create_app
from api._scripted import ScriptedAgentService
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
