"""Cart and checkout tools. Every write runs through ``write_once`` with the idempotency
key the agent puts in the context, so a resumed or retried turn never writes twice."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shopagent.errors import ToolError
from tools._registry import ToolContext, tool
from tools.stores.base import CartLine, CommerceTxn, Order, utcnow


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddToCartArgs(_Args):
    product_id: str = Field(description="Id of the product, as returned by a search tool")
    quantity: int = Field(1, ge=1, le=20)
    size: str | None = Field(None, description="Size option, if the product has sizes")
    color: str | None = Field(None, description="Colour option, if the product has colours")
    variant_id: str | None = Field(None, description="Exact variant id, if known")


class RemoveFromCartArgs(_Args):
    product_id: str
    variant_id: str | None = None


class NoArgs(_Args):
    pass


def _write_key(ctx: ToolContext, name: str) -> str:
    if not ctx.idempotency_key:
        # Writes only ever run from the confirm path, which always sets a key.
        raise ToolError(f"{name} needs the shopper's confirmation first", code="not_confirmed")
    return ctx.idempotency_key


def _pick_variant(product: Any, args: AddToCartArgs) -> tuple[str | None, dict[str, str], float]:
    variants = list(getattr(product, "variants", []) or [])
    if not variants:
        options = {k: v for k, v in (("size", args.size), ("color", args.color)) if v}
        return None, options, float(product.price)
    wanted = {k: v for k, v in (("size", args.size), ("color", args.color)) if v}
    candidates = [v for v in variants if args.variant_id in (None, v.id)]
    for key, value in wanted.items():
        candidates = [
            v for v in candidates if str(v.options.get(key, "")).casefold() == value.casefold()
        ]
    if not candidates:
        choices = sorted({f"{k}={v}" for var in variants for k, v in var.options.items()})
        raise ToolError(
            f"{product.title} has no variant matching {wanted or args.variant_id}; "
            f"options: {', '.join(choices)}",
            code="no_such_variant",
        )
    option_keys = {k for var in variants for k in var.options}
    missing = [
        k
        for k in option_keys
        if k not in wanted and len({var.options.get(k) for var in candidates}) > 1
    ]
    if missing and args.variant_id is None:
        values = sorted({str(var.options.get(missing[0])) for var in candidates})
        raise ToolError(
            f"which {missing[0]} of {product.title}? available: {', '.join(values)}",
            code="option_required",
        )
    available = [v for v in candidates if v.available]
    if not available:
        raise ToolError(f"{product.title} {wanted} is out of stock", code="out_of_stock")
    chosen = available[0]
    price = chosen.price if chosen.price is not None else product.price
    return chosen.id, {k: str(v) for k, v in chosen.options.items()}, float(price)


def _product_label(catalog: Any, product_id: str) -> str:
    product = catalog.get_product(product_id) if catalog is not None else None
    if product is None:
        return product_id
    return f"{product.title} ({product_id}, {product.min_price:.2f} {product.currency})"


def _describe_add(args: AddToCartArgs, catalog: Any) -> str:
    opts = ", ".join(f"{k} {v}" for k, v in (("size", args.size), ("color", args.color)) if v)
    label = _product_label(catalog, args.product_id)
    return f"Add {args.quantity} x {label}{f' [{opts}]' if opts else ''} to your cart"


async def _resolve_add(
    ctx: ToolContext, args: AddToCartArgs
) -> tuple[Any, str | None, dict[str, str], float]:
    product = await asyncio.to_thread(ctx.catalog.get_product, args.product_id)
    if product is None:
        raise ToolError(f"no product with id {args.product_id!r}", code="not_found")
    if not getattr(product, "available", True):
        raise ToolError(f"{product.title} is out of stock", code="out_of_stock")
    variant_id, options, price = _pick_variant(product, args)
    return product, variant_id, options, price


async def _check_add(ctx: ToolContext, args: AddToCartArgs) -> None:
    await _resolve_add(ctx, args)


@tool(writes=True, describe_write=_describe_add, precheck=_check_add)
async def add_to_cart(ctx: ToolContext, args: AddToCartArgs) -> dict[str, Any]:
    """Add a product to the shopper's cart. Give size/colour when the product has options."""
    key = _write_key(ctx, "add_to_cart")
    product, variant_id, options, price = await _resolve_add(ctx, args)

    async def apply(txn: CommerceTxn) -> dict[str, Any]:
        cart = await txn.get_cart()
        for line in cart.lines:
            if line.product_id == product.id and line.variant_id == variant_id:
                line.quantity += args.quantity
                break
        else:
            cart.lines.append(
                CartLine(
                    product_id=product.id,
                    variant_id=variant_id,
                    title=product.title,
                    options=options,
                    unit_price=price,
                    currency=product.currency,
                    quantity=args.quantity,
                )
            )
        cart.updated_at = utcnow()
        txn.put_cart(cart)
        return {
            "added": {
                "product_id": product.id,
                "title": product.title,
                "options": options,
                "quantity": args.quantity,
                "unit_price": price,
            },
            "cart": cart.summary(),
        }

    return await ctx.stores.write_once(ctx.user_id, key, apply)


