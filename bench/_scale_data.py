"""Data for the scale benchmark: a catalog of any size, its text vectors kept on disk in
chunks (so a killed run resumes), and image vectors.

The catalog is the demo generator's (any prefix of it covers every category) with a long
tail of brands: 30% of products carry one of 20,000 generated brands, drawn log-uniformly,
so a few tail brands are common and most are rare, as in real marketplaces. That gives
the "rare brand" filter something rare to select, and titles as varied as real ones (the
bare demo generator repeats titles: 200k products have 106k distinct texts).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopagent.retrieval import _render
from shopagent.retrieval.demo import COLORS, LEAVES, generate_product
from shopagent.retrieval.embed import DescriptorEncoder, TextEmbedder
from shopagent.retrieval.schema import Product

TAIL_SHARE = 0.3
TAIL_BRANDS = 20_000
_SYL = (
    "ka ri mo ve lu sa to ne bri ol an dor fi ga hel in jo kel "
    "mar nor pel qua ros sten tul ur vin wes yar zen"
).split()


def tail_brand(j: int) -> str:
    """Brand number ``j`` of the long tail: distinct, pronounceable, deterministic."""
    parts = []
    for _ in range(3):
        j, r = divmod(j, len(_SYL))
        parts.append(_SYL[r])
    return ("".join(parts)).title() + (" Co" if j % 2 else "")


def scale_product(i: int, seed: int = 7) -> Product:
    """Product ``i`` of the scale catalog: independent of the catalog's size, so the
    products (and cached vectors) of a 10k catalog are the first of the 100k one."""
    p = generate_product(i, seed)
    rng = random.Random(f"tail:{seed}:{i}")
    if rng.random() < TAIL_SHARE:
        j = min(TAIL_BRANDS - 1, int(TAIL_BRANDS ** rng.random()) - 1)
        brand, base = tail_brand(j), p.brand or ""
        p.title = p.title.replace(base, brand, 1)
        p.description = p.description.replace(f"by {base}.", f"by {brand}.")
        p.brand = brand
    return p


def products(start: int, stop: int, seed: int = 7) -> list[Product]:
    return [scale_product(i, seed) for i in range(start, stop)]


class ImageVectors:
    """Descriptor vectors of real renders, one per (shape, colour), each product's copy
    jittered (seeded by its id) so no two are identical: rendering and describing 1M
    images (~150/s) would take longer than everything else, the memory and disk an image
    vector costs do not depend on which image it is, and exact duplicates would make the
    HNSW build degenerate in a way real photos do not."""

    def __init__(self) -> None:
        self._enc = DescriptorEncoder()
        self._cache: dict[tuple[str, str], np.ndarray] = {}
        self.dim = DescriptorEncoder.dim

    def __call__(self, p: Product) -> np.ndarray:
        key = (str(p.attributes.get("shape", "box")), str(p.attributes.get("color", "black")))
        if key not in self._cache:
            img = _render.render(key[0], COLORS.get(key[1], (0, 0, 0)), f"{key[0]}-{key[1]}")
            self._cache[key] = self._enc.embed_images([img])[0]
        seed = int(hashlib.sha256(p.id.encode()).hexdigest()[:8], 16)
        noise = np.random.default_rng(seed).normal(0, 0.01, self.dim).astype(np.float32)
        vec = np.clip(self._cache[key] + noise, 0, None)
        return vec / (np.linalg.norm(vec) + 1e-9)


@dataclass
class EmbedStats:
    fresh: int = 0  # texts embedded by MiniLM in this run
    fresh_seconds: float = 0.0
    fresh_cpu_seconds: float = 0.0
    cached: int = 0  # products whose chunk was embedded by an earlier (killed) run
    borrowed: int = 0  # products given a perturbed copy of a real vector (budget spent)

    @property
    def rate(self) -> float | None:
        return self.fresh / self.fresh_seconds if self.fresh_seconds else None


class VectorStore:
    """Text vectors of the catalog in chunk files named by the chunk's content hash: a
    rerun after a kill loads what was embedded and embeds the rest; a changed text or
    encoder changes the hash, so a stale chunk is never used."""

    def __init__(self, root: Path, text: TextEmbedder, *, budget_s: float | None = None) -> None:
        self.root = root / text.name.replace("/", "_")
        self.root.mkdir(parents=True, exist_ok=True)
        self.text = text
        self.budget_s = budget_s
        self.stats = EmbedStats()
        self._real: list[np.ndarray] = []  # a sample of real vectors, for borrowing
        self._rng = np.random.default_rng(11)

    def _path(self, chunk: int, texts: list[str]) -> Path:
        h = hashlib.sha256("\0".join([self.text.name, *texts]).encode()).hexdigest()[:16]
        return self.root / f"{chunk:06d}-{h}.npy"

    def vectors(self, chunk: int, texts: list[str]) -> np.ndarray:
        path = self._path(chunk, texts)
        if path.exists():
            vecs = np.load(path)
            self.stats.cached += len(texts)
        elif self._real and self.budget_s is not None and self.stats.fresh_seconds >= self.budget_s:
            return self._borrow(len(texts))
        else:
            t, c = time.perf_counter(), time.process_time()
            uniq = list(dict.fromkeys(texts))
            enc = self.text.encode(uniq)
            row = {u: k for k, u in enumerate(uniq)}
            vecs = enc[[row[t] for t in texts]].astype(np.float32)
            self.stats.fresh += len(uniq)
            self.stats.fresh_seconds += time.perf_counter() - t
            self.stats.fresh_cpu_seconds += time.process_time() - c
            self._record(len(uniq), time.perf_counter() - t, time.process_time() - c)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vecs)
            os.replace(tmp, path)  # a kill never leaves a half-written chunk
        if sum(len(v) for v in self._real) < 300_000:  # what borrowed vectors copy
            self._real.append(vecs)
        return vecs

    def _record(self, texts: int, seconds: float, cpu_seconds: float) -> None:
        # Every embedding ever measured in this folder: the rate a size whose vectors
        # were all embedded earlier (another layout, a smaller size) is charged with.
        f = self.root / "embed_rate.json"
        tot = json.loads(f.read_text()) if f.exists() else {"texts": 0, "s": 0.0, "cpu_s": 0.0}
        tot = {
            "texts": tot["texts"] + texts,
            "s": tot["s"] + seconds,
            "cpu_s": tot["cpu_s"] + cpu_seconds,
        }
        f.write_text(json.dumps(tot))

    def measured(self) -> dict[str, float]:
        """Texts embedded in this folder so far, and the seconds (wall, CPU) they took."""
        f = self.root / "embed_rate.json"
        return (
            dict(json.loads(f.read_text())) if f.exists() else {"texts": 0, "s": 0.0, "cpu_s": 0.0}
        )

    def _borrow(self, n: int) -> np.ndarray:
        base = np.vstack(self._real)
        idx = self._rng.integers(0, len(base), size=n)
        noisy = base[idx] + self._rng.normal(0, 0.02, size=(n, base.shape[1])).astype(np.float32)
        self.stats.borrowed += n
        return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)


def chunks(n: int, size: int, start: int = 0) -> Iterator[tuple[int, int, int]]:
    """(chunk number, first product, end) over a catalog of ``n`` from product ``start``."""
    for k, lo in enumerate(range(0, n, size)):
        if lo < start:
            continue
        yield k, lo, min(n, lo + size)


def leaves_colours() -> list[str]:
    return sorted({c for leaf in LEAVES for c in leaf.colors})
