"""One MiniLM pass a turn: the intent model runs MiniLM's first 4 layers (ONNX), and the
plugin matcher's vector of the same text continues those states through the last 2 instead
of a second whole pass. The vector must be the catalog text encoder's; a text whose states
are not held gets a whole pass, as before; artifacts of the older torch runtime still load."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import torch
from pydantic import BaseModel

from shopagent.agent.embedded import encoder_dir
from shopagent.agent.plugin_match import PluginMatcher
from shopagent.retrieval.embed import TextEmbedder
from shopagent.tools import ToolContext, tool

# other shops, other voices: a garden centre, a bike shop, a tea merchant
TURNS = [
    "do you have frost cloth for raised beds?",
    "the second one, is it tubeless ready",
    "something smoky like lapsang but milder",
    "hi",
    "can i return a pruning saw if it's the wrong size??",
]


def test_the_matcher_vector_continues_the_intent_pass(tier: Any, trained_settings: Any) -> None:
    model = tier.model
    assert model.runtime == "onnx"
    text = TextEmbedder(
        None, encoder="onnx-int8", model_dir=encoder_dir(Path(trained_settings.embedded_model_path))
    )
    for turn in TURNS:
        model._scores.cache_clear()
        probs = model.probs(turn)
        assert abs(sum(probs.values()) - 1.0) < 1e-5
        # the head runs in numpy (no torch in a turn): the trained torch head's logits
        feats = model.encoder.trunk([model.token_ids(turn)])[0]
        with torch.inference_mode():
            want = model.head(torch.from_numpy(feats)).numpy()
        np.testing.assert_allclose(model.logits(turn), want[0], atol=1e-5)
        held = model.sentence_vector(turn)
        assert held is not None, turn
        whole = text.encode([turn])[0]  # the catalog's encoder, all 6 layers at once
        assert float(held @ whole) > 0.9999, turn
        np.testing.assert_allclose(np.linalg.norm(held), 1.0, atol=1e-5)
    # not scored since (or only its scores remembered): no states held, so no vector
    assert model.sentence_vector("a text never scored") is None
    held_before = list(model._held)
    model.probs(TURNS[-1])  # answered from the scores cache: no pass, nothing new held
    assert list(model._held) == held_before
    # cut short at the intent model's length: the text encoder reads further
    long = "a mossy green watering can with a brass rose " * 10
    model.probs(long)
    assert model.sentence_vector(long) is None


class _AlertArgs(BaseModel):
    product: str | None = None


@tool(examples=["remind me when the seed potatoes are back", "tell me when it's restocked"])
def restock_alert(ctx: ToolContext, args: _AlertArgs) -> dict[str, Any]:
    """Alert the shopper when a product is back in stock."""
    return {"ok": True}


def test_the_matcher_takes_held_states_and_falls_back_to_a_whole_pass(encode: Any) -> None:
    passes: list[list[str]] = []

    def counting(texts: Any) -> Any:
        passes.append(list(texts))
        return encode(texts)

    matcher = PluginMatcher([restock_alert], counting, threshold=0.6)
    passes.clear()
    wanted = "let me know when the seed potatoes are back in"
    held = {wanted: encode([wanted])[0]}
    matcher.held_vector = held.get
    hit = matcher.match(wanted)
    assert hit is not None and hit.tool == "restock_alert"
    assert passes == []  # the turn's own states served it
    assert matcher.match("do you sell hose reels?") is None
    assert passes == [["do you sell hose reels?"]]  # not held: one whole pass, as before


def test_an_artifact_of_the_torch_runtime_still_loads(tmp_path: Path) -> None:
    from shopagent.agent.embedded import DialogueState, EmbeddedTier
    from shopagent.training.embedded import TrainConfig, ensure_model

    products = [
        {
            "id": f"t-{i}",
            "title": f"{name} Tea {i}",
            "category": "Tea > Loose Leaf",
            "brand": "Leafwell",
            "price": "12.50",
            "description": f"{name} loose leaf tea",
        }
        for i, name in enumerate(["Assam", "Darjeeling", "Sencha", "Oolong", "Rooibos"])
    ]
    facets = {
        "category": ["Tea > Loose Leaf"],
        "color": [],
        "size": ["50g", "100g"],
        "material": [],
        "brand": ["Leafwell"],
        "style": [],
        "audience": [],
    }
    settings = SimpleNamespace(
        embedded_model_path=tmp_path / "models" / "embedded", nlu_confidence_threshold=0.6
    )
    cfg = TrainConfig(scale=0.01, epochs=2, runtime="torch")
    ensure_model(settings, (products, facets), progress=False, cfg=cfg)
    tier = EmbeddedTier.load(settings, facets)
    assert tier.model.runtime == "torch"
    assert tier.understand("any sencha?", DialogueState()).intent
    assert tier.model.sentence_vector("any sencha?") is None  # the matcher makes a whole pass
    assert not (tmp_path / "models" / "minilm-onnx").exists()  # no ONNX layers were needed
    with pytest.raises(ValueError, match="runtime='torch'"):
        ensure_model(
            settings,
            (products, facets),
            progress=False,
            cfg=TrainConfig(scale=0.01, epochs=2, n_layers=3),
        )
