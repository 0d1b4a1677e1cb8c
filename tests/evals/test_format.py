"""The conversation format: validation, matchers, constraints, the committed JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopagent.evals import Conversation, load_conversations
from shopagent.evals._format import CartExpectation, Exact, InRange, OneOf, Range, Regex, Turn
from shopagent.evals._matchers import _MISSING, check_cart, check_constraint, lookup, match
from shopagent.evals.schema.__main__ import PATH as SCHEMA_PATH
from shopagent.evals.schema.__main__ import render


def test_committed_schema_is_generated_from_the_models() -> None:
    # Regenerate with `python -m shopagent.evals.schema` after changing evals/_format.py.
    assert SCHEMA_PATH.read_text() == render()
    schema = json.loads(render())
    assert schema["properties"]["format"]["const"] == "shopagent-conversation/1"
    assert "Expectations" in schema["$defs"] and "ImageRef" in schema["$defs"]


@pytest.mark.parametrize(
    "turn, error",
    [
        ({"user": "hi", "confirm": True}, "confirm turn carries no user text"),
        ({}, "needs user text, an image, or confirm"),
        ({"user": "hi", "expect": {"forbid": ["teleport"]}}, "unknown forbid values"),
        ({"user": "hi", "expect": {"products": {"constraints": ["red"]}}}, "not FIELD OP VALUE"),
        ({"user": "hi", "expect": {"tool_cals": []}}, "Extra inputs are not permitted"),
        ({"image": {"product_id": "p-1", "path": "x.png"}}, "exactly one of product_id or path"),
    ],
)
def test_malformed_turns_are_refused_with_a_reason(turn: dict, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        Turn.model_validate(turn)


def test_loader_names_the_bad_line_and_refuses_duplicate_ids(tmp_path: Path) -> None:
    p = tmp_path / "d.jsonl"
    ok = {"id": "a", "turns": [{"user": "hi"}]}
    p.write_text(json.dumps(ok) + "\n\n" + json.dumps({"id": "b", "turns": []}) + "\n")
    with pytest.raises(ValueError, match=r"d.jsonl:3"):
        load_conversations(p)
    p.write_text(json.dumps(ok) + "\n" + json.dumps(ok) + "\n")
    with pytest.raises(ValueError, match="duplicate conversation id 'a'"):
        load_conversations(p)


def test_image_refs_resolve_against_the_data_dir(tmp_path: Path) -> None:
    c = Conversation.model_validate(
        {
            "id": "x",
            "turns": [
                {"image": {"product_id": "p-00042"}, "user": "like this"},
                {"image": {"path": "uploads/mine.jpg"}},
            ],
        }
    )
    assert c.turns[0].image.resolve(tmp_path) == tmp_path / "media/products/p-00042.png"
    assert c.turns[1].image.resolve(tmp_path) == tmp_path / "uploads/mine.jpg"


def test_argument_matchers() -> None:
    assert match("Red", "red") and match(Exact(exact=50), 50.0) and not match("red", "blue")
    assert match(OneOf(one_of=["dress", "dresses"]), "Dresses")
    assert match(InRange(range=Range(max=50)), 49.99) and not match(
        InRange(range=Range(min=10)), "cheap"
    )
    assert match(Regex(regex=r"running\s+shoe"), "Running  Shoes for men")
    assert not match("red", _MISSING) and match(Exact(exact=None), None)
    args = {"query": "dress", "filters": {"color": "red", "price": {"max": 50}}}
    assert lookup(args, "color") == "red"  # one level down without naming the nesting
    assert lookup(args, "filters.price.max") == 50
    assert lookup(args, "size") is _MISSING


@pytest.mark.parametrize(
    "constraint, ok",
    [
        ("color=red", True),
        ("color=RED", True),
        ("color!=blue", True),
        ("color=blue", False),
        ("price<=50", True),
        ("price<39", False),
        ("price>=39.99", True),
        ("category=dresses", True),
        ("category=dress", True),
        ("category=apparel", True),
        ("category=shoes", False),
        ("title~midi", True),
        ("size=M", False),
        ("brand=Solenne", True),
    ],
)
def test_product_constraints(constraint: str, ok: bool) -> None:
    card = {
        "id": "p-1",
        "title": "Solenne Red Linen Midi Dress",
        "price": 39.99,
        "brand": "Solenne",
        "category": "Apparel > Dresses",
        "attributes": {"color": "red", "material": "linen"},
    }
    assert check_constraint(constraint, card) is ok


def test_cart_expectation_matches_lines_once_each() -> None:
    cart = {
        "lines": [
            {"product_id": "p-1", "quantity": 2, "options": {"size": "M"}},
            {"product_id": "p-2", "quantity": 1, "options": {}},
        ],
        "item_count": 3,
        "total": 99.0,
    }
    good = CartExpectation.model_validate(
        {
            "item_count": 3,
            "lines": [{"product_id": "p-1", "options": {"size": "m"}}, {"quantity": 1}],
            "exact": True,
        }
    )
    assert check_cart(good, cart) == []
    twice = CartExpectation.model_validate(
        {"lines": [{"product_id": "p-1"}, {"product_id": "p-1"}]}
    )
    assert check_cart(twice, cart) == ["no cart line matches {'product_id': 'p-1'}"]
    extra = CartExpectation.model_validate({"lines": [{"product_id": "p-1"}], "exact": True})
    assert check_cart(extra, cart) == ["1 unexpected cart line(s)"]
    assert check_cart(CartExpectation(item_count=0), cart)[0].startswith("item_count 3")


def test_select_conversations_strides_within_tags() -> None:
    from shopagent.evals import select_conversations

    convs = [
        Conversation.model_validate(
            {"id": f"c{i}", "tags": ["a" if i % 3 else "b"], "turns": [{"user": "hi"}]}
        )
        for i in range(10)
    ]
    assert [c.id for c in select_conversations(convs, every=4)] == ["c0", "c4", "c8"]
    assert [c.id for c in select_conversations(convs, tags=["b"])] == ["c0", "c3", "c6", "c9"]
    assert [c.id for c in select_conversations(convs, tags=["a"], every=2, offset=1, limit=2)] == [
        "c2",
        "c5",
    ]
