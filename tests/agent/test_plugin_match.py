"""The embedded tier's matcher for tools that declare example requests, with the real MiniLM
text encoder of the catalog: paraphrases match, routine shopping does not, arguments come
from the dialogue and the text, and a missing one escalates or is asked for."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from shopagent.agent.embedded import DialogueState, NLUResult, Slots, ToolOutcome
from shopagent.agent.plugin_match import PluginMatcher, render
from shopagent.tools import ToolContext, tool


class WrapArgs(BaseModel):
    product_id: str
    paper: Literal["kraft", "floral", "midnight"] = Field(description="the wrapping paper")


@tool(
    writes=True,
    examples=[
        "can you gift wrap it",
        "I'd like it wrapped as a present",
        "please wrap this one for a birthday",
    ],
)
def gift_wrap(ctx: ToolContext, args: WrapArgs) -> dict[str, Any]:
    """Gift-wrap a product in the chosen paper."""
    return {"message": f"Wrapped {args.product_id} in {args.paper} paper."}


@pytest.fixture(scope="module")
def matcher(shared_catalog: Any) -> PluginMatcher:
    return PluginMatcher([gift_wrap], shared_catalog.text.encode, threshold=0.6)


def nlu(text: str, **slots: Any) -> NLUResult:
    return NLUResult(intent="plugin:gift_wrap", confidence=0.9, slots=Slots(**slots), text=text)


def test_paraphrases_match_and_shopping_does_not(matcher: PluginMatcher) -> None:
    hit = matcher.match("could you wrap the second one as a gift for my nephew?")
    assert hit is not None and hit.tool == "gift_wrap" and hit.score >= 0.6
    for text in ("show me cordless drills under 200", "add it to my cart", "where is my order"):
        assert matcher.match(text) is None, text


def test_arguments_from_dialogue_and_text(matcher: PluginMatcher) -> None:
    state = DialogueState(last_shown=["d-1", "d-2", "d-3"])
    turn = nlu("wrap the second one in the floral paper please", reference="2")
    plan = matcher.plan(turn, matcher.update_state(state, turn), can_escalate=True)
    assert [(c.name, c.args) for c in plan.calls] == [
        ("gift_wrap", {"product_id": "d-2", "paper": "floral"})
    ]


def test_missing_argument_escalates_or_asks(matcher: PluginMatcher) -> None:
    state = DialogueState(last_shown=["d-1", "d-2"], focus="d-1")
    turn = nlu("can you gift wrap it", reference="it")
    escalated = matcher.plan(turn, state, can_escalate=True)
    assert escalated.escalate and "paper" in escalated.reason and not escalated.calls
    asked = matcher.plan(turn, state, can_escalate=False)
    assert not asked.calls and "wrapping paper" in (asked.reply or "")
    nothing = matcher.plan(nlu("gift wrap it in kraft"), DialogueState(), can_escalate=False)
    assert "which product" in (nothing.reply or "").lower()


def test_replies_come_from_the_result(matcher: PluginMatcher) -> None:
    turn = nlu("wrap it in kraft")
    ok = ToolOutcome(name="gift_wrap", content={"message": "Wrapped d-1 in kraft paper."})
    assert matcher.respond(turn, DialogueState(), [ok]).text == "Wrapped d-1 in kraft paper."
    no = ToolOutcome(name="gift_wrap", ok=False, error_code="declined")
    assert "haven't changed" in matcher.respond(turn, DialogueState(), [no]).text
    assert render({"stores": []}) == "No stores found."


def test_a_tool_that_finds_nothing_to_show_gets_the_request_searched(
    matcher: PluginMatcher,
) -> None:
    """ "nothing in the shop fits that yet" is not the whole answer: the request's words
    are searched once (with its budget) and what matches is shown, the tool's reason first."""
    turn = nlu("wrap it in kraft, under 20")
    none = ToolOutcome(
        name="gift_wrap",
        ok=False,
        error_code="no_results",
        error_message="nothing in the shop fits that yet; try a larger budget",
    )
    plan = matcher.plan_next(turn, DialogueState(), [none], "kraft wrap")
    assert [(c.name, c.args) for c in plan.calls] == [
        ("catalog_search", {"query": "kraft wrap", "page": 1, "price_max": "20"})
    ]
    found = ToolOutcome(
        name="catalog_search",
        args=plan.calls[0].args,
        content={
            "products": [
                {"id": "p-1", "title": "Kraft Paper Roll", "price": "6.50", "currency": "USD"}
            ]
        },
    )
    # searched once only, and not after a tool that answered
    assert not matcher.plan_next(turn, DialogueState(), [none, found], "kraft wrap").calls
    ok = ToolOutcome(name="gift_wrap", content={"message": "Wrapped."})
    assert not matcher.plan_next(turn, DialogueState(), [ok], "kraft wrap").calls
    reply = matcher.respond(turn, DialogueState(), [none, found])
    assert reply.text == (
        "Sorry, nothing in the shop fits that yet. These match what you asked for: "
        "Kraft Paper Roll ($6.50)."
    )
    assert list(reply.product_ids) == ["p-1"]
