"""One behaviour suite for both commerce-store backends (real Redis, real SQLite file)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aredis
from redis.crc import key_slot

from shopagent.errors import Forbidden, ToolError
from shopagent.settings import Settings
from shopagent.tools.stores import Stores, open_stores
from shopagent.tools.stores.base import CartLine, CommerceTxn, Order, Profile

TTL = {
    "cart_ttl_s": 1000,
    "profile_ttl_s": 2000,
    "idempotency_ttl_s": 3000,
    "checkpoint_ttl_s": 4000,
}


def _settings(backend: str, data_dir: Path, redis_url: str = "redis://unused") -> Settings:
    return Settings(
        _env_file=None, state_backend=backend, data_dir=data_dir, redis_url=redis_url, **TTL
    )


@pytest.fixture(params=["redis", "sqlite"])
async def stores(request: pytest.FixtureRequest, data_dir: Path) -> AsyncIterator[Stores]:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else "redis://unused"
    opened = await open_stores(_settings(request.param, data_dir, url))
    yield opened
    await opened.aclose()


def add_line(product_id: str, qty: int = 1, price: float = 10.0, calls: list[int] | None = None):
    async def fn(txn: CommerceTxn) -> dict[str, Any]:
        if calls is not None:
            calls.append(1)
        cart = await txn.get_cart()
        await asyncio.sleep(0.01)  # widen the race window for the concurrency tests
        for line in cart.lines:
            if line.product_id == product_id:
                line.quantity += qty
                break
        else:
            cart.lines.append(
                CartLine(
                    product_id=product_id, title=product_id.upper(), unit_price=price, quantity=qty
                )
            )
        txn.put_cart(cart)
        return {"cart": cart.summary()}

    return fn


async def checkout(txn: CommerceTxn) -> dict[str, Any]:
    cart = await txn.get_cart()
    order = Order(
        order_id=f"o-{cart.user_id}-{len(cart.lines)}",
        user_id=cart.user_id,
        lines=list(cart.lines),
        total=cart.total,
    )
    txn.put_order(order)
    cart.lines = []
    txn.put_cart(cart)
    return {"order_id": order.order_id, "total": order.total}


async def test_cart_round_trip(stores: Stores) -> None:
    commerce, _ = stores
    assert (await commerce.get_cart("alice")).lines == []
    result = await commerce.write_once("alice", "k1", add_line("p1", 2, 12.5))
    assert result["cart"]["total"] == "25.00"
    cart = await commerce.get_cart("alice")
    assert [(line.product_id, line.quantity) for line in cart.lines] == [("p1", 2)]
    assert cart.user_id == "alice" and cart.total == Decimal("25.00")


async def test_orders_belong_to_their_owner(stores: Stores) -> None:
    commerce, _ = stores
    await commerce.write_once("alice", "add", add_line("p1", 1, 5.0))
    placed = await commerce.write_once("alice", "checkout", checkout)
    order_id = placed["order_id"]
    assert (await commerce.get_cart("alice")).lines == []
    mine = await commerce.get_order("alice", order_id)
    assert mine is not None and mine.total == Decimal("5.00") and mine.status == "pending"
    assert [o.order_id for o in await commerce.list_orders("alice")] == [order_id]
    assert await commerce.get_order("bob", order_id) is None
    assert await commerce.list_orders("bob") == []


async def test_a_write_cannot_touch_another_users_data(stores: Stores) -> None:
    commerce, _ = stores
    await commerce.write_once("alice", "a1", add_line("p1"))

    async def steal(txn: CommerceTxn) -> dict[str, Any]:
        txn.put_order(Order(order_id="o-x", user_id="alice", lines=[], total=0))
        return {}

    with pytest.raises(Forbidden):
        await commerce.write_once("bob", "steal", steal)
    assert await commerce.get_order("alice", "o-x") is None
    assert await commerce.get_order("bob", "o-x") is None
    assert (await commerce.get_cart("bob")).lines == []
    assert len((await commerce.get_cart("alice")).lines) == 1


async def test_write_once_replays_the_first_result(stores: Stores) -> None:
    commerce, _ = stores
    calls: list[int] = []
    first = await commerce.write_once("alice", "same", add_line("p1", 1, calls=calls))
    again = await commerce.write_once("alice", "same", add_line("p1", 1, calls=calls))
    assert again == first and len(calls) == 1
    assert (await commerce.get_cart("alice")).lines[0].quantity == 1
    # the key is per user: bob's write with the same key is a different write
    await commerce.write_once("bob", "same", add_line("p1", 1, calls=calls))
    assert len(calls) == 2


async def test_concurrent_write_once_with_one_key_runs_once(stores: Stores) -> None:
    commerce, _ = stores
    calls: list[int] = []
    results = await asyncio.gather(
        *[commerce.write_once("alice", "dup", add_line("p1", 1, calls=calls)) for _ in range(6)]
    )
    assert len(calls) == 1
    assert all(r == results[0] for r in results)
    assert (await commerce.get_cart("alice")).lines[0].quantity == 1


async def test_concurrent_writes_with_distinct_keys_lose_nothing(stores: Stores) -> None:
    commerce, _ = stores
    await asyncio.gather(*[commerce.write_once("alice", f"k{i}", add_line("p1")) for i in range(6)])
    assert (await commerce.get_cart("alice")).lines[0].quantity == 6


async def test_failed_write_commits_nothing_and_can_be_retried(stores: Stores) -> None:
    commerce, _ = stores

    async def half_then_fail(txn: CommerceTxn) -> dict[str, Any]:
        cart = await txn.get_cart()
        cart.lines.append(CartLine(product_id="p9", title="P9", unit_price=1.0))
        txn.put_cart(cart)
        raise ToolError("out of stock")

    with pytest.raises(ToolError):
        await commerce.write_once("alice", "retry-me", half_then_fail)
    assert (await commerce.get_cart("alice")).lines == []
    result = await commerce.write_once("alice", "retry-me", add_line("p1"))
    assert result["cart"]["item_count"] == 1


async def test_profile_and_user_data_deletion(stores: Stores) -> None:
    commerce, _ = stores
    assert (await commerce.get_profile("alice")).preferences == {}
    await commerce.put_profile(Profile(user_id="alice", preferences={"size": "M"}))
    assert (await commerce.get_profile("alice")).preferences == {"size": "M"}
    await commerce.write_once("alice", "a", add_line("p1"))
    await commerce.write_once("alice", "c", checkout)
    await commerce.write_once("bob", "a", add_line("p2"))
    await commerce.delete_user_data("alice")
    assert (await commerce.get_profile("alice")).preferences == {}
    assert await commerce.list_orders("alice") == []
    assert (await commerce.get_cart("bob")).lines[0].product_id == "p2"
    # idempotency records went too: the same key runs again
    calls: list[int] = []
    await commerce.write_once("alice", "a", add_line("p1", calls=calls))
    assert calls == [1]


async def test_session_index_ownership(stores: Stores) -> None:
    _, sessions = stores
    s1 = await sessions.create_session("alice", "Boots")
    s2 = await sessions.create_session("alice")
    other = await sessions.create_session("bob")
    assert s1.session_id != s2.session_id and s2.title == "New conversation"
    got = await sessions.get_session("alice", s1.session_id)
    assert got is not None and got.title == "Boots" and got.user_id == "alice"
    assert await sessions.get_session("bob", s1.session_id) is None
    assert await sessions.get_session("alice", "missing") is None
    await sessions.touch_session("alice", s1.session_id, title="Winter boots")
    listed = await sessions.list_sessions("alice")
    assert [s.session_id for s in listed] == [s1.session_id, s2.session_id]  # most recent first
    assert listed[0].title == "Winter boots"
    await sessions.touch_session("bob", s1.session_id, title="hijack")  # not bob's: no effect
    assert (await sessions.get_session("alice", s1.session_id)).title == "Winter boots"
    assert await sessions.delete_session("bob", s1.session_id) is False
    assert await sessions.delete_session("alice", s1.session_id) is True
    assert await sessions.delete_session("alice", s1.session_id) is False
    assert [s.session_id for s in await sessions.list_sessions("alice")] == [s2.session_id]
    assert [s.session_id for s in await sessions.list_sessions("bob")] == [other.session_id]


# --- backend specifics -----------------------------------------------------------------------


async def test_redis_keys_carry_ttls_and_share_a_slot(redis_url: str, data_dir: Path) -> None:
    stores = await open_stores(_settings("redis", data_dir, redis_url))
    commerce, sessions = stores
    try:
        await commerce.write_once("u{1}", "add", add_line("p1"))
        await commerce.write_once("u{1}", "buy", checkout)
        await commerce.put_profile(Profile(user_id="u{1}"))
        await sessions.create_session("u{1}")
        r = aredis.Redis.from_url(redis_url)
        keys = [k.decode() for k in await r.keys("*")]
        assert len(keys) == 7, keys  # cart, orders, profile, 2 idem, sessions zset, session
        assert len({key_slot(k.encode()) for k in keys}) == 1
        ttls = {k.split("}:", 1)[1].split(":")[0]: await r.ttl(k) for k in keys}
        assert 990 < ttls["cart"] <= 1000
        assert 1990 < ttls["profile"] <= 2000
        assert 2990 < ttls["idem"] <= 3000
        assert 3990 < ttls["session"] <= 4000
        assert ttls["orders"] == -1  # orders are records, they do not expire
        await r.aclose()
    finally:
        await stores.aclose()


async def test_redis_stale_claim_is_not_stolen(redis_url: str, data_dir: Path) -> None:
    """A pending claim from another worker makes a second caller wait, then replay."""
    stores = await open_stores(_settings("redis", data_dir, redis_url))
    commerce = stores.commerce
    try:
        started = asyncio.Event()
        release = asyncio.Event()
        calls: list[int] = []

        async def slow(txn: CommerceTxn) -> dict[str, Any]:
            calls.append(1)
            started.set()
            await release.wait()
            return await add_line("p1")(txn)

        probe = aredis.from_url(redis_url)
        first = asyncio.create_task(commerce.write_once("alice", "slow", slow))
        await started.wait()
        # While fn waits, the first caller sends nothing to Redis: the next keyspace hit is
        # the second caller reading the pending claim. Wait for that event instead of
        # sleeping and hoping the second caller got that far.
        hits = (await probe.info("stats"))["keyspace_hits"]
        second = asyncio.create_task(commerce.write_once("alice", "slow", slow))
        for _ in range(2000):
            if (await probe.info("stats"))["keyspace_hits"] > hits or second.done():
                break
            await asyncio.sleep(0.005)
        else:
            pytest.fail("the second caller never read the claim")
        await probe.aclose()
        assert not second.done()  # it saw the claim and waits on it, not running fn
        assert calls == [1]
        release.set()
        assert await first == await second and calls == [1]
    finally:
        await stores.aclose()


async def test_sqlite_ttls_expire_rows(data_dir: Path) -> None:
    stores = await open_stores(_settings("sqlite", data_dir))
    commerce = stores.commerce
    try:
        await commerce.write_once("alice", "k", add_line("p1"))
        db = commerce._db  # type: ignore[attr-defined]
        await db.conn.execute("UPDATE carts SET written = written - 1001")
        assert (await commerce.get_cart("alice")).lines == []
        # the idempotency record (TTL 3000) still holds
        calls: list[int] = []
        await commerce.write_once("alice", "k", add_line("p1", calls=calls))
        assert calls == []
        await db.conn.execute("UPDATE idempotency SET written = written - 3001")
        await commerce.write_once("alice", "k", add_line("p1", calls=calls))
        assert calls == [1]
    finally:
        await stores.aclose()
    assert (data_dir / "commerce.sqlite").exists()


async def test_sqlite_activity_is_the_four_reads_in_one(data_dir: Path) -> None:
    """What taste is read from on every search, in one trip: the same profile, orders
    (newest first), cart and boards as the single reads, expiry included."""
    from shopagent.tools.stores.boards import Board, BoardItem

    stores = await open_stores(_settings("sqlite", data_dir))
    commerce: Any = stores.commerce
    try:
        # a new shopper: nothing stored, the same empty records
        profile, orders, cart, boards = await commerce.activity("nadia")
        assert profile == await commerce.get_profile("nadia")
        assert (orders, boards) == ([], []) and cart.lines == []

        await commerce.put_profile(Profile(user_id="nadia", preferences={"size": "M"}))
        await commerce.write_once("nadia", "a1", add_line("trowel", 1, 9.0))
        await commerce.write_once("nadia", "c1", checkout)
        await commerce.write_once("nadia", "a2", add_line("hose", 2, 19.0))
        await commerce.write_once("nadia", "a3", add_line("gloves", 1, 4.0))
        await commerce.write_once("nadia", "c2", checkout)
        await commerce.write_once("nadia", "a4", add_line("rake", 1, 15.0))
        for name, pid in (("Balcony", "planter"), ("Shed", "shelf")):
            await commerce.put_board(
                Board(user_id="nadia", name=name, items=[BoardItem(product_id=pid)])
            )
        await commerce.put_profile(Profile(user_id="omar", preferences={"size": "L"}))
        await commerce.write_once("omar", "x", add_line("axe"))

        profile, orders, cart, boards = await commerce.activity("nadia")
        assert profile == await commerce.get_profile("nadia")
        assert profile.preferences == {"size": "M"}
        assert orders == await commerce.list_orders("nadia") and len(orders) == 2
        assert cart == await commerce.get_cart("nadia")
        assert [ln.product_id for ln in cart.lines] == ["rake"]
        assert boards == await commerce.list_boards("nadia")
        assert [b.name for b in boards] == ["Balcony", "Shed"]

        await commerce._db.conn.execute("UPDATE carts SET written = written - 1001")
        await commerce._db.conn.execute("UPDATE profiles SET written = written - 2001")
        profile, _, cart, _ = await commerce.activity("nadia")
        assert profile.preferences == {} and cart.lines == []
    finally:
        await stores.aclose()
