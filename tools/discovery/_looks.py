"""Complete the look: complementary products from other categories, and the whole look
added to the cart in one confirmed step."""

from __future__ import annotations

import asyncio
import itertools
import math
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shopagent.errors import ToolError
from shopagent.retrieval.schema import Product
from shopagent.tools._registry import ToolContext, tool
from shopagent.tools.catalog import product_card
from shopagent.tools.discovery import _taste
from shopagent.tools.discovery._complements import ComplementModel, leaf
from shopagent.tools.discovery._engine import (
    fetch_category,
    model_for,
    money,
    order_baskets,
    pick_variant,
    shop_categories,
    unit_price,
)
from shopagent.tools.protocols import CatalogReader
from shopagent.tools.stores.base import CartLine, CommerceTxn, utcnow

MAX_CATEGORIES = 4
PER_CATEGORY = 8  # candidates per category the budget search considers


class CompleteLookArgs(BaseModel):
    product_id: str = Field(
        description="The product to build the look around", examples=["p-00042"]
    )
    budget: Decimal | None = Field(
        None,
        gt=0,
        description="Most the added items may cost together (the anchor product not included)",
        examples=["150"],
    )
    categories: list[str] | None = Field(
        None,
        description="Only these categories (e.g. ['shoes', 'bags']); default: the "
        "ones that complete this product best",
        max_length=6,
    )
    limit: int = Field(10, ge=1, le=30, description="How many suggestions to list")


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


def rank_complements(
    model: ComplementModel,
    anchor: Product,
    candidates: dict[str, list[Product]],
    weights: dict[str, float],
    taste: _taste.Taste | None = None,
) -> dict[str, list[tuple[float, Product, list[str]]]]:
    """Per category, candidates best first: learned fit to the anchor, plus the
    shopper's taste (a soft nudge; their exclusions are already gone)."""
    out: dict[str, list[tuple[float, Product, list[str]]]] = {}
    for cat, items in candidates.items():
        scored = []
        for p in items:
            if p.id == anchor.id:
                continue
            s, reasons = model.fit_score(anchor, p)
            if taste is not None:
                boost, why = taste.boost(p)
                s += boost
                reasons = reasons + why
            scored.append((s + math.log(max(weights.get(cat, 0.01), 0.01)), p, reasons))
        scored.sort(key=lambda t: (-t[0], t[1].id))
        out[cat] = scored
    return out


def interleave(ranked: dict[str, list[Any]], order: list[str], limit: int) -> list[Any]:
    """Best of each category in turn, so the list is a look, not one category."""
    out: list[Any] = []
    for row in itertools.zip_longest(*(ranked.get(c, []) for c in order)):
        out.extend(x for x in row if x is not None)
    return out[:limit]


def choose_look(
    ranked: dict[str, list[tuple[float, Product, list[str]]]],
    order: list[str],
    budget: Decimal | None,
    sizes: list[str],
) -> list[tuple[Product, Any, Decimal]]:
    """One item per category with the best total fit whose prices sum within budget;
    categories are dropped from the end (least complementary first) when none fits."""
    cats = [c for c in order if ranked.get(c)][:3]
    # A piece the shopper must still choose an option for (a size they have not told us, a
    # size they wear that it does not come in) keeps the look from being added in one
    # step: among the close candidates, looks with fewer such pieces come first.
    asks = {
        t[1].id: pick_variant(t[1], sizes)[1] is not None
        for c in cats
        for t in ranked[c][:PER_CATEGORY]
    }
    while cats:
        pools = [[t for t in ranked[c][:PER_CATEGORY]] for c in cats]
        best: tuple[tuple[int, float], tuple[Any, ...]] | None = None
        for combo in itertools.product(*pools):
            total = sum((money(t[1].min_price) for t in combo), Decimal(0))
            if budget is not None and total > budget:
                continue
            score = (-sum(asks[t[1].id] for t in combo), sum(t[0] for t in combo))
            if best is None or score > best[0]:
                best = (score, combo)
        if best is not None:
            items = []
            for _, p, _ in best[1]:
                variant, _needed = pick_variant(p, sizes)
                cheapest = min(
                    (v for v in p.variants if v.available),
                    default=None,
                    key=lambda v: money(v.price if v.price is not None else p.price),
                )
                # Unresolved size: price the look at the cheapest option, as shown.
                items.append((p, variant, unit_price(p, variant or cheapest)))
            return items
        cats = cats[:-1]
    return []


async def _anchor(ctx: ToolContext, product_id: str) -> Product:
    if ctx.catalog is None:
        raise ToolError("the catalog is not available", code="unavailable")
    p = await asyncio.to_thread(ctx.catalog.get_product, product_id)
    if p is None:
        raise ToolError(f"no product {product_id!r}", code="not_found")
    return p


def _complement_order(
    ctx: ToolContext, model: ComplementModel, anchor: Product, wanted: list[str] | None
) -> tuple[list[str], dict[str, float]]:
    shop = model.leaves or shop_categories(ctx.need_catalog())
    comps = model.complements(anchor, shop, getattr(ctx.catalog, "text", None))
    weights = dict(comps)
    if wanted:
        from shopagent.tools.discovery._complements import _matches

        chosen: list[str] = []
        for w in wanted:
            chosen += [
                c
                for c in _matches(
                    w.casefold(), [s.casefold() for s in shop], getattr(ctx.catalog, "text", None)
                )
                if c not in chosen and c != leaf(anchor)
            ]
        return chosen[:MAX_CATEGORIES], {c: weights.get(c, 0.5) for c in chosen}
    return [c for c, _ in comps[:MAX_CATEGORIES]], weights


