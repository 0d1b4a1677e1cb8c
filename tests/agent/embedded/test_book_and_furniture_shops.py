"""A bookshop and a furniture shop: a shown product named by a word only its title has
("is the velvet one soft?"); an option said in the plural ("3 hardcovers"); two products
at one price are never "the cheaper"; a category that joins two kinds ("Crime &
Thriller") is named by either; common short names of a kind ("sci fi"); "a lamp thats
..." typed without its apostrophe; "and the stools to go with it" read as an add; a modal
verb ("can i") is never a product spelt the same. The intent model is a stub (the model
boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import EmbeddedTier, Lexicon, ToolOutcome
from shopagent.agent.embedded._state import resolve_references

from .mini_shop import pages, planned, product, shown
from .mini_shop import shop_tier as _tier

HOME = [
    product("linen", "Nordic Linen Cushion", "Home > Cushions", color=["Grey", "Sand"]),
    product("velvet", "Plush Velvet Cushion", "Home > Cushions", color=["Green", "Rust"]),
    # a title word that is also a value of the shop's (a colour, a material): "the sage
    # one", "the wool one" of these two is the first
    product("sage", "Sage Wool Throw", "Home > Throws", color=["Sage"]),
    product("knit", "Chunky Knit Throw", "Home > Throws", color=["Cream", "Grey"]),
    product("lamp", "Arbor Floor Lamp", "Home > Lamps", color=["Black"]),
    product("stool", "Tamsin Bar Stool", "Home > Stools", color=["Oak", "Walnut"]),
    product("counter", "Tamsin Kitchen Counter Table", "Home > Tables", color=["Oak"]),
    product("can", "Verdi Watering Can", "Garden > Watering Cans", size=["5 l", "10 l"]),
    product("two", "Kestrel 2-Seater Sofa", "Home > Sofas", color=["Oat", "Moss"]),
    product("three", "Kestrel 3-Seater Sofa", "Home > Sofas", color=["Oat", "Moss"]),
]
BOOKS = [
    product(
        "heron",
        "Harbourlight Heron Season",
        "Books > Crime & Thriller",
        Format=["Hardcover", "Paperback"],
    ),
    product(
        "comet", "Quillon Comet Tides", "Books > Science Fiction", Format=["Hardcover", "Paperback"]
    ),
    product(
        "mole",
        "Pennywort Mole Goes Sailing",
        "Books > Picture Books",
        Format=["Board Book", "Hardcover"],
    ),
]


def _page_answer(
    tier: EmbeddedTier, products: list[dict], pid: str, text: str, description: str = ""
) -> str:
    """The reply to ``text`` asked of ``pid`` (shown alone), its page with ``description``."""
    s = shown(products, pid)
    nlu, _ = planned(tier, text, s, "product_details")
    reply, _ = tier.respond(
        nlu, tier.update_state(s, nlu), pages(products, {pid: description}, pid)
    )
    return reply.text


@pytest.fixture(scope="module")
def home(encode: object) -> EmbeddedTier:
    # materials filed as the catalog's facet values, none of them an option to choose
    return _tier(
        HOME, encode, None, titles=True, facets_too={"material": ["Wool", "Linen", "Velvet"]}
    )


@pytest.fixture(scope="module")
def books(encode: object) -> EmbeddedTier:
    return _tier(BOOKS, encode, None, titles=True)


@pytest.mark.parametrize(
    ("text", "reads", "pid"),
    [
        ("is the velvet one soft?", "product_details", "velvet"),
        ("how much is the linen one", "product_details", "linen"),
        ("add the plush cushion in rust", "add_to_cart", "velvet"),
        ("i'll take the nordic one in sand", "add_to_cart", "linen"),
    ],
)
def test_a_word_only_one_shown_title_has_names_that_product(
    home: EmbeddedTier, text: str, reads: str, pid: str
) -> None:
    s = shown(HOME, "linen", "velvet")
    nlu, plan = planned(home, text, s, reads)
    assert [nlu.slots.product_id] == [pid] or resolve_references(s, nlu.slots.reference) == [pid], (
        nlu
    )
    assert not (plan.reply and "Which product do you mean" in plan.reply), plan


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("is the sage one itchy?", "product_details"),
        ("add the sage one", "add_to_cart"),
        ("is the wool one itchy?", "product_details"),
        ("how much is the wool one", "product_details"),
    ],
)
def test_a_title_word_that_is_also_a_value_names_the_one_shown_product(
    home: EmbeddedTier, text: str, reads: str
) -> None:
    s = shown(HOME, "knit", "sage")
    nlu, plan = planned(home, text, s, reads)
    assert [nlu.slots.product_id] == ["sage"] or resolve_references(s, nlu.slots.reference) == [
        "sage"
    ], nlu
    assert not (plan.reply and "Which product do you mean" in plan.reply), plan


@pytest.mark.parametrize("text", ["what about the other one", "is the cushion soft?"])
def test_a_word_both_shown_titles_have_or_a_place_word_names_neither(
    home: EmbeddedTier, text: str
) -> None:
    nlu, _ = planned(home, text, shown(HOME, "linen", "velvet"), "product_details")
    assert nlu.slots.product_id is None, nlu


def test_a_word_another_shown_product_comes_in_names_no_one(home: EmbeddedTier) -> None:
    # "oak" is the stool's colour as well as a word of neither title: the stool and the
    # table both come in oak, so "the oak one" is no name
    nlu, _ = planned(
        home, "is the oak one sturdy", shown(HOME, "stool", "counter"), "product_details"
    )
    assert nlu.slots.product_id is None, nlu


def test_an_option_said_in_the_plural_is_that_option(books: EmbeddedTier) -> None:
    nlu, plan = planned(books, "add 3 hardcovers of it", shown(BOOKS, "comet"), "add_to_cart")
    assert plan.calls and plan.calls[0].name == "add_to_cart", plan
    assert plan.calls[0].args["quantity"] == 3, plan
    assert plan.calls[0].args.get("options") == {"Format": "Hardcover"}, plan


def test_two_at_one_price_are_never_the_cheaper(books: EmbeddedTier) -> None:
    s = shown(BOOKS, "heron", "comet")  # both shown at 10.00
    _, plan = planned(books, "which one is cheaper?", s, "product_details")
    assert plan.reply == "Both cost $10.00.", plan
    nlu, _ = planned(books, "compare them", s, "compare")
    cards = [
        {"id": i, "title": t, "price": "13.50", "currency": "USD"}
        for i, t in (("heron", "Harbourlight Heron Season"), ("comet", "Quillon Comet Tides"))
    ]
    compared = ToolOutcome(
        name="compare_products",
        args={"product_ids": ["heron", "comet"]},
        ok=True,
        content={"products": cards, "attributes": {}, "summaries": {}},
    )
    reply, _ = books.respond(nlu, books.update_state(s, nlu), [compared])
    assert "cheaper" not in reply.text and "They cost the same." in reply.text, reply


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("any good thrillers?", "Crime & Thriller"),
        ("crime books for my dad", "Crime & Thriller"),
        ("sci fi please", "Science Fiction"),
        ("something scifi", "Science Fiction"),
    ],
)
def test_a_kind_is_named_by_its_part_or_its_short_name(
    books: EmbeddedTier, text: str, category: str
) -> None:
    nlu, plan = planned(books, text, shown(BOOKS), "search")
    assert nlu.slots.category == category, nlu
    assert plan.calls and plan.calls[0].args.get("category") == category, plan


def test_a_request_typed_with_thats_still_names_its_kind(home: EmbeddedTier) -> None:
    nlu, plan = planned(home, "a lamp thats good for reading", shown(HOME), "search")
    assert nlu.slots.category == "Lamps", nlu
    assert plan.calls and plan.calls[0].args.get("category") == "Lamps", plan
    assert not (plan.reply and "don't carry" in plan.reply), plan


def test_the_thing_to_go_with_it_is_searched_not_added(home: EmbeddedTier) -> None:
    nlu, plan = planned(
        home, "and the stools to go with it", shown(HOME, "counter"), "add_to_cart", 0.8
    )
    assert nlu.intent == "search" and nlu.slots.category == "Stools", nlu
    assert plan.calls and plan.calls[0].name == "catalog_search", plan


@pytest.mark.parametrize(
    "text",
    [
        "can i get it in a bigger size",
        "can you show me something cheaper",
        "you can pick",
        "will it fit",
    ],
)
def test_a_modal_verb_is_no_product_of_that_spelling(text: str) -> None:
    # the catalog's titles end in "Can" and "Will" (a brand): the lexicon knows both words
    lexicon = Lexicon(
        {"category": ["Watering Cans"], "brand": ["Will"]}, nouns={"can": "Watering Cans"}
    )
    assert lexicon.scan(text, [], fuzzy=False) == []
    for said in ("a can for the balcony", "a can that holds 5 litres"):
        assert [m.value for m in lexicon.scan(said, [], fuzzy=False)] == ["Watering Cans"]
    assert lexicon.scan("can this stay outside", [], fuzzy=False) == []
    assert [m.value for m in lexicon.scan("anything by will", [], fuzzy=False)] == ["Will"]


def test_whats_the_second_one_is_what_its_page_says(books: EmbeddedTier) -> None:
    s = shown(BOOKS, "heron", "comet")
    nlu, plan = planned(books, "whats the second book", s, "product_details")
    assert [c.args for c in plan.calls] == [{"product_id": "comet"}], plan
    outcomes = pages(BOOKS, {"comet": "A comet returns every forty years."}, "comet")
    reply, _ = books.respond(nlu, books.update_state(s, nlu), outcomes)
    assert "A comet returns every forty years." in reply.text, reply
    assert "doesn't say" not in reply.text, reply


def test_a_choice_said_with_the_product_named_carries_into_the_add(home: EmbeddedTier) -> None:
    """ "the tamsin stool in walnut" shows its page (nothing asked of it); "add 2" next
    adds two of the walnut one, not "which colour?"."""
    s = shown(HOME, "stool", "counter")
    nlu, plan = planned(home, "the tamsin stool in walnut", s, "product_details")
    s = home.update_state(s, nlu)
    outcomes = pages(HOME, {"stool": "A bar stool with a footrest."}, "stool")
    _, s = home.respond(nlu, s, outcomes)
    _, plan = planned(home, "add 2", s, "add_to_cart")
    assert plan.calls and plan.calls[0].name == "add_to_cart", plan
    args = plan.calls[0].args
    assert args["product_id"] == "stool" and args["quantity"] == 2, args
    assert args.get("color") == "Walnut" or args.get("options") == {"color": "Walnut"}, args


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("whats the cheapest book you have", "price_low"),
        ("your most expensive hardcover?", "price_high"),
        ("cheaper ones please", None),  # narrows by price; no order asked
    ],
)
def test_a_superlative_of_price_searches_in_price_order(
    books: EmbeddedTier, text: str, order: str | None
) -> None:
    s = shown(BOOKS, "heron", "comet")
    _, plan = planned(books, text, s, "search" if order else "refine")
    search = next(c for c in plan.calls if c.name == "catalog_search")
    assert search.args.get("sort") == order, plan
    assert all("sort" not in c.args for c in plan.calls if c.name == "get_facets"), plan


def test_the_cheapest_of_a_price_ordered_search_is_the_shops(books: EmbeddedTier) -> None:
    s = shown(BOOKS)
    nlu, plan = planned(books, "the cheapest sci fi you have", s, "search")
    args = plan.calls[0].args
    cards = [
        {"id": "comet", "title": "Quillon Comet Tides", "price": "9.99", "currency": "USD"},
        {"id": "heron", "title": "Harbourlight Heron Season", "price": "12.00", "currency": "USD"},
    ]
    found = ToolOutcome(
        name="catalog_search",
        args=args,
        ok=True,
        content={"products": cards, "total": 14, "filters_applied": {}},
    )
    reply, _ = books.respond(nlu, books.update_state(s, nlu), [found])
    assert "Quillon Comet Tides at $9.99" in reply.text, reply
    assert "of these" not in reply.text, reply  # the shop's cheapest, not of a page


@pytest.mark.parametrize(
    "text", ["do you do gift wrapping", "can i get it gift wrapped?", "can you assemble it"]
)
def test_a_service_of_the_shop_is_its_policy_question(home: EmbeddedTier, text: str) -> None:
    from shopagent.agent.embedded._scope import POLICY_REPLY

    _, plan = planned(home, text, shown(HOME, "lamp"), "out_of_scope", 0.7)
    assert not plan.calls and plan.reply == POLICY_REPLY, plan


def test_somewhere_to_put_things_searches_for_the_use(home: EmbeddedTier) -> None:
    nlu, plan = planned(home, "need somewhere to put my boots in the hall", shown(HOME), "search")
    assert "not_carried" not in nlu.notes, nlu.notes
    assert plan.calls and "boots" in plan.calls[0].args["query"], plan


def test_a_comparative_with_one_more_word_narrows_by_both(books: EmbeddedTier) -> None:
    s = shown(BOOKS, "heron", "comet")
    s.query = "book for a flight"
    nlu, plan = planned(books, "something lighter maybe, funny", s, "search", 0.7)
    assert "not_carried" not in nlu.notes, nlu.notes
    query = plan.calls[0].args["query"]
    assert "light" in query and "funny" in query and "lighter" not in query, plan


def test_a_change_to_a_product_not_in_the_cart_names_it(books: EmbeddedTier) -> None:
    s = shown(BOOKS, "comet")
    nlu, plan = planned(books, "remove it", s, "remove_from_cart")
    refused = ToolOutcome(
        name="remove_from_cart",
        args={"product_id": "comet"},
        ok=False,
        error_code="not_in_cart",
        error_message="Quillon Comet Tides is not in the cart",
        details={"product_id": "comet", "title": "Quillon Comet Tides"},
    )
    reply, _ = books.respond(nlu, books.update_state(s, nlu), [refused])
    assert reply.text.startswith("Quillon Comet Tides isn't in your cart"), reply
    assert "comet is" not in reply.text, reply  # never the product's id


def test_who_a_product_is_for_is_answered_from_its_page(books: EmbeddedTier) -> None:
    text = _page_answer(
        books, BOOKS, "comet", "is it ok for kids?", "A space saga. Teen and adult."
    )
    assert "Teen and adult." in text and "audience" not in text, text


def test_the_word_one_names_a_product_not_shown_by_its_title(books: EmbeddedTier) -> None:
    s = shown(BOOKS, "comet")
    nlu, plan = planned(books, "ok what about the heron one", s, "refine")
    assert nlu.intent == "product_details" and nlu.slots.product_id == "heron", nlu
    assert [c.args for c in plan.calls] == [{"product_id": "heron"}], plan
    nlu, _ = planned(books, "and the sailing one?", s, "refine")
    assert nlu.slots.product_id == "mole", nlu
    nlu, _ = planned(books, "what about the other one", s, "refine")  # a place, no name
    assert nlu.slots.product_id is None, nlu


# A drinks shop: kinds told apart by a word ("Red Wine", "White Wine", "Rose Wine")
CELLAR = [
    product("rioja", "Alcala Rioja Crianza", "Wine > Red Wine", size=["75cl", "Magnum 150cl"]),
    product("zero", "Sobria Botanical Spirit", "Spirits > Alcohol-Free", size=["70cl"]),
    product("gruner", "Steinhof Gruner Veltliner", "Wine > White Wine", size=["75cl"]),
    product("provence", "Calanque Provence Rose", "Wine > Rose Wine", size=["75cl"]),
    product("tonic", "Fizzwell Light Tonic Water", "Mixers > Mixers", size=["8 Pack"]),
    product("gin", "Marram London Dry Gin", "Spirits > Gin", size=["70cl"]),
]


@pytest.fixture(scope="module")
def cellar(encode: object) -> EmbeddedTier:
    return _tier(CELLAR, encode, None, titles=True)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("a red for steak night under 20", "Red Wine"),
        ("something dry and white for fish", "White Wine"),
        ("any nice rose?", "Rose Wine"),
        ("a few whites please", "White Wine"),
    ],
)
def test_the_word_that_sets_a_kind_apart_names_it(
    cellar: EmbeddedTier, text: str, category: str
) -> None:
    nlu, plan = planned(cellar, text, shown(CELLAR), "search")
    assert nlu.slots.category == category, nlu
    assert "not_carried" not in nlu.notes, nlu.notes
    assert plan.calls and plan.calls[0].args.get("category") == category, plan


def test_a_count_of_bottles_adds_that_many_of_the_one_picked(cellar: EmbeddedTier) -> None:
    s = shown(CELLAR, "rioja", "gruner")
    s.focus = "gruner"
    nlu, plan = planned(cellar, "3 bottles", s, "search", 0.6)
    assert nlu.intent == "add_to_cart", nlu
    add = next((c for c in plan.calls if c.name == "add_to_cart"), None)
    assert add is not None, plan
    assert add.args["product_id"] == "gruner" and add.args["quantity"] == 3, plan


def test_a_thing_a_title_names_to_go_with_it_is_searched(cellar: EmbeddedTier) -> None:
    nlu, plan = planned(cellar, "and some tonic to go with it", shown(CELLAR, "gin"), "refine")
    assert nlu.intent == "search", nlu
    assert plan.calls and "tonic" in plan.calls[0].args["query"], plan


def test_something_similar_is_more_like_the_one_in_play(cellar: EmbeddedTier) -> None:
    s = shown(CELLAR, "rioja")
    nlu, plan = planned(cellar, "ok something similar then", s, "refine")
    assert nlu.intent == "visual_search", nlu
    assert plan.calls and plan.calls[0].name == "visual_search", plan
    assert plan.calls[0].args.get("product_id") == "rioja", plan


@pytest.mark.parametrize("text", ["are u open on christmas", "what are your opening hours"])
def test_the_shops_hours_are_its_policy_question(cellar: EmbeddedTier, text: str) -> None:
    from shopagent.agent.embedded._scope import POLICY_REPLY

    _, plan = planned(cellar, text, shown(CELLAR), "out_of_scope", 0.7)
    assert not plan.calls and plan.reply == POLICY_REPLY, plan


def test_a_page_word_with_un_answers_the_plain_word(cellar: EmbeddedTier) -> None:
    text = _page_answer(cellar, CELLAR, "gruner", "is it oaked?", "Unoaked and peppery.")
    assert "Unoaked and peppery." in text and "doesn't say" not in text, text


def test_a_choice_it_does_not_come_in_is_no_yes_of_stock(cellar: EmbeddedTier) -> None:
    text = _page_answer(cellar, CELLAR, "gin", "do you have it in a gift box")
    assert text.startswith("No, ") and "in stock" not in text, text


def test_that_one_after_a_question_of_it_is_chosen(cellar: EmbeddedTier) -> None:
    s = shown(CELLAR, "rioja", "gruner")
    s.focus = "gruner"
    nlu, plan = planned(cellar, "ok that one then", s, "refine", 0.5)
    assert nlu.intent == "add_to_cart", nlu
    add = next(c for c in plan.calls if c.name == "add_to_cart")
    assert add.args["product_id"] == "gruner", plan


@pytest.mark.parametrize("text", ["something non alcoholic for my wife", "any non-alcoholic?"])
def test_non_x_is_the_x_free_kind(cellar: EmbeddedTier, text: str) -> None:
    nlu, _ = planned(cellar, text, shown(CELLAR), "search")
    assert nlu.slots.category == "Alcohol-Free", nlu
    assert "not_carried" not in nlu.notes, nlu.notes


def test_a_rare_title_word_and_a_choice_of_it_carry_into_the_add(cellar: EmbeddedTier) -> None:
    """ "the alcala in magnum" (not shown): its page, then "add it" adds the magnum ("magnum"
    of "Magnum 150cl": a name before its measure)."""
    s = shown(CELLAR, "gruner")
    nlu, plan = planned(cellar, "the alcala in magnum", s, "refine")
    assert [c.args for c in plan.calls] == [{"product_id": "rioja"}], (nlu, plan)
    s = cellar.update_state(s, nlu)
    _, s = cellar.respond(nlu, s, pages(CELLAR, {"rioja": "A red from Rioja."}, "rioja"))
    _, plan = planned(cellar, "add it", s, "add_to_cart")
    add = next(c for c in plan.calls if c.name == "add_to_cart")
    assert add.args["product_id"] == "rioja", plan
    assert "Magnum 150cl" in (add.args.get("size"), *(add.args.get("options") or {}).values())


def test_a_number_in_a_title_names_it_among_those_shown(home: EmbeddedTier) -> None:
    s = shown(HOME, "two", "three")
    nlu, plan = planned(home, "the 3 seater kestrel, what size is it", s, "product_details")
    assert [c.args for c in plan.calls] == [{"product_id": "three"}], (nlu, plan)
    nlu, _ = planned(home, "is the 2 one bigger", s, "product_details")  # a place, no name
    assert nlu.slots.product_id is None, nlu


def test_what_size_of_a_product_without_sizes_is_its_measurements(home: EmbeddedTier) -> None:
    text = _page_answer(home, HOME, "two", "what size is it", "A compact sofa. W 176 cm x D 98 cm.")
    assert "W 176 cm x D 98 cm." in text and "no size options" not in text, text


def test_swapping_a_bought_product_is_the_shops_policy(home: EmbeddedTier) -> None:
    from shopagent.agent.embedded._scope import POLICY_REPLY

    _, plan = planned(
        home, "can i swap it for the velvet one", shown(HOME, "linen"), "out_of_scope"
    )
    assert not plan.calls and plan.reply == POLICY_REPLY, plan


def test_a_feature_named_like_another_kind_narrows_the_kind_in_play(home: EmbeddedTier) -> None:
    """ "something with cushions" while sofas are searched: sofas with cushions, not the
    Cushions range."""
    s = shown(HOME, "two", "three")
    s.filters = {"category": "Sofas"}
    nlu, plan = planned(home, "somethin with cushions", s, "search")
    assert nlu.intent == "refine" and nlu.slots.category is None, nlu
    search = plan.calls[0]
    assert search.args.get("category") == "Sofas" and "cushions" in search.args["query"], plan


def test_the_better_deal_is_the_bigger_share_off(home: EmbeddedTier) -> None:
    s = shown(HOME, "two", "three", "lamp")
    nlu, plan = planned(home, "which is the better deal?", s, "product_details")
    assert [c.args["product_id"] for c in plan.calls] == ["two", "three", "lamp"], plan
    by_id = {p["id"]: p for p in HOME}

    def page(pid: str, sale: dict[str, tuple[str, str | None]]) -> ToolOutcome:
        variants = [
            {
                **v,
                "price": sale[v["options"]["color"]][0],
                "compare_at_price": sale[v["options"]["color"]][1],
            }
            for v in by_id[pid]["variants"]
        ]
        product = {**by_id[pid], "variants": variants, "currency": "USD"}
        return ToolOutcome(
            name="get_product", args={"product_id": pid}, content={"product": product}
        )

    outcomes = [
        page("two", {"Oat": ("900.00", "1000.00"), "Moss": ("950.00", "1000.00")}),  # 10% off
        page("three", {"Oat": ("1200.00", None), "Moss": ("1000.00", "1250.00")}),  # 20%, Moss
        page("lamp", {"Black": ("80.00", None)}),
    ]
    reply, _ = home.respond(nlu, home.update_state(s, nlu), outcomes)
    assert reply.text.startswith(
        "Kestrel 3-Seater Sofa is the biggest saving: 20% off in Moss, $250.00 less"
    ), reply
    assert "Kestrel 2-Seater Sofa: 10% off, $100.00 less" in reply.text, reply
    assert reply.text.endswith("Arbor Floor Lamp isn't on sale."), reply


def test_a_price_order_holds_for_its_next_page_and_narrowing_not_a_new_search(
    books: EmbeddedTier,
) -> None:
    s = shown(BOOKS)
    turns = [
        ("the cheapest sci fi you have", "search", "price_low"),
        ("show me more", "refine", "price_low"),
        ("in paperback", "refine", "price_low"),
        ("any thrillers?", "search", None),
    ]
    for text, reads, order in turns:
        nlu, plan = planned(books, text, s, reads)
        s = books.update_state(s, nlu)
        search = next(c for c in plan.calls if c.name == "catalog_search")
        assert search.args.get("sort") == order, (text, plan)
