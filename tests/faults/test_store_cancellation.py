"""A shopper who hangs up cancels whatever store write their turn awaits. Cancellation is
injected at every await of every store write, on both backends (a real SQLite file, a real
Redis): afterwards nothing is half-written, and every later write of every user works.

The injection is exact rather than timed: the n-th round trip to the database (aiosqlite's
worker thread, or a Redis reply) cancels the task that started the write, just as the
request is on its way, which is where a hang-up lands in production.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from redis.asyncio.connection import AbstractConnection

from shopagent.settings import Settings
from shopagent.tools.stores import Stores, open_stores
from shopagent.tools.stores.base import CartLine, CommerceTxn, Order, Profile

TTL = {"cart_ttl_s": 1000, "profile_ttl_s": 2000, "idempotency_ttl_s": 3000}


@pytest.fixture(params=["sqlite", "redis"])
async def stores(request: pytest.FixtureRequest, data_dir: Path) -> AsyncIterator[Stores]:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else "redis://unused"
    settings = Settings(
        _env_file=None, state_backend=request.param, data_dir=data_dir, redis_url=url, **TTL
    )
    opened = await open_stores(settings)
    yield opened
    await opened.aclose()


class Injector:
    """Counts round trips to the store; on the ``at``-th it cancels ``victim``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = 0
        self.seen = 0
        self.victim: asyncio.Task[Any] | None = None
        injector = self

        real_sqlite = aiosqlite.Connection._execute

        async def sqlite_execute(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            injector.tick()
            return await real_sqlite(self, fn, *args, **kwargs)

        real_read = AbstractConnection.read_response

        async def redis_read(self: Any, *args: Any, **kwargs: Any) -> Any:
            injector.tick()
            return await real_read(self, *args, **kwargs)

        monkeypatch.setattr(aiosqlite.Connection, "_execute", sqlite_execute)
        monkeypatch.setattr(AbstractConnection, "read_response", redis_read)

    def tick(self) -> None:
        self.seen += 1
        if self.victim is not None and self.seen == self.at:
            # on the next loop turn: the request is on its way, the reply not yet read
            asyncio.get_running_loop().call_soon(self.victim.cancel)

    async def run(self, at: int, op: Callable[[], Awaitable[Any]]) -> bool:
        """Run ``op`` with the cancellation armed at round trip ``at``; True if it was
        cancelled (False: ``op`` finished in fewer round trips)."""
        self.at, self.seen = at, 0
        self.victim = asyncio.ensure_future(op())
        try:
            await self.victim
            return False
        except asyncio.CancelledError:
            return True
        finally:
            self.victim = None
            # Anything the cancelled write left running in the background settles first,
            # as it would while the next request is parsed.
            await asyncio.sleep(0.05)


def add(product_id: str, qty: int = 1) -> Callable[[CommerceTxn], Awaitable[dict[str, Any]]]:
    async def fn(txn: CommerceTxn) -> dict[str, Any]:
        cart = await txn.get_cart()
        cart.lines.append(
            CartLine(product_id=product_id, title=product_id, unit_price="4.50", quantity=qty)
        )
        txn.put_cart(cart)
        return {"lines": len(cart.lines)}

    return fn


def place(order_id: str) -> Callable[[CommerceTxn], Awaitable[dict[str, Any]]]:
    async def fn(txn: CommerceTxn) -> dict[str, Any]:
        cart = await txn.get_cart()
        txn.put_order(
            Order(order_id=order_id, user_id=cart.user_id, lines=list(cart.lines), total="0")
        )
        cart.lines = []
        txn.put_cart(cart)
        return {"order_id": order_id}

    return fn


async def _healthy(stores: Stores, tag: str) -> None:
    """Every user can still write, and the writes are all there."""
    commerce, sessions = stores
    for user in ("u-cancelled", f"other-{tag}"):
        before = len((await commerce.get_cart(user)).lines)
        await commerce.write_once(user, f"after-{tag}", add(f"p-{tag}"))
        assert len((await commerce.get_cart(user)).lines) == before + 1
    info = await sessions.create_session(f"other-{tag}", "after")
    assert await sessions.get_session(f"other-{tag}", info.session_id) is not None


async def _sweep(
    injector: Injector,
    stores: Stores,
    op: Callable[[], Awaitable[Any]],
    check: Callable[[], Awaitable[None]],
    name: str,
) -> int:
    """Count the round trips of one uncancelled ``op``, then cancel it at each of them in
    turn (some client code finishes a command despite a cancellation: also fine)."""
    await injector.run(0, op)
    total = injector.seen
    await check()
    cancelled = 0
    for at in range(1, total + 1):
        cancelled += await injector.run(at, op)
        await check()
        await _healthy(stores, f"{name}-{at}")
    # redis-py completes some commands despite a cancellation (also fine): only the
    # SQLite path is sure to be cut somewhere
    sqlite = type(stores.commerce).__name__.startswith("SQLite")
    assert cancelled > 0 or not sqlite, "no cancellation landed"
    return cancelled


async def test_cancelled_write_once_is_all_or_nothing(stores: Stores, monkeypatch: Any) -> None:
    commerce, _ = stores
    injector = Injector(monkeypatch)
    user = "u-cancelled"
    counter = {"n": 0}

    async def op() -> Any:
        return await commerce.write_once(user, f"add-{counter['n']}", add("p-x", 2))

    async def check() -> None:
        # The write either happened exactly once, or not at all; a retry with the same
        # key (what the agent does after a hang-up) then applies it exactly once.
        key = f"add-{counter['n']}"
        mine = lambda c: [ln for ln in c.lines if ln.product_id == "p-x"]  # noqa: E731
        got = mine(await commerce.get_cart(user))
        assert len(got) in (counter["n"], counter["n"] + 1)
        await commerce.write_once(user, key, add("p-x", 2))
        await commerce.write_once(user, key, add("p-x", 2))
        assert len(mine(await commerce.get_cart(user))) == counter["n"] + 1
        counter["n"] += 1

    await _sweep(injector, stores, op, check, "write")


async def test_cancelled_checkout_never_half_applies(stores: Stores, monkeypatch: Any) -> None:
    commerce, _ = stores
    injector = Injector(monkeypatch)
    user = "u-cancelled"
    state = {"n": 0}

    async def op() -> Any:
        await commerce.write_once(user, f"fill-{state['n']}", add("p-y"))
        return await commerce.write_once(user, f"order-{state['n']}", place(f"o-{state['n']}"))

    async def check() -> None:
        # Retrying both writes with their keys (what a resumed turn does) leaves each
        # line in exactly one order and none in the cart: nothing lost, nothing twice.
        n = state["n"]
        await commerce.write_once(user, f"fill-{n}", add("p-y"))
        await commerce.write_once(user, f"order-{n}", place(f"o-{n}"))
        cart = await commerce.get_cart(user)
        assert [ln for ln in cart.lines if ln.product_id == "p-y"] == []
        ordered = [
            ln for o in await commerce.list_orders(user) for ln in o.lines if ln.product_id == "p-y"
        ]
        assert len(ordered) == n + 1
        state["n"] += 1

    await _sweep(injector, stores, op, check, "checkout")


async def test_cancelled_erasure_and_session_writes(stores: Stores, monkeypatch: Any) -> None:
    commerce, sessions = stores
    injector = Injector(monkeypatch)
    user = "u-cancelled"

    async def seed() -> None:
        await commerce.write_once(user, "seed-add", add("p-z"))
        await commerce.write_once(user, "seed-order", place("o-seed"))
        await commerce.write_once(user, "seed-add-2", add("p-z"))
        await commerce.put_profile(Profile(user_id=user, preferences={"shoe size": "44"}))

    async def erased_or_kept() -> None:
        cart, orders = await commerce.get_cart(user), await commerce.list_orders(user)
        profile = await commerce.get_profile(user)
        present = [bool(cart.lines), bool(orders), bool(profile.preferences)]
        assert present in ([True] * 3, [False] * 3), present  # all of it or none of it
        await seed()

    async def erase() -> None:
        await commerce.delete_user_data(user)

    await seed()
    await _sweep(injector, stores, erase, erased_or_kept, "erase")

    async def nothing() -> None:
        return None

    sid: dict[str, str] = {}

    async def session_life() -> None:
        info = await sessions.create_session(user, "a title")
        sid["id"] = info.session_id
        await sessions.touch_session(user, info.session_id, title="renamed")
        await sessions.delete_session(user, info.session_id)

    await _sweep(injector, stores, session_life, nothing, "sessions")
    purge = getattr(commerce, "purge_expired", None)
    if purge is not None:
        await _sweep(injector, stores, purge, nothing, "purge")
