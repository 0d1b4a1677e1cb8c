"""The app factory: ``create_app(settings)``; its lifespan opens the AgentService.

Besides /v1 (api/routes.py) it serves the chat page at /, its assets at /static, product
images at /media/products, and /healthz, /readyz, /metrics for operators.
"""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from shopagent.api._errors import install_error_handlers
from shopagent.api._heap import freeze_startup_heap, thaw
from shopagent.api._limits import (
    BodyLimitMiddleware,
    MemoryRateLimiter,
    MemoryTurnLocks,
    RedisRateLimiter,
    RedisTurnLocks,
)
from shopagent.api._logging import RequestContextMiddleware
from shopagent.api._metrics import ApiMetrics
from shopagent.api._ops import AuthFailures, public_readiness, require_metrics_token
from shopagent.api._stream import Drain
from shopagent.api.boards import router as boards_router
from shopagent.api.deps import ChatService
from shopagent.api.mcp import mount_mcp
from shopagent.api.openapi import build_openapi
from shopagent.api.routes import router
from shopagent.api.schema import HealthOut, ReadyOut
from shopagent.settings import Settings, get_settings

log = logging.getLogger("api")
STATIC_DIR = Path(__file__).parent / "static"
ServiceOpener = Callable[[Settings], AbstractAsyncContextManager[ChatService]]


def _open_agent_service(settings: Settings) -> AbstractAsyncContextManager[ChatService]:
    from shopagent.agent.service import AgentService  # heavy: the graph, models, the index

    return AgentService.open(settings)


def create_app(
    settings: Settings | None = None, *, open_service: ServiceOpener | None = None
) -> FastAPI:
    """Build the app. ``open_service`` replaces ``AgentService.open`` (benchmarks and
    tests that script the agent)."""
    settings = settings or get_settings()
    opener = open_service or _open_agent_service

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis: Any = None
        if settings.state_backend == "redis":
            from shopagent.redis import async_redis

            redis = async_redis(settings, max_connections=128)
            app.state.rate_limiter = RedisRateLimiter(redis, settings.rate_limit_per_minute)
            # A short TTL renewed by a heartbeat: a crashed process frees its sessions
            # within turn_lock_ttl_s; a restarted one clears its own at once.
            locks = RedisTurnLocks(redis, settings.turn_lock_ttl_s, settings.lock_owner)
            try:
                cleared = await locks.clear_own()
                if cleared:
                    log.info("cleared %d turn locks left by this instance's last run", cleared)
            except Exception:
                log.warning("could not clear stale turn locks (they expire on their own)")
            app.state.turn_locks = locks
        app.state.redis = redis
        try:
            async with opener(settings) as svc, app.state.mcp.running():
                app.state.service = svc
                frozen = freeze_startup_heap()  # out of the collector's passes (_heap.py)
                log.info(
                    "api ready",
                    extra={"state_backend": settings.state_backend, "frozen_objects": frozen},
                )
                yield
        finally:
            thaw()
            app.state.service = None
            if redis is not None:
                await redis.aclose()

    docs = settings.docs_exposed
    app = FastAPI(
        title="shopagent",
        # Production hides the API's map unless SHOPAGENT_EXPOSE_DOCS says otherwise.
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
        version="0.1.0",
        description="A shopping assistant over HTTP: sessions, streamed turns (SSE), "
        "confirmations for writes, photo upload for visual search.",
        lifespan=lifespan,
        generate_unique_id_function=lambda route: route.name,
    )
    metrics = ApiMetrics(settings.model_prices)
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.service = None
    app.state.redis = None
    app.state.rate_limiter = MemoryRateLimiter(settings.rate_limit_per_minute)
    app.state.turn_locks = MemoryTurnLocks()
    app.state.drain = Drain(settings.shutdown_grace_s)
    app.state.auth_failures = AuthFailures(settings.auth_failures_per_minute)

    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    app.include_router(router)
    app.include_router(boards_router)  # shared boards: read-only, by link token
    _add_operator_routes(app, settings, metrics)
    mount_mcp(app)  # MCP endpoint (/mcp): the same tools for other agents, same API keys
    _add_page(app, settings)
    # For the Allow header of 405s (see api/_errors.py).
    app.state.route_methods = [
        (r.path_regex, set(r.methods or ()))  # type: ignore[attr-defined]
        for r in [*router.routes, *boards_router.routes, *app.router.routes]
        if getattr(r, "path_regex", None) is not None and getattr(r, "methods", None)
    ]
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    return app


def _add_operator_routes(app: FastAPI, settings: Settings, metrics: ApiMetrics) -> None:
    @app.get("/healthz", response_model=HealthOut, tags=["ops"], summary="Liveness")
    async def healthz() -> HealthOut:
        return HealthOut()

    @app.get(
        "/readyz",
        response_model=ReadyOut,
        tags=["ops"],
        responses={503: {"model": ReadyOut, "description": "A dependency is down"}},
        summary="Readiness: Redis, the index and the configured model endpoints",
    )
    async def readyz(request: Request) -> JSONResponse:
        checks: dict[str, dict[str, Any]] = {}
        svc: ChatService | None = request.app.state.service
        try:
            if svc is None:
                raise RuntimeError("the service is not open")
            checks.update(await svc.readiness())
        except Exception as exc:  # readiness must answer, whatever is broken
            log.warning("readiness check failed", exc_info=exc)
            checks["service"] = {"ok": False, "detail": "not running"}
        redis = request.app.state.redis
        if redis is not None:
            try:
                await redis.ping()
                checks["redis"] = {"ok": True, "detail": "ping ok"}
            except Exception:
                checks["redis"] = {"ok": False, "detail": "unreachable"}
        if request.app.state.drain.draining:
            checks["shutdown"] = {"ok": False, "detail": "draining"}
        if settings.environment == "production":  # say what fails, not how or how much
            checks = public_readiness(checks)
        out = ReadyOut.model_validate(
            {"ready": all(c.get("ok") for c in checks.values()), "checks": checks}
        )
        return JSONResponse(out.model_dump(), status_code=200 if out.ready else 503)

    @app.get(
        "/metrics",
        tags=["ops"],
        summary="Prometheus metrics",
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
        response_class=Response,
        include_in_schema=settings.environment != "production",
    )
    async def prometheus(request: Request) -> Response:
        require_metrics_token(settings, request)
        return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


_CSP = (
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def _add_page(app: FastAPI, settings: Settings) -> None:
    template = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    dev_key = settings.dev_api_key
    if settings.environment == "development" and dev_key is not None:
        # Development only (the settings refuse a dev key in production): the page gets
        # the key so `make run` opens straight into a working chat.
        meta = (
            f'<meta name="shopagent-dev-key" '
            f'content="{html.escape(dev_key.get_secret_value(), quote=True)}">'
        )
        page = template.replace("<!--DEV_KEY-->", meta)
    else:
        page = template.replace("<!--DEV_KEY-->", "")
    headers = {
        "Content-Security-Policy": _CSP,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        return HTMLResponse(page, headers=headers)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Only product images are public; shoppers' uploads stay private to the service.
    products = settings.data_dir / "media" / "products"
    app.mount(
        "/media/products", _OptionalStaticFiles(directory=products, check_dir=False), name="media"
    )


class _OptionalStaticFiles(StaticFiles):
    """Answers 404 while the folder does not exist yet (before the demo catalog is built),
    where StaticFiles would fail the request with a 500."""

    async def check_config(self) -> None:
        if self.directory is not None and Path(self.directory).is_dir():
            await super().check_config()
