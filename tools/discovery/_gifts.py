"""Gifts and occasions: a person or an event becomes a small plan over several categories.

Interests and occasions are mapped to the shop's categories by meaning: MiniLM similarity
of the words to each category's name, plus the categories of the products a semantic
search for them finds. The occasion hints and recipient words in ``defaults.json`` are
editable. The plan keeps one product per category before it repeats one, so the set is
diverse, and every item carries a one-line reason.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from shopagent.errors import ToolError
from shopagent.retrieval.ages import asked_age, stated_ages
from shopagent.retrieval.schema import Product, norm
from shopagent.tools._registry import ToolContext, tool
from shopagent.tools.catalog import product_card
from shopagent.tools.discovery import _taste, _words
from shopagent.tools.discovery._complements import _matches, _singular, load_defaults
from shopagent.tools.discovery._engine import data_dir_of, model_for, money
from shopagent.tools.protocols import CatalogReader

NAME_SIM = 0.45  # an interest names a category when its words are this close to its name
MAX_PER_INTEREST = 3


class GiftArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request: str | None = Field(
        None,
        description="The shopper's own words, read for the person, interests, "
        "occasion and budget when those fields are not given",
    )
    recipient: str | None = Field(
        None, description="Who it is for, in the shopper's words", examples=["my dad"]
    )
    interests: list[str] = Field(
        default_factory=list, max_length=6, description="What they like", examples=[["hiking"]]
    )
    occasion: str | None = Field(None, description="The event", examples=["summer wedding"])
    budget: Decimal | None = Field(None, gt=0, description="Most one item may cost")
    count: int = Field(6, ge=1, le=12)
    cheaper_than: list[str] = Field(
        default_factory=list,
        description="'something cheaper': ids of the plan shown; each "
        "new item costs less than the one it replaces",
    )
    more_like: str | None = Field(None, description="'more like the second': its product id")
    exclude_ids: list[str] = Field(default_factory=list, description="Products not to repeat")


def audience_for(recipient: str | None, defaults: dict[str, Any]) -> str | None:
    if not recipient:
        return None
    words = set(re.findall(r"[a-z][a-z-]*", recipient.casefold()))
    for audience, names in defaults.get("recipients", {}).items():
        if words & set(names):
            return str(audience)
    return None


# A request about a young child: "turns six", "a 4 year old", "my toddler"
_CHILD = re.compile(
    r"\b(?:toddler|baby|infant|little one|kid|child|(?:turns?|turning|is|aged?)\s+"
    r"(?:[1-9]|1[0-2]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b|"
    r"(?:[1-9]|1[0-2]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"[ -]?(?:years?|yrs?)[ -]?old)",
    re.I,
)


def _fits(p: Product, audience: str | None, *, child: bool = False) -> bool:
    """A product for that recipient: theirs or anyone's; a young child's gift is a kids'
    product (a unisex chain necklace is no present for a six-year-old, though a son may
    be grown up)."""
    if not audience:
        return True
    said = p.attributes.get("audience")
    if child and audience == "kids":
        # a shop that marks no audience (a feed without the column) still says so in its
        # words: "Kids Bikes", "Balance Bike for toddlers aged 2-4"
        return said == "kids" or (said is None and _FOR_CHILDREN.search(_words_of(p)) is not None)
    if said is None and audience != "kids":
        # a grown-up's gift in a shop that marks no audience: not one its name says is a
        # child's ("Little Dreams Kids Mattress" for a brother)
        return _FOR_CHILDREN.search(" ".join([p.title, *p.category_path])) is None
    return said in (audience, "unisex", None)


# A product's words that say it is a young child's
_FOR_CHILDREN = re.compile(
    r"\b(?:kids?|child(?:ren)?'?s?|toddlers?|bab(?:y|ies)|infants?|junior|girls?|boys?|"
    r"ages?\s?[1-9](?:\s?(?:-|to)\s?1?[0-9])?|[1-9]\s?(?:-|to)\s?1?[0-9]\s?(?:years|yrs))\b",
    re.I,
)


def _words_of(p: Product) -> str:
    tags = p.attributes.get("tags")
    tag_text = " ".join(tags) if isinstance(tags, list) else str(tags or "")
    return " ".join([p.title, " ".join(p.category_path), tag_text, p.description or ""])


def _leaf_names(ctx: ToolContext) -> dict[str, str]:
    """The shop's leaf category names (what shoppers call things) -> their full paths
    (the context that tells "Sleeping Bags" is camping gear)."""
    model = model_for(ctx.need_catalog(), ctx.settings)
    return {leaf: model.paths.get(leaf, leaf) for leaf in model.leaves}


def categories_for(
    catalog: CatalogReader,
    phrase: str,
    leaves: dict[str, str],
    audience: str | None,
    budget: Decimal | None,
) -> list[str]:
    """Shop categories a phrase ("hiking", "summer wedding") means, best first."""
    embed = getattr(catalog, "text", None)
    score: dict[str, float] = defaultdict(float)
    if embed is not None and leaves:
        names = list(leaves)
        texts = [leaves[n].replace(" > ", ", ") for n in names]
        vecs = np.asarray(embed.embed([phrase, *texts]), dtype=np.float32)
        sims = vecs[1:] @ vecs[0]
        for name, s in zip(names, sims, strict=True):
            if s >= NAME_SIM:
                score[norm(name)] += float(s)
    filters: dict[str, Any] = {"in_stock": True}
    if budget is not None:
        filters["price_max"] = float(budget)
    res = catalog.search(phrase, filters, 1, 30)
    if budget is not None:
        # within a budget, a category named by the phrase counts only when something of it
        # costs that little ("guitar" under 30: the strings, not the guitars)
        affordable = {norm(p.leaf_category) for p in res.products if p.leaf_category}
        score = defaultdict(float, {c: v for c, v in score.items() if c in affordable})
    for rank, p in enumerate(res.products):
        if not _fits(p, audience):
            continue
        if p.leaf_category:
            score[norm(p.leaf_category)] += 1.0 / (2 + rank)
    ranked = sorted(score.items(), key=lambda kv: -kv[1])
    # Weak tails ("garden tools" for "drawing") are noise, not ideas.
    return [c for c, v in ranked if v >= 0.3 * ranked[0][1]] if ranked else []


def plan_categories(
    catalog: CatalogReader,
    leaves: dict[str, str],
    args: GiftArgs,
    defaults: dict[str, Any],
    audience: str | None,
) -> list[tuple[str, str]]:
    """(category, why) pairs: interests first, then the occasion, then the person."""
    lows = [norm(x) for x in leaves]
    plan: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(cat: str, why: str) -> None:
        if cat not in seen:
            seen.add(cat)
            plan.append((cat, why))

    def fitting(phrase: str) -> list[str]:
        """Its categories, gift cards left to the person's own slot (they fit anyone)."""
        cats = categories_for(catalog, phrase, leaves, audience, args.budget)
        return [c for c in cats if not _words.GIFT_CARDS.search(c)]

    per_interest = [(i, fitting(i)[:MAX_PER_INTEREST]) for i in args.interests]
    for k in range(MAX_PER_INTEREST):  # round-robin: every interest gets a first pick
        for interest, cats in per_interest:
            if k < len(cats):
                add(cats[k], _words.why_for(interest))
    if args.occasion:
        occ = norm(args.occasion)
        rules = {norm(k): v for k, v in defaults.get("occasions", {}).items()}
        key = next((k for k in sorted(rules, key=len, reverse=True) if k in occ), None)
        hinted = [c for t in (rules.get(key or "") or []) for c in _matches(norm(t), lows, None)]
        for cat in hinted or fitting(args.occasion)[:4]:
            add(cat, f"for the {args.occasion}")
    if not plan:
        who = args.recipient or "them"
        relations = {w for names in defaults.get("recipients", {}).values() for w in names}
        said = (
            who
            if who == "them"
            else f"your {who}"
            if who in relations
            else f"{'an' if who[:1] in 'aeiou' else 'a'} {who}"
        )
        for cat in categories_for(catalog, f"gift for {who}", leaves, audience, args.budget)[:6]:
            add(cat, f"as a gift for {said}")
    return plan


