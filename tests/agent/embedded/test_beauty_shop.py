"""A beauty shop: shades that are a code and a name ("05 Caramel"), sizes in ml, products
on sale (a compare-at price), some shades sold out, and shoppers who change their mind
("add brick red" after asking about the berry one, "ok nevermind"). The intent model is a
stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

from typing import Any

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, NLUResult
from shopagent.agent.embedded._answers import answer, said_options
from shopagent.agent.embedded._catalog import CatalogProfile, build_profile, coded_names
from shopagent.agent.embedded._guards import yes_no
from shopagent.agent.embedded._schema import ToolOutcome
from shopagent.errors import ToolError
from shopagent.tools._variants import wanted_options

from .mini_shop import Reads, planned, product, shown
from .mini_shop import shop_tier as _tier

SHADES = ["01 Porcelain", "02 Ivory", "05 Caramel", "06 Espresso"]
LIPS = ["Rosewood", "Brick Red", "Berry", "Coral"]
BEAUTY = [
    product("foundation", "Second Skin Foundation", "Makeup > Foundation", Shade=SHADES),
    product("lipstick", "Velvet Matte Lipstick", "Makeup > Lipstick", Shade=LIPS),
    product("serum", "Hyaluronic Hydra Serum", "Skin Care > Serums", Size=["30ml", "50ml"]),
    product("pillow", "Silk Pillow", "Bedding > Pillows", Pack=["1 Pillow", "2 Pillows"]),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(BEAUTY, encode, Reads("search", 0.9))


def test_a_shade_is_said_by_its_name_without_its_code() -> None:
    assert coded_names(SHADES)["05 Caramel"] == "caramel"
    assert said_options("what about caramel", {"shade": SHADES}) == {"shade": "05 Caramel"}
    assert said_options("the 02 ivory", {"shade": SHADES}) == {"shade": "02 Ivory"}
    # a count of one thing is no name: "the pillows" picks no pack
    assert coded_names(["1 Pillow", "2 Pillows"]) == {}
    assert coded_names(["3 Steps", "5 Steps"]) == {}
    assert said_options("add the pillows", {"pack": ["1 Pillow", "2 Pillows"]}) == {}
    profile = CatalogProfile(build_profile(BEAUTY))
    assert profile.option_values("in caramel", "Foundation") == {"shade": "05 Caramel"}


def test_add_names_the_shade_said_not_the_one_asked_about(shop: EmbeddedTier) -> None:
    """ "is the berry one available?" (no: sold out) then "add brick red": Brick Red, not
    Berry; "add the pink one" (no such shade) asks which, rather than adding the berry."""
    s = shown(BEAUTY, "lipstick")
    s.extra["chosen_option"] = {"product_id": "lipstick", "option": "shade", "value": "Berry"}
    _, plan = planned(shop, "add brick red", s, "add_to_cart")
    assert [c.name for c in plan.calls] == ["add_to_cart"], plan
    assert {k.casefold(): v for k, v in plan.calls[0].args["options"].items()} == {
        "shade": "Brick Red"
    }
    _, plan = planned(shop, "add the pink one", s, "add_to_cart")
    assert "options" not in plan.calls[0].args, plan.calls[0].args
    # nor the shade a search found by its word ("a red lipstick": Brick Red)
    s.filters = {"category": "Lipstick", "options": {"shade": "Brick Red"}}
    _, plan = planned(shop, "add the pink one", s, "add_to_cart")
    assert "options" not in plan.calls[0].args, plan.calls[0].args
    s.filters = {}
    # "add it" still means the shade just asked about
    _, plan = planned(shop, "ok add it", s, "add_to_cart")
    assert plan.calls[0].args["options"] == {"shade": "Berry"}, plan.calls[0].args


def test_caramel_after_espresso_adds_caramel(shop: EmbeddedTier) -> None:
    s = shown(BEAUTY, "foundation")
    s.extra["chosen_option"] = {
        "product_id": "foundation",
        "option": "shade",
        "value": "06 Espresso",
    }
    _, plan = planned(shop, "add caramel", s, "add_to_cart")
    assert {k.casefold(): v for k, v in plan.calls[0].args["options"].items()} == {
        "shade": "05 Caramel"
    }


def test_do_you_have_it_in_a_shade_asks_about_the_product_in_play(shop: EmbeddedTier) -> None:
    nlu, plan = planned(shop, "do u have it in espresso", shown(BEAUTY, "foundation"), "refine")
    assert nlu.intent == "product_details", nlu
    assert [c.name for c in plan.calls] == ["get_product"], plan


def _foundation() -> dict[str, Any]:
    return {
        "id": "foundation",
        "title": "Second Skin Foundation",
        "currency": "USD",
        "variants": [
            {"id": f"f{i}", "options": {"Shade": s}, "price": "29.00", "available": i < 2}
            for i, s in enumerate(["02 Ivory", "05 Caramel", "06 Espresso"])
        ],
    }


def test_a_shades_stock_is_told_once() -> None:
    said = answer("do u have it in espresso", _foundation())
    assert said == "No, Second Skin Foundation in 06 Espresso is sold out.", said
    said = answer("do you have it in caramel?", _foundation())
    assert said is not None and said.startswith("Yes, Second Skin Foundation in 05 Caramel is")
    assert said.count("05 Caramel") == 1, said


def _serum(before_30: str | None, before_50: str | None) -> dict[str, Any]:
    return {
        "id": "serum",
        "title": "Hyaluronic Hydra Serum",
        "currency": "USD",
        "price": "24.00",
        "variants": [
            {"id": "s30", "options": {"Size": "30ml"}, "price": "24.00"}
            | ({"compare_at_price": before_30} if before_30 else {}),
            {"id": "s50", "options": {"Size": "50ml"}, "price": "36.00"}
            | ({"compare_at_price": before_50} if before_50 else {}),
        ],
    }


def test_a_sale_is_told_with_the_price_before_and_the_saving() -> None:
    said = answer("is it on sale?", _serum(None, "43.20"))
    assert answer("how much was it before", _serum(None, "43.20")) == (
        "Hyaluronic Hydra Serum is on sale in 50ml ($36.00, down from $43.20, 17% off)."
    )
    assert (
        said
        == "Yes, Hyaluronic Hydra Serum is on sale in 50ml ($36.00, down from $43.20, 17% off)."
    )
    said = answer("whats the discount", _serum("30.00", "45.00"))  # (no yes/no question)
    assert said == (
        "Hyaluronic Hydra Serum is on sale in 30ml ($24.00, down from $30.00, 20% off)"
        " and 50ml ($36.00, down from $45.00, 20% off)."
    )
    said = answer("is the 30ml on sale", _serum(None, "43.20"))
    assert said == "Hyaluronic Hydra Serum in 30ml isn't on sale right now: it's $24.00."
    said = answer("any discount on it?", _serum(None, None))
    assert said == "Hyaluronic Hydra Serum isn't on sale right now: it's $24.00 to $36.00."
    # a compare-at price at or below the price is no sale
    assert answer("is it on sale", _serum("24.00", "20.00")) == (
        "Hyaluronic Hydra Serum isn't on sale right now: it's $24.00 to $36.00."
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("ok nevermind", "no"),
        ("nah forget it", "no"),
        ("actually scratch that", "no"),
        ("not now thanks", "no"),
        ("ok", "yes"),
        ("ok do it", "yes"),
        ("ok thanks", None),
    ],
)
def test_a_dismissal_is_a_no(text: str, said: str | None) -> None:
    assert yes_no(text) == said


def test_nevermind_after_a_search_searches_nothing(shop: EmbeddedTier) -> None:
    _, plan = planned(shop, "ok nevermind", shown(BEAUTY, "serum", "foundation"), "refine", 0.7)
    assert plan.calls == [] and plan.reply and "haven't changed anything" in plan.reply, plan


def test_unsure_first_words_search_rather_than_ask_about_no_product(shop: EmbeddedTier) -> None:
    """ "retinol cream" as the first turn, unsure between a search and a product question:
    with nothing shown, it searches (no "tell you more about a product?")."""
    shop.model = Reads("search", 0.5)
    probs = dict.fromkeys(shop.model.probs("x"), 0.0) | {"search": 0.5, "product_details": 0.45}
    shop.model.probs = lambda text: probs  # type: ignore[method-assign]
    nlu = shop.understand("retinol cream", DialogueState())
    plan = shop.plan(nlu, shop.update_state(DialogueState(), nlu))
    assert [c.name for c in plan.calls] == ["catalog_search"], plan


def test_two_values_for_one_option_are_refused() -> None:
    with pytest.raises(ToolError) as err:
        wanted_options({"Shade": "Brick Red", "shade": "Berry"}, None, None)
    assert err.value.code == "conflicting_options"
    assert err.value.details == {"option": "shade", "values": ["Brick Red", "Berry"]}
    with pytest.raises(ToolError):
        wanted_options({"size": "M"}, "L", None)
    assert wanted_options({"Size": "M"}, "m", None) == {"size": "M"}


def _lipstick_card() -> dict[str, Any]:
    return {
        "id": "lipstick",
        "title": "Velvet Matte Lipstick",
        "category": "Lipstick",
        "price": "15.00",
        "options": {"Shade": LIPS},
    }


def test_add_a_kind_with_its_shade_adds_the_one_there_is(shop: EmbeddedTier) -> None:
    """ "add the coral lipstick" with nothing shown: the lipsticks are found, and the one
    there is is added in coral (it had stopped at "I found one match")."""
    nlu, plan = planned(shop, "add the coral lipstick", DialogueState(), "add_to_cart", 1.0)
    assert nlu.notes.get("add_kind") and plan.followup, (nlu, plan)
    found = ToolOutcome(
        name="catalog_search", args={}, ok=True, content={"products": [_lipstick_card()]}
    )
    nxt = shop.plan_next(nlu, DialogueState(), [found])
    assert [c.name for c in nxt.calls] == ["add_to_cart"], nxt
    assert nxt.calls[0].args["options"] == {"Shade": "Coral"}
    two = ToolOutcome(
        name="catalog_search",
        args={},
        ok=True,
        content={"products": [_lipstick_card(), {**_lipstick_card(), "id": "other"}]},
    )
    assert shop.plan_next(nlu, DialogueState(), [two]).calls == []  # several: shown, asked


def _after_the_coral() -> DialogueState:
    s = shown(BEAUTY, "lipstick")
    s.focus = "lipstick"
    s.extra["cart"] = [{"product_id": "lipstick", "variant_id": "lip-3", "quantity": 1}]
    return s


def test_one_more_in_another_shade_is_that_shade(shop: EmbeddedTier) -> None:
    """After the coral one is added: "and one in rosewood too" adds the rosewood, "and one
    in purple too" (no purple) asks which shade, never the coral again."""
    _, plan = planned(shop, "and one in rosewood too", _after_the_coral(), "refine")
    assert [c.name for c in plan.calls] == ["add_to_cart"], plan
    args = plan.calls[0].args
    assert "variant_id" not in args and args["options"] == {"Shade": "Rosewood"}, args
    _, plan = planned(shop, "and one in purple too", _after_the_coral(), "refine")
    assert plan.calls[0].args == {"product_id": "lipstick", "quantity": 1}, plan.calls[0].args
    _, plan = planned(shop, "another one of those", _after_the_coral(), "refine")
    assert plan.calls[0].args["variant_id"] == "lip-3", plan.calls[0].args


