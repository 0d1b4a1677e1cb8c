"""The catalog service: search, visual search, facets, products, ingestion.

Methods are synchronous and fast (query latencies in bench/results/retrieval.json); async
callers run them with ``await asyncio.to_thread(...)``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from shopagent.errors import Conflict, InvalidInput, NotFound
from shopagent.retrieval._indexer import ImageResolver, Indexer, IngestReport
from shopagent.retrieval.embed import (
    TEXT_ENCODERS,
    ImageEncoder,
    SparseEncoder,
    TextEmbedder,
    make_image_encoder,
    text_encoder_name,
)
from shopagent.retrieval.index import (
    IMAGE,
    MAX_OPTION_INDEXES,
    OPTION_KEYS,
    TEXT,
    TEXT_ENCODER_KEY,
    UNTAGGED_TEXT_ENCODER,
    Conditions,
    Hit,
    IndexBackend,
    IndexLayout,
    IndexPoint,
    keyword_values,
    option_field,
    product_payload,
)
from shopagent.retrieval.ingest import Parsed, read_feed
from shopagent.retrieval.schema import (
    FILTER_FIELDS,
    Product,
    SearchFilters,
    SearchHit,
    SearchResult,
    option_key,
)

log = logging.getLogger(__name__)

DEFAULT_FACETS = ("category", "color", "size", "brand", "material")
# The catalog's own options a facet call without ``fields`` adds (most common first).
MAX_DEFAULT_OPTIONS = 4
MAX_PAGE_SIZE = 100
MAX_WINDOW = 1000
# Dense candidates must score within DENSE_MARGIN of the best dense match (and above
# DENSE_FLOOR): MiniLM gives unrelated products ~0.2 cosine, so without a cut every query
# "matches" the whole catalog. Relative, because the best score varies by query (0.45-0.7).
DENSE_MARGIN = 0.25
DENSE_FLOOR = 0.2


def _filters(filters: SearchFilters | dict[str, Any] | None) -> SearchFilters:
    try:
        return SearchFilters.coerce(filters)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'filters'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidInput(f"invalid filters: {problems}", code="invalid_filters") from exc


def _product(payload: dict[str, Any]) -> Product:
    raw = payload["product"]
    return Product.model_validate_json(raw) if isinstance(raw, str) else Product.model_validate(raw)


class CatalogService:
    def __init__(
        self,
        index: IndexBackend,
        text: TextEmbedder,
        sparse: SparseEncoder,
        images: ImageEncoder,
        *,
        media_root: Path,
        image_fetch_timeout_s: float = 10.0,
        image_fetch_max_bytes: int = 10 * 1024 * 1024,
    ) -> None:
        self.index, self.text, self.sparse, self.images = index, text, sparse, images
        self.media_root = Path(media_root)
        self._fetch_timeout_s = image_fetch_timeout_s
        self._fetch_max_bytes = image_fetch_max_bytes
        self._facet_values: dict[str, list[str]] | None = None
        self._option_names: dict[str, int] | None = None
        self._sale_marked: bool | None = None
        # Written when a feed is ingested (see make_service): marks a merchant's catalog.
        self.merchant_marker: Path | None = None
        self.index.ensure_collection(images.dim)

    # --- reading ------------------------------------------------------------------------
    def count(self, filters: SearchFilters | dict[str, Any] | None = None) -> int:
        return self.index.count(Conditions.from_filters(_filters(filters)))

    def get_product(self, product_id: str) -> Product | None:
        found = self.index.retrieve([product_id])
        return _product(found[0][0]) if found else None

    def product_ids(self) -> list[str]:
        """Every product id in the catalog (unordered)."""
        return self.index.all_product_ids()

    def get_products(self, product_ids: list[str]) -> list[Product]:
        return [_product(p) for p, _ in self.index.retrieve(product_ids)]

    def search(
        self,
        query: str,
        filters: SearchFilters | dict[str, Any] | None = None,
        page: int = 1,
        page_size: int = 10,
    ) -> SearchResult:
        """Hybrid search: MiniLM dense + BM25 sparse candidates under the filters, fused
        by RRF. Dense candidates must be close to the best dense match (DENSE_MARGIN);
        sparse ones must share a keyword. ``total`` counts the fused candidates (at most
        max(100, page*page_size)); an empty query lists every product the filters allow."""
        f = _filters(filters)
        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(
                f"page must be >= 1 and page_size 1..{MAX_PAGE_SIZE}", code="invalid_page"
            )
        cond = Conditions.from_filters(f)
        start = (page - 1) * page_size
        query = (query or "").strip()
        if f.on_sale and not self.sale_marked():
            return self._on_sale_scan(query, f, page, page_size)
        if not query:
            hits = self.index.filtered(cond, limit=page_size, offset=start)
            total = self.index.count(cond)
        else:
            window = min(max(100, page * page_size), MAX_WINDOW)
            if start >= window:
                hits, total = [], window
            else:
                # Rank the window by engine ids alone and read the page's records only:
                # a stored payload read per candidate was half of a 1M catalog's search
                # (docs/scale.md, "Where a 1M query's CPU goes").
                fused = self._hybrid(query, cond, window, False)
                # RRF gives equal scores to equal ranks; break ties by id so pages never
                # overlap or skip between two calls.
                fused.sort(key=lambda h: (-round(h.score, 9), h.point_id))
                total, page_hits = len(fused), fused[start : start + page_size]
                by_id = self.index.retrieve_points([h.point_id for h in page_hits])
                hits = [
                    Hit(by_id[h.point_id]["pid"], h.score, by_id[h.point_id])
                    for h in page_hits
                    if h.point_id in by_id
                ]
        return SearchResult(
            hits=[SearchHit(product=_product(h.payload), score=round(h.score, 6)) for h in hits],
            total=total,
            page=page,
            page_size=page_size,
            filters_applied=f.applied(),
            query=query,
        )

    def sale_marked(self) -> bool:
        """Every product's payload says whether it is on sale. Points indexed before the
        field existed lack it; an ``on_sale`` filter would then find nothing, so such
        searches read the sale off the products themselves (see ``_on_sale_scan``)."""
        if self._sale_marked is None:
            marked = self.index.count(Conditions(on_sale=True)) + self.index.count(
                Conditions(on_sale=False)
            )
            self._sale_marked = marked >= self.index.count(Conditions())
            if not self._sale_marked:
                log.warning(
                    "the index predates sale marks: 'on sale' searches read up to %d "
                    "candidates each; ingest the catalog again to mark them",
                    MAX_WINDOW,
                )
        return self._sale_marked

    def _on_sale_scan(self, query: str, f: SearchFilters, page: int, size: int) -> SearchResult:
        cond = Conditions.from_filters(f.model_copy(update={"on_sale": None}))
        if query:
            candidates = self._hybrid(query, cond, MAX_WINDOW)
            candidates.sort(key=lambda h: (-round(h.score, 9), h.point_id))
        else:
            candidates = self.index.filtered(cond, limit=MAX_WINDOW)
        found = [
            SearchHit(product=p, score=round(h.score, 6))
            for h in candidates
            if (p := _product(h.payload)).on_sale
        ]
        return SearchResult(
            hits=found[(page - 1) * size : page * size],
            total=len(found),
            page=page,
            page_size=size,
            filters_applied=f.applied(),
            query=query,
        )

    def _hybrid(
        self, query: str, cond: Conditions, window: int, payload: bool | list[str] = True
    ) -> list[Hit]:
        dense = self.text.embed_one(query)
        best = self.index.nearest(TEXT, dense, cond, limit=1, with_payload=False)
        if not best:
            # No product passes the filters (every product has a text vector): the fused
            # query would find none either. A filtered search that finds nothing is common
            # (the agent then relaxes it), so it costs one engine call, not two.
            return []
        threshold = max(DENSE_FLOOR, best[0].score - DENSE_MARGIN)
        return self.index.hybrid(
            dense,
            self.sparse.query(query),
            cond,
            limit=window,
            prefetch=window,
            with_payload=payload,
            dense_threshold=threshold,
        )

    def visual_search(
        self,
        image_bytes: bytes | None = None,
        product_id: str | None = None,
        filters: SearchFilters | dict[str, Any] | None = None,
        limit: int = 10,
    ) -> SearchResult:
        """Products that look like an uploaded image, or like product ``product_id``
        ("more like this"; the product itself is left out). Same filters as search."""
        if (image_bytes is None) == (product_id is None):
            raise InvalidInput(
                "give exactly one of image_bytes or product_id", code="invalid_arguments"
            )
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInput(f"limit must be 1..{MAX_PAGE_SIZE}", code="invalid_page")
        f = _filters(filters)
        if image_bytes is not None:
            vector, using = self.images.embed_images([image_bytes])[0], IMAGE
            cond = Conditions.from_filters(f)
        else:
            found = self.index.retrieve([product_id or ""], with_vectors=True)
            if not found:
                raise NotFound(f"no product {product_id!r}")
            vectors = found[0][1]
            # A product whose image could not be read is still "like" others by its text.
            using = IMAGE if vectors.get(IMAGE) is not None else TEXT
            vector = np.asarray(vectors[using], dtype=np.float32)
            cond = Conditions.from_filters(f, exclude_pid=product_id)
        hits = self.index.nearest(using, vector, cond, limit=limit)
        return SearchResult(
            hits=[SearchHit(product=_product(h.payload), score=round(h.score, 6)) for h in hits],
            total=len(hits),
            page=1,
            page_size=limit,
            filters_applied=f.applied(),
        )

    def facets(
        self,
        query: str = "",
        filters: SearchFilters | dict[str, Any] | None = None,
        fields: Iterable[str] | None = None,
        *,
        window: int = 100,
    ) -> dict[str, dict[str, int]]:
        """Value counts per field among the products this query would show (the top
        ``window`` fused candidates, as counted by search total), or among all filtered
        products for an empty query. A field is a filter field or one of the catalog's own
        option names ("switch type", "ram"); without ``fields``: DEFAULT_FACETS plus the
        options of the products found (at most MAX_DEFAULT_OPTIONS, most common first)."""
        f = _filters(filters)
        wanted = [option_key(x) for x in fields] if fields else list(DEFAULT_FACETS)
        options = set(self.option_names())
        unknown = [x for x in wanted if x not in FILTER_FIELDS and x not in options]
        if unknown:
            raise InvalidInput(
                f"unknown facet field(s) {unknown}; known: {[*FILTER_FIELDS, *sorted(options)]}",
                code="invalid_arguments",
            )
        cond = Conditions.from_filters(f)
        query = (query or "").strip()
        plain = [k for k in wanted if k in FILTER_FIELDS]
        out: dict[str, dict[str, int]] = {}
        if not query:
            out = {k: self.index.facet(f"{k}_label", cond, limit=200) for k in plain}
            if len(plain) == len(wanted) and (fields or not options):
                return out
            hits = self.index.filtered(cond, limit=window)
        else:
            # options come from the products themselves: their values are stored
            # normalised for filtering, the product keeps the merchant's spelling
            need_products = bool(options) and (not fields or len(plain) < len(wanted))
            keys = ["pid", *(f"{k}_label" for k in plain)] + (["product"] if need_products else [])
            hits = self._hybrid(query, cond, window, keys)
            for k in plain:
                counts: Counter[str] = Counter()
                for h in hits:
                    counts.update(keyword_values(h.payload, f"{k}_label"))
                out[k] = dict(counts.most_common())
        products = [_product(h.payload) for h in hits if h.payload.get("product")]
        if not fields:
            found: Counter[str] = Counter(
                k for p in products for k in p.options() if k not in FILTER_FIELDS
            )
            wanted += [k for k, _ in found.most_common(MAX_DEFAULT_OPTIONS)]
        for k in wanted:
            if k not in out:  # what a shopper could pick now, as the option filter counts
                values: Counter[str] = Counter()
                for p in products:
                    values.update(p.option_values(k, available_only=p.available))
                out[k] = dict(values.most_common())
        return out

    def facet_values(self) -> dict[str, list[str]]:
        """Every value of each filter field in the catalog (display case), sorted."""
        if self._facet_values is None:
            self._facet_values = {
                k: sorted(
                    self.index.facet(f"{k}_label", Conditions(), limit=100_000), key=str.casefold
                )
                for k in FILTER_FIELDS
            }
        return {k: list(v) for k, v in self._facet_values.items()}

    # --- writing ------------------------------------------------------------------------
    def indexer(self, base_dir: Path | None = None) -> Indexer:
        resolver = ImageResolver(
            self.media_root,
            base_dir,
            timeout_s=self._fetch_timeout_s,
            max_bytes=self._fetch_max_bytes,
        )
        return Indexer(self.index, self.text, self.sparse, self.images, resolver)

    def ingest(
        self,
        items: Iterable[Parsed | Product],
        *,
        base_dir: Path | None = None,
        delete_missing: bool = False,
        max_delete_share: float = 0.2,
        force: bool = False,
        on_batch: Callable[[int], None] | None = None,
        optimize: bool = True,
    ) -> IngestReport:
        """Upsert products by id (re-ingesting is idempotent). With ``delete_missing``,
        products in the index but absent from ``items`` are deleted — unless nothing was
        ingested, so a broken feed never empties the catalog, and at most
        ``max_delete_share`` of the catalog unless ``force``: a truncated feed of 7 rows
        must not delete 50 real products (``report.delete_refused`` says how many stayed).
        ``optimize=False`` leaves the index build (:meth:`optimize`) to the caller, e.g. to
        show it as a stage of its own (minutes at 100k products and more)."""
        report, seen = self.indexer(base_dir).run(items, on_batch=on_batch)
        if report.ingested:
            self._mark_merchant()
            self._index_options()
        if delete_missing and report.ingested:
            ids = self.index.all_product_ids()
            gone = [i for i in ids if i not in seen]
            if gone and not force and len(gone) > max_delete_share * len(ids):
                report.delete_refused = len(gone)
            else:
                self.index.delete(gone)
                report.deleted = len(gone)
        if optimize and (report.ingested or report.deleted):
            # The embedded engine builds HNSW graphs (and moves the payload where the
            # catalog's size puts it) only when asked: without this a merchant's catalog
            # would be searched by brute force. Cheap when little changed.
            self.index.optimize()
        self._facet_values = None
        self._option_names = None
        self._sale_marked = None
        return report

    def ingest_file(
        self,
        path: Path,
        fmt: str = "auto",
        *,
        delete_missing: bool = False,
        max_delete_share: float = 0.2,
        force: bool = False,
        on_batch: Callable[[int], None] | None = None,
    ) -> IngestReport:
        path = Path(path)
        return self.ingest(
            read_feed(path, fmt),
            base_dir=path.parent,
            delete_missing=delete_missing,
            max_delete_share=max_delete_share,
            force=force,
            on_batch=on_batch,
        )

    def option_names(self) -> dict[str, int]:
        """The catalog's own option names (beyond size, color...) with how many products
        have each, most common first."""
        if self._option_names is None:
            try:
                self._option_names = self._count_option_names()
            except Exception:  # engine-specific error types
                # an index built before option names were indexed (the demo builder's of
                # an older version) has the payload field but no index to count it: build
                # that index once (a re-ingest would not: indexes are made with the shard)
                try:
                    self.index.ensure_keyword_index(OPTION_KEYS)
                    self._option_names = self._count_option_names()
                except Exception as exc:
                    # no custom options to offer; search, filters and facets of the usual
                    # fields work as before
                    log.warning("the catalog index cannot list option names (%s)", exc)
                    self._option_names = {}
        return dict(self._option_names)

    def _count_option_names(self) -> dict[str, int]:
        return self.index.facet(OPTION_KEYS, Conditions(), limit=1000)

    def _index_options(self) -> None:
        # Payload indexes for the catalog's most common option names (a documented bound).
        self._option_names = None
        for key in list(self.option_names())[:MAX_OPTION_INDEXES]:
            self.index.ensure_keyword_index(option_field(key))

    def _mark_merchant(self) -> None:
        # The demo builder never replaces an index that holds a merchant's products.
        if self.merchant_marker is not None:
            self.merchant_marker.parent.mkdir(parents=True, exist_ok=True)
            self.merchant_marker.write_text("products ingested from a feed\n")

    def delete(self, product_ids: list[str]) -> int:
        existing = [p["pid"] for p, _ in self.index.retrieve(product_ids)]
        self.index.delete(existing)
        self._facet_values = None
        return len(existing)

    def optimize(self) -> None:
        self.index.optimize()

    # --- text encoder consistency -------------------------------------------------------
    def text_encoder_mismatch(self) -> tuple[int, str | None]:
        """(products whose text vectors another encoder made, that encoder's name for one
        of them); (0, None) when the index matches this service's text encoder."""
        cond = Conditions(other_text_encoder=self.text.name)
        stale = self.index.count(cond)
        if not stale:
            return 0, None
        hits = self.index.filtered(cond, limit=1)
        return stale, (
            hits[0].payload.get(TEXT_ENCODER_KEY) or UNTAGGED_TEXT_ENCODER if hits else None
        )

    def check_text_encoder(self) -> None:
        """Refuse an index whose text vectors another encoder made: queries embedded by
        this one would be compared with them, and new products would mix in."""
        stale, other = self.text_encoder_mismatch()
        if not stale:
            return
        kinds = {text_encoder_name(k): k for k in TEXT_ENCODERS}
        made_by = f"{kinds[other]} ({other})" if other in kinds else repr(other)
        raise Conflict(
            f"{stale} of the {self.count()} products in the catalog have text vectors made by "
            f"the {made_by} text encoder, but SHOPAGENT_TEXT_ENCODER is {self.text.encoder}: "
            "run `shopagent reembed` to re-embed them from the stored products, or set "
            f"SHOPAGENT_TEXT_ENCODER={kinds.get(other or '', 'torch')}",
            code="text_encoder_mismatch",
        )

    def reembed_text(
        self, *, batch_size: int = 256, on_batch: Callable[[int], None] | None = None
    ) -> int:
        """Re-embed the text of every product whose vector another encoder made, from the
        product stored in the index (sparse and image vectors are kept). Resumable: an
        interrupted run leaves each product consistent, and the next run does the rest."""
        cond = Conditions(other_text_encoder=self.text.name)
        done = 0
        previous: set[str] = set()
        while hits := self.index.filtered(cond, limit=batch_size):
            ids = [h.product_id for h in hits]
            if previous == set(ids):
                raise RuntimeError(f"re-embedding made no progress on {ids[:3]}...")
            previous = set(ids)
            found = self.index.retrieve(ids, with_vectors=True)
            products = [_product(payload) for payload, _ in found]
            dense = self.text.embed([p.embedding_text() for p in products])
            points = []
            for i, (p, (_, vectors)) in enumerate(zip(products, found, strict=True)):
                image = vectors.get(IMAGE)
                points.append(
                    IndexPoint(
                        p.id,
                        dense[i],
                        self.sparse.document(p.keyword_text()),
                        product_payload(p, self.text.name),
                        np.asarray(image, dtype=np.float32) if image is not None else None,
                    )
                )
            self.index.upsert(points)
            done += len(points)
            if on_batch:
                on_batch(len(points))
        return done

    def close(self) -> None:
        self.index.close()
        self.text.close()