def _pick(
    catalog: CatalogReader,
    cat: str,
    phrase: str,
    args: GiftArgs,
    audience: str | None,
    taste: _taste.Taste,
    skip: set[str],
    cap: Decimal | None,
) -> Product | None:
    filters: dict[str, Any] = {"category": cat, "in_stock": True}
    if cap is not None:
        filters["price_max"] = float(cap)
    res = (
        catalog.search(phrase, filters, 1, 20).products
        or catalog.search("", filters, 1, 20).products
    )
    best: tuple[float, int, Product] | None = None
    age = asked_age(args.request or "")
    child = bool(_CHILD.search(args.request or ""))
    if child and age is not None and age[0] >= 8:
        # a ten-year-old painter: a paint set not marked for children is still a present
        # when nothing of its kind is (a shop that marks no audience says so in no words)
        child = any(_fits(p, audience, child=True) for p in res)
    for rank, p in enumerate(taste.allowed(res)):
        if p.id in skip:
            continue
        if not _fits(p, audience, child=child):
            continue
        ages = stated_ages(p.description or "") if age is not None else None
        if age is not None and ages is not None and not ages.suit(age[0]):
            continue  # "turning 5": not a set its page says is for ages 7+
        s = taste.boost(p)[0] - 0.15 * rank
        if best is None or s > best[0]:
            best = (s, rank, p)
    return best[2] if best else None


