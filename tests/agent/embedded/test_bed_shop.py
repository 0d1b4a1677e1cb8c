"""A bedding shop: sizes Single to Super King, firmness and tog as options, packs of two
("2 Pillows"), and shoppers who describe themselves ("im a hot sleeper") or their
trouble ("i wake up with a sore back") before the thing. The intent model is a stub (the
model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, ToolOutcome
from shopagent.agent.embedded._answers import explain, priced_in, said_options

from .mini_shop import Reads, planned, product, searched, shown
from .mini_shop import shop_tier as _tier

SIZES = ["Single", "Double", "King"]
BEDDING = [
    product(
        "hybrid",
        "Cloudrest Hybrid Mattress",
        "Beds > Mattresses",
        size=SIZES,
        Firmness=["Medium", "Firm"],
    ),
    product("memory", "Cloudrest Memory Foam Mattress", "Beds > Mattresses", size=SIZES),
    product("kids", "Little Dreams Kids Mattress", "Beds > Mattresses", size=["Single"]),
    product("topper", "Cooling Mattress Topper", "Beds > Mattress Toppers", size=SIZES),
    product(
        "foam-pillow", "Contour Foam Pillow", "Bedding > Pillows", Pack=["1 Pillow", "2 Pillows"]
    ),
    product(
        "down-pillow", "Duck Feather Pillow", "Bedding > Pillows", Pack=["1 Pillow", "2 Pillows"]
    ),
    product(
        "duvet", "Nordlys Goose Down Duvet", "Bedding > Duvets", size=SIZES, Tog=["4.5", "13.5"]
    ),
]
# what a size costs over the Single (the variants' prices on the product pages)
_BASE = {"hybrid": "449.00", "memory": "329.00", "kids": "149.00", "foam-pillow": "39.00"}
_TIMES = {"Double": Decimal("1.3"), "King": Decimal("1.5"), "2 Pillows": Decimal("1.8")}


def _page(pid: str) -> dict[str, Any]:
    """The product page of ``pid``: its variants priced by their options."""
    p = next(p for p in BEDDING if p["id"] == pid)
    variants = []
    for v in p["variants"]:
        price = Decimal(_BASE.get(pid, "25.00"))
        for value in v["options"].values():
            price *= _TIMES.get(value, Decimal(1))
        variants.append({**v, "price": str(price.quantize(Decimal("0.01"))), "available": True})
    return {**p, "price": variants[0]["price"], "currency": "USD", "variants": variants}


def _read(calls: list[Any]) -> list[ToolOutcome]:
    """The outcomes of the planned get_product calls: each product's priced page."""
    return [
        ToolOutcome(
            name="get_product",
            args=c.args,
            ok=True,
            content={"product": _page(c.args["product_id"])},
        )
        for c in calls
    ]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(BEDDING, encode, Reads("search", 0.95))


def test_the_product_named_in_a_later_clause_is_the_one_asked_for(shop: EmbeddedTier) -> None:
    """ "i wake up with a sore back every morning, what mattress would help": the
    mattresses, not "we don't carry wakes" (the first clause's "with ..." is no thing's use)."""
    text = "i wake up with a sore back every morning, what mattress would help"
    nlu, plan = planned(shop, text, DialogueState(), "search")
    assert "not_carried" not in nlu.notes, nlu.notes
    assert plan.calls and plan.calls[0].args.get("category") == "Mattresses", plan


def test_a_thing_not_sold_is_still_said_with_a_clause_before_it(shop: EmbeddedTier) -> None:
    nlu, _ = planned(
        shop, "i'm moving house next week, do you sell hammocks", DialogueState(), "search"
    )
    assert nlu.notes.get("not_carried") == "hammocks", nlu.notes


@pytest.mark.parametrize("text", ["im a really hot sleeper any ideas", "i'm a side sleeper"])
def test_who_the_shopper_is_is_a_need_searched_by_meaning(shop: EmbeddedTier, text: str) -> None:
    nlu, plan = planned(shop, text, DialogueState(), "search")
    assert "not_carried" not in nlu.notes, nlu.notes
    assert plan.calls and plan.calls[0].name == "catalog_search", plan
    assert "sleeper" in plan.calls[0].args["query"], plan


def test_a_thing_not_sold_after_who_the_shopper_is_is_still_said(shop: EmbeddedTier) -> None:
    nlu, _ = planned(shop, "i'm a teacher, do you sell chalk", DialogueState(), "search")
    assert nlu.notes.get("not_carried") == "chalk", nlu.notes


def test_an_option_value_is_no_thing_the_shop_does_not_carry(shop: EmbeddedTier) -> None:
    """ "i like firm": the hybrid's Firmness, not "we don't carry firms"."""
    text = "my partner likes soft, i like firm, what do we get"
    nlu, plan = planned(shop, text, DialogueState(), "search")
    assert "not_carried" not in nlu.notes, nlu.notes
    assert plan.calls and plan.calls[0].name == "catalog_search", plan


