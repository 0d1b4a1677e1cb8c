"""Boards: save products to named boards, open and list them, find more like a board,
remove, and share a board read-only (GET /v1/boards/shared/{token}).

Boards live in the commerce stores, per user (tools/stores/boards.py). Saving to a board
is the shopper's own list, not a purchase: it needs no confirmation.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections import defaultdict
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shopagent.errors import ToolError
from shopagent.tools._registry import ToolContext, tool
from shopagent.tools.catalog import product_card
from shopagent.tools.protocols import CatalogReader
from shopagent.tools.stores.base import CommerceStore, utcnow
from shopagent.tools.stores.boards import (
    MAX_BOARDS,
    MAX_ITEMS,
    Board,
    BoardItem,
    BoardStore,
    board_key,
)

DEFAULT_BOARD = "favourites"
SHARE_PATH = "/v1/boards/shared/"


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


_REQ = Field(
    None,
    description="The shopper's own words; the board name is read from them "
    "when board is not given ('my wedding board')",
)
_NAMED = re.compile(
    r"\b(?:my|the|our|a|to|on|from)\s+([\w'&-]+(?:\s+[\w'&-]+){0,3}?)\s+"
    r"board\b",
    re.I,
)


def board_name(board: str | None, request: str | None) -> str:
    """The board the shopper means: given, named in their words, else the default."""
    if board:
        return board
    m = _NAMED.search(request or "")
    name = m.group(1) if m else ""
    name = re.sub(r"^(?:(?:my|the|our|a|to|on|from)\s+)+", "", name + " ", flags=re.I).strip()
    if name.casefold() in ("", "this", "that", "it", "the", "whole"):
        return DEFAULT_BOARD
    return name


class BoardArgs(_Args):
    board: str | None = Field(
        None,
        min_length=1,
        max_length=80,
        description=f"Board name, e.g. 'wedding' (default '{DEFAULT_BOARD}')",
        examples=["wedding"],
    )
    request: str | None = _REQ

    @property
    def name(self) -> str:
        return board_name(self.board, self.request)


class SaveArgs(BoardArgs):
    product_id: str = Field(description="The product to save", examples=["p-00042"])
    note: str | None = Field(None, max_length=200)


class MoreLikeArgs(BoardArgs):
    limit: int = Field(10, ge=1, le=30)


class RemoveArgs(BoardArgs):
    product_id: str = Field(description="The product to take off the board")


class ShareArgs(BoardArgs):
    revoke: bool = Field(False, description="Stop sharing (the old link stops working)")

    @property
    def stop(self) -> bool:
        words = (self.request or "").casefold()
        return self.revoke or any(w in words for w in ("stop sharing", "unshare", "revoke"))


class NoArgs(_Args):
    pass


def _store(ctx: ToolContext) -> BoardStore:
    if not isinstance(ctx.stores, BoardStore):
        raise ToolError("boards are not available here", code="unavailable")
    return ctx.stores


async def _board(ctx: ToolContext, name: str) -> Board:
    board = await _store(ctx).get_board(ctx.user_id, name)
    if board is None:
        names = [b.name for b in await _store(ctx).list_boards(ctx.user_id)]
        known = f"; your boards: {', '.join(names)}" if names else "; you have no boards yet"
        raise ToolError(f"no board called {name!r}{known}", code="not_found")
    return board


async def board_cards(catalog: CatalogReader | None, board: Board) -> list[dict[str, Any]]:
    """The board's products as cards, in saved order (ones gone from the shop left out)."""
    ids = [i.product_id for i in board.items]
    if catalog is None or not ids:  # no catalog to show them from (a bare MCP host)
        return []
    found = {p.id: p for p in await asyncio.to_thread(catalog.get_products, ids)}
    return [product_card(found[i]) for i in ids if i in found]


@tool(
    examples=[
        "save this to my wedding board",
        "save the first one to my favourites",
        "save it to my board",
        "pin this to my living room board",
    ]
)
async def save_to_board(ctx: ToolContext, args: SaveArgs) -> dict[str, Any]:
    """Save a product to one of the shopper's named boards (created when new), e.g. "save
    this to my wedding board". Not a purchase: no confirmation needed."""
    store = _store(ctx)
    product = await asyncio.to_thread(ctx.need_catalog().get_product, args.product_id)
    if product is None:
        raise ToolError(f"no product {args.product_id!r}", code="not_found")
    board = await store.get_board(ctx.user_id, args.name)
    if board is None:
        if len(await store.list_boards(ctx.user_id)) >= MAX_BOARDS:
            raise ToolError(
                f"you have {MAX_BOARDS} boards; remove one first", code="too_many_boards"
            )
        board = Board(user_id=ctx.user_id, name=" ".join(args.name.split()))
    if any(i.product_id == product.id for i in board.items):
        return {
            "message": f"{product.title} is already on your {board.name} board.",
            "board": board.name,
            "count": len(board.items),
        }
    if len(board.items) >= MAX_ITEMS:
        raise ToolError(f"the {board.name} board is full ({MAX_ITEMS})", code="board_full")
    board.items.append(BoardItem(product_id=product.id, title=product.title, note=args.note))
    board.updated_at = utcnow()
    await store.put_board(board)
    return {
        "message": f"Saved {product.title} to your {board.name} board ({len(board.items)} saved).",
        "board": board.name,
        "count": len(board.items),
        "saved": product.id,
    }


