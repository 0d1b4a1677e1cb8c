"""A home-gym shop and a craft shop, in their shoppers' words: "whats the cheapest dumbbell"
over a mixed list picks the cheapest dumbbell shown (and says it is the cheapest); "the
cheapest treadmill" with none shown is a search (here: not carried); "any merino?" keeps the
yarns shown to the merino one, "anything in cotton" then to cotton; a product said sold out
is the "it" of "when is it back"; "12.5 then", "kettlebell 16" pick the weight of that
number; "what comes in the kit" quotes the kit's page. The intent model is a stub (the
model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, ToolOutcome
from shopagent.agent.embedded._answers import answer

from .mini_shop import pages, planned, product, shown
from .mini_shop import shop_tier as _tier

WEIGHTS = ["2.5kg", "5kg", "7.5kg", "10kg", "12.5kg", "15kg", "20kg"]
GYM = [
    product("hex", "IronCo Hex Dumbbell", "Fitness > Dumbbells", Weight=WEIGHTS),
    product("adjustable", "IronCo Adjustable Dumbbell", "Fitness > Dumbbells"),
    product("bench", "IronCo Folding Bench", "Fitness > Benches"),
    product("bands", "Flexi Resistance Band Set", "Fitness > Bands"),
    product("bell", "IronCo Cast Kettlebell", "Fitness > Kettlebells", Weight=["8kg", "16kg"]),
    product("gloves", "Grip Padded Lifting Gloves", "Fitness > Gloves", size=["S", "M", "L"]),
]
PRICES = {"hex": "10.00", "adjustable": "249.00", "bench": "149.00", "bands": "8.00"}
CRAFT = [
    product("merino", "Loopy Merino DK", "Crafts > Yarn", color=["Oatmeal", "Rust"]),
    product("cotton", "Loopy Organic Cotton 4ply", "Crafts > Yarn", color=["White", "Sage"]),
    product("acrylic", "Crafty Aran Acrylic", "Crafts > Yarn", color=["Cream", "Navy"]),
    product("alpaca", "Loopy Baby Alpaca Lace", "Crafts > Yarn"),
    product("kit", "Crafty Beanie Kit", "Crafts > Kits"),
]


@pytest.fixture(scope="module")
def gym(encode: object) -> EmbeddedTier:
    return _tier(GYM, encode, None, titles=True)


@pytest.fixture(scope="module")
def craft(encode: object) -> EmbeddedTier:
    return _tier(CRAFT, encode, None, titles=True)


def _priced(*ids: str) -> DialogueState:
    s = shown(GYM, *ids)
    for i in ids:
        s.shown[i]["price"] = PRICES[i]
    return s


@pytest.mark.parametrize(
    ("text", "want", "word"),
    [
        ("whats the cheapest dumbbell", "hex", "cheapest"),  # the bands are cheaper
        ("the most expensive dumbbell?", "adjustable", "most expensive"),
        ("which is the cheapest bench", "bench", "cheapest"),
        ("the cheapest", "bands", "cheapest"),  # of all of them
    ],
)
def test_the_cheapest_of_a_kind_is_picked_among_those_shown(
    gym: EmbeddedTier, text: str, want: str, word: str
) -> None:
    s = _priced("adjustable", "bench", "bands", "hex")
    nlu, plan = planned(gym, text, s, "product_details", 0.7)
    assert [(c.name, c.args.get("product_id")) for c in plan.calls] == [("get_product", want)]
    page = pages(GYM, {want: "Sold singly."}, want)
    reply, _ = gym.respond(nlu, gym.update_state(s, nlu), page)
    title = next(p["title"] for p in GYM if p["id"] == want)
    assert reply.text.startswith(f"The {word} of those is {title}"), reply.text


@pytest.mark.parametrize("reads", ["out_of_scope", "product_details", "search"])
def test_the_cheapest_thing_with_none_of_it_shown_is_searched(
    gym: EmbeddedTier, reads: str
) -> None:
    """ "whats the cheapest treadmill": treadmills, none sold (said so), not "which product
    do you mean?" nor "I can only help with shopping"."""
    for s in (DialogueState(), _priced("hex", "bench")):
        nlu, plan = planned(gym, "whats the cheapest treadmill", s, reads, 0.7)
        assert nlu.intent == "search" and nlu.notes.get("not_carried") == "treadmill", nlu
        assert plan.calls and plan.calls[0].name == "catalog_search", plan


