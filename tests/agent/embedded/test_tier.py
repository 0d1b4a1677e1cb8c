"""The trained tier end to end: real MiniLM, real (quick) training, real turns."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from agent.embedded import DialogueState, EmbeddedTier, ToolOutcome
from shopagent.errors import ShopAgentError

HANDWRITTEN = Path(__file__).parents[2] / "data" / "nlu_handwritten.jsonl"


def test_load_without_an_artifact_says_model_not_trained(tmp_path: Path) -> None:
    settings = SimpleNamespace(embedded_model_path=tmp_path / "none", nlu_confidence_threshold=0.6)
    with pytest.raises(ShopAgentError) as err:
        EmbeddedTier.load(settings, {})
    assert err.value.code == "model_not_trained"


def test_understands_routine_turns(tier: Any) -> None:
    s = DialogueState()
    nlu = tier.understand("red dresses under 50 bucks", s)
    assert nlu.intent == "search" and nlu.confidence >= tier.threshold
    assert nlu.slots.filled() == {"category": "Dresses", "color": "red", "price_max": 50.0}
    assert abs(sum(nlu.intent_scores.values()) - 1) < 1e-3
    nlu = tier.understand("add the second one in M", s)
    assert (nlu.intent, nlu.slots.reference, nlu.slots.size) == ("add_to_cart", "2", "M")
    assert tier.understand("where is my order o-10023", s).slots.order_id == "o-10023"
    assert tier.understand("hi there", s).intent == "greeting"
    # an uploaded photo turns a search-like turn into a visual search carrying the image
    photo = tier.understand("find something like this", s, image_id="img-9")
    assert photo.intent == "visual_search" and photo.image_id == "img-9"
    assert tier.plan(photo, s).calls[0].args["image_id"] == "img-9"


def test_a_conversation_carries_constraints_and_resolves_references(tier: Any) -> None:
    s = DialogueState()
    nlu = tier.understand("black leather boots under $150", s)
    s = tier.update_state(s, nlu)
    plan = tier.plan(nlu, s)
    args = plan.calls[0].args
    assert (args["category"], args["color"], args["material"], args["price_max"]) == (
        "Boots",
        "black",
        "leather",
        150.0,
    )
    cards = [{"id": f"p-{i}", "title": f"Boot {i}", "price": 90.0 + i} for i in range(3)]
    reply, s = tier.respond(
        nlu,
        s,
        [
            ToolOutcome(
                name="catalog_search",
                args=args,
                content={"products": cards, "total": 3, "filters_applied": args},
            )
        ],
    )
    assert reply.product_ids == ["p-0", "p-1", "p-2"]
    nlu = tier.understand("in brown?", s)
    s = tier.update_state(s, nlu)
    args = tier.plan(nlu, s).calls[0].args
    assert (nlu.intent, args["color"], args["category"], args["price_max"]) == (
        "refine",
        "brown",
        "Boots",
        150.0,
    )
    nlu = tier.understand("add the second one in size 42", s)
    s = tier.update_state(s, nlu)
    call = tier.plan(nlu, s).calls[0]
    assert (call.name, call.args) == (
        "add_to_cart",
        {"product_id": "p-1", "quantity": 1, "size": "42"},
    )


def test_off_topic_turns_get_the_scope_message(tier: Any) -> None:
    s = DialogueState()
    nlu = tier.understand("write me a poem about the sea", s)
    assert nlu.intent == "out_of_scope"
    plan = tier.plan(nlu, s)
    assert not plan.calls and "shop" in (plan.reply or "")


def test_quick_model_clears_a_floor_on_the_handwritten_turns(tier: Any) -> None:
    """The quick (test) model, not the full one: the bench holds the real targets."""
    rows = [json.loads(x) for x in HANDWRITTEN.read_text().splitlines() if x.strip()]
    rows = rows[::4]  # a quarter keeps the test short
    right = sum(tier.understand(r["text"], DialogueState()).intent == r["intent"] for r in rows)
    assert right / len(rows) >= 0.85
