"""Shoppers of a bike shop talking as people do: a colour they rule out ("not black",
"no white ones") is never the filter nor a search word; "something lighter" narrows the
search in play; "what sizes?" after a search asks about that search; a long request that
names the product and a size is a search, not a taste to remember; who a gift is for and
when is never "a thing we don't carry". The intent model is a stub (the model boundary);
the rest is the real code, with the real MiniLM text encoder."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, Field

from shopagent.agent.embedded import DialogueState, EmbeddedTier
from shopagent.agent.plugin_match import PluginMatcher
from shopagent.tools import ToolContext, tool

from .mini_shop import Reads, product, shop_tier

COLOURS = ["black", "white", "red", "green"]
PRODUCTS = [
    product("h-1", "Velo Aero Road Helmet", "Safety > Helmets", color=COLOURS, size=["M", "L"]),
    product("h-2", "Velo Commuter Helmet", "Safety > Helmets", color=COLOURS, size=["M", "L"]),
    product("g-1", "Gripline Full-Finger Gloves", "Clothing > Gloves", color=COLOURS),
    product("b-1", "Pannier Waterproof Bike Bag", "Luggage > Bike Bags", color=COLOURS),
    product("l-1", "Beam 800 Front Light", "Lights > Front Lights"),
    product("s-1", "Clip Road Cycling Shoe", "Clothing > Cycling Shoes", size=["41", "42", "43"]),
]


@pytest.fixture(scope="module")
def tier(encode: object) -> EmbeddedTier:
    return shop_tier(PRODUCTS, encode, Reads("search"))


def _search(tier: EmbeddedTier, text: str, s: DialogueState | None = None) -> dict[str, object]:
    s = s or DialogueState()
    nlu = tier.understand(text, s)
    plan = tier.plan(nlu, tier.update_state(s, nlu))
    assert plan.calls and plan.calls[0].name == "catalog_search", (text, plan)
    return dict(plan.calls[0].args)


@pytest.mark.parametrize(
    "text",
    [
        "a helmet but not black please",
        "helmets, no white ones",
        "need a helmet, anything but red",
        "helmet that isn't green",
        "i dont want red, show me helmets",
        "helmet for my son, he hates green",
        "a helmet, less black than my last one",
    ],
)
def test_a_colour_ruled_out_is_no_filter_nor_search_word(tier: EmbeddedTier, text: str) -> None:
    tier.model = Reads("search")
    args = _search(tier, text)
    assert args.get("category") == "Helmets"
    assert "color" not in args, (text, args)
    ruled_out = {"black", "white", "red", "green"} & set(text.split())
    assert not ruled_out & set(str(args["query"]).split()), (text, args)


def test_a_colour_asked_for_is_still_the_filter(tier: EmbeddedTier) -> None:
    tier.model = Reads("search")
    assert _search(tier, "no, i want red helmets").get("color") == "red"
    assert _search(tier, "helmets in black, not too pricey").get("color") == "black"


def _shown(tier: EmbeddedTier, text: str) -> DialogueState:
    """The state after ``text`` was searched and two helmets were shown."""
    from shopagent.agent.embedded import ToolOutcome

    s = DialogueState()
    nlu = tier.understand(text, s)
    s = tier.update_state(s, nlu)
    cards = [
        {"id": p["id"], "title": p["title"], "price": price}
        for p, price in zip(PRODUCTS[:2], (50.0, 30.0), strict=True)
    ]
    outcome = ToolOutcome(
        name="catalog_search",
        args=tier.plan(nlu, s).calls[0].args,
        content={"products": cards, "total": 2, "filters_applied": {}},
    )
    return tier.respond(nlu, s, [outcome])[1]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("something lighter", "light"),
        ("anything a bit bigger?", "big"),
        ("a little safer", "safe"),
        ("actually a smaller one", "small"),
        ("lighter?", "light"),
    ],
)
def test_a_comparative_said_alone_narrows_the_search_in_play(
    tier: EmbeddedTier, text: str, word: str
) -> None:
    tier.model = Reads("search")
    s = _shown(tier, "helmets")
    nlu = tier.understand(text, s)
    assert "not_carried" not in nlu.notes, nlu.notes  # no "we don't carry lighters"
    args = _search(tier, text, s)
    assert args.get("category") == "Helmets" and word in str(args["query"]).split(), args


def test_a_comparative_with_nothing_searched_asks_what(tier: EmbeddedTier) -> None:
    tier.model = Reads("search")
    nlu = tier.understand("something warmer", DialogueState())
    assert nlu.notes.get("vague") and "not_carried" not in nlu.notes, nlu.notes
    plan = tier.plan(nlu, tier.update_state(DialogueState(), nlu))
    assert not plan.calls and plan.reply and "Helmets" in plan.reply, plan


@pytest.mark.parametrize("reading", ["refine", "product_details"])
def test_a_facet_question_after_a_search_lists_that_searchs_values(
    tier: EmbeddedTier, reading: str
) -> None:
    tier.model = Reads("search")
    s = _shown(tier, "black helmets")
    tier.model = Reads(reading)
    for text, field in (("what sizes?", "size"), ("what colours do they come in", "color")):
        nlu = tier.understand(text, s)
        plan = tier.plan(nlu, tier.update_state(s, nlu))
        assert [c.name for c in plan.calls] == ["catalog_search", "get_facets"], (text, plan)
        facets = plan.calls[1].args
        assert facets["fields"] == [field] and facets["category"] == "Helmets"
        # the colours of the helmets, not only of the black ones already filtered for
        assert ("color" in facets) == (field != "color"), facets


class _NoteArgs(BaseModel):
    request: str | None = None
    sizes: list[str] = Field(default_factory=list)


@tool(examples=["I'm a size M", "my shoe size is 42", "I always ride in size L", "I love red"])
def remember_preference(ctx: ToolContext, args: _NoteArgs) -> dict[str, Any]:
    """Remember the rider's sizes and taste."""
    return {"message": "noted"}