def test_the_cheapest_one_with_nothing_shown_asks_what_kind(gym: EmbeddedTier) -> None:
    """(Asked where no frontier model is set up; handed to it where one is.)"""
    _, plan = planned(gym, "cheapest one please", DialogueState(), "search")
    assert not plan.calls and (plan.escalate or "What kind of product" in str(plan.reply)), plan


def test_any_word_of_a_title_keeps_the_list_to_it(craft: EmbeddedTier) -> None:
    s = shown(CRAFT, "merino", "cotton", "acrylic")
    nlu, plan = planned(craft, "any merino?", s, "refine", 0.6)
    assert nlu.intent == "refine" and nlu.notes.get("any_of") == "merino", nlu
    s = craft.update_state(s, nlu)
    assert "merino" in (s.query or "").split(), s.query
    cards = [{"id": i, "title": s.shown[i]["title"], "price": "5.00"} for i in s.last_shown]
    found = ToolOutcome(
        name="catalog_search", args=plan.calls[0].args, ok=True, content={"products": cards}
    )
    reply, s = craft.respond(nlu, s, [found])
    assert list(reply.product_ids) == ["merino"], reply
    nlu, _ = planned(craft, "anything in cotton", s, "refine", 0.6)
    query = (craft.update_state(s, nlu).query or "").split()
    assert "cotton" in query and "merino" not in query, query  # the one kind asked for


@pytest.mark.parametrize("text", ["any good?", "any cheaper", "any in navy"])
def test_any_that_names_no_title_word_is_no_kind(craft: EmbeddedTier, text: str) -> None:
    s = shown(CRAFT, "merino", "cotton", "acrylic")
    nlu, _ = planned(craft, text, s, "refine", 0.6)
    assert "any_of" not in nlu.notes, nlu


def test_a_product_said_sold_out_is_what_it_means_next(craft: EmbeddedTier) -> None:
    s = shown(CRAFT, "merino", "cotton")
    nlu, plan = planned(craft, "any alpaca", s, "refine", 0.6)
    cards = [
        {"id": "alpaca", "title": "Baby Alpaca Lace", "price": "12.00", "in_stock": False},
        {"id": "merino", "title": "Merino DK", "price": "8.50"},
    ]
    found = ToolOutcome(
        name="catalog_search",
        args=plan.calls[0].args,
        ok=True,
        content={"products": cards, "sold_out_matches": [{"id": "alpaca"}]},
    )
    reply, s = craft.respond(nlu, craft.update_state(s, nlu), [found])
    assert reply.text.startswith("Baby Alpaca Lace is sold out"), reply.text
    _, plan = planned(craft, "when is it back", s, "product_details")
    assert [(c.name, c.args.get("product_id")) for c in plan.calls] == [("get_product", "alpaca")]


@pytest.mark.parametrize(
    ("text", "category", "want"),
    [
        ("12.5 then", "Dumbbells", "12.5kg"),
        ("the 15 please", "Dumbbells", "15kg"),
        ("kettlebell 16", None, "16kg"),
        ("kettlebell under 20", None, None),  # money
        ("2 kettlebells", None, None),  # a count
        ("12 then", "Dumbbells", None),  # no 12kg
    ],
)
def test_a_number_alone_is_the_value_of_a_measured_option(
    gym: EmbeddedTier, text: str, category: str | None, want: str | None
) -> None:
    slots = gym.extract_slots(text, "refine" if category else "search", category)
    assert (slots.options or {}).get("weight") == want, slots


def test_a_number_is_no_value_of_an_option_not_measured(gym: EmbeddedTier) -> None:
    assert not gym.extract_slots("2 then", "refine", "Gloves").options


@pytest.mark.parametrize(
    "question", ["what comes in the kit", "whats included", "what do you get with it"]
)
def test_what_comes_in_a_kit_is_what_its_page_says(question: str) -> None:
    page = {
        "id": "kit",
        "title": "Beginner Beanie Kit",
        "description": "Everything to knit your first hat: two balls of wool and 10mm needles.",
        "options": {"colourway": ["Oatmeal", "Forest"]},
    }
    said = answer(question, page)
    assert said is not None and said.startswith("The product page says") and "10mm" in said