@pytest.mark.parametrize(
    ("text", "options", "said"),
    [
        ("do they come in pairs", {"pack": ["1 Pillow", "2 Pillows"]}, {"pack": "2 Pillows"}),
        ("a pair please", {"set": ["Set of 2", "Set of 4"]}, {"set": "Set of 2"}),
        ("the twin pack", {"pack": ["Single", "2-Pack"]}, {"pack": "2-Pack"}),
        ("a pair", {"length": ["1m", "2m"]}, {}),  # two metres are no pair
        ("a pair", {"size": ["Size 2", "Size 4"]}, {}),
        ("a pair", {"pack": ["12", "24"]}, {}),
    ],
)
def test_a_pair_is_the_option_of_two_of_the_thing(
    text: str, options: dict[str, list[str]], said: dict[str, str]
) -> None:
    assert said_options(text, options) == said


def test_do_they_come_in_pairs_is_answered_yes_for_each(shop: EmbeddedTier) -> None:
    s = shown(BEDDING, "foam-pillow", "down-pillow")
    nlu, plan = planned(shop, "do they come in pairs", s, "product_details")
    pages = _read(plan.calls)
    assert len(pages) == 2, plan
    reply, _ = shop.respond(nlu, shop.update_state(s, nlu), pages)
    assert "Neither" not in reply.text and reply.text.count("comes in 2 Pillows") == 2, reply.text


def test_which_is_cheaper_in_a_size_reads_the_variants(shop: EmbeddedTier) -> None:
    """ "which is cheaper in double" over three mattresses: the Double variants' prices
    (read from their pages), not the shown prices, and the kids' mattress, which is made
    only in Single, is said not to come in Double (not named the cheapest)."""
    s = shown(BEDDING, "memory", "hybrid", "kids")
    for pid, price in (("memory", "329.00"), ("hybrid", "449.00"), ("kids", "149.00")):
        s.shown[pid]["price"] = price
    nlu, plan = planned(shop, "which is cheaper in double", s, "compare")
    assert [c.name for c in plan.calls] == ["get_product"] * 3, plan
    pages = _read(plan.calls)
    reply, _ = shop.respond(nlu, s, pages)
    assert reply.text == (
        "In Double, the cheapest one is Cloudrest Memory Foam Mattress, at $427.70 "
        "(Cloudrest Hybrid Mattress: $583.70). Little Dreams Kids Mattress doesn't come in "
        "Double."
    ), reply.text


def test_which_is_cheaper_without_an_option_is_answered_from_the_shown_prices(
    shop: EmbeddedTier,
) -> None:
    s = shown(BEDDING, "memory", "hybrid")
    s.shown["memory"]["price"], s.shown["hybrid"]["price"] = "329.00", "449.00"
    _, plan = planned(shop, "which is cheaper", s, "compare")
    assert not plan.calls and plan.reply == (
        "The cheaper one is Cloudrest Memory Foam Mattress, at $329.00."
    ), plan


def test_the_dearest_in_a_size_and_none_said(shop: EmbeddedTier) -> None:
    pages = [_page("memory"), _page("hybrid")]
    assert priced_in("which one is more expensive in king?", pages) == (
        "In King, the more expensive one is Cloudrest Hybrid Mattress, at $673.50 "
        "(Cloudrest Memory Foam Mattress: $493.50)."
    )
    assert priced_in("which one is cheaper?", pages) is None  # no option said
    assert priced_in("do they come in king?", pages) is None  # no price asked


def test_an_add_by_values_two_shown_products_offer_asks_which_by_name(shop: EmbeddedTier) -> None:
    """ "add the 2 pack" with both pillows shown in 2 Pillows: which one, by name, and each
    quick reply is that add in full (not "say the first one")."""
    s = shown(BEDDING, "foam-pillow", "down-pillow")
    _, plan = planned(shop, "add the 2 pack", s, "add_to_cart")
    assert not plan.calls and plan.reply == (
        "Both Contour Foam Pillow and Duck Feather Pillow come in 2 Pillows. "
        "Which one should I add?"
    ), plan
    assert plan.quick_replies == [
        "Add the Contour Foam Pillow in 2 Pillows",
        "Add the Duck Feather Pillow in 2 Pillows",
    ]
    _, plan = planned(shop, plan.quick_replies[1], s, "add_to_cart")
    assert [(c.name, c.args["product_id"]) for c in plan.calls] == [("add_to_cart", "down-pillow")]
    assert dict(plan.calls[0].args.get("options") or {}) == {"Pack": "2 Pillows"}, plan


