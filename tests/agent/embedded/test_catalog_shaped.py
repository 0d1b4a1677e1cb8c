"""The embedded tier shaped by a merchant's catalog, not the demo's: an outdoor-and-home
shop whose sizes are words for dog beds and letters for rain shells, and an electronics
shop with options of any name. No model is trained here: the intent model is a stub (the
model boundary); everything after it (lexicon, profile, guards, answers, policy, replies)
is the real code."""

from __future__ import annotations

from typing import Any

import pytest

from shopagent.agent.embedded import (
    DialogueState,
    EmbeddedTier,
    Lexicon,
    NLUResult,
    ToolOutcome,
    _product_plan,
)
from shopagent.agent.embedded._answers import answer
from shopagent.agent.embedded._catalog import CatalogProfile, build_profile
from shopagent.agent.embedded._guards import (
    answer_option,
    negative_price,
    not_carried,
    other_user,
    yes_no,
)
from shopagent.agent.embedded._lexicon import SpellFixer
from shopagent.agent.embedded._schema import Slots

from .mini_shop import Reads


def _variant(pid: str, n: int, price: float, qty: int = 5, **options: str) -> dict[str, Any]:
    return {
        "id": f"{pid}-{n}",
        "options": options,
        "price": price,
        "available": qty > 0,
        "quantity": qty,
    }


PRODUCTS: list[dict[str, Any]] = [
    {
        "id": "bed-1",
        "title": "Burrow Orthopedic Dog Bed",
        "category": "Pets > Dog Beds",
        "brand": "Burrow",
        "price": 59.0,
        "currency": "USD",
        "description": "Memory foam base with a removable cover. The cover is machine washable "
        "at 30 degrees.",
        "attributes": {"color": "slate", "material": "memory foam"},
        "variants": [
            _variant("bed-1", i, 59.0 + 10 * i, size=s)
            for i, s in enumerate(["small", "medium", "large"])
        ],
    },
    {
        "id": "shell-1",
        "title": "Squall Packable Rain Shell",
        "category": "Outdoor > Rain Shells",
        "brand": "Squall",
        "price": 120.0,
        "currency": "USD",
        "description": "A 2.5-layer shell with taped seams. Packs into its own pocket.",
        "attributes": {"color": "orange", "material": "nylon"},
        "variants": [
            _variant("shell-1", i, 120.0, size=s, color="orange")
            for i, s in enumerate(["S", "M", "L", "XL"])
        ],
    },
    {
        "id": "kb-1",
        "title": "Halcyon 75 Mechanical Keyboard",
        "category": "Electronics > Keyboards",
        "brand": "Halcyon",
        "price": 129.0,
        "currency": "EUR",
        "description": "A compact board with hot-swap sockets. Battery lasts up to 200 hours "
        "with the backlight off.",
        "attributes": {"connectivity": "bluetooth 5.1", "weight": "1.2 kg"},
        "variants": [
            _variant("kb-1", 0, 129.0, **{"switch type": "clicky"}),
            _variant("kb-1", 1, 129.0, **{"switch type": "linear"}),
            _variant("kb-1", 2, 139.0, qty=0, **{"switch type": "tactile"}),
        ],
    },
    {
        "id": "mon-1",
        "title": "Vista 10 Portable Monitor",
        "category": "Electronics > Monitors",
        "brand": "Vista",
        "price": 180.0,
        "currency": "USD",
        "description": "A 10 inch panel.",
        "attributes": {},
        "variants": [_variant("mon-1", 0, 180.0, size="10")],
    },
]
FACETS = {
    "category": [
        "Pets",
        "Dog Beds",
        "Outdoor",
        "Rain Shells",
        "Electronics",
        "Keyboards",
        "Monitors",
    ],
    "color": ["slate", "orange"],
    "size": ["small", "medium", "large", "S", "M", "L", "XL", "10"],
    "material": ["memory foam", "nylon"],
    "brand": ["Burrow", "Squall", "Halcyon", "Vista"],
}


