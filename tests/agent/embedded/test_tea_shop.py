"""A tea shop: weights and formats as options ("250g", "Tea Bags"), accessories named by
their titles and not by a category ("Bamboo Matcha Whisk"), and shoppers who answer with
a bare option value ("250g pls"). The intent model is a stub (the model boundary); the
text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, ToolOutcome
from shopagent.agent.embedded._answers import answer, said_options
from shopagent.agent.embedded._guards import answer_option

from .mini_shop import Reads, planned, product, shown
from .mini_shop import shop_tier as _tier

TEAS = [
    product(
        "earl-grey",
        "Earl Grey Supreme",
        "Tea > Black Tea",
        Weight=["50g", "100g", "250g"],
        Format=["Loose Leaf", "Tea Bags"],
    ),
    product("chamomile", "Chamomile Flowers", "Tea > Herbal Tea", Weight=["50g", "100g"]),
    product("matcha", "Ceremonial Matcha", "Tea > Matcha", Grade=["Ceremonial", "Culinary"]),
    product("whisk", "Bamboo Matcha Whisk", "Tea > Tea Accessories", color=["Natural"]),
    product("glass-pot", "Glass Teapot with Infuser", "Kitchen > Teapots", color=["Clear"]),
    product("iron-pot", "Cast Iron Teapot", "Kitchen > Teapots", color=["Black", "Green"]),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(TEAS, encode, Reads("add_to_cart", 0.95))


def _plan(shop: EmbeddedTier, text: str, s: DialogueState, reads: str = "add_to_cart") -> list:
    return [(c.name, c.args) for c in planned(shop, text, s, reads)[1].calls]


@pytest.mark.parametrize(
    ("text", "query"), [("add a whisk too", "whisk"), ("add a matcha whisk", "matcha whisk")]
)
def test_adding_a_thing_the_one_in_focus_is_not_searches_for_it(
    shop: EmbeddedTier, text: str, query: str
) -> None:
    calls = _plan(shop, text, shown(TEAS, "matcha"))
    assert calls == [("catalog_search", {"query": query})], calls


def test_adding_the_kind_in_focus_adds_it(shop: EmbeddedTier) -> None:
    calls = _plan(shop, "add a teapot too", shown(TEAS, "iron-pot"))
    assert [c[0] for c in calls] == ["add_to_cart"] and calls[0][1]["product_id"] == "iron-pot"


def test_a_colour_with_a_title_s_words_picks_the_product_and_its_variant(
    shop: EmbeddedTier,
) -> None:
    calls = _plan(shop, "add the black cast iron one", shown(TEAS, "glass-pot", "iron-pot"))
    assert calls and calls[0][0] == "add_to_cart", calls
    assert calls[0][1]["product_id"] == "iron-pot" and calls[0][1].get("color") == "Black"


@pytest.mark.parametrize("text", ["250g pls", "ok the 250g then", "teabags please"])
def test_a_bare_option_value_of_the_one_in_play_adds_it_in_that_option(
    shop: EmbeddedTier, text: str
) -> None:
    calls = _plan(shop, text, shown(TEAS, "earl-grey"), reads="search")
    assert [c[0] for c in calls] == ["add_to_cart"], calls
    assert calls[0][1]["product_id"] == "earl-grey"
    assert set(dict(calls[0][1]["options"]).values()) & {"250g", "Tea Bags"}, calls


def test_a_question_with_an_option_value_is_still_a_question(shop: EmbeddedTier) -> None:
    shop.model = Reads("product_details", 0.95)
    nlu = shop.understand("is the 250g in stock?", shown(TEAS, "earl-grey"))
    assert nlu.intent == "product_details", nlu


def test_a_greeting_is_not_the_thing_asked_for(shop: EmbeddedTier) -> None:
    shop.model = Reads("search", 0.95)
    nlu = shop.understand("hiya! something to help me sleep?", DialogueState())
    assert "not_carried" not in nlu.notes, nlu.notes


def test_one_value_left_is_offered_and_a_yes_takes_it(shop: EmbeddedTier) -> None:
    shop.model = Reads("add_to_cart", 0.95)
    s = shown(TEAS, "earl-grey")
    nlu = shop.understand("250g pls", s)
    failed = ToolOutcome(
        name="add_to_cart",
        args={"product_id": "earl-grey", "quantity": 1, "options": {"Weight": "250g"}},
        ok=False,
        error_code="option_required",
        error_details={"option": "format", "values": ["Loose Leaf"], "chosen": {"weight": "250g"}},
    )
    reply, s = shop.respond(nlu, s, [failed])
    assert reply.text == (
        "Earl Grey Supreme in 250g is only available in Loose Leaf (format). Add it in Loose Leaf?"
    )
    assert answer_option("yes please", s.extra["pending_option"]) == "Loose Leaf"
    two = {"values": ["Loose Leaf", "Tea Bags"]}
    assert answer_option("yes please", two) is None  # a yes chooses nothing of two


def test_what_is_in_a_product_is_its_page_s_own_words() -> None:
    box = {"title": "Sampler Box", "description": "Ten 10g pouches of best sellers. In a box."}
    said = answer("whats in the sampler box", box) or ""
    assert said.startswith('The product page says: "Ten 10g pouches of best sellers.'), said
    assert "Ten 10g" not in (answer("what is in stock?", box) or "")


def test_a_value_written_as_one_word() -> None:
    assert said_options("teabags pls", {"Format": ["Loose Leaf", "Tea Bags"]}) == {
        "Format": "Tea Bags"
    }


def test_a_product_described_says_what_it_is_and_its_choices(shop: EmbeddedTier) -> None:
    shop.model = Reads("product_details", 0.95)
    s = shown(TEAS, "earl-grey", "matcha")
    nlu = shop.understand("tell me more about the earl grey", s)
    page = ToolOutcome(
        name="get_product",
        args={"product_id": "earl-grey"},
        ok=True,
        content={
            "product": {
                **TEAS[0],
                "price": "7.50",
                "currency": "USD",
                "description": "<p>Black tea with bergamot. Caffeine: high.</p>",
            }
        },
    )
    reply, _ = shop.respond(nlu, shop.update_state(s, nlu), [page])
    assert reply.text == (
        "Earl Grey Supreme by Earl, $7.50. Black tea with bergamot. Weight: 50g, 100g, 250g."
        " Format: Loose Leaf, Tea Bags. In stock."
    ), reply.text


def test_a_gift_tool_s_products_are_kept_as_a_search_s(shop: EmbeddedTier) -> None:
    """The products a plugin tool's reply showed (gift ideas) carry their titles and prices:
    "what's the cheapest?" next picks one, not "which product do you mean?"."""
    from shopagent.agent.embedded._tier import _shown_by_a_tool

    cards = [
        {"id": "whisk", "title": "Bamboo Matcha Whisk", "price": "14.00", "currency": "USD"},
        {"id": "glass-pot", "title": "Glass Teapot with Infuser", "price": "28.00"},
    ]
    done = [ToolOutcome(name="gift_ideas", args={}, ok=True, content={"products": cards})]
    s = _shown_by_a_tool(DialogueState(), ["whisk", "glass-pot"], done)
    assert s.last_shown == ["whisk", "glass-pot"]
    assert s.shown["whisk"]["title"] == "Bamboo Matcha Whisk" and s.shown["whisk"]["price"]
    nlu, plan = planned(shop, "whats the cheapest", s, "product_details", 0.74)
    assert [(c.name, c.args) for c in plan.calls] == [("get_product", {"product_id": "whisk"})]


def test_left_handed_is_no_stock_question() -> None:
    pens = {
        "title": "Quick-Dry Gel Pens",
        "description": "Smooth quick-dry ink. Great for left-handers.",
        "variants": [{"options": {"color": "Black"}, "available": True, "quantity": 5}],
    }
    assert answer("i'm left handed, are these ok?", pens) == (
        'The product page says: "Great for left-handers."'
    )
    assert (answer("any left?", pens) or "").startswith("Yes, Quick-Dry Gel Pens is in stock")


def test_a_cart_line_named_in_the_plural_is_the_one_removed(shop: EmbeddedTier) -> None:
    s = DialogueState()
    s.extra["cart"] = [
        {"product_id": "whisk", "title": "Bamboo Matcha Whisk", "quantity": 1},
        {"product_id": "glass-pot", "title": "Glass Teapot with Infuser", "quantity": 1},
    ]
    nlu, plan = planned(shop, "remove the teapots", s, "remove_from_cart")
    assert [(c.name, c.args.get("product_id")) for c in plan.calls] == [
        ("remove_from_cart", "glass-pot")
    ], plan
