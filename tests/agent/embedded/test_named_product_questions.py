"""A question about a product named by its title is answered about that product, not run
as a search or read as an add to cart: "is the <title> in stock", "do you still have the
<title>?", "who makes the <title> and is it in stock". A bookshop and a hardware store's
titles; the intent model is a stub (the model boundary) that reads each turn as the
given intent, as the trained model did on such turns."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import INTENTS, DialogueState, EmbeddedTier, Lexicon
from shopagent.agent.embedded._catalog import CatalogProfile

TITLES = {
    "b-1": "Harbour Press Moby-Dick Clothbound Edition",
    "b-2": "Lamplight Dotted A5 Notebook",
    "h-1": "Brickford 18V Cordless Drill",
}


class Reads:
    def __init__(self, intent: str) -> None:
        self.intent = intent

    def probs(self, text: str) -> dict[str, float]:
        return {i: (0.9 if i == self.intent else 0.1 / (len(INTENTS) - 1)) for i in INTENTS}


def _tier(intent: str) -> EmbeddedTier:
    facets = {"category": ["Fiction", "Notebooks", "Drills"]}
    profile = CatalogProfile({"categories": ["Books > Fiction", "Stationery > Notebooks"]})
    return EmbeddedTier(Reads(intent), Lexicon(facets), 0.6, {}, None, TITLES, profile)


@pytest.mark.parametrize(
    ("text", "read_as", "product"),
    [
        ("is the Brickford 18V Cordless Drill in stock", "search", "h-1"),
        ("do you still have the Harbour Press Moby-Dick Clothbound Edition?", "search", "b-1"),
        ("pls can you tell me if the Lamplight Dotted A5 Notebook have stock", "search", "b-2"),
        ("who makes the Brickford 18V Cordless Drill and is it in stock", "add_to_cart", "h-1"),
    ],
)
def test_a_stock_question_about_a_named_product_is_about_that_product(
    text: str, read_as: str, product: str
) -> None:
    nlu = _tier(read_as).understand(text, DialogueState())
    assert nlu.intent == "product_details", nlu
    assert nlu.slots.product_id == product


def test_asking_the_shop_for_a_named_product_still_shows_it() -> None:
    # no stock question: "do you have the <title>" is answered with the product's card
    nlu = _tier("search").understand(
        "do you have the Lamplight Dotted A5 Notebook", DialogueState()
    )
    assert nlu.intent == "search" and nlu.notes.get("titled") == "b-2"
