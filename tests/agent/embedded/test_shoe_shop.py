"""A shoe shop: UK sizes with halves ("UK 7.5"), widths, slippers sized by ranges ("S (UK
4-5)"), polish and a gift card beside the shoes, and shoppers who say "a 7.5", "size 8",
"tan in size 8?", "is it cheaper in black" and "do gift cards expire?". The intent model
is a stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import EmbeddedTier, NLUResult, Slots
from shopagent.agent.embedded._answers import answer, said_options
from shopagent.agent.embedded._followups import size_not_offered, size_said

from .mini_shop import Reads, planned, product, shown
from .mini_shop import shop_tier as _tier

UK = ["UK 7", "UK 7.5", "UK 8", "UK 9"]
SHOES = [
    product("chelsea", "Leather Chelsea Boot", "Shoes > Boots", size=UK, color=["Tan", "Black"]),
    product("hiker", "Summit Hiking Boot", "Shoes > Boots", size=UK),
    product(
        "slipper",
        "Sheepskin Moccasin Slipper",
        "Shoes > Slippers",
        size=["S (UK 4-5)", "M (UK 6-7)", "L (UK 8-9)"],
    ),
    product("polish", "Premium Shoe Polish", "Shoes > Shoe Care", color=["Neutral", "Brown"]),
    product("card", "Stride Gift Card", "Gift Cards", Amount=["$25", "$50"]),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(SHOES, encode, Reads("search", 0.9), titles=True)


def _boot(sold_out: tuple[str, str]) -> dict[str, object]:
    return {
        "title": "Leather Chelsea Boot",
        "currency": "USD",
        "variants": [
            {
                "options": {"size": s, "color": c},
                "price": "185.00",
                "available": (s, c) != sold_out,
            }
            for s in UK
            for c in ("Tan", "Black")
        ],
    }


def test_a_size_is_read_by_its_number_and_never_by_the_next_word(shop: EmbeddedTier) -> None:
    assert size_said("my feet are a 7.5, do you stock that size in the hiking boots") is None
    assert size_said("ok what size should i get") is None
    assert size_said("she's a size 5") == "5"
    assert size_said("boots in size uk 8") == "uk 8"
    sizes = [m.value for m in shop.lexicon.scan("boots in size 8", []) if m.slot == "size"]
    assert sizes == ["UK 8"]
    ranges = {"size": ["S (UK 4-5)", "M (UK 6-7)"]}
    assert said_options("add the S", ranges) == {"size": "S (UK 4-5)"}
    assert said_options("it's fine", ranges) == {}


@pytest.mark.parametrize("text", ["any slippers for my mum, she's a size 5", "boots in size 7.5"])
def test_a_size_the_shop_has_under_another_name_is_offered(shop: EmbeddedTier, text: str) -> None:
    """ "size 5" of "S (UK 4-5)", "7.5" of UK 7.5: never "slippers come in ..., not 5"."""
    category = "Slippers" if "slipper" in text else "Boots"
    nlu = NLUResult(intent="search", confidence=0.9, text=text, slots=Slots(category=category))
    assert size_not_offered(shop, nlu, shown(SHOES)) is None


def test_a_size_the_shop_lacks_is_still_said() -> None:
    from shopagent.agent.embedded._followups import within_a_range

    assert within_a_range("5", ["S (UK 4-5)"]) and not within_a_range("10", ["S (UK 4-5)"])


def test_a_colour_in_a_size_is_answered_by_its_stock() -> None:
    boot = _boot(sold_out=("UK 8", "Tan"))
    assert answer("tan in size 8?", boot) == "No, Leather Chelsea Boot in Tan UK 8 is sold out."
    assert (
        answer("black in size 8?", boot) == "Yes, Leather Chelsea Boot in Black UK 8 is in stock."
    )
    assert answer("what sizes does it come in", boot) == (
        "Leather Chelsea Boot comes in sizes: UK 7, UK 7.5, UK 8 and UK 9."
    )
    # told once: not "No, ... is sold out. Yes, it comes in UK 8."
    assert answer("is the tan one available in uk 8", boot) == (
        "No, Leather Chelsea Boot in Tan UK 8 is sold out."
    )


def test_a_price_is_put_against_the_other_choices() -> None:
    boot = _boot(sold_out=("", ""))
    assert answer("is it cheaper in black", boot) == (
        "Leather Chelsea Boot costs $185.00 in Black, the same as in Tan."
    )
    bottle = {
        "title": "Steel Bottle",
        "currency": "USD",
        "variants": [
            {"options": {"capacity": c, "color": k}, "price": p}
            for c, p in (("500ml", "27.00"), ("1L", "35.10"))
            for k in ("Forest", "Sand")
        ],
    }
    assert answer("is the 500ml cheaper", bottle) == (
        "Steel Bottle costs $27.00 in 500ml, and $35.10 in 1L."
    )
    assert (
        answer("is it cheaper in sand", bottle)
        == "Steel Bottle costs the same in Sand as in Forest."
    )


def test_a_thing_to_go_with_the_one_bought_is_searched(shop: EmbeddedTier) -> None:
    """ "and some polish to go with it" after boots: the polish, not more boots."""
    s = shown(SHOES, "chelsea")
    s.query, s.filters = "smart boots", {"category": "Boots", "color": "Black"}
    nlu, plan = planned(shop, "and some polish to go with it", s, "refine", 0.93)
    assert nlu.intent == "search", nlu
    assert plan.calls[0].args["query"] == "polish", plan.calls
    assert "color" not in plan.calls[0].args


def test_a_question_of_a_kind_with_nothing_shown_reads_its_pages(shop: EmbeddedTier) -> None:
    """ "do gift cards expire?": the gift cards found and their page read, never "we don't
    carry gift cards expire"; "do boots come in size 9" stays a search in that size."""
    nlu, plan = planned(shop, "do gift cards expire?", shown(SHOES), "search", 0.9)
    assert nlu.intent == "product_details" and nlu.slots.category == "Gift Cards", nlu
    assert "not_carried" not in nlu.notes
    nlu, plan = planned(shop, "do boots come in size 9", shown(SHOES), "search", 0.9)
    assert nlu.intent == "search" and nlu.slots.size == "UK 9", nlu


