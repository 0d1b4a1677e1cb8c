"""The MCP endpoint: shopagent's tools over streamable HTTP at ``/mcp``.

Authenticated with the same API keys as /v1 (``Authorization: Bearer <key>``) and counted
against the same per-user rate limit; every tool call runs for the key's user. The
transport is stateless with JSON responses (the SDK's ``StreamableHTTPSessionManager``):
no MCP session lives in one process, so any replica behind a load balancer can answer
any request, and proposals of writes travel as signed tokens (tools/mcp/_tokens.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from shopagent.api._errors import error_response
from shopagent.api._logging import user_id_var
from shopagent.api.deps import ChatService, resolve_user
from shopagent.errors import RateLimited
from shopagent.tools.mcp import ShopToolServer, TokenSigner

log = logging.getLogger("api.mcp")
MCP_PATH = "/mcp"
_USER_KEY = "shopagent.user_id"


def _user_of(ctx: Any) -> str | None:
    request = getattr(ctx, "request", None)
    scope = getattr(request, "scope", None) or {}
    user = scope.get(_USER_KEY)
    return user if isinstance(user, str) else None


class McpEndpoint:
    """The ASGI app behind /mcp: the API key check, then the SDK's transport."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self.tools = ShopToolServer(
            self._service, _user_of, TokenSigner.from_settings(app.state.settings)
        )
        self._manager: StreamableHTTPSessionManager | None = None
        self._runner: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._open = False
        self._lock = asyncio.Lock()

    def _service(self) -> ChatService | None:
        # The service the lifespan opened (None before and after): it serves the tools too.
        svc: ChatService | None = self._app.state.service
        return svc

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """While the app runs. The SDK's manager is started by the first /mcp request (an
        app that never serves MCP pays nothing) in a task of its own: its task group must
        be entered and left by one task, which a server's lifespan does not promise."""
        self._open = True
        try:
            yield
        finally:
            self._open = False
            if self._runner is not None and self._stop is not None:
                self._stop.set()
                with contextlib.suppress(Exception):
                    await self._runner
            self._runner = self._stop = self._manager = None

    async def _started(self) -> StreamableHTTPSessionManager | None:
        if self._manager is not None or not self._open:
            return self._manager
        async with self._lock:
            if self._manager is None and self._open:
                ready, stop = asyncio.Event(), asyncio.Event()
                manager = StreamableHTTPSessionManager(
                    app=self.tools.server,
                    stateless=True,
                    json_response=True,
                    security_settings=None,
                )

                async def run() -> None:
                    async with manager.run():
                        ready.set()
                        await stop.wait()

                self._stop, self._runner = stop, asyncio.create_task(run(), name="mcp-http")
                await ready.wait()
                self._manager = manager
        return self._manager

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        state = self._app.state
        scheme, _, key = (Headers(scope=scope).get("authorization") or "").partition(" ")
        key = key.strip()
        user = resolve_user(state.settings, key) if scheme.lower() == "bearer" and key else None
        if user is None:
            message = (
                "invalid API key" if key else "missing API key: send Authorization: Bearer <key>"
            )
            headers = {"WWW-Authenticate": "Bearer"}
            await error_response(401, "unauthorized", message, headers)(scope, receive, send)
            return
        try:
            await state.rate_limiter.hit(user)
        except RateLimited as exc:
            headers = {"Retry-After": str(max(1, int(exc.retry_after_s)))}
            await error_response(429, exc.code, exc.message, headers)(scope, receive, send)
            return
        manager = await self._started()
        if manager is None:
            await error_response(503, "unavailable", "the service is not running")(
                scope, receive, send
            )
            return
        user_id_var.set(user)
        scope[_USER_KEY] = user
        await manager.handle_request(scope, receive, send)


def mount_mcp(app: FastAPI) -> McpEndpoint:
    """Add /mcp to ``app``; the app's lifespan must enter ``endpoint.running()``."""
    endpoint = McpEndpoint(app)
    app.router.routes.append(
        Route(MCP_PATH, endpoint, methods=["GET", "POST", "DELETE"], include_in_schema=False)
    )
    app.state.mcp = endpoint
    return endpoint
