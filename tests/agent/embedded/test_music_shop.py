"""A music shop: guitars made right- or left-handed ("lefty"), strings by gauge ("12-53
Light", said "the 12-53") and in packs of sets ("3 Sets"), a cable the merchant tags
"lead". The intent model is a stub (the model boundary); the text encoder is the real
MiniLM."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, ToolOutcome
from shopagent.agent.embedded._answers import answer, only_option_values, said_options
from shopagent.agent.embedded._scope import off_topic

from .mini_shop import Reads, planned, product, searched, shown
from .mini_shop import shop_tier as _tier

HANDS = ["Right-Handed", "Left-Handed"]
MUSIC = [
    product(
        "dread",
        "Harbor Dreadnought Acoustic Guitar",
        "Instruments > Acoustic Guitars",
        Handedness=HANDS,
        Finish=["Natural", "Sunburst"],
    ),
    product(
        "strat",
        "Voltline S-Style Electric Guitar",
        "Instruments > Electric Guitars",
        Handedness=HANDS,
        color=["Black", "Red"],
    ),
    product(
        "strings-ac",
        "Bronze Acoustic Guitar Strings",
        "Accessories > Strings",
        Gauge=["11-52 Custom Light", "12-53 Light"],
        Pack=["1 Set", "3 Sets"],
    ),
    product(
        "strings-el",
        "Nickel Electric Guitar Strings",
        "Accessories > Strings",
        Gauge=["9-42 Super Light", "10-46 Regular"],
        Pack=["1 Set", "3 Sets"],
    ),
    {
        **product("cable", "Braided Instrument Cable", "Accessories > Cables", Length=["3m", "6m"]),
        "attributes": {"tags": ["cable", "lead", "jack"]},
    },
    {
        **product("amp", "Voltline Practice Amp", "Audio > Guitar Amplifiers", Wattage=["10W"]),
        "attributes": {"tags": ["amp", "practice"]},
    },
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(MUSIC, encode, Reads("search", 0.95))


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("a lefty please", {"handedness": "Left-Handed"}),
        ("is it available left handed?", {"handedness": "Left-Handed"}),
        ("do you do it for southpaws", {}),  # a plural, not the word
        ("the righty", {"handedness": "Right-Handed"}),
    ],
)
def test_shoppers_words_for_a_handedness(text: str, said: dict[str, str]) -> None:
    assert said_options(text, {"handedness": HANDS}) == said


@pytest.mark.parametrize("text", ["do u have lefty guitars", "any lefties?"])
def test_lefty_is_no_thing_the_shop_does_not_carry(shop: EmbeddedTier, text: str) -> None:
    """ "do u have lefty guitars": the guitars' Left-Handed, not "we don't carry lefties"."""
    nlu, plan = planned(shop, text, DialogueState(), "search")
    assert "not_carried" not in nlu.notes, nlu.notes
    assert plan.calls and plan.calls[0].name == "catalog_search", plan


def test_a_thing_the_merchant_tags_is_carried(shop: EmbeddedTier) -> None:
    """A cable tagged "lead": "i need a new lead" searches, no "we don't carry leads"."""
    nlu, _ = planned(shop, "i need a new lead for my amp", DialogueState(), "search")
    assert "not_carried" not in nlu.notes, nlu.notes
    nlu, _ = planned(shop, "do you sell drums", DialogueState(), "search")
    assert nlu.notes.get("not_carried") == "drums", nlu.notes


def _page(pid: str) -> dict[str, Any]:
    """``pid``'s page: Left-Handed 10% dearer, Sunburst 5%."""
    p = next(p for p in MUSIC if p["id"] == pid)
    variants = []
    for v in p["variants"]:
        price = Decimal("249.00")
        price *= Decimal("1.1") if "Left-Handed" in v["options"].values() else 1
        price *= Decimal("1.05") if "Sunburst" in v["options"].values() else 1
        variants.append({**v, "price": str(price.quantize(Decimal("0.01"))), "available": True})
    return {**p, "price": "249.00", "currency": "USD", "variants": variants}


def test_the_price_of_a_choice_that_leaves_one_open(shop: EmbeddedTier) -> None:
    said = answer("how much is the lefty one", _page("dread"))
    assert said == (
        "Harbor Dreadnought Acoustic Guitar in Left-Handed costs $273.90 to $287.60 "
        "depending on the finish."
    ), said


def test_a_gauge_said_by_its_numbers_and_a_pack_by_its_count(shop: EmbeddedTier) -> None:
    """ "add 3 sets of the 12-53": the acoustic strings (the only ones in 12-53), one pack
    of 3 Sets (not three of them), not a sum the shop cannot help with."""
    s = shown(MUSIC, "strings-ac", "strings-el")
    nlu, plan = planned(shop, "add 3 sets of the 12-53", s, "add_to_cart")
    assert [c.name for c in plan.calls] == ["add_to_cart"], plan
    args = plan.calls[0].args
    assert args["product_id"] == "strings-ac" and args["quantity"] == 1, args
    assert dict(args["options"]) == {"Gauge": "12-53 Light", "Pack": "3 Sets"}, args


def test_three_of_a_pack_of_one_is_a_quantity(shop: EmbeddedTier) -> None:
    s = shown(MUSIC, "strings-ac")
    _, plan = planned(shop, "add 3 of the 12-53 in 1 set", s, "add_to_cart")
    assert plan.calls and plan.calls[0].args["quantity"] == 3, plan


