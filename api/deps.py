"""FastAPI dependencies as ``Annotated`` aliases; tests swap them with dependency_overrides.

- ``SettingsDep``: the app's Settings.
- ``ServiceDep``: the AgentService the lifespan opened.
- ``UserDep``: the caller's user id from ``Authorization: Bearer <key>``; keys are looked up
  by their sha256, so the plain keys are never stored. Each authenticated request also
  counts against the caller's rate limit.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api._logging import user_id_var
from shopagent.errors import Unauthorized
from shopagent.settings import Settings

DEV_USER = "dev"

# auto_error=False: a missing header must give our 401 body, not FastAPI's 403.
_bearer = HTTPBearer(auto_error=False, description="An API key: Authorization: Bearer <key>")


# async: a sync dependency would cost a thread-pool hop on every request.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_service(request: Request) -> Any:
    svc = getattr(request.app.state, "service", None)
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
# Any, not AgentService: the service is swapped for fakes in tests and imported lazily.
ServiceDep = Annotated[Any, Depends(get_service)]
UserDep = Annotated[str, Depends(get_user)]