def test_an_add_by_values_only_one_shown_product_offers_adds_it(shop: EmbeddedTier) -> None:
    s = shown(BEDDING, "duvet", "foam-pillow")
    _, plan = planned(shop, "add the 13.5 tog king", s, "add_to_cart")
    assert [(c.name, c.args["product_id"]) for c in plan.calls] == [("add_to_cart", "duvet")], plan


@pytest.fixture(scope="module")
def titled(encode: object) -> EmbeddedTier:
    """The shop with its titles indexed, as a trained tier has them."""
    return _tier(BEDDING, encode, Reads("search", 0.9), titles=True)


def test_a_product_named_by_the_end_of_its_title_is_asked_about(titled: EmbeddedTier) -> None:
    """ "is the memory foam mattress good if i sleep hot" before any search: the one title
    ending in "memory foam mattress" (not the foam pillow), its page read."""
    text = "is the memory foam mattress good if i sleep hot"
    nlu, plan = planned(titled, text, DialogueState(), "search", 0.9)
    assert nlu.intent == "product_details" and nlu.slots.product_id == "memory", nlu
    assert [(c.name, c.args) for c in plan.calls] == [("get_product", {"product_id": "memory"})]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("is the foam pillow soft?", "foam-pillow"),
        ("is the mattress soft?", None),  # three titles end in "mattress"
        ("is the kids mattress firm?", "kids"),
        ("is the memory foam good?", None),  # no title ends in "foam"
    ],
)
def test_the_end_of_a_title_names_one_product_or_none(
    titled: EmbeddedTier, text: str, named: str | None
) -> None:
    hit = titled.titles.named_by_end(text)
    assert (hit.product_id if hit else None) == named, hit


def test_compare_it_with_a_word_only_one_title_has(titled: EmbeddedTier) -> None:
    s = shown(BEDDING, "memory")
    _, plan = planned(titled, "compare it with the hybrid", s, "compare")
    assert [(c.name, c.args) for c in plan.calls] == [
        ("compare_products", {"product_ids": ["memory", "hybrid"]})
    ], plan


def test_the_page_sentence_that_says_most_of_the_question_is_quoted() -> None:
    from shopagent.agent.embedded._answers import answer

    page = {
        **_page("memory"),
        "description": "Three layers of memory foam. Soft feel, ideal for side sleepers. "
        "Sleeps warm.",
    }
    said = answer("is it good if i sleep hot?", page)
    assert said == 'The product page says: "Sleeps warm."', said


def test_whats_a_word_of_the_shops_products_is_explained_by_their_page(
    shop: EmbeddedTier,
) -> None:
    """ "whats a tog?": the duvets' Tog, found and explained from the first page that uses
    it, not "I can only help with shopping"; the weather is still out of scope."""
    nlu, plan = planned(shop, "whats a tog?", DialogueState(), "out_of_scope")
    assert nlu.intent == "product_details" and nlu.notes.get("define") == "tog", nlu
    assert [(c.name, c.args) for c in plan.calls] == [("catalog_search", {"query": "tog"})]
    assert plan.followup, plan
    page = {
        **_page("duvet"),
        "description": "Light and warm. Tog 4.5 for summer, 13.5 for winter.",
    }
    assert explain("tog", page) == (
        'Nordlys Goose Down Duvet\'s page says: "Tog 4.5 for summer, 13.5 for winter." '
        "Nordlys Goose Down Duvet comes in togs: 4.5 and 13.5."
    )
    for text in ("whats the weather like", "whats new?", "what's good"):
        nlu, _ = planned(shop, text, DialogueState(), "out_of_scope")
        assert "define" not in nlu.notes, (text, nlu.notes)


def test_a_return_is_the_shops_policy_not_a_product_question(shop: EmbeddedTier) -> None:
    from shopagent.agent.embedded._scope import POLICY_REPLY

    text = "i want to return a duvet i bought last week"
    _, plan = planned(shop, text, DialogueState(), "product_details")
    assert not plan.calls and plan.reply == POLICY_REPLY, plan


def test_a_page_question_of_a_kind_with_several_reads_their_pages(shop: EmbeddedTier) -> None:
    """ "the duvet - is it machine washable?" before any search: the duvets found, then
    their pages read (the one that says answers), not the list alone."""
    nlu, plan = planned(
        shop, "the duvet - is it machine washable?", DialogueState(), "product_details"
    )
    assert [(c.name, c.args.get("category")) for c in plan.calls] == [("catalog_search", "Duvets")]
    duvets = [{"id": "duvet", "title": "Down Duvet"}, {"id": "vegan", "title": "Vegan Duvet"}]
    found = searched(duvets, plan.calls[0].args)
    then = shop.plan_next(nlu, shop.update_state(DialogueState(), nlu), [found])
    assert [(c.name, c.args) for c in then.calls] == [
        ("get_product", {"product_id": "duvet"}),
        ("get_product", {"product_id": "vegan"}),
    ], then