def test_a_value_only_one_shown_product_comes_in_picks_it(shop: EmbeddedTier) -> None:
    """ "the 10-46 pls" with both strings shown: the electric ones, in 10-46."""
    s = shown(MUSIC, "strings-ac", "strings-el")
    nlu, plan = planned(shop, "the 10-46 pls", s, "refine", 0.5)
    assert [(c.name, c.args["product_id"]) for c in plan.calls] == [("add_to_cart", "strings-el")]
    assert dict(plan.calls[0].args["options"]) == {"Gauge": "10-46 Regular"}, plan
    assert only_option_values("the 10-46 pls", {"gauge": ["9-42 Super Light", "10-46 Regular"]})


def test_a_value_written_like_a_sum_is_no_sum() -> None:
    assert off_topic("add 3 sets of the 12-53", set(), set(), {"12-53"}) is None
    assert off_topic("what is 12-53", set(), set(), {"11-52"}) == "subject"


def test_the_cheapest_of_a_word_search_is_of_the_thing_named(shop: EmbeddedTier) -> None:
    """ "cheapest amp" matched by words (a cable tagged "jack" beside the amp): the
    cheapest amp is named, not the cable that is cheaper."""
    shop.model = Reads("search", 0.9)
    s = DialogueState()
    nlu = shop.understand("cheapest amp", s)
    s = shop.update_state(s, nlu)
    cards = [
        {"id": "cable", "title": "Braided Instrument Cable", "price": "14.00", "currency": "USD"},
        {"id": "amp", "title": "Voltline Practice Amp", "price": "89.00", "currency": "USD"},
        {"id": "big-amp", "title": "Voltline Stage Amp", "price": "249.00", "currency": "USD"},
    ]
    found = searched(cards, {"query": "amp"}, total=3, filters={"query": "amp"})
    reply, after = shop.respond(nlu, s, [found])
    assert reply.text.startswith("The cheapest amp here is Voltline Practice Amp at $89.00"), (
        reply.text
    )
    assert after.last_shown[0] == "amp", after.last_shown  # "the first one" is that amp


@pytest.mark.parametrize("text", ["which size is best for a kid", "what gauge should i get"])
def test_a_question_of_a_choice_of_the_one_in_play_reads_its_page(
    shop: EmbeddedTier, text: str
) -> None:
    """Read as small talk by the model: a question of the one product in play's own
    choices (its sizes, its gauge) is a question about it, not out of scope."""
    nlu, plan = planned(shop, text, shown(MUSIC, "strings-ac"), "out_of_scope", 0.9)
    assert nlu.intent == "product_details", nlu
    assert [(c.name, c.args) for c in plan.calls] == [
        ("get_product", {"product_id": "strings-ac"})
    ], plan


def test_an_option_the_product_lacks_is_said_in_the_shoppers_word() -> None:
    said = answer("what finish does it come in", _page("strings-ac"))
    assert (
        said
        == "The product page doesn't say anything about finish for Bronze Acoustic Guitar Strings."
    ), said


def test_removing_what_is_not_in_the_cart_says_so(shop: EmbeddedTier) -> None:
    nlu, _ = planned(shop, "remove the picks", DialogueState(), "remove_from_cart")
    cart = ToolOutcome(
        name="view_cart",
        args={},
        ok=True,
        content={
            "lines": [{"product_id": "cable", "title": "Braided Instrument Cable", "quantity": 1}],
            "total": "14.00",
            "currency": "USD",
        },
    )
    reply, _ = shop.respond(nlu, DialogueState(), [cart])
    assert reply.text.startswith("I don't see picks in your cart. You have 1 item"), reply.text
    nlu, _ = planned(shop, "remove the second one", DialogueState(), "remove_from_cart")
    reply, _ = shop.respond(nlu, DialogueState(), [cart])
    assert reply.text.startswith("You have 1 item"), reply.text  # points, names nothing


def test_a_rare_english_spelling_of_the_shops_word_is_read_as_it() -> None:
    """ "ukelele" is in the English word list, barely (a variant): in a shop that sells
    ukuleles it is read as "ukulele"; a common word one slip off a shop word stays."""
    from shopagent.agent.embedded import Lexicon
    from shopagent.agent.embedded._lexicon import SpellFixer

    fix = SpellFixer(Lexicon({"category": ["Ukuleles", "Boots"]}), set(), {"ukulele", "boots"})
    assert fix("any ukelele?") == "any ukulele?"
    assert fix("boats") == "boats"


def test_a_comparison_naming_another_kind_is_a_search_for_it(shop: EmbeddedTier) -> None:
    """ "left handed electric guitar" with only the strings shown, read as a comparison:
    the left-handed electric guitars are searched, not the strings' page read."""
    nlu, plan = planned(shop, "left handed electric guitar", shown(MUSIC, "strings-ac"), "compare")
    assert nlu.intent == "search" and nlu.slots.category == "Electric Guitars", nlu
    assert [c.name for c in plan.calls][:1] == ["catalog_search"], plan


def test_a_comparison_of_two_titles_before_any_search_compares_them(encode: object) -> None:
    """The kinds named are the titles' own: the two compared, not a search for them."""
    titled = _tier(MUSIC, encode, Reads("compare", 0.9), titles=True)
    text = (
        "what's the difference between the Harbor Dreadnought Acoustic Guitar and the "
        "Voltline S-Style Electric Guitar?"
    )
    _, plan = planned(titled, text, DialogueState(), "compare")
    assert [(c.name, c.args) for c in plan.calls] == [
        ("compare_products", {"product_ids": ["dread", "strat"]})
    ], plan
