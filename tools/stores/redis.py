"""Commerce state and the session index on plain Redis (service mode).

Every key of a user carries the hash tag ``{u:<user_id>}``, so one user's cart, orders,
idempotency records and sessions share a cluster slot and ``write_once`` can WATCH/MULTI
across them on Redis Cluster too::

    shop:{u:U}:cart            STRING  Cart JSON          (TTL cart_ttl_s, re-armed per write)
    shop:{u:U}:orders          HASH    order_id -> Order JSON (no TTL: orders are records)
    shop:{u:U}:profile         STRING  Profile JSON       (TTL profile_ttl_s)
    shop:{u:U}:idem:<key>      STRING  result JSON, or a pending claim (TTL idempotency_ttl_s)
    shop:{u:U}:sessions        ZSET    session_id by last activity
    shop:{u:U}:session:<sid>   STRING  SessionInfo JSON   (TTL session_ttl_s when > 0)
    shop:{u:U}:boards, shop:share:<token>   boards (see tools/stores/boards.py)

Ownership is structural: a user's reads only ever name keys under that user's tag, so
another user's order or session is simply not found.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

from pydantic_core import to_jsonable_python
from redis.exceptions import WatchError

from shopagent.errors import Conflict
from shopagent.redis import tag_safe
from shopagent.tools.stores.base import (
    Cart,
    Order,
    Profile,
    SessionInfo,
    StagedTxn,
    WriteFn,
    touched,
)
from shopagent.tools.stores.boards import RedisBoards

_PENDING = b"pending:"
# redis.asyncio.Redis or RedisCluster. Typed loosely on purpose: the installed stubs
# (types-redis 4.6) predate redis 5's asyncio cluster client and aclose().
AsyncClient = Any


class _UserKeys:
    __slots__ = ("tag", "cart", "orders", "profile", "sessions")

    def __init__(self, prefix: str, user_id: str) -> None:
        self.tag = f"{prefix}:{{u:{tag_safe(user_id)}}}"
        self.cart = f"{self.tag}:cart"
        self.orders = f"{self.tag}:orders"
        self.profile = f"{self.tag}:profile"
        self.sessions = f"{self.tag}:sessions"

    def idem(self, key: str) -> str:
        return f"{self.tag}:idem:{key}"

    def session(self, session_id: str) -> str:
        return f"{self.tag}:session:{session_id}"


def _ex(ttl_s: int) -> int | None:
    return ttl_s if ttl_s > 0 else None


class _RedisTxn(StagedTxn):
    """Reads go through the WATCHing pipeline (immediate mode); writes are staged."""

    def __init__(self, pipe: Any, keys: _UserKeys, user_id: str) -> None:
        super().__init__(user_id)
        self._pipe = pipe
        self._keys = keys

    async def _load_cart(self) -> Cart:
        raw = await self._pipe.get(self._keys.cart)
        return Cart.model_validate_json(raw) if raw else Cart(user_id=self._user_id)

    async def _load_order(self, order_id: str) -> Order | None:
        raw = await self._pipe.hget(self._keys.orders, order_id)
        return Order.model_validate_json(raw) if raw else None


class RedisCommerceStore(RedisBoards):
    """CommerceStore on Redis. ``owns_client``: :meth:`aclose` closes the client."""

    def __init__(
        self,
        client: AsyncClient,
        *,
        cart_ttl_s: int,
        profile_ttl_s: int,
        idempotency_ttl_s: int,
        prefix: str = "shop",
        claim_ttl_s: float = 30.0,
        owns_client: bool = True,
    ) -> None:
        self._r = client
        self.cart_ttl_s = cart_ttl_s
        self.profile_ttl_s = profile_ttl_s
        self.idempotency_ttl_s = idempotency_ttl_s
        self.prefix = prefix
        self.claim_ttl_s = claim_ttl_s
        self._owns_client = owns_client

    def _k(self, user_id: str) -> _UserKeys:
        return _UserKeys(self.prefix, user_id)

    async def get_cart(self, user_id: str) -> Cart:
        raw = await self._r.get(self._k(user_id).cart)
        return Cart.model_validate_json(raw) if raw else Cart(user_id=user_id)

    async def list_orders(self, user_id: str) -> list[Order]:
        orders = [
            Order.model_validate_json(v) for v in await self._r.hvals(self._k(user_id).orders)
        ]
        return sorted(orders, key=lambda o: o.created_at, reverse=True)

    async def get_order(self, user_id: str, order_id: str) -> Order | None:
        raw = await self._r.hget(self._k(user_id).orders, order_id)
        if not raw:
            return None
        order = Order.model_validate_json(raw)
        return order if order.user_id == user_id else None

    async def get_profile(self, user_id: str) -> Profile:
        raw = await self._r.get(self._k(user_id).profile)
        return Profile.model_validate_json(raw) if raw else Profile(user_id=user_id)

    async def put_profile(self, profile: Profile) -> None:
        await self._r.set(
            self._k(profile.user_id).profile, profile.model_dump_json(), ex=_ex(self.profile_ttl_s)
        )

    async def write_once(self, user_id: str, key: str, fn: WriteFn) -> dict[str, Any]:
        """Claim ``key`` (SET NX with a short TTL) so concurrent callers wait instead of
        running ``fn`` too, then commit the staged changes and the result in one MULTI."""
        keys = self._k(user_id)
        idem = keys.idem(key)
        token = _PENDING + uuid.uuid4().hex.encode()
        claim_ms = int(self.claim_ttl_s * 1000)
        # A claim outlives a crashed claimant by at most claim_ttl_s; wait a bit longer.
        deadline = time.monotonic() + 2 * self.claim_ttl_s
        delay = 0.005
        while not await self._r.set(idem, token, nx=True, px=claim_ms):
            raw = await self._r.get(idem)
            if raw is not None and not raw.startswith(_PENDING):
                recorded: dict[str, Any] = json.loads(raw)
                return recorded
            if time.monotonic() > deadline:
                raise Conflict(f"write {key!r} is still in progress")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)
        try:
            return await self._commit(user_id, keys, idem, token, fn)
        except BaseException:
            # Shielded: a hang-up cancels this task again while it cleans up, and a claim
            # left behind would make the shopper's retry wait out its TTL.
            await asyncio.shield(self._release(idem, token))
            raise

    async def _commit(
        self, user_id: str, keys: _UserKeys, idem: str, token: bytes, fn: WriteFn
    ) -> dict[str, Any]:
        for _ in range(50):
            async with self._r.pipeline(transaction=True) as pipe:
                # WATCH what fn may read: a concurrent write with another key that changes
                # the cart or orders makes EXEC fail, and fn runs again on fresh state.
                await pipe.watch(keys.cart, keys.orders, idem)
                txn = _RedisTxn(pipe, keys, user_id)
                result: dict[str, Any] = to_jsonable_python(await fn(txn))
                if await pipe.get(idem) != token:
                    raise Conflict("the idempotency claim expired before the write committed")
                pipe.multi()
                if txn.cart is not None:
                    pipe.set(keys.cart, txn.cart.model_dump_json(), ex=_ex(self.cart_ttl_s))
                if txn.orders:
                    pipe.hset(
                        keys.orders,
                        mapping={oid: o.model_dump_json() for oid, o in txn.orders.items()},
                    )
                pipe.set(idem, json.dumps(result), ex=_ex(self.idempotency_ttl_s))
                try:
                    await pipe.execute()
                except WatchError:
                    continue
                return result
        raise Conflict("too many concurrent writes to this cart; try again")

    async def _release(self, idem: str, token: bytes) -> None:
        # Compare-and-delete: only drop the claim if it is still ours.
        async with self._r.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(idem)
                if await pipe.get(idem) == token:
                    pipe.multi()
                    pipe.delete(idem)
                    await pipe.execute()
            except WatchError:
                pass

    async def delete_user_data(self, user_id: str) -> None:
        keys = self._k(user_id)
        # Idempotency keys are not indexed (they expire on their own); this rare, per-user
        # erasure is the one place a SCAN is acceptable.
        doomed = [k async for k in self._r.scan_iter(match=f"{keys.tag}:idem:*", count=500)]
        await self._r.delete(keys.cart, keys.orders, keys.profile, *doomed)
        await self._delete_boards(user_id)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._r.aclose()


class RedisSessionIndex:
    """SessionIndex on Redis; shares the commerce store's client (it does not close it)."""

    def __init__(
        self, client: AsyncClient, *, session_ttl_s: int = 0, prefix: str = "shop"
    ) -> None:
        self._r = client
        self.session_ttl_s = session_ttl_s
        self.prefix = prefix

    def _k(self, user_id: str) -> _UserKeys:
        return _UserKeys(self.prefix, user_id)

    async def _save(self, keys: _UserKeys, info: SessionInfo) -> None:
        pipe = self._r.pipeline(transaction=True)
        pipe.set(keys.session(info.session_id), info.model_dump_json(), ex=_ex(self.session_ttl_s))
        pipe.zadd(keys.sessions, {info.session_id: info.updated_at.timestamp()})
        await pipe.execute()

    async def create_session(self, user_id: str, title: str | None = None) -> SessionInfo:
        info = SessionInfo(session_id=uuid.uuid4().hex, user_id=user_id)
        if title:
            info.title = title
        await self._save(self._k(user_id), info)
        return info

    async def get_session(self, user_id: str, session_id: str) -> SessionInfo | None:
        raw = await self._r.get(self._k(user_id).session(session_id))
        if not raw:
            return None
        info = SessionInfo.model_validate_json(raw)
        return info if info.user_id == user_id else None

    async def list_sessions(self, user_id: str) -> list[SessionInfo]:
        keys = self._k(user_id)
        ids = [i.decode() for i in await self._r.zrevrange(keys.sessions, 0, -1)]
        if not ids:
            return []
        raws = await self._r.mget([keys.session(i) for i in ids])
        expired = [i for i, raw in zip(ids, raws, strict=True) if raw is None]
        if expired:  # the session expired (TTL); drop it from the index lazily
            await self._r.zrem(keys.sessions, *expired)
        return [SessionInfo.model_validate_json(raw) for raw in raws if raw is not None]

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
        await self._save(self._k(user_id), info)

    async def delete_session(self, user_id: str, session_id: str) -> bool:
        keys = self._k(user_id)
        pipe = self._r.pipeline(transaction=True)
        pipe.delete(keys.session(session_id))
        pipe.zrem(keys.sessions, session_id)
        deleted, _ = await pipe.execute()
        return bool(deleted)
