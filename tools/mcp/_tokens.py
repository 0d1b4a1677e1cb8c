"""Confirmation tokens for writes requested over MCP.

An MCP client's write call only returns a proposal; the token in it names the user, the
tool, the exact (resolved) arguments and an expiry, signed with the service's secret, so
no store is needed to remember proposals and any replica can verify them. The token's
nonce becomes the write's idempotency key: confirming the same token twice writes once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopagent.errors import ToolError

if TYPE_CHECKING:
    from shopagent.settings import Settings

DEFAULT_TTL_S = 15 * 60


@dataclass(frozen=True)
class Proposal:
    user_id: str
    tool: str
    args: dict[str, Any]
    nonce: str
    expires_at: float

    @property
    def idempotency_key(self) -> str:
        return f"mcp:{self.tool}:{self.nonce}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    def __init__(self, secret: bytes | Callable[[], bytes], ttl_s: float = DEFAULT_TTL_S) -> None:
        # A callable is read on first use: building the app must not write the data folder.
        self._load = secret if callable(secret) else (lambda: secret)
        self._key: bytes | None = None
        self.ttl_s = ttl_s

    @property
    def _secret(self) -> bytes:
        if self._key is None:
            key = self._load()
            if len(key) < 16:
                raise ValueError("the confirmation-token secret must be at least 16 bytes")
            self._key = key
        return self._key

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenSigner:
        """The configured secret, or one kept in the data folder (created once, 0600),
        so tokens survive a restart of a single-host service. Replicas must share
        ``mcp_token_secret``."""
        ttl = float(getattr(settings, "mcp_confirm_ttl_s", DEFAULT_TTL_S))
        configured = getattr(settings, "mcp_token_secret", None)
        if configured is not None:
            return cls(configured.get_secret_value().encode(), ttl)
        return cls(lambda: _stored_secret(Path(settings.data_dir) / "mcp" / "token_secret"), ttl)

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())

    def issue(self, user_id: str, tool: str, args: dict[str, Any]) -> tuple[str, Proposal]:
        proposal = Proposal(
            user_id=user_id,
            tool=tool,
            args=args,
            nonce=secrets.token_hex(12),
            expires_at=round(time.time() + self.ttl_s, 3),
        )
        payload = {
            "u": proposal.user_id,
            "t": proposal.tool,
            "a": proposal.args,
            "n": proposal.nonce,
            "e": proposal.expires_at,
        }
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._mac(body)}", proposal

    def verify(self, token: str, user_id: str) -> Proposal:
        """The proposal behind ``token`` for ``user_id``; a forged, altered, expired or
        another user's token is refused (the last exactly like an unknown one)."""
        body, _, mac = (token or "").strip().partition(".")
        if not body or not mac or not hmac.compare_digest(mac, self._mac(body)):
            raise ToolError("unknown or altered confirmation token", code="invalid_token")
        try:
            data = json.loads(_unb64(body))
            proposal = Proposal(
                user_id=str(data["u"]),
                tool=str(data["t"]),
                args=dict(data["a"]),
                nonce=str(data["n"]),
                expires_at=float(data["e"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ToolError("unknown or altered confirmation token", code="invalid_token") from exc
        if not hmac.compare_digest(proposal.user_id, user_id):
            raise ToolError("unknown or altered confirmation token", code="invalid_token")
        if proposal.expires_at < time.time():
            raise ToolError(
                "this confirmation has expired; ask for the change again", code="token_expired"
            )
        return proposal


def _stored_secret(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    secret = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as f:
        f.write(secret)
    return secret
