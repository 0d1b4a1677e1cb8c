"""The text encoder variants: ONNX Runtime (fp32, int8) against torch, the model file built
once and rebuilt when damaged, variants never mixed in the vector cache or in an index."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from shopagent.errors import Conflict
from shopagent.retrieval import open_catalog
from shopagent.retrieval.demo import generate_products
from shopagent.retrieval.embed import TEXT_MODEL_ID, TextEmbedder, text_encoder_name
from shopagent.retrieval.embed import _onnx_model as mo
from shopagent.retrieval.index import (
    TEXT_ENCODER_KEY,
    UNTAGGED_TEXT_ENCODER,
    Conditions,
    IndexPoint,
    product_payload,
)
from shopagent.retrieval.index.client import QdrantClientIndex
from shopagent.retrieval.index.edge import EdgeIndex
from shopagent.settings import get_settings

from .conftest import demo_settings

QUERIES = [
    "red dress",
    "wireless headphones",
    "leather boots for men",
    "gift for kids",
    "oak dining table",
    "Auron",
    "a very long query " * 20,
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("minilm-onnx")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [p.embedding_text() for p in generate_products(200, seed=7)] + QUERIES


@pytest.fixture(scope="module")
def torch_vectors(texts: list[str]) -> np.ndarray:
    return TextEmbedder(None, encoder="torch").encode(texts)


@pytest.mark.parametrize(
    ("kind", "min_cos", "min_overlap"), [("onnx", 0.9999, 0.99), ("onnx-int8", 0.98, 0.85)]
)
def test_onnx_variants_agree_with_torch(
    kind: str,
    min_cos: float,
    min_overlap: float,
    model_dir: Path,
    texts: list[str],
    torch_vectors: np.ndarray,
) -> None:
    text = TextEmbedder(None, encoder=kind, model_dir=model_dir)
    batch = text.encode(texts)  # the batch path: threads over length-sorted chunks
    assert batch.shape == torch_vectors.shape and batch.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    cos = np.sum(batch * torch_vectors, axis=1)
    assert cos.min() >= min_cos, (kind, float(cos.min()), texts[int(cos.argmin())])
    # Neighbours among the products stay the same ones.
    products = slice(0, 200)
    ref = torch_vectors[products] @ torch_vectors[products].T
    got = batch[products] @ batch[products].T
    overlap = np.mean(
        [
            len(set(np.argsort(-ref[i])[:10]) & set(np.argsort(-got[i])[:10])) / 10
            for i in range(200)
        ]
    )
    assert overlap >= min_overlap, (kind, overlap)
    # A single query (one thread, no padding, truncated like torch) agrees as well. With
    # int8 it is not bit-identical to the batch's vector of the same text: activations are
    # quantised with one scale per batch (measured: cosine ~0.99 either way to torch).
    for q in QUERIES:
        single = text.embed_one(q)
        assert float(single @ torch_vectors[texts.index(q)]) >= min_cos - 0.01, (kind, q)
        # searched again: the same vector from memory, which no caller may change
        assert text.embed_one(q) is single and not single.flags.writeable
    assert (model_dir / f"minilm-{kind}.onnx").is_file()
    manifest = json.loads((model_dir / f"minilm-{kind}.json").read_text())
    assert manifest["kind"] == kind and manifest["recipe"] == mo.RECIPE


class _FakeBuild:
    """Stands in for the export (seconds of torch) so the file handling is tested alone."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail = False

    def __call__(self, kind: str, work: Path, fp32: Path | None) -> Path:
        self.calls += 1
        out = work / "model.onnx"
        out.write_bytes(f"model {kind}".encode() * 1000)
        if self.fail:
            raise RuntimeError("export crashed")
        return out


@pytest.fixture
def fake_build(monkeypatch: pytest.MonkeyPatch) -> _FakeBuild:
    build = _FakeBuild()
    monkeypatch.setattr(mo, "_export_and_quantize", build)
    # A fresh process as far as verified files go; the real ones come back afterwards.
    monkeypatch.setattr(mo, "_verified", {})
    monkeypatch.setattr(mo, "_sessions", {})
    return build


def _leftovers(folder: Path) -> list[str]:
    return sorted(
        p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != ".build.lock"
    )


