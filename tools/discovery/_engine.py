"""The catalog-side machinery the discovery tools share: the complement model per catalog
(learned once, refit when the looks file changes), candidate fetching, money and
variant choice."""

from __future__ import annotations

import json
import logging
import threading
import time
import weakref
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopagent.money import quantize
from shopagent.retrieval.schema import Product
from shopagent.tools.discovery._complements import ComplementModel, load_defaults
from shopagent.tools.protocols import CatalogReader
from shopagent.tools.stores.base import CommerceStore

if TYPE_CHECKING:
    from shopagent.settings import Settings

log = logging.getLogger(__name__)

_MODELS: weakref.WeakKeyDictionary[Any, tuple[Any, ComplementModel]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
CHUNK = 256
GROUP_ATTRS = ("looks", "look", "collections", "collection")


def money(value: Any, currency: str | None = "USD") -> Decimal:
    """Exact money in the currency's minor unit, from a Decimal, str or float alike."""
    return quantize(value, currency)


def data_dir_of(settings: Settings | None) -> Path | None:
    d = getattr(settings, "data_dir", None)
    return Path(d) if d is not None else None


def _looks_file(data_dir: Path | None) -> Path | None:
    return data_dir / "looks.json" if data_dir is not None else None


def read_looks_file(path: Path) -> list[list[str]]:
    """Groups from a looks file: ``{"looks": [{"id": ..., "product_ids": [...]}, ...]}``
    (a plain list of id lists also works)."""
    data = json.loads(path.read_text())
    looks = data.get("looks", []) if isinstance(data, dict) else data
    out = []
    for lk in looks:
        ids = lk.get("product_ids") if isinstance(lk, dict) else lk
        if isinstance(ids, list):
            out.append([str(i) for i in ids])
    return out


def all_products(catalog: CatalogReader) -> list[Product]:
    ids = sorted(catalog.product_ids())
    out: list[Product] = []
    for i in range(0, len(ids), CHUNK):
        out.extend(catalog.get_products(ids[i : i + CHUNK]))
    return out


def attribute_groups(products: list[Product]) -> list[list[str]]:
    """Groups a feed declares on its products (``looks``/``collections`` attributes)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for p in products:
        for key in GROUP_ATTRS:
            names = p.attributes.get(key)
            for name in names if isinstance(names, list) else [names] if names else []:
                groups[f"{key}:{name}"].append(p.id)
    return [ids for ids in groups.values() if len(ids) > 1]


def fit_model(
    catalog: CatalogReader, data_dir: Path | None, extra_groups: list[list[str]] | None = None
) -> ComplementModel:
    """Learn from every group the shop has: its looks file, feed attributes and
    ``extra_groups`` (orders, sessions)."""
    products = all_products(catalog)
    by_id = {p.id: p for p in products}
    groups = attribute_groups(products) + list(extra_groups or [])
    path = _looks_file(data_dir)
    if path is not None and path.exists():
        try:
            groups += read_looks_file(path)
        except (OSError, ValueError) as exc:
            log.warning("looks file %s unreadable (%s); learning without it", path, exc)
    model = ComplementModel(load_defaults(data_dir))
    model.leaves = sorted({p.leaf_category for p in products if p.leaf_category})
    model.paths = {}
    for p in products:
        if p.leaf_category:
            model.paths.setdefault(p.leaf_category, p.category)
    model.fit([by_id[i] for i in ids if i in by_id] for ids in groups)
    return model


def model_for(
    catalog: CatalogReader, settings: Settings | None, baskets: list[list[str]] | None = None
) -> ComplementModel:
    """The catalog's complement model, fitted on first use and refitted when the looks
    file changes, the catalog's size changes, or every BASKET_STEP new co-purchases."""
    data_dir = data_dir_of(settings)
    path = _looks_file(data_dir)
    stamp = (
        path.stat().st_mtime if path is not None and path.exists() else None,
        catalog.count(),
        len(baskets or []) // BASKET_STEP,
    )
    with _LOCK:
        cached = _MODELS.get(catalog)
        if cached is not None and (cached[0] == stamp or baskets is None):
            return cached[1]
        model = fit_model(catalog, data_dir, baskets)
        _MODELS[catalog] = (stamp, model)
        return model


BASKET_STEP = 20
BASKETS_EVERY_S = 300.0
_BASKETS: weakref.WeakKeyDictionary[Any, tuple[float, list[list[str]]]] = (
    weakref.WeakKeyDictionary()
)


async def order_baskets(stores: CommerceStore | None) -> list[list[str]] | None:
    """The shop's co-purchases (read at most every BASKETS_EVERY_S per store), or None
    where the store cannot list them."""
    if stores is None or not hasattr(stores, "order_baskets"):
        return None
    now = time.monotonic()
    cached = _BASKETS.get(stores)
    if cached is not None and now - cached[0] < BASKETS_EVERY_S:
        return cached[1]
    try:
        baskets = list(await stores.order_baskets())
    except Exception:  # learning must never break a turn
        log.warning("could not read order baskets", exc_info=True)
        return cached[1] if cached else None
    _BASKETS[stores] = (now, baskets)
    return baskets


def shop_categories(catalog: CatalogReader) -> list[str]:
    return list(catalog.facet_values().get("category", []))


def fetch_category(
    catalog: CatalogReader, category: str, *, limit: int = 200, price_max: Decimal | None = None
) -> list[Product]:
    """Products of one category that can be bought now (up to ``limit``)."""
    out: list[Product] = []
    page = 1
    filters: dict[str, Any] = {"category": category, "in_stock": True}
    if price_max is not None:
        filters["price_max"] = float(price_max)
    while len(out) < limit:
        res = catalog.search("", filters, page, 100)
        out.extend(res.products)
        if len(res.hits) < 100:
            break
        page += 1
    return out[:limit]


def pick_variant(
    product: Product, sizes: list[str] | None = None
) -> tuple[Any, dict[str, Any] | None]:
    """The variant a one-step add would buy: the only one available, or the one in the
    shopper's size. Returns ``(variant or None, needed)``, ``needed`` naming the option
    still to choose and its values when the choice is the shopper's."""
    variants = [v for v in product.variants if v.available]
    if not product.variants:
        return None, None
    if not variants:
        return None, {"option": "", "values": [], "reason": "out_of_stock"}
    keys = list(dict.fromkeys(k for v in variants for k in v.options))
    for key in keys:
        values = list(dict.fromkeys(str(v.options.get(key)) for v in variants))
        if len(values) < 2:
            continue
        wanted = [s for s in (sizes or []) if s in values] if key == "size" else []
        if not wanted:
            return None, {"option": key, "values": values}
        variants = [v for v in variants if str(v.options.get(key)) == wanted[0]]
    return variants[0], None


def unit_price(product: Product, variant: Any) -> Decimal:
    price = variant.price if variant is not None and variant.price is not None else product.price
    return money(price, product.currency)