@tool(
    examples=[
        "gift for my dad who likes hiking, under 80",
        "she likes gardening, max 40",
        "a housewarming present under 50",
        "what should I get my sister for her birthday?",
        "present for a coffee lover",
        "gift ideas for my nephew",
        "secret santa gift under 25",
        "cheaper gift ideas please",
        "I need an outfit for a wedding",
        "what do I need for a camping trip?",
        "a gift for someone who loves music",
        "birthday present for my daughter",
        "my husband likes golf, what could I get him?",
        "ideas for a new flat",
        "something for a friend who plays chess",
    ]
)
async def gift_ideas(ctx: ToolContext, args: GiftArgs) -> dict[str, Any]:
    """Gift and occasion ideas ("gift for my dad who likes hiking, under 80", "a summer
    wedding", "housewarming under 50"): a small, diverse plan over several categories
    with a one-line reason each. Refine with cheaper_than (the ids shown: "something
    cheaper") or more_like (one id: "more like the second")."""
    if ctx.catalog is None:
        raise ToolError("the catalog is not available", code="unavailable")
    if args.request and _CHEAPER.search(args.request) and not (args.interests or args.occasion):
        args = await _cheaper_than_last(ctx, args)  # "cheaper gift ideas": refine the plan
    elif args.request and not (args.interests or args.occasion):
        # "a gift for my sister, she has trouble sleeping": the person given, their need
        # is read from the words too
        args = _from_words(args, load_defaults(data_dir_of(ctx.settings)))
    if args.request and args.budget is None and (said := _words.budget(args.request)):
        args = args.model_copy(update={"budget": said})  # "around 20 quid"
    if not (args.recipient or args.interests or args.occasion or args.more_like):
        raise ToolError("who is it for, or what is the occasion?", code="invalid_arguments")
    taste = await _taste.load(ctx)
    if args.recipient and not _SELF.fullmatch(args.recipient.strip()):
        # a gift for mum: the shopper's own likes are no reason ("because you like Crafty
        # Bee"); what they never want shown still is not shown
        taste = taste.model_copy(update={"likes": {}, "stated_likes": {}})
    result = await asyncio.to_thread(_plan, ctx, args, taste)
    await _remember_plan(ctx, args, result)
    return result


_SELF = re.compile(r"(?:me|myself|i|for me|for myself)", re.I)
_CHEAPER = re.compile(r"\b(cheaper|less expensive|lower price|too (pricey|expensive))\b", re.I)
LAST_GIFTS = "last_gifts"


async def _remember_plan(ctx: ToolContext, args: GiftArgs, result: dict[str, Any]) -> None:
    """Keep the plan just shown (per user), so "cheaper gift ideas" can refine it."""
    if ctx.stores is None or args.more_like:
        return
    profile = await ctx.stores.get_profile(ctx.user_id)
    profile.preferences[LAST_GIFTS] = {
        "args": args.model_dump(
            mode="json", include={"recipient", "interests", "occasion", "budget", "count"}
        ),
        "ids": [c["id"] for c in result["products"]],
    }
    await ctx.stores.put_profile(profile)


async def _cheaper_than_last(ctx: ToolContext, args: GiftArgs) -> GiftArgs:
    last = None
    if ctx.stores is not None:
        last = (await ctx.stores.get_profile(ctx.user_id)).preferences.get(LAST_GIFTS)
    if not isinstance(last, dict):
        raise ToolError(
            "cheaper than which ideas? tell me who the gift is for first", code="invalid_arguments"
        )
    return GiftArgs.model_validate({**last["args"], "cheaper_than": last["ids"]})


