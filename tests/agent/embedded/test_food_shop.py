"""A food shop: coffee by Grind and Weight (250g, 1kg), olive oil by the litre, allergens
in the pages ("Dairy free, may contain traces of nuts"), and a shopper whose English is not
their first language ("it is possible ground for filter machine?", "and how much the big
bag"). The intent model is a stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import EmbeddedTier
from shopagent.agent.embedded._answers import answer, said_options

from .mini_shop import Reads, planned, product, shown
from .mini_shop import shop_tier as _tier

FOOD = [
    product(
        "coffee",
        "Single Origin Colombian Coffee",
        "Drinks > Coffee",
        Grind=["Whole Bean", "Filter"],
        Weight=["250g", "1kg"],
    ),
    product("oil", "Extra Virgin Olive Oil", "Pantry > Oils", size=["500ml", "1L"]),
    product("pasta", "Bronze-Cut Spaghetti", "Pantry > Pasta", Pack=["500g", "Pack of 6"]),
    product("choc", "Dark Chocolate Bar", "Sweets > Chocolate", Pack=["1 Bar", "5 Bars"]),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(FOOD, encode, Reads("search", 0.9), titles=True)


@pytest.mark.parametrize(
    "text", ["it is possible ground for filter machine?", "and how much the big bag"]
)
def test_a_question_of_the_products_own_options_is_about_it(shop: EmbeddedTier, text: str) -> None:
    """One coffee in play: its options asked about in a learner's English are a question
    of it (it had been "we don't carry possible grounds" / "big bags")."""
    s = shown(FOOD, "coffee")
    s.focus, s.filters = "coffee", {"category": "Coffee"}
    nlu, plan = planned(shop, text, s, "search", 0.4)
    assert nlu.intent == "product_details" and "not_carried" not in nlu.notes, nlu
    assert [c.name for c in plan.calls] == ["get_product"], plan


def test_measures_in_two_units_are_ranked_and_a_whole_unit_named() -> None:
    weights = {"weight": ["250g", "1kg"]}
    assert said_options("how much the big bag", weights) == {"weight": "1kg"}
    assert said_options("the small pack", weights) == {"weight": "250g"}
    assert said_options("a kilo please", weights) == {"weight": "1kg"}
    assert said_options("the litre then", {"size": ["500ml", "1L"]}) == {"size": "1L"}
    # grams and litres are not one measure
    assert said_options("the big one", {"size": ["250g", "1L"]}) == {}


def test_allergens_are_read_in_the_pages_words() -> None:
    choc = {
        "title": "Dark Chocolate Bar",
        "description": "Single origin cacao. Dairy free, may contain traces of nuts.",
    }
    said = 'The product page says: "Dairy free, may contain traces of nuts."'
    assert answer("does the chocolate have milk in it", choc) == said
    assert answer("i am allergic to nuts, is the chocolate safe", choc) == said


def test_a_question_after_what_the_shopper_says_is_answered(shop: EmbeddedTier) -> None:
    s = shown(FOOD, "choc", "pasta")
    nlu, _ = planned(shop, "i am allergic to nuts, is the chocolate safe", s, "search")
    assert nlu.intent == "product_details" and nlu.notes.get("question"), nlu
    assert not nlu.notes.get("picked"), nlu.notes


def test_add_n_of_another_product_is_not_the_one_in_play(shop: EmbeddedTier) -> None:
    """Olive oil just added: "add 2 spaghetti" finds the spaghetti, never asks which size
    of olive oil."""
    s = shown(FOOD, "oil")
    s.focus = "oil"
    nlu, plan = planned(shop, "add 2 spaghetti", s, "add_to_cart")
    assert nlu.notes.get("add_kind") == {"query": "spaghetti"}, nlu.notes
    assert [c.name for c in plan.calls] == ["catalog_search"], plan
