"""Complete the look: complementary products from other categories, and one suggested look
within a budget (adding it to the cart: ``_look_cart``)."""

from __future__ import annotations

import asyncio
import itertools
import math
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from shopagent.errors import ToolError
from shopagent.retrieval.schema import Product, norm
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
from shopagent.tools.discovery._look_cart import LAST_LOOK, add_look_to_cart

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
    if not comps:  # no looks, orders or rule know its kind: the kinds its own words name
        comps = _kinds_it_names(ctx, anchor, shop)
        weights = dict(comps)
    return [c for c, _ in comps[:MAX_CATEGORIES]], weights


def _kinds_it_names(ctx: ToolContext, anchor: Product, shop: list[str]) -> list[tuple[str, float]]:
    """Other categories nearest the product's own title and description, by the catalog's
    search (its first products' categories, in order, weighted 0.5 down): a merchant's
    "Beginner Beanie Kit" (with no looks, orders or rules to learn from) whose page names
    wool, needles and a pattern goes with the Yarn, Needles and Patterns sold."""
    own = leaf(anchor)
    names = {norm(c): c for c in shop}
    query = f"{anchor.title}. {anchor.description[:300]}"
    found = ctx.need_catalog().search(query, {"in_stock": True}, 1, 30).products
    order = list(dict.fromkeys(names[c] for p in found if (c := leaf(p)) != own and c in names))
    return [(c, 0.5 * (1 - i / (len(order) + 1))) for i, c in enumerate(order)]


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


LOOK_TOOLS = [complete_the_look, add_look_to_cart]
