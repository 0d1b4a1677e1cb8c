"""One index interface, two engines. Both hold the same collection layout:

- dense ``text`` (MiniLM, cosine) and ``image`` (encoder-dependent size, cosine);
- sparse ``bm25`` with the IDF modifier (term weights come from :class:`SparseEncoder`);
- payload: normalised filter fields (keywords: a string, a list, or absent when there
  are none), ``*_label`` twins in display case for facets, ``price`` (float),
  ``in_stock`` and ``on_sale`` (0/1), ``pid``, the full ``product`` and
  ``text_encoder``: what made the point's text vector (see ``retrieval.embed``), so an
  index never silently mixes vectors of two encoders.

Point ids are UUIDv5 of the product id, since Qdrant ids must be ints or UUIDs.
"""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from shopagent.retrieval.schema import FILTER_FIELDS, Product, SearchFilters, norm, option_key

TEXT = "text"
IMAGE = "image"
SPARSE = "bm25"
TEXT_ENCODER_KEY = "text_encoder"
# Points indexed before text vectors were tagged were all made by torch MiniLM.
UNTAGGED_TEXT_ENCODER = "all-MiniLM-L6-v2"
OPTION_KEYS = "option_keys"  # the option names a product has (facets count them)
KEYWORD_FIELDS = (
    FILTER_FIELDS
    + tuple(f"{f}_label" for f in FILTER_FIELDS)
    + ("pid", TEXT_ENCODER_KEY, OPTION_KEYS)
)
# Payload indexes are made for at most this many option names per catalog (the most
# common ones): each index costs memory and upsert time; rarer options still filter,
# by a scan of the candidates.
MAX_OPTION_INDEXES = 16


def option_field(key: str) -> str:
    """The payload field of one option ("switch type" -> "opt_switch_type")."""
    return "opt_" + (re.sub(r"[^0-9a-z]+", "_", norm(key)).strip("_") or "x")


@dataclass(frozen=True)
class IndexLayout:
    """Where an index keeps its parts and how it compresses them (applied when the
    collection is created; an existing index keeps the layout it was made with).

    The defaults are the measured choice for catalogs up to 1M products on a small
    machine (bench/results/scale.json, docs/scale.md): int8 codes of the text vectors
    pinned in RAM (what HNSW reads on every hop), their floats loaded into RAM when the
    index opens (read to rescore the best candidates: on disk, the engine opens them cold
    and each rescored candidate is a disk read, most of a query's wall time); image
    vectors as codes in RAM with floats on disk whatever the text layout; the stored
    payload (read for the hits a page shows; filters use the payload indexes) in RAM
    while it fits ``payload_ram_mb``, on disk above (``payload_on_disk="auto"``).
    """

    quantization: Literal["scalar", "binary", "none"] = "scalar"  # of the text vectors
    vectors_on_disk: bool = False  # the text vectors' floats
    # "auto": in RAM up to payload_ram_mb of stored payload, memory-mapped from disk above
    # (on disk, every hit of a page is a disk read after a restart: 100k p99 ~5 ms vs
    # ~2-3.5 ms in RAM; 1M's ~0.9 GB would crowd the 6 GB budget).
    payload_on_disk: bool | Literal["auto"] = "auto"
    payload_ram_mb: int = 256
    # Candidates scored on quantised vectors per result, then rescored on the originals.
    oversampling: float = 2.0
    # Search breadth; the engine widens it to the candidates asked (prefetch x oversampling,
    # 200): 256 buys 1M recall margin (0.971 vs 0.958) for ~0.5-1 ms (docs/scale.md).
    hnsw_ef: int = 256
    # Embedded engine only; applied whenever the index opens. 0: one per segment holding
    # points, at most 2 (the pool runs segments side by side; docs/scale.md).
    search_threads: int = 0
    # Server backend only (qdrant-client): collection placement on a cluster.
    shard_number: int = 1
    replication_factor: int = 1
    write_consistency_factor: int = 1

    @classmethod
    def from_settings(cls, settings: Any) -> IndexLayout:
        return cls(
            quantization=settings.index_quantization,
            vectors_on_disk=settings.index_vectors_on_disk,
            payload_on_disk=settings.index_payload_on_disk,
            payload_ram_mb=settings.index_payload_ram_mb,
            oversampling=settings.index_oversampling,
            hnsw_ef=settings.index_hnsw_ef,
            search_threads=settings.index_search_threads,
            shard_number=settings.qdrant_shard_number,
            replication_factor=settings.qdrant_replication_factor,
            write_consistency_factor=settings.qdrant_write_consistency_factor,
        )