@pytest.fixture
def tier() -> EmbeddedTier:
    profile = CatalogProfile(build_profile(PRODUCTS))
    known = {"show", "me", "in", "a", "beds", "dog", "for", "my", "with", "what", "is", "the"}
    return EmbeddedTier(Reads(), Lexicon(FACETS), 0.6, {}, known, None, profile)


def test_a_size_word_is_read_as_the_category_in_play_has_it(tier: EmbeddedTier) -> None:
    s = DialogueState()
    assert tier.understand("dog beds in large", s).slots.size == "large"
    assert tier.understand("rain shells in large", s).slots.size == "L"
    # a search going on supplies the category
    going = DialogueState(filters={"category": "Rain Shells"}, query="rain shells")
    assert tier.extract_slots("in large please", "refine", context="Rain Shells").size == "L"
    assert tier.understand("large", going).slots.size in (None, "L")


def test_numbers_with_units_are_not_sizes(tier: EmbeddedTier) -> None:
    for text in (
        "portable monitor 10 inches",
        "keyboard with 10 hours of battery",
        "a 10-inch monitor",
        "monitor 10 cm",
    ):
        assert tier.understand(text, DialogueState()).slots.size is None, text


def test_spelling_corrects_towards_the_shop_and_never_over_a_confident_reading() -> None:
    lex = Lexicon(FACETS)
    fix = SpellFixer(
        lex,
        {"show", "me", "a", "filter", "vacuum", "in", "my", "whats"},
        set(build_profile(PRODUCTS)["vocab"]),
    )
    assert fix("HEPA filter vacuum") == "HEPA filter vacuum"
    assert fix("blender") == "blender"  # not a catalog word within one typing slip
    assert fix("whats in my crat") == "whats in my cart"
    assert fix("halcyon keybaord") == "halcyon keyboard"
    assert fix("orthopedik dog bed") == "orthopedic dog bed"
    # English words the encoder has no token for are no typos of the shop's words: split,
    # "handmade" read "hand male" (an audience); "cordless" is not "cord lens"
    shop_words = {"hand", "cord", "lens", "male"}  # "hand towel", "camera lens", ...
    made = SpellFixer(Lexicon({**FACETS, "audience": ["male"]}), {"is", "it"}, shop_words)
    assert made("is it handmade") == "is it handmade"
    assert made("cordless") == "cordless"

    class Reader(Reads):
        def probs(self, text: str) -> dict[str, float]:
            # confident about the original words, unsure about the "corrected" ones
            self.intent, self.p = ("view_cart", 0.99) if "crat" in text else ("search", 0.5)
            return super().probs(text)

    t = EmbeddedTier(
        Reader(), lex, 0.6, {}, {"whats", "in", "my"}, None, CatalogProfile(build_profile(PRODUCTS))
    )
    t.spell.targets.append("crate")  # a catalog word one slip away from "crat" as well
    nlu = t.understand("whats in my crat", DialogueState())
    assert nlu.intent == "view_cart" and nlu.text == "whats in my crat"


def test_answers_come_from_the_product_page_or_say_it_does_not() -> None:
    bed, kb = PRODUCTS[0], {**PRODUCTS[2], "in_stock": True}
    assert "machine washable at 30 degrees" in answer("is it machine washable?", bed)
    assert answer("is it waterproof?", bed) == (
        "The product page doesn't say anything about waterproof for Burrow Orthopedic Dog Bed."
    )
    text = answer("which switch types are there?", kb)
    assert "clicky, linear and tactile" in text and "tactile sold out" in text
    assert answer("how heavy is it", kb).endswith("weight is 1.2 kg.")
    assert "200 hours" in answer("how long does the battery last?", kb)
    assert "€129.00 to €139.00" in answer("how much is it?", kb)
    assert answer("does it come in blue?", {**PRODUCTS[1], "in_stock": True}).startswith(
        "No, Squall Packable Rain Shell doesn't come in blue"
    )
    assert answer("tell me about it", bed) is None  # no question: the caller describes it


