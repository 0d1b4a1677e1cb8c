"""Commerce state stores (carts, orders, profiles, idempotency, session index).

    stores = await open_stores(settings)      # Redis or SQLite, by settings.state_backend
    commerce, sessions = stores               # a (CommerceStore, SessionIndex) tuple
    ...
    await stores.aclose()                     # or: async with await open_stores(s) as stores

Both stores of a pair share one connection; closing the pair (or the commerce store)
closes it.
"""

from __future__ import annotations

from typing import NamedTuple

from shopagent.settings import Settings
from shopagent.tools.stores.base import (
    Cart,
    CartLine,
    CommerceStore,
    CommerceTxn,
    Order,
    Profile,
    SessionIndex,
    SessionInfo,
    WriteFn,
)

__all__ = [
    "Cart",
    "CartLine",
    "CommerceStore",
    "CommerceTxn",
    "Order",
    "Profile",
    "SessionIndex",
    "SessionInfo",
    "Stores",
    "WriteFn",
    "open_stores",
]


class Stores(NamedTuple):
    commerce: CommerceStore
    sessions: SessionIndex

    async def aclose(self) -> None:
        await self.commerce.aclose()

    async def __aenter__(self) -> Stores:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def open_stores(settings: Settings) -> Stores:
    """Open the commerce store and session index ``settings.state_backend`` names.

    Sessions expire with their checkpoints (``checkpoint_ttl_s``, Redis only; 0 = never).
    """
    if settings.state_backend == "redis":
        from shopagent.redis import async_redis
        from shopagent.tools.stores.redis import RedisCommerceStore, RedisSessionIndex

        client = async_redis(settings)
        try:
            await client.ping()  # fail at startup, not on the first write
        except BaseException:
            await client.aclose()
            raise
        commerce = RedisCommerceStore(
            client,
            cart_ttl_s=settings.cart_ttl_s,
            profile_ttl_s=settings.profile_ttl_s,
            idempotency_ttl_s=settings.idempotency_ttl_s,
        )
        return Stores(commerce, RedisSessionIndex(client, session_ttl_s=settings.checkpoint_ttl_s))
    from shopagent.tools.stores.sqlite import SQLiteCommerceStore, SQLiteDb, SQLiteSessionIndex

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = await SQLiteDb.open(settings.data_dir / "commerce.sqlite")
    sqlite_commerce = SQLiteCommerceStore(
        db,
        cart_ttl_s=settings.cart_ttl_s,
        profile_ttl_s=settings.profile_ttl_s,
        idempotency_ttl_s=settings.idempotency_ttl_s,
    )
    await sqlite_commerce.purge_expired()
    return Stores(sqlite_commerce, SQLiteSessionIndex(db))
