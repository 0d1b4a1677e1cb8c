"""Which category a request means, in a hand-made kitchenware shop: the head noun, not a
product type named in a qualifying clause; a category word that heads product titles in
several categories goes to the one whose products the request describes best; sold-out
products the search kept are said to be sold out, and adding one is refused clearly.
The intent model is a stub (the model boundary); the rest is the real tier."""

from __future__ import annotations

from typing import Any

import pytest

from shopagent.agent.embedded import (
    INTENTS,
    DialogueState,
    EmbeddedTier,
    Lexicon,
    NLUResult,
    ToolOutcome,
)
from shopagent.agent.embedded._catalog import CatalogProfile, build_profile


def _p(pid: str, title: str, category: str, brand: str) -> dict[str, Any]:
    return {"id": pid, "title": title, "category": category, "brand": brand, "price": 20.0}


PRODUCTS = [
    _p("mug-1", "Stoneware Coffee Mug", "Kitchen > Mugs", "Hearth"),
    _p("mug-2", "Speckled Espresso Mug", "Kitchen > Mugs", "Hearth"),
    _p("trv-1", "Insulated Travel Mug", "Outdoor > Travel Gear", "Trailcup"),
    _p("trv-2", "Collapsible Water Bottle", "Outdoor > Travel Gear", "Trailcup"),
    _p("scl-1", "Precision Digital Kitchen Scale", "Kitchen > Kitchen Scales", "Grammo"),
    _p("bwl-1", "Nesting Mixing Bowl Set", "Kitchen > Bowls", "Hearth"),
    _p("ktl-1", "Gooseneck Pour-Over Kettle", "Kitchen > Kettles", "Copperline"),
]
FACETS = {
    "category": sorted(
        {
            c.strip()
            for p in PRODUCTS
            for c in (p["category"].split(">")[0], p["category"].split(">")[-1])
        }
    ),
    "brand": sorted({p["brand"] for p in PRODUCTS}),
}


class StubModel:
    """The intent model's boundary: a fixed reading for every turn."""

    def __init__(self, scores: dict[str, float]) -> None:
        rest = (1 - sum(scores.values())) / (len(INTENTS) - len(scores))
        self.scores = {i: scores.get(i, rest) for i in INTENTS}

    def probs(self, text: str) -> dict[str, float]:
        return dict(self.scores)


def tier(**scores: float) -> EmbeddedTier:
    profile = CatalogProfile(build_profile(PRODUCTS))
    model = StubModel(scores or {"search": 0.95})
    return EmbeddedTier(model, Lexicon(FACETS), 0.6, {}, None, None, profile)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("digital kitchen scale with a mixing bowl", "Kitchen Scales"),
        ("mixing bowl that fits on my kitchen scale", "Bowls"),
        ("a kettle for the kitchen scale shelf", "Kettles"),
        ("kitchen scale bowl", "Bowls"),  # a compound: its last word is the product
        # the product is a noun the shop's titles end in, not a category word
        ("a water bottle that fits in my mug holder", "Travel Gear"),
        ("bottle for the kettle", "Travel Gear"),
    ],
)
def test_the_head_noun_is_the_category(text: str, category: str) -> None:
    assert tier().understand(text, DialogueState()).slots.category == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("insulated travel mug with a lid", "Travel Gear"),
        ("speckled espresso mug", "Mugs"),
        ("mug", "Mugs"),  # nothing says more: the category the word names
    ],
)
def test_a_shared_head_noun_goes_to_the_best_matching_category(text: str, category: str) -> None:
    assert tier().understand(text, DialogueState()).slots.category == category


def test_a_product_type_without_a_word_of_removing_is_a_search() -> None:
    t = tier(remove_from_cart=0.7, search=0.2)
    assert t.understand("gooseneck kettles", DialogueState()).intent == "search"
    cart = DialogueState(extra={"cart": [{"product_id": "ktl-1", "quantity": 1}]})
    assert t.understand("take the kettle out", cart).intent == "remove_from_cart"


def test_no_word_of_buying_makes_a_split_search_reading_confident() -> None:
    t = tier(search=0.48, add_to_cart=0.4)
    nlu = t.understand("collapsible water bottle", DialogueState())
    assert nlu.intent == "search" and nlu.confidence >= 0.85
    assert t.understand("add a collapsible water bottle", DialogueState()).confidence < 0.6


def test_a_sold_out_match_is_said_and_adding_it_is_refused() -> None:
    t = tier()
    nlu = NLUResult(intent="search", confidence=0.9, text="gooseneck pour-over kettle")
    cards = [
        {"id": "ktl-1", "title": "Gooseneck Pour-Over Kettle", "price": "49.00", "in_stock": False},
        {"id": "mug-1", "title": "Stoneware Coffee Mug", "price": "12.00", "in_stock": True},
    ]
    found = ToolOutcome(
        name="catalog_search",
        args={"query": "gooseneck pour-over kettle"},
        content={
            "products": cards,
            "total": 2,
            "filters_applied": {"in_stock": True},
            "sold_out_matches": [{"id": "ktl-1", "title": "Gooseneck Pour-Over Kettle"}],
        },
    )
    reply, state = t.respond(nlu, DialogueState(), [found])
    assert reply.text.startswith("Gooseneck Pour-Over Kettle is sold out right now")
    assert "In stock instead: Stoneware Coffee Mug." in reply.text
    assert reply.product_ids == ["ktl-1", "mug-1"]
    refused = ToolOutcome(
        name="add_to_cart",
        args={"product_id": "ktl-1", "quantity": 1},
        ok=False,
        error_code="out_of_stock",
        error_message="Gooseneck Pour-Over Kettle is out of stock",
    )
    add = NLUResult(intent="add_to_cart", confidence=0.9, text="add the first one")
    reply, _ = t.respond(add, state, [refused])
    assert "Gooseneck Pour-Over Kettle is out of stock, so I can't add it" in reply.text


def test_hyphenated_words_stay_whole_in_the_search_text() -> None:
    from shopagent.agent.embedded._state import search_query

    for text, want in [
        ("show me an over-the-door pot rack under $40", "over-the-door pot rack"),
        ("any in-wall spice shelves", "in-wall spice shelves"),
        ("i want a pour-over kettle", "pour-over kettle"),
    ]:
        assert search_query(NLUResult(intent="search", confidence=1, text=text), None) == want
