"""Commerce state and the session index in SQLite (embedded mode, ``data_dir/commerce.sqlite``).

One aiosqlite connection in autocommit mode, shared by the commerce store and the session
index, with explicit ``BEGIN IMMEDIATE`` transactions. Every operation holds one asyncio lock:
statements of a coroutine must never land inside another coroutine's open transaction on the
shared connection. ``BEGIN IMMEDIATE`` also serializes writers across processes.

A transaction is opened and closed in one place, :meth:`SQLiteDb.transaction`, which runs
the whole unit (BEGIN .. COMMIT, or ROLLBACK on any failure) in its own task shielded from
cancellation. A shopper who hangs up mid-write cancels the caller's await, never the unit:
otherwise a BEGIN already sent to aiosqlite's thread would stay open with no ROLLBACK, and
every later write of every user would fail on "cannot start a transaction within a
transaction" until a restart.

TTLs mirror the Redis store: a cart, profile or idempotency record older than its TTL reads
as missing (expired rows are purged when the store opens).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
from pydantic_core import to_jsonable_python

from shopagent.tools.stores.base import (
    Cart,
    Order,
    Profile,
    SessionInfo,
    StagedTxn,
    WriteFn,
    touched,
)
from shopagent.tools.stores.boards import SQLITE_SCHEMA as BOARDS_SCHEMA
from shopagent.tools.stores.boards import Board, SQLiteBoards

log = logging.getLogger(__name__)
T = TypeVar("T")

_SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS carts (
    user_id TEXT PRIMARY KEY, data TEXT NOT NULL, written REAL NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    user_id TEXT NOT NULL, order_id TEXT NOT NULL, data TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (user_id, order_id));
CREATE TABLE IF NOT EXISTS profiles (
    user_id TEXT PRIMARY KEY, data TEXT NOT NULL, written REAL NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    user_id TEXT NOT NULL, key TEXT NOT NULL, result TEXT NOT NULL, written REAL NOT NULL,
    PRIMARY KEY (user_id, key));
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, data TEXT NOT NULL,
    touched REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id, touched);
"""


