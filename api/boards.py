"""The read-only view of a shared board: ``GET /v1/boards/shared/{token}``.

No API key: the unguessable token in the link is the permission, as with any share link;
it shows the board's name and products only (never its owner). Revoking the share or
deleting the board makes the link answer 404.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from shopagent.agent.events import ProductCard
from shopagent.api.deps import ServiceDep
from shopagent.api.openapi import ERROR_RESPONSES
from shopagent.errors import NotFound

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)


class SharedBoardOut(BaseModel):
    name: str = Field(examples=["wedding"])
    products: list[ProductCard]
    updated_at: datetime


@router.get(
    "/boards/shared/{token}",
    response_model=SharedBoardOut,
    tags=["boards"],
    summary="A board its owner shared (read-only, no key needed)",
)
async def get_shared_board(token: str, svc: ServiceDep) -> SharedBoardOut:
    from shopagent.tools.discovery import shared_board

    # A service without stores (the scripted one) has no boards to show.
    view = None if svc.stores is None else await shared_board(svc.stores, svc.catalog, token)
    if view is None:
        raise NotFound("no shared board at this link (it may have been unshared)")
    keys = ProductCard.model_fields
    return SharedBoardOut(
        name=view["name"],
        products=[
            ProductCard.model_validate({k: v for k, v in c.items() if k in keys})
            for c in view["products"]
        ],
        updated_at=view["updated_at"],
    )