@pytest.mark.parametrize(
    "text", ["can i pay with paypal", "do you take amex?", "what payment options do you have"]
)
def test_how_to_pay_is_a_policy_question(shop: EmbeddedTier, text: str) -> None:
    _, plan = planned(shop, text, shown(BEAUTY, "serum"), "checkout")
    assert plan.calls == [] and plan.reply and "payment" in plan.reply, plan


def test_a_question_of_another_products_word_is_no_off_topic_turn(shop: EmbeddedTier) -> None:
    """ "is the matte ok for kids" read as off topic with a serum in play: a question of
    the shop's matte lipstick, found (not about the serum, nor "I can only help ...")."""
    s = shown(BEAUTY, "serum")
    s.focus = "serum"
    nlu, plan = planned(shop, "is the matte ok for kids", s, "out_of_scope", 0.83)
    assert nlu.intent == "search" and plan.calls, (nlu, plan)
    assert plan.calls[0].name == "catalog_search", plan


def test_two_values_for_an_option_at_the_add_are_asked_about(shop: EmbeddedTier) -> None:
    failed = ToolOutcome(
        name="add_to_cart",
        args={},
        ok=False,
        error_code="conflicting_options",
        error_message="two values for the option 'color': 'Charcoal' and 'Sage'",
        details={"option": "color", "values": ["Charcoal", "Sage"]},
    )
    nlu = NLUResult(intent="add_to_cart", confidence=0.9, text="charcoal then")
    reply, _ = shop.respond(nlu, DialogueState(), [failed])
    assert reply.text == "Which color would you like: Charcoal or Sage?", reply.text


