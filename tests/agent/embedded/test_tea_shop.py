"""A tea shop: weights and formats as options ("250g", "Tea Bags"), accessories named by
their titles and not by a category ("Bamboo Matcha Whisk"), and shoppers who answer with
a bare option value ("250g pls"). The intent model is a stub (the model boundary); the
text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, ToolOutcome
from shopagent.agent.embedded._answers import answer, said_options
from shopagent.agent.embedded._guards import answer_option

from .mini_shop import Reads, product, shown
from .mini_shop import shop_tier as _tier

TEAS = [
    product(
        "earl-grey",
        "Earl Grey Supreme",
        "Tea > Black Tea",
        Weight=["50g", "100g", "250g"],
        Format=["Loose Leaf", "Tea Bags"],
    ),
    product("chamomile", "Chamomile Flowers", "Tea > Herbal Tea", Weight=["50g", "100g"]),
    product("matcha", "Ceremonial Matcha", "Tea > Matcha", Grade=["Ceremonial", "Culinary"]),
    product("whisk", "Bamboo Matcha Whisk", "Tea > Tea Accessories", color=["Natural"]),
    product("glass-pot", "Glass Teapot with Infuser", "Kitchen > Teapots", color=["Clear"]),
    product("iron-pot", "Cast Iron Teapot", "Kitchen > Teapots", color=["Black", "Green"]),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(TEAS, encode, Reads("add_to_cart", 0.95))


def _plan(shop: EmbeddedTier, text: str, s: DialogueState, reads: str = "add_to_cart") -> list:
    shop.model = Reads(reads, 0.95)
    nlu = shop.understand(text, s)
    return [(c.name, c.args) for c in shop.plan(nlu, shop.update_state(s, nlu)).calls]


@pytest.mark.parametrize(
    ("text", "query"), [("add a whisk too", "whisk"), ("add a matcha whisk", "matcha whisk")]
)
def test_adding_a_thing_the_one_in_focus_is_not_searches_for_it(
    shop: EmbeddedTier, text: str, query: str
) -> None:
    calls = _plan(shop, text, shown(TEAS, "matcha"))
    assert calls == [("catalog_search", {"query": query})], calls


def test_adding_the_kind_in_focus_adds_it(shop: EmbeddedTier) -> None:
    calls = _plan(shop, "add a teapot too", shown(TEAS, "iron-pot"))
    assert [c[0] for c in calls] == ["add_to_cart"] and calls[0][1]["product_id"] == "iron-pot"


def test_a_colour_with_a_title_s_words_picks_the_product_and_its_variant(
    shop: EmbeddedTier,
) -> None:
    calls = _plan(shop, "add the black cast iron one", shown(TEAS, "glass-pot", "iron-pot"))
    assert calls and calls[0][0] == "add_to_cart", calls
    assert calls[0][1]["product_id"] == "iron-pot" and calls[0][1].get("color") == "Black"


@pytest.mark.parametrize("text", ["250g pls", "ok the 250g then", "teabags please"])
def test_a_bare_option_value_of_the_one_in_play_adds_it_in_that_option(
    shop: EmbeddedTier, text: str
) -> None:
    calls = _plan(shop, text, shown(TEAS, "earl-grey"), reads="search")
    assert [c[0] for c in calls] == ["add_to_cart"], calls
    assert calls[0][1]["product_id"] == "earl-grey"
    assert set(dict(calls[0][1]["options"]).values()) & {"250g", "Tea Bags"}, calls


def test_a_question_with_an_option_value_is_still_a_question(shop: EmbeddedTier) -> None:
    shop.model = Reads("product_details", 0.95)
    nlu = shop.understand("is the 250g in stock?", shown(TEAS, "earl-grey"))
    assert nlu.intent == "product_details", nlu


def test_a_greeting_is_not_the_thing_asked_for(shop: EmbeddedTier) -> None:
    shop.model = Reads("search", 0.95)
    nlu = shop.understand("hiya! something to help me sleep?", DialogueState())
    assert "not_carried" not in nlu.notes, nlu.notes


def test_one_value_left_is_offered_and_a_yes_takes_it(shop: EmbeddedTier) -> None:
    shop.model = Reads("add_to_cart", 0.95)
    s = shown(TEAS, "earl-grey")
    nlu = shop.understand("250g pls", s)
    failed = ToolOutcome(
        name="add_to_cart",
        args={"product_id": "earl-grey", "quantity": 1, "options": {"Weight": "250g"}},
        ok=False,
        error_code="option_required",
        error_details={"option": "format", "values": ["Loose Leaf"], "chosen": {"weight": "250g"}},
    )
    reply, s = shop.respond(nlu, s, [failed])
    assert reply.text == (
        "Earl Grey Supreme in 250g is only available in Loose Leaf (format). Add it in Loose Leaf?"
    )
    assert answer_option("yes please", s.extra["pending_option"]) == "Loose Leaf"
    two = {"values": ["Loose Leaf", "Tea Bags"]}
    assert answer_option("yes please", two) is None  # a yes chooses nothing of two


def test_what_is_in_a_product_is_its_page_s_own_words() -> None:
    box = {"title": "Sampler Box", "description": "Ten 10g pouches of best sellers. In a box."}
    said = answer("whats in the sampler box", box) or ""
    assert said.startswith('The product page says: "Ten 10g pouches of best sellers.'), said
    assert "Ten 10g" not in (answer("what is in stock?", box) or "")


def test_a_value_written_as_one_word() -> None:
    assert said_options("teabags pls", {"Format": ["Loose Leaf", "Tea Bags"]}) == {
        "Format": "Tea Bags"
    }
