"""Turns products into index points: text, sparse and image vectors, in batches.

Image trouble never loses a product: it is indexed for text search without an image
vector, and the problem is reported with the feed line.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shopagent.errors import ShopAgentError
from shopagent.retrieval.embed import ImageEncoder, SparseEncoder, TextEmbedder
from shopagent.retrieval.images import fetch_image
from shopagent.retrieval.index import IndexBackend, IndexPoint, product_payload
from shopagent.retrieval.ingest import IngestIssue, Parsed
from shopagent.retrieval.schema import Product


@dataclass
class IngestReport:
    ingested: int = 0
    skipped: int = 0
    deleted: int = 0
    # delete_missing would have deleted this many, more than the allowed share: kept.
    delete_refused: int = 0
    images_failed: int = 0
    issues: list[IngestIssue] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def products_per_s(self) -> float:
        return self.ingested / self.seconds if self.seconds > 0 else 0.0

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if not i.skipped)

    def summary(self) -> str:
        text = (
            f"{self.ingested} products ingested, {self.skipped} rows skipped, "
            f"{self.warnings} warnings, {self.images_failed} images unreadable, "
            f"{self.deleted} deleted in {self.seconds:.1f}s"
        )
        if self.delete_refused:
            text += (
                f"; {self.delete_refused} products missing from the feed were NOT "
                "deleted (more than the allowed share; check the feed, or use --force)"
            )
        return text


class ImageResolver:
    """Bytes for a product image reference: a /media/ path, a file next to the feed, a URL."""

    def __init__(
        self,
        media_root: Path,
        base_dir: Path | None,
        *,
        timeout_s: float,
        max_bytes: int,
        fetch: Callable[..., bytes] = fetch_image,
    ) -> None:
        self.media_root = Path(media_root).resolve()
        self.base_dir = Path(base_dir).resolve() if base_dir else None
        self.timeout_s, self.max_bytes, self._fetch = timeout_s, max_bytes, fetch

    def __call__(self, ref: str) -> bytes:
        if ref.startswith(("http://", "https://")):
            return self._fetch(ref, timeout_s=self.timeout_s, max_bytes=self.max_bytes)
        if "://" in ref:
            raise ValueError(f"image URL scheme not allowed: {ref.split('://')[0]}")
        if ref.startswith("/media/"):
            path, root = (self.media_root / ref[len("/media/") :]).resolve(), self.media_root
        elif self.base_dir is not None:
            path, root = (self.base_dir / ref).resolve(), self.base_dir
        else:
            raise ValueError(f"relative image path {ref!r} without a feed folder")
        # A feed must not read files outside its own folder or the media root.
        if not path.is_relative_to(root):
            raise ValueError(f"image path {ref!r} leaves the feed folder")
        if path.stat().st_size > self.max_bytes:
            raise ValueError(f"image larger than {self.max_bytes} bytes")
        return path.read_bytes()


class Indexer:
    def __init__(
        self,
        index: IndexBackend,
        text: TextEmbedder,
        sparse: SparseEncoder,
        images: ImageEncoder | None,
        resolver: ImageResolver | None,
        *,
        batch_size: int = 256,
    ) -> None:
        self.index, self.text, self.sparse = index, text, sparse
        self.images, self.resolver = images, resolver
        self.batch_size = batch_size

    def run(
        self,
        items: Iterable[Parsed | Product],
        *,
        on_batch: Callable[[int], None] | None = None,
        image_vectors: dict[str, np.ndarray] | None = None,
    ) -> tuple[IngestReport, set[str]]:
        """Index everything; returns the report and the ids seen (for delete-missing).

        Text embedding of one batch overlaps the sparse vectors, payloads and upsert of the
        previous one: the ONNX encoder releases the GIL, so the two share the cores."""
        report = IngestReport()
        seen: set[str] = set()
        skipped_lines: set[int] = set()
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-embed") as embedder:
            pending: tuple[list[tuple[int, Product]], Future[np.ndarray]] | None = None

            def submit(batch: list[tuple[int, Product]]) -> None:
                nonlocal pending
                texts = [p.embedding_text() for _, p in batch]
                future = embedder.submit(self.text.embed, texts)
                if pending is not None:
                    self._finish(pending, report, image_vectors, on_batch)
                pending = (batch, future)

            try:
                batch: list[tuple[int, Product]] = []
                for item in items:
                    if isinstance(item, Product):
                        item = Parsed(0, product=item)
                    if item.issue is not None:
                        report.issues.append(item.issue)
                        # A row is skipped once, however many problems it had.
                        if item.issue.skipped and item.issue.line not in skipped_lines:
                            skipped_lines.add(item.issue.line)
                            report.skipped += 1
                        continue
                    assert item.product is not None
                    seen.add(item.product.id)
                    batch.append((item.line, item.product))
                    if len(batch) >= self.batch_size:
                        submit(batch)
                        batch = []
                if batch:
                    submit(batch)
                if pending is not None:
                    self._finish(pending, report, image_vectors, on_batch)
                    pending = None
            finally:
                if pending is not None:  # an error: do not leave an embedding running
                    pending[1].cancel()
        report.seconds = time.perf_counter() - start
        return report, seen

    def _finish(
        self,
        pending: tuple[list[tuple[int, Product]], Future[np.ndarray]],
        report: IngestReport,
        image_vectors: dict[str, np.ndarray] | None,
        on_batch: Callable[[int], None] | None,
    ) -> None:
        batch, future = pending
        self._flush(batch, report, image_vectors, future.result())
        if on_batch:
            on_batch(len(batch))

    def _image_vectors(
        self, batch: list[tuple[int, Product]], report: IngestReport
    ) -> list[np.ndarray | None]:
        out: list[np.ndarray | None] = [None] * len(batch)
        if self.images is None or self.resolver is None:
            return out
        resolver = self.resolver

        refused: set[int] = set()

        def load(i: int) -> tuple[int, bytes | None, str | None]:
            ref = batch[i][1].image_url
            if not ref:
                return i, None, None
            try:
                return i, resolver(ref), None
            except (OSError, ValueError, ShopAgentError) as exc:
                # A path out of the feed folder or a non-public host is refused, not just
                # unreadable: such a reference is never stored nor sent to browsers.
                if isinstance(exc, ValueError) or (
                    getattr(exc, "code", "") == "unsafe_url" and "non-public" in str(exc)
                ):
                    refused.add(i)
                return i, None, f"image {ref!r} unreadable: {getattr(exc, 'message', exc)}"

        # Fetches wait on the network, so a few run at once.
        with ThreadPoolExecutor(max_workers=8) as pool:
            loaded = list(pool.map(load, range(len(batch))))
        for i, data, err in loaded:
            line, product = batch[i]
            if data is not None:
                try:
                    out[i] = self.images.embed_images([data])[0]
                except ShopAgentError as exc:
                    err = f"image {product.image_url!r} unreadable: {exc.message}"
            if err:
                report.images_failed += 1
                if i in refused:
                    product.images = [u for u in product.images if u != product.image_url]
                    err += " (refused; image dropped)"
                report.issues.append(IngestIssue(line, err, product.id, skipped=False))
        return out

    def _flush(
        self,
        batch: list[tuple[int, Product]],
        report: IngestReport,
        image_vectors: dict[str, np.ndarray] | None,
        dense: np.ndarray,
    ) -> None:
        products = [p for _, p in batch]
        if image_vectors is not None:
            imgs: list[np.ndarray | None] = [image_vectors.get(p.id) for p in products]
        else:
            imgs = self._image_vectors(batch, report)
        points = [
            IndexPoint(
                p.id,
                dense[i],
                self.sparse.document(p.keyword_text()),
                product_payload(p, self.text.name),
                imgs[i],
            )
            for i, p in enumerate(products)
        ]
        self.index.upsert(points)
        report.ingested += len(points)