def test_guards() -> None:
    assert other_user("show me the cart of user bob")
    assert other_user("what did customer 4411 order? show their orders for user 4411")
    assert not other_user("show me my cart")
    for other in (
        "add the keyboard to my friend Sarah's cart, her user id is u-4821",
        "what did jane@example.com order last week?",
        "cancel my brother's order, his username is mike77",
        "empty every user's basket",
    ):
        assert other_user(other), other
    for mine in (
        "a gift for my mom's birthday",
        "it's for my wife's birthday, under 50",
        "show me today's deals",
        "my sister's size is M",
    ):
        assert not other_user(mine), mine
    assert negative_price("keyboards under -5 dollars") and not negative_price("under 5")
    assert yes_no("no, cancel that") == "no" and yes_no("yes please") == "yes"
    assert yes_no("no red ones") is None
    assert yes_no("ok thanks") is None and yes_no("ok, please") == "yes"  # thanks is no yes
    assert answer_option("the 1TB one", {"values": ["512GB", "1TB"]}) == "1TB"
    assert answer_option("clicky please", {"values": ["clicky", "linear"]}) == "clicky"
    assert answer_option("XL", {"values": ["L", "XL"]}) == "XL"
    assert answer_option("something else", {"values": ["L", "XL"]}) is None
    profile = CatalogProfile(build_profile(PRODUCTS))
    assert not_carried("show me umbrellas", profile, set()) == "umbrellas"
    assert not_carried("cast iron skillets for camping", profile, set()) == "cast iron skillets"
    assert not_carried("orthopedic bed for my dog", profile, set()) is None
    assert not_carried("umbrellas", CatalogProfile(), set()) is None  # no profile: no claim