@tool(
    examples=[
        "what goes with this?",
        "what would go well with the first one?",
        "finish the outfit",
        "style this for me",
        "complete the look",
        "build an outfit around it",
        "what else would match it?",
        "what else do I need with it?",
        "how would you style it?",
    ]
)
async def complete_the_look(ctx: ToolContext, args: CompleteLookArgs) -> dict[str, Any]:
    """Complete the look around one product ("what goes with this?", "finish the outfit",
    "style this sofa"): complementary products from OTHER categories, coordinated by colour
    and style as this shop's own looks do, and one suggested look (one item per category)
    within the budget when one is given. The look can be added with add_look_to_cart."""
    anchor = await _anchor(ctx, args.product_id)
    taste = await _taste.load(ctx)
    baskets = await order_baskets(ctx.stores)

    def work() -> dict[str, Any]:
        model = model_for(ctx.need_catalog(), ctx.settings, baskets)
        order, weights = _complement_order(ctx, model, anchor, args.categories)
        if not order:
            raise ToolError(
                f"I don't know what goes with {anchor.title} yet", code="no_complements"
            )
        cands = {
            c: taste.allowed(fetch_category(ctx.need_catalog(), c, price_max=args.budget))
            for c in order
        }
        ranked = rank_complements(model, anchor, cands, weights, taste)
        look = choose_look(ranked, order, args.budget, taste.sizes)
        return _result(anchor, model, order, ranked, look, args, taste)

    result = await asyncio.to_thread(work)
    await _remember_look(ctx, anchor.id, result["look"]["items"])
    return result


LAST_LOOK = "last_look"


async def _remember_look(ctx: ToolContext, anchor_id: str, items: list[dict[str, Any]]) -> None:
    """Keep the look just shown (per user), so "add the whole look" adds exactly it."""
    if ctx.stores is None or not items:
        return
    profile = await ctx.stores.get_profile(ctx.user_id)
    profile.preferences[LAST_LOOK] = {
        "anchor": anchor_id,
        # A size still to choose may change the price: only a chosen variant's is pinned.
        "items": [
            {
                "product_id": i["product_id"],
                "variant_id": i["variant_id"],
                "unit_price": i["unit_price"] if i["variant_id"] else None,
            }
            for i in items
        ],
    }
    await ctx.stores.put_profile(profile)


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


def _result(
    anchor: Product,
    model: ComplementModel,
    order: list[str],
    ranked: dict[str, list[tuple[float, Product, list[str]]]],
    look: list[tuple[Product, Any, Decimal]],
    args: CompleteLookArgs,
    taste: _taste.Taste,
) -> dict[str, Any]:
    reasons = {p.id: r for lst in ranked.values() for _, p, r in lst}
    look_ids = [p.id for p, _, _ in look]
    listed = [p for p, _, _ in look] + [
        p for _, p, _ in interleave(ranked, order, args.limit + len(look)) if p.id not in look_ids
    ]
    total = sum((price for _, _, price in look), Decimal(0))
    items = []
    for p, variant, price in look:
        _, needed = pick_variant(p, taste.sizes)
        items.append(
            {
                "product_id": p.id,
                "title": p.title,
                "category": p.leaf_category,
                "variant_id": variant.id if variant is not None else None,
                "options": dict(variant.options) if variant is not None else {},
                "unit_price": str(price),
                "currency": p.currency,
                "needs": needed,
                "reason": _reason(anchor, p, reasons.get(p.id, [])),
            }
        )
    cards = []
    for p in listed[: args.limit]:
        card = product_card(p)
        card["reason"] = _reason(anchor, p, reasons.get(p.id, []))
        card["in_look"] = p.id in look_ids
        cards.append(card)
    parts = [f"{i['title']} ({i['unit_price']} {i['currency']})" for i in items]
    message = (
        f"To go with the {anchor.title}: {'; '.join(parts)}. That's {total} "
        f"{anchor.currency} in all"
        + (f", within your {args.budget}" if args.budget else "")
        + ". Say 'add the whole look' to add it."
        if items
        else f"Here are pieces that go with the {anchor.title}."
    )
    if any(i["needs"] for i in items):
        message += " Tell me your size for the pieces that need one."
    return {
        "message": message,
        "anchor": product_card(anchor),
        "complements": order,
        "learned_from": "the shop's looks" if model.learned else "default rules",
        "products": cards,
        "look": {
            "items": items,
            "total": str(total),
            "currency": anchor.currency,
            "budget": str(args.budget) if args.budget is not None else None,
        },
        "personalised": taste.explain(),
    }


def _reason(anchor: Product, p: Product, reasons: list[str]) -> str:
    base = f"{p.leaf_category or 'this'} to go with the {anchor.leaf_category or 'item'}"
    return base + (f": {reasons[0]}" if reasons else "")


# --- add the look ------------------------------------------------------------------------
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


LOOK_TOOLS = [complete_the_look, add_look_to_cart]
