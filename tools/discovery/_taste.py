"""Taste that carries over: a shopper profile from what they say and what they do.

Said (stored in the profile, per user, with the store's profile TTL): sizes ("I'm a size
M"), likes ("I love Nordvale") and exclusions ("no polyester"). Done (read when needed,
never copied): what is in their orders, cart and boards since they last asked to be
forgotten. Likes re-rank softly; only what the shopper excluded is removed. Results say
when they were personalised ("because you like Nordvale").
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, TypeGuard, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from shopagent.errors import ToolError
from shopagent.retrieval.schema import Product, norm
from shopagent.tools._registry import ToolContext, tool
from shopagent.tools.discovery import _words
from shopagent.tools.stores.base import Cart, Order, Profile
from shopagent.tools.stores.boards import Board

FIELDS = ("brand", "color", "style", "material", "category")
Field_ = Literal["brand", "color", "style", "material", "category"]
STATED = 1.0
# How much one purchase / cart line / board save says about taste, relative to a stated like.
DONE_WEIGHT = {"purchase": 0.5, "cart": 0.3, "board": 0.4, "add": 0.3}
BOOST = 0.8  # score added per unit of like: enough to reorder near-ties, not to bury fit
MAX_DONE = 200  # products read from orders/cart/boards per load (the most recent first)


def _value(p: Product, key: str) -> list[str]:
    if key == "brand":
        return [norm(p.brand)] if p.brand else []
    if key == "category":
        return [norm(c) for c in p.category_path]
    v = p.attributes.get(key)
    vals = v if isinstance(v, list) else [v] if v not in (None, "") else []
    return [norm(str(x)) for x in vals]


def _names(p: Product, value: str) -> bool:
    """The product's title, tags or description name ``value`` (a word, either number),
    not as what it is free of ("wool-free", "no wool", "without latex")."""
    said = [v for vs in p.attributes.values() for v in (vs if isinstance(vs, list) else [vs])]
    text = " ".join((p.title, p.description, *map(str, said))).lower()
    stem = re.escape(value[:-1] if value.endswith("s") else value)
    for m in re.finditer(rf"(?<![\w-])({stem}s?)(?![\w])", text):
        before, after = text[max(0, m.start() - 12) : m.start()], text[m.end() : m.end() + 8]
        if not (
            re.search(r"\b(?:no|without|free of|free from|non)[\s-]*$", before)
            or re.match(r"[\s-]*free\b", after)
        ):
            return True
    return False


class Taste(BaseModel):
    """The profile as the tools use it."""

    sizes: list[str] = Field(default_factory=list)
    likes: dict[str, dict[str, float]] = Field(default_factory=dict)
    excludes: dict[str, list[str]] = Field(default_factory=dict)
    stated_likes: dict[str, list[str]] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict, description="norm value -> as said")

    def allowed(self, products: list[Product]) -> list[Product]:
        """Drop only what the shopper excluded."""
        if not any(self.excludes.values()):
            return products
        return [p for p in products if not self.excluded(p)]

    def excluded(self, p: Product) -> bool:
        return self.excluded_by(p) is not None

    def excluded_by(self, p: Product) -> str | None:
        """The value the shopper ruled out that ``p`` has (as they said it), or None."""
        for k in FIELDS:
            for v in _value(p, k):
                if v in self.excludes.get(k, []):
                    return self.labels.get(v, v)
        # a material ruled out is also one the product's own words name: "no wool" hides
        # "Superwash merino wool" where the shop keeps no material field
        for m in self.excludes.get("material", []):
            if _names(p, m):
                return self.labels.get(m, m)
        return None

    def boost(self, p: Product) -> tuple[float, list[str]]:
        score, why = 0.0, []
        for k, liked in self.likes.items():
            for v in _value(p, k):
                w = liked.get(v, 0.0)
                if w > 0:
                    score += BOOST * min(w, 2.0)
                    if w >= 0.5:
                        why.append(f"because you like {self.labels.get(v, v)}")
        return score, why

    def explain(self) -> list[str]:
        out = [
            f"you like {self.labels.get(v, v)}"
            for k in FIELDS
            for v, w in sorted(self.likes.get(k, {}).items(), key=lambda kv: -kv[1])
            if w >= 0.5
        ][:5]
        out += [f"no {self.labels.get(v, v)}" for k in FIELDS for v in self.excludes.get(k, [])]
        if self.sizes:
            out.append(f"size {', '.join(self.sizes)}")
        return out

    @property
    def empty(self) -> bool:
        return not (self.sizes or any(self.likes.values()) or any(self.excludes.values()))


def _stored(prefs: dict[str, Any]) -> dict[str, Any]:
    data = prefs.get("taste")
    return dict(data) if isinstance(data, dict) else {}


@runtime_checkable
class ReadsActivity(Protocol):
    """A store that reads a shopper's profile, orders, cart and boards in one trip
    (``SQLiteCommerceStore``); others are read one by one."""

    async def activity(self, user_id: str) -> tuple[Profile, list[Order], Cart, list[Board]]: ...


_READS_ACTIVITY: dict[type, bool] = {}


def _reads_activity(stores: object) -> TypeGuard[ReadsActivity]:
    """``isinstance(stores, ReadsActivity)``, worked out once per store class: a runtime
    Protocol check inspects the object's members on every call (each search asks)."""
    kind = type(stores)
    known = _READS_ACTIVITY.get(kind)
    if known is None:
        known = _READS_ACTIVITY[kind] = isinstance(stores, ReadsActivity)
    return known