def test_a_request_naming_the_product_and_a_size_is_a_search(
    tier: EmbeddedTier, encode: Any
) -> None:
    tier.model = Reads("search")
    matcher = PluginMatcher([remember_preference], encode, threshold=0.6)
    tier.attach_plugins(matcher, can_escalate=False)
    try:
        text = "i need new cycling shoes size 42 preferably under 80 bucks and not too flashy"
        args = _search(tier, text)
        assert args.get("category") == "Cycling Shoes" and args.get("size") == "42", args
        # a statement about the shopper is still theirs to have remembered
        said = tier.understand("I'm a size M and my shoe size is 42", DialogueState())
        assert said.intent == "plugin:remember_preference", said.intent
    finally:
        tier.plugins = None


@pytest.mark.parametrize(
    "text",
    [
        "hey so my girlfriends birthday is next week and i have no idea what to get her "
        "she likes helmets i think and maybe lights",
        "ok my brothers anniversary is next month and i have no clue what to get him "
        "he likes front lights",
    ],
)
def test_who_and_when_a_gift_is_for_is_no_missing_product(tier: EmbeddedTier, text: str) -> None:
    tier.model = Reads("search")
    nlu = tier.understand(text, DialogueState())
    assert "not_carried" not in nlu.notes, nlu.notes
    # what they like is what is searched
    assert _search(tier, text).get("category") in ("Helmets", "Front Lights")


@pytest.mark.parametrize("reading", ["refine", "product_details"])
def test_a_bare_question_over_a_list_narrows_it(tier: EmbeddedTier, reading: str) -> None:
    tier.model = Reads("search")
    s = _shown(tier, "helmets")
    tier.model = Reads(reading)
    cheaper = _search(tier, "any cheaper?", s)  # not "which product do you mean?"
    assert cheaper.get("category") == "Helmets" and cheaper.get("price_max") is not None
    for text in ("vented?", "anything vented?", "any vented ones?", "got anything vented?"):
        vented = _search(tier, text, s)
        assert vented.get("category") == "Helmets", (text, vented)
        assert "vented" in str(vented["query"]).split(), (text, vented)
    # a question about price or stock over a list is no search word
    for text in ("price?", "in stock?"):
        assert "adds_words" not in tier.understand(text, s).notes, text


def test_texting_shorthand_is_no_missing_product(tier: EmbeddedTier) -> None:
    tier.model = Reads("search")
    for text in ("wht do u hav in helmets for commuting", "wat r u selling in front lights"):
        nlu = tier.understand(text, DialogueState())
        assert "not_carried" not in nlu.notes, (text, nlu.notes)
        assert _search(tier, text).get("category") in ("Helmets", "Front Lights"), text


@pytest.mark.parametrize("reading", ["refine", "product_details"])
def test_the_cheapest_said_over_a_list_shows_that_product(tier: EmbeddedTier, reading: str) -> None:
    tier.model = Reads("search")
    s = _shown(tier, "helmets")
    tier.model = Reads(reading)
    for text, pid in (("the cheapest one", "h-2"), ("and the most expensive?", "h-1")):
        nlu = tier.understand(text, s)
        call = tier.plan(nlu, tier.update_state(s, nlu)).calls[0]
        assert call.name == "get_product" and call.args["product_id"] == pid, (text, call)
    # a lone word that is a product, not a comparative, is still asked for
    assert "adds_words" not in tier.understand("blender", s).notes


def test_a_category_ruled_out_is_no_new_search(tier: EmbeddedTier) -> None:
    tier.model = Reads("search")
    s = _shown(tier, "helmets")
    # "not gloves": no glove search; the helmets, lighter
    args = _search(tier, "not gloves, something lighter", s)
    assert args.get("category") == "Helmets" and "light" in str(args["query"]).split(), args