class SQLiteDb:
    """The shared connection and its lock."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> SQLiteDb:
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        await conn.execute("PRAGMA busy_timeout=5000")
        # No memory-mapped reads of the database file: an I/O error on a mapped page is a
        # SIGBUS that kills the process, where a read() returns an error we can answer.
        await conn.execute("PRAGMA mmap_size=0")
        await conn.executescript(_SCHEMA + BOARDS_SCHEMA)
        return cls(conn)

    async def transaction(self, body: Callable[[], Awaitable[T]]) -> T:
        """Run ``body`` inside BEGIN IMMEDIATE .. COMMIT under the lock, as one unit that
        cancellation cannot split: it runs in its own task, and a cancelled caller stops
        waiting while the unit still commits or rolls back. Any failure (of ``body`` or of
        COMMIT itself) rolls back before the lock is released."""
        task = asyncio.ensure_future(self._unit(body))
        # A caller that was cancelled never reads the outcome; read it here so a failure
        # after the cancellation is logged once, not as "exception never retrieved".
        task.add_done_callback(_consume)
        return await asyncio.shield(task)

    async def _unit(self, body: Callable[[], Awaitable[T]]) -> T:
        async with self.lock:
            if self.conn.in_transaction:  # never expected; heal rather than fail every write
                log.warning("rolling back a transaction left open on the shared connection")
                await self._rollback()
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                result = await body()
                await self.conn.execute("COMMIT")
            except BaseException:
                await self._rollback()
                raise
            return result

    async def _rollback(self) -> None:
        if not self.conn.in_transaction:  # e.g. a failed COMMIT that SQLite rolled back
            return
        try:
            await self.conn.execute("ROLLBACK")
        except Exception:
            log.warning("ROLLBACK failed", exc_info=True)

    # One trip to the connection's thread per query (execute, fetch and close there):
    # a cursor's execute, fetch and close are three, each a thread wake-up that costs
    # more CPU than a lookup by key.
    async def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        """The first row (the callers look up by key: one row or none)."""
        rows = await self.conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def close(self) -> None:
        await self.conn.close()


def _consume(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.debug("store transaction failed", exc_info=task.exception())


def _fresh_after(ttl_s: int) -> float:
    """Rows written before this instant have expired (ttl 0: never)."""
    return time.time() - ttl_s if ttl_s > 0 else float("-inf")


class _SQLiteTxn(StagedTxn):
    def __init__(self, db: SQLiteDb, user_id: str, cart_ttl_s: int) -> None:
        super().__init__(user_id)
        self._db = db
        self._cart_ttl_s = cart_ttl_s

    async def _load_cart(self) -> Cart:
        return await _read_cart(self._db, self._user_id, self._cart_ttl_s)

    async def _load_order(self, order_id: str) -> Order | None:
        return await _read_order(self._db, self._user_id, order_id)


async def _read_cart(db: SQLiteDb, user_id: str, ttl_s: int) -> Cart:
    row = await db.one(
        "SELECT data FROM carts WHERE user_id = ? AND written > ?", (user_id, _fresh_after(ttl_s))
    )
    return Cart.model_validate_json(row[0]) if row else Cart(user_id=user_id)


async def _read_order(db: SQLiteDb, user_id: str, order_id: str) -> Order | None:
    row = await db.one(
        "SELECT data FROM orders WHERE user_id = ? AND order_id = ?", (user_id, order_id)
    )
    return Order.model_validate_json(row[0]) if row else None


class SQLiteCommerceStore(SQLiteBoards):
    """CommerceStore on SQLite. ``owns_db``: :meth:`aclose` closes the shared connection."""

    def __init__(
        self,
        db: SQLiteDb,
        *,
        cart_ttl_s: int,
        profile_ttl_s: int,
        idempotency_ttl_s: int,
        owns_db: bool = True,
    ) -> None:
        self._db = db
        self.cart_ttl_s = cart_ttl_s
        self.profile_ttl_s = profile_ttl_s
        self.idempotency_ttl_s = idempotency_ttl_s
        self._owns_db = owns_db

    async def purge_expired(self) -> None:
        async def purge() -> None:
            for table, ttl in (
                ("carts", self.cart_ttl_s),
                ("profiles", self.profile_ttl_s),
                ("idempotency", self.idempotency_ttl_s),
            ):
                await self._db.conn.execute(
                    f"DELETE FROM {table} WHERE written <= ?", (_fresh_after(ttl),)
                )

        await self._db.transaction(purge)

    async def get_cart(self, user_id: str) -> Cart:
        async with self._db.lock:
            return await _read_cart(self._db, user_id, self.cart_ttl_s)

    async def list_orders(self, user_id: str) -> list[Order]:
        async with self._db.lock:
            rows = await self._db.all(
                "SELECT data FROM orders WHERE user_id = ? ORDER BY created DESC", (user_id,)
            )
        return [Order.model_validate_json(r[0]) for r in rows]

    async def get_order(self, user_id: str, order_id: str) -> Order | None:
        async with self._db.lock:
            return await _read_order(self._db, user_id, order_id)

    async def activity(self, user_id: str) -> tuple[Profile, list[Order], Cart, list[Board]]:
        """``get_profile``, ``list_orders``, ``get_cart`` and ``list_boards`` in one trip to
        the connection's thread instead of four: the shopper's taste is read from them on
        every search (tools/discovery/_taste.py), and each trip is a thread wake-up."""
        async with self._db.lock:
            rows = await self._db.all(
                "SELECT 0, 0, data FROM profiles WHERE user_id = ? AND written > ? "
                "UNION ALL SELECT 1, -created, data FROM orders WHERE user_id = ? "
                "UNION ALL SELECT 2, 0, data FROM carts WHERE user_id = ? AND written > ? "
                "UNION ALL SELECT 3, written, data FROM boards WHERE user_id = ? "
                "ORDER BY 1, 2",
                (
                    user_id,
                    _fresh_after(self.profile_ttl_s),
                    user_id,
                    user_id,
                    _fresh_after(self.cart_ttl_s),
                    user_id,
                ),
            )
        by_kind: dict[int, list[str]] = {0: [], 1: [], 2: [], 3: []}
        for kind, _, data in rows:
            by_kind[kind].append(data)
        profile = by_kind[0]
        cart = by_kind[2]
        return (
            Profile.model_validate_json(profile[0]) if profile else Profile(user_id=user_id),
            [Order.model_validate_json(d) for d in by_kind[1]],
            Cart.model_validate_json(cart[0]) if cart else Cart(user_id=user_id),
            [Board.model_validate_json(d) for d in by_kind[3]],
        )

    async def get_profile(self, user_id: str) -> Profile:
        async with self._db.lock:
            row = await self._db.one(
                "SELECT data FROM profiles WHERE user_id = ? AND written > ?",
                (user_id, _fresh_after(self.profile_ttl_s)),
            )
        return Profile.model_validate_json(row[0]) if row else Profile(user_id=user_id)

    async def put_profile(self, profile: Profile) -> None:
        async with self._db.lock:
            await self._db.conn.execute(
                "INSERT OR REPLACE INTO profiles (user_id, data, written) VALUES (?, ?, ?)",
                (profile.user_id, profile.model_dump_json(), time.time()),
            )

    async def write_once(self, user_id: str, key: str, fn: WriteFn) -> dict[str, Any]:
        """Check the record, run ``fn`` and commit its changes with the record in one
        transaction (see :meth:`SQLiteDb.transaction`); the lock makes concurrent same-key
        calls wait and then find the record."""
        conn = self._db.conn

        async def unit() -> dict[str, Any]:
            row = await self._db.one(
                "SELECT result FROM idempotency WHERE user_id = ? AND key = ? AND written > ?",
                (user_id, key, _fresh_after(self.idempotency_ttl_s)),
            )
            if row:
                recorded: dict[str, Any] = json.loads(row[0])
                return recorded
            txn = _SQLiteTxn(self._db, user_id, self.cart_ttl_s)
            result: dict[str, Any] = to_jsonable_python(await fn(txn))
            now = time.time()
            if txn.cart is not None:
                await conn.execute(
                    "INSERT OR REPLACE INTO carts (user_id, data, written) VALUES (?, ?, ?)",
                    (user_id, txn.cart.model_dump_json(), now),
                )
            for order in txn.orders.values():
                await conn.execute(
                    "INSERT OR REPLACE INTO orders (user_id, order_id, data, created) "
                    "VALUES (?, ?, ?, ?)",
                    (
                        user_id,
                        order.order_id,
                        order.model_dump_json(),
                        order.created_at.timestamp(),
                    ),
                )
            await conn.execute(
                "INSERT OR REPLACE INTO idempotency (user_id, key, result, written) "
                "VALUES (?, ?, ?, ?)",
                (user_id, key, json.dumps(result), now),
            )
            return result

        written: dict[str, Any] = await self._db.transaction(unit)
        return written

    async def delete_user_data(self, user_id: str) -> None:
        async def delete() -> None:
            for table in ("carts", "orders", "profiles", "idempotency", "boards"):
                await conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))

        conn = self._db.conn
        await self._db.transaction(delete)

    async def aclose(self) -> None:
        if self._owns_db:
            await self._db.close()


class SQLiteSessionIndex:
    """SessionIndex on SQLite; shares the commerce store's connection (does not close it)."""

    def __init__(self, db: SQLiteDb) -> None:
        self._db = db

    async def _save(self, info: SessionInfo) -> None:
        await self._db.conn.execute(
            "INSERT OR REPLACE INTO sessions (session_id, user_id, data, touched) "
            "VALUES (?, ?, ?, ?)",
            (info.session_id, info.user_id, info.model_dump_json(), info.updated_at.timestamp()),
        )

    async def create_session(self, user_id: str, title: str | None = None) -> SessionInfo:
        info = SessionInfo(session_id=uuid.uuid4().hex, user_id=user_id)
        if title:
            info.title = title
        async with self._db.lock:
            await self._save(info)
        return info

    async def get_session(self, user_id: str, session_id: str) -> SessionInfo | None:
        async with self._db.lock:
            row = await self._db.one(
                "SELECT data FROM sessions WHERE session_id = ? AND user_id = ?",
                (session_id, user_id),
            )
        return SessionInfo.model_validate_json(row[0]) if row else None

    async def list_sessions(self, user_id: str) -> list[SessionInfo]:
        async with self._db.lock:
            rows = await self._db.all(
                "SELECT data FROM sessions WHERE user_id = ? ORDER BY touched DESC", (user_id,)
            )
        return [SessionInfo.model_validate_json(r[0]) for r in rows]

    async def touch_session(
        self,
        user_id: str,
        session_id: str,
        title: str | None = None,
        *,
        info: SessionInfo | None = None,
    ) -> None:
        info = await touched(self, user_id, session_id, title, info)
        if info is None:
            return
        async with self._db.lock:
            await self._save(info)

    async def delete_session(self, user_id: str, session_id: str) -> bool:
        async with self._db.lock:
            cur = await self._db.conn.execute(
                "DELETE FROM sessions WHERE session_id = ? AND user_id = ?", (session_id, user_id)
            )
            return cur.rowcount > 0
