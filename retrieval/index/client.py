"""The scale-out engine: a Qdrant server or cluster through ``qdrant-client``.

Also runs qdrant-client's local mode (``location=":memory:"`` or ``path=...``), which is
pure-Python brute force: fine for the congruence test and the benchmark's baseline, too
slow to be the default (``speedup_vs_local_mode`` in bench/results/retrieval.json).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
from qdrant_client import QdrantClient, models

from shopagent.errors import ShopAgentError
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

log = logging.getLogger(__name__)
TEXT_DIM = 384


class IndexUnavailable(ShopAgentError):
    code = "index_unavailable"
    http_status = 503


def _filter(cond: Conditions) -> models.Filter | None:
    if cond.empty:
        return None
    must: list[Any] = [
        models.FieldCondition(key=k, match=models.MatchValue(value=v)) for k, v in cond.keywords
    ]
    must += [
        models.FieldCondition(key=k, match=models.MatchAny(any=list(vs))) for k, vs in cond.any_of
    ]
    if cond.price_min is not None or cond.price_max is not None:
        must.append(
            models.FieldCondition(
                key="price", range=models.Range(gte=cond.price_min, lte=cond.price_max)
            )
        )
    for key in ("in_stock", "on_sale"):
        if (flag := getattr(cond, key)) is not None:
            must.append(models.FieldCondition(key=key, match=models.MatchValue(value=int(flag))))
    must_not: list[Any] = []
    if cond.exclude_pid:
        must_not.append(
            models.FieldCondition(key="pid", match=models.MatchValue(value=cond.exclude_pid))
        )
    if cond.other_text_encoder is not None:
        must_not.append(
            models.FieldCondition(
                key=TEXT_ENCODER_KEY, match=models.MatchValue(value=cond.other_text_encoder)
            )
        )
        if cond.other_text_encoder == UNTAGGED_TEXT_ENCODER:
            must_not.append(
                models.IsEmptyCondition(is_empty=models.PayloadField(key=TEXT_ENCODER_KEY))
            )
    return models.Filter(must=must or None, must_not=must_not or None)


def _quantization(kind: str) -> Any:
    if kind == "scalar":
        return models.ScalarQuantization(
            scalar=models.ScalarQuantizationConfig(
                type=models.ScalarType.INT8, quantile=0.99, always_ram=True
            )
        )
    if kind == "binary":
        return models.BinaryQuantization(binary=models.BinaryQuantizationConfig(always_ram=True))
    return None


def collection_spec(layout: IndexLayout, image_dim: int) -> dict[str, Any]:
    """create_collection's arguments for this layout: the same vectors, quantisation and
    disk placement as the embedded engine, plus the cluster placement (shards, replicas,
    write consistency) only a server has."""
    return {
        "vectors_config": {
            TEXT: models.VectorParams(
                size=TEXT_DIM,
                distance=models.Distance.COSINE,
                on_disk=layout.vectors_on_disk,
                quantization_config=_quantization(layout.quantization),
            ),
            # As on the embedded engine: int8 codes in RAM, floats on disk.
            IMAGE: models.VectorParams(
                size=image_dim,
                distance=models.Distance.COSINE,
                on_disk=True,
                quantization_config=_quantization("scalar"),
            ),
        },
        "sparse_vectors_config": {SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        "hnsw_config": models.HnswConfigDiff(m=16, ef_construct=64),
        # A server's collection is sized by its operator, not by one catalog: "auto" keeps
        # the payload on disk (set false to hold it in the nodes' RAM).
        "on_disk_payload": layout.payload_on_disk is not False,
        "shard_number": layout.shard_number,
        "replication_factor": layout.replication_factor,
        "write_consistency_factor": layout.write_consistency_factor,
    }


def _hit(p: Any) -> Hit:
    payload = p.payload or {}
    score = float(getattr(p, "score", 0.0) or 0.0)
    return Hit(payload.get("pid", str(p.id)), score, payload, str(p.id))


class QdrantClientIndex(IndexBackend):
    name = "server"

    def __init__(
        self,
        client: QdrantClient,
        collection: str,
        *,
        batch_size: int = 256,
        retries: int = 3,
        where: str = "local",
        layout: IndexLayout | None = None,
    ) -> None:
        self.client = client
        self.collection = collection
        self.layout = layout or IndexLayout()
        self.batch_size = batch_size
        self.retries = retries
        self.where = where
        # Local mode is brute force: it ignores (and warns about) indexes and search params.
        self._local = getattr(client, "_client", None).__class__.__name__ == "QdrantLocal"
        self._params = None if self._local else self._search_params()

    def _search_params(self) -> models.SearchParams:
        lay = self.layout
        return models.SearchParams(
            hnsw_ef=lay.hnsw_ef,
            quantization=models.QuantizationSearchParams(
                rescore=True, oversampling=lay.oversampling
            ),
        )

    @classmethod
    def connect(
        cls,
        url: str,
        api_key: str | None,
        collection: str,
        timeout_s: float = 10.0,
        layout: IndexLayout | None = None,
    ) -> QdrantClientIndex:
        return cls(
            QdrantClient(url=url, api_key=api_key, timeout=int(max(1, timeout_s))),
            collection,
            where=url,
            layout=layout,
        )

    @classmethod
    def local(
        cls,
        location: str = ":memory:",
        collection: str = "products",
        layout: IndexLayout | None = None,
    ) -> QdrantClientIndex:
        client = (
            QdrantClient(location=":memory:")
            if location == ":memory:"
            else QdrantClient(path=location)
        )
        return cls(client, collection, layout=layout)

    def _retry(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        # Network hiccups on a remote cluster are retried with backoff; local mode never fails so.
        for attempt in range(self.retries):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # qdrant-client raises several transport types
                if isinstance(exc, ValueError | TypeError):
                    raise
                if attempt == self.retries - 1:
                    raise IndexUnavailable(
                        f"Qdrant at {self.where} failed: {exc.__class__.__name__}: {exc}"
                    ) from exc
                log.warning("qdrant call failed (%s); retrying", exc)
                time.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")

    def ensure_collection(self, image_dim: int) -> None:
        if self._retry(self.client.collection_exists, self.collection):
            return
        self.client.create_collection(self.collection, **collection_spec(self.layout, image_dim))
        schemas = {k: models.PayloadSchemaType.KEYWORD for k in KEYWORD_FIELDS}
        schemas.update(
            price=models.PayloadSchemaType.FLOAT,
            in_stock=models.PayloadSchemaType.INTEGER,
            on_sale=models.PayloadSchemaType.INTEGER,
        )
        for key, schema in schemas.items():
            if self._local:
                break
            self.client.create_payload_index(self.collection, key, field_schema=schema)

    def _exact(self) -> models.SearchParams:
        # The ground truth: every candidate scored on the original float vectors.
        return models.SearchParams(
            exact=True, quantization=models.QuantizationSearchParams(ignore=True)
        )

    def ensure_keyword_index(self, field: str) -> None:
        if not self._local:  # local mode has no payload indexes
            self._retry(
                self.client.create_payload_index,
                self.collection,
                field,
                field_schema=models.PayloadSchemaType.KEYWORD,
            )

    def upsert(self, points: list[IndexPoint]) -> None:
        structs = []
        for p in points:
            vec: dict[str, Any] = {
                TEXT: p.text.astype(np.float32).tolist(),
                SPARSE: models.SparseVector(indices=p.sparse[0], values=p.sparse[1]),
            }
            if p.image is not None:
                vec[IMAGE] = p.image.astype(np.float32).tolist()
            structs.append(
                models.PointStruct(id=point_id(p.product_id), vector=vec, payload=p.payload)
            )
        for i in range(0, len(structs), self.batch_size):
            self._retry(
                self.client.upsert, self.collection, structs[i : i + self.batch_size], wait=True
            )

    def delete(self, product_ids: list[str]) -> None:
        if product_ids:
            self._retry(
                self.client.delete,
                self.collection,
                models.PointIdsList(points=[point_id(i) for i in product_ids]),
                wait=True,
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
            models.Prefetch(
                query=dense.astype(np.float32).tolist(),
                using=TEXT,
                filter=flt,
                limit=prefetch,
                params=self._exact() if exact else self._params,
                score_threshold=dense_threshold,
            )
        ]
        if sparse_nonempty(sparse):
            prefetches.append(
                models.Prefetch(
                    query=models.SparseVector(indices=sparse[0], values=sparse[1]),
                    using=SPARSE,
                    filter=flt,
                    limit=prefetch,
                )
            )
        res = self._retry(
            self.client.query_points,
            self.collection,
            prefetch=prefetches,
            query=models.RrfQuery(rrf=models.Rrf(k=RRF_K)),
            limit=limit,
            offset=offset,
            with_payload=with_payload,
        )
        return [_hit(p) for p in res.points]

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
            models.SparseVector(indices=vector[0], values=vector[1])
            if isinstance(vector, tuple)
            else vector.astype(np.float32).tolist()
        )
        res = self._retry(
            self.client.query_points,
            self.collection,
            query=vec,
            using=using,
            query_filter=_filter(cond),
            limit=limit,
            offset=offset,
            search_params=self._params,
            with_payload=True if with_payload else ["pid"],
        )
        return [_hit(p) for p in res.points]

    def filtered(self, cond: Conditions, *, limit: int, offset: int = 0) -> list[Hit]:
        out: list[Hit] = []
        next_id = None
        skipped = 0
        while len(out) < limit:
            recs, next_id = self._retry(
                self.client.scroll,
                self.collection,
                scroll_filter=_filter(cond),
                limit=max(limit, 256),
                offset=next_id,
                with_payload=True,
            )
            for r in recs:
                if skipped < offset:
                    skipped += 1
                elif len(out) < limit:
                    out.append(_hit(r))
            if next_id is None:
                break
        return out

    def count(self, cond: Conditions) -> int:
        return int(
            self._retry(
                self.client.count, self.collection, count_filter=_filter(cond), exact=True
            ).count
        )

    def facet(self, key: str, cond: Conditions, *, limit: int = 100) -> dict[str, int]:
        res = self._retry(
            self.client.facet,
            self.collection,
            key,
            facet_filter=_filter(cond),
            limit=limit,
            exact=True,
        )
        return {str(h.value): int(h.count) for h in res.hits}

    def retrieve(
        self, product_ids: list[str], *, with_vectors: bool = False
    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        if not product_ids:
            return []
        recs = self._retry(
            self.client.retrieve,
            self.collection,
            [point_id(i) for i in product_ids],
            with_payload=True,
            with_vectors=with_vectors,
        )
        return in_request_order(recs, product_ids)

    def retrieve_points(self, point_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not point_ids:
            return {}
        recs = self._retry(
            self.client.retrieve, self.collection, point_ids, with_payload=True, with_vectors=False
        )
        return payloads_by_point_id(recs)

    def all_product_ids(self) -> list[str]:
        ids: list[str] = []
        next_id = None
        while True:
            recs, next_id = self._retry(
                self.client.scroll,
                self.collection,
                limit=2048,
                offset=next_id,
                with_payload=["pid"],
            )
            ids.extend((r.payload or {}).get("pid", "") for r in recs)
            if next_id is None:
                return ids

    def close(self) -> None:
        self.client.close()
