"""Commerce state: carts, orders, profiles and idempotency records, per user.

Two implementations share these semantics and one behaviour test suite:
``RedisCommerceStore`` (service mode, TTLs, hash-tagged keys) and
``SQLiteCommerceStore`` (embedded mode, a file in the data folder).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field, model_validator

from shopagent.errors import Forbidden
from shopagent.money import quantize, wire


def utcnow() -> datetime:
    return datetime.now(UTC)


class CartLine(BaseModel):
    """One variant in the cart at the unit price the shopper confirmed."""

    product_id: str
    variant_id: str | None = None
    sku: str | None = None
    title: str
    variant_title: str | None = None
    options: dict[str, str] = Field(default_factory=dict, description="e.g. size, switch type")
    unit_price: Decimal = Field(ge=0)
    # the price before the sale it was added in (None: added at its usual price)
    compare_at_price: Decimal | None = Field(None, ge=0)
    currency: str = "USD"
    quantity: int = Field(1, ge=1)

    @model_validator(mode="after")
    def _exact(self) -> CartLine:
        self.currency = self.currency.upper()
        self.unit_price = quantize(self.unit_price, self.currency)
        if self.compare_at_price is not None:
            self.compare_at_price = quantize(self.compare_at_price, self.currency)
        return self

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def saving(self) -> Decimal:
        """What the line costs less than at its price before the sale (0 when none)."""
        before = self.compare_at_price
        return (
            (before - self.unit_price) * self.quantity
            if before and before > self.unit_price
            else Decimal(0)
        )

    def view(self) -> dict[str, Any]:
        """The wire form: amounts as decimal strings."""
        return {**self.model_dump(mode="json"), "line_total": wire(self.line_total)}


def total_of(lines: list[CartLine]) -> Decimal:
    """The exact sum of the lines (a Decimal sum, never float)."""
    currencies = {line.currency for line in lines}
    if len(currencies) > 1:
        # Adding amounts of two currencies would be meaningless; tools refuse to mix them.
        raise ValueError(f"lines in several currencies: {sorted(currencies)}")
    return sum(
        (line.line_total for line in lines), quantize(0, lines[0].currency if lines else "USD")
    )


class Cart(BaseModel):
    user_id: str
    lines: list[CartLine] = Field(default_factory=list)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def total(self) -> Decimal:
        return total_of(self.lines)

    @property
    def currency(self) -> str:
        return self.lines[0].currency if self.lines else "USD"

    def summary(self) -> dict[str, Any]:
        out = {
            "lines": [line.view() for line in self.lines],
            "item_count": sum(line.quantity for line in self.lines),
            "total": wire(self.total),
            "currency": self.currency,
        }
        if saved := sum((line.saving for line in self.lines), Decimal(0)):
            out["savings"] = wire(saved)  # against the lines' prices before their sales
        return out


OrderStatus = Literal["pending", "shipped", "delivered", "cancelled"]


class Order(BaseModel):
    order_id: str
    user_id: str
    lines: list[CartLine]
    total: Decimal
    currency: str = "USD"
    status: OrderStatus = "pending"
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Profile(BaseModel):
    user_id: str
    preferences: dict[str, Any] = Field(default_factory=dict)


class CommerceTxn(Protocol):
    """What a write may do inside one atomic unit with its idempotency record."""

    async def get_cart(self) -> Cart: ...
    def put_cart(self, cart: Cart) -> None: ...
    async def get_order(self, order_id: str) -> Order | None: ...
    def put_order(self, order: Order) -> None: ...


WriteFn = Callable[[CommerceTxn], Awaitable[dict[str, Any]]]


class StagedTxn:
    """The part of a CommerceTxn both backends share: writes are staged (and refused for
    another user) until the store commits them; reads see the staged values first. A
    backend supplies ``_load_cart`` and ``_load_order``."""

    def __init__(self, user_id: str) -> None:
        self._user_id = user_id
        self.cart: Cart | None = None
        self.orders: dict[str, Order] = {}

    async def _load_cart(self) -> Cart:
        raise NotImplementedError

    async def _load_order(self, order_id: str) -> Order | None:
        raise NotImplementedError

    async def get_cart(self) -> Cart:
        if self.cart is not None:
            return self.cart.model_copy(deep=True)
        return await self._load_cart()

    def put_cart(self, cart: Cart) -> None:
        if cart.user_id != self._user_id:
            raise Forbidden("a write may only change its own user's cart")
        self.cart = cart.model_copy(deep=True)

    async def get_order(self, order_id: str) -> Order | None:
        if order_id in self.orders:
            return self.orders[order_id].model_copy(deep=True)
        return await self._load_order(order_id)

    def put_order(self, order: Order) -> None:
        if order.user_id != self._user_id:
            raise Forbidden("a write may only change its own user's orders")
        self.orders[order.order_id] = order.model_copy(deep=True)


class CommerceStore(Protocol):
    async def get_cart(self, user_id: str) -> Cart: ...
    async def list_orders(self, user_id: str) -> list[Order]: ...
    async def get_order(self, user_id: str, order_id: str) -> Order | None: ...
    async def get_profile(self, user_id: str) -> Profile: ...
    async def put_profile(self, profile: Profile) -> None: ...

    async def write_once(self, user_id: str, key: str, fn: WriteFn) -> dict[str, Any]:
        """Run ``fn`` against ``user_id``'s cart/orders at most once for ``key``.

        The changes ``fn`` stages and the idempotency record commit atomically. A second
        call with the same key returns the first call's result and changes nothing.
        """
        ...

    async def delete_user_data(self, user_id: str) -> None: ...
    async def aclose(self) -> None: ...


class SessionInfo(BaseModel):
    session_id: str
    user_id: str
    title: str = "New conversation"
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SessionIndex(Protocol):
    """Which sessions exist and who owns them (the messages live in the checkpointer)."""

    async def create_session(self, user_id: str, title: str | None = None) -> SessionInfo: ...
    async def get_session(self, user_id: str, session_id: str) -> SessionInfo | None:
        """None when missing *or* owned by another user: callers cannot tell the two apart."""
        ...

    async def list_sessions(self, user_id: str) -> list[SessionInfo]: ...
    async def touch_session(
        self,
        user_id: str,
        session_id: str,
        title: str | None = None,
        *,
        info: SessionInfo | None = None,
    ) -> None:
        """Mark the session active (and name it). ``info``: the session as the caller just
        read it, which saves reading it again."""
        ...

    async def delete_session(self, user_id: str, session_id: str) -> bool: ...


async def touched(
    index: SessionIndex,
    user_id: str,
    session_id: str,
    title: str | None,
    info: SessionInfo | None,
) -> SessionInfo | None:
    """The session's record marked active now (and named), read unless ``info`` is it;
    None when there is no such session. The caller saves it."""
    if info is None or info.session_id != session_id or info.user_id != user_id:
        info = await index.get_session(user_id, session_id)
    if info is not None:
        info.updated_at = utcnow()
        if title:
            info.title = title
    return info
