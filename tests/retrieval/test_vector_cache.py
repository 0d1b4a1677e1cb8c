"""The text-vector cache: what one opening writes, the next reads (a restart), and a
second opening of the same file sees it at once (the CLI beside a running server)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shopagent.retrieval.embed._cache import VectorCache


def test_vectors_outlive_a_restart_and_are_shared_between_openings(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "text-embeddings.sqlite"
    server, cli = VectorCache(path, 4), VectorCache(path, 4)
    vector = np.array([0.5, -1.0, 2.0, 0.25], dtype=np.float32)
    server.put_many({"k-garden-hose": vector})
    assert np.array_equal(cli.get_many(["k-garden-hose"])["k-garden-hose"], vector)
    server.close()
    cli.close()
    again = VectorCache(path, 4)
    try:
        got = again.get_many(["k-garden-hose", "k-unknown"])
        assert list(got) == ["k-garden-hose"] and np.array_equal(got["k-garden-hose"], vector)
    finally:
        again.close()


def test_a_vector_of_another_size_is_not_served(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite"
    VectorCache(path, 3).put_many({"k": np.ones(3, dtype=np.float32)})
    assert VectorCache(path, 4).get_many(["k"]) == {}