def test_a_question_of_the_ones_named_reads_their_pages(shop: EmbeddedTier) -> None:
    """ "the boots look good, do they need breaking in" with both boots and the slipper
    shown: the boots' pages (which one says so), not "which one do you mean?"."""
    s = shown(SHOES, "chelsea", "hiker", "slipper")
    nlu, plan = planned(shop, "the boots look good, do they need breaking in", s, "search")
    assert nlu.notes.get("which_page") and "which_of" not in nlu.notes, nlu.notes
    assert [c.args["product_id"] for c in plan.calls] == ["chelsea", "hiker"], plan.calls


@pytest.mark.parametrize(
    "text", ["how much is that all together", "whats my total", "how much have i spent"]
)
def test_the_total_asked_for_is_the_carts(shop: EmbeddedTier, text: str) -> None:
    s = shown(SHOES, "chelsea")
    s.focus = "chelsea"
    nlu, plan = planned(shop, text, s, "product_details")
    assert nlu.intent == "view_cart" and [c.name for c in plan.calls] == ["view_cart"], nlu


def test_a_product_named_by_its_own_word_is_asked_of_when_not_shown(shop: EmbeddedTier) -> None:
    """ "does the polish come in brown" with the boots shown: the polish's page."""
    s = shown(SHOES, "chelsea", "hiker")
    nlu, plan = planned(shop, "does the polish come in brown", s, "product_details")
    assert plan.calls[0].args == {"product_id": "polish"}, (nlu, plan)


def test_what_a_product_fits_is_read_from_its_page_unless_an_option_says() -> None:
    """ "will the battery fit the impact driver" of a battery sold by Capacity: its page,
    never "it doesn't come in impact driver; its capacities: ..."; a case sold by Model
    answers from its models."""
    battery = {
        "title": "Torqmax 18V Battery",
        "description": "Lithium-ion battery for every Torqmax 18V tool.",
        "variants": [{"options": {"capacity": c}} for c in ("2.0Ah", "4.0Ah")],
    }
    assert answer("will the battery fit the impact driver", battery) == (
        "The product page doesn't say anything about impact driver for Torqmax 18V Battery."
    )
    case = {"title": "Rugged Case", "variants": [{"options": {"model": "Pixel 8"}}]}
    assert answer("does it fit a pixel 8", case) == "Yes, Rugged Case comes in Pixel 8."


def test_a_product_picked_with_its_size_and_a_please_is_added(shop: EmbeddedTier) -> None:
    """ "ok the chelsea one in size 8 pls": that boot in UK 8, added (the add asks which
    colour, then the shopper's yes); not its stock told."""
    s = shown(SHOES, "chelsea", "hiker")
    nlu, plan = planned(shop, "ok the chelsea one in size 8 pls", s, "product_details", 0.9)
    assert nlu.intent == "add_to_cart", nlu
    assert plan.calls[0].name == "add_to_cart", plan.calls
    assert "UK 8" in str(plan.calls[0].args), plan.calls[0].args
    nlu, _ = planned(shop, "is the chelsea one in size 8?", s, "product_details", 0.9)
    assert nlu.intent == "product_details", nlu  # asked, not added


def test_a_word_of_a_size_is_no_thing_the_shop_lacks() -> None:
    """ "do they do junior sizes" of sneakers in "Kids 12" and "Junior 1": sizes."""
    from shopagent.agent.embedded._catalog import CatalogProfile, build_profile

    kids = product("kids", "Light-Up Sneaker", "Shoes > Kids", size=["Kids 12", "Junior 1"])
    profile = CatalogProfile(build_profile([kids]))
    assert {"junior", "kids"} <= profile.value_words
