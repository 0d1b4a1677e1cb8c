"""A baby shop: clothes in months ("3-6 Months"), nappies by "Size 2 (3-6kg)", a pushchair
and a car seat whose pages give ages as "birth to about 4 years", and a parent-to-be who
types "y", asks "when will it be back" and "what do i need for a newborn". The intent
model is a stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import EmbeddedTier
from shopagent.agent.embedded._answers import answer, said_options
from shopagent.agent.embedded._guards import yes_no
from shopagent.agent.embedded._state import search_query
from shopagent.retrieval.ages import stated_ages
from shopagent.tools.discovery._words import why_for

from .mini_shop import Reads, planned, product, shown
from .mini_shop import shop_tier as _tier

BABY = [
    product(
        "sleepsuit",
        "Organic Cotton Sleepsuit",
        "Baby > Baby Clothing",
        size=["Newborn", "0-3 Months", "3-6 Months"],
        color=["White", "Sage"],
    ),
    product("pram", "City Fold Pushchair", "Baby > Pushchairs", color=["Graphite", "Navy"]),
    product("carseat", "Swivel Car Seat i-Size", "Baby > Car Seats"),
    product(
        "nappies",
        "Eco Nappies",
        "Baby > Nappies",
        size=["Size 1 (2-5kg)", "Size 2 (3-6kg)", "Size 3 (4-9kg)"],
    ),
]
SEAT = "Rear-facing from 40cm to 105cm (birth to about 4 years), ISOFIX base built in."


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(BABY, encode, Reads("search", 0.9), titles=True)


def test_a_typed_letter_is_a_yes_or_a_no() -> None:
    assert [yes_no(t) for t in ("Y", "y.", "n", "ya", "yo")] == ["yes", "yes", "no", "yes", None]


def test_when_it_will_be_back_is_asked_of_the_one_in_play(shop: EmbeddedTier) -> None:
    """ "when will it be back" after "is the navy pushchair in stock?", read as a look at an
    order: the pushchair's stock, and that the shop gives no restock date (none made up)."""
    s = shown(BABY, "pram")
    s.focus, s.last_intent = "pram", "product_details"
    nlu, plan = planned(shop, "when will it be back", s, "order_status", 0.8)
    assert nlu.intent == "product_details", nlu
    assert plan.calls[0].args == {"product_id": "pram"}, plan.calls
    pram = {
        "title": "City Fold Pushchair",
        "variants": [
            {"options": {"color": "Graphite"}, "available": True, "price": "349"},
            {"options": {"color": "Navy"}, "available": False, "price": "349"},
        ],
    }
    assert answer("when will the navy be back", pram) == (
        "City Fold Pushchair in Navy is sold out. I can't see when sold-out items will be "
        "back: the shop doesn't say."
    )


def test_a_size_said_by_its_number_and_ages_to_a_year() -> None:
    nappies = {"size": ["Size 1 (2-5kg)", "Size 2 (3-6kg)", "Size 3 (4-9kg)"]}
    assert said_options("size 2 please", nappies) == {"size": "Size 2 (3-6kg)"}
    ages = stated_ages(SEAT)
    assert ages is not None and (ages.low, ages.high) == (0, 4)
    seat = {"title": "Swivel Car Seat i-Size", "description": SEAT}
    assert answer("how long can he use the car seat for", seat) == (
        f'The product page says: "{SEAT}"'
    )
    assert (answer("is it ok for a 5 year old", seat) or "").startswith("No, ")


def test_two_products_named_by_their_nouns_are_compared(shop: EmbeddedTier) -> None:
    text = "whats the difference between the pushchair and the car seat"
    nlu, plan = planned(shop, text, shown(BABY), "compare", 0.94)
    assert plan.calls[0].name == "compare_products", plan.calls
    assert plan.calls[0].args["product_ids"] == ["pram", "carseat"], plan.calls


def test_a_need_is_searched_by_what_it_is_for(shop: EmbeddedTier) -> None:
    """ "im expecting my first in march, what do i need for a newborn": newborn things,
    never "we don't carry expecting firsts"."""
    text = "hi! im expecting my first in march, what do i need for a newborn"
    nlu, plan = planned(shop, text, shown(BABY), "search", 0.9)
    assert "not_carried" not in nlu.notes, nlu.notes
    assert search_query(nlu, None) in ("", "newborn"), search_query(nlu, None)
    assert why_for("first time wild camping, what do i need") == (
        "for their love of first time wild camping"
    )
