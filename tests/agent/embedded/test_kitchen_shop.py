"""A kitchen shop: a pan or a casserole sold out in the size or colour asked is refused
with what is in stock instead, and the shopper's pick of those ("ok 24 then", "red then")
adds it, to be confirmed (not a new search, nor "no red casseroles, I dropped the colour").
The intent model is a stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import EmbeddedTier, ToolOutcome
from shopagent.agent.embedded._guards import answer_option

from .mini_shop import pages, planned, product, shown
from .mini_shop import shop_tier as _tier

KITCHEN = [
    product("frypan", "Non-Stick Frying Pan", "Kitchen > Pans", size=["20cm", "24cm", "28cm"]),
    product(
        "dutch",
        "Enamelled Dutch Oven",
        "Kitchen > Casseroles",
        color=["Cherry Red", "Sage", "Graphite"],
    ),
    product("tin", "Loaf Tin", "Kitchen > Bakeware"),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(KITCHEN, encode, None, titles=True)


@pytest.mark.parametrize(
    ("pid", "key", "sold", "in_stock", "pick", "want"),
    [
        ("frypan", "size", "28cm", ["20cm", "24cm"], "ok 24 then", "24cm"),
        ("dutch", "color", "Sage", ["Cherry Red", "Graphite"], "red then", "Cherry Red"),
        (
            "dutch",
            "color",
            "Sage",
            ["Cherry Red", "Graphite"],
            "the graphite one please",
            "Graphite",
        ),
    ],
)
def test_a_pick_of_what_is_in_stock_instead_adds_it(
    shop: EmbeddedTier,
    pid: str,
    key: str,
    sold: str,
    in_stock: list[str],
    pick: str,
    want: str,
) -> None:
    s = shown(KITCHEN, pid)
    nlu, _ = planned(shop, f"add it in {sold}", s, "add_to_cart")
    refused = ToolOutcome(
        name="add_to_cart",
        args={"product_id": pid, "options": {key: sold}},
        ok=False,
        error_code="out_of_stock",
        error_message=f"{s.shown[pid]['title']} ({key} {sold}) is out of stock",
        error_details={"options": {key: sold}, "in_stock": {key: in_stock}},
    )
    reply, after = shop.respond(nlu, shop.update_state(s, nlu), [refused])
    assert "in stock in" in reply.text and list(reply.quick_replies) == in_stock, reply
    nlu, plan = planned(shop, pick, after, "search", 0.7)
    assert nlu.intent == "add_to_cart", nlu
    args = plan.calls[0].args
    chosen = {k.lower(): v for k, v in (args.get("options") or {}).items()}
    chosen.update({k: args[k] for k in ("size", "color") if args.get(k)})
    assert args["product_id"] == pid and chosen == {key: want}, args


@pytest.mark.parametrize(
    ("text", "values", "want"),
    [
        ("red then", ["Cherry Red", "Graphite"], "Cherry Red"),
        ("ok 24 then", ["20cm", "24cm"], "24cm"),
        ("2 then", ["20cm", "24cm"], None),  # a number no value starts with
        ("blue then", ["Cherry Red", "Graphite"], None),
        ("red", ["Cherry Red", "Brick Red"], None),  # two values hold it: asked again
        ("y", ["Black", "Volt Yellow"], None),  # a yes, no start of "Yellow"
    ],
)
def test_a_word_or_number_of_one_value_answers_the_question(
    text: str, values: list[str], want: str | None
) -> None:
    assert answer_option(text, {"values": values}) == want


@pytest.mark.parametrize(
    ("question", "page", "quoted"),
    [
        (
            "is it dishwasher safe",
            "Suitable for all hobs. Oven safe to 180C. Hand wash recommended.",
            "Hand wash recommended.",
        ),
        ("is it oven safe", "Not dishwasher safe. Oven safe to 250C.", "Oven safe to 250C."),
        ("is it dishwasher safe", "Oven safe to 180C.", None),
    ],
)
def test_a_safe_for_question_is_answered_by_what_the_page_says_of_that_thing(
    shop: EmbeddedTier, question: str, page: str, quoted: str | None
) -> None:
    """ "Oven safe" is no answer to "dishwasher safe"; "Hand wash recommended" is."""
    s = shown(KITCHEN, "frypan")
    nlu, plan = planned(shop, question, s, "product_details")
    assert [c.name for c in plan.calls] == ["get_product"], plan
    reply, _ = shop.respond(
        nlu, shop.update_state(s, nlu), pages(KITCHEN, {"frypan": page}, "frypan")
    )
    if quoted is None:
        assert "Oven safe" not in reply.text and "doesn't say" in reply.text, reply.text
    else:
        assert reply.text.endswith(f'"{quoted}"'), reply.text


@pytest.mark.parametrize("reads", ["add_to_cart", "refine", "product_details"])
def test_one_more_thing_the_shop_does_not_sell_is_said_not_carried(
    shop: EmbeddedTier, reads: str
) -> None:
    """ "and a lid for it" with the pan shown: lids, asked for (none sold: said so), not
    the pan's size asked for an add nor "which product do you mean?"."""
    s = shown(KITCHEN, "frypan")
    nlu, plan = planned(shop, "and a lid for it", s, reads)
    assert nlu.intent == "search" and nlu.notes.get("not_carried") == "lid", nlu
    assert not any(c.name == "add_to_cart" for c in plan.calls), plan