def test_model_is_built_once_and_reused(fake_build: _FakeBuild, tmp_path: Path) -> None:
    folder = tmp_path / "models"
    model = mo.ensure_model("onnx-int8", folder)
    assert fake_build.calls == 1 and model == folder / "minilm-onnx-int8.onnx"
    manifest = json.loads((folder / "minilm-onnx-int8.json").read_text())
    assert manifest["sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    assert mo.ensure_model("onnx-int8", folder) == model and fake_build.calls == 1
    mo._verified.clear()  # as a new process: checks the file against its manifest, keeps it
    assert mo.ensure_model("onnx-int8", folder) == model and fake_build.calls == 1
    # Another data folder in the same process gets the verified file, not a new build.
    other = mo.ensure_model("onnx-int8", tmp_path / "other")
    assert fake_build.calls == 1 and other.read_bytes() == model.read_bytes()
    assert json.loads((tmp_path / "other" / "minilm-onnx-int8.json").read_text()) == manifest
    assert _leftovers(folder) == [] and _leftovers(tmp_path / "other") == []


def test_a_deleted_data_folder_does_not_break_the_next_one(
    fake_build: _FakeBuild, tmp_path: Path
) -> None:
    """The file this process verified may go with its data folder (a temporary one, a
    reset): the next data folder builds its own instead of failing to link it."""
    import shutil

    first = tmp_path / "first"
    mo.ensure_model("onnx-int8", first)
    shutil.rmtree(first)
    model = mo.ensure_model("onnx-int8", tmp_path / "second")
    assert model.exists() and fake_build.calls == 2
    assert _leftovers(tmp_path / "second") == []


@pytest.mark.parametrize(
    "damage", ["flip", "truncate", "no_manifest", "bad_manifest", "old_recipe", "no_model"]
)
def test_damaged_or_stale_model_is_rebuilt(
    damage: str, fake_build: _FakeBuild, tmp_path: Path
) -> None:
    model = mo.ensure_model("onnx", tmp_path)
    good = model.read_bytes()
    manifest_path = tmp_path / "minilm-onnx.json"
    if damage == "flip":  # same size, one byte changed: only the checksum sees it
        model.write_bytes(good[:10] + bytes([good[10] ^ 1]) + good[11:])
    elif damage == "truncate":
        model.write_bytes(good[:100])
    elif damage == "no_manifest":
        manifest_path.unlink()
    elif damage == "bad_manifest":
        manifest_path.write_text("{not json")
    elif damage == "old_recipe":
        manifest = json.loads(manifest_path.read_text())
        manifest_path.write_text(json.dumps({**manifest, "recipe": mo.RECIPE - 1}))
    else:
        model.unlink()
    mo._verified.clear()
    assert mo.ensure_model("onnx", tmp_path).read_bytes() == good
    assert fake_build.calls == 2
    assert _leftovers(tmp_path) == []


def test_a_crash_mid_build_leaves_nothing_that_passes(
    fake_build: _FakeBuild, tmp_path: Path
) -> None:
    fake_build.fail = True
    with pytest.raises(RuntimeError, match="export crashed"):
        mo.ensure_model("onnx-int8", tmp_path)
    assert not (tmp_path / "minilm-onnx-int8.onnx").exists()
    assert not (tmp_path / "minilm-onnx-int8.json").exists()
    assert _leftovers(tmp_path) == []
    fake_build.fail = False
    assert mo.ensure_model("onnx-int8", tmp_path).is_file() and fake_build.calls == 2


def test_variants_never_mix_in_the_vector_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache.sqlite"
    names = {k: text_encoder_name(k) for k in ("onnx-int8", "onnx", "torch")}
    assert len(set(names.values())) == 3
    # torch keeps the key its vectors had before there were variants: old caches stay good.
    assert names["torch"] == TEXT_MODEL_ID == UNTAGGED_TEXT_ENCODER
    assert (
        TextEmbedder(None, encoder="torch")._key("x")
        == hashlib.sha256(f"{TEXT_MODEL_ID}\0x".encode()).hexdigest()
    )

    def fake(value: float):  # type: ignore[no-untyped-def]
        def encode(texts):  # type: ignore[no-untyped-def]
            return np.full((len(texts), 384), value, dtype=np.float32)

        return encode

    made = {}
    for i, kind in enumerate(names):
        text = TextEmbedder(cache, encoder=kind, model_dir=tmp_path)
        monkeypatch.setattr(text, "encode", fake(float(i + 1)))
        made[kind] = text.embed(["red dress", "oak table"])
        text.close()
    for i, kind in enumerate(names):
        assert np.all(made[kind] == i + 1), kind  # none came from another variant's entry
        text = TextEmbedder(cache, encoder=kind, model_dir=tmp_path)
        monkeypatch.setattr(text, "encode", lambda texts: pytest.fail("cache missed"))
        assert np.all(text.embed(["oak table"]) == i + 1)  # each finds its own
        text.close()


@pytest.mark.parametrize("engine", ["edge", "local"])
def test_untagged_points_count_as_torch_vectors(engine: str, tmp_path: Path) -> None:
    index = EdgeIndex(tmp_path / "edge") if engine == "edge" else QdrantClientIndex.local()
    index.ensure_collection(8)
    products = generate_products(5, seed=3)
    vec = np.ones(384, dtype=np.float32) / np.sqrt(384)
    tags = [None, None, "a", "a", "b"]
    index.upsert(
        [
            IndexPoint(p.id, vec, ([], []), product_payload(p, tag))
            for p, tag in zip(products, tags, strict=True)
        ]
    )
    try:
        assert index.count(Conditions(other_text_encoder=UNTAGGED_TEXT_ENCODER)) == 3
        assert index.count(Conditions(other_text_encoder="a")) == 3
        stale = index.filtered(Conditions(other_text_encoder="b"), limit=10)
        assert sorted(h.payload.get(TEXT_ENCODER_KEY) or "-" for h in stale) == ["-", "-", "a", "a"]
    finally:
        index.close()


def test_an_index_made_by_another_encoder_is_refused_until_reembedded(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    int8 = demo_settings(data_dir, text_encoder="onnx-int8")
    fp32 = demo_settings(data_dir, text_encoder="onnx")
    products = generate_products(40, seed=5)
    catalog = open_catalog(int8)
    try:
        assert catalog.ingest(products).ingested == 40
        assert catalog.text_encoder_mismatch() == (0, None)
        before = catalog.search(products[3].title, page_size=5).hits[0].product.id
    finally:
        catalog.close()

    with pytest.raises(Conflict) as err:
        open_catalog(fp32)
    assert err.value.code == "text_encoder_mismatch"
    assert "40 of the 40 products" in err.value.message
    assert "onnx-int8" in err.value.message and "shopagent reembed" in err.value.message

    # `shopagent reembed` re-embeds from the stored products and the catalog opens again.
    monkeypatch.setenv("SHOPAGENT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SHOPAGENT_TEXT_ENCODER", "onnx")
    get_settings.cache_clear()
    try:
        from shopagent.cli import app

        result = CliRunner().invoke(app, ["reembed"])
        assert result.exit_code == 0, result.output
        assert "re-embedded 40 products" in result.output
        again = CliRunner().invoke(app, ["reembed"])
        assert again.exit_code == 0 and "nothing to do" in again.output
    finally:
        get_settings.cache_clear()

    catalog = open_catalog(fp32)
    try:
        assert catalog.text_encoder_mismatch() == (0, None)
        assert catalog.count() == 40
        assert catalog.search(products[3].title, page_size=5).hits[0].product.id == before
        found = catalog.index.retrieve([products[3].id], with_vectors=True)
        payload, vectors = found[0]
        assert payload[TEXT_ENCODER_KEY] == text_encoder_name("onnx")
        expected = catalog.text.encode([products[3].embedding_text()])[0]
        assert float(np.asarray(vectors["text"]) @ expected) > 0.9999
    finally:
        catalog.close()
    with pytest.raises(Conflict):
        open_catalog(int8)


def test_demo_catalog_is_rebuilt_for_another_encoder(tmp_path: Path) -> None:
    from shopagent.retrieval import build_demo_catalog

    for kind in ("onnx-int8", "onnx"):
        catalog = build_demo_catalog(demo_settings(tmp_path / "data", text_encoder=kind), n=20)
        try:
            assert catalog.count() == 20
            assert catalog.text_encoder_mismatch() == (0, None), kind
        finally:
            catalog.close()
