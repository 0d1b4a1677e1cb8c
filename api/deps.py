"""FastAPI dependencies as ``Annotated`` aliases; tests swap them with dependency_overrides.

- ``SettingsDep``: the app's Settings.
- ``ServiceDep``: the service the lifespan opened, as the :class:`ChatService` Protocol the
  routes use: ``agent.service.AgentService`` in production, ``api._scripted``'s scripted
  service in HTTP-layer tests and benchmarks.
- ``UserDep``: the caller's user id from ``Authorization: Bearer <key>``; keys are looked up
  by their sha256, so the plain keys are never stored. Each authenticated request also
  counts against the caller's rate limit.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shopagent.agent.events import AgentEvent, ConfirmRequiredEvent, HistoryItem
from shopagent.api._logging import user_id_var
from shopagent.errors import Unauthorized
from shopagent.settings import Settings
from shopagent.tools import ToolRegistry
from shopagent.tools.protocols import CatalogReader
from shopagent.tools.stores.base import CommerceStore, SessionIndex, SessionInfo

if TYPE_CHECKING:
    from shopagent.retrieval.images import ImageStore

DEV_USER = "dev"


class ChatService(Protocol):
    """What the HTTP layer needs of the agent service. Read-only members (properties), so
    an implementation may hold narrower types (a store where this allows None)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def sessions(self) -> SessionIndex: ...
    @property
    def images(self) -> ImageStore | None:
        """Uploaded images (the routes store uploads and check a turn's image_id); None
        where the service has no image store (uploads answer 503)."""
        ...

    @property
    def registry(self) -> ToolRegistry: ...
    @property
    def stores(self) -> CommerceStore | None:
        """The commerce store, or None for a service that has none (shared boards 404)."""
        ...

    @property
    def catalog(self) -> CatalogReader | None: ...

    # Async generators: each ends with a ``done`` event; ownership and a running turn are
    # checked before the first event (NotFound / Conflict raise on iteration). ``session``:
    # the record the route has just read to check ownership (before the turn lock, so
    # another user's session answers 404, never 409); the service does not read it again.
    def stream_turn(
        self,
        *,
        user_id: str,
        session_id: str,
        text: str,
        image_id: str | None = None,
        action: dict[str, Any] | None = None,
        session: SessionInfo | None = None,
    ) -> AsyncIterator[AgentEvent]: ...

    def stream_confirm(
        self,
        *,
        user_id: str,
        session_id: str,
        confirmation_id: str,
        approve: bool,
        session: SessionInfo | None = None,
    ) -> AsyncIterator[AgentEvent]: ...

    async def history(self, *, user_id: str, session_id: str) -> list[HistoryItem]: ...
    async def pending_confirmation(
        self, *, user_id: str, session_id: str
    ) -> ConfirmRequiredEvent | None: ...

    async def get_cart(self, *, user_id: str) -> dict[str, Any]: ...
    async def delete_session(self, *, user_id: str, session_id: str) -> None: ...
    async def readiness(self) -> dict[str, dict[str, Any]]: ...


# auto_error=False: a missing header must give our 401 body, not FastAPI's 403.
_bearer = HTTPBearer(auto_error=False, description="An API key: Authorization: Bearer <key>")


# async: a sync dependency would cost a thread-pool hop on every request.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_service(request: Request) -> ChatService:
    svc: ChatService | None = getattr(request.app.state, "service", None)
    if svc is None:  # only reachable if the lifespan did not run
        raise RuntimeError("AgentService is not open")
    return svc


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def resolve_user(settings: Settings, key: str) -> str | None:
    digest = hash_key(key)
    user = settings.api_keys.get(digest)
    if user is not None:
        return user
    dev = settings.dev_api_key
    if dev is not None and hmac.compare_digest(digest, hash_key(dev.get_secret_value())):
        return DEV_USER
    return None


async def get_user(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if creds is None or not creds.credentials:
        raise Unauthorized("missing API key: send Authorization: Bearer <key>")
    # Guessing keys is braked per client address (api/_ops.py).
    failures = getattr(request.app.state, "auth_failures", None)
    address = request.client.host if request.client else "-"
    if failures is not None:
        failures.check(address)
    user = resolve_user(request.app.state.settings, creds.credentials)
    if user is None:
        if failures is not None:
            failures.fail(address)
        raise Unauthorized("invalid API key")
    request.state.user_id = user
    user_id_var.set(user)
    await request.app.state.rate_limiter.hit(user)
    return user


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[ChatService, Depends(get_service)]
UserDep = Annotated[str, Depends(get_user)]
