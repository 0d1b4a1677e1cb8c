"""Index layout (quantisation, disk placement, cluster placement) reaches both engines
from settings, and a compressed, on-disk index still answers like exact search."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from qdrant_client import QdrantClient

from shopagent.retrieval.embed import SparseEncoder
from shopagent.retrieval.index import (
    TEXT,
    Conditions,
    IndexLayout,
    IndexPoint,
    point_id,
    product_payload,
)
from shopagent.retrieval.index.client import QdrantClientIndex, collection_spec
from shopagent.retrieval.schema import Product, SearchFilters, Variant
from shopagent.retrieval.service import open_index
from shopagent.settings import Settings

IMAGE_DIM = 8


def test_settings_defaults_are_the_engines_defaults() -> None:
    # What `shopagent serve` gets from the environment is what tests and tools get by default.
    assert IndexLayout.from_settings(Settings()) == IndexLayout()


def _catalog(n: int) -> list[IndexPoint]:
    """Bicycle-shop parts with random but fixed text vectors (the engine is under test)."""
    rng = np.random.default_rng(5)
    sparse = SparseEncoder()
    kinds = ["chain", "saddle", "brake pad", "tyre", "pedal", "crankset"]
    makers = ["Velotek", "Rimwell", "Spokesmith", "Gearon"]
    points = []
    for i in range(n):
        p = Product(
            id=f"bk-{i}",
            title=f"{makers[i % 4]} {kinds[i % 6]} {i}",
            category=f"Cycling > {kinds[i % 6].title()}",
            brand=makers[i % 4],
            price=5 + i % 90,
            variants=[Variant(id=f"bk-{i}-a", options={"color": ["silver", "black"][i % 2]})],
        )
        vec = rng.normal(size=384).astype(np.float32)
        points.append(
            IndexPoint(
                p.id,
                vec / np.linalg.norm(vec),
                sparse.document(p.keyword_text()),
                product_payload(p),
                rng.random(IMAGE_DIM).astype(np.float32),
            )
        )
    return points


@pytest.mark.parametrize(
    ("quantization", "on_disk"),
    # The default (int8 codes, floats in RAM), the lean one (floats on disk), 1-bit codes,
    # and floats alone in RAM.
    [("scalar", False), ("scalar", True), ("binary", True), ("none", False)],
)
def test_edge_layout_is_applied_and_survives_a_restart(
    tmp_path: Path, quantization: str, on_disk: bool
) -> None:
    settings = Settings(
        data_dir=tmp_path, index_quantization=quantization, index_vectors_on_disk=on_disk
    )
    points = _catalog(400)
    index = open_index(settings)
    index.ensure_collection(IMAGE_DIM)
    index.upsert(points)
    index.optimize()
    cond = Conditions.from_filters(SearchFilters(brand="Rimwell"))
    queries = [p.text for p in points[1:48:4]]  # Rimwell parts: each is its own best match
    before = [[h.product_id for h in index.nearest(TEXT, q, cond, limit=10)] for q in queries]
    index.close()

    config = json.loads((tmp_path / "index" / "products" / "edge_config.json").read_text())
    text_cfg, image_cfg = config["vectors"]["text"], config["vectors"]["image"]
    assert text_cfg["memory"] == ("cold" if on_disk else "cached")
    # A small catalog's payload fits the default budget: in RAM (auto).
    assert config["payload_memory"] == "cached"
    # Image vectors: int8 codes in RAM, floats on disk, whatever the text layout.
    assert image_cfg["memory"] == "cold"
    assert image_cfg["quantization_config"]["scalar"]["memory"] == "pinned"
    if quantization == "none":
        assert "quantization_config" not in text_cfg
    else:
        assert quantization in text_cfg["quantization_config"]
        assert text_cfg["quantization_config"][quantization]["memory"] == "pinned"

    assert config["max_search_threads"] in (1, 2)  # not the engine's 8 on a 2-core machine

    # As `shopagent serve` after a restart, with another thread count: that applies on
    # open, and the layout the index was made with stays (vectors inherited, not reset).
    reopened = open_index(settings.model_copy(update={"index_search_threads": 1}))
    config_after = json.loads((tmp_path / "index" / "products" / "edge_config.json").read_text())
    assert config_after["max_search_threads"] == 1
    assert config_after["vectors"] == config["vectors"]
    try:
        for q, want in zip(queries, before, strict=True):
            hits = reopened.nearest(TEXT, q, cond, limit=10)
            assert [h.product_id for h in hits] == want
            exact = reopened.hybrid(
                q, ([], []), cond, limit=10, prefetch=10, with_payload=["pid"], exact=True
            )
            got, want = {h.product_id for h in hits}, {h.product_id for h in exact}
            if quantization == "binary":
                # 1-bit codes of random vectors reorder near ties even after rescoring (the
                # scale bench measures it on real text vectors); the best match stays.
                assert hits[0].product_id == exact[0].product_id
            else:
                # int8 codes rescored on the float originals: the same ten as exact search.
                assert got == want
            assert all(h.payload.get("brand") == "rimwell" for h in hits)
        # The stored product (payload on disk) is read back whole for a card.
        payload, _ = reopened.retrieve(["bk-5"])[0]
        assert json.loads(payload["product"])["title"] == "Rimwell crankset 5"
    finally:
        reopened.close()


class _Recording(QdrantClient):
    """qdrant-client's local mode, recording what collection creation was asked for (local
    mode runs here; it ignores placement, which only a cluster acts on)."""

    created: dict[str, Any]

    def create_collection(self, collection_name: str, **kwargs: Any) -> bool:
        self.created = kwargs
        return super().create_collection(collection_name, **kwargs)


def _payload_types(index_dir: Path) -> set[str]:
    return {
        json.loads(f.read_text())["config"]["payload_storage_type"]["type"]
        for f in index_dir.glob("segments/*/segment.json")
    }


def test_payload_stays_in_ram_while_it_fits_the_budget_and_moves_to_disk_past_it(
    tmp_path: Path,
) -> None:
    index_dir = tmp_path / "index" / "products"
    points = _catalog(300)
    index = open_index(Settings(data_dir=tmp_path))  # auto, the default budget
    index.ensure_collection(IMAGE_DIM)
    index.upsert(points)
    index.optimize()
    assert _payload_types(index_dir) == {"in_ram_mmap"}
    cond = Conditions.from_filters(SearchFilters(brand="Gearon"))
    want = [h.product_id for h in index.nearest(TEXT, points[3].text, cond, limit=5)]
    index.close()

    # The same catalog against a budget it exceeds: it goes to disk at the next optimise
    # (an ingest), and answers the same; the product record is still read back whole.
    tight = Settings(data_dir=tmp_path, index_payload_ram_mb=0)
    index = open_index(tight)
    assert _payload_types(index_dir) == {"in_ram_mmap"}  # opening moves nothing
    index.optimize()
    assert _payload_types(index_dir) == {"mmap"}
    assert [h.product_id for h in index.nearest(TEXT, points[3].text, cond, limit=5)] == want
    payload, _ = index.retrieve(["bk-7"])[0]
    assert json.loads(payload["product"])["title"] == "Gearon saddle 7"
    index.close()

    # Forced placement wins over the budget, both ways.
    for on_disk, kind in ((False, "in_ram_mmap"), (True, "mmap"), (False, "in_ram_mmap")):
        index = open_index(tight.model_copy(update={"index_payload_on_disk": on_disk}))
        index.optimize()
        assert _payload_types(index_dir) == {kind}
        index.close()


def test_search_threads_one_for_a_single_segment_unless_set(tmp_path: Path) -> None:
    config_file = tmp_path / "index" / "products" / "edge_config.json"
    index = open_index(Settings(data_dir=tmp_path))
    index.ensure_collection(IMAGE_DIM)
    index.upsert(_catalog(50))
    index.optimize()
    index.close()
    # One segment holds the points (another, empty, may wait for appends): one thread.
    for setting, want in ((0, 1), (3, 3)):
        index = open_index(Settings(data_dir=tmp_path, index_search_threads=setting))
        assert json.loads(config_file.read_text())["max_search_threads"] == want
        index.close()


def test_server_backend_passes_cluster_placement_and_layout() -> None:
    settings = Settings(
        index_backend="server",
        qdrant_shard_number=6,
        qdrant_replication_factor=2,
        qdrant_write_consistency_factor=2,
        index_quantization="binary",
        index_vectors_on_disk=True,
    )
    client = _Recording(location=":memory:")
    index = QdrantClientIndex(client, "products", layout=IndexLayout.from_settings(settings))
    index.ensure_collection(IMAGE_DIM)
    sent = client.created
    assert (sent["shard_number"], sent["replication_factor"]) == (6, 2)
    assert sent["write_consistency_factor"] == 2
    assert sent["on_disk_payload"] is True  # auto: a server is sized by its operator
    kept = Settings(index_backend="server", index_payload_on_disk=False)
    assert collection_spec(IndexLayout.from_settings(kept), IMAGE_DIM)["on_disk_payload"] is False
    text = sent["vectors_config"][TEXT]
    assert text.on_disk is True and text.quantization_config.binary.always_ram is True
    # Image vectors get int8 codes and stay on disk, whatever the text layout.
    image = sent["vectors_config"]["image"]
    assert image.quantization_config.scalar is not None and image.on_disk is True

    points = _catalog(60)
    index.upsert(points)
    hits = index.nearest(TEXT, points[7].text, Conditions(), limit=3)
    assert hits[0].product_id == "bk-7"
    index.close()


def test_an_ingest_leaves_the_index_optimised_for_its_size(data_dir: Path) -> None:
    # The embedded engine builds graphs and moves the payload only when optimised: an
    # ingest does it, so a merchant's catalog is not left as it was loaded.
    from shopagent.retrieval import open_catalog

    tools = [
        Product(
            id=f"hw-{i}",
            title=f"{['Claw', 'Sledge', 'Ball-peen'][i % 3]} hammer {i}",
            category="Hardware > Hammers",
            brand=["Forgewell", "Anvilco"][i % 2],
            price=12 + i,
            variants=[Variant(id=f"hw-{i}-a", options={"weight": f"{16 + i % 4} oz"})],
        )
        for i in range(40)
    ]
    settings = Settings(_env_file=None, data_dir=data_dir, index_payload_ram_mb=0)
    catalog = open_catalog(settings)
    try:
        assert catalog.ingest(tools).ingested == 40
        assert _payload_types(data_dir / "index" / "products") == {"mmap"}
        assert (
            catalog.search("sledge hammer", page_size=3).hits[0].product.title.startswith("Sledge")
        )
    finally:
        catalog.close()


@pytest.mark.parametrize("engine", ["edge", "server"])
def test_a_page_ranked_without_payload_reads_its_records_by_engine_id(
    tmp_path: Path, engine: str
) -> None:
    points = _catalog(40)
    index = (
        open_index(Settings(data_dir=tmp_path))
        if engine == "edge"
        else QdrantClientIndex.local(":memory:")
    )
    index.ensure_collection(IMAGE_DIM)
    index.upsert(points)
    cond = Conditions.from_filters(SearchFilters(brand="Velotek"))
    ranked = index.hybrid(
        points[8].text, points[8].sparse, cond, limit=5, prefetch=20, with_payload=False
    )
    assert ranked and all(h.payload == {} and h.point_id for h in ranked)
    records = index.retrieve_points([h.point_id for h in ranked] + [point_id("bk-none")])
    assert set(records) == {h.point_id for h in ranked}  # the unknown id is left out
    assert records[ranked[0].point_id]["pid"] == "bk-8"
    assert all(r["brand"] == "velotek" for r in records.values())
    index.close()
