"""Catalog tools for the agent: search, visual search, product details, comparison, facets.

``ctx.catalog`` is a :class:`tools.protocols.CatalogReader` (the service passes a
:class:`retrieval.CatalogService`). Uploaded images for
``visual_search`` are read from ``ctx.images`` (a :class:`retrieval.ImageStore`).
Product text is data: cards carry no descriptions; only ``get_product`` returns one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal, ParamSpec, TypeVar

from pydantic import BaseModel, Field, model_validator

from shopagent.errors import NotFound, ShopAgentError, ToolError
from shopagent.money import wire
from shopagent.retrieval.index import MAX_OPTION_INDEXES
from shopagent.retrieval.ingest import first_sentence
from shopagent.retrieval.schema import ATTRIBUTE_KEYS, Product, SearchFilters, SearchResult
from shopagent.tools._registry import ToolContext, tool
from shopagent.tools._sold_out import TOP_RANKS, may_be_outnamed, strong_sold_out
from shopagent.tools.protocols import CatalogReader

P = ParamSpec("P")
R = TypeVar("R")


class _FilterArgs(BaseModel):
    category: str | None = Field(None, description="e.g. 'dresses', 'sneakers', 'Furniture'")
    color: str | None = Field(None, examples=["red"])
    size: str | None = Field(None, examples=["M", "42", "one size"])
    material: str | None = Field(None, examples=["linen"])
    brand: str | None = None
    style: str | None = Field(None, examples=["casual"])
    audience: str | None = Field(None, description="women, men, kids or unisex")
    price_min: Decimal | None = Field(None, ge=0)
    price_max: Decimal | None = Field(None, ge=0)
    in_stock: bool | None = Field(
        None,
        description="true: only products that can be bought now; false: sold-out ones too; "
        "unset: products that can be bought now, plus a sold-out one the shopper named "
        "specifically (its card says in_stock false: tell the shopper it is sold out)",
    )
    on_sale: bool | None = Field(
        None,
        description="true: only products on sale (their cards carry compare_at_price, the "
        "price before the sale); for 'anything on sale?', 'any deals on boots?'",
    )
    options: dict[str, str | list[str]] | None = Field(
        None,
        description="Filters on the catalog's own product options, by option name: "
        '{"switch type": "clicky"}, {"ram": ["32GB", "64GB"]} (any of a list)',
    )

    def filters(self) -> SearchFilters:
        data = self.model_dump(include=set(SearchFilters.model_fields))
        # in_stock=False means "also show sold-out products", not "only sold-out ones";
        # unset is in-stock (catalog_search may add a named sold-out product: _sold_out)
        data["in_stock"] = None if self.in_stock is False else True
        try:
            return SearchFilters.model_validate(data)
        except ValueError as exc:
            raise ToolError(f"invalid filters: {exc}", code="invalid_arguments") from exc


# How many of the best matches a price order ranks ("the cheapest kettle you have"): the
# engine's relevance decides what matches, the price only their order.
PRICE_ORDER_WINDOW = 50


class CatalogSearchArgs(_FilterArgs):
    query: str = Field(
        description="What the shopper is looking for, in their words",
        examples=["linen summer dress"],
    )
    page: int = Field(1, ge=1)
    page_size: int = Field(10, ge=1, le=50)
    sort: Literal["relevance", "price_low", "price_high"] = Field(
        "relevance",
        description="Order of the results: best match first, or by price, lowest or highest "
        f"first (among the {PRICE_ORDER_WINDOW} best matches); for 'the cheapest ... you have'",
    )


class VisualSearchArgs(_FilterArgs):
    image_id: str | None = Field(None, description="An uploaded image id")
    product_id: str | None = Field(None, description="Find products that look like this one")
    limit: int = Field(10, ge=1, le=50)

    @model_validator(mode="after")
    def _one_source(self) -> VisualSearchArgs:
        if (self.image_id is None) == (self.product_id is None):
            raise ValueError("give exactly one of image_id or product_id")
        return self


class GetProductArgs(BaseModel):
    product_id: str = Field(examples=["p-00042"])


class CompareProductsArgs(BaseModel):
    product_ids: list[str] = Field(min_length=2, max_length=4)


class GetFacetsArgs(_FilterArgs):
    query: str = Field("", description="The search the facets are for; empty for all products")
    fields: list[str] | None = Field(
        None,
        description="Which of category, color, size, material, brand, style, audience, or "
        "the catalog's own option names (e.g. 'switch type', 'ram'); unset: the usual ones "
        "plus the options of the products found",
    )


def product_card(p: Product, score: float | None = None) -> dict[str, Any]:
    """The compact card the agent turns into agent.events.ProductCard."""
    attrs = {k: p.attributes[k] for k in ATTRIBUTE_KEYS if p.attributes.get(k) is not None}
    before = _compare_at(p)
    card: dict[str, Any] = {
        "id": p.id,
        "title": p.title,
        "brand": p.brand,
        "category": p.category,
        "price": wire(p.min_price),
        "compare_at_price": wire(before),
        "currency": p.currency,
        "image_url": p.image_url,
        "in_stock": p.available,
        "on_sale": p.on_sale,
        "score": score,
        "attributes": attrs,
        "sizes": p.option_values("size", available_only=True),
        "colors": p.option_values("color"),
        # Every option the shopper can choose, by the merchant's option names.
        "options": {p.option_label(k): v for k, v in p.options().items()},
    }
    if before is None and (sale := _sale(p)) is not None:
        card["sale"] = sale
    return card


def _sale(p: Product) -> dict[str, Any] | None:
    """Where a product sells below its compare-at price in some options only (its card's
    price, the cheapest, is no sale price): the cheapest such variant, so "on sale in Volt
    Yellow, $110, down from $140" can be said."""
    offers = [
        (p.unit_price(v), before, v)
        for v in p.variants
        if v.available
        and (before := v.compare_at_price or p.compare_at_price) is not None
        and before > p.unit_price(v)
    ]
    if not offers:
        return None
    price, before, v = min(offers, key=lambda o: o[0])
    # the options that set the sale apart: one value on every variant on sale (its colour),
    # not those it is on sale in all of (every size)
    every = p.options()
    return {
        "price": wire(price),
        "compare_at_price": wire(before),
        "options": {
            p.option_label(k): x
            for k, x in v.options.items()
            if len(every.get(k, ())) > 1 and all(o[2].options.get(k) == x for o in offers)
        },
    }