def _from_words(args: GiftArgs, defaults: dict[str, Any]) -> GiftArgs:
    text = args.request or ""
    low = norm(text)
    occasion = next(
        (
            k
            for k in sorted(defaults.get("occasions", {}), key=len, reverse=True)
            if re.search(rf"\b{re.escape(norm(k))}\b", low)
        ),
        None,
    )
    words = set(re.findall(r"[a-z][a-z-]*", low))
    recipient = next(
        (w for names in defaults.get("recipients", {}).values() for w in names if w in words), None
    )
    found = _words.interests(text)
    if not (found or occasion or args.recipient):
        found = [_words._TAIL.sub("", text).strip()] if text.strip() else []
    return args.model_copy(
        update={
            "recipient": args.recipient or recipient,
            "occasion": args.occasion or occasion,
            "interests": args.interests or found,
            "budget": args.budget or _words.budget(text),
        }
    )


def _plan(ctx: ToolContext, args: GiftArgs, taste: _taste.Taste) -> dict[str, Any]:
    catalog = ctx.need_catalog()
    defaults = load_defaults(data_dir_of(ctx.settings))
    audience = audience_for(args.recipient, defaults)
    if args.more_like:
        return _more_like(catalog, args, taste)
    previous = {p.id: p for p in catalog.get_products(args.cheaper_than)}
    plan = plan_categories(catalog, _leaf_names(ctx), args, defaults, audience)
    skip = set(args.exclude_ids) | set(previous)
    picked: list[tuple[Product, str]] = []
    rounds = 0
    while len(picked) < args.count and rounds < 3:
        before = len(picked)
        for cat, why in plan:
            if len(picked) >= args.count:
                break
            cap = args.budget
            prev = [p for p in previous.values() if norm(p.leaf_category or "") == cat]
            if prev:  # cheaper than what this slot showed before
                below = money(min(p.min_price for p in prev)) - Decimal("0.01")
                cap = below if cap is None else min(cap, below)
            phrase = " ".join(args.interests) or args.occasion or ""
            p = _pick(catalog, cat, phrase, args, audience, taste, skip, cap)
            if p is not None:
                skip.add(p.id)
                picked.append((p, why))
        rounds += 1
        if len(picked) == before:
            break
    if not picked:
        if args.cheaper_than:
            raise ToolError(
                "I have nothing cheaper for that: those were the lowest-priced ideas",
                code="no_results",
            )
        raise ToolError(
            "nothing in the shop fits that yet; try a larger budget or other interests",
            code="no_results",
        )
    cards = []
    for p, why in picked:
        card = product_card(p)
        boost_why = taste.boost(p)[1]
        card["reason"] = f"{p.leaf_category} {why}" + (f", {boost_why[0]}" if boost_why else "")
        cards.append(card)
    lines = [f"{c['title']} ({c['price']} {c['currency']}): {c['reason']}" for c in cards]
    return {
        "message": "Some ideas: " + "; ".join(lines) + ".",
        "products": cards,
        "plan": [c for c, _ in plan],
        "audience": audience,
        "budget": str(args.budget) if args.budget is not None else None,
        "personalised": taste.explain(),
    }


def _more_like(catalog: CatalogReader, args: GiftArgs, taste: _taste.Taste) -> dict[str, Any]:
    ref = catalog.get_product(args.more_like) if args.more_like else None
    if ref is None:
        raise ToolError(f"no product {args.more_like!r}", code="not_found")
    filters: dict[str, Any] = {"in_stock": True, "category": ref.leaf_category}
    if args.budget is not None:
        filters["price_max"] = float(args.budget)
    res = catalog.search(ref.title, filters, 1, args.count + len(args.exclude_ids) + 1)
    skip = set(args.exclude_ids) | {ref.id}
    out = [p for p in taste.allowed(res.products) if p.id not in skip][: args.count]
    cards = []
    for p in out:
        card = product_card(p)
        card["reason"] = f"like the {_singular(norm(ref.leaf_category or 'item'))} you picked"
        cards.append(card)
    return {
        "message": f"More like the {ref.title}: "
        + "; ".join(f"{c['title']} ({c['price']})" for c in cards)
        + ".",
        "products": cards,
        "plan": [ref.leaf_category],
        "like": ref.id,
        "personalised": taste.explain(),
    }


GIFT_TOOLS = [gift_ideas]
