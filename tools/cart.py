"""Cart and checkout tools. Every write runs through ``write_once`` with the idempotency
key the agent puts in the context, so a resumed or retried turn never writes twice."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from shopagent.errors import ToolError
from shopagent.money import wire
from shopagent.tools._registry import ToolContext, tool
from shopagent.tools._variants import describe_variant, pick_variant, wanted_options
from shopagent.tools.protocols import CatalogReader
from shopagent.tools.stores.base import Cart, CartLine, CommerceTxn, Order, utcnow


def _price(text: str | None) -> str | None:
    """A pinned unit price (money.wire's form): a finite amount, or the args are refused."""
    if text is not None:
        try:
            ok = Decimal(text).is_finite() and Decimal(text) >= 0
        except ArithmeticError:
            ok = False
        if not ok:
            raise ValueError(f"not a price: {text!r}")
    return text


_Price = SkipJsonSchema[Annotated[str | None, AfterValidator(_price)]]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddToCartArgs(_Args):
    product_id: str = Field(description="Id of the product, as returned by a search tool")
    quantity: int = Field(1, ge=1, le=20)
    variant_id: str | None = Field(None, description="Exact variant id, if known")
    options: dict[str, str] | None = Field(
        None,
        description="The variant's options by the product's option names, e.g. "
        '{"switch type": "clicky", "ram": "32GB"}; see get_product for a product\'s options',
    )
    size: str | None = Field(None, description="Same as options.size")
    color: str | None = Field(None, description="Same as options.color")
    # Pinned by the confirmation (what the shopper approved); a write at another price is
    # refused. Hidden from models: the confirm step sets them.
    unit_price: _Price = None
    currency: SkipJsonSchema[str | None] = None


class RemoveFromCartArgs(_Args):
    product_id: str
    variant_id: str | None = None
    quantity: int | None = Field(
        None, ge=1, le=1000, description="How many to remove; all of them when left out"
    )
    # The cart line's own price, pinned by the confirmation (what the shopper approved:
    # the line, not the catalog's price now); hidden from models.
    unit_price: _Price = None


class UpdateCartQuantityArgs(_Args):
    product_id: str
    variant_id: str | None = Field(None, description="Which variant, when the cart holds several")
    quantity: int = Field(ge=0, le=1000, description="The new quantity; 0 removes the line")
    unit_price: _Price = None  # as RemoveFromCartArgs'


class NoArgs(_Args):
    pass


def _write_key(ctx: ToolContext, name: str) -> str:
    if not ctx.idempotency_key:
        # Writes only ever run from the confirm path, which always sets a key.
        raise ToolError(f"{name} needs the shopper's confirmation first", code="not_confirmed")
    return ctx.idempotency_key


def _product_label(
    catalog: CatalogReader | None,
    product_id: str,
    variant_id: str | None = None,
    unit_price: str | None = None,
) -> str:
    """The cart line a write changes, as the shopper confirms it: the variant's options and
    the line's own price ("Dog Food (dogfood; Bag Size 12kg, 64.40 USD each)"), pinned from
    the line when given (the catalog's price may have moved since it was added), else the
    variant's; without a variant of several, no price at all."""
    product = catalog.get_product(product_id) if catalog is not None else None
    if product is None:
        return product_id
    variant = product.variant(variant_id) if variant_id else None
    if variant is None and len(product.variants) == 1:
        variant = product.variants[0]
    opts = describe_variant(product, variant)
    what = f"{product_id}; {opts}" if opts else product_id
    if unit_price is None and variant is None and len(product.variants) > 1:
        return f"{product.title} ({what})"
    price = unit_price if unit_price is not None else product.unit_price(variant)
    return f"{product.title} ({what}, {price} {product.currency} each)"


def _describe_add(args: AddToCartArgs, catalog: CatalogReader | None) -> str:
    """Names the exact variant and the unit price pinned for it."""
    product = catalog.get_product(args.product_id) if catalog is not None else None
    if product is None:
        return f"Add {args.quantity} x {args.product_id} to your cart"
    variant = product.variant(args.variant_id) if args.variant_id else None
    opts = describe_variant(product, variant)
    price = Decimal(args.unit_price) if args.unit_price else product.unit_price(variant)
    currency = args.currency or product.currency
    each = f"{price} {currency}" + (
        f" each, {price * args.quantity} {currency} in all" if args.quantity > 1 else ""
    )
    what = f"{product.id}; {opts}" if opts else product.id
    return f"Add {args.quantity} x {product.title} ({what}) at {each} to your cart"


async def _resolve_add(ctx: ToolContext, args: AddToCartArgs) -> tuple[Any, Any, Decimal]:
    product = await asyncio.to_thread(ctx.need_catalog().get_product, args.product_id)
    if product is None:
        raise ToolError(f"no product with id {args.product_id!r}", code="not_found")
    wanted = wanted_options(args.options, args.size, args.color)
    if args.variant_id is None:  # a size the shopper did not name: their remembered one
        from shopagent.tools.discovery import default_options  # discovery imports this package

        wanted = await default_options(ctx, product, wanted)
    variant = pick_variant(product, variant_id=args.variant_id, options=wanted)
    if variant is None and not product.available:
        raise ToolError(f"{product.title} is out of stock", code="out_of_stock")
    return product, variant, product.unit_price(variant)


async def _check_add(ctx: ToolContext, args: AddToCartArgs) -> dict[str, Any]:
    """Resolve the variant now and pin it with its current price: the confirmation shows
    them and the write must find them unchanged."""
    product, variant, price = await _resolve_add(ctx, args)
    return {
        "variant_id": variant.id if variant is not None else None,
        "unit_price": wire(price),
        "currency": product.currency,
    }


@tool(writes=True, describe_write=_describe_add, precheck=_check_add)
async def add_to_cart(ctx: ToolContext, args: AddToCartArgs) -> dict[str, Any]:
    """Add a product to the shopper's cart. Name the variant by variant_id or by its
    options (any of the product's option names, e.g. size, colour, switch type, RAM)."""
    key = _write_key(ctx, "add_to_cart")
    product, variant, price = await _resolve_add(ctx, args)
    if args.unit_price is not None and (
        Decimal(args.unit_price) != price or (args.currency or product.currency) != product.currency
    ):
        raise ToolError(
            f"the price of {product.title} changed from {args.unit_price} to {price} "
            f"{product.currency} since you confirmed; nothing was added",
            code="price_changed",
            details={
                "confirmed": args.unit_price,
                "current": wire(price),
                "currency": product.currency,
            },
        )
    options = (
        dict(variant.options)
        if variant is not None
        else wanted_options(args.options, args.size, args.color)
    )
    variant_id = variant.id if variant is not None else None

    async def apply(txn: CommerceTxn) -> dict[str, Any]:
        cart = await txn.get_cart()
        if cart.lines and cart.currency != product.currency:
            raise ToolError(
                f"the cart is in {cart.currency}; {product.title} is priced in {product.currency}",
                code="currency_mismatch",
            )
        for line in cart.lines:
            # Same variant at the same price: one line; a new price gets its own line.
            if (
                line.product_id == product.id
                and line.variant_id == variant_id
                and line.unit_price == price
            ):
                line.quantity += args.quantity
                added = line
                break
        else:
            added = CartLine(
                product_id=product.id,
                variant_id=variant_id,
                sku=variant.sku if variant is not None else None,
                title=product.title,
                variant_title=variant.title if variant is not None else None,
                options=options,
                unit_price=price,
                compare_at_price=product.price_before(variant),
                currency=product.currency,
                quantity=args.quantity,
            )
            cart.lines.append(added)
        cart.updated_at = utcnow()
        txn.put_cart(cart)
        return {
            "added": {
                **added.view(),
                "quantity": args.quantity,
                "line_total": wire(price * args.quantity),
            },
            "cart": cart.summary(),
        }

    return await ctx.need_stores().write_once(ctx.user_id, key, apply)


def _lines_of(cart: Cart, product_id: str, variant_id: str | None) -> list[CartLine]:
    return [
        line
        for line in cart.lines
        if line.product_id == product_id and variant_id in (None, line.variant_id, line.sku)
    ]


def _one_line(
    cart: Cart, product_id: str, variant_id: str | None, unit_price: str | None = None
) -> CartLine:
    lines = _lines_of(cart, product_id, variant_id)
    if not lines:
        raise ToolError(f"{product_id} is not in the cart", code="not_in_cart")
    if unit_price is not None:  # the line the shopper confirmed, at the price it showed
        lines = [ln for ln in lines if ln.unit_price == Decimal(unit_price)]
        if not lines:
            raise ToolError(
                f"{product_id} is no longer in the cart at {unit_price} {cart.currency}; "
                "look at the cart again",
                code="cart_changed",
            )
    if len({(ln.variant_id, ln.unit_price) for ln in lines}) > 1:
        raise ToolError(
            f"the cart holds {len(lines)} variants of {lines[0].title}; say which",
            code="variant_required",
            details={
                "lines": [
                    {"variant_id": ln.variant_id, "options": ln.options, "quantity": ln.quantity}
                    for ln in lines
                ]
            },
        )
    return lines[0]


def _pin_line(line: CartLine, variant_id: str | None) -> dict[str, Any]:
    # the one line meant, by its variant and its own price: what the shopper confirms names
    # both, and the write changes that line or none
    pin: dict[str, Any] = {"unit_price": wire(line.unit_price)}
    if line.variant_id and not variant_id:
        pin["variant_id"] = line.variant_id
    return pin


def _not_in_cart(ctx: ToolContext, product_id: str) -> ToolError:
    """The refusal of a change to a product the cart lacks, naming it as the shop does."""
    product = ctx.catalog.get_product(product_id) if ctx.catalog is not None else None
    title = product.title if product is not None else product_id
    return ToolError(
        f"{title} is not in the cart",
        code="not_in_cart",
        details={"product_id": product_id, "title": title},
    )


async def _check_remove(ctx: ToolContext, args: RemoveFromCartArgs) -> dict[str, Any] | None:
    cart = await ctx.need_stores().get_cart(ctx.user_id)
    lines = _lines_of(cart, args.product_id, args.variant_id)
    if not lines:
        raise _not_in_cart(ctx, args.product_id)
    if args.quantity is not None or len(lines) == 1:
        line = _one_line(cart, args.product_id, args.variant_id, args.unit_price)
        return _pin_line(line, args.variant_id)
    return None


async def _check_update(ctx: ToolContext, args: UpdateCartQuantityArgs) -> dict[str, Any] | None:
    cart = await ctx.need_stores().get_cart(ctx.user_id)
    if not _lines_of(cart, args.product_id, args.variant_id):
        raise _not_in_cart(ctx, args.product_id)
    line = _one_line(cart, args.product_id, args.variant_id, args.unit_price)
    return _pin_line(line, args.variant_id)


async def _check_not_empty(ctx: ToolContext, args: NoArgs) -> None:
    if not (await ctx.need_stores().get_cart(ctx.user_id)).lines:
        raise ToolError("the cart is empty; add something first", code="empty_cart")


def _describe_remove(a: RemoveFromCartArgs, catalog: CatalogReader | None) -> str:
    what = f"{a.quantity} x " if a.quantity else ""
    label = _product_label(catalog, a.product_id, a.variant_id, a.unit_price)
    return f"Remove {what}{label} from your cart"


@tool(writes=True, describe_write=_describe_remove, precheck=_check_remove)
async def remove_from_cart(ctx: ToolContext, args: RemoveFromCartArgs) -> dict[str, Any]:
    """Remove a product from the shopper's cart: all of it, or ``quantity`` of it."""
    key = _write_key(ctx, "remove_from_cart")

    async def apply(txn: CommerceTxn) -> dict[str, Any]:
        cart = await txn.get_cart()
        if args.quantity is None:
            gone = _lines_of(cart, args.product_id, args.variant_id)
            if not gone:
                raise ToolError(f"{args.product_id} is not in the cart", code="not_in_cart")
            if args.unit_price is not None:  # the one line confirmed
                gone = [_one_line(cart, args.product_id, args.variant_id, args.unit_price)]
            cart.lines = [ln for ln in cart.lines if all(ln is not g for g in gone)]
            removed = sum(ln.quantity for ln in gone)
        else:
            line = _one_line(cart, args.product_id, args.variant_id, args.unit_price)
            removed = min(args.quantity, line.quantity)
            line.quantity -= removed
            if line.quantity == 0:
                cart.lines = [ln for ln in cart.lines if ln is not line]
        cart.updated_at = utcnow()
        txn.put_cart(cart)
        return {"removed": args.product_id, "quantity_removed": removed, "cart": cart.summary()}

    return await ctx.need_stores().write_once(ctx.user_id, key, apply)


@tool(
    writes=True,
    precheck=_check_update,
    describe_write=lambda a, catalog: (
        f"Remove {_product_label(catalog, a.product_id, a.variant_id, a.unit_price)} from your cart"
        if a.quantity == 0
        else f"Set {_product_label(catalog, a.product_id, a.variant_id, a.unit_price)} to "
        f"{a.quantity} in your cart"
    ),
)
async def update_cart_quantity(ctx: ToolContext, args: UpdateCartQuantityArgs) -> dict[str, Any]:
    """Set how many of a product (one variant) the cart holds; 0 removes it."""
    key = _write_key(ctx, "update_cart_quantity")

    async def apply(txn: CommerceTxn) -> dict[str, Any]:
        cart = await txn.get_cart()
        line = _one_line(cart, args.product_id, args.variant_id, args.unit_price)
        if args.quantity == 0:
            cart.lines = [ln for ln in cart.lines if ln is not line]
        else:
            line.quantity = args.quantity
        cart.updated_at = utcnow()
        txn.put_cart(cart)
        return {
            "updated": {
                "product_id": line.product_id,
                "variant_id": line.variant_id,
                "quantity": args.quantity,
            },
            "cart": cart.summary(),
        }

    return await ctx.need_stores().write_once(ctx.user_id, key, apply)


@tool
async def view_cart(ctx: ToolContext, args: NoArgs) -> dict[str, Any]:
    """Show the shopper's cart: lines, quantities and total."""
    return (await ctx.need_stores().get_cart(ctx.user_id)).summary()


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

    return await ctx.need_stores().write_once(ctx.user_id, key, apply)


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
        # The receipt: the same variants and unit prices the cart held.
        return {
            "order_id": order.order_id,
            "status": order.status,
            "total": wire(order.total),
            "currency": order.currency,
            "items": sum(line.quantity for line in order.lines),
            "lines": [line.view() for line in order.lines],
        }

    return await ctx.need_stores().write_once(ctx.user_id, key, apply)


CART_TOOLS = [add_to_cart, remove_from_cart, update_cart_quantity, view_cart, clear_cart, checkout]