@pytest.mark.parametrize(
    ("question", "judged"),
    [
        ("is the adjustable one worth it", True),
        ("would you recommend it", True),
        ("worth the money?", True),
        ("is it any good for a beginner", False),  # a page may say who it is for
    ],
)
def test_a_judgement_no_page_states_is_answered_by_what_it_is_and_costs(
    gym: EmbeddedTier, question: str, judged: bool
) -> None:
    """ "is the adjustable one worth it": its page's summary and its sale price, not "the
    product page doesn't say anything about worth"."""
    s = _priced("adjustable", "hex")
    nlu, plan = planned(gym, question, s, "product_details")
    page = pages(GYM, {"adjustable": "Dial adjustable from 2kg to 24kg."}, "adjustable")
    page[0].content["product"].update(price="249.00", compare_at_price="299.00", currency="USD")  # type: ignore[index]
    nlu.slots.reference, nlu.slots.product_id = None, "adjustable"
    reply, _ = gym.respond(nlu, gym.update_state(s, nlu), page)
    if judged:
        assert "$249.00 (down from $299.00). Dial adjustable" in reply.text, reply.text
    else:
        assert "doesn't say" in reply.text, reply.text


@pytest.mark.parametrize(
    ("text", "query"),
    [("ok what else for upper body", "upper body"), ("anything else for my abs?", "abs")],
)
def test_what_else_for_a_use_is_a_search_for_it(gym: EmbeddedTier, text: str, query: str) -> None:
    """After a pull-up bar, "what else for upper body": other things for it (not the bar's
    search again, which the model's "refine" would repeat)."""
    s = shown(GYM, "bench")
    s.query, s.filters = "weight bench", {"category": "Benches"}
    nlu, plan = planned(gym, text, s, "refine", 0.6)
    assert nlu.intent == "search", nlu
    args = plan.calls[0].args
    assert args["query"] == query and "category" not in args, args


@pytest.mark.parametrize(
    "text", ["how much i pay in total", "how much do i pay in total?", "what do i pay"]
)
def test_what_the_shopper_pays_in_all_is_the_cart(gym: EmbeddedTier, text: str) -> None:
    """(not the shop's payment policy: "pay in total" is no way of paying)"""
    nlu, plan = planned(gym, text, DialogueState(), "out_of_scope", 0.7)
    assert nlu.intent == "view_cart" and [c.name for c in plan.calls] == ["view_cart"], nlu


def test_a_lone_size_letter_picks_that_size_of_the_product_in_play(gym: EmbeddedTier) -> None:
    s = shown(GYM, "gloves")
    nlu, plan = planned(gym, "L please", s, "refine", 0.6)
    assert nlu.intent == "add_to_cart", nlu
    args = plan.calls[0].args
    assert args["product_id"] == "gloves" and "L" in (
        args.get("size"),
        *args.get("options", {}).values(),
    )


def test_how_many_said_alone_adds_that_many_in_the_option_searched(gym: EmbeddedTier) -> None:
    """ "5kg is good?" narrowed the dumbbells to 5kg; "ok two of them please": two of the
    5kg one (not the search again, nor "which weight?")."""
    s = shown(GYM, "hex")
    s.filters = {"category": "Dumbbells", "options": {"weight": "5kg"}}
    nlu, plan = planned(gym, "ok two of them please", s, "refine", 0.6)
    assert nlu.intent == "add_to_cart", nlu
    args = plan.calls[0].args
    assert args["quantity"] == 2 and {k.lower(): v for k, v in args["options"].items()} == {
        "weight": "5kg"
    }, args


def test_a_choice_said_by_its_verb_adds_that_one(craft: EmbeddedTier) -> None:
    s = shown(CRAFT, "cotton", "merino", "acrylic")
    nlu, plan = planned(craft, "ok i take merino, 3 balls in rust", s, "refine", 0.6)
    assert nlu.intent == "add_to_cart", nlu
    args = plan.calls[0].args
    chosen = {k.lower(): v for k, v in (args.get("options") or {}).items()}
    assert args["product_id"] == "merino" and args["quantity"] == 3, args
    assert args.get("color") == "Rust" or chosen.get("color") == "Rust", args


