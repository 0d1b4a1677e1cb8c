"""The error hierarchy. Every error a client can cause carries a machine-readable ``code``.

ShopAgentError                 base; ``code`` and ``http_status``
├── InvalidInput               400  bad_request / validation details
│   ├── PayloadTooLarge        413  payload_too_large
│   └── UnsupportedMediaType   415  unsupported_media_type
├── Unauthorized               401  unauthorized
├── NotFound                   404  not_found (also for other users' resources)
├── Conflict                   409  conflict (e.g. a turn already running)
├── Unavailable                503  unavailable (shutting down, state not writable;
│                                    storage_unavailable: ``storage_failure``)
├── RateLimited                429  rate_limited (``retry_after_s``)
├── ToolError                  a tool's recoverable failure; becomes a tool message
│   └── Forbidden              a tool touched another user's data
├── ModelError                 a model tier failed (timeout, bad output, HTTP error)
└── IngestError                a feed row or file could not be read
"""

from __future__ import annotations

import errno
from typing import Any


class ShopAgentError(Exception):
    code = "internal_error"
    http_status = 500
    retry_after_s: float | None = None  # sent as Retry-After when set

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(ShopAgentError):
    code = "bad_request"
    http_status = 400


class PayloadTooLarge(InvalidInput):
    code = "payload_too_large"
    http_status = 413


class UnsupportedMediaType(InvalidInput):
    code = "unsupported_media_type"
    http_status = 415


class Unauthorized(ShopAgentError):
    code = "unauthorized"
    http_status = 401


class NotFound(ShopAgentError):
    code = "not_found"
    http_status = 404


class Conflict(ShopAgentError):
    code = "conflict"
    http_status = 409


class Unavailable(ShopAgentError):
    """The service cannot take this request now (shutting down, state not writable)."""

    code = "unavailable"
    http_status = 503


# What SQLite says when the disk under the data folder fills up, turns read-only or fails.
_STORAGE_MESSAGES = (
    "disk is full",
    "disk i/o error",
    "readonly database",
    "unable to open database file",
)
_STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO})


def storage_failure(exc: BaseException) -> Unavailable | None:
    """``exc`` as the shopper should hear it when the data folder cannot be written (a full
    disk, a read-only or failing one): 503 ``storage_unavailable``, worth a retry later; None
    for anything else. Nothing was written: SQLite rolls the statement back."""
    import sqlite3

    if isinstance(exc, sqlite3.OperationalError):
        failed = any(m in str(exc).lower() for m in _STORAGE_MESSAGES)
    else:
        failed = isinstance(exc, OSError) and exc.errno in _STORAGE_ERRNOS
    if not failed:
        return None
    err = Unavailable(
        "We can't save anything right now, so this didn't go through; please try again "
        "in a little while.",
        code="storage_unavailable",
    )
    err.retry_after_s = 30
    return err


class RateLimited(ShopAgentError):
    code = "rate_limited"
    http_status = 429
    retry_after_s: float

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ToolError(ShopAgentError):
    """A tool's recoverable failure: the model sees it as a tool message and can act on it.

    ``details``: JSON-able facts a caller can act on without parsing the message, e.g.
    ``option_required`` -> {"option": "switch type", "values": [...], "chosen": {...}}."""

    code = "tool_error"
    http_status = 400

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.details = details


class Forbidden(ToolError):
    code = "forbidden"
    http_status = 403


class ModelError(ShopAgentError):
    code = "model_error"
    http_status = 502


class IngestError(ShopAgentError):
    code = "ingest_error"
    http_status = 400
