"""A jewellery and outdoor shop: options whose values share words ("9ct Yellow Gold", "9ct
Rose Gold", "Sterling Silver"), values of two names ("July - Ruby"), temperatures with a
minus ("Comfort -5°C"), gift cards by amount ("$50"), a Ring Size next to no Size, and
shoppers who say the part that tells a value apart ("rose gold", "july", "the -5 one").
The intent model is a stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import EmbeddedTier, NLUResult, ToolOutcome
from shopagent.agent.embedded._answers import only_option_values, said_options
from shopagent.agent.embedded._catalog import short_names

from .mini_shop import Reads, planned, product, shown
from .mini_shop import shop_tier as _tier

SHOP = [
    product(
        "ring",
        "Hammered Stacking Ring",
        "Jewelry > Rings",
        Metal=["Sterling Silver", "9ct Yellow Gold", "9ct Rose Gold"],
        **{"Ring Size": ["J", "K", "L", "M"]},
    ),
    product(
        "pendant",
        "Birthstone Pendant Necklace",
        "Jewelry > Necklaces",
        Birthstone=["January - Garnet", "July - Ruby", "September - Sapphire"],
        **{"Chain Length": ["16 inch", "18 inch"]},
    ),
    product(
        "bag",
        "Down Sleeping Bag",
        "Camping > Sleeping Bags",
        Rating=["Comfort 5°C", "Comfort -5°C"],
        Zip=["Left", "Right"],
    ),
    product(
        "mat", "Self-Inflating Sleeping Mat", "Camping > Sleeping Mats", Length=["Regular", "Long"]
    ),
    product("card", "Shop Gift Card", "Gift Cards", Amount=["$25", "$50", "$100"]),
]
METALS = {"Metal": ["Sterling Silver", "9ct Yellow Gold", "9ct Rose Gold"]}


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(SHOP, encode, Reads("search", 0.9), titles=True)


def test_a_value_is_named_by_the_words_no_other_value_has() -> None:
    assert said_options("does it come in rose gold", METALS) == {"Metal": "9ct Rose Gold"}
    assert said_options("silver then", METALS) == {"Metal": "Sterling Silver"}
    assert said_options("yellow gold in L", METALS) == {"Metal": "9ct Yellow Gold"}
    assert said_options("gold please", METALS) == {}  # two golds: not a choice
    stones = {"Birthstone": ["January - Garnet", "July - Ruby"]}
    assert said_options("july please", stones) == {"Birthstone": "July - Ruby"}
    assert said_options("the ruby one", stones) == {"Birthstone": "July - Ruby"}
    assert said_options("the 50 one", {"Amount": ["$25", "$50"]}) == {"Amount": "$50"}


def test_a_minus_and_a_decimal_are_read_as_said() -> None:
    ratings = {"Rating": ["Comfort 5°C", "Comfort -5°C"]}
    assert said_options("the -5 one", ratings) == {"Rating": "Comfort -5°C"}
    assert said_options("minus 5 please", ratings) == {"Rating": "Comfort -5°C"}
    assert said_options("the 5°c one", ratings) == {"Rating": "Comfort 5°C"}
    sizes = {"Size": ["UK 7", "UK 7.5", "UK 8"]}
    assert said_options("is the 7.5 in stock", sizes) == {"Size": "UK 7.5"}
    assert said_options("my feet are a 7.5", {"Size": ["UK 7", "UK 8"]}) == {}  # not UK 7
    assert only_option_values("the -5 one with left zip", {**ratings, "Zip": ["Left", "Right"]})


def test_words_that_name_no_value_alone_are_not_names() -> None:
    """ "kids" of "Kids 10" (the word its numbers are measured in), "ship" of "Pirate Ship"
    ("do you ship to ..."), "pillow" of both "1 Pillow" and "2 Pillows"."""
    assert "kids" not in short_names(["Kids 10", "Junior 1"])["Kids 10"]
    assert short_names(["Castle", "Pirate Ship"]) == {"Pirate Ship": ("pirate",)}
    assert "pillow" not in str(short_names(["1 Pillow", "2 Pillows"]))


def test_a_search_by_a_metal_and_a_ring_size(shop: EmbeddedTier) -> None:
    """ "size M rose gold" over rings: the Metal and the Ring Size, not the colour Gold (no
    ring has one), and never "rings come in one size, not M"."""
    s = shown(SHOP, "ring")
    s.filters = {"category": "Rings"}
    nlu, plan = planned(shop, "ok size M rose gold then", s, "refine", 0.9)
    assert "size_not_offered" not in nlu.notes, nlu.notes
    args = plan.calls[0].args
    assert args.get("options") == {"metal": "9ct Rose Gold", "ring size": "M"}, args
    assert "color" not in args, args


def test_another_value_said_in_an_answer_replaces_the_earlier_one(shop: EmbeddedTier) -> None:
    """ "july please", "which chain length?", "ok september, 18 inch": September, 18 inch
    (the July was added, and would have been written, before)."""
    s = shown(SHOP, "pendant")
    s.focus = "pendant"
    s.extra["pending_option"] = {
        "product_id": "pendant",
        "option": "Chain Length",
        "values": ["16 inch", "18 inch"],
        "chosen": {"Birthstone": "July - Ruby"},
        "quantity": 1,
    }
    nlu, plan = planned(shop, "ok september, 18 inch", s, "search")
    assert nlu.intent == "add_to_cart", nlu
    assert plan.calls[0].args["options"] == {
        "Birthstone": "September - Sapphire",
        "Chain Length": "18 inch",
    }, plan.calls


def test_values_alone_pick_them_however_unsure_the_reading(shop: EmbeddedTier) -> None:
    """ "the -5 one with left zip" with the bag in play, read as a removal at 0.31: the bag
    in those options (the add asks the shopper's yes)."""
    s = shown(SHOP, "bag")
    nlu, plan = planned(shop, "the -5 one with left zip", s, "remove_from_cart", 0.31)
    assert nlu.intent == "add_to_cart", nlu
    assert plan.calls[0].args["options"] == {"Rating": "Comfort -5°C", "Zip": "Left"}


def test_a_sold_out_choice_keeps_its_other_options_for_the_next(shop: EmbeddedTier) -> None:
    """-5 with a left zip sold out, then "right zip then": the -5 one with a right zip."""
    s = shown(SHOP, "bag")
    tried = {
        "product_id": "bag",
        "quantity": 1,
        "options": {"Rating": "Comfort -5°C", "Zip": "Left"},
    }
    failed = ToolOutcome(
        name="add_to_cart",
        args=tried,
        ok=False,
        error_code="out_of_stock",
        error_message="Down Sleeping Bag (Rating Comfort -5°C, Zip Left) is out of stock",
    )
    reply, after = shop.respond(NLUResult(intent="add_to_cart", confidence=1), s, [failed])
    assert "out of stock" in reply.text
    nlu, plan = planned(shop, "right zip then", after, "refine", 0.9)
    assert plan.calls[0].args["options"] == {"Zip": "Right", "Rating": "Comfort -5°C"}
    added = ToolOutcome(name="add_to_cart", args=plan.calls[0].args, ok=True, content={})
    _, done = shop.respond(nlu, after, [added])
    assert "tried_options" not in done.extra  # an add made: nothing tried is carried on


def test_a_thing_to_go_with_the_one_shown_is_searched(shop: EmbeddedTier) -> None:
    s = shown(SHOP, "bag")
    s.focus = "bag"
    nlu, plan = planned(shop, "do i need a sleeping mat too", s, "product_details", 0.9)
    assert nlu.intent == "search", nlu
    assert plan.calls[0].args.get("category") == "Sleeping Mats", plan.calls


def test_the_cart_is_listed_line_by_line(shop: EmbeddedTier) -> None:
    cart = {
        "lines": [
            {
                "product_id": "ring",
                "title": "Hammered Stacking Ring",
                "options": {"Metal": "9ct Rose Gold", "Ring Size": "M"},
                "unit_price": "180.00",
                "line_total": "180.00",
                "quantity": 1,
                "currency": "USD",
            },
            {
                "product_id": "card",
                "title": "Shop Gift Card",
                "options": {"Amount": "$50"},
                "unit_price": "50.00",
                "line_total": "100.00",
                "quantity": 2,
                "currency": "USD",
            },
        ],
        "total": "280.00",
        "currency": "USD",
    }
    outcome = ToolOutcome(name="view_cart", args={}, ok=True, content=cart)
    reply, _ = shop.respond(NLUResult(intent="view_cart", confidence=1), shown(SHOP), [outcome])
    assert reply.text == (
        "You have 3 items in your cart, $280.00 in total: 1 x Hammered Stacking Ring "
        "(9ct Rose Gold, M), $180.00; 2 x Shop Gift Card ($50), $100.00."
    ), reply.text


def test_a_product_named_by_words_its_title_holds_is_the_one_asked_of(encode: object) -> None:
    """ "are the pearl studs real pearls" with the ring in play: the "Pearl Stud Earrings"
    (not shown), not the ring; "the birthstone pendant" and "the ring" (the one title
    ending so) name theirs."""
    studs = product("studs", "Pearl Stud Earrings", "Jewelry > Earrings")
    tier = _tier([*SHOP, studs], encode, Reads("product_details", 0.66), titles=True)
    s = shown(SHOP, "ring")
    s.focus = "ring"
    nlu, plan = planned(tier, "are the pearl studs real pearls", s, "product_details", 0.66)
    assert nlu.slots.product_id == "studs", nlu
    assert plan.calls[0].args == {"product_id": "studs"}, plan.calls
    assert tier.titles.named_by_phrase("is the birthstone pendant gold") == "pendant"
    assert tier.titles.named_by_phrase("is the gift card any good") == "card"
    assert tier.titles.named_by_phrase("is the ring nice") == "ring"  # the one ring's noun
    assert tier.titles.named_by_phrase("is the gold nice") is None  # no title ends so


def test_a_few_of_the_shops_words_with_nothing_shown_ask_for_them(shop: EmbeddedTier) -> None:
    """ "mens chain" as the first words, read unsure as a question of a product (0.55):
    a search, never "which product do you mean?"."""
    nlu, plan = planned(shop, "stacking ring", shown(SHOP), "product_details", 0.55)
    assert nlu.intent == "search" and plan.calls[0].name == "catalog_search", (nlu, plan)
    nlu, _ = planned(shop, "is it real gold", shown(SHOP), "product_details", 0.5)
    assert nlu.intent == "product_details", nlu  # a question: which product, asked


def test_the_shoppers_own_things_are_no_search(shop: EmbeddedTier) -> None:
    """ "open my ring board", read unsure as a question of a product: the shopper's own
    board, never a search for "open ring boards"."""
    nlu, _ = planned(shop, "open my ring board", shown(SHOP), "product_details", 0.55)
    assert nlu.intent != "search", nlu
