"""Follow-ups in a workwear-and-tools shop (not the demo's fashion): a request the shop
refuses ("we don't carry ties") leaves nothing behind for the next search, and a size said
alone right after a search ("in size XXXL?", "any in a large?") refines that search, or
says which sizes its category has, instead of asking which product is meant. The intent
model is a stub (the model boundary); everything after it is the real code, with the real
MiniLM text encoder judging what the shop carries."""

from __future__ import annotations

from typing import Any

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, ToolOutcome

from .mini_shop import Reads, product, shop_tier

LETTERS = ["S", "M", "L", "XL", "XXL"]
PRODUCTS = [
    product("vest-1", "Brightline Hi-Vis Vest", "Workwear > Hi-Vis Vests", size=LETTERS),
    product("vest-2", "Brightline Mesh Hi-Vis Vest", "Workwear > Hi-Vis Vests", size=LETTERS),
    product(
        "boot-1",
        "Groundwork Steel Toe Work Boot",
        "Workwear > Work Boots",
        size=["40", "41", "42", "43", "44"],
        audience=["men", "women"],
    ),
    product(
        "boot-2",
        "Groundwork Waterproof Work Boot",
        "Workwear > Work Boots",
        size=["40", "41", "42", "43", "44"],
        audience=["men", "women"],
    ),
    product("lad-1", "Stepwise Aluminium Step Ladder", "Tools > Ladders"),
    product("lad-2", "Stepwise Telescopic Ladder", "Tools > Ladders"),
    product("drill-1", "Torqline Cordless Drill", "Tools > Drills"),
]


@pytest.fixture(scope="module")
def tier(encode: object) -> EmbeddedTier:
    return shop_tier(PRODUCTS, encode, Reads("search"))


def _shown(tier: EmbeddedTier, text: str, s: DialogueState, ids: list[str]) -> DialogueState:
    """The state after ``text`` was searched and the products ``ids`` were shown."""
    nlu = tier.understand(text, s)
    s = tier.update_state(s, nlu)
    plan = tier.plan(nlu, s)
    cards = [
        {"id": p["id"], "title": p["title"], "category": p["category"], "price": 20.0}
        for p in PRODUCTS
        if p["id"] in ids
    ]
    outcome = ToolOutcome(
        name="catalog_search",
        args=plan.calls[0].args,
        content={"products": cards, "total": len(cards), "filters_applied": {}},
    )
    _, s = tier.respond(nlu, s, [outcome])
    return s


def _search_args(tier: EmbeddedTier, text: str, s: DialogueState) -> dict[str, Any]:
    nlu = tier.understand(text, s)
    plan = tier.plan(nlu, tier.update_state(s, nlu))
    assert plan.calls and plan.calls[0].name == "catalog_search", (text, plan)
    return dict(plan.calls[0].args)


@pytest.mark.parametrize("before", [None, "ladders"])
def test_a_refused_request_leaves_no_filters_for_the_next_search(
    tier: EmbeddedTier, before: str | None
) -> None:
    tier.model = Reads("search")
    s = DialogueState()
    if before:
        s = _shown(tier, before, s, ["lad-1", "lad-2"])
    refused = tier.understand("silk ties for men", s)
    assert str(refused.notes.get("not_carried")).endswith("ties"), refused.notes
    s = _shown(tier, "silk ties for men", s, ["boot-1"])
    # who the refused request was for is no filter on the next, unrelated search
    args = _search_args(tier, "work boots", s)
    assert args.get("category") == "Work Boots"
    assert "audience" not in args, args
    if before:
        # the search before the refusal is still the one a refinement narrows
        assert s.filters.get("category") == "Ladders"


@pytest.mark.parametrize("reading", ["refine", "product_details"])
def test_a_size_alone_after_a_search_refines_it(tier: EmbeddedTier, reading: str) -> None:
    tier.model = Reads("search")
    s = _shown(tier, "hi-vis vests", DialogueState(), ["vest-1", "vest-2"])
    tier.model = Reads(reading)
    for text in ("any in a large?", "in size L?", "got them in L?"):
        nlu = tier.understand(text, s)
        assert nlu.intent == "refine", (text, nlu.intent)
        args = _search_args(tier, text, s)
        assert args.get("category") == "Hi-Vis Vests" and args.get("size") == "L", (text, args)


@pytest.mark.parametrize("reading", ["refine", "product_details"])
def test_a_size_the_category_lacks_says_which_sizes_it_has(
    tier: EmbeddedTier, reading: str
) -> None:
    tier.model = Reads("search")
    vests = _shown(tier, "hi-vis vests", DialogueState(), ["vest-1", "vest-2"])
    boots = _shown(tier, "work boots", DialogueState(), ["boot-1", "boot-2"])
    tier.model = Reads(reading)
    cases = [
        (vests, "in size XXXL?", "Hi-Vis Vests here come in sizes S, M, L, XL and XXL, not XXXL."),
        (
            boots,
            "any in a large?",
            "Work Boots here come in sizes 40, 41, 42, 43 and 44, not large",
        ),
    ]
    for s, text, said in cases:
        nlu = tier.understand(text, s)
        assert nlu.intent == "refine", (text, nlu.intent)
        s2 = tier.update_state(s, nlu)
        call = tier.plan(nlu, s2).calls[0]
        assert call.name == "catalog_search" and "size" not in call.args
        cards = [{"id": i, "title": i, "price": 20.0} for i in s.last_shown]
        outcome = ToolOutcome(
            name="catalog_search",
            args=call.args,
            content={"products": cards, "total": 2, "filters_applied": {}},
        )
        reply, _ = tier.respond(nlu, s2, [outcome])
        assert reply.text.startswith(said), reply.text
        assert reply.product_ids == s.last_shown


def test_a_size_asked_of_one_product_stays_a_question_about_it(tier: EmbeddedTier) -> None:
    tier.model = Reads("search")
    s = _shown(tier, "hi-vis vests", DialogueState(), ["vest-1", "vest-2"])
    tier.model = Reads("product_details")
    for text in ("is the first one in a large?", "does the second one come in XL?"):
        nlu = tier.understand(text, s)
        assert nlu.intent == "product_details", text
        assert tier.plan(nlu, tier.update_state(s, nlu)).calls[0].name == "get_product"