def test_what_about_a_thing_the_shop_lacks_is_refused(tier: EmbeddedTier) -> None:
    tier.model = Reads("refine")
    nlu = tier.understand("what about tents", DialogueState())
    assert nlu.notes.get("not_carried") == "tents", nlu.notes


@pytest.mark.parametrize(
    ("text", "words"),
    [("one that folds flat", "folds flat"), ("any with a visor?", "visor")],
)
def test_a_described_one_narrows_the_list_by_those_words(
    tier: EmbeddedTier, text: str, words: str
) -> None:
    tier.model = Reads("search")
    s = _shown(tier, "helmets")
    tier.model = Reads("refine")
    args = _search(tier, text, s)
    assert args.get("category") == "Helmets", args
    assert set(words.split()) <= set(str(args["query"]).split()), args


class _GiftArgs(BaseModel):
    request: str | None = None
    recipient: str | None = None
    interests: list[str] = Field(default_factory=list)


@tool(examples=["a present for my uncle who loves cycling", "gift ideas for a commuter"])
def gift_ideas(ctx: ToolContext, args: _GiftArgs) -> dict[str, Any]:
    """Gift ideas over several categories."""
    return {"products": []}


def test_what_they_like_after_gift_ideas_asks_the_ideas_again(encode: Any) -> None:
    matcher = PluginMatcher([gift_ideas, remember_preference], encode, threshold=0.6)
    after = DialogueState(last_intent="plugin:gift_ideas", last_shown=["h-1", "g-1"])
    for text in ("he likes mountain biking", "she's really into commuting"):
        hit = matcher.match(text, after)
        assert hit is not None and hit.tool == "gift_ideas", text
    # after a search, or said of the shopper, it is no gift request
    hit = matcher.match("he likes mountain biking", DialogueState(last_intent="search"))
    assert hit is None or hit.tool != "gift_ideas" or hit.score < 1.0
    said = matcher.match("I like red", after)
    assert said is None or said.tool != "gift_ideas"


def test_what_someone_likes_is_no_missing_product(tier: EmbeddedTier) -> None:
    tier.model = Reads("search")
    nlu = tier.understand("he likes commuting", DialogueState())
    assert "likes" not in str(nlu.notes.get("not_carried", "")), nlu.notes


def test_pricier_than_a_cap_starts_at_the_cap(tier: EmbeddedTier) -> None:
    tier.model = Reads("search")
    s = DialogueState()
    nlu = tier.understand("helmets under 60", s)
    s = tier.update_state(s, nlu)
    assert s.filters.get("price_max") == 60
    tier.model = Reads("refine")
    for text, bound, value in (
        ("none of these, show me more expensive ones", "price_min", 60),
        ("any cheaper?", "price_max", 60),
    ):
        args = _search(tier, text, s)
        if bound == "price_min":  # all shown were under 60: pricier ones are over 60
            assert args.get("price_min") == value and "price_max" not in args, args
        else:  # cheaper than what was shown, under the same cap
            assert args.get("price_max") is not None and args["price_max"] <= value, args


def test_a_kind_asked_alone_over_a_list_is_a_request_for_it(tier: EmbeddedTier) -> None:
    tier.model = Reads("search")
    s = _shown(tier, "helmets")
    for reading in ("refine", "product_details"):
        tier.model = Reads(reading)
        nlu = tier.understand("tents?", s)  # not the tenth helmet, not "tents" helmets
        assert nlu.notes.get("not_carried") == "tents", (reading, nlu.notes)
    tier.model = Reads("search")
    args = _search(tier, "any discounts on front lights?", DialogueState())
    assert args.get("category") == "Front Lights", args  # "discounts" is no missing product


def test_two_products_in_one_add_are_explained_when_no_model_tier_is_there(
    tier: EmbeddedTier,
) -> None:
    tier.model = Reads("search")
    s = _shown(tier, "helmets")
    tier.model = Reads("add_to_cart")
    nlu = tier.understand("add the first two", s)
    s2 = tier.update_state(s, nlu)
    alone = tier.plan(nlu, s2, alone=True)
    assert not alone.calls and alone.reply and "one product at a time" in alone.reply
    assert tier.plan(nlu, s2).escalate  # a model tier can take it


@pytest.mark.parametrize("reading", ["refine", "product_details"])
def test_anything_else_over_a_list_is_its_next_page(tier: EmbeddedTier, reading: str) -> None:
    tier.model = Reads("search")
    s = _shown(tier, "helmets")
    tier.model = Reads(reading)
    for text in ("anything else?", "any other options?"):
        args = _search(tier, text, s)  # not "which product do you mean?"
        assert args.get("category") == "Helmets" and args.get("page") == 2, (text, args)