async def _activity(ctx: ToolContext) -> tuple[Profile, list[Order], Cart, list[Any]]:
    """The shopper's profile, orders, cart and boards: in one read where the store can."""
    stores = ctx.need_stores()
    if _reads_activity(stores):
        return await stores.activity(ctx.user_id)
    profile = await stores.get_profile(ctx.user_id)
    orders = await stores.list_orders(ctx.user_id)
    cart = await stores.get_cart(ctx.user_id)
    lister = getattr(stores, "list_boards", None)
    boards = await lister(ctx.user_id) if lister is not None else []
    return profile, orders, cart, boards


def _done_products(
    since: datetime | None, orders: list[Any], cart: Any, boards: list[Any]
) -> list[tuple[str, str]]:
    """(kind, product_id) for what the shopper did since ``since``."""
    out: list[tuple[str, str]] = []
    for order in orders:
        if since is None or order.created_at > since:
            out += [("purchase", ln.product_id) for ln in order.lines]
    if since is None or cart.updated_at > since:
        out += [("cart", ln.product_id) for ln in cart.lines]
    for board in boards:
        out += [
            ("board", it.product_id) for it in board.items if since is None or it.saved_at > since
        ]
    return out


async def load(ctx: ToolContext) -> Taste:
    """The shopper's taste now (empty without stores, or for a new shopper)."""
    if ctx.stores is None:
        return Taste()
    profile, orders, cart, boards = await _activity(ctx)
    stored = _stored(profile.preferences)
    since = stored.get("forgotten_at")
    since_dt = datetime.fromisoformat(since) if isinstance(since, str) else None
    taste = Taste(
        sizes=list(stored.get("sizes", [])),
        excludes={k: list(v) for k, v in stored.get("excludes", {}).items()},
        stated_likes={k: list(v) for k, v in stored.get("likes", {}).items()},
        labels=dict(stored.get("labels", {})),
    )
    likes: dict[str, defaultdict[str, float]] = {k: defaultdict(float) for k in FIELDS}
    for k, vals in taste.stated_likes.items():
        for v in vals:
            likes.setdefault(k, defaultdict(float))[v] += STATED
    done = _done_products(since_dt, orders, cart, boards) if not stored.get("no_inference") else []
    if done and ctx.catalog is not None:
        ids = list(dict.fromkeys(pid for _, pid in done))[:MAX_DONE]
        found = {p.id: p for p in await asyncio.to_thread(ctx.catalog.get_products, ids)}
        for kind, pid in done:
            p = found.get(pid)
            if p is None:
                continue
            for k in ("brand", "color", "style"):
                for v in _value(p, k):
                    likes[k][v] += DONE_WEIGHT[kind]
                    taste.labels.setdefault(v, str(p.brand if k == "brand" else v))
    for k, counter in likes.items():
        # Never boost what the shopper excluded, whatever they once bought.
        kept = {v: w for v, w in counter.items() if v not in taste.excludes.get(k, [])}
        if kept:
            taste.likes[k] = kept
    return taste


async def _save(ctx: ToolContext, update: dict[str, Any]) -> None:
    profile = await ctx.need_stores().get_profile(ctx.user_id)
    stored = _stored(profile.preferences)
    stored.update(update)
    profile.preferences["taste"] = stored
    await ctx.need_stores().put_profile(profile)


async def observe(ctx: ToolContext, products: list[Product], kind: str) -> None:
    """A hook for what the shopper does; nothing is copied (``load`` reads orders, cart
    and boards directly), so forgetting cannot miss a copy."""
    return None


_REQUEST = (
    "The shopper's own words, read when the structured fields are not given "
    "(e.g. 'I'm a size M, no polyester')"
)


class RememberArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request: str | None = Field(None, description=_REQUEST)
    sizes: list[str] = Field(
        default_factory=list, description="Sizes the shopper wears", examples=[["M", "42"]]
    )
    likes: dict[Field_, list[str]] = Field(
        default_factory=dict,
        description="What they like, by field",
        examples=[{"brand": ["Nordvale"], "color": ["navy"]}],
    )
    excludes: dict[Field_, list[str]] = Field(
        default_factory=dict,
        description="What they never want to see",
        examples=[{"material": ["polyester"]}],
    )


class ForgetArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    what: Literal["everything", "sizes", "likes", "excludes"] | None = Field(
        None, description="'everything', or one part of the profile"
    )
    request: str | None = Field(None, description="The shopper's own words ('forget my size')")
    value: str | None = Field(None, description="Forget only this one value (e.g. 'Nordvale')")


class NoArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")


@tool(
    examples=[
        "I wear size L",
        "I'm a size S",
        "I wear a 38 in shoes",
        "I love green",
        "I like Kestrel",
        "no cotton for me",
        "please never show me polyester",
        "I never wear pink",
        "remember that I love Solenne",
        "I'm allergic to wool, never show it to me",
    ]
)
async def remember_preference(ctx: ToolContext, args: RememberArgs) -> dict[str, Any]:
    """Remember what the shopper says about themselves for this and later conversations:
    their sizes ("I'm a size M"), what they like ("I love Nordvale") and what they never
    want ("no polyester"). Exclusions hide products; likes only re-rank."""
    if args.request and not (args.sizes or args.likes or args.excludes):
        facets = await asyncio.to_thread(ctx.catalog.facet_values) if ctx.catalog else {}
        args = RememberArgs.model_validate(_words.preferences(args.request, facets))
        if not (args.sizes or args.likes or args.excludes):
            raise ToolError(
                "I didn't catch a size, a like or a dislike in that; try "
                "'I'm a size M' or 'no polyester'",
                code="invalid_arguments",
            )
    profile = await ctx.need_stores().get_profile(ctx.user_id)
    stored = _stored(profile.preferences)
    labels = dict(stored.get("labels", {}))
    sizes = list(stored.get("sizes", []))
    for s in args.sizes:
        s = " ".join(s.split())
        if s and s not in sizes:
            sizes.insert(0, s)
    likes = {k: list(v) for k, v in stored.get("likes", {}).items()}
    excludes = {k: list(v) for k, v in stored.get("excludes", {}).items()}
    for target, other, given in ((likes, excludes, args.likes), (excludes, likes, args.excludes)):
        for k, vals in given.items():
            for raw in vals:
                v = norm(raw)
                if not v:
                    continue
                labels[v] = raw.strip()
                target.setdefault(k, [])
                if v not in target[k]:
                    target[k].append(v)
                if v in other.get(k, []):  # "actually I like polyester now"
                    other[k].remove(v)
    await _save(ctx, {"sizes": sizes[:6], "likes": likes, "excludes": excludes, "labels": labels})
    now = (await load(ctx)).explain()
    return {"message": f"Got it, I'll remember: {'; '.join(now)}.", "remembered": now}


@tool(
    examples=[
        "what do you know about me?",
        "what have you remembered about me?",
        "show my profile",
        "what are my preferences?",
    ]
)
async def show_profile(ctx: ToolContext, args: NoArgs) -> dict[str, Any]:
    """What the shop knows about the shopper ("what do you know about me?"): the sizes,
    likes and exclusions they told, and the tastes read from what they bought, added and
    saved."""
    taste = await load(ctx)
    summary = taste.explain()
    message = (
        "Here's what I know about you: " + "; ".join(summary) + ". Say 'forget my "
        "size' or 'forget everything' to delete it."
        if summary
        else "I don't know anything about you yet."
    )
    return {
        "message": message,
        "sizes": taste.sizes,
        "likes": {
            k: [taste.labels.get(v, v) for v in sorted(d, key=lambda x: -d[x])]
            for k, d in taste.likes.items()
        },
        "excludes": {
            k: [taste.labels.get(v, v) for v in vs] for k, vs in taste.excludes.items() if vs
        },
        "summary": taste.explain(),
        "empty": taste.empty,
    }