RRF_K = 60  # the usual constant from the RRF paper; both engines get it explicitly

_NS = uuid.UUID("6f1b3c52-8f2e-4d7c-9a5e-2f4b1c0d9e71")


def point_id(product_id: str) -> str:
    return str(uuid.uuid5(_NS, product_id))


@dataclass
class IndexPoint:
    product_id: str
    text: np.ndarray
    sparse: tuple[list[int], list[float]]
    payload: dict[str, Any]
    image: np.ndarray | None = None


@dataclass
class Hit:
    product_id: str  # the engine's point id when the hit was asked without payload
    score: float
    payload: dict[str, Any] = field(default_factory=dict)
    point_id: str = ""  # the engine's id (UUIDv5 of the product id)


@dataclass(frozen=True)
class Conditions:
    """Backend-neutral filter: every keyword list must match, plus price and stock."""

    keywords: tuple[tuple[str, str], ...] = ()
    # (field, values): the field must hold one of the values (option filters)
    any_of: tuple[tuple[str, tuple[str, ...]], ...] = ()
    price_min: float | None = None
    price_max: float | None = None
    in_stock: bool | None = None
    exclude_pid: str | None = None
    on_sale: bool | None = None
    # Only points whose text vector another encoder made (untagged points count as
    # UNTAGGED_TEXT_ENCODER's).
    other_text_encoder: str | None = None

    @classmethod
    def from_filters(cls, f: SearchFilters, *, exclude_pid: str | None = None) -> Conditions:
        kws = tuple((k, norm(v)) for k in FILTER_FIELDS if (v := getattr(f, k)) not in (None, ""))
        # Prices are floats in the engine (a range filter, never a sum): the same
        # Decimal -> float conversion on both sides keeps boundaries exact.
        lo = float(f.price_min) if f.price_min is not None else None
        hi = float(f.price_max) if f.price_max is not None else None
        any_of = tuple(
            (
                key if key in FILTER_FIELDS else option_field(key),
                tuple(norm(v) for v in (value if isinstance(value, list) else [value])),
            )
            for key, value in ((option_key(n), v) for n, v in (f.options or {}).items())
            if value not in (None, "", [])
        )
        return cls(kws, any_of, lo, hi, f.in_stock, exclude_pid, on_sale=f.on_sale)

    @property
    def empty(self) -> bool:
        return (
            not self.keywords
            and not self.any_of
            and self.price_min is None
            and self.price_max is None
            and self.in_stock is None
            and self.on_sale is None
            and self.exclude_pid is None
            and self.other_text_encoder is None
        )


def _put_keywords(payload: dict[str, Any], key: str, values: list[str]) -> None:
    # One value goes in as a plain string and none as no key: Qdrant matches and facets
    # them as it does lists, and qdrant-edge-py converts a list into the engine much more
    # slowly, the largest cost of an upsert (docs/performance.md, "Qdrant Edge upserts").
    if len(values) == 1:
        payload[key] = values[0]
    elif values:
        payload[key] = values


