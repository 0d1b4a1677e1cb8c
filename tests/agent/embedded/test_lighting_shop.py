"""A lighting shop: "cancel that, i changed my mind" right after an add takes that line out
again (confirmed like any removal), not an order cancelled; "what else have you got for
reading" searches for that; "2 of them" said instead of a yes to an add asks again for that
add, two of it, its choices kept. The intent model is a stub (the model boundary); the text
encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import EmbeddedTier, ToolOutcome

from .mini_shop import planned, product, shown
from .mini_shop import shop_tier as _tier

LAMPS = [
    product("shade", "Rattan Pendant Shade", "Lighting > Shades", size=["30cm", "40cm"]),
    product("desk", "Nordlys Desk Lamp", "Lighting > Lamps", color=["Black", "Brass"]),
    product(
        "bulb",
        "Brightway LED Bulb",
        "Lighting > Bulbs",
        Fitting=["B22 Bayonet", "E27 Screw"],
        Tone=["Warm White", "Cool White"],
    ),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(LAMPS, encode, None, titles=True)


def _after_adding(shop: EmbeddedTier) -> object:
    s = shown(LAMPS, "shade")
    nlu, plan = planned(shop, "add it in 40cm", s, "add_to_cart")
    added = ToolOutcome(
        name="add_to_cart",
        args={**plan.calls[0].args, "variant_id": "shade-1"},
        ok=True,
        content={
            "added": {"title": "Rattan Pendant Shade", "quantity": 1, "variant_id": "shade-1"}
        },
    )
    _, after = shop.respond(nlu, shop.update_state(s, nlu), [added])
    return after


@pytest.mark.parametrize(
    "text", ["cancel that, i changed my mind", "undo", "oh no, scrap that", "cancel that"]
)
def test_taking_back_an_add_just_made_removes_that_line(shop: EmbeddedTier, text: str) -> None:
    nlu, plan = planned(shop, text, _after_adding(shop), "cancel_order", 0.8)
    assert nlu.intent == "remove_from_cart", nlu
    assert plan.calls and plan.calls[0].name == "remove_from_cart", plan
    assert plan.calls[0].args["product_id"] == "shade", plan
    assert plan.calls[0].args.get("quantity") in (None, 1), plan  # as many as were added


def test_an_order_named_is_still_the_order(shop: EmbeddedTier) -> None:
    nlu, _ = planned(shop, "cancel my order", _after_adding(shop), "cancel_order", 0.9)
    assert nlu.intent == "cancel_order", nlu


def test_an_add_taken_back_only_right_after_it(shop: EmbeddedTier) -> None:
    """A turn later ("whats my total" between), "cancel that" is no undo of the add."""
    s = _after_adding(shop)
    nlu, _ = planned(shop, "whats my total", s, "view_cart")
    s = shop.update_state(s, nlu)
    nlu, _ = planned(shop, "cancel that", s, "cancel_order", 0.9)
    assert nlu.intent == "cancel_order", nlu


def test_what_else_you_have_for_a_use_is_searched(shop: EmbeddedTier) -> None:
    s = shown(LAMPS, "shade")
    s.filters = {"category": "Shades"}
    nlu, plan = planned(shop, "what else have you got for reading", s, "refine", 0.6)
    assert nlu.intent == "search" and plan.calls[0].args["query"] == "reading", plan


def test_how_many_said_instead_of_a_yes_keeps_the_adds_choices(shop: EmbeddedTier) -> None:
    s = shown(LAMPS, "bulb")
    nlu, _ = planned(shop, "add it", s, "add_to_cart")
    args = {"product_id": "bulb", "quantity": 1}
    args["options"] = {"Fitting": "B22 Bayonet", "Tone": "Warm White"}
    declined = ToolOutcome(
        name="add_to_cart", args=args, ok=False, error_code="declined", error_message="no"
    )
    _, s = shop.respond(nlu, shop.update_state(s, nlu), [declined])
    nlu, plan = planned(shop, "2 of them", s, "add_to_cart")
    again = plan.calls[0].args
    chosen = {str(v) for v in (again.get("options") or {}).values()}
    assert again["quantity"] == 2 and {"Warm White", "B22 Bayonet"} <= chosen, again
    nlu, plan = planned(shop, "2 in cool white", s, "add_to_cart")
    chosen = {str(v) for v in (plan.calls[0].args.get("options") or {}).values()}
    assert "Warm White" not in chosen and "Cool White" in chosen, plan


def test_an_option_name_and_a_value_word_is_no_thing_the_shop_lacks(encode: object) -> None:
    """ "screw fitting": the bulbs' Fitting option (not "we don't carry fittings"); beside
    two bulbs that both come in a screw fitting, no pick of one of them either."""
    other = product(
        "small",
        "Brightway Candle Bulb",
        "Lighting > Bulbs",
        Fitting=["E27 Screw", "E14 Small Screw"],
    )
    shop = _tier([*LAMPS, other], encode, None)
    from shopagent.agent.embedded import DialogueState

    nlu, _ = planned(shop, "screw fitting", DialogueState(), "search", 0.7)
    assert "not_carried" not in nlu.notes, nlu.notes
    nlu, _ = planned(shop, "screw fitting", shown([*LAMPS, other], "bulb", "small"), "refine", 0.5)
    assert nlu.intent != "add_to_cart", nlu