@pytest.mark.parametrize(
    ("text", "n"), [("compare the two dumbbells", 2), ("compare your dumbbells", 3)]
)
def test_a_comparison_of_a_kind_before_any_search_finds_them_first(
    gym: EmbeddedTier, text: str, n: int
) -> None:
    """ "compare the two yoga mats" as a first turn: the mats searched, then compared (not
    "search for something first")."""
    from .mini_shop import searched

    s = DialogueState()
    nlu, plan = planned(gym, text, s, "compare")
    assert [c.name for c in plan.calls] == ["catalog_search"] and plan.followup, plan
    assert plan.calls[0].args.get("category"), plan
    cards = [{"id": i, "title": i, "price": "10.00"} for i in ("hex", "adjustable", "x")]
    nxt = gym.plan_next(nlu, gym.update_state(s, nlu), [searched(cards, plan.calls[0].args)])
    assert [(c.name, c.args) for c in nxt.calls] == [
        ("compare_products", {"product_ids": ["hex", "adjustable", "x"][:n]})
    ]


def test_a_size_none_found_comes_in_is_said_where_no_category_was_read(encode: object) -> None:
    """ "do you have gloves in xxl" (no category read, so no size filter): the gloves found
    come in S to L, said, not shown as if they came in XXL."""
    from .mini_shop import searched

    gloves = product("gloves", "Grip Padded Lifting Gloves", "Fitness > Accessories")
    gym = _tier([*GYM[:3], gloves], encode, None)
    s = DialogueState()
    nlu, plan = planned(gym, "do you have gloves in xxl", s, "search")
    card = {"id": "gloves", "title": "Grip Padded Lifting Gloves", "price": "16.00"}
    card["sizes"] = ["S", "M", "L"]
    reply, _ = gym.respond(nlu, gym.update_state(s, nlu), [searched([card], plan.calls[0].args)])
    assert reply.text.startswith("Grip Padded Lifting Gloves come in sizes S, M and L, not XXL."), (
        reply.text
    )
    card["sizes"] = ["S", "XXL"]
    reply, _ = gym.respond(nlu, gym.update_state(s, nlu), [searched([card], plan.calls[0].args)])
    assert "not XXL" not in reply.text, reply.text
    # made in XXL, sold out in it: said so, never "not XXL"
    card.update(sizes=["S", "M"], options={"Size": ["S", "M", "XXL"]})
    reply, _ = gym.respond(nlu, gym.update_state(s, nlu), [searched([card], plan.calls[0].args)])
    assert reply.text.startswith(
        "Grip Padded Lifting Gloves comes in XXL, but it's sold out in XXL right now."
    ), reply.text
    # a card that does not say which sizes are in stock (a "Ring Size" option): nothing said
    card.pop("sizes")
    card["options"] = {"Ring Size": ["L", "XXL", "N"]}
    reply, _ = gym.respond(nlu, gym.update_state(s, nlu), [searched([card], plan.calls[0].args)])
    assert "XXL" not in reply.text, reply.text


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("how many meters is it", "100g ball of 190m."),
        ("how many grams is a ball", "100g ball of 190m."),
        ("how thick is the mat", "4mm natural rubber."),
    ],
)
def test_a_measure_asked_in_words_is_found_in_the_units_a_page_writes(
    question: str, quoted: str
) -> None:
    page = {
        "id": "x",
        "title": "Aran Acrylic" if "mat" not in question else "Rubber Mat",
        "description": quoted if "mat" in question else "Soft acrylic. 100g ball of 190m.",
    }
    said = answer(question, page)
    assert said is not None and quoted in said, said


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("which is more soft, merino or alpaca?", ["merino", "alpaca"]),
        ("which one is warmer, the alpaca or the cotton", ["alpaca", "cotton"]),
        ("which is softer?", []),
    ],
)
def test_two_products_named_after_a_which_question_are_the_two_compared(
    text: str, want: list[str]
) -> None:
    from shopagent.agent.embedded._titles import TitleIndex

    titles = TitleIndex({p["id"]: p["title"] for p in CRAFT})
    assert titles.all_named_by_phrase(text) == want


@pytest.mark.parametrize(
    ("text", "weight", "quantity"),
    [("16 please", "16kg", None), ("2 please", None, 2), ("ok 8 then", "8kg", None)],
)
def test_a_number_alone_with_one_product_in_play_is_its_weight_or_how_many(
    gym: EmbeddedTier, text: str, weight: str | None, quantity: int | None
) -> None:
    s = shown(GYM, "bell")
    nlu, plan = planned(gym, text, s, "refine", 0.6)
    assert nlu.intent == "add_to_cart", nlu
    args = plan.calls[0].args
    chosen = {k.lower(): v for k, v in (args.get("options") or {}).items()}
    assert chosen.get("weight") == weight and args.get("quantity", 1) == (quantity or 1), args
