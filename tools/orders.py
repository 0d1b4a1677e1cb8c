"""Order tools. Orders are looked up for the calling user only: another user's order id
answers exactly like a missing one."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shopagent.errors import ToolError
from shopagent.money import wire
from shopagent.tools._registry import ToolContext, tool
from shopagent.tools.cart import NoArgs
from shopagent.tools.stores.base import CommerceTxn, Order, utcnow


class OrderArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order_id: str = Field(description="The order id, e.g. o-1a2b3c4d5e")


def _order_view(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "status": order.status,
        "total": wire(order.total),
        "currency": order.currency,
        "created_at": order.created_at.isoformat(),
        "lines": [line.view() for line in order.lines],
    }


@tool
async def list_orders(ctx: ToolContext, args: NoArgs) -> dict[str, Any]:
    """List the shopper's orders, newest first, with status and total."""
    orders = await ctx.need_stores().list_orders(ctx.user_id)
    orders.sort(key=lambda o: o.created_at, reverse=True)
    return {"orders": [_order_view(o) for o in orders]}


@tool
async def order_status(ctx: ToolContext, args: OrderArgs) -> dict[str, Any]:
    """Look up one of the shopper's orders by id: status, lines and total."""
    order = await ctx.need_stores().get_order(ctx.user_id, args.order_id)
    if order is None:
        raise ToolError(f"no order {args.order_id!r} for this shopper", code="not_found")
    return {"order": _order_view(order)}


def _cancellable(order: Order | None, order_id: str) -> Order:
    if order is None:
        raise ToolError(f"no order {order_id!r} for this shopper", code="not_found")
    if order.status != "pending":
        raise ToolError(
            f"order {order.order_id} is {order.status}; only pending orders can be cancelled",
            code="not_cancellable",
        )
    return order


async def _check_cancel(ctx: ToolContext, args: OrderArgs) -> None:
    _cancellable(await ctx.need_stores().get_order(ctx.user_id, args.order_id), args.order_id)


@tool(
    writes=True,
    describe_write=lambda a, catalog: f"Cancel order {a.order_id}",
    precheck=_check_cancel,
)
async def cancel_order(ctx: ToolContext, args: OrderArgs) -> dict[str, Any]:
    """Cancel one of the shopper's orders. Only pending orders can be cancelled."""
    if not ctx.idempotency_key:
        raise ToolError("cancel_order needs the shopper's confirmation first", code="not_confirmed")

    async def apply(txn: CommerceTxn) -> dict[str, Any]:
        # Checked again inside the write: the order may have changed since the precheck.
        order = _cancellable(await txn.get_order(args.order_id), args.order_id)
        order.status = "cancelled"
        order.updated_at = utcnow()
        txn.put_order(order)
        return {"order_id": order.order_id, "status": order.status}

    return await ctx.need_stores().write_once(ctx.user_id, ctx.idempotency_key, apply)


ORDER_TOOLS = [list_orders, order_status, cancel_order]
