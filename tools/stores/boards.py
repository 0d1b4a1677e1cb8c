"""Boards: a shopper's named collections of saved products, kept with the commerce state.

Both commerce stores mix in the same methods (:class:`BoardStore`); a board is one JSON
document per (user, board name). A board shared read-only gets a random token; the token
alone finds it (``board_by_token``), and revoking or deleting the board ends the link.

    SQLite: table ``boards (user_id, name_key, data, share_token, written)``
    Redis:  shop:{u:U}:boards  HASH  name_key -> Board JSON   (no TTL: the shopper's own)
            shop:share:<token> STRING  "<user_id>\\n<name_key>"

``order_baskets`` reads (never writes) the orders: co-purchases for the complement model.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from shopagent.tools.stores.base import utcnow

MAX_BOARDS = 50
MAX_ITEMS = 200


def board_key(name: str) -> str:
    """Boards are found by name whatever its case or spacing ("Wedding " = "wedding")."""
    return " ".join(name.split()).casefold()


class BoardItem(BaseModel):
    product_id: str
    title: str = ""
    note: str | None = None
    saved_at: datetime = Field(default_factory=utcnow)


class Board(BaseModel):
    user_id: str
    name: str = Field(min_length=1, max_length=80)
    items: list[BoardItem] = Field(default_factory=list)
    share_token: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def key(self) -> str:
        return board_key(self.name)


def _basket(raw: str | bytes) -> list[str] | None:
    """The distinct products of one order, if it has two or more (a co-purchase)."""
    import json

    try:
        lines = json.loads(raw).get("lines") or []
    except (ValueError, AttributeError):
        return None
    ids = list(dict.fromkeys(str(ln.get("product_id")) for ln in lines if ln.get("product_id")))
    return ids if len(ids) > 1 else None


@runtime_checkable  # tools ask a store whether it keeps boards (both built-in ones do)
class BoardStore(Protocol):
    async def list_boards(self, user_id: str) -> list[Board]: ...
    async def get_board(self, user_id: str, name: str) -> Board | None: ...
    async def put_board(self, board: Board) -> None: ...
    async def delete_board(self, user_id: str, name: str) -> bool: ...
    async def board_by_token(self, token: str) -> Board | None: ...
    async def order_baskets(self, limit: int = 5000) -> list[list[str]]:
        """Products bought together (one list per recent order of 2+ products), across
        all users: what complete-the-look learns co-purchases from. Ids only."""
        ...


# Part of the SQLite store's schema (run when the database opens).
SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS boards (
    user_id TEXT NOT NULL, name_key TEXT NOT NULL, data TEXT NOT NULL,
    share_token TEXT UNIQUE, written REAL NOT NULL, PRIMARY KEY (user_id, name_key));
"""


class SQLiteBoards:
    """Board methods for the SQLite commerce store (``self._db``: its SQLiteDb)."""

    _db: Any

    async def _boards(self) -> Any:
        return self._db

    async def list_boards(self, user_id: str) -> list[Board]:
        db = await self._boards()
        async with db.lock:
            rows = await db.all(
                "SELECT data FROM boards WHERE user_id = ? ORDER BY written", (user_id,)
            )
        return [Board.model_validate_json(r[0]) for r in rows]

    async def get_board(self, user_id: str, name: str) -> Board | None:
        db = await self._boards()
        async with db.lock:
            row = await db.one(
                "SELECT data FROM boards WHERE user_id = ? AND name_key = ?",
                (user_id, board_key(name)),
            )
        return Board.model_validate_json(row[0]) if row else None

    async def put_board(self, board: Board) -> None:
        db = await self._boards()
        async with db.lock:
            await db.conn.execute(
                "INSERT OR REPLACE INTO boards (user_id, name_key, data, share_token, written) "
                "VALUES (?, ?, ?, ?, ?)",
                (board.user_id, board.key, board.model_dump_json(), board.share_token, time.time()),
            )

    async def delete_board(self, user_id: str, name: str) -> bool:
        db = await self._boards()
        async with db.lock:
            cur = await db.conn.execute(
                "DELETE FROM boards WHERE user_id = ? AND name_key = ?", (user_id, board_key(name))
            )
            return bool(cur.rowcount)

    async def board_by_token(self, token: str) -> Board | None:
        db = await self._boards()
        async with db.lock:
            row = await db.one("SELECT data FROM boards WHERE share_token = ?", (token,))
        return Board.model_validate_json(row[0]) if row else None

    async def order_baskets(self, limit: int = 5000) -> list[list[str]]:
        db = await self._boards()
        async with db.lock:
            rows = await db.all("SELECT data FROM orders ORDER BY created DESC LIMIT ?", (limit,))
        return [b for r in rows if (b := _basket(r[0]))]

    async def _delete_boards(self, user_id: str) -> None:
        db = await self._boards()
        async with db.lock:
            await db.conn.execute("DELETE FROM boards WHERE user_id = ?", (user_id,))


class RedisBoards:
    """Board methods for the Redis commerce store (``self._r``, ``self._k``, ``self.prefix``)."""

    _r: Any
    prefix: str

    def _k(self, user_id: str) -> Any: ...

    def _boards_key(self, user_id: str) -> str:
        return f"{self._k(user_id).tag}:boards"

    def _share_key(self, token: str) -> str:
        return f"{self.prefix}:share:{token}"

    async def list_boards(self, user_id: str) -> list[Board]:
        raw = await self._r.hvals(self._boards_key(user_id))
        boards = [Board.model_validate_json(r) for r in raw]
        return sorted(boards, key=lambda b: b.created_at)

    async def get_board(self, user_id: str, name: str) -> Board | None:
        raw = await self._r.hget(self._boards_key(user_id), board_key(name))
        return Board.model_validate_json(raw) if raw else None

    async def put_board(self, board: Board) -> None:
        old = await self.get_board(board.user_id, board.name)
        await self._r.hset(self._boards_key(board.user_id), board.key, board.model_dump_json())
        # The share key lives in another slot (it is found by token alone): written after
        # the board, so a token never points at a board that is not there.
        if old is not None and old.share_token and old.share_token != board.share_token:
            await self._r.delete(self._share_key(old.share_token))
        if board.share_token:
            await self._r.set(self._share_key(board.share_token), f"{board.user_id}\n{board.key}")

    async def delete_board(self, user_id: str, name: str) -> bool:
        old = await self.get_board(user_id, name)
        if old is None:
            return False
        await self._r.hdel(self._boards_key(user_id), board_key(name))
        if old.share_token:
            await self._r.delete(self._share_key(old.share_token))
        return True

    async def board_by_token(self, token: str) -> Board | None:
        raw = await self._r.get(self._share_key(token))
        if not raw:
            return None
        user_id, _, key = (raw.decode() if isinstance(raw, bytes) else raw).partition("\n")
        board = await self.get_board(user_id, key)
        # A stale token (re-shared or revoked board) finds nothing.
        return board if board is not None and board.share_token == token else None

    async def order_baskets(self, limit: int = 5000) -> list[list[str]]:
        # Orders live under each user's tag; a SCAN over the order hashes is fine for a
        # model refit that runs rarely, never per turn.
        out: list[list[str]] = []
        async for key in self._r.scan_iter(match=f"{self.prefix}:*:orders", count=500):
            for raw in await self._r.hvals(key):
                if (b := _basket(raw)) is not None:
                    out.append(b)
                if len(out) >= limit:
                    return out
        return out

    async def _delete_boards(self, user_id: str) -> None:
        for board in await self.list_boards(user_id):
            await self.delete_board(user_id, board.name)
