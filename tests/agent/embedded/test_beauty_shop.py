"""A beauty shop: shades that are a code and a name ("05 Caramel"), sizes in ml, products
on sale (a compare-at price), some shades sold out, and shoppers who change their mind
("add brick red" after asking about the berry one, "ok nevermind"). The intent model is a
stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

from typing import Any

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier
from shopagent.agent.embedded._answers import answer, said_options
from shopagent.agent.embedded._catalog import CatalogProfile, build_profile, coded_names
from shopagent.agent.embedded._guards import yes_no
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
    assert (
        said
        == "Yes, Hyaluronic Hydra Serum is on sale in 50ml ($36.00, down from $43.20, 17% off)."
    )
    said = answer("whats the discount", _serum("30.00", "45.00"))
    assert said == (
        "Yes, Hyaluronic Hydra Serum is on sale in 30ml ($24.00, down from $30.00, 20% off)"
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
    with pytest.raises(ToolError):
        wanted_options({"size": "M"}, "L", None)
    assert wanted_options({"Size": "M"}, "m", None) == {"size": "M"}
