"""Shoppers of a bike shop talking as people do: a colour they rule out ("not black",
"no white ones") is never the filter nor a search word. The intent model is a stub (the
model boundary); the rest is the real code, with the real MiniLM text encoder."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier

from .mini_shop import Reads, product, shop_tier

COLOURS = ["black", "white", "red", "green"]
PRODUCTS = [
    product("h-1", "Velo Aero Road Helmet", "Safety > Helmets", color=COLOURS, size=["M", "L"]),
    product("h-2", "Velo Commuter Helmet", "Safety > Helmets", color=COLOURS, size=["M", "L"]),
    product("g-1", "Gripline Full-Finger Gloves", "Clothing > Gloves", color=COLOURS),
    product("b-1", "Pannier Waterproof Bike Bag", "Luggage > Bike Bags", color=COLOURS),
    product("l-1", "Beam 800 Front Light", "Lights > Front Lights"),
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
    cards = [{"id": p["id"], "title": p["title"], "price": 50.0} for p in PRODUCTS[:2]]
    outcome = ToolOutcome(
        name="catalog_search",
        args=tier.plan(nlu, s).calls[0].args,
        content={"products": cards, "total": 2, "filters_applied": {}},
    )
    return tier.respond(nlu, s, [outcome])[1]


@pytest.mark.parametrize(
    ("text", "word"),
    [("something lighter", "light"), ("anything a bit bigger?", "big"), ("a little safer", "safe")],
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
