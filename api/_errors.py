"""Every error leaves as ``{"error": {"code", "message"}}`` with the right status.

Handlers cover our own hierarchy (shopagent.errors), FastAPI's validation errors (422;
malformed JSON included) and Starlette's HTTP errors (404 for unknown paths, 405, ...).
Validation messages name the offending field but never echo its value: the value may be
a shopper's message, and these messages are also logged.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shopagent.errors import ShopAgentError, Unauthorized, storage_failure

log = logging.getLogger("api.errors")

_CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


class BodyTooLarge(StarletteHTTPException):
    """Raised while reading a body past the limit.

    An HTTPException on purpose: FastAPI re-raises those from body parsing unchanged,
    where any other exception would become a generic 400.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def _describe(errors: list[Any]) -> tuple[str, str]:
    parts = []
    code = "validation_error"
    for err in errors[:5]:
        if err.get("type") == "json_invalid":
            code = "invalid_json"
            ctx = err.get("ctx") or {}
            return code, f"body is not valid JSON: {ctx.get('error', 'decode error')}"
        if err.get("type") == "string_unicode":  # e.g. a lone surrogate ("\\ud800")
            code = "invalid_text"
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return code, "; ".join(parts) or "invalid request"


async def _shopagent_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ShopAgentError)
    headers: dict[str, str] = {}
    if exc.retry_after_s is not None:
        headers["Retry-After"] = str(max(1, int(exc.retry_after_s)))
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    status = exc.http_status
    if status >= 500:
        log.error("request failed: %s (%s)", exc.code, type(exc).__name__)
    return error_response(status, exc.code, exc.message, headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    code, message = _describe(list(exc.errors()))
    return error_response(422, code, message)


def _allowed_methods(request: Request) -> str:
    """Every method the path answers to. Starlette's own Allow lists only the first route
    matching the path, which is wrong where two routes share it (GET and POST /sessions)."""
    path = request.url.path
    methods: set[str] = set()
    for regex, route_methods in getattr(request.app.state, "route_methods", ()):
        if regex.match(path):
            methods |= route_methods
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODES_BY_STATUS.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return error_response(exc.status_code, code, message, headers)


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    # Redis down or saturated: not the client's fault, and worth retrying shortly.
    log.error("state store unavailable: %s", type(exc).__name__)
    return error_response(
        503, "unavailable", "the service is briefly unavailable; retry", {"Retry-After": "1"}
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Logged with the traceback (no request body is part of it); the client gets no detail.
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "internal error")


async def _storage(request: Request, exc: Exception) -> JSONResponse:
    """SQLite's and the file system's errors: a full, read-only or failing data folder is
    503 ``storage_unavailable`` with Retry-After (ours to fix, worth a retry); any other is
    the 500 of ``_unexpected``."""
    storage = storage_failure(exc)
    if storage is None:
        return await _unexpected(request, exc)
    log.error("storage unavailable: %s", exc)
    return await _shopagent_error(request, storage)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ShopAgentError, _shopagent_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(sqlite3.Error, _storage)
    app.add_exception_handler(OSError, _storage)
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a dependency
        return
    app.add_exception_handler(RedisError, _unavailable)
