"""A camping shop: tents by how many they sleep, a stove whose gas is another product, a
bottle by Capacity and Color with one combination sold out, and shoppers who say what
they are doing first ("going camping with the kids this summer, need a tent for 4"). The
intent model is a stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopagent.agent.embedded import INTENTS, EmbeddedTier, NLUResult, ToolOutcome
from shopagent.errors import ToolError
from shopagent.retrieval.schema import Product, Variant
from shopagent.tools._variants import pick_variant

from .mini_shop import Reads, planned, product, shown
from .mini_shop import shop_tier as _tier

CAMP = [
    {
        **product("tent", "Trailhead 2 Person Tent", "Camping > Tents", color=["Olive", "Orange"]),
        "attributes": {"tags": ["tent", "camping"]},
    },
    product("stove", "Pocket Gas Stove", "Camping > Stoves"),
    product("gas", "Butane Gas Canister", "Camping > Fuel", size=["100g", "230g"]),
    product(
        "bottle",
        "Insulated Steel Bottle",
        "Camping > Bottles",
        Capacity=["500ml", "1L"],
        color=["Forest", "Sand"],
    ),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(CAMP, encode, Reads("search", 0.9), titles=True)


def test_a_clause_that_names_the_product_keeps_its_kind(shop: EmbeddedTier) -> None:
    """ "going camping with the kids this summer, need a tent for 4": the tents (the first
    clause's "camping" is no kind asked for, and "with the kids ..." no thing's use)."""
    nlu, plan = planned(
        shop, "going camping with the kids this summer, need a tent for 4", shown(CAMP), "search"
    )
    assert nlu.slots.category == "Tents", nlu
    assert plan.calls[0].args.get("category") == "Tents", plan.calls


def test_an_unsure_add_that_asks_of_it_is_a_question(shop: EmbeddedTier) -> None:
    s = shown(CAMP, "tent")
    s.focus = "tent"
    text = "what about the 2 person one, is it big enough for 2 adults"

    class Unsure:  # as the model read it: an add at 0.35, a question at 0.25
        def probs(self, text: str) -> dict[str, float]:
            rest = (1 - 0.35 - 0.25 - 0.32) / (len(INTENTS) - 3)
            read = {"add_to_cart": 0.35, "product_details": 0.25, "compare": 0.32}
            return {i: read.get(i, rest) for i in INTENTS}

    shop.model = Unsure()
    nlu = shop.understand(text, s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert nlu.intent == "product_details", nlu
    assert [c.name for c in plan.calls] == ["get_product"], (plan, nlu)
    # said as an add, it stays one
    nlu, _ = planned(shop, "ok add it, is it the orange one", s, "add_to_cart", 0.35)
    assert nlu.intent == "add_to_cart", nlu


def test_which_thing_fits_the_one_in_play_is_searched(shop: EmbeddedTier) -> None:
    """ "which gas fits it" with the stove in play: the gas searched (not the stove's page),
    and "add 2 of the 230g" then adds the canister that comes in 230g."""
    s = shown(CAMP, "stove")
    s.focus = "stove"
    nlu, plan = planned(shop, "which gas fits it", s, "product_details", 0.9)
    assert nlu.intent == "search" and plan.calls[0].args["query"] == "gas", plan.calls
    s = shown(CAMP, "gas", "stove")
    nlu, plan = planned(shop, "add 2 of the 230g", s, "add_to_cart", 0.9)
    assert (plan.calls[0].args["product_id"], plan.calls[0].args["quantity"]) == ("gas", 2)


def test_values_of_the_one_shown_with_its_own_option_pick_it(shop: EmbeddedTier) -> None:
    """ "1 litre in sand" of the one bottle shown: that bottle in 1L Sand (the add says
    whether it is in stock), not a search narrowed to sand bottles of 1L."""
    nlu, plan = planned(shop, "1 litre in sand", shown(CAMP, "bottle"), "refine", 0.84)
    assert nlu.intent == "add_to_cart", nlu
    assert plan.calls[0].args["options"] == {"Capacity": "1L", "color": "Sand"}, plan.calls
    colours = [m.value for m in shop.lexicon.scan("wine glasses in sand", []) if m.slot == "color"]
    assert colours == ["Sand"]


def test_a_sold_out_choice_says_what_is_in_stock_instead(shop: EmbeddedTier) -> None:
    bottle = Product(
        id="bottle",
        title="Insulated Steel Bottle",
        category="Bottles",
        price=Decimal("27.00"),
        variants=[
            Variant(
                id=f"{c}-{k}",
                options={"capacity": c, "color": k},
                price=Decimal("27.00"),
                available=(c, k) != ("1L", "Sand"),
            )
            for c in ("500ml", "1L")
            for k in ("Forest", "Sand")
        ],
    )
    with pytest.raises(ToolError) as err:
        pick_variant(bottle, variant_id=None, options={"capacity": "1L", "color": "Sand"})
    assert err.value.details["in_stock"] == {"capacity": ["500ml"], "color": ["Forest"]}
    failed = ToolOutcome(
        name="add_to_cart",
        args={"product_id": "bottle", "options": {"capacity": "1L", "color": "Sand"}},
        ok=False,
        error_code="out_of_stock",
        error_message=err.value.message,
        error_details=err.value.details,
    )
    reply, _ = shop.respond(NLUResult(intent="add_to_cart", confidence=1), shown(CAMP), [failed])
    assert reply.text == (
        "Sorry, Insulated Steel Bottle (capacity 1L, color Sand) is out of stock. "
        "In Sand it's in stock in 500ml. In 1L it's in stock in Forest."
    ), reply.text


def test_a_kind_asked_for_a_product_shown_is_searched(encode: object) -> None:
    """ "a rucksack that fits the tent", read as a look-alike search with no photo (0.72)
    and with the tent shown: the rucksacks, never "upload a photo" nor the tent's page."""
    bag = product("pack", "Ascent 40L Hiking Rucksack", "Camping > Backpacks")
    tier = _tier([*CAMP, bag], encode, Reads("visual_search", 0.72), titles=True)
    s = shown([*CAMP, bag], "tent")
    nlu, plan = planned(tier, "a rucksack that fits the tent", s, "visual_search", 0.72)
    assert nlu.intent == "search" and nlu.slots.category == "Backpacks", nlu
    assert plan.calls[0].name == "catalog_search", plan.calls
    # said as a look-alike search, it stays one
    nlu, _ = planned(tier, "a rucksack like the tent", s, "visual_search", 0.72)
    assert nlu.intent != "search", nlu


def test_two_choices_of_one_product_compared() -> None:
    """ "is the olive one lighter than the orange": the same tent in another colour (never
    "Yes, it comes in Olive"); "cheaper than": both prices."""
    from shopagent.agent.embedded._answers import answer

    tent = {
        "title": "Trailhead Tent",
        "currency": "USD",
        "variants": [
            {"options": {"Color": "Olive"}, "price": "249.00"},
            {"options": {"Color": "Orange"}, "price": "259.00"},
        ],
    }
    assert answer("is the olive one lighter than the orange", tent) == (
        "Olive and Orange are the same Trailhead Tent in another colour: its page doesn't "
        "tell them apart by that."
    )
    assert answer("is the olive one cheaper than the orange", tent) == (
        "Trailhead Tent costs $249.00 in Olive, and $259.00 in Orange."
    )


def test_choices_without_prices_of_their_own_cost_the_products() -> None:
    from shopagent.agent.embedded._answers import answer

    tent = {
        "title": "Tent",
        "price": "249.00",
        "currency": "USD",
        "variants": [{"options": {"color": c}} for c in ("Olive", "Orange")],
    }
    assert answer("is the olive one cheaper than the orange", tent) == (
        "Tent costs $249.00 in Olive, the same as in Orange."
    )
