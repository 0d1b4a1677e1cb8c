"""A skincare shop: specs said with a number after a name ("spf 50"), a shopper asking the
shop's range while products are shown ("do you have spf 50?"), and a question over a list
that two pages half answer ("is it fragrance free?": "Fragrance free." beats "Soap-free").
The intent model is a stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier

from .mini_shop import Reads, pages, product, shown
from .mini_shop import shop_tier as _tier

SKIN = [
    product("m-1", "Dewleaf Hydrating Face Cream", "Skin > Moisturizers", size=["30ml", "50ml"]),
    product("c-1", "Dewleaf Gentle Foaming Cleanser", "Skin > Cleansers", size=["150ml"]),
    product("s-1", "Sunna Kids Sunscreen SPF 30", "Skin > Sunscreen", size=["100ml"]),
    product("s-2", "Sunna Daily Sunscreen SPF 50", "Skin > Sunscreen", size=["50ml", "100ml"]),
]
PAGES = {
    "m-1": "Rich moisturiser for dry skin. Fragrance free.",
    "c-1": "Soap-free cleanser for sensitive skin.",
}


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(SKIN, encode, Reads("refine", 0.93))


def _sunscreens() -> DialogueState:
    s = shown(SKIN, "s-1", "s-2")
    s.query, s.filters = "sunscreen for my kids", {"category": "Sunscreen"}
    return s


def test_the_shops_range_asked_while_products_are_shown_is_a_new_search(
    shop: EmbeddedTier,
) -> None:
    shop.model = Reads("refine", 0.93)  # as the trained model read it
    s = _sunscreens()
    nlu = shop.understand("do you have spf 50", s)
    after = shop.update_state(s, nlu)
    assert nlu.intent == "search" and after.query == "spf 50", (nlu, after.query)
    # a value of the shop's still narrows what is shown
    nlu = shop.understand("do you have them in 50ml", s)
    assert nlu.intent == "refine" and nlu.slots.size == "50ml", nlu


def test_the_page_that_says_more_of_the_question_answers_it(shop: EmbeddedTier) -> None:
    shop.model = Reads("product_details", 0.9)
    s = shown(SKIN, "m-1", "c-1")
    nlu = shop.understand("is it fragrance free", s)
    s = shop.update_state(s, nlu)
    reply, after = shop.respond(nlu, s, pages(SKIN, PAGES, "m-1", "c-1"))
    assert reply.product_ids == ["m-1"] and '"Fragrance free."' in reply.text, reply
    assert after.focus == "m-1"


def test_a_number_after_a_name_stays_in_the_search_text() -> None:
    from shopagent.agent.embedded._schema import NLUResult
    from shopagent.agent.embedded._state import search_query

    def query(text: str) -> str:
        return search_query(NLUResult(intent="search", confidence=1.0, text=text), None)

    assert query("sunscreen spf 50") == "sunscreen spf 50"
    assert query("iphone 15") == "iphone 15"
    assert query("tees for 20") == "tees"  # a price, not a name
    assert "10" not in query("give me 10")


@pytest.mark.parametrize("text", ["add both", "i'll take them all", "add both please"])
def test_adding_several_at_once_is_explained_not_half_done(shop: EmbeddedTier, text: str) -> None:
    shop.model = Reads("add_to_cart", 0.95)
    for ids in (("m-1",), ("m-1", "c-1")):  # one shown ("both" means more) or two
        s = shown(SKIN, *ids)
        nlu = shop.understand(text, s)
        alone = shop.plan(nlu, shop.update_state(s, nlu), alone=True)
        assert not alone.calls and alone.reply and "one product at a time" in alone.reply


def test_which_one_its_name_answers(shop: EmbeddedTier) -> None:
    shop.model = Reads("compare", 0.5)
    s = shown(SKIN, "s-2", "s-1")
    nlu = shop.understand("which one is for kids?", s)
    s = shop.update_state(s, nlu)
    reply, after = shop.respond(nlu, s, pages(SKIN, PAGES, "s-2", "s-1"))
    assert reply.text == "Sunna Kids Sunscreen SPF 30 is the kids one.", reply
    assert after.focus == "s-1"


def test_the_cheapest_asked_for_comes_first_and_is_named(shop: EmbeddedTier) -> None:
    from shopagent.agent.embedded import ToolOutcome

    shop.model = Reads("search", 0.95)
    nlu = shop.understand("cheapest sunscreen?", DialogueState())
    s = shop.update_state(DialogueState(), nlu)
    cards = [
        {"id": "s-2", "title": "Sunna Daily Sunscreen SPF 50", "price": "27.00", "currency": "USD"},
        {"id": "s-1", "title": "Sunna Kids Sunscreen SPF 30", "price": "25.20", "currency": "USD"},
    ]
    found = ToolOutcome(
        name="catalog_search",
        args={"query": "sunscreen", "category": "Sunscreen"},
        ok=True,
        content={"products": cards, "total": 2, "filters_applied": {"category": "Sunscreen"}},
    )
    reply, after = shop.respond(nlu, s, [found])
    assert reply.text.startswith(
        "The cheapest product in Sunscreen is Sunna Kids Sunscreen SPF 30 at $25.20."
    ), reply
    assert reply.product_ids == after.last_shown == ["s-1", "s-2"]  # "the first one": it


def test_a_page_is_read_for_what_it_says_not_what_the_shop_files_it_under() -> None:
    from shopagent.agent.embedded._answers import answer

    retinol = {
        "id": "r",
        "title": "Glowlab Retinol Night Serum",
        "description": "0.3% retinol for fine lines. Not for use during pregnancy.",
        "attributes": {"product_category": "Health & Beauty > Skin Care > Serums"},
    }
    # "pregnant" is what "pregnancy" says
    assert answer("is it safe when pregnant", retinol) == (
        'The product page says: "Not for use during pregnancy."'
    )
    # the taxonomy path holds "skin": no answer about sensitive skin
    assert answer("is it ok for sensitive skin?", retinol) == (
        "The product page doesn't say anything about sensitive skin for "
        "Glowlab Retinol Night Serum."
    )


def test_which_is_best_for_reads_the_pages(shop: EmbeddedTier) -> None:
    shop.model = Reads("compare", 0.6)
    s = shown(SKIN, "m-1", "c-1")
    nlu = shop.understand("which is best for dry skin?", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert [c.args.get("product_id") for c in plan.calls] == ["m-1", "c-1"], plan
    reply, _ = shop.respond(nlu, shop.update_state(s, nlu), pages(SKIN, PAGES, "m-1", "c-1"))
    assert reply.product_ids == ["m-1"] and "dry skin" in reply.text, reply


def test_what_the_difference_is_when_no_attribute_tells_them_apart(shop: EmbeddedTier) -> None:
    from shopagent.agent.embedded import ToolOutcome

    shop.model = Reads("compare", 0.95)
    s = shown(SKIN, "s-1", "s-2")
    nlu = shop.understand("what's the difference between them?", s)
    s = shop.update_state(s, nlu)
    cards = [
        {"id": "s-1", "title": "Sunna Kids Sunscreen SPF 30", "price": "25.20", "currency": "USD"},
        {"id": "s-2", "title": "Sunna Daily Sunscreen SPF 50", "price": "27.00", "currency": "USD"},
    ]
    compared = ToolOutcome(
        name="compare_products",
        args={"product_ids": ["s-1", "s-2"]},
        ok=True,
        content={
            "products": cards,
            "attributes": {"brand": {"s-1": "Sunna", "s-2": "Sunna"}},
            "summaries": {"s-1": "Gentle mineral sunscreen for children.", "s-2": "Reef safe."},
        },
    )
    reply, _ = shop.respond(nlu, s, [compared])
    assert (
        "Sunna Kids Sunscreen SPF 30: Gentle mineral sunscreen for children. "
        "Sunna Daily Sunscreen SPF 50: Reef safe." in reply.text
    ), reply
    assert reply.text.endswith("The cheaper is Sunna Kids Sunscreen SPF 30."), reply
