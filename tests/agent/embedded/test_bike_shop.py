"""A bicycle shop: options that are not "size" or "colour" by name (a road bike's "Frame
Size", an e-bike's "Battery", a light's "Lumen"), named by the shopper in an add or a
question. The intent model is a stub (the model boundary); the text encoder is the real
MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, ToolOutcome
from shopagent.agent.embedded._answers import answer, said_options

from .mini_shop import Reads, planned, product, searched, shown
from .mini_shop import shop_tier as _tier

BIKES = [
    product(
        "road-1", "Veloce Road Bike 105", "Cycling > Road Bikes", **{"Frame Size": ["52cm", "56cm"]}
    ),
    product(
        "ebike-1",
        "Urbanglide City E-Bike",
        "Cycling > E-Bikes",
        **{"Frame Size": ["M", "L"], "Battery": ["400Wh", "625Wh"]},
    ),
    product("light-1", "Beamo Light Set", "Cycling > Lights", Lumen=["400", "800"]),
    product(
        "helmet-1",
        "Skyline Aero Helmet",
        "Cycling > Helmets",
        size=["M", "L"],
        color=["White", "Red"],
    ),
    product("tyre-1", "Gripline Road Tyre 700c", "Cycling > Tyres", Width=["700x25c", "700x28c"]),
    product("tube-1", "Gripline Inner Tube Presta", "Cycling > Inner Tubes", size=["700x23-28c"]),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(BIKES, encode, Reads("add_to_cart", 0.95))


def _add(shop: EmbeddedTier, text: str, s: DialogueState) -> dict[str, object]:
    nlu, plan = planned(shop, text, s, "add_to_cart")
    assert [c.name for c in plan.calls] == ["add_to_cart"], (nlu, plan)
    return plan.calls[0].args


@pytest.mark.parametrize(
    ("text", "pid", "options"),
    [
        ("add the 56cm to my cart", "road-1", {"Frame Size": "56cm"}),
        ("I'll take the 56 cm one", "road-1", {"Frame Size": "56cm"}),
        ("add it with the 625wh battery", "ebike-1", {"Battery": "625Wh"}),
        ("add the 800 lumen one", "light-1", {"Lumen": "800"}),
    ],
)
def test_an_add_takes_the_option_values_the_shopper_names_by_any_option_name(
    shop: EmbeddedTier, text: str, pid: str, options: dict[str, str]
) -> None:
    args = _add(shop, text, shown(BIKES, pid))
    assert args["product_id"] == pid
    assert args.get("options") == options, args


def test_a_size_word_and_an_own_option_in_one_add(shop: EmbeddedTier) -> None:
    args = _add(shop, "add it in large with 625wh", shown(BIKES, "ebike-1"))
    chosen = {
        **dict(args.get("options") or {}),
        **({"size": args["size"]} if "size" in args else {}),
    }
    assert "625Wh" in chosen.values() and "L" in chosen.values(), args


def test_the_one_shown_product_that_offers_the_named_value_is_the_one_added(
    shop: EmbeddedTier,
) -> None:
    args = _add(shop, "add the 800 lumen one", shown(BIKES, "road-1", "light-1"))
    assert args["product_id"] == "light-1" and args.get("options") == {"Lumen": "800"}


def test_a_colour_the_shopper_narrowed_to_carries_into_the_add(shop: EmbeddedTier) -> None:
    s = shown(BIKES, "helmet-1")
    s.filters = {"category": "Helmets", "color": "Red"}
    args = _add(shop, "add it", s)
    assert args.get("color") == "Red", args
    # a colour filter over several products shown is not a choice of one's variant
    s = shown(BIKES, "helmet-1", "road-1")
    s.filters = {"color": "Red"}
    s.focus = "helmet-1"
    assert "color" not in _add(shop, "add it", s)


@pytest.mark.parametrize(
    ("text", "options", "said"),
    [
        ("extra large please", {"Size": ["L", "XL"]}, {"Size": "XL"}),
        ("add 2 of the 2kg bags", {"Size": ["2kg", "6kg"]}, {"Size": "2kg"}),
        ("add 25 of them", {"Amount": ["25", "50"]}, {}),  # a quantity, not the 25 card
        ("the 50cm or the 52cm?", {"Frame Size": ["50cm", "52cm"]}, {}),  # two: no choice
        ("the large dog ones", {"Size": ["Small dog", "Large dog"]}, {"Size": "Large dog"}),
        ("add the M", {"Size": ["M", "L"]}, {}),  # a lone letter is the size slot's to read
    ],
)
def test_said_options(text: str, options: dict[str, list[str]], said: dict[str, str]) -> None:
    quantity = 25 if "25" in text else 2 if "add 2" in text else None
    assert said_options(text, options, quantity=quantity) == said


def test_a_sizes_question_answers_with_a_frame_size_option() -> None:
    page = {**BIKES[0], "description": "Aluminium road bike."}
    said = answer("whats the diffrence between the sizes?", page) or ""
    assert "frame sizes: 52cm and 56cm" in said and "no size" not in said, said
    said = answer("which frame size should I get?", page) or ""
    assert "52cm and 56cm" in said and "no size" not in said, said


def test_the_kept_products_remember_their_options_by_name(shop: EmbeddedTier) -> None:
    card = {"id": "light-1", "title": "Beamo Light Set", "options": {"Lumen": ["400", "800"]}}
    found = searched([card], {"query": "lights"}, total=1)
    nlu = shop.understand("lights", DialogueState())
    _, s = shop.respond(nlu, DialogueState(), [found])
    assert s.shown["light-1"]["options"] == {"Lumen": ["400", "800"]}


def test_a_property_asked_of_the_whole_range_is_searched_not_refused(shop: EmbeddedTier) -> None:
    shop.model = Reads("search", 0.95)
    s = DialogueState()
    nlu = shop.understand("do you have anything waterproof", s)
    assert "not_carried" not in nlu.notes, nlu.notes
    s = shop.update_state(s, nlu)
    assert s.query == "waterproof"


def test_the_cheapest_thing_with_no_kind_asks_which_kind(shop: EmbeddedTier) -> None:
    shop.model = Reads("search", 0.95)
    s = DialogueState()
    nlu = shop.understand("cheapest thing you have?", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu), alone=True)
    assert not plan.calls and not plan.escalate
    assert plan.reply and plan.reply.startswith("What kind of product"), plan


def test_the_cheapest_of_a_page_is_not_called_the_cheapest_of_the_shop(shop: EmbeddedTier) -> None:
    shop.model = Reads("search", 0.95)
    s = DialogueState()
    nlu = shop.understand("cheapest helmets", s)
    s = shop.update_state(s, nlu)
    cards = [
        {"id": "h-2", "title": "Dino Kids Helmet", "price": "35.00", "currency": "USD"},
        {"id": "helmet-1", "title": "Skyline Aero Helmet", "price": "119.00", "currency": "USD"},
    ]

    def found(total: int) -> ToolOutcome:
        args = {"query": "helmets", "category": "Helmets"}
        return searched(cards, args, total=total, filters={"category": "Helmets"})

    reply, _ = shop.respond(nlu, s, [found(2)])
    assert reply.text.startswith("The cheapest helmet is Dino Kids Helmet at $35.00"), reply.text
    reply, _ = shop.respond(nlu, s, [found(30)])  # 2 of 30 shown
    assert reply.text.startswith("The cheapest of these is Dino Kids Helmet"), reply.text


def test_a_question_about_a_kind_before_any_search_is_answered_on_the_one_found(
    shop: EmbeddedTier,
) -> None:
    shop.model = Reads("product_details", 0.95)
    s = DialogueState()
    nlu = shop.understand("what sizes do the helmets come in", s)
    s = shop.update_state(s, nlu)
    plan = shop.plan(nlu, s)
    assert [c.name for c in plan.calls] == ["catalog_search"] and plan.followup, plan
    assert plan.calls[0].args["category"] == "Helmets"
    card = {"id": "helmet-1", "title": "Skyline Aero Helmet", "category": "Helmets"}
    one = searched([card], plan.calls[0].args)
    nxt = shop.plan_next(nlu, s, [one])
    assert [(c.name, c.args) for c in nxt.calls] == [("get_product", {"product_id": "helmet-1"})]
    page = ToolOutcome(
        name="get_product",
        args={"product_id": "helmet-1"},
        ok=True,
        content={"product": {**BIKES[3], "description": "Road helmet."}},
    )
    reply, _ = shop.respond(nlu, s, [one, page])
    assert "comes in sizes: M and L" in reply.text, reply.text
    two = searched([card, {**card, "id": "h-2"}], plan.calls[0].args)
    assert not shop.plan_next(nlu, s, [two]).calls  # two found: the list, and the pick


@pytest.mark.parametrize(
    ("text", "reads", "shown_ids", "asks"),
    [
        ("how far does it go on a charge", "out_of_scope", ("ebike-1",), True),
        ("how heavy is the e-bike?", "search", ("ebike-1",), True),
        ("what e-bikes do you have", "search", ("ebike-1",), False),
        ("are there e-bikes with a bigger battery?", "search", ("ebike-1",), False),
        ("how far does it go on a charge", "out_of_scope", ("ebike-1", "road-1"), False),
    ],
)
def test_a_question_about_the_one_in_play(
    shop: EmbeddedTier, text: str, reads: str, shown_ids: tuple[str, ...], asks: bool
) -> None:
    shop.model = Reads(reads, 0.9)
    nlu = shop.understand(text, shown(BIKES, *shown_ids))
    assert (nlu.intent == "product_details") is asks, nlu


def test_a_page_answers_how_far_with_its_range() -> None:
    page = {**BIKES[1], "description": "Step-through city bike, 80km range, hub motor."}
    said = answer("how far does it go on a charge", page) or ""
    assert "80km range" in said, said


@pytest.mark.parametrize(
    ("text", "not_kind", "kind"),
    [
        ("got a flat, need a new tube for 700x25 tyres", "Tyres", None),
        ("tyres for my road bike", "Road Bikes", "Tyres"),
    ],
)
def test_the_thing_asked_for_is_the_noun_before_what_it_is_for(
    shop: EmbeddedTier, text: str, not_kind: str, kind: str | None
) -> None:
    shop.model = Reads("search", 0.95)
    nlu = shop.understand(text, DialogueState())
    assert nlu.slots.category != not_kind, nlu
    if kind:
        assert nlu.slots.category == kind, nlu


def _helmet_page() -> dict[str, object]:
    """A helmet in S/M/L x White/Red; the red large is sold out and the large costs more."""
    variants = [
        {
            "options": {"size": size, "color": colour},
            "available": (size, colour) != ("L", "Red"),
            "quantity": 0 if (size, colour) == ("L", "Red") else 6,
            "price": "12.00" if size == "L" else "10.00",
        }
        for size in ("S", "M", "L")
        for colour in ("White", "Red")
    ]
    return {"title": "Aero Helmet", "variants": variants, "currency": "USD"}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "is it in stock in large?",
            "Yes, Aero Helmet in L is in stock (6 available), but not in Red.",
        ),
        ("is the large red one in stock?", "No, Aero Helmet in Red L is sold out."),
        ("how much is it in large?", "Aero Helmet in L costs $12.00."),
        (
            "does it come in extra large?",
            "No, Aero Helmet doesn't come in extra large; its sizes: S, M and L.",
        ),
        ("does it come in xl", "No, Aero Helmet doesn't come in xl; its sizes: S, M and L."),
    ],
)
def test_a_variant_asked_about_in_the_shoppers_words(text: str, said: str) -> None:
    assert (answer(text, _helmet_page()) or "").startswith(said), answer(text, _helmet_page())


def test_a_state_kept_before_options_by_name_still_picks_by_value(shop: EmbeddedTier) -> None:
    """A session's state from before the shown products kept their options by name holds
    their values alone: "add the 625Wh one" still finds the one that has it."""
    s = shown(BIKES, "road-1", "ebike-1")
    for pid in s.shown:
        options = s.shown[pid].pop("options")
        s.shown[pid]["values"] = [v for vals in options.values() for v in vals]
    nlu, plan = planned(shop, "add the 625Wh one", s, "add_to_cart")
    assert [c.args["product_id"] for c in plan.calls] == ["ebike-1"], plan
    assert "625Wh" in dict(plan.calls[0].args.get("options") or {}).values()


def test_a_colour_none_of_the_shown_comes_in_is_said_with_theirs(shop: EmbeddedTier) -> None:
    shop.model = Reads("product_details", 0.9)
    s = shown(BIKES, "helmet-1", "light-1")
    nlu = shop.understand("does it come in pink?", s)
    s = shop.update_state(s, nlu)
    plan = shop.plan(nlu, s)
    assert sorted(c.args["product_id"] for c in plan.calls) == ["helmet-1", "light-1"], plan
    pages = [
        ToolOutcome(name="get_product", args=c.args, ok=True, content={"product": p})
        for c in plan.calls
        for p in BIKES
        if p["id"] == c.args["product_id"]
    ]
    reply, _ = shop.respond(nlu, s, pages)
    assert reply.text == ("Neither of them comes in pink: Skyline Aero Helmet in White and Red."), (
        reply.text
    )
    reply, _ = shop.respond(shop.understand("does it come in red?", s), s, pages)
    assert reply.text.startswith("Yes, Skyline Aero Helmet comes in Red"), reply.text
