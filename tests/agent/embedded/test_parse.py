"""Numbers, ids and references as shoppers type them."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded._parse import parse


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("red dresses under $50", None, 50.0),
        ("a dress for 50 bucks", None, 50.0),
        ("womens jeans between 20 and 40", 20.0, 40.0),
        ("polyester jackets $30-$60", 30.0, 60.0),
        ("nothing over $120", None, 120.0),
        ("make it under fifty", None, 50.0),
        ("heels under a hundred", None, 100.0),
        ("over 100 is fine", 100.0, None),
        ("at least 80 dollars", 80.0, None),
        ("sandals below €25", None, 25.0),
        ("not more than 80", None, 80.0),
        ("don't spend more than $40 on a dress", None, 40.0),
        ("I do not want to pay more than 40 bucks", None, 40.0),
        ("won't pay over $40", None, 40.0),
        ("not above $40", None, 40.0),
        ("no more than $40", None, 40.0),
        ("max $40", None, 40.0),
        ("at most 40 dollars", None, 40.0),
        ("not over $40", None, 40.0),
        ("less than $40", None, 40.0),
        ("cheaper than $40", None, 40.0),
        ("40 or cheaper", None, 40.0),
        ("$20-$40", 20.0, 40.0),
        ("from 20 to 40", 20.0, 40.0),
        ("at least $40", 40.0, None),
        ("over $40", 40.0, None),
        ("more than $40", 40.0, None),
        ("under $40 but over $20", 20.0, 40.0),
        ("snekers size 42", None, None),
        ("gifts for a 5 year old", None, None),
    ],
)
def test_prices(text: str, lo: float | None, hi: float | None) -> None:
    p = parse(text)
    assert (p.price_min, p.price_max) == (lo, hi)


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("add the second one in M", ["2"]),
        ("tell me about the 4th one", ["4"]),
        ("details on number 3", ["3"]),
        ("buy the last one", ["last"]),
        ("compare the first two", ["1", "2"]),
        ("which is better, the second or the last one?", ["2", "last"]),
        ("ad the frist one", ["1"]),
        ("is it in stock", ["it"]),
        ("add that in red", ["it"]),
        ("anything that looks like this", []),
        ("that's all thanks", []),
    ],
)
def test_references(text: str, refs: list[str]) -> None:
    assert parse(text).references == refs


def test_quantities_ids_and_modifiers() -> None:
    assert parse("add 2 of the third one").quantity == 2
    assert parse("i want two of those").quantity == 2
    assert parse("add three pairs of the first one").quantity == 3
    assert parse("add the first one").quantity is None
    assert parse("compare p-00012 with p-00456").product_ids == ["p-00012", "p-00456"]
    assert parse("status of order #55812").order_ids == ["55812"]
    assert parse("cancel ord-7781").order_ids == ["ord-7781"]
    assert parse("cheaper ones").modifier == "cheaper"
    assert parse("next page").modifier == "more"
    # "not more than 80" is a price, not a request for more results
    assert parse("not more than 80").modifier is None


def test_ids_keep_their_case_and_letters() -> None:
    assert parse("where is my order o-3fa9c2b1e0?").order_ids == ["o-3fa9c2b1e0"]
    assert parse("tell me about SKU-AB123").product_ids == ["SKU-AB123"]
    assert parse("add p-00042 in size 42").product_ids == ["p-00042"]
    assert parse("the o-rings please").order_ids == []  # no digit: a word, not an id


def test_forget_the_budget_drops_the_price() -> None:
    assert parse("forget the budget, show me everything in that colour").modifier == "any_price"


@pytest.mark.parametrize("text", ["rug 5 x 8 ft", "a 5 x 7 rug", "tarp 10 x 12", "8.5 x 11 paper"])
def test_dimensions_with_spaces_are_not_a_quantity(text: str) -> None:
    assert parse(text).quantity is None


def test_a_count_with_x_is_still_a_quantity() -> None:
    assert parse("add it x2").quantity == 2
    assert parse("3 x the blue mug").quantity == 3


def test_an_english_word_is_no_misspelt_ordinal() -> None:
    # "tents?" is a request for tents, not "the tenth one"; real typos still are ordinals
    assert parse("tents?").references == []
    assert parse("the secnod one").references == ["2"]
