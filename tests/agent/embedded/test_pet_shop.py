"""A pet shop: categories named by whom they are for ("Cat Food", "Dog Toys"), products that
come in no colour, and a shopper who asks about "it" over a list ("does it go in the
dishwasher?") or picks by an option value ("add the 4kg one"). The intent model is a stub
(the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

from typing import Any

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, ToolOutcome

from .mini_shop import Reads, pages, product, shown
from .mini_shop import shop_tier as _tier

PETS = [
    product("f-1", "Whiskerly Senior Cat Food Turkey", "Pets > Cat Food", size=["1.5kg", "4kg"]),
    product("f-2", "Whiskerly Kitten Wet Food Tuna", "Pets > Cat Food", size=["12 x 85g"]),
    product("f-3", "Trailmix Adult Dog Food Chicken", "Pets > Dog Food", size=["2kg", "6kg"]),
    product("t-1", "Chompz Indestructible Chew Bone", "Pets > Dog Toys", size=["S", "M", "L"]),
    product("t-2", "Chompz Plush Squeaky Fox", "Pets > Dog Toys", size=["S", "L"]),
    product("t-3", "Whiskerly Feather Wand", "Pets > Cat Toys", color=["Mixed"]),
    product(
        "h-1",
        "Pawtrek No-Pull Dog Harness",
        "Pets > Dog Harnesses",
        size=["S", "M", "L"],
        color=["Red", "Navy"],
    ),
]
PAGES = {
    "t-1": "Tough rubber chew toy for power chewers. Dishwasher safe.",
    "t-2": "Soft plush fox with two squeakers. Not for heavy chewers.",
    "f-1": "Dry food for cats over 7 years, gentle on kidneys.",
    "f-2": "Wet food for kittens.",
}


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(PETS, encode, Reads("search", 0.95))


def _shown(*ids: str) -> DialogueState:
    return shown(PETS, *ids)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("food for my old cat", "Cat Food"),
        ("any toys for our dogs?", "Dog Toys"),  # "toys" alone: cat toys or dog toys
        ("something for my cat", None),  # no "cat something"
        ("a dog harness for a puppy", "Dog Harnesses"),  # no "puppy harness": as it reads
    ],
)
def test_a_category_named_by_whom_it_is_for(
    shop: EmbeddedTier, text: str, category: str | None
) -> None:
    slots = shop.extract_slots(text, "search")
    assert slots.category == category, slots


def test_a_singular_leaf_is_said_as_products_in_it() -> None:
    from shopagent.agent.embedded._phrases import _describe

    said = {
        leaf: _describe({"category": f"Shop > {leaf}"})[0]
        for leaf in ("Cat Food", "Laptop", "Dog Toys", "Dresses", "Bedding")
    }
    assert said == {  # never "2 cat food match"
        "Cat Food": "products in Cat Food",
        "Laptop": "products in Laptop",
        "Dog Toys": "dog toys",
        "Dresses": "dresses",
        "Bedding": "products in Bedding",
    }


def _pages(*ids: str) -> list[ToolOutcome]:
    return pages(PETS, PAGES, *ids)


@pytest.mark.parametrize(
    ("text", "shown", "answer", "pick"),
    [
        ("does it go in the dishwasher?", ("t-1", "t-2"), '"Dishwasher safe."', "t-1"),
        ("is it good for kidneys?", ("f-1", "f-2"), '"Dry food for cats', "f-1"),
    ],
)
def test_a_question_about_it_over_a_list_is_answered_by_the_page_that_says(
    shop: EmbeddedTier, text: str, shown: tuple[str, ...], answer: str, pick: str
) -> None:
    shop.model = Reads("product_details", 0.9)
    s = _shown(*shown)
    nlu = shop.understand(text, s)
    s = shop.update_state(s, nlu)
    plan = shop.plan(nlu, s)
    assert [(c.name, c.args["product_id"]) for c in plan.calls] == [
        ("get_product", i) for i in shown
    ], plan
    reply, after = shop.respond(nlu, s, _pages(*shown))
    assert answer in reply.text and reply.product_ids == [pick], reply
    assert after.focus == pick  # "how much is it?" next is that one


def test_a_question_no_page_answers_asks_which_one(shop: EmbeddedTier) -> None:
    shop.model = Reads("product_details", 0.9)
    s = _shown("t-1", "t-2")
    nlu = shop.understand("is it waterproof?", s)
    s = shop.update_state(s, nlu)
    reply, after = shop.respond(nlu, s, _pages("t-1", "t-2"))
    assert reply.text.startswith("Which") and not reply.product_ids and after.focus is None
    # price and stock tell no product of a list apart: asked which, no pages read
    nlu = shop.understand("how much is it?", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert not plan.calls and plan.reply and plan.reply.startswith("Which"), plan


@pytest.mark.parametrize(
    ("text", "shown", "args"),
    [
        ("add the 4kg one", ("f-1", "f-2", "f-3"), {"product_id": "f-1", "size": "4kg"}),
        (
            "add the navy one in medium",
            ("t-1", "t-2", "h-1"),
            {"product_id": "h-1", "size": "M", "color": "Navy"},
        ),
    ],
)
def test_an_option_value_only_one_shown_product_offers_picks_it(
    shop: EmbeddedTier, text: str, shown: tuple[str, ...], args: dict[str, Any]
) -> None:
    shop.model = Reads("add_to_cart", 0.95)
    s = _shown(*shown)
    nlu = shop.understand(text, s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert [c.name for c in plan.calls] == ["add_to_cart"], plan
    assert {k: plan.calls[0].args.get(k) for k in args} == args, plan


def test_an_option_value_several_shown_products_offer_asks_which(shop: EmbeddedTier) -> None:
    shop.model = Reads("add_to_cart", 0.95)
    s = _shown("t-1", "t-2")  # both come in L
    nlu = shop.understand("add the large one", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert not plan.calls and plan.reply and "Which one" in plan.reply, plan
    assert all(s.shown[i]["title"] in plan.reply for i in ("t-1", "t-2")), plan  # by name


def test_no_colour_question_over_products_that_come_in_no_colour() -> None:
    from shopagent.agent.embedded._phrases import _clarify

    facets = {"color": {"Grey": 3, "Mixed": 2}, "brand": {"Whiskerly": 4, "Trailmix": 2}}
    food = [{"colors": []}, {"colors": []}, {"colors": ["Mixed"]}]
    asked = _clarify(facets, {}, food)
    assert asked is not None and asked[0].startswith("Any brand"), asked
    beds = [{"colors": ["Grey"]}, {"colors": ["Cream", "Grey"]}, {"colors": []}]
    asked = _clarify(facets, {}, beds)
    assert asked is not None and asked[0].startswith("Any colour"), asked


def test_a_turn_that_starts_by_buying_adds_the_one_in_focus_in_its_options(
    shop: EmbeddedTier,
) -> None:
    # the model reads "add red medium" as a refinement: it names values, and starts by buying
    shop.model = Reads("refine", 0.87)
    s = _shown("h-1")
    nlu = shop.understand("add red medium", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert [(c.name, c.args.get("color"), c.args.get("size")) for c in plan.calls] == [
        ("add_to_cart", "Red", "M")
    ], plan
    # values alone still refine the search
    nlu = shop.understand("red medium", s)
    assert nlu.intent == "refine", nlu


def test_adding_another_kind_of_product_searches_for_it_first(shop: EmbeddedTier) -> None:
    shop.model = Reads("add_to_cart", 0.9)
    s = _shown("h-1")  # a harness in focus
    nlu = shop.understand("add a dog toy", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert [(c.name, c.args.get("category")) for c in plan.calls] == [
        ("catalog_search", "Dog Toys")
    ], plan
    # the kind in play is the product in play
    nlu = shop.understand("add the dog harness", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert [(c.name, c.args.get("product_id")) for c in plan.calls] == [("add_to_cart", "h-1")]


def test_a_measure_filters_without_a_category_in_play(shop: EmbeddedTier) -> None:
    # "ok 4kg then" after a search for food of no one category: the size, not dropped as a
    # word few of the shop's sized categories use ("small loveseat" still is)
    slots = shop.extract_slots("ok 4kg then", "refine")
    assert slots.size == "4kg", slots


def test_a_need_said_in_words_is_no_removal_from_the_cart(shop: EmbeddedTier) -> None:
    shop.model = Reads("remove_from_cart", 0.45)  # as the demo's model read it
    nlu = shop.understand("my puppy chews the sofa legs, what can i do", DialogueState())
    assert nlu.intent == "search", nlu
    for text in ("take the harness out", "forget the plush squeaky fox"):
        nlu = shop.understand(text, _shown("h-1"))
        assert nlu.intent == "remove_from_cart", nlu


@pytest.mark.parametrize(
    "text",
    [
        "do you ship to canada?",
        "what's your return policy",
        "how long does delivery take?",
        "can i return it if it doesn't fit?",
    ],
)
def test_the_shops_policies_are_not_the_catalogs_to_answer(shop: EmbeddedTier, text: str) -> None:
    shop.model = Reads("search", 0.7)
    s = _shown("t-1", "t-2")
    nlu = shop.understand(text, s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert not plan.calls and plan.reply and "help pages" in plan.reply, plan


def test_a_bare_need_is_a_request_for_that_thing(shop: EmbeddedTier) -> None:
    # "also need poop bags" over a list, read as a refinement with nothing to refine by
    shop.model = Reads("refine", 0.8)
    s = _shown("f-1", "f-2")
    nlu = shop.understand("also need poop bags", s)
    assert nlu.notes.get("not_carried") == "poop bags", nlu


@pytest.mark.parametrize(
    "text", ["my cat scratches the sofa", "my puppy keeps chewing my shoes, help"]
)
def test_a_need_is_searched_by_meaning_not_declared_not_carried(
    shop: EmbeddedTier, text: str
) -> None:
    shop.model = Reads("search", 0.9)
    nlu = shop.understand(text, DialogueState())
    plan = shop.plan(nlu, shop.update_state(DialogueState(), nlu))
    assert "not_carried" not in nlu.notes and plan.calls, (nlu, plan)
    assert plan.calls[0].name == "catalog_search" and "category" not in plan.calls[0].args


def test_which_is_better_with_one_product_shown_is_a_question_about_it(
    shop: EmbeddedTier,
) -> None:
    from shopagent.agent.embedded._answers import answer

    shop.model = Reads("compare", 0.45)
    s = _shown("t-1")
    nlu = shop.understand("which is better for an older dog?", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert [(c.name, c.args.get("product_id")) for c in plan.calls] == [("get_product", "t-1")]
    # "old" finds "older" on the page; "better" asks nothing of it
    bed = {"id": "b", "title": "Snoozeden Bed", "description": "Memory foam for older dogs."}
    assert answer("is it better for an old labrador?", bed) == (
        'The product page says: "Memory foam for older dogs."'
    )


def test_option_values_the_product_in_focus_lacks_pick_the_one_that_has_them(
    shop: EmbeddedTier,
) -> None:
    shop.model = Reads("add_to_cart", 0.95)
    s = _shown("t-1", "t-2", "h-1")
    s.focus = "t-1"  # a chew bone: sizes only
    nlu = shop.understand("ok add the navy one in medium", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert [(c.args.get("product_id"), c.args.get("color")) for c in plan.calls] == [
        ("h-1", "Navy")
    ], plan
    # values the one in focus has: that one
    nlu = shop.understand("add it in medium", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert [c.args.get("product_id") for c in plan.calls] == ["t-1"], plan