def test_the_product_added_after_a_search_is_the_one_in_play(shop: EmbeddedTier) -> None:
    """The add that followed "add the coral lipstick"'s search makes the lipstick "it",
    with its shades kept ("and one in rosewood too" reads them)."""
    found = ToolOutcome(
        name="catalog_search", args={}, ok=True, content={"products": [_lipstick_card()]}
    )
    added = ToolOutcome(
        name="add_to_cart",
        args={"product_id": "lipstick", "quantity": 1},
        ok=True,
        content={"added": {"title": "Velvet Matte Lipstick", "quantity": 1}},
    )
    nlu = NLUResult(intent="add_to_cart", confidence=1.0, text="add the coral lipstick")
    reply, state = shop.respond(nlu, DialogueState(), [found, added])
    assert reply.text.startswith("Added Velvet Matte Lipstick to your cart."), reply.text
    assert state.focus == "lipstick" and state.shown["lipstick"]["options"] == {"Shade": LIPS}


def test_the_colour_asked_about_still_goes_with_a_size_said(encode: object) -> None:
    """ "does it come in brown?" (yes), then "add it in large": brown, in L."""
    tees = [
        product(
            "tee", "Organic Cotton Tee", "Apparel > Tees", color=["Brown", "Navy"], size=["M", "L"]
        )
    ]
    tier = _tier(tees, encode, Reads("add_to_cart", 0.95))
    s = shown(tees, "tee")
    s.focus = "tee"
    s.extra["chosen_option"] = {"product_id": "tee", "option": "color", "value": "Brown"}
    _, plan = planned(tier, "add it in large", s, "add_to_cart")
    args = plan.calls[0].args
    assert (args.get("color"), args.get("size")) == ("Brown", "L"), args