def keyword_values(payload: dict[str, Any], key: str) -> list[str]:
    """A keyword field of a stored payload as a list (a string, a list or absent)."""
    value = payload.get(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def product_payload(p: Product, text_encoder: str | None = None) -> dict[str, Any]:
    """The payload stored with a product: filter fields, facet labels, the product itself,
    and the name of the encoder that made its text vector."""
    path = p.category_path
    cats = dict.fromkeys([path[0], p.category, path[-1]] if path else [])
    labels: dict[str, list[str]] = {
        "category": [c for c in dict.fromkeys([path[0], path[-1]])] if path else [],
        "color": p.option_values("color"),
        # A size counts when it can be bought: "size 42" means a 42 that is in stock.
        "size": p.option_values("size", available_only=p.available),
        "material": p.option_values("material"),
        "brand": [p.brand] if p.brand else [],
        "style": p.option_values("style"),
        "audience": p.option_values("audience"),
    }
    payload: dict[str, Any] = {
        "pid": p.id,
        "category": [norm(c) for c in cats if c],
        "price": float(p.min_price),
        # 0/1, not a bool: qdrant-edge-py 0.9.0 bool match returns nothing on indexed
        # segments, integer match works on both engines.
        "in_stock": int(p.available),
        "on_sale": int(p.on_sale),
        # One JSON string, not a nested object: nothing filters inside it, and a flat
        # string crosses into the engine faster than nested dicts (docs/performance.md).
        "product": p.model_dump_json(),
    }
    # A colour filters as a size does: "the silver one" is a silver one that can be bought
    # (of a product sold out in all, every value). Its label keeps every colour the product
    # is made in, so the shop's words still know a colour sold out for now.
    filtering = {**labels, "color": p.option_values("color", available_only=p.available)}
    for k, vals in labels.items():
        if k != "category":
            _put_keywords(payload, k, list(dict.fromkeys(norm(v) for v in filtering[k])))
        _put_keywords(payload, f"{k}_label", list(dict.fromkeys(vals)))
    # Every option is filterable: "switch type" = clicky, "ram" = 32gb (values a shopper
    # can buy, as for sizes).
    # Options named like a filter field (size, color, material...) are in that field.
    options = [k for k in p.options() if k not in FILTER_FIELDS]
    _put_keywords(payload, OPTION_KEYS, options)
    for key in options:
        values = p.option_values(key, available_only=p.available)
        _put_keywords(payload, option_field(key), list(dict.fromkeys(norm(v) for v in values)))
    if text_encoder is not None:
        payload[TEXT_ENCODER_KEY] = text_encoder
    return payload


class IndexBackend(ABC):
    """What the catalog service needs from an engine. Same semantics on every engine."""

    name: str

    @abstractmethod
    def ensure_collection(self, image_dim: int) -> None: ...

    @abstractmethod
    def upsert(self, points: list[IndexPoint]) -> None: ...

    @abstractmethod
    def delete(self, product_ids: list[str]) -> None: ...

    @abstractmethod
    def hybrid(
        self,
        dense: np.ndarray,
        sparse: tuple[list[int], list[float]],
        cond: Conditions,
        *,
        limit: int,
        offset: int = 0,
        prefetch: int = 100,
        with_payload: bool | list[str] = True,
        dense_threshold: float | None = None,
        exact: bool = False,
    ) -> list[Hit]:
        """Dense + sparse prefetch under the filter, fused with RRF (``exact``: brute-force
        dense stage, the ground truth for recall)."""

    @abstractmethod
    def nearest(
        self,
        using: str,
        vector: np.ndarray | tuple[list[int], list[float]],
        cond: Conditions,
        *,
        limit: int,
        offset: int = 0,
        with_payload: bool = True,
    ) -> list[Hit]:
        """Nearest by one named vector (dense array, or (indices, values) for sparse)."""

    @abstractmethod
    def filtered(self, cond: Conditions, *, limit: int, offset: int = 0) -> list[Hit]:
        """Products matching the filter, in id order (for an empty query)."""

    @abstractmethod
    def count(self, cond: Conditions) -> int: ...

    @abstractmethod
    def facet(self, key: str, cond: Conditions, *, limit: int = 100) -> dict[str, int]: ...

    @abstractmethod
    def retrieve(
        self, product_ids: list[str], *, with_vectors: bool = False
    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(payload, vectors) per found product, in the order asked."""

    @abstractmethod
    def retrieve_points(self, point_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Payload of each found point by its engine id (``Hit.point_id``): a page ranked
        without payload reads only its own records."""

    @abstractmethod
    def all_product_ids(self) -> list[str]: ...

    def ensure_keyword_index(self, field: str) -> None:  # noqa: B027 - optional
        """A keyword payload index on ``field`` (an option's field); idempotent."""

    def optimize(self) -> None:  # noqa: B027 - engines without a build step do nothing
        """Build indexes after a bulk load (HNSW); a no-op where the engine does it itself."""

    @abstractmethod
    def close(self) -> None: ...


def in_request_order(
    records: Any, product_ids: list[str]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(payload, named vectors) of the found records, in the order the ids were asked for
    (engines return points in their own order; missing ids are skipped)."""
    by_pid = {(r.payload or {}).get("pid"): r for r in records}
    out = []
    for pid in product_ids:
        r = by_pid.get(pid)
        if r is not None:
            vec = r.vector if isinstance(r.vector, dict) else {}
            out.append((r.payload or {}, vec))
    return out


def payloads_by_point_id(records: Any) -> dict[str, dict[str, Any]]:
    return {str(r.id): r.payload or {} for r in records}


def sparse_nonempty(sparse: tuple[list[int], list[float]]) -> bool:
    return bool(sparse[0])
