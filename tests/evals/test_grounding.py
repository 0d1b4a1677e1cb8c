"""Grounded product answers, clarifying questions, constraint alternatives and per-tag
turn success: the format extensions shoppers_v2 relies on, each able to fail."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from shopagent.agent import events as ev
from shopagent.evals import EvalConfig, Turn, TurnRecord, render_html, run_conversations, score_turn
from shopagent.evals._format import Conversation
from shopagent.evals._matchers import check_constraint
from shopagent.retrieval.demo import generate_product

# A garden-tools shop's product, not the demo's fashion: grounded checks read any record.
SHEARS: dict[str, Any] = {
    "id": "g-1",
    "title": "Yardline Bypass Pruning Shears",
    "brand": "Yardline",
    "description": "Forged steel blades. Designed with a non-slip grip and a locking catch.",
    "attributes": {"material": "carbon steel", "color": "green"},
    "in_stock": True,
    "price": "24.50",
    "variants": [
        {
            "id": "g-1-0",
            "options": {"size": "small"},
            "price": "24.50",
            "available": True,
            "quantity": 7,
        },
        {
            "id": "g-1-1",
            "options": {"size": "large"},
            "price": "29.00",
            "available": False,
            "quantity": 0,
        },
    ],
}
SOLD_OUT = {
    **SHEARS,
    "id": "g-2",
    "in_stock": False,
    "variants": [{**v, "available": False, "quantity": 0} for v in SHEARS["variants"]],
}


def _score(
    expect: dict[str, Any], reply: str, data: dict[str, Any] | None = SHEARS, **record: Any
) -> list[str]:
    turn = Turn.model_validate({"user": "q", "expect": expect})
    grounding = {"product_id": data["id"], "source": "catalog", "data": data} if data else None
    tr = TurnRecord(index=0, kind="user", reply=reply, grounding=grounding, **record)
    return score_turn(turn, tr, EvalConfig(name="t"), user_id="u", writes={"add_to_cart"}).failures


def test_stock_answers_must_match_the_product() -> None:
    want = {"grounded": {"product": "g-1", "states": ["stock"]}}
    assert _score(want, "Yes, 7 of the small ones are left.") == []
    assert _score(want, "It's in stock.") == []
    assert _score(want, "Yardline Bypass Pruning Shears, $24.50.")  # no stock stated
    sold = {"grounded": {"product": "g-2", "states": ["stock"]}}
    assert _score(sold, "Sorry, those are sold out in every size.", SOLD_OUT) == []
    assert _score(sold, "Yes, they're available!", SOLD_OUT)


def test_price_sizes_and_attributes_come_from_the_record() -> None:
    want = {"grounded": {"product": "g-1", "states": ["price", "sizes", "material"]}}
    assert _score(want, "It's $24.50, in carbon steel, and only small is available.") == []
    failures = _score(want, "It's $25, made of steel, comes in large.")
    assert len(failures) == 3 and any("size" in f for f in failures)
    # A size token is a whole word: "small" is not found inside "smallest".
    assert _score({"grounded": {"product": "g-1", "states": ["sizes"]}}, "the smallest one") != []


def test_an_asked_property_is_quoted_or_admitted_unknown() -> None:
    grip = {"grounded": {"product": "g-1", "asks": "non[- ]?slip"}}
    assert _score(grip, "Yes: the page says it has a non-slip grip.") == []
    assert _score(grip, "I don't know, the page doesn't say.")  # it does say
    wash = {"grounded": {"product": "g-1", "asks": "dishwasher"}}
    assert _score(wash, "The product page doesn't say whether it is dishwasher safe.") == []
    assert _score(wash, "Yes, it's dishwasher safe!")  # a guess: the page says nothing


def test_no_resolved_product_fails_the_turn() -> None:
    assert _score({"grounded": {"product": 2, "states": ["price"]}}, "It's $24.50.", None)


def test_clarify_needs_a_question_and_nothing_else() -> None:
    assert _score({"clarify": True}, "Which kind of product are you after: shoes or bags?") == []
    assert _score({"clarify": True}, "Here are some products.")
    card = {"id": "p-1", "title": "x"}
    assert _score({"clarify": True}, "Did you mean these?", products=[card])
    assert _score(
        {"clarify": True}, "Add it?", confirmation={"tool": "add_to_cart", "arguments": {}}
    )


def test_constraint_alternatives() -> None:
    card = {"id": "p", "category": "Kitchen > Kettles", "attributes": {"color": "red"}}
    assert check_constraint("category=kettles|cookware", card)
    assert not check_constraint("category=mugs|cookware", card)
    assert check_constraint("color!=blue|green", card)
    assert not check_constraint("color!=red|green", card)


class _Catalog:
    def get_product(self, pid: str) -> Any:
        return {"p-00034": generate_product(34)}.get(pid)


class _QAShop:
    """Shows two demo cards, then answers about the second one (well, or not)."""

    def __init__(self, good: bool) -> None:
        self.good, self.catalog = good, _Catalog()
        self.sessions = type("S", (), {"create_session": self._create})()
        self.images = None

    async def _create(self, user_id: str) -> Any:
        return type("I", (), {"session_id": "s1"})()

    async def stream_turn(
        self, *, user_id: str, session_id: str, text: str, image_id: str | None = None
    ) -> AsyncIterator[Any]:
        yield ev.RouteEvent(tier="embedded", reason="t", intent="search", confidence=0.9)
        if "perfume" in text:
            yield ev.ProductsEvent(
                products=[
                    ev.ProductCard(id="p-00089", title="a", price=49.99),
                    ev.ProductCard(id="p-00034", title="Velour Black Eau de Toilette", price=55.99),
                ]
            )
            yield ev.MessageEvent(text="Two perfumes.")
        else:
            p = generate_product(34)
            ml = ", ".join(v.options["size"] for v in p.variants if v.available)
            yield ev.MessageEvent(text=f"It comes in {ml}." if self.good else "Lovely choice!")
        yield ev.DoneEvent(turn_id="t", latency_ms=5.0, usage=ev.Usage())

    async def get_cart(self, *, user_id: str) -> dict[str, Any]:
        return {"lines": [], "item_count": 0}


def _qa_run(good: bool) -> Any:
    conv = Conversation.model_validate(
        {
            "id": "qa",
            "tags": ["product_qa", "demo"],
            "turns": [
                {"user": "perfume"},
                {
                    "user": "what sizes does the second one come in",
                    "expect": {"grounded": {"product": 2, "states": ["sizes"]}},
                },
            ],
        }
    )

    @contextlib.asynccontextmanager
    async def factory(config: EvalConfig) -> AsyncIterator[Any]:
        yield _QAShop(good)

    return asyncio.run(
        run_conversations(
            [conv], EvalConfig(name="good" if good else "bad"), factory=factory, data_dir=Path(".")
        )
    )


def test_replay_resolves_the_ordinal_from_the_catalog_and_reports_per_tag() -> None:
    good, bad = _qa_run(True), _qa_run(False)
    turn = good.conversations[0].turns[1]
    assert turn.grounding and turn.grounding["product_id"] == "p-00034"
    assert turn.grounding["source"] == "catalog" and turn.score.success
    assert not bad.conversations[0].turns[1].score.success
    tag = bad.breakdowns["tag"]["product_qa"]
    assert tag["turns"] == 2 and tag["turn_success"] == 0.5 and tag["success"] == 0.0
    assert bad.summary["tag_turn_success"]["product_qa"] == 0.5
    assert bad.summary["grounded_match"] == 0.0 and good.summary["grounded_match"] == 1.0
    html = render_html([good, bad])
    assert "<th>turn success</th>" in html and "product_qa" in html
    assert 'alt="Per tag"' in html
