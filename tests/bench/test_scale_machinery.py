"""The scale benchmark's machinery at a tiny size: text vectors kept in chunks resume after
a kill, and an interrupted ingest resumes from its last flushed chunk (the figures
themselves come from `make bench-scale`, not from tests)."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
import pytest

import bench.scale as scale
from bench._scale_data import VectorStore, scale_product
from shopagent.retrieval.index import Conditions
from shopagent.retrieval.service import open_index
from shopagent.settings import Settings


class FakeText:
    """The model boundary: deterministic unit vectors per text, counting what it encodes."""

    name = "fake-encoder"

    def __init__(self) -> None:
        self.encoded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encoded += len(texts)
        seeds = [int(hashlib.sha256(t.encode()).hexdigest()[:8], 16) for t in texts]
        vecs = np.stack([np.random.default_rng(s).normal(size=384) for s in seeds])
        return (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)


def test_text_vectors_resume_from_disk_and_never_serve_stale_chunks(tmp_path: Path) -> None:
    texts = [f"Trailhead {i} l hiking pack" for i in range(40)]
    first = FakeText()
    store = VectorStore(tmp_path, first)  # type: ignore[arg-type]
    a = store.vectors(0, texts[:20])
    store.vectors(1, texts[20:])
    assert first.encoded == 40

    again = FakeText()  # a new process after a kill
    resumed = VectorStore(tmp_path, again)  # type: ignore[arg-type]
    assert np.array_equal(resumed.vectors(0, texts[:20]), a)
    assert again.encoded == 0 and resumed.stats.cached == 20
    # A changed text changes the chunk's hash: embedded anew, never the stale vectors.
    changed = [*texts[:19], "Trailhead 19 xl hiking pack"]
    resumed.vectors(0, changed)
    assert again.encoded == 20
    assert resumed.measured()["texts"] == 60


def test_a_spent_budget_borrows_real_vectors_and_counts_them(tmp_path: Path) -> None:
    store = VectorStore(tmp_path, FakeText(), budget_s=0.0)  # type: ignore[arg-type]
    store.vectors(0, [f"Cordless drill {i}" for i in range(10)])  # the first chunk is real
    borrowed = store.vectors(1, [f"Socket set {i}" for i in range(10)])
    assert store.stats.borrowed == 10 and store.stats.fresh == 10
    assert np.allclose(np.linalg.norm(borrowed, axis=1), 1.0, atol=1e-5)


def test_an_interrupted_ingest_resumes_from_its_last_flushed_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scale, "CHUNK", 16)
    args = argparse.Namespace(text_encoder="onnx-int8")
    data = tmp_path / "run" / "data"
    made: list[int] = []
    real_products = scale.products

    def killed_at_160(lo: int, hi: int) -> list:
        if lo >= 160:
            raise KeyboardInterrupt  # what a kill leaves: chunks after the last flush lost
        made.append(lo)
        return real_products(lo, hi)

    store = VectorStore(tmp_path / "vectors", FakeText())  # type: ignore[arg-type]
    monkeypatch.setattr(scale, "products", killed_at_160)
    with pytest.raises(KeyboardInterrupt):
        scale.build(200, "scalar-disk", data, store, args)
    # The engine's lock dies with a killed process; here the same process goes on.
    import gc

    gc.collect()

    made.clear()
    monkeypatch.setattr(scale, "products", lambda lo, hi: made.append(lo) or real_products(lo, hi))
    result = scale.build(200, "scalar-disk", data, store, args)
    assert made[0] == 128  # chunks 0-7 were flushed and recorded; 8-9 are redone
    assert result["ingest"]["vectors_from_earlier_runs"] == 32  # chunks 8 and 9's vectors
    index = open_index(Settings(data_dir=data))
    try:
        assert index.count(Conditions()) == 200
        payload, _ = index.retrieve([scale_product(199).id])[0]
        assert payload["pid"] == "p-00199"
    finally:
        index.close()
