""" "We don't carry X; the closest we have: ..." in a garden-hardware-electronics shop: the
categories offered are ranked by the catalog's own text encoder (real MiniLM, retrieval's
TextEmbedder) over the shop's category paths, so they are near in meaning. The intent
model is a stub (the model boundary)."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, Lexicon
from shopagent.agent.embedded._catalog import CatalogProfile
from shopagent.retrieval.embed import TextEmbedder

from .mini_shop import Reads

CATEGORIES = [
    "Garden > Hoses",
    "Garden > Pruning Shears",
    "Garden > Seeds",
    "Garden > Wheelbarrows",
    "Tools > Drills",
    "Tools > Screwdrivers",
    "Tools > Ladders",
    "Electronics > Monitors",
    "Electronics > Keyboards",
    "Electronics > Webcams",
    "Kitchen > Kettles",
    "Kitchen > Toasters",
    "Pets > Dog Beds",
    "Pets > Cat Toys",
]

VOCAB = sorted({w.lower() for c in CATEGORIES for w in c.replace(">", " ").split()})


@pytest.fixture(scope="module")
def tier() -> EmbeddedTier:
    facets = {"category": [c.split(">")[-1].strip() for c in CATEGORIES]}
    t = EmbeddedTier(
        Reads(),
        Lexicon(facets),
        0.6,
        {},
        None,
        None,
        CatalogProfile({"categories": CATEGORIES, "vocab": VOCAB}),
    )
    t.attach_text_encoder(TextEmbedder(None, encoder="torch").encode)
    return t


@pytest.mark.parametrize(
    ("request_", "departments"),
    [
        ("laptops", {"Electronics"}),
        ("lawn mower", {"Garden"}),
        ("a chainsaw", {"Tools", "Garden"}),
        ("cat scratching post", {"Pets"}),
        ("coffee grinder", {"Kitchen"}),
    ],
)
def test_the_closest_categories_are_near_in_meaning(
    tier: EmbeddedTier, request_: str, departments: set[str]
) -> None:
    closest = tier._closest_categories(request_)  # "Monitors (Electronics)", ...
    # up to 3, from departments near in meaning only (Pets holds two categories)
    assert 2 <= len(closest) <= 3
    assert {c.split("(")[1].rstrip(")") for c in closest[:2]} <= departments, closest


def test_a_missing_product_is_answered_with_the_closest_categories(tier: EmbeddedTier) -> None:
    nlu = tier.understand("do you sell laptops", DialogueState())
    assert nlu.notes["not_carried"] == "laptops"
    assert nlu.notes["closest"][0].endswith("(Electronics)"), nlu.notes["closest"]