async def _check_remove(ctx: ToolContext, args: RemoveFromCartArgs) -> None:
    cart = await ctx.stores.get_cart(ctx.user_id)
    if not any(line.product_id == args.product_id for line in cart.lines):
        raise ToolError(f"{args.product_id} is not in the cart", code="not_in_cart")


async def _check_not_empty(ctx: ToolContext, args: NoArgs) -> None:
    if not (await ctx.stores.get_cart(ctx.user_id)).lines:
        raise ToolError("the cart is empty; add something first", code="empty_cart")


@tool(
    writes=True,
    describe_write=lambda a, catalog: (
        f"Remove {_product_label(catalog, a.product_id)} from your cart"
    ),
    precheck=_check_remove,
)
async def remove_from_cart(ctx: ToolContext, args: RemoveFromCartArgs) -> dict[str, Any]:
    """Remove a product (all of its quantity) from the shopper's cart."""
    key = _write_key(ctx, "remove_from_cart")

    async def apply(txn: CommerceTxn) -> dict[str, Any]:
        cart = await txn.get_cart()
        keep = [
            line
            for line in cart.lines
            if not (
                line.product_id == args.product_id and args.variant_id in (None, line.variant_id)
            )
        ]
        if len(keep) == len(cart.lines):
            raise ToolError(f"{args.product_id} is not in the cart", code="not_in_cart")
        cart.lines = keep
        cart.updated_at = utcnow()
        txn.put_cart(cart)
        return {"removed": args.product_id, "cart": cart.summary()}

    return await ctx.stores.write_once(ctx.user_id, key, apply)


@tool
async def view_cart(ctx: ToolContext, args: NoArgs) -> dict[str, Any]:
    """Show the shopper's cart: lines, quantities and total."""
    return (await ctx.stores.get_cart(ctx.user_id)).summary()


@tool(writes=True, describe_write=lambda a, catalog: "Empty your cart", precheck=_check_not_empty)
async def clear_cart(ctx: ToolContext, args: NoArgs) -> dict[str, Any]:
    """Remove everything from the shopper's cart."""
    key = _write_key(ctx, "clear_cart")

    async def apply(txn: CommerceTxn) -> dict[str, Any]:
        cart = await txn.get_cart()
        cart.lines = []
        cart.updated_at = utcnow()
        txn.put_cart(cart)
        return {"cart": cart.summary()}

    return await ctx.stores.write_once(ctx.user_id, key, apply)


@tool(
    writes=True,
    describe_write=lambda a, catalog: "Place an order for everything in your cart",
    precheck=_check_not_empty,
)
async def checkout(ctx: ToolContext, args: NoArgs) -> dict[str, Any]:
    """Place an order for the whole cart. The cart is emptied; the order starts as pending."""
    key = _write_key(ctx, "checkout")

    async def apply(txn: CommerceTxn) -> dict[str, Any]:
        cart = await txn.get_cart()
        if not cart.lines:
            raise ToolError("the cart is empty; add something first", code="empty_cart")
        order = Order(
            order_id=f"o-{uuid.uuid4().hex[:10]}",
            user_id=ctx.user_id,
            lines=list(cart.lines),
            total=cart.total,
            currency=cart.currency,
        )
        txn.put_order(order)
        cart.lines = []
        cart.updated_at = utcnow()
        txn.put_cart(cart)
        return {
            "order_id": order.order_id,
            "status": order.status,
            "total": order.total,
            "currency": order.currency,
            "items": sum(line.quantity for line in order.lines),
        }

    return await ctx.stores.write_once(ctx.user_id, key, apply)


CART_TOOLS = [add_to_cart, remove_from_cart, view_cart, clear_cart, checkout]
