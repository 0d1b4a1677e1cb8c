"""The embedded engine: Qdrant Edge (``qdrant-edge-py``), in process, persisted on disk.

Same engine as the Qdrant server (HNSW, payload indexes, query planner), without a
server. One shard per collection directory. Calls are serialised by a lock because the
service is used from worker threads (``asyncio.to_thread``).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np
import qdrant_edge as qe

from shopagent.errors import Conflict, Unavailable
from shopagent.retrieval.index._base import (
    IMAGE,
    KEYWORD_FIELDS,
    RRF_K,
    SPARSE,
    TEXT,
    TEXT_ENCODER_KEY,
    UNTAGGED_TEXT_ENCODER,
    Conditions,
    Hit,
    IndexBackend,
    IndexLayout,
    IndexPoint,
    in_request_order,
    payloads_by_point_id,
    point_id,
    sparse_nonempty,
)

TEXT_DIM = 384


def _filter(cond: Conditions) -> qe.Filter | None:
    if cond.empty:
        return None
    must: list[Any] = [qe.FieldCondition(key=k, match=qe.MatchValue(v)) for k, v in cond.keywords]
    must += [qe.FieldCondition(key=k, match=qe.MatchAny(list(vs))) for k, vs in cond.any_of]
    if cond.price_min is not None or cond.price_max is not None:
        must.append(
            qe.FieldCondition(
                key="price", range=qe.RangeFloat(gte=cond.price_min, lte=cond.price_max)
            )
        )
    for key in ("in_stock", "on_sale"):
        if (flag := getattr(cond, key)) is not None:
            must.append(qe.FieldCondition(key=key, match=qe.MatchValue(int(flag))))
    must_not: list[Any] = []
    if cond.exclude_pid:
        must_not.append(qe.FieldCondition(key="pid", match=qe.MatchValue(cond.exclude_pid)))
    if cond.other_text_encoder is not None:
        must_not.append(
            qe.FieldCondition(key=TEXT_ENCODER_KEY, match=qe.MatchValue(cond.other_text_encoder))
        )
        if cond.other_text_encoder == UNTAGGED_TEXT_ENCODER:
            must_not.append(qe.IsEmptyCondition(key=TEXT_ENCODER_KEY))
    return qe.Filter(must=must or None, must_not=must_not or None)


def _quantization(kind: str) -> Any:
    # Quantised copies are pinned in RAM: they are what HNSW search reads on every hop,
    # while the originals (memory-mapped) are read only to rescore the best candidates.
    if kind == "scalar":
        return qe.ScalarQuantizationConfig(
            type=qe.ScalarType.Int8, quantile=0.99, memory=qe.Memory.Pinned
        )
    if kind == "binary":
        return qe.BinaryQuantizationConfig(memory=qe.Memory.Pinned)
    return None


def search_params(layout: IndexLayout) -> qe.SearchParams:
    """Approximate search as configured: HNSW, on quantised vectors rescored on originals
    (image vectors always have codes, so even a text layout without them rescores)."""
    return qe.SearchParams(
        hnsw_ef=layout.hnsw_ef,
        quantization=qe.QuantizationSearchParams(rescore=True, oversampling=layout.oversampling),
    )


# The ground truth: every candidate scored on the original float vectors.
EXACT = qe.SearchParams(exact=True, quantization=qe.QuantizationSearchParams(ignore=True))


def _hit(p: Any) -> Hit:
    # A search turns its whole fused window (up to 100 points) into hits: the id's text
    # is made once per point, not twice (uuid's __str__ was ~7% of a search's profile).
    payload = p.payload or {}
    point_id = str(p.id)
    score = float(getattr(p, "score", 0.0) or 0.0)  # records read by id have none
    return Hit(payload.get("pid", point_id), score, payload, point_id)


def _holds_points(segment: Path) -> bool:
    # A segment no operation has reached yet records version 0 (read without opening it).
    try:
        return bool(json.loads((segment / "segment.json").read_text()).get("version"))
    except (OSError, ValueError):
        return True  # unknown: count it


class EdgeIndex(IndexBackend):
    name = "edge"

    def __init__(self, path: Path, *, layout: IndexLayout | None = None) -> None:
        self.path = Path(path)
        self.layout = layout or IndexLayout()
        self._lock = threading.RLock()
        self._shard: qe.EdgeShard | None = None
        self._params = search_params(self.layout)
        self._indexed: set[str] = set()
        self._payload_placed: qe.Memory | None = None  # what the shard was last given
        if (self.path / "edge_config.json").exists() or self._has_segments():
            try:
                self._shard = qe.EdgeShard.load(str(self.path), self._open_config())
            except Exception as exc:  # the binding raises a bare Exception
                if "WouldBlock" in str(exc):
                    raise Conflict(
                        f"the catalog index at {self.path} is open in another "
                        "process (stop the server, or use the Qdrant server backend)",
                        code="index_locked",
                    ) from exc
                # A damaged or foreign index (a file cut short, a bad restore): say which,
                # and how to get one back; never serve from half of it.
                raise Unavailable(
                    f"the catalog index at {self.path} cannot be opened ({exc}); move it "
                    "aside and ingest the feed again (`shopagent ingest FEED`; `make run` "
                    "rebuilds the demo catalog)",
                    code="index_damaged",
                ) from exc

    def _open_config(self) -> qe.EdgeConfig:
        # Only what may change between opens: the dense vectors (and their placement) are
        # inherited from the shard; the sparse one is the same in every layout and is passed
        # because the binding wants at least one vector config.
        self._payload_placed = self.payload_memory()
        return qe.EdgeConfig(
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            max_search_threads=self.search_threads(),
            payload_memory=self._payload_placed,
        )

    def _segments(self) -> list[Path]:
        root = self.path / "segments"
        return [d for d in root.iterdir() if d.is_dir()] if root.is_dir() else []

    def _has_segments(self) -> bool:
        return bool(self._segments())

    def search_threads(self) -> int:
        """The search pool's size: as set, or (0) one per segment that holds points, at
        most 2. The pool runs segments side by side; a built index is one big segment plus
        an empty appendable one, so the others would only wake up and spin (~1.5 ms CPU per
        chat turn on the 5,000-product demo; docs/scale.md)."""
        if self.layout.search_threads:
            return self.layout.search_threads
        return max(1, min(2, sum(_holds_points(seg) for seg in self._segments())))

    def payload_bytes(self) -> int:
        """The stored payload's size on disk (allocated blocks: the engine preallocates
        sparse files), about what it takes in RAM when it is kept there."""
        return sum(
            f.stat().st_blocks * 512
            for seg in self._segments()
            for f in (seg / "payload_storage").rglob("*")
            if f.is_file()
        )

    def payload_memory(self) -> qe.Memory:
        """Where the stored payload goes. Segments keep the placement they were built with:
        a changed one reaches them when the index is next optimised (the engine rebuilds
        segments whose placement differs from the shard's)."""
        on_disk = self.layout.payload_on_disk
        if on_disk == "auto":
            on_disk = self.payload_bytes() > self.layout.payload_ram_mb * 2**20
        return qe.Memory.Cold if on_disk else qe.Memory.Cached

    @property
    def shard(self) -> qe.EdgeShard:
        if self._shard is None:
            raise RuntimeError("collection not created: call ensure_collection() first")
        return self._shard

    def ensure_collection(self, image_dim: int) -> None:
        with self._lock:
            if self._shard is not None:
                return
            self.path.mkdir(parents=True, exist_ok=True)
            lay = self.layout
            self._payload_placed = self.payload_memory()
            config = qe.EdgeConfig(
                vectors={
                    TEXT: qe.EdgeVectorParams(
                        size=TEXT_DIM,
                        distance=qe.Distance.Cosine,
                        memory=qe.Memory.Cold if lay.vectors_on_disk else qe.Memory.Cached,
                        quantization_config=_quantization(lay.quantization),
                    ),
                    # Image vectors: int8 codes in RAM, floats on disk whatever the text
                    # layout (visual search is the rarer query; it rescores a few floats).
                    IMAGE: qe.EdgeVectorParams(
                        size=image_dim,
                        distance=qe.Distance.Cosine,
                        memory=qe.Memory.Cold,
                        quantization_config=_quantization("scalar"),
                    ),
                },
                sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
                hnsw_config=qe.HnswIndexConfig(m=16, ef_construct=64, full_scan_threshold=10000),
                # Filters are answered from the payload indexes (in RAM); the stored
                # payload is read only for the hits a page shows (auto: in RAM while the
                # catalog is small, re-decided at each optimize).
                payload_memory=self._payload_placed,
                max_search_threads=self.search_threads(),
            )
            self._shard = qe.EdgeShard.create(str(self.path), config)
            for key in KEYWORD_FIELDS:
                self._shard.update(
                    qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Keyword)
                )
            self._shard.update(
                qe.UpdateOperation.create_field_index("price", qe.PayloadSchemaType.Float)
            )
            for key in ("in_stock", "on_sale"):
                self._shard.update(
                    qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Integer)
                )

    def ensure_keyword_index(self, field: str) -> None:
        with self._lock:
            if field not in self._indexed:
                self.shard.update(
                    qe.UpdateOperation.create_field_index(field, qe.PayloadSchemaType.Keyword)
                )
                self._indexed.add(field)

    # Points per engine call: the binding holds the GIL while it converts and applies them
    # point by point, and an ingest embeds text on other threads meanwhile; 64 keeps each
    # hold short and costs no more per point than larger calls (docs/performance.md).
    UPSERT_CHUNK = 64

    def upsert(self, points: list[IndexPoint]) -> None:
        for start in range(0, len(points), self.UPSERT_CHUNK):
            batch = []
            for p in points[start : start + self.UPSERT_CHUNK]:
                vec: dict[str, Any] = {
                    TEXT: np.asarray(p.text, dtype=np.float32).tolist(),
                    SPARSE: qe.SparseVector(indices=p.sparse[0], values=p.sparse[1]),
                }
                if p.image is not None:
                    vec[IMAGE] = np.asarray(p.image, dtype=np.float32).tolist()
                batch.append(qe.Point(id=point_id(p.product_id), vector=vec, payload=p.payload))
            with self._lock:
                self.shard.update(qe.UpdateOperation.upsert_points(batch))

    def delete(self, product_ids: list[str]) -> None:
        if product_ids:
            with self._lock:
                self.shard.update(
                    qe.UpdateOperation.delete_points([point_id(i) for i in product_ids])
                )

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
        flt = _filter(cond)
        prefetches = [
            qe.Prefetch(
                limit=prefetch,
                query=qe.Query.Nearest(dense.astype(np.float32).tolist(), using=TEXT),
                filter=flt,
                params=EXACT if exact else self._params,
                score_threshold=dense_threshold,
            )
        ]
        if sparse_nonempty(sparse):
            prefetches.append(
                qe.Prefetch(
                    limit=prefetch,
                    query=qe.Query.Nearest(
                        qe.SparseVector(indices=sparse[0], values=sparse[1]), using=SPARSE
                    ),
                    filter=flt,
                )
            )
        rrf: Any = qe.Fusion.Rrf(k=RRF_K)  # the stub types Fusion's variants loosely
        req = qe.QueryRequest(
            limit=limit,
            offset=offset,
            query=rrf,
            prefetches=prefetches,
            with_payload=with_payload,
            with_vector=False,
        )
        with self._lock:
            return [_hit(p) for p in self.shard.query(req)]

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
        vec: Any = (
            qe.SparseVector(indices=vector[0], values=vector[1])
            if isinstance(vector, tuple)
            else vector.astype(np.float32).tolist()
        )
        req = qe.QueryRequest(
            limit=limit,
            offset=offset,
            query=qe.Query.Nearest(vec, using=using),
            filter=_filter(cond),
            params=self._params,
            with_payload=True if with_payload else ["pid"],
            with_vector=False,
        )
        with self._lock:
            return [_hit(p) for p in self.shard.query(req)]

    def filtered(self, cond: Conditions, *, limit: int, offset: int = 0) -> list[Hit]:
        # Scroll pages by id; an offset over a filtered scroll means skipping.
        out: list[Hit] = []
        next_id = None
        skipped = 0
        with self._lock:
            while len(out) < limit:
                recs, next_id = self.shard.scroll(
                    qe.ScrollRequest(
                        offset=next_id,
                        limit=max(limit, 256),
                        filter=_filter(cond),
                        with_payload=True,
                        with_vector=False,
                    )
                )
                for r in recs:
                    if skipped < offset:
                        skipped += 1
                        continue
                    if len(out) < limit:
                        out.append(_hit(r))
                if next_id is None:
                    break
        return out

    def count(self, cond: Conditions) -> int:
        with self._lock:
            return int(self.shard.count(qe.CountRequest(exact=True, filter=_filter(cond))))

    def facet(self, key: str, cond: Conditions, *, limit: int = 100) -> dict[str, int]:
        with self._lock:
            resp = self.shard.facet(
                qe.FacetRequest(key=key, limit=limit, exact=True, filter=_filter(cond))
            )
        return {str(h.value): int(h.count) for h in resp.hits}

    def retrieve(
        self, product_ids: list[str], *, with_vectors: bool = False
    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        if not product_ids:
            return []
        with self._lock:
            recs = self.shard.retrieve(
                [point_id(i) for i in product_ids], with_payload=True, with_vector=with_vectors
            )
        return in_request_order(recs, product_ids)

    def retrieve_points(self, point_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not point_ids:
            return {}
        ids: list[Any] = list(point_ids)
        with self._lock:
            recs = self.shard.retrieve(ids, with_payload=True, with_vector=False)
        return payloads_by_point_id(recs)

    def all_product_ids(self) -> list[str]:
        ids: list[str] = []
        next_id = None
        with self._lock:
            while True:
                recs, next_id = self.shard.scroll(
                    qe.ScrollRequest(
                        offset=next_id, limit=2048, with_payload=["pid"], with_vector=False
                    )
                )
                ids.extend((r.payload or {}).get("pid", "") for r in recs)
                if next_id is None:
                    return ids

    def optimize(self) -> None:
        with self._lock:
            # The payload's placement follows the catalog's size (auto): reopen with the new
            # one first, so the optimizer rebuilds the segments to it.
            if self._payload_placed != self.payload_memory():
                self.shard.flush()
                self.shard.close()
                self._shard = qe.EdgeShard.load(str(self.path), self._open_config())
            self.shard.optimize()
            self.shard.flush()

    def flush(self) -> None:
        with self._lock:
            if self._shard is not None:
                self._shard.flush()

    def close(self) -> None:
        with self._lock:
            if self._shard is not None:
                self._shard.flush()
                self._shard.close()
                self._shard = None
