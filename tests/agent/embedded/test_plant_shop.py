"""A plant shop: plants by Pot Size ("17cm") beside pots whose option is Size (so "17cm"
is a size word of the shop), names English does not have ("monstera"), and shoppers who
ask in amounts ("30 litres") and follow a question with a bare value ("in 17cm?"). The
intent model is a stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

from typing import Any

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier
from shopagent.agent.embedded._answers import answer
from shopagent.agent.embedded._assortment import plural

from .mini_shop import Reads, planned, product, shown
from .mini_shop import shop_tier as _tier

POTS = ["12cm", "17cm", "24cm"]
PLANTS = [
    product("monstera", "Monstera Deliciosa", "Plants > Indoor Plants", **{"Pot Size": POTS}),
    product("calathea", "Calathea Orbifolia", "Plants > Indoor Plants", **{"Pot Size": POTS[:2]}),
    product("pot", "Glazed Ceramic Plant Pot", "Decor > Pots", size=POTS, color=["White", "Sage"]),
    product("compost", "Peat-Free Indoor Compost", "Garden > Soil", Bag=["10L", "25L"]),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(PLANTS, encode, Reads("search", 0.9), titles=True)


def test_a_value_of_the_named_plants_pot_size_picks_it(shop: EmbeddedTier) -> None:
    """ "do you have a monstera" names it by its title's own word; "ok the 17cm then" is
    the monstera in 17cm, not a search for anything sized 17cm (the pots)."""
    nlu, _ = planned(shop, "do you have a monstera in the big pot", DialogueState(), "search")
    assert nlu.notes.get("titled") == "monstera", nlu.notes
    s = shown(PLANTS, "monstera", "pot", "calathea")
    s.focus = "monstera"
    _, plan = planned(shop, "ok the 17cm then", s, "refine")
    assert [(c.name, c.args["product_id"]) for c in plan.calls] == [("add_to_cart", "monstera")]
    assert dict(plan.calls[0].args["options"]) == {"Pot Size": "17cm"}, plan


def test_a_size_still_narrows_a_list_of_products_sized_so(shop: EmbeddedTier) -> None:
    s = shown(PLANTS, "pot")
    s.focus = "pot"
    nlu, _ = planned(shop, "17cm", s, "refine")
    assert nlu.intent == "refine" and nlu.slots.size == "17cm", nlu


def _calathea() -> dict[str, Any]:
    return {
        "id": "calathea",
        "title": "Calathea Orbifolia",
        "currency": "USD",
        "variants": [
            {"id": "c1", "options": {"Pot Size": "12cm"}, "price": "22.00", "available": True},
            {"id": "c2", "options": {"Pot Size": "17cm"}, "price": "35.20", "available": False},
        ],
    }


def test_a_bare_value_after_a_question_asks_it_again(shop: EmbeddedTier) -> None:
    """ "is the calathea in stock" then "in 17cm?": the same question of the 17cm, its
    price and that it is sold out."""
    s = shown(PLANTS, "calathea")
    s.last_intent = "product_details"
    nlu, plan = planned(shop, "in 17cm?", s, "refine", 0.6)
    assert nlu.intent == "product_details", nlu
    assert [c.name for c in plan.calls] == ["get_product"], plan
    said = answer("in 17cm?", _calathea())
    assert said == "Yes, Calathea Orbifolia comes in 17cm, $35.20, but that one is sold out."
    assert answer("and the 12cm?", _calathea()) == "Yes, Calathea Orbifolia comes in 12cm, $22.00."


def test_an_amount_is_no_thing_the_shop_does_not_carry(shop: EmbeddedTier) -> None:
    nlu, _ = planned(shop, "i need like 30 litres", shown(PLANTS, "compost"), "search")
    assert "not_carried" not in nlu.notes, nlu.notes


@pytest.mark.parametrize(
    ("thing", "said"),
    [("garden furniture", "garden furniture"), ("seed", "seeds"), ("camping gear", "camping gear")],
)
def test_stuff_is_not_made_plural(thing: str, said: str) -> None:
    assert plural(thing) == said
