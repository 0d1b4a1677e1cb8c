"""The /v1 routes: sessions, messages (SSE), confirmations, images, tools, cart.

Every route authenticates (UserDep) and checks that the session belongs to the caller;
another user's session answers 404 exactly like a missing one.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from shopagent.agent.events import AgentEvent
from shopagent.api._images import check_image
from shopagent.api._stream import TurnResponse, stream_turn
from shopagent.api.deps import ChatService, ServiceDep, SettingsDep, UserDep
from shopagent.api.openapi import ERROR_RESPONSES, SSE_RESPONSE
from shopagent.api.schema import (
    CartOut,
    ConfirmIn,
    ImageOut,
    MessageIn,
    ProductOut,
    SessionCreate,
    SessionDetail,
    SessionList,
    SessionOut,
    ToolList,
    ToolOut,
)
from shopagent.errors import (
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unavailable,
    UnsupportedMediaType,
)
from shopagent.settings import Settings
from shopagent.tools.stores.base import SessionInfo

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)
log = logging.getLogger("api.routes")

_NO_SESSION = "no such session"


class Unprocessable(InvalidInput):
    """Well-formed JSON that asks for nothing we can do (422, like other field errors)."""

    http_status = 422


_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _check_text(value: str | None, field: str) -> None:
    """Text must be text: JSON can carry lone surrogates (``"\\ud800"``) and control
    characters that no tokenizer, database or JSON encoder downstream accepts."""
    if not value:
        return
    for ch in value:
        if (
            ("\ud800" <= ch <= "\udfff")
            or (ch < " " and ch not in _ALLOWED_CONTROLS)
            or (ch == "\x7f")
        ):
            raise Unprocessable(
                f"{field} contains characters that are not valid text "
                f"(U+{ord(ch):04X}); send plain Unicode text",
                code="invalid_text",
            )


def _session_out(info: SessionInfo) -> SessionOut:
    return SessionOut(
        session_id=info.session_id,
        title=info.title,
        created_at=info.created_at,
        updated_at=info.updated_at,
    )


async def _owned_session(svc: ChatService, user: str, session_id: str) -> SessionInfo:
    info = await svc.sessions.get_session(user, session_id)
    if info is None:
        raise NotFound(_NO_SESSION, code="session_not_found")
    return info


# Route dependencies, not checks in the body: they run before FastAPI reports the body
# invalid, so a wrong media type gets 415 rather than a confusing 422.
async def _require_json(request: Request) -> None:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and not (ctype == "application/json" or ctype.endswith("+json")):
        raise UnsupportedMediaType("send the body as application/json")


async def _require_multipart(request: Request) -> None:
    ctype = request.headers.get("content-type", "").lower()
    if not ctype.startswith("multipart/form-data"):
        raise UnsupportedMediaType("upload the photo as multipart/form-data, field 'file'")


JSON_BODY = [Depends(_require_json)]


@router.post(
    "/sessions",
    status_code=201,
    dependencies=JSON_BODY,
    response_model=SessionOut,
    tags=["sessions"],
    summary="Create a session",
)
async def create_session(
    request: Request, svc: ServiceDep, user: UserDep, body: SessionCreate | None = None
) -> SessionOut:
    _check_text(body.title if body else None, "title")
    info = await svc.sessions.create_session(user, body.title if body else None)
    return _session_out(info)


@router.get(
    "/sessions", response_model=SessionList, tags=["sessions"], summary="List the caller's sessions"
)
async def list_sessions(svc: ServiceDep, user: UserDep) -> SessionList:
    infos = await svc.sessions.list_sessions(user)
    infos = sorted(infos, key=lambda i: i.updated_at, reverse=True)
    return SessionList(sessions=[_session_out(i) for i in infos])


@router.get(
    "/sessions/{session_id}",
    response_model=SessionDetail,
    tags=["sessions"],
    summary="A session with its history and any pending confirmation",
)
async def get_session(session_id: str, svc: ServiceDep, user: UserDep) -> SessionDetail:
    info = await _owned_session(svc, user, session_id)
    history = await svc.history(user_id=user, session_id=session_id)
    pending = await svc.pending_confirmation(user_id=user, session_id=session_id)
    return SessionDetail(
        **_session_out(info).model_dump(), history=history, pending_confirmation=pending
    )


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    tags=["sessions"],
    summary="Delete a session and its stored conversation",
)
async def delete_session(session_id: str, svc: ServiceDep, user: UserDep) -> Response:
    await _owned_session(svc, user, session_id)
    await svc.delete_session(user_id=user, session_id=session_id)
    return Response(status_code=204)


@router.post(
    "/sessions/{session_id}/messages",
    tags=["chat"],
    dependencies=JSON_BODY,
    responses=SSE_RESPONSE,
    response_model=None,
    response_class=TurnResponse,
    summary="Send a message; the reply streams as SSE events",
)
async def post_message(
    session_id: str,
    body: MessageIn,
    request: Request,
    svc: ServiceDep,
    user: UserDep,
    settings: SettingsDep,
) -> Response:
    if len(body.text) > settings.max_message_chars:
        # 422, not 413: a field over its documented maxLength is a validation error; 413
        # is for bodies over the size limit.
        raise Unprocessable(
            f"message longer than {settings.max_message_chars} characters", code="message_too_long"
        )
    _check_text(body.text, "text")
    if not body.text.strip() and body.image_id is None and body.action is None:
        raise Unprocessable("send some text, an image_id or an action", code="empty_message")
    request.app.state.drain.check()
    info = await _owned_session(svc, user, session_id)
    # Another user's upload answers exactly like a missing one.
    images = svc.images
    if body.image_id is not None and (
        images is None or not images.exists(body.image_id, owner=user)
    ):
        raise NotFound("no such image; upload it with POST /v1/images", code="image_not_found")
    extra = {"action": body.action.model_dump(exclude_none=True)} if body.action else {}
    events = svc.stream_turn(
        user_id=user,
        session_id=session_id,
        text=body.text,
        image_id=body.image_id,
        session=info,  # read once: the service does not read it again
        **extra,
    )
    return await _stream(request, settings, session_id, events)


@router.post(
    "/sessions/{session_id}/confirm",
    tags=["chat"],
    dependencies=JSON_BODY,
    responses=SSE_RESPONSE,
    response_model=None,
    response_class=TurnResponse,
    summary="Answer a pending write (yes/no); the rest of the turn streams as SSE",
)
async def post_confirm(
    session_id: str,
    body: ConfirmIn,
    request: Request,
    svc: ServiceDep,
    user: UserDep,
    settings: SettingsDep,
) -> Response:
    request.app.state.drain.check()
    info = await _owned_session(svc, user, session_id)
    events = svc.stream_confirm(
        user_id=user,
        session_id=session_id,
        confirmation_id=body.confirmation_id,
        approve=body.approve,
        session=info,
    )
    return await _stream(request, settings, session_id, events)


async def _stream(
    request: Request, settings: Settings, session_id: str, events: AsyncIterator[AgentEvent]
) -> Response:
    state = request.app.state
    # The API's deadline sits past the agent's own, so the agent normally ends the turn.
    return await stream_turn(
        events,
        locks=state.turn_locks,
        session_id=session_id,
        observer=state.metrics.turn_observer(),
        deadline_s=settings.turn_deadline_s + 15,
        drain=state.drain,
    )


@router.post(
    "/images",
    status_code=201,
    dependencies=[Depends(_require_multipart)],
    response_model=ImageOut,
    tags=["images"],
    summary="Upload a photo for visual search; returns its image_id",
)
async def upload_image(
    request: Request,
    svc: ServiceDep,
    user: UserDep,
    settings: SettingsDep,
    file: UploadFile = File(description="PNG, JPEG, WebP or GIF"),
) -> ImageOut:
    limit = settings.max_image_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"image larger than {limit} bytes", code="image_too_large")
    checked = await run_in_threadpool(
        check_image, data, max_bytes=limit, max_pixels=settings.max_image_pixels
    )
    try:
        if svc.images is None:  # a service built without an image store (a bench harness)
            raise OSError("no image store configured")
        image_id = await run_in_threadpool(svc.images.put, data, checked.ext, owner=user)
    except OSError as exc:  # a full or read-only data folder: ours to fix, not the client's
        log.error("cannot store an upload: %s", exc.strerror or exc)
        err = Unavailable(
            "Photos cannot be stored right now; please try again later.",
            code="storage_unavailable",
        )
        err.retry_after_s = 30
        raise err from None
    return ImageOut(
        image_id=image_id,
        media_type=checked.media_type,
        width=checked.width,
        height=checked.height,
        bytes=len(data),
    )


@router.get(
    "/tools", response_model=ToolList, tags=["tools"], summary="The tools the agent can call"
)
async def list_tools(svc: ServiceDep, user: UserDep) -> ToolList:
    return ToolList(
        tools=[
            ToolOut(
                name=t.name, description=t.description, writes=t.writes, parameters=t.json_schema()
            )
            for t in sorted(svc.registry, key=lambda t: t.name)
        ]
    )


@router.get(
    "/products/{product_id}",
    response_model=ProductOut,
    tags=["catalog"],
    summary="One product with its variants, for option pickers (read-only, no agent turn)",
)
async def get_product(product_id: str, svc: ServiceDep, user: UserDep) -> ProductOut:
    catalog = svc.catalog
    product = None if catalog is None else await run_in_threadpool(catalog.get_product, product_id)
    if product is None:
        raise NotFound("no such product", code="product_not_found")
    data = product.model_dump(mode="json")
    data["in_stock"] = product.available
    return ProductOut(product=data)


@router.get("/cart", response_model=CartOut, tags=["cart"], summary="The caller's cart")
async def get_cart(svc: ServiceDep, user: UserDep) -> CartOut:
    return CartOut.model_validate(await svc.get_cart(user_id=user))


__all__ = ["router"]