@tool(
    examples=[
        "please forget what size I wear",
        "forget everything",
        "forget that I like Solenne",
        "forget everything you know about me",
        "delete my preferences",
    ]
)
async def forget_profile(ctx: ToolContext, args: ForgetArgs) -> dict[str, Any]:
    """Forget what the shop knows about the shopper: 'everything' (the profile, and no
    tastes read from earlier purchases, carts or boards), or their sizes, likes or
    exclusions (all, or one value)."""
    if args.what is None:
        what = _words.forget_what(args.request or "")
        if what is None:
            raise ToolError(
                "what should I forget: your sizes, likes, dislikes or everything?",
                code="invalid_arguments",
            )
        value = args.value
        if value is None and args.request and what in ("likes", "excludes"):
            facets = await asyncio.to_thread(ctx.catalog.facet_values) if ctx.catalog else {}
            named = _words.facet_mentions(args.request, facets)
            value = named[0][1] if named else None
        args = ForgetArgs(what=what, value=value)
    profile = await ctx.need_stores().get_profile(ctx.user_id)
    stored = _stored(profile.preferences)
    if args.what == "everything":
        await _save_raw(ctx, {"forgotten_at": datetime.now(UTC).isoformat()})
        return {
            "message": "Done: I've forgotten everything I knew about you.",
            "forgot": "everything",
        }
    v = norm(args.value) if args.value else None
    if args.what == "sizes":
        stored["sizes"] = [s for s in stored.get("sizes", []) if v is not None and norm(s) != v]
    else:
        what = str(args.what)
        part = stored.get(what, {})
        stored[what] = {
            k: [x for x in vals if v is not None and x != v] for k, vals in part.items()
        }
        if args.what == "likes" and v is None:
            # Forgetting likes also stops reading them from earlier purchases.
            stored["forgotten_at"] = datetime.now(UTC).isoformat()
    await _save_raw(ctx, stored)
    label = (
        f"{args.value}"
        if args.value
        else {"sizes": "your sizes", "likes": "what you like", "excludes": "what you avoid"}[
            str(args.what)
        ]
    )
    return {
        "message": f"Done: I've forgotten {label}.",
        "forgot": args.what,
        "value": args.value,
        "now": (await load(ctx)).explain(),
    }


async def _save_raw(ctx: ToolContext, stored: dict[str, Any]) -> None:
    profile = await ctx.need_stores().get_profile(ctx.user_id)
    profile.preferences = {k: v for k, v in profile.preferences.items() if k != "taste"}
    profile.preferences["taste"] = stored
    await ctx.need_stores().put_profile(profile)


async def personalise(ctx: ToolContext, result: dict[str, Any]) -> dict[str, Any]:
    """Re-rank a tool result's product cards toward the shopper's taste (stable for ties),
    drop what they excluded, and say why (``personalised``). Unchanged for a new shopper."""
    cards = result.get("products")
    if not cards or ctx.catalog is None:
        return result  # nothing to rank: the shopper's activity is not read
    taste = await load(ctx)
    if taste.empty:
        return result
    found = {
        p.id: p for p in await asyncio.to_thread(ctx.catalog.get_products, [c["id"] for c in cards])
    }
    keep = []
    hidden: list[str] = []  # what each card left out was ruled out for
    tier, lead = 0, None
    for rank, card in enumerate(cards):
        score = card.get("score")
        if isinstance(score, int | float) and score > 0:
            # taste reorders products of like relevance only: "bottles" keeps the bottle
            # the words match above the liked brand's bodysuits that only resemble them
            if lead is not None and score < lead * _SAME_TIER:
                tier += 1
                lead = score
            lead = score if lead is None else lead
        p = found.get(card["id"])
        if p is not None and (why_not := taste.excluded_by(p)) is not None:
            hidden.append(why_not)
            continue
        boost, why = taste.boost(p) if p is not None else (0.0, [])
        if why:
            card = {**card, "reason": why[0]}
        keep.append((tier, -boost + rank * 0.1, rank, card))
    keep.sort(key=lambda t: (t[0], t[1], t[2]))
    out = {
        **result,
        "products": [c for *_, c in keep],
        "personalised": [c["reason"] for *_, c in keep if c.get("reason")][:3],
    }
    if hidden:
        # "4 match, the best 2" would hide the 2 dropped: the count and why, said
        out["excluded"] = {"count": len(hidden), "because": list(dict.fromkeys(hidden))}
        if isinstance(result.get("total"), int):
            out["total"] = max(len(keep), result["total"] - len(hidden))
    return out


# a product scored below this share of the first of its tier starts the next tier
_SAME_TIER = 0.75


async def default_options(
    ctx: ToolContext, product: Product, wanted: dict[str, str]
) -> dict[str, str]:
    """The shopper's remembered size fills a size they did not name, when the product
    sells it ("I'm a size M", then "add the first one")."""
    if "size" in wanted or ctx.stores is None:
        return wanted
    sizes = product.option_values("size", available_only=True)
    if len(sizes) < 2:
        return wanted
    taste = await load(ctx)
    by_norm = {norm(v): v for v in sizes}
    for s in taste.sizes:
        if norm(s) in by_norm:
            return {**wanted, "size": by_norm[norm(s)]}
    return wanted


PROFILE_TOOLS = [remember_preference, show_profile, forget_profile]
