"""Add a whole look to the cart in one confirmed step: the look complete_the_look (or
gift_ideas) listed, each item resolved to its exact variant and price, pinned in the
confirmation and checked unchanged at the write."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shopagent.errors import ToolError
from shopagent.retrieval.schema import Product
from shopagent.tools._registry import ToolContext, tool
from shopagent.tools.discovery import _taste
from shopagent.tools.discovery._engine import money, pick_variant, unit_price
from shopagent.tools.protocols import CatalogReader
from shopagent.tools.stores.base import CartLine, CommerceTxn, utcnow

# the profile preference holding the look last shown to the shopper
LAST_LOOK = "last_look"


class LookItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: str
    variant_id: str | None = None
    options: dict[str, str] | None = Field(None, description="e.g. {'size': 'M'}")
    unit_price: Decimal | None = Field(
        None, description="The price the shopper saw; a changed price is refused"
    )


class AddLookArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[LookItem] = Field(
        default_factory=list,
        max_length=8,
        description="The look's items, as complete_the_look listed; empty: the look last "
        "suggested to this shopper",
    )
    product_id: str | None = Field(
        None, description="The product the look was built around (checks it is that look)"
    )


async def _last_look(ctx: ToolContext, anchor_id: str | None) -> list[LookItem]:
    stored = None
    if ctx.stores is not None:
        stored = (await ctx.stores.get_profile(ctx.user_id)).preferences.get(LAST_LOOK)
    if not isinstance(stored, dict) or not stored.get("items"):
        raise ToolError(
            "there is no look to add yet: ask me what goes with a product first", code="no_look"
        )
    if anchor_id is not None and stored.get("anchor") != anchor_id:
        raise ToolError(f"I haven't put a look together around {anchor_id} yet", code="no_look")
    return [LookItem.model_validate(i) for i in stored["items"]]


async def _resolve_items(ctx: ToolContext, args: AddLookArgs) -> list[tuple[Product, Any, Decimal]]:
    if ctx.catalog is None:
        raise ToolError("the catalog is not available", code="unavailable")
    if not args.items:
        # The confirm step and the write both read the same stored look, and the
        # confirmation text lists its exact items: what is confirmed is what is written.
        args.items = await _last_look(ctx, args.product_id)
    ids = list(dict.fromkeys(i.product_id for i in args.items))
    if len(ids) != len(args.items):
        raise ToolError("each product may appear once in a look", code="invalid_arguments")
    found = {p.id: p for p in await asyncio.to_thread(ctx.catalog.get_products, ids)}
    taste = await _taste.load(ctx)
    out = []
    for item in args.items:
        p = found.get(item.product_id)
        if p is None:
            raise ToolError(f"no product {item.product_id!r}", code="not_found")
        variant = _chosen_variant(p, item, taste.sizes)
        price = unit_price(p, variant)
        if item.unit_price is not None and money(item.unit_price) != price:
            raise ToolError(
                f"the price of {p.title} changed from {money(item.unit_price)} "
                f"to {price} {p.currency}",
                code="price_changed",
            )
        out.append((p, variant, price))
    return out


def _chosen_variant(p: Product, item: LookItem, sizes: list[str]) -> Any:
    if not p.available:
        raise ToolError(f"{p.title} is out of stock", code="out_of_stock")
    if not p.variants:
        return None
    if item.variant_id is not None:
        match = [v for v in p.variants if v.id == item.variant_id]
        if not match:
            raise ToolError(f"{p.title} has no variant {item.variant_id!r}", code="no_such_variant")
        if not match[0].available:
            raise ToolError(f"{p.title} {match[0].options} is out of stock", code="out_of_stock")
        return match[0]
    opts = {k.casefold().strip(): v for k, v in (item.options or {}).items()}
    pool = [
        v
        for v in p.variants
        if v.available
        and all(
            str(v.options.get(k, "")).casefold() == str(val).casefold() for k, val in opts.items()
        )
    ]
    if not pool:
        raise ToolError(f"{p.title} has no available variant with {opts}", code="out_of_stock")
    probe = p.model_copy(update={"variants": pool})
    variant, needed = pick_variant(probe, sizes)
    if needed is not None:
        err = ToolError(
            f"which {needed['option']} of {p.title}? available: {', '.join(needed['values'])}",
            code="option_required",
        )
        err.details = {**needed, "product_id": p.id, "chosen": opts}
        raise err
    return variant


def _describe_look(args: AddLookArgs, catalog: CatalogReader | None) -> str:
    if not args.items:
        return "Add the look I last suggested to your cart"
    parts, total, currency = [], Decimal(0), "USD"
    for item in args.items:
        p = catalog.get_product(item.product_id) if catalog is not None else None
        if p is None:
            parts.append(item.product_id)
            continue
        variant = next((v for v in p.variants if v.id == item.variant_id), None)
        opts = dict(variant.options) if variant is not None else dict(item.options or {})
        price = (
            unit_price(p, variant)
            if variant is not None or not p.variants
            else (money(item.unit_price) if item.unit_price is not None else unit_price(p, None))
        )
        total += price
        currency = p.currency
        label = ", ".join(f"{k} {v}" for k, v in opts.items())
        parts.append(f"{p.title}{f' [{label}]' if label else ''} at {price} {p.currency}")
    return f"Add the look to your cart: {'; '.join(parts)} (total {total} {currency})"


async def _check_look(ctx: ToolContext, args: AddLookArgs) -> dict[str, Any]:
    """Resolve every item now and pin its exact variant and price into the call: the
    confirmation shows them and the write must find them unchanged."""
    resolved = await _resolve_items(ctx, args)
    return {
        "items": [
            {
                "product_id": p.id,
                "variant_id": v.id if v is not None else None,
                "unit_price": str(price),
            }
            for p, v, price in resolved
        ]
    }


@tool(
    writes=True,
    describe_write=_describe_look,
    precheck=_check_look,
    examples=[
        "add the whole look",
        "buy the complete outfit",
        "add all the look items",
        "I'll take the whole look",
        "put the whole outfit in my cart",
        "add everything in the look",
    ],
)
async def add_look_to_cart(ctx: ToolContext, args: AddLookArgs) -> dict[str, Any]:
    """Add every item of a look to the cart in one step (after the shopper confirms): the
    exact variants and prices complete_the_look or gift_ideas listed."""
    if not ctx.idempotency_key:
        raise ToolError(
            "add_look_to_cart needs the shopper's confirmation first", code="not_confirmed"
        )
    resolved = await _resolve_items(ctx, args)

    async def apply(txn: CommerceTxn) -> dict[str, Any]:
        cart = await txn.get_cart()
        for p, variant, price in resolved:
            vid = variant.id if variant is not None else None
            line = next(
                (ln for ln in cart.lines if ln.product_id == p.id and ln.variant_id == vid), None
            )
            if line is not None:
                line.quantity += 1
                continue
            cart.lines.append(
                CartLine(
                    product_id=p.id,
                    variant_id=vid,
                    title=p.title,
                    options={k: str(v) for k, v in (variant.options if variant else {}).items()},
                    unit_price=price,
                    currency=p.currency,
                    quantity=1,
                )
            )
        cart.updated_at = utcnow()
        txn.put_cart(cart)
        total = sum((price for _, _, price in resolved), Decimal(0))
        return {
            "message": f"Added the look to your cart: {len(resolved)} items, {total} "
            f"{resolved[0][0].currency}.",
            "added": [
                {
                    "product_id": p.id,
                    "title": p.title,
                    "variant_id": v.id if v is not None else None,
                    "unit_price": str(price),
                    "currency": p.currency,
                }
                for p, v, price in resolved
            ],
            "cart": cart.summary(),
        }

    result: dict[str, Any] = await ctx.need_stores().write_once(
        ctx.user_id, ctx.idempotency_key, apply
    )
    await _taste.observe(ctx, [p for p, _, _ in resolved], "add")
    return result
