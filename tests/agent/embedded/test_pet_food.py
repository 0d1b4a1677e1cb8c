"""A pet shop: dog food by Flavour and Bag Size with one flavour sold out, harnesses
sized by letter and chest range. "do u have lamb dog food" is answered with the lamb
being sold out (not "I dropped the flavour"), and "when will lamb be back" is a question
about the food that comes in lamb, not small talk. The intent model is a stub (the model
boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import EmbeddedTier, NLUResult, Slots, ToolOutcome
from shopagent.agent.embedded._parse import parse

from .mini_shop import planned, product, searched, shown
from .mini_shop import shop_tier as _tier

PETS = [
    product(
        "dogfood",
        "Grain Free Adult Dog Food",
        "Pet Supplies > Dog Food",
        Flavour=["Salmon", "Chicken", "Lamb"],
        **{"Bag Size": ["2kg", "6kg", "12kg"]},
    ),
    product("puppy", "Puppy Food Small Breed", "Pet Supplies > Dog Food", **{"Bag Size": ["4kg"]}),
    product(
        "harness",
        "No-Pull Dog Harness",
        "Pet Supplies > Walking",
        size=["XS (30-40cm)", "S (40-55cm)", "M (55-70cm)"],
        color=["Red", "Teal"],
    ),
    product(
        "catfood",
        "Wet Cat Food Pouches 12 Pack",
        "Pet Supplies > Cat Food",
        Flavour=["Fish Selection", "Meat Selection"],
    ),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(PETS, encode, None, titles=True)


@pytest.mark.parametrize("reads", ["out_of_scope", "order_status", "greeting"])
def test_when_an_option_is_back_asks_of_the_product_that_has_it(
    shop: EmbeddedTier, reads: str
) -> None:
    s = shown(PETS, "dogfood", "puppy")
    nlu, plan = planned(shop, "when will lamb be back", s, reads, 0.5)
    assert nlu.intent == "product_details", nlu
    assert [c.args for c in plan.calls] == [{"product_id": "dogfood"}], plan


def _card(p: dict[str, object]) -> dict[str, object]:
    variants = p["variants"]
    assert isinstance(variants, list)
    names = list(variants[0]["options"])
    return {
        "id": p["id"],
        "title": p["title"],
        "price": "14.00",
        "currency": "USD",
        "options": {k: list(dict.fromkeys(v["options"][k] for v in variants)) for k in names},
    }


def test_a_flavour_the_food_comes_in_but_is_sold_out_is_said_sold_out(
    shop: EmbeddedTier,
) -> None:
    asked = {"category": "Dog Food", "options": {"flavour": "Lamb"}}
    nlu = NLUResult(
        intent="search",
        confidence=0.9,
        slots=Slots(category="Dog Food", options={"flavour": "Lamb"}),
        text="do u have lamb dog food",
    )
    state = shop.update_state(shown(PETS), nlu)
    none = searched([], {"query": "dog food", **asked}, filters={**asked, "in_stock": True})
    cards = [_card(p) for p in PETS[:2]]
    relaxed = searched(
        cards,
        {"query": "dog food", "category": "Dog Food"},
        filters={"category": "Dog Food", "in_stock": True},
    )
    reply, after = shop.respond(nlu, state, [none, relaxed])
    assert reply.text.startswith(
        "Grain Free Adult Dog Food comes in Lamb, but it's sold out in Lamb right now."
    ), reply.text
    assert "dropped" not in reply.text
    # what was shown is what a refinement narrows: the flavour is no longer a filter
    assert "options" not in after.filters, after.filters
    # a value no product found has: still "I dropped" (it is no sold-out flavour)
    asked = {"category": "Dog Food", "options": {"flavour": "Duck"}}
    none = searched([], {"query": "dog food", **asked}, filters={**asked, "in_stock": True})
    reply, _ = shop.respond(nlu, shop.update_state(shown(PETS), nlu), [none, relaxed])
    assert "dropped the flavour (Duck)" in reply.text, reply.text


def _page(p: dict[str, object], sold_out: tuple[str, ...] = ()) -> dict[str, object]:
    variants = p["variants"]
    assert isinstance(variants, list)
    return {
        **p,
        "price": "24.00",
        "currency": "USD",
        "description": "Padded harness with front and back clips.",
        "variants": [
            {**v, "available": not any(x in v["options"].values() for x in sold_out)}
            for v in variants
        ],
    }


def _harness_page() -> ToolOutcome:
    return ToolOutcome(
        name="get_product",
        args={"product_id": "harness"},
        ok=True,
        content={"product": _page(PETS[2])},
    )


@pytest.mark.parametrize(
    ("text", "reads", "said"),
    [
        (
            "what size for a 62cm chest",
            "search",
            "For a 62cm chest, No-Pull Dog Harness in M (55-70cm).",
        ),
        (
            "her chest is 45 cm, which size should i get",
            "refine",
            "For a 45cm chest, No-Pull Dog Harness in S (40-55cm).",
        ),
        (
            "my dog is 95cm round the chest, will it fit",
            "add_to_cart",
            "None of No-Pull Dog Harness's sizes is made for a 95cm chest: XS (30-40cm), "
            "S (40-55cm) and M (55-70cm).",
        ),
    ],
)
def test_a_measure_is_answered_with_the_size_whose_range_takes_it(
    shop: EmbeddedTier, text: str, reads: str, said: str
) -> None:
    s = shown(PETS, "harness", "dogfood")
    nlu, plan = planned(shop, text, s, reads, 0.6)
    assert nlu.intent == "product_details", nlu
    assert [c.args for c in plan.calls] == [{"product_id": "harness"}], plan
    page = _harness_page()
    reply, after = shop.respond(nlu, shop.update_state(s, nlu), [page])
    assert reply.text == said, reply.text


def test_the_size_told_is_the_one_added(shop: EmbeddedTier) -> None:
    """ "what size for a 62cm chest" -> M; "add it in teal": the teal M (not "which size?")."""
    s = shown(PETS, "harness", "dogfood")
    nlu, _ = planned(shop, "what size for a 62cm chest", s, "search")
    page = _harness_page()
    _, after = shop.respond(nlu, shop.update_state(s, nlu), [page])
    nlu, plan = planned(shop, "add it in teal", after, "add_to_cart")
    args = plan.calls[0].args
    assert args["product_id"] == "harness", args
    chosen = {**(args.get("options") or {}), **{k: args[k] for k in ("size", "color") if k in args}}
    assert {str(v) for v in chosen.values()} == {"M (55-70cm)", "Teal"}, args


def test_a_search_that_gives_a_measure_says_the_size_that_takes_it(shop: EmbeddedTier) -> None:
    nlu = NLUResult(intent="search", confidence=0.9, text="a harness, she has a 62cm chest")
    state = shop.update_state(shown(PETS), nlu)
    found = searched([_card(PETS[2]), _card(PETS[1])], {"query": "harness"}, filters={})
    reply, _ = shop.respond(nlu, state, [found])
    assert reply.text.endswith("For a 62cm chest, No-Pull Dog Harness in M (55-70cm)."), reply


def test_a_value_and_a_count_of_packs_adds_that_many(shop: EmbeddedTier) -> None:
    """ "fish please, 2 packs" with the cat food in play: two of the fish one (never "we
    don't carry packs"); "the 3 pack" stays a kind of a product, not three of it."""
    s = shown(PETS, "catfood")
    s.focus = "catfood"
    nlu, plan = planned(shop, "fish please, 2 packs", s, "search", 0.96)
    assert nlu.intent == "add_to_cart" and "not_carried" not in nlu.notes, nlu
    args = plan.calls[0].args
    assert args["quantity"] == 2 and "Fish Selection" in str(args), args
    assert parse("the 3 pack").quantity is None and parse("3 bags of the 6kg").quantity == 3