@tool(examples=["show my boards", "list my boards", "what boards do I have?"])
async def list_boards(ctx: ToolContext, args: NoArgs) -> dict[str, Any]:
    """The shopper's boards with how many products each holds."""
    boards = await _store(ctx).list_boards(ctx.user_id)
    rows = [{"name": b.name, "count": len(b.items), "shared": bool(b.share_token)} for b in boards]
    message = (
        "Your boards: " + "; ".join(f"{r['name']} ({r['count']})" for r in rows) + "."
        if rows
        else "You have no boards yet: say 'save this to my ... board'."
    )
    return {"message": message, "boards": rows}


@tool(examples=["open my wedding board", "show me my favourites board", "what's on my board?"])
async def open_board(ctx: ToolContext, args: BoardArgs) -> dict[str, Any]:
    """Open one board: its saved products, in the order they were saved."""
    board = await _board(ctx, args.name)
    cards = await board_cards(ctx.catalog, board)
    return {
        "message": f"Your {board.name} board: {len(cards)} products.",
        "board": board.name,
        "products": cards,
        "shared": bool(board.share_token),
    }


def _near(catalog: CatalogReader, board: Board, limit: int) -> list[Any]:
    """Products near the board: each saved item's nearest neighbours (look and text),
    fused by reciprocal rank so what many items agree on comes first."""
    saved = {i.product_id for i in board.items}
    score: dict[str, float] = defaultdict(float)
    products: dict[str, Any] = {}
    for item in board.items[-12:]:  # the latest saves say most about the board now
        runs = []
        try:
            runs.append(catalog.visual_search(None, item.product_id, {"in_stock": True}, 20))
        except Exception:  # a product gone from the shop: its text still helps
            pass
        if item.title:
            runs.append(catalog.search(item.title, {"in_stock": True}, 1, 20))
        for res in runs:
            for rank, p in enumerate(res.products):
                if p.id in saved:
                    continue
                products[p.id] = p
                score[p.id] += 1.0 / (10 + rank)
    ranked = sorted(score, key=lambda pid: (-score[pid], pid))[:limit]
    return [products[pid] for pid in ranked]


@tool(
    examples=[
        "more like my board",
        "show me more like my wedding board",
        "find things similar to my board",
    ]
)
async def more_like_board(ctx: ToolContext, args: MoreLikeArgs) -> dict[str, Any]:
    """Products like the ones saved on a board ("more like my board"), not already on it."""
    board = await _board(ctx, args.name)
    if not board.items:
        raise ToolError(f"the {board.name} board is empty", code="empty_board")
    from shopagent.tools.discovery import _taste

    taste = await _taste.load(ctx)
    found = await asyncio.to_thread(_near, ctx.need_catalog(), board, args.limit * 2)
    cards = []
    for p in taste.allowed(found)[: args.limit]:
        card = product_card(p)
        card["reason"] = f"like what you saved on {board.name}"
        cards.append(card)
    return {
        "message": f"More like your {board.name} board.",
        "board": board.name,
        "products": cards,
    }


@tool(examples=["remove it from my board", "take this off my wedding board"])
async def remove_from_board(ctx: ToolContext, args: RemoveArgs) -> dict[str, Any]:
    """Take a product off one of the shopper's boards."""
    store = _store(ctx)
    board = await _board(ctx, args.name)
    keep = [i for i in board.items if i.product_id != args.product_id]
    if len(keep) == len(board.items):
        raise ToolError(f"{args.product_id} is not on your {board.name} board", code="not_on_board")
    board.items, board.updated_at = keep, utcnow()
    await store.put_board(board)
    return {
        "message": f"Removed it from your {board.name} board ({len(keep)} left).",
        "board": board.name,
        "count": len(keep),
    }


@tool(examples=["share my wedding board", "give me a link to my board", "stop sharing my board"])
async def share_board(ctx: ToolContext, args: ShareArgs) -> dict[str, Any]:
    """A read-only link to a board anyone can open (or, with revoke, stop sharing it)."""
    store = _store(ctx)
    board = await _board(ctx, args.name)
    if args.stop:
        board.share_token = None
        await store.put_board(board)
        return {"message": f"Your {board.name} board is no longer shared.", "shared": False}
    if not board.share_token:
        board.share_token = secrets.token_urlsafe(16)
        await store.put_board(board)
    link = SHARE_PATH + board.share_token
    return {
        "message": f"Anyone with this link can view your {board.name} board: {link}",
        "board": board.name,
        "link": link,
        "token": board.share_token,
        "shared": True,
    }


async def _check_delete(ctx: ToolContext, args: BoardArgs) -> None:
    await _board(ctx, args.name)


@tool(
    writes=True,
    precheck=_check_delete,
    examples=["delete my wedding board"],
    describe_write=lambda a, catalog: f"Delete your {a.name} board and everything saved on it",
)
async def delete_board(ctx: ToolContext, args: BoardArgs) -> dict[str, Any]:
    """Delete a whole board (after the shopper confirms)."""
    board = await _board(ctx, args.name)
    await _store(ctx).delete_board(ctx.user_id, board.name)
    return {"message": f"Deleted your {board.name} board.", "deleted": board.name}


async def shared_board(
    stores: CommerceStore | None, catalog: CatalogReader | None, token: str
) -> dict[str, Any] | None:
    """The read-only view a share link shows, or None (unknown or revoked token)."""
    if not token or len(token) > 64 or stores is None or not hasattr(stores, "board_by_token"):
        return None
    board = await stores.board_by_token(token)
    if board is None:
        return None
    return {
        "name": board.name,
        "products": await board_cards(catalog, board),
        "updated_at": board.updated_at.isoformat(),
    }


BOARD_TOOLS = [
    save_to_board,
    list_boards,
    open_board,
    more_like_board,
    remove_from_board,
    share_board,
    delete_board,
]
__all__ = ["BOARD_TOOLS", "board_key", "shared_board"]
