"""Build (once) and open the demo catalog: generate, render pictures, embed, index.

A fingerprint of everything that shapes the index (size, seed, generator and encoder
versions, the text encoder variant included) is written after a complete build; a restart
with the same fingerprint opens the existing index in seconds. A different fingerprint, or
a half-finished build, rebuilds from scratch.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from shopagent.retrieval import _render
from shopagent.retrieval.demo import COLORS, generate_products
from shopagent.retrieval.demo_looks import ensure_demo_looks
from shopagent.retrieval.embed import DescriptorEncoder
from shopagent.retrieval.index import Conditions
from shopagent.retrieval.service import CatalogService, make_service, merchant_marker, open_index

DEMO_VERSION = "demo-v6"  # v5: sale marks in the payload; v6: colours filter by stock


def _fingerprint(settings: Any, n: int, text_encoder: str, image_encoder: str) -> str:
    blob = json.dumps(
        {
            "n": n,
            "seed": settings.demo_catalog_seed,
            "demo": DEMO_VERSION,
            "text": text_encoder,
            "image": image_encoder,
            "collection": settings.qdrant_collection,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _marker(settings: Any) -> Path:
    return (
        Path(settings.data_dir)
        / "index"
        / f"demo-{settings.index_backend}-{settings.qdrant_collection}.json"
    )


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int], Callable[[int], None]]]:
    """Yields ``task(description, total) -> advance(n)``; silent when disabled."""
    if not enabled:
        yield lambda _d, _t: lambda _n: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as prog:

        def task(desc: str, total: int) -> Callable[[int], None]:
            tid = prog.add_task(desc, total=total)
            return lambda k: prog.advance(tid, k)

        yield task


def _render_one(args: tuple[Any, Path, DescriptorEncoder | None]) -> tuple[str, Any]:
    product, folder, desc = args
    shape = product.attributes.get("shape", "box")
    png = _render.render(
        shape, COLORS.get(product.attributes.get("color"), (128, 128, 128)), seed=product.id
    )
    (folder / f"{product.id}.png").write_bytes(png)
    return product.id, (desc.embed_images([png])[0] if desc is not None else png)


def is_merchant_catalog(settings: Any, index: Any) -> bool:
    """Whether ``index`` (the configured one) holds a merchant's catalog: a feed was
    ingested into it, or it has products and the demo builder never completed there."""
    if merchant_marker(settings).exists():
        return True
    return not _marker(settings).exists() and index.count(Conditions()) > 0


def ensure_demo_catalog(
    settings: Any, progress: bool = True, *, n: int | None = None
) -> CatalogService:
    """The demo catalog, built on first start (or when its fingerprint changed)."""
    n = settings.demo_catalog_size if n is None else n
    # The demo's looks (what complete-the-look learns from) ship with it.
    ensure_demo_looks(Path(settings.data_dir), n, settings.demo_catalog_seed)
    index = open_index(settings)
    service = make_service(settings, index)
    fp = _fingerprint(settings, n, service.text.name, service.images.name)
    marker = _marker(settings)
    try:
        done = json.loads(marker.read_text()).get("fingerprint") == fp
    except (OSError, ValueError):
        done = False
    if done and index.count(Conditions()) == n and not service.text_encoder_mismatch()[0]:
        return service
    if is_merchant_catalog(settings, index):
        return service  # a merchant's products are never replaced by the demo
    service.close()
    return _build(settings, n, fp, marker, progress)


def _build(settings: Any, n: int, fp: str, marker: Path, progress: bool) -> CatalogService:
    data_dir = Path(settings.data_dir)
    marker.unlink(missing_ok=True)
    if settings.index_backend == "edge":
        shutil.rmtree(data_dir / "index" / settings.qdrant_collection, ignore_errors=True)
    index = open_index(settings)
    if settings.index_backend == "server":
        from shopagent.retrieval.index.client import QdrantClientIndex

        assert isinstance(index, QdrantClientIndex)
        if index.client.collection_exists(index.collection):
            index.client.delete_collection(index.collection)
    service = make_service(settings, index)
    products = generate_products(n, settings.demo_catalog_seed)
    folder = data_dir / "media" / "products"
    folder.mkdir(parents=True, exist_ok=True)
    desc = service.images if isinstance(service.images, DescriptorEncoder) else None

    with _progress(progress) as task:
        advance = task("Rendering product images", n)
        vectors: dict[str, np.ndarray] = {}
        # Drawing and numpy release the GIL for much of their work: two threads help.
        with ThreadPoolExecutor(max_workers=2) as pool:
            for pid, out in pool.map(
                _render_one, [(p, folder, desc) for p in products], chunksize=32
            ):
                vectors[pid] = out if desc is not None else service.images.embed_images([out])[0]
                advance(1)
        advance = task("Embedding and indexing", n)
        indexer = service.indexer()
        indexer.run(products, on_batch=advance, image_vectors=vectors)
        service.optimize()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"fingerprint": fp, "n": n}))
    return service


def build_demo_catalog(settings: Any, n: int = 300, progress: bool = False) -> CatalogService:
    """A small demo catalog for tests: the first ``n`` products of the full one."""
    return ensure_demo_catalog(settings, progress=progress, n=n)