def test_a_bigger_one_is_no_thing_asked_for(shop: EmbeddedTier) -> None:
    s = shown(KITCHEN, "frypan", "dutch")
    nlu, _ = planned(shop, "and a bigger one", s, "refine")
    assert nlu.intent != "search" and "not_carried" not in nlu.notes, nlu


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("kitchenaid mixer", "kitchenaid"),
        ("le creuset dutch oven", "creuset"),
        ("zwilling knife", "zwilling"),
        ("knives for my son jakob", None),  # a name, but of no product
        ("non stick fryng pan", None),  # a slip of the shop's own word
        ("a nice pan", None),
        ("hiya, looking for a pan", None),  # a greeting
    ],
)
def test_a_brand_the_shop_does_not_have_is_said_before_what_it_has(
    encode: object, text: str, name: str | None
) -> None:
    """ "kitchenaid mixer": the mixers there are, after "we don't carry Kitchenaid" (not
    shown as if they were the brand asked for); read as a search even when the model reads
    a bare product name as an add with nothing to add."""
    from shopagent.agent.embedded import DialogueState

    from .mini_shop import searched

    more = [
        product("mixer", "Stand Mixer", "Kitchen > Appliances"),
        product("knife", "Chef's Knife 20cm", "Kitchen > Knives"),
    ]
    shop = _tier([*KITCHEN, *more], encode, None)
    nlu, plan = planned(shop, text, DialogueState(), "add_to_cart", 0.67)
    assert nlu.intent == "search" and plan.calls[0].name == "catalog_search", nlu
    assert nlu.notes.get("unknown_name") == name, nlu.notes
    found = searched([{"id": "mixer", "title": "Stand Mixer", "price": "229.00"}], {"query": text})
    reply, _ = shop.respond(nlu, shop.update_state(DialogueState(), nlu), [found])
    said = f"We don't carry {name.title()}" if name else "We don't carry"
    assert (said in reply.text) == bool(name), reply.text


def test_a_product_named_by_more_of_its_title_than_the_one_shown_is_that_one(
    encode: object,
) -> None:
    """ "the knife set looks nice" beside the chef's knife (the set, sold out, was not
    shown): the Knife Block Set's page, not the knife's."""
    more = [
        product("knife", "Chef's Knife 20cm", "Kitchen > Knives"),
        product("set", "Knife Block Set", "Kitchen > Knives"),
    ]
    shop = _tier([*KITCHEN, *more], encode, None, titles=True)
    s = shown([*KITCHEN, *more], "frypan", "knife", "dutch")
    nlu, plan = planned(shop, "the knife set looks nice", s, "visual_search", 0.5)
    assert nlu.intent == "product_details" and nlu.slots.product_id == "set", nlu
    assert [(c.name, c.args.get("product_id")) for c in plan.calls] == [("get_product", "set")]
    nlu, _ = planned(shop, "the knife looks nice", s, "visual_search", 0.5)
    assert nlu.slots.reference == "2", nlu  # the knife shown
