"""A coffee roaster's shop: beans sold by grind and weight beside brewing kit. What the
shopper already has is what the request is for ("I have an espresso machine, which beans
for flat whites" is no request for machines); "and some filters" over the coffee shown asks
for the filters too, "only decaf" keeps the decaf; "which one is fruitiest" and "which is
best for espresso" are answered from the pages of those shown. The intent model is a stub
(the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import EmbeddedTier
from shopagent.agent.embedded._answers import plain

from .mini_shop import pages, planned, product, searched, shown
from .mini_shop import shop_tier as _tier

GRINDS = ["Whole Bean", "Espresso", "Filter", "Cafetiere"]
COFFEE = [
    product("ethiopia", "Ethiopia Yirgacheffe", "Coffee", Grind=GRINDS, Weight=["250g", "1kg"]),
    product("colombia", "Colombia Huila", "Coffee", Grind=GRINDS, Weight=["250g", "1kg"]),
    product("house", "House Espresso Blend", "Coffee", Grind=GRINDS, Weight=["250g", "1kg"]),
    product("decaf", "Swiss Water Decaf", "Coffee", Grind=GRINDS, Weight=["250g", "1kg"]),
    product("grinder", "Burr Hand Grinder", "Equipment", color=["Black", "Silver"]),
    product("filters", "Paper Filters 02", "Equipment"),
    product("mug", "Stoneware Mug", "Drinkware", color=["White", "Green"]),
]
PAGES = {
    "ethiopia": "Washed single origin. Light roast, fruity, with notes of jasmine and lemon.",
    "colombia": "Medium roast. Notes of caramel, red apple and milk chocolate.",
    "house": "Dark roast blend, low acidity. Made for milk drinks.",
    "decaf": "Decaffeinated by the Swiss Water process. Notes of cocoa.",
}
BEANS = ("ethiopia", "colombia", "house", "decaf")


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(COFFEE, encode, None, titles=True)


@pytest.mark.parametrize(
    "text",
    [
        "I have an espresso machine, which beans for flat whites",
        "i've got an espresso machine what coffee is good for lattes",
    ],
)
def test_what_the_shopper_has_is_no_thing_asked_for(shop: EmbeddedTier, text: str) -> None:
    from shopagent.agent.embedded import DialogueState

    nlu, plan = planned(shop, text, DialogueState(), "search")
    assert "not_carried" not in nlu.notes, nlu.notes
    assert plan.calls and plan.calls[0].name == "catalog_search", plan


@pytest.mark.parametrize(
    "text", ["beans for a cafetiere", "the colombian one", "any ethiopian beans?", "brazilian"]
)
def test_the_shops_own_things_in_other_words_are_no_thing_it_lacks(
    shop: EmbeddedTier, text: str
) -> None:
    """ "beans": the noun of a grind sold as "Whole Bean"; "colombian": of Colombia, a word
    of a title; "brazilian" (no title says Brazil) still names nothing the shop sells."""
    from shopagent.agent.embedded import DialogueState

    nlu, plan = planned(shop, text, DialogueState(), "search")
    if text == "brazilian":
        assert nlu.notes.get("not_carried") == "brazilian", nlu.notes
        return
    assert "not_carried" not in nlu.notes, nlu.notes
    assert plan.calls and plan.calls[0].name == "catalog_search", plan


@pytest.mark.parametrize(
    ("text", "intent", "word"),
    [
        # one more thing over the coffee shown: searched for
        ("and some filters", "search", "filters"),
        ("filters too", "search", "filters"),
        ("plus a grinder please", "search", "grinder"),
        # a word of one shown: the list kept to it
        ("and some decaf", "refine", "decaf"),
        ("only decaf", "refine", "decaf"),
        ("just the decaf ones", "refine", "decaf"),
    ],
)
def test_one_more_thing_is_searched_and_a_word_of_one_shown_narrows(
    shop: EmbeddedTier, text: str, intent: str, word: str
) -> None:
    s = shown(COFFEE, *BEANS)
    s.filters, s.query = {"category": "Coffee"}, "coffee"
    nlu, plan = planned(shop, text, s, "refine")
    assert nlu.intent == intent, nlu
    args = plan.calls[0].args
    assert (args.get("category") == "Coffee") == (intent == "refine"), args
    assert word in str(args["query"]), args


@pytest.mark.parametrize(
    ("text", "reads", "answer"),
    [
        ("which one is fruitiest", "out_of_scope", "ethiopia"),
        ("which is best for espresso", "compare", "house"),
        ("which one is the most chocolatey", "out_of_scope", None),
    ],
)
def test_which_of_those_shown_is_answered_from_their_pages(
    shop: EmbeddedTier, text: str, reads: str, answer: str | None
) -> None:
    """Every bean comes ground for espresso: the one whose name says it is the answer,
    not "which one do you mean?"; a quality no page states is said to be unstated."""
    s = shown(COFFEE, *BEANS)
    nlu, plan = planned(shop, text, s, reads, 0.6)
    assert [c.name for c in plan.calls] == ["get_product"] * 4, plan
    reply, _ = shop.respond(nlu, shop.update_state(s, nlu), pages(COFFEE, PAGES, *BEANS))
    if answer is None:
        assert reply.text.startswith("None of their product pages"), reply.text
        assert "most" not in reply.text, reply.text
    else:
        assert reply.product_ids == [answer], reply


def _card(pid: str) -> dict[str, object]:
    p = next(x for x in COFFEE if x["id"] == pid)
    names = list(p["variants"][0]["options"])
    opts = {n: list(dict.fromkeys(v["options"][n] for v in p["variants"])) for n in names}
    return {"id": pid, "title": p["title"], "price": "10.00", "options": opts}


def test_a_product_named_with_an_option_it_has_sold_out_in_is_said_sold_out(
    shop: EmbeddedTier,
) -> None:
    """ "espresso ground decaf" after a search for decaf: the coffees ground for espresso
    (the filter), and the decaf, which the search's filter left out because its Espresso
    has sold out, is said to be sold out in it (the same words searched without the filter
    find it), not left out unsaid."""
    s = shown(COFFEE, "decaf", "house")
    s.query = "decaf"
    nlu, plan = planned(shop, "espresso ground decaf", s, "search")
    state = shop.update_state(s, nlu)
    args = plan.calls[0].args
    assert plan.calls[0].name == "catalog_search" and plan.followup, plan
    assert {k.lower(): v for k, v in args["options"].items()} == {"grind": "Espresso"}, args
    first = searched([_card("house"), _card("colombia")], args, filters=dict(args))
    step = shop.plan_next(nlu, state, [first])
    assert [c.name for c in step.calls] == ["catalog_search"], step
    assert "options" not in step.calls[0].args and "decaf" in step.calls[0].args["query"]
    second = searched([_card("decaf"), _card("house")], step.calls[0].args, filters={})
    assert not shop.plan_next(nlu, state, [first, second]).calls  # one look, no more
    reply, after = shop.respond(nlu, state, [first, second])
    assert reply.text.startswith(
        "Swiss Water Decaf comes in Espresso, but it's sold out in Espresso right now."
    ), reply.text
    assert list(reply.product_ids) == ["house", "colombia"] and after.last_shown[:2] == [
        "house",
        "colombia",
    ]
    # the decaf found among the filtered ones: nothing more to look up
    found = searched([_card("decaf"), _card("house")], args, filters=dict(args))
    assert not shop.plan_next(nlu, state, [found]).calls


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("fruitiest", "fruity"),
        ("warmest", "warm"),
        ("biggest", "big"),
        ("nicest", "nice"),
        ("closest", "close"),
        ("forest", "forest"),
        ("interest", "interest"),
        ("chest", "chest"),
    ],
)
def test_a_superlative_is_read_as_its_plain_word(word: str, base: str) -> None:
    assert plain(word) == base


@pytest.mark.parametrize(
    ("text", "option", "value"),
    [("ok whole bean then", "grind", "Whole Bean"), ("any in 1kg?", "weight", "1kg")],
)
def test_an_option_of_the_kind_shown_narrows_a_search_that_named_no_kind(
    shop: EmbeddedTier, text: str, option: str, value: str
) -> None:
    """ "decaf" searched no category, but the coffees shown (most of them) are what "whole
    bean" is a grind of."""
    s = shown(COFFEE, "decaf", "house", "grinder")
    s.query = "decaf"
    nlu, plan = planned(shop, text, s, "refine")
    args = plan.calls[0].args
    assert {k.lower(): v for k, v in (args.get("options") or {}).items()} == {option: value}, args


def test_a_colour_said_of_a_kind_that_comes_in_none_is_no_filter(shop: EmbeddedTier) -> None:
    """ "I mostly drink it black": no coffee has a colour, so no colour filter (which would
    find nothing and be dropped with a 'nothing matches black coffee'); a mug's does."""
    from shopagent.agent.embedded import DialogueState

    nlu, plan = planned(
        shop,
        "looking for a coffee thats not too bitter, I mostly drink it black",
        DialogueState(),
        "search",
    )
    args = plan.calls[0].args
    assert args.get("category") == "Coffee" and "color" not in args, args
    nlu, plan = planned(shop, "a green mug", DialogueState(), "search")
    assert plan.calls[0].args.get("color") == "Green", plan.calls[0].args