def make_text_embedder(settings: Any) -> TextEmbedder:
    """The configured text encoder; its vector cache and ONNX models live in the data folder."""
    data_dir = Path(settings.data_dir)
    return TextEmbedder(
        data_dir / "cache" / "text-embeddings.sqlite",
        encoder=settings.text_encoder,
        model_dir=data_dir / "models" / "minilm-onnx",
    )


def merchant_marker(settings: Any) -> Path:
    """The file that says this data folder's index holds a merchant's catalog."""
    return (
        Path(settings.data_dir)
        / "index"
        / f"merchant-{settings.index_backend}-{settings.qdrant_collection}.json"
    )


def make_service(settings: Any, index: IndexBackend) -> CatalogService:
    data_dir = Path(settings.data_dir)
    service = CatalogService(
        index,
        make_text_embedder(settings),
        SparseEncoder(),
        make_image_encoder(settings.image_encoder, settings.clip_model_path),
        media_root=data_dir / "media",
        image_fetch_timeout_s=settings.image_fetch_timeout_s,
        image_fetch_max_bytes=settings.image_fetch_max_bytes,
    )
    service.merchant_marker = merchant_marker(settings)
    return service


def open_index(settings: Any) -> IndexBackend:
    if settings.index_backend == "server":
        from shopagent.retrieval.index.client import QdrantClientIndex

        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return QdrantClientIndex.connect(
            settings.qdrant_url,
            key,
            settings.qdrant_collection,
            settings.qdrant_timeout_s,
            layout=IndexLayout.from_settings(settings),
        )
    from shopagent.retrieval.index.edge import EdgeIndex

    return EdgeIndex(
        Path(settings.data_dir) / "index" / settings.qdrant_collection,
        layout=IndexLayout.from_settings(settings),
    )


def open_catalog(settings: Any, *, check_text_encoder: bool = True) -> CatalogService:
    """The catalog as configured (embedded engine by default); empty if never ingested.

    An index whose text vectors another text encoder made is refused (Conflict,
    ``text_encoder_mismatch``) unless ``check_text_encoder`` is off (``shopagent reembed``).
    The text encoder is loaded here, so the first query does not wait for it (on a data
    folder's first start that includes building its ONNX model)."""
    service = make_service(settings, open_index(settings))
    try:
        if check_text_encoder:
            service.check_text_encoder()
        service.text.warm_up()
    except BaseException:
        service.close()
        raise
    return service