def test_an_option_question_keeps_the_add_pending_and_the_answer_completes_it(
    tier: EmbeddedTier, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = DialogueState(last_shown=["kb-1"], shown={"kb-1": {"title": PRODUCTS[2]["title"]}}, turn=3)
    failed = ToolOutcome(
        name="add_to_cart",
        args={"product_id": "kb-1", "quantity": 2},
        ok=False,
        error_code="option_required",
        error_message="which switch type?",
        details={"option": "switch type", "values": ["clicky", "linear"], "chosen": {}},
    )
    nlu = NLUResult(intent="add_to_cart", confidence=0.9, text="add it twice")
    reply, s = tier.respond(nlu, s, [failed])
    assert reply.text == "Which switch type for Halcyon 75 Mechanical Keyboard: clicky or linear?"
    assert reply.quick_replies == ["clicky", "linear"]
    nlu = tier.understand("the linear one", s)
    assert (nlu.intent, nlu.slots.product_id, nlu.slots.options, nlu.slots.quantity) == (
        "add_to_cart",
        "kb-1",
        {"switch type": "linear"},
        2,
    )
    monkeypatch.setattr(_product_plan, "_accepts", lambda tool, field: True)
    call = tier.plan(nlu, tier.update_state(s, nlu)).calls[0]
    assert call.args == {"product_id": "kb-1", "quantity": 2, "options": {"switch type": "linear"}}
    # any other turn drops the question
    assert (
        "pending_option"
        not in tier.update_state(s, NLUResult(intent="view_cart", confidence=1)).extra
    )


def test_a_size_from_the_search_carries_into_the_add() -> None:
    s = DialogueState(filters={"category": "Rain Shells", "size": "XL"}, last_shown=["shell-1"])
    nlu = NLUResult(
        intent="add_to_cart",
        confidence=0.9,
        slots=Slots(reference="1", quantity=2),
        text="put 2 of the first in my bag",
    )
    assert _product_plan.add_args("shell-1", nlu, s) == {
        "product_id": "shell-1",
        "quantity": 2,
        "size": "XL",
    }


def test_an_empty_filtered_search_relaxes_one_filter_at_a_time(tier: EmbeddedTier) -> None:
    s = DialogueState(
        filters={"category": "Rain Shells", "color": "slate", "size": "XL"}, query="rain shells"
    )
    nlu = NLUResult(intent="search", confidence=0.9, text="slate rain shells in XL")
    args = {"query": "rain shells", "category": "Rain Shells", "color": "slate", "size": "XL"}
    applied = {k: v for k, v in args.items() if k != "query"}
    empty = ToolOutcome(
        name="catalog_search",
        args=args,
        content={"products": [], "total": 0, "filters_applied": applied},
    )
    calls = tier.plan_next(nlu, s, [empty]).calls
    assert [sorted(c.args) for c in calls] == [
        ["category", "page", "query", "size"],
        ["category", "page", "query"],
        ["page", "query"],
    ]
    card = {
        "id": "shell-1",
        "title": "Squall Packable Rain Shell",
        "price": 120.0,
        "category": "Outdoor > Rain Shells",
    }
    applied = {"category": "Rain Shells", "size": "XL"}
    found = ToolOutcome(
        name="catalog_search",
        args=calls[0].args,
        content={"products": [card], "total": 1, "filters_applied": applied},
    )
    reply, _ = tier.respond(nlu, s, [empty, found])
    assert "I dropped the colour (slate)." in reply.text
    assert "1 products" not in reply.text and reply.product_ids == ["shell-1"]


def test_not_carried_offers_the_closest_categories(tier: EmbeddedTier) -> None:
    s = DialogueState()
    nlu = tier.understand("do you have umbrellas", s)
    assert nlu.intent == "search" and nlu.notes["not_carried"] == "umbrellas"
    near = [
        {
            "id": "shell-1",
            "title": "Squall Packable Rain Shell",
            "category": "Outdoor > Rain Shells",
        }
    ]
    reply, s2 = tier.respond(
        nlu,
        tier.update_state(s, nlu),
        [
            ToolOutcome(
                name="catalog_search",
                args={"query": "umbrellas"},
                content={"products": near, "total": 1, "filters_applied": {}},
            )
        ],
    )
    assert reply.text.startswith(
        "Sorry, we don't carry umbrellas. The closest we have: Rain Shells"
    )
    assert reply.product_ids == [] and reply.quick_replies == ["Show me rain shells"]


def test_clarify_below_the_threshold_when_alone(tier: EmbeddedTier) -> None:
    tier.model = Reads("add_to_cart", 0.4)
    nlu = tier.understand("the usual please", DialogueState())
    p = tier.plan(nlu, DialogueState(), alone=True)
    assert not p.calls and p.reply.startswith("Just to be sure:") and len(p.quick_replies) == 2
    assert tier.plan(nlu, DialogueState()).escalate  # another tier exists: escalate


def test_cart_edits_find_the_line_without_asking(
    tier: EmbeddedTier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_product_plan, "_accepts", lambda tool, field: True)
    one = DialogueState(
        extra={
            "cart": [
                {
                    "product_id": "kb-1",
                    "variant_id": "kb-1-0",
                    "title": "Halcyon 75 Mechanical Keyboard",
                    "quantity": 2,
                }
            ]
        }
    )
    nlu = NLUResult(
        intent="remove_from_cart",
        confidence=0.9,
        slots=Slots(quantity=1),
        text="remove one of them",
    )
    assert tier.plan(nlu, one).calls[0].args == {
        "product_id": "kb-1",
        "variant_id": "kb-1-0",
        "quantity": 1,
    }
    two = DialogueState(
        extra={
            "cart": [
                *one.extra["cart"],
                {
                    "product_id": "bed-1",
                    "variant_id": None,
                    "title": "Burrow Orthopedic Dog Bed",
                    "quantity": 1,
                },
            ]
        }
    )
    nlu = NLUResult(intent="remove_from_cart", confidence=0.9, text="take the dog bed out")
    assert tier.plan(nlu, two).calls[0].args == {"product_id": "bed-1"}
    nlu = NLUResult(intent="remove_from_cart", confidence=0.9, text="take one out")
    assert tier.plan(nlu, two).calls[0].name == "view_cart"  # two lines: show, then ask
    nlu = NLUResult(intent="remove_from_cart", confidence=0.9, text="ugh, empty my whole cart")
    assert tier.plan(nlu, two).calls[0].name == "clear_cart"
    # the quantity is parsed from the words
    assert tier.extract_slots("remove one of the two", "remove_from_cart").quantity == 1


def test_a_question_naming_a_product_by_title_is_answered_not_bought() -> None:
    from shopagent.agent.embedded._titles import TitleIndex

    t = EmbeddedTier(
        Reads("add_to_cart", 0.8),
        Lexicon(FACETS),
        0.6,
        {},
        set(),
        {"kb-1": PRODUCTS[2]["title"]},
        CatalogProfile(build_profile(PRODUCTS)),
    )
    assert isinstance(t.titles, TitleIndex)
    nlu = t.understand("whats the warranty on the Halcyon 75 Mechanical Keyboard", DialogueState())
    assert (nlu.intent, nlu.slots.product_id) == ("product_details", "kb-1")
    nlu = t.understand("add the Halcyon 75 Mechanical Keyboard to my cart", DialogueState())
    assert (nlu.intent, nlu.slots.product_id) == ("add_to_cart", "kb-1")


def test_a_vague_request_is_asked_about_with_the_shops_categories(tier: EmbeddedTier) -> None:
    tier.model = Reads("refine", 0.9)
    nlu = tier.understand("orange", DialogueState())
    assert nlu.notes.get("vague")
    p = tier.plan(nlu, tier.update_state(DialogueState(), nlu))
    assert not p.calls and p.reply.startswith("What kind of product are you looking for in orange?")
    assert p.quick_replies == ["Rain Shells in orange"]  # the only category with orange


def test_questions_about_the_product_in_play_are_answered_not_searched(tier: EmbeddedTier) -> None:
    tier.model = Reads("search", 0.9)
    s = DialogueState(
        last_shown=["kb-1"],
        focus="kb-1",
        shown={"kb-1": {"title": PRODUCTS[2]["title"], "price": 129.0}},
    )
    for text in ("how many have you got left", "is that one hot-swappable?", "and the price?"):
        nlu = tier.understand(text, s)
        assert nlu.intent == "product_details", text
        assert tier.plan(nlu, tier.update_state(s, nlu)).calls[0].name == "get_product"


def test_make_it_three_sets_the_cart_line_quantity(
    tier: EmbeddedTier, monkeypatch: pytest.MonkeyPatch
) -> None:
    tier.model = Reads("add_to_cart", 0.9)
    s = DialogueState(
        extra={
            "cart": [
                {
                    "product_id": "kb-1",
                    "variant_id": "kb-1-0",
                    "title": "Halcyon 75 Mechanical Keyboard",
                    "quantity": 1,
                }
            ]
        }
    )
    nlu = tier.understand("actually make it 3", s)
    call = tier.plan(nlu, tier.update_state(s, nlu)).calls[0]
    assert (call.name, call.args) == (
        "update_cart_quantity",
        {"product_id": "kb-1", "variant_id": "kb-1-0", "quantity": 3},
    )
    # without the tool (older tools): the difference is added
    monkeypatch.setattr(
        _product_plan, "_accepts", lambda tool, field: tool != "update_cart_quantity"
    )
    call = tier.plan(nlu, tier.update_state(s, nlu)).calls[0]
    assert (call.name, call.args) == (
        "add_to_cart",
        {"product_id": "kb-1", "variant_id": "kb-1-0", "quantity": 2},
    )


def test_another_one_adds_the_same_product_and_variant_again(tier: EmbeddedTier) -> None:
    tier.model = Reads("refine", 0.85)
    s = DialogueState(
        extra={
            "cart": [
                {
                    "product_id": "shell-1",
                    "variant_id": "shell-1-3",
                    "title": "Squall Packable Rain Shell",
                    "quantity": 1,
                }
            ]
        }
    )
    nlu = tier.understand("and another one of those for my brother", s)
    call = tier.plan(nlu, tier.update_state(s, nlu)).calls[0]
    assert (call.name, call.args) == (
        "add_to_cart",
        {"product_id": "shell-1", "variant_id": "shell-1-3", "quantity": 1},
    )


def test_a_compound_typed_as_one_word_is_split_into_catalog_words() -> None:
    fix = SpellFixer(Lexicon(FACETS), {"rain", "a"}, set(build_profile(PRODUCTS)["vocab"]))
    assert fix("rainshel") == "rain shell"
    assert fix("sunglases") == "sunglases"  # not two catalog words: left alone


def test_which_brands_lists_the_facet_values(tier: EmbeddedTier) -> None:
    nlu = tier.understand("which brands of keyboards do you carry?", DialogueState())
    assert nlu.notes["facet_question"] == "brand"
    s = tier.update_state(DialogueState(), nlu)
    calls = tier.plan(nlu, s).calls
    assert calls[1].name == "get_facets" and calls[1].args["fields"] == ["brand"]
    card = {"id": "kb-1", "title": "Halcyon 75 Mechanical Keyboard", "price": "129.00"}
    reply, _ = tier.respond(
        nlu,
        s,
        [
            ToolOutcome(
                name="catalog_search",
                args=calls[0].args,
                content={
                    "products": [card],
                    "total": 1,
                    "filters_applied": {"category": "Keyboards"},
                },
            ),
            ToolOutcome(
                name="get_facets", args=calls[1].args, content={"facets": {"brand": {"Halcyon": 1}}}
            ),
        ],
    )
    assert reply.text.startswith("The brands for keyboards: Halcyon.")


def test_a_title_alone_is_a_search_and_a_purchase_cue_makes_it_an_add() -> None:
    profile = CatalogProfile(build_profile(PRODUCTS))
    titles = {p["id"]: p["title"] for p in PRODUCTS}
    tier = EmbeddedTier(
        Reads("add_to_cart", 0.62), Lexicon(FACETS), 0.6, {}, set(), titles, profile
    )
    s = DialogueState()
    # naming a product is asking to see it; nothing is put to the shopper as a purchase
    assert tier.understand("halcyon 75 mechanical keyboard", s).intent == "search"
    assert tier.understand("add the Halcyon 75 Mechanical Keyboard", s).intent == "add_to_cart"
    assert tier.understand("2 Halcyon 75 Mechanical Keyboard please", s).intent == "add_to_cart"


def test_without_a_category_a_size_few_categories_have_is_not_a_filter(
    tier: EmbeddedTier,
) -> None:
    # "small" is a size of dog beds only (one of the shop's three sized categories): with
    # no category named it stays search text instead of filtering everything to dog beds
    got = tier.understand("something small and orange", DialogueState())
    assert got.slots.size is None and got.slots.color == "orange"
    assert tier.understand("dog beds in small", DialogueState()).slots.size == "small"


def test_asking_whether_the_shop_sells_something_is_not_about_the_product_in_play() -> None:
    profile = CatalogProfile(build_profile(PRODUCTS))
    tier = EmbeddedTier(
        Reads("product_details", 0.99), Lexicon(FACETS), 0.6, {}, set(), None, profile
    )
    shown = DialogueState(focus="kb-1", last_shown=["kb-1"])
    assert tier.understand("do you sell trackballs?", shown).intent == "search"
    assert tier.understand("do you guys carry standing desks", shown).intent == "search"
    # about the product in play, it stays a product question
    assert tier.understand("do you sell it in black?", shown).intent == "product_details"
    assert tier.understand("do you stock the first one in linear?", shown).intent == (
        "product_details"
    )
