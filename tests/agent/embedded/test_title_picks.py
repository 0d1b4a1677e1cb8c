"""A coffee roaster's shop: a product of the list picked by a word of its title ("the
sidamo one", "add the huila one", "the ethiopian one" when two are Ethiopian), and option
values that hold a colour word ("matte black" is a finish, not also the colour black). The
intent model is a stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

from typing import Any

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier

from .mini_shop import Reads, product
from .mini_shop import shop_tier as _tier

BEANS = "Coffee > Coffee Beans"
ROASTER = [
    product("b-1", "Sidamo Natural Ethiopia Coffee Beans", BEANS, size=["250g", "1kg"]),
    product("b-2", "Huila Colombia Coffee Beans", BEANS, size=["250g", "1kg"]),
    product("b-3", "Swiss Water Decaf Peru Coffee Beans", BEANS, size=["250g"]),
    product("b-4", "Yirgacheffe Washed Ethiopia Coffee Beans", BEANS, size=["250g", "1kg"]),
    product(
        "g-1",
        "Millstone Conical Burr Grinder",
        "Kitchen > Grinders",
        finish=["Matte Black", "Brushed Steel", "White"],
    ),
    product("g-2", "Millstone Hand Grinder", "Kitchen > Grinders", finish=["Matte Black"]),
    product("m-1", "Kiln Stoneware Mug", "Kitchen > Mugs", color=["Black", "Sand"]),
]


def _shown(*ids: str) -> DialogueState:
    titles = {p["id"]: p["title"] for p in ROASTER}
    return DialogueState(
        last_intent="search",
        query="coffee beans",
        filters={"category": "Coffee Beans"},
        last_shown=list(ids),
        shown={i: {"title": titles[i], "price": "12.00"} for i in ids},
    )


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(ROASTER, encode, Reads("refine", 0.9))


@pytest.mark.parametrize(
    ("text", "intent", "pick"),
    [
        ("the sidamo one", "refine", "b-1"),
        ("ok the decaf one then", "search", "b-3"),
        ("is the huila one any good?", "product_details", "b-2"),
        ("add the colombian one", "add_to_cart", "b-2"),
    ],
)
def test_a_title_word_picks_that_product_of_the_list(
    shop: EmbeddedTier, text: str, intent: str, pick: str
) -> None:
    shop.model = Reads(intent, 0.9)
    s = _shown("b-1", "b-2", "b-3", "b-4")
    nlu = shop.understand(text, s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert [c.args.get("product_id") for c in plan.calls] == [pick], (nlu, plan)
    want = "add_to_cart" if intent == "add_to_cart" else "get_product"
    assert [c.name for c in plan.calls] == [want]


def test_words_that_name_several_ask_which_of_them(shop: EmbeddedTier) -> None:
    shop.model = Reads("refine", 0.9)
    s = _shown("b-1", "b-2", "b-3", "b-4")
    nlu = shop.understand("the ethiopian one", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert not plan.calls and plan.reply, plan
    assert "Sidamo" in plan.reply and "Yirgacheffe" in plan.reply and "Huila" not in plan.reply
    assert plan.quick_replies == [
        "Sidamo Natural Ethiopia Coffee Beans",
        "Yirgacheffe Washed Ethiopia Coffee Beans",
    ]


@pytest.mark.parametrize("text", ["the kenyan one", "the cheaper one", "the first one"])
def test_words_no_title_holds_are_no_pick(shop: EmbeddedTier, text: str) -> None:
    shop.model = Reads("product_details", 0.9)
    s = _shown("b-1", "b-2", "b-3")
    nlu = shop.understand(text, s)
    assert "which_of" not in nlu.notes
    if text == "the first one":  # a place in the list is read as before
        plan = shop.plan(nlu, shop.update_state(s, nlu))
        assert [c.args.get("product_id") for c in plan.calls] == ["b-1"]
    else:
        assert nlu.slots.reference in (None, "cheapest", "priciest"), nlu


def _search_args(tier: EmbeddedTier, text: str, s: DialogueState) -> dict[str, Any]:
    nlu = tier.understand(text, s)
    plan = tier.plan(nlu, tier.update_state(s, nlu))
    return dict(plan.calls[0].args)


def test_a_colour_word_inside_an_option_value_is_that_option(shop: EmbeddedTier) -> None:
    shop.model = Reads("search", 0.95)
    args = _search_args(shop, "a grinder in matte black", DialogueState())
    assert args.get("options") == {"finish": "Matte Black"} and "color" not in args, args
    # a colour alone where the category's finish holds it: the finish, not both
    grinders = DialogueState(
        last_intent="search",
        query="grinders",
        filters={"category": "Grinders"},
        last_shown=["g-1", "g-2"],
        shown={"g-1": {"title": "Millstone Conical Burr Grinder"}, "g-2": {"title": "x"}},
    )
    shop.model = Reads("refine", 0.95)
    args = _search_args(shop, "do they come in white?", grinders)
    assert args.get("options") == {"finish": "White"} and "color" not in args, args
    # where the colour is the category's own, it stays the colour
    shop.model = Reads("search", 0.95)
    args = _search_args(shop, "black mugs", DialogueState())
    assert args.get("color") == "Black" and not args.get("options"), args


def test_the_brand_ones_narrow_the_list_not_pick(shop: EmbeddedTier) -> None:
    # "ok show me the Belle Rue ones": plural, a brand filter over the list
    shop.model = Reads("refine", 0.9)
    s = _shown("b-1", "b-2", "b-3")
    nlu = shop.understand("ok show me the huila ones", s)
    assert "which_of" not in nlu.notes and nlu.slots.reference is None, nlu


def test_a_product_named_by_its_title_words_in_a_question_is_asked_about(
    shop: EmbeddedTier,
) -> None:
    grinders = DialogueState(
        last_intent="search",
        query="grinders",
        filters={"category": "Grinders"},
        last_shown=["g-1", "g-2"],
        shown={
            "g-1": {"title": "Millstone Conical Burr Grinder"},
            "g-2": {"title": "Millstone Hand Grinder"},
        },
    )
    # the model reads "fit in a bag" as an add: a question is no write
    shop.model = Reads("add_to_cart", 0.8)
    nlu = shop.understand("does the hand grinder fit in a bag?", grinders)
    plan = shop.plan(nlu, shop.update_state(grinders, nlu))
    assert [(c.name, c.args.get("product_id")) for c in plan.calls] == [("get_product", "g-2")]
    # "it" is the product just named, not an unknown one
    shop.model = Reads("product_details", 0.9)
    nlu = shop.understand("the conical burr grinder, is it quiet?", grinders)
    plan = shop.plan(nlu, shop.update_state(grinders, nlu))
    assert [c.args.get("product_id") for c in plan.calls] == ["g-1"], plan
    # a product type both titles hold: which of them
    nlu = shop.understand("is the grinder electric?", grinders)
    assert nlu.notes.get("which_of") == ["g-1", "g-2"], nlu


def test_a_question_answered_from_the_page_before_the_merchants_tags() -> None:
    from shopagent.agent.embedded._answers import answer

    kettle = {
        "id": "k-2",
        "title": "Pourwell Stovetop Kettle",
        "description": "Stovetop pour-over kettle, 1 l. Works on induction hobs.",
        "attributes": {"tags": ["kettle", "induction"]},
    }
    said = answer("does it work on induction?", kettle)
    assert said == 'The product page says: "Works on induction hobs."', said
    tagged = {**kettle, "description": "A stovetop kettle."}
    assert answer("does it work on induction?", tagged) == (
        "Pourwell Stovetop Kettle is listed under induction."
    )


def test_a_two_word_brand_before_ones_is_no_pick_of_its_first_word(shop: EmbeddedTier) -> None:
    # "ok show me the Belle Rue ones": "belle" alone is in a title too; still a filter
    shop.model = Reads("refine", 0.9)
    s = _shown("b-1", "b-2", "b-3", "b-4")
    nlu = shop.understand("ok show me the swiss water ones", s)
    assert "which_of" not in nlu.notes and nlu.slots.reference is None, nlu


def test_a_word_only_titles_say_is_answered_with_those_products() -> None:
    """ "do you have decaf?": no category or product type is called that, but a title says
    it; "laptops" where titles only say "Laptop Backpack" are still not carried."""
    from shopagent.agent.embedded._phrases import _not_carried

    decaf = {"id": "b-3", "title": "Swiss Water Decaf Peru Coffee Beans", "price": "13.50"}
    huila = {"id": "b-2", "title": "Huila Colombia Coffee Beans", "price": "12.00"}
    s = DialogueState()
    reply = _not_carried("decaf", [huila, decaf], s, ["Coffee Beans"])
    assert reply.text == 'Here\'s what we have for "decaf": Swiss Water Decaf Peru Coffee Beans.'
    assert reply.product_ids == ["b-3"] and s.last_shown == ["b-3"] and s.focus == "b-3"
    bag = {"id": "l-1", "title": "Urbane Laptop Backpack", "price": "59.00"}
    reply = _not_carried("laptops", [bag], DialogueState(), ["Backpacks"])
    assert reply.text.startswith("Sorry, we don't carry laptops.") and not reply.product_ids


def test_a_noun_heading_another_categorys_titles_starts_a_new_search(encode: object) -> None:
    """ "cheapest espresso machine?" while paper filters are shown: "machine" heads the
    titles of Coffee Makers, so a search of its own, not the filters narrowed."""
    shop = _tier(
        [
            *ROASTER,
            product("f-1", "Conecraft Paper Filters", "Kitchen > Coffee Filters", pack=["100"]),
            product("e-1", "Barista Pro Espresso Machine", "Kitchen > Coffee Makers"),
            product("e-2", "Conecraft French Press", "Kitchen > Coffee Makers"),
        ],
        encode,
        Reads("search", 0.9),
    )
    filters = DialogueState(
        last_intent="search",
        query="filters",
        filters={"category": "Coffee Filters"},
        last_shown=["f-1"],
        shown={"f-1": {"title": "Conecraft Paper Filters", "price": "6.50"}},
    )
    nlu = shop.understand("cheapest espresso machine?", filters)
    assert nlu.intent == "search", nlu
    args = _search_args(shop, "cheapest espresso machine?", filters)
    assert args.get("category") != "Coffee Filters" and "machine" in args["query"], args
    # a word of the filters' own titles narrows them, as before
    assert shop.understand("any paper ones?", filters).intent != "search"


def test_cheaper_said_with_the_category_shown_bounds_the_price(encode: object) -> None:
    """ "any cheaper kettle?" over the two kettles shown: kettles up to the cheaper one's
    price (the words name the category searched, so the model may read a new search)."""
    kettles = [
        product("k-1", "Pourwell Gooseneck Kettle", "Kitchen > Kettles", finish=["Copper"]),
        product("k-2", "Pourwell Stovetop Kettle", "Kitchen > Kettles", finish=["Copper"]),
    ]
    shop = _tier([*ROASTER, *kettles], encode, Reads("search", 0.9))
    s = DialogueState(
        last_intent="search",
        query="kettles",
        filters={"category": "Kettles"},
        last_shown=["k-1", "k-2"],
        shown={"k-1": {"title": "x", "price": "89.00"}, "k-2": {"title": "y", "price": "45.00"}},
    )
    args = _search_args(shop, "any cheaper kettle?", s)
    assert args.get("category") == "Kettles" and args.get("price_max") == 45.0, args
