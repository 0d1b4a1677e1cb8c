"""A shop whose titles end in a size or a count ("Gooseneck Pour-Over Kettle 1L", "V60 Paper
Filters (100)"): the product is the noun before it, so asking for it is no request for
something the shop does not carry."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import DialogueState
from shopagent.agent.embedded._catalog import build_profile, without_quantity

from .mini_shop import Reads, product, shop_tier

COFFEE_SHOP = [
    product("k1", "Fellow Gooseneck Pour-Over Kettle 1L", "Brewing Equipment", color=["Black"]),
    product("f1", "Hario V60 Paper Filters (100)", "Accessories"),
    product("g1", "Kinto Carafe, Set of 2", "Accessories"),
    product("b1", "Bean Theory Ethiopia Yirgacheffe 250g", "Whole Bean Coffee"),
    product("d1", "Hario Ceramic Dripper", "Brewing Equipment", color=["White", "Black"]),
]


@pytest.mark.parametrize(
    ("title", "noun"),
    [
        ("Gooseneck Pour-Over Kettle 1L", "kettle"),
        ("V60 Paper Filters (100)", "filters"),
        ("Mugs, Set of 4", "mugs"),
        ("Wool Socks 3-Pack", "socks"),
        ('Curved Monitor 34"', "monitor"),
        ("Steel Water Bottle 750 ml", "bottle"),
        ("Trail Boots size 9", "boots"),
        ("Porcelain Tea Set", "set"),  # a set it is
        ("Hario V60", "v60"),  # a model name, not a size
    ],
)
def test_the_noun_before_a_size_or_count_is_what_the_product_is(title: str, noun: str) -> None:
    assert without_quantity(title).split()[-1] == noun


def test_the_profile_knows_kettles_and_filters_by_their_titles() -> None:
    heads = set(build_profile(COFFEE_SHOP)["heads"])
    assert {"kettle", "filter", "carafe", "yirgacheffe", "dripper"} <= heads
    assert not {h for h in heads if any(c.isdigit() for c in h)}


@pytest.mark.parametrize("turn", ["do you have a gooseneck kettle?", "any paper filters?"])
def test_asking_for_a_product_the_titles_name_is_no_not_carried(turn: str, encode: object) -> None:
    tier = shop_tier(COFFEE_SHOP, encode, Reads("search"))
    nlu = tier.understand(turn, DialogueState())
    assert "not_carried" not in nlu.notes, nlu.notes