def _compare_at(p: Product) -> Decimal | None:
    """The pre-sale price of the cheapest variant, when it is on sale."""
    cheapest = min(p.variants, key=lambda v: p.unit_price(v), default=None)
    before = (cheapest.compare_at_price if cheapest is not None else None) or p.compare_at_price
    return before if before is not None and before > p.min_price else None


def _result(res: SearchResult) -> dict[str, Any]:
    return {
        "products": [product_card(h.product, h.score) for h in res.hits],
        "total": res.total,
        "page": res.page,
        "filters_applied": res.filters_applied,
    }


def _catalog(ctx: ToolContext) -> CatalogReader:
    return ctx.need_catalog()


async def _call(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    # Catalog calls are sync (CPU + embedded engine); keep the event loop free.
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except ToolError:
        raise
    except ShopAgentError as exc:
        raise ToolError(exc.message, code=exc.code) from exc


_ADAPTED: dict[tuple[int, tuple[str, ...]], dict[str, Any]] = {}


def with_option_names(schema: dict[str, Any], catalog: CatalogReader) -> dict[str, Any]:
    """The schema with this catalog's option names in the ``options`` description (cached
    per schema and set of names: this runs on every model call)."""
    names = getattr(catalog, "option_names", None)
    if names is None or "options" not in schema.get("properties", {}):
        return schema
    try:
        found = tuple(list(names())[:MAX_OPTION_INDEXES])
    except Exception:  # a catalog that cannot say keeps the generic schema
        return schema
    if not found:
        return schema
    key = (id(schema), found)
    if key not in _ADAPTED:
        adapted = {**schema, "properties": dict(schema["properties"])}
        prop = dict(adapted["properties"]["options"])
        prop["description"] = (
            f"{prop.get('description', '')} This catalog's options: " + ", ".join(found) + "."
        )
        adapted["properties"]["options"] = prop
        _ADAPTED[key] = adapted
    return _ADAPTED[key]


def _by_price(window: SearchResult, args: CatalogSearchArgs) -> SearchResult:
    """The best matches in price order (a product's card price, its cheapest choice; ties
    keep their relevance order), paged as asked."""
    hits = sorted(window.hits, key=lambda h: h.product.min_price, reverse=args.sort == "price_high")
    start = (args.page - 1) * args.page_size
    return window.model_copy(
        update={
            "hits": hits[start : start + args.page_size],
            "page": args.page,
            "page_size": args.page_size,
        }
    )


def _search(catalog: CatalogReader, args: CatalogSearchArgs) -> tuple[SearchResult, list[Product]]:
    """The search, and the sold-out products it named (``tools/_sold_out.py``): both in one
    worker-thread call, as the second search depends on the first's results (a hand-off to
    a thread and back costs more than the rest of a small search's work on the loop)."""
    filters = args.filters()
    if args.sort == "relevance":
        res = catalog.search(args.query, filters, args.page, args.page_size)
    else:
        res = _by_price(catalog.search(args.query, filters, 1, PRICE_ORDER_WINDOW), args)
    shown = [h.product for h in res.hits]
    if (
        args.in_stock is None
        and args.page == 1
        and args.query.strip()
        and may_be_outnamed(args.query, shown)
    ):
        # the shopper did not ask for in-stock only: a sold-out product they named stays
        anystock = filters.model_copy(update={"in_stock": None})
        everything = catalog.search(args.query, anystock, 1, TOP_RANKS)
        return res, strong_sold_out(args.query, everything, shown)
    return res, []


@tool(adapt_schema=with_option_names)
async def catalog_search(ctx: ToolContext, args: CatalogSearchArgs) -> dict[str, Any]:
    """Search the product catalog by text, with optional filters (category, color, size,
    material, brand, style, audience, price range, on sale, in stock). Returns product cards with
    the filters that applied and the total number of matches. Use page for more results."""
    res, sold_out = await _call(_search, _catalog(ctx), args)
    out = _result(res)
    if sold_out:
        # first (they are what was asked for), then the in-stock page unchanged (so page 2
        # follows on from it: nothing in stock is skipped)
        out["products"] = [product_card(p) for p in sold_out] + out["products"]
        out["total"] += len(sold_out)
        out["sold_out_matches"] = [{"id": p.id, "title": p.title} for p in sold_out]
        out["note"] = (
            "The products in sold_out_matches match the request but are sold out (they cannot "
            "be added to the cart): say so, and offer the in-stock products as alternatives."
        )
    # The shopper's remembered taste: liked brands/colours rank first, exclusions go.
    from shopagent.tools.discovery import personalise  # discovery imports this module

    return await personalise(ctx, out)


@tool(adapt_schema=with_option_names)
async def visual_search(ctx: ToolContext, args: VisualSearchArgs) -> dict[str, Any]:
    """Find products that look like an uploaded image (image_id) or like a catalog product
    (product_id, "more like this"). Give exactly one. Same filters as catalog_search."""
    catalog = _catalog(ctx)
    data = None
    if args.image_id is not None:
        store = ctx.images
        if store is None:
            raise ToolError("image uploads are not available here", code="unavailable")
        try:
            data = store.get(args.image_id)
        except NotFound as exc:
            raise ToolError(f"no uploaded image {args.image_id!r}", code="not_found") from exc
    try:
        res = await _call(catalog.visual_search, data, args.product_id, args.filters(), args.limit)
    except ToolError as exc:
        if exc.code == "invalid_image":
            raise ToolError("the uploaded image could not be read", code="invalid_image") from exc
        raise
    return _result(res)


@tool
async def get_product(ctx: ToolContext, args: GetProductArgs) -> dict[str, Any]:
    """Full details of one product: description, attributes, variants (options, price,
    availability) and images."""
    product = await _call(_catalog(ctx).get_product, args.product_id)
    if product is None:
        raise ToolError(f"no product {args.product_id!r}", code="not_found")
    data = product.model_dump(mode="json")
    data["in_stock"] = product.available
    # the price before the sale of its cheapest choice, as its card says (None: not on sale)
    data["compare_at_price"] = wire(_compare_at(product))
    return {"product": data}


@tool
async def compare_products(ctx: ToolContext, args: CompareProductsArgs) -> dict[str, Any]:
    """Compare 2 to 4 products side by side: attributes, sizes, colours and price."""
    ids = list(dict.fromkeys(args.product_ids))
    if len(ids) < 2:
        raise ToolError("give at least two different product ids", code="invalid_arguments")
    products = await _call(_catalog(ctx).get_products, ids)
    missing = [i for i in ids if i not in {p.id for p in products}]
    if missing:
        raise ToolError(f"unknown product id(s): {', '.join(missing)}", code="not_found")
    keys = list(dict.fromkeys(k for p in products for k in p.attributes if k != "shape"))
    attributes: dict[str, dict[str, Any]] = {
        k: {p.id: p.attributes.get(k) for p in products} for k in keys
    }
    attributes["brand"] = {p.id: p.brand for p in products}
    attributes["category"] = {p.id: p.category for p in products}
    attributes["sizes"] = {p.id: p.option_values("size", available_only=True) for p in products}
    attributes["in_stock"] = {p.id: p.available for p in products}
    return {
        "products": [product_card(p) for p in products],
        "attributes": attributes,
        "price": {p.id: wire(p.min_price) for p in products},
        # what each one's page says first: the difference when the attributes show none
        "summaries": {p.id: first_sentence(p.description) for p in products},
    }


@tool(adapt_schema=with_option_names)
async def get_facets(ctx: ToolContext, args: GetFacetsArgs) -> dict[str, Any]:
    """Which values exist (with counts) for sizes, colours, brands and the catalog's own
    options (switch type, RAM, ...) among the products a search would show. Use it to ask
    a useful clarifying question."""
    catalog = _catalog(ctx)
    filters = args.filters()
    try:
        facets = await _call(catalog.facets, args.query, filters, args.fields)
    except ToolError as exc:
        if exc.code in ("invalid_arguments", "invalid_filters"):
            raise ToolError(exc.message, code="invalid_arguments") from exc
        raise
    res = await _call(catalog.search, args.query, filters, 1, 1)
    return {"facets": facets, "total": res.total}


CATALOG_TOOLS = [catalog_search, visual_search, get_product, compare_products, get_facets]

__all__ = ["CATALOG_TOOLS", "product_card"]
