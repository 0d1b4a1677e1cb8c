"""An art shop whose product types are broad (Paint, Drawing, Canvas): "ok a fine pen set"
after paints were shown is a search for pens (the noun before "set", which heads titles of
every kind), and "can i get 3 of those" after the lemon yellow oil paint was found by its
colour adds that colour, under the shop's own option name "Colour". The intent model is a
stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import EmbeddedTier

from .mini_shop import planned, product, shown
from .mini_shop import shop_tier as _tier

ART = [
    product(
        "acrylics", "Studio Acrylic Paint Set", "Art > Paint", Set=["12 Colours", "24 Colours"]
    ),
    product("pans", "Watercolour Pan Set", "Art > Paint", Set=["12 Half Pans", "24 Half Pans"]),
    product(
        "oils",
        "Oil Colour Tube 37ml",
        "Art > Paint",
        Colour=["Titanium White", "Lemon Yellow", "Burnt Umber"],
    ),
    product("brushes", "Synthetic Brush Set", "Art > Brushes"),
    product("pencils", "Graphite Pencil Set", "Art > Drawing"),
    product("pens", "Fineliner Ink Pens", "Art > Drawing", Pack=["6 Pack", "12 Pack"]),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(ART, encode, None, titles=True)


def test_a_kind_sold_as_a_set_is_the_noun_before_set(shop: EmbeddedTier) -> None:
    s = shown(ART, "acrylics", "oils", "pans")
    s.filters = {"category": "Paint"}
    s.query = "spray paint"
    nlu, plan = planned(shop, "ok a fine pen set", s, "search", 0.9)
    assert nlu.intent == "search", nlu
    args = plan.calls[0].args
    assert "pen" in str(args["query"]) and args.get("category") != "Paint", args


def test_the_colour_searched_is_the_one_added_under_its_own_option_name(
    shop: EmbeddedTier,
) -> None:
    s = shown(ART, "oils")
    s.filters = {"category": "Paint", "color": "Lemon Yellow"}
    nlu, plan = planned(shop, "can i get 3 of those", s, "add_to_cart")
    args = plan.calls[0].args
    chosen = {**(args.get("options") or {}), **{k: args[k] for k in ("color",) if k in args}}
    assert "Lemon Yellow" in chosen.values() and args["quantity"] == 3, args


@pytest.mark.parametrize(
    "text", ["whats the difference between acrylic and watercolour", "oil vs acrylic?"]
)
def test_two_kinds_set_side_by_side_compare_the_products_named(
    shop: EmbeddedTier, text: str
) -> None:
    """Nothing shown yet: each side is a word one title alone holds, so those two are
    compared (not "search for something first")."""
    from shopagent.agent.embedded import DialogueState

    nlu, plan = planned(shop, text, DialogueState(), "compare")
    assert plan.calls and plan.calls[0].name == "compare_products", plan
    ids = plan.calls[0].args["product_ids"]
    assert set(ids) == ({"acrylics", "pans"} if "water" in text else {"oils", "acrylics"}), ids


def test_a_choice_after_a_comparison_adds_the_one_named_in_the_option_said(
    shop: EmbeddedTier,
) -> None:
    """ "the watercolour set then, the bigger one" after the two sets were compared (read,
    unsure, as a look-alike search): the 24-pan set, to be confirmed."""
    s = shown(ART, "acrylics", "pans")
    nlu, plan = planned(shop, "the watercolour set then, the bigger one", s, "visual_search", 0.3)
    assert nlu.intent == "add_to_cart", nlu
    args = plan.calls[0].args
    assert args["product_id"] == "pans" and "24 Half Pans" in str(args), args
