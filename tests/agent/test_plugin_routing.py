"""Routing guards of the example matcher (agent/plugin_match.py) with the real MiniLM text
encoder, on tools of a garden-and-DIY shop: a destructive tool runs only when the shopper
asks for it with words about it, a "remember" tool only for statements about the shopper,
a planning tool not for a turn that names one of the shop's categories, words that fill a
tool's arguments lift a near miss, and a refinement goes back to the tool that showed the set.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, Field

from shopagent.agent.embedded import DialogueState, NLUResult, Slots
from shopagent.agent.plugin_match import PluginMatcher
from shopagent.tools import ToolContext, tool


class NoteArgs(BaseModel):
    request: str | None = None
    sizes: list[str] = Field(default_factory=list)
    likes: dict[str, list[str]] = Field(default_factory=dict)
    excludes: dict[str, list[str]] = Field(default_factory=dict)


class ForgetArgs(BaseModel):
    request: str | None = None
    what: str | None = None
    value: str | None = None


class PlanArgs(BaseModel):
    request: str | None = None
    recipient: str | None = None
    interests: list[str] = Field(default_factory=list)
    occasion: str | None = None
    budget: str | None = None
    cheaper_than: list[str] = Field(default_factory=list)


@tool(examples=["I always buy Torvik tools", "I never use plastic planters", "I love copper"])
def remember_preference(ctx: ToolContext, args: NoteArgs) -> dict[str, Any]:
    """Remember the gardener's taste."""
    return {"message": "noted"}


@tool(
    examples=[
        "forget what brands I like",
        "forget everything about me",
        "forget that I love Torvik",
    ]
)
def forget_profile(ctx: ToolContext, args: ForgetArgs) -> dict[str, Any]:
    """Forget the gardener's taste."""
    return {"message": "forgotten"}


@tool(
    examples=[
        "a present for my uncle who loves bonsai, under 40",
        "what should I bring to a barbecue?",
        "cheaper ideas please",
        "my dad is into fishing, what could I get him?",
    ]
)
def gift_ideas(ctx: ToolContext, args: PlanArgs) -> dict[str, Any]:
    """Plan gifts over several categories."""
    return {"products": []}


FACETS = {
    "brand": ["Torvik", "Bramble"],
    "material": ["copper", "plastic", "steel"],
    "category": ["Planters", "Shovels", "Hose Reels"],
}
DEFAULTS = {
    "occasions": {"barbecue": {}, "housewarming": {}},
    "recipients": {"men": ["uncle", "dad"], "women": ["aunt", "mum"]},
}


@pytest.fixture(scope="module")
def matcher(shared_catalog: Any) -> PluginMatcher:
    return PluginMatcher(
        [remember_preference, forget_profile, gift_ideas],
        shared_catalog.text.encode,
        threshold=0.6,
        facets=FACETS,
        defaults=DEFAULTS,
    )


def tool_for(matcher: PluginMatcher, text: str, state: DialogueState | None = None) -> str | None:
    hit = matcher.match(text, state)
    return hit.tool if hit else None


def test_a_statement_that_resembles_forgetting_never_erases(matcher: PluginMatcher) -> None:
    assert tool_for(matcher, "I like Bramble and steel") == "remember_preference"
    assert tool_for(matcher, "please forget that I love Torvik") == "forget_profile"
    assert tool_for(matcher, "forget the budget, show me all the shovels") is None


def test_remembering_needs_the_shopper_speaking_of_themselves(matcher: PluginMatcher) -> None:
    for shopping in (
        "I'd like 2 of the copper planters",
        "copper for my aunt",
        "do you have it in copper?",
        "steel shovels, no plastic",
    ):
        assert tool_for(matcher, shopping) != "remember_preference", shopping


def test_plans_lift_on_their_arguments_but_not_for_a_named_category(matcher: PluginMatcher) -> None:
    assert tool_for(matcher, "my aunt is into bonsai, what could I get her?") == "gift_ideas"
    assert tool_for(matcher, "planters for a barbecue") is None


def test_cheaper_goes_back_to_the_tool_that_showed_the_set(matcher: PluginMatcher) -> None:
    state = DialogueState(last_intent="plugin:gift_ideas", last_shown=["g-1", "g-2"])
    assert tool_for(matcher, "hmm, anything cheaper?", state) == "gift_ideas"
    turn = NLUResult(
        intent="plugin:gift_ideas", confidence=0.9, slots=Slots(), text="hmm, anything cheaper?"
    )
    args, _ = matcher.fill(matcher.tools["gift_ideas"], turn, state)
    assert args["cheaper_than"] == ["g-1", "g-2"]
    # after a search, "cheaper" is the search's own refinement, a price cap said with it too
    searched = DialogueState(last_intent="search")
    for text in (
        "hmm, anything cheaper?",
        "anything cheaper, say under 30?",
        "something less expensive, maybe below €45",
        "cheaper ones, up to 25 bucks",
    ):
        assert tool_for(matcher, text, searched) != "gift_ideas", text
    assert tool_for(matcher, "cheaper gift ideas for my aunt, under 30", searched) == "gift_ideas"
