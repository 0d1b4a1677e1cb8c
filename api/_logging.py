"""Structured logs with a request id on every line.

One JSON object per line. The access log records method, route template, status, time
and user id; never bodies, message text, image bytes, keys or the Authorization header.
A client may send ``X-Request-ID`` (kept when it looks like an id); the same id is
returned in the response header so a shopper's report can be matched to the logs.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
user_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("user_id", default="-")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = logging.getLogger("api.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    # Standard record attributes, and uvicorn's ANSI-coloured duplicate of the message.
    _std = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
        "message",
        "asctime",
        "color_message",
    }

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._std and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for the whole process (called by ``shopagent serve``)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Uvicorn's access log repeats ours without the request id; ours replaces it.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


class RequestContextMiddleware:
    """Sets the request id, logs one access line per request and counts it."""

    def __init__(self, app: ASGIApp, metrics: Any = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        rid = incoming if _SAFE_ID.match(incoming) else secrets.token_hex(8)
        rid_token = request_id_var.set(rid)
        user_token = user_id_var.set("-")
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            ms = round((time.perf_counter() - start) * 1000, 1)
            if self.metrics is not None:
                self.metrics.requests.labels(scope["method"], template, str(status)).inc()
            # /healthz and /metrics are polled; logging them would drown the rest.
            if template not in ("/healthz", "/metrics"):
                # The user id comes from scope state: the auth dependency may run in
                # another context, where a contextvar set there would not be seen here.
                user = (scope.get("state") or {}).get("user_id", "-")
                access_log.info(
                    "%s %s %s",
                    scope["method"],
                    template,
                    status,
                    extra={
                        "method": scope["method"],
                        "route": template,
                        "status": status,
                        "duration_ms": ms,
                        "user": user,
                    },
                )
            user_id_var.reset(user_token)
            request_id_var.reset(rid_token)
