"""A hardware shop: batteries as "2.0Ah" that shoppers call "the 2ah", bit sets counted in
"Pieces" ("the 50 piece one"), drills whose name qualifies other products ("drill bits",
"the drill bit set"), ladders by "Steps", and first words the model is unsure of ("gloves
in xl"). The intent model is a stub (the model boundary); the text encoder is the real
MiniLM."""

from __future__ import annotations

from typing import Any

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, NLUResult
from shopagent.agent.embedded._answers import answer, said_options
from shopagent.agent.embedded._parse import parse
from shopagent.agent.embedded._schema import ToolOutcome

from .mini_shop import Reads, planned, product, shown
from .mini_shop import shop_tier as _tier

TOOLS = [
    product("drill", "Torqmax 18V Combi Drill", "Tools > Drills", Battery=["Bare Tool", "2.0Ah"]),
    product("mini-drill", "Handy 12V Drill Driver", "Tools > Drills", Battery=["1.5Ah"]),
    product(
        "bits", "Titanium Drill Bit Set", "Tools > Accessories", Pieces=["19 Pieces", "50 Pieces"]
    ),
    product("masonry", "Masonry Drill Bits", "Tools > Accessories", Pieces=["5 Pieces"]),
    product("battery", "Torqmax 18V Battery", "Power > Batteries", Capacity=["2.0Ah", "5.0Ah"]),
    product("gloves", "Grip Work Gloves", "Workwear > Safety", size=["M", "L", "XL"]),
    product("ladder", "Aluminium Step Ladder", "Access > Ladders", Steps=["3 Steps", "5 Steps"]),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(TOOLS, encode, Reads("search", 0.9), titles=True)


def test_a_whole_number_and_a_singular_count_name_their_values() -> None:
    assert said_options("is the 5ah in stock", {"capacity": ["2.0Ah", "5.0Ah"]}) == {
        "capacity": "5.0Ah"
    }
    assert said_options("add the 50 piece one", {"pieces": ["19 Pieces", "50 Pieces"]}) == {
        "pieces": "50 Pieces"
    }
    assert said_options("the 3-step one", {"steps": ["3 Steps", "5 Steps"]}) == {"steps": "3 Steps"}
    # "the 50 piece one" is a kind of set, not 50 of them; "add 3 pieces" still counts
    assert parse("add the 50 piece one").quantity is None
    assert parse("add 3 pieces").quantity == 3


def test_the_50_piece_one_adds_that_set(shop: EmbeddedTier) -> None:
    _, plan = planned(shop, "add the 50 piece one", shown(TOOLS, "masonry", "bits"), "add_to_cart")
    assert [(c.name, c.args["product_id"]) for c in plan.calls] == [("add_to_cart", "bits")], plan
    assert plan.calls[0].args["quantity"] == 1
    assert dict(plan.calls[0].args["options"]) == {"Pieces": "50 Pieces"}


def test_more_than_an_add_takes_is_said_plainly(shop: EmbeddedTier) -> None:
    s = shown(TOOLS, "gloves")
    s.focus = "gloves"
    _, plan = planned(shop, "add 30 in large", s, "add_to_cart")
    assert plan.calls == [] and plan.reply is not None, plan
    assert plan.reply.startswith("I can add up to 20 of one item at a time"), plan.reply


def test_drill_bits_are_not_drills(shop: EmbeddedTier) -> None:
    nlu, _ = planned(shop, "drill bits", DialogueState(), "search")
    assert nlu.slots.category == "Accessories", nlu.slots
    nlu, _ = planned(shop, "drill", DialogueState(), "search")
    assert nlu.slots.category == "Drills", nlu.slots


def test_a_title_named_by_its_end_beats_a_shown_title_sharing_a_word(
    shop: EmbeddedTier,
) -> None:
    """Gift ideas showed a drill; "whats in the drill bit set" is the bit set's page."""
    s = shown(TOOLS, "gloves", "mini-drill")
    nlu, plan = planned(shop, "whats in the drill bit set", s, "product_details")
    assert [c.args.get("product_id") for c in plan.calls] == ["bits"], (nlu, plan)


def test_unsure_first_words_of_a_product_search_rather_than_fail(shop: EmbeddedTier) -> None:
    """ "gloves in xl" read as an add at 0.56 with a search next: nothing is shown, so
    there is nothing to add; it searches (it had answered "I didn't understand")."""
    probs = dict.fromkeys(Reads().probs("x"), 0.001) | {"add_to_cart": 0.56, "search": 0.27}
    shop.model = Reads()
    shop.model.probs = lambda text: probs  # type: ignore[method-assign]
    nlu = shop.understand("gloves in xl", DialogueState())
    assert nlu.intent == "search", nlu
    plan = shop.plan(nlu, shop.update_state(DialogueState(), nlu))
    assert plan.calls and plan.calls[0].name == "catalog_search", plan
    assert plan.calls[0].args["query"] == "gloves" and plan.calls[0].args["size"] == "XL"


def _ladder() -> dict[str, Any]:
    return {
        "id": "ladder",
        "title": "Aluminium Step Ladder",
        "currency": "USD",
        "variants": [
            {"id": "l3", "options": {"Steps": "3 Steps"}, "price": "39.00"},
            {"id": "l5", "options": {"Steps": "5 Steps"}, "price": "54.60"},
        ],
    }


def test_an_option_named_in_the_plural_is_not_made_plural_again() -> None:
    said = answer("what steps does it have", _ladder())
    assert said == "Aluminium Step Ladder comes in steps: 3 Steps and 5 Steps.", said


def test_an_empty_cart_at_checkout_is_said_plainly(shop: EmbeddedTier) -> None:
    failed = ToolOutcome(
        name="checkout",
        args={},
        ok=False,
        error_code="empty_cart",
        error_message="the cart is empty; add something first",
    )
    nlu = shop.understand("checkout", DialogueState())
    reply, _ = shop.respond(nlu, DialogueState(), [failed])
    assert reply.text == "Your cart is empty, so there's nothing to check out yet.", reply


def _drill() -> dict[str, Any]:
    return {
        "id": "drill",
        "title": "Torqmax 18V Combi Drill",
        "description": "Brushless hammer drill.",
        "currency": "USD",
        "variants": [
            {"id": "d0", "options": {"Battery": "Bare Tool"}, "price": "89.00"},
            {"id": "d1", "options": {"Battery": "2.0Ah"}, "price": "160.20"},
        ],
    }


def test_comes_with_an_option_named_lists_its_values() -> None:
    """ "does it come with a battery?" of a drill sold with or without one (a Battery
    option): its choices, not "the page doesn't say anything about battery"."""
    said = answer("does the torqmax come with a battery", _drill())
    assert said == "Torqmax 18V Combi Drill comes in batteries: Bare Tool and 2.0Ah.", said


def test_two_titles_named_by_their_ends_are_compared(shop: EmbeddedTier) -> None:
    s = shown(TOOLS, "battery")
    nlu, plan = planned(
        shop, "whats the difference between the combi drill and the drill driver", s, "compare"
    )
    assert [c.name for c in plan.calls] == ["compare_products"], plan
    assert plan.calls[0].args["product_ids"] == ["drill", "mini-drill"], plan


def test_a_comparison_told_apart_by_brand_alone_quotes_the_pages(shop: EmbeddedTier) -> None:
    compared = ToolOutcome(
        name="compare_products",
        args={},
        ok=True,
        content={
            "products": [
                {"id": "drill", "title": "Torqmax 18V Combi Drill", "price": "89.00"},
                {"id": "mini-drill", "title": "Handy 12V Drill Driver", "price": "49.00"},
            ],
            "attributes": {"brand": {"drill": "Torqmax", "mini-drill": "Handy"}},
            "summaries": {"drill": "Brushless hammer drill.", "mini-drill": "Light 12V drill."},
        },
    )
    nlu = NLUResult(intent="compare", confidence=0.9, text="whats the difference")
    reply, _ = shop.respond(nlu, DialogueState(), [compared])
    assert "differ in brand" not in reply.text, reply.text
    assert "Torqmax 18V Combi Drill: Brushless hammer drill." in reply.text, reply.text
