"""A stationery shop's sale: "anything on sale?", "any deals on notebooks", "are any of
these reduced" filter the search to products on sale (never the words "sale" or "deals"
searched, nor "we don't carry bargains"); the reply says what they cost now and before,
and a sale that has nothing says so. A discount code is a question about the shop. The
intent model is a stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, NLUResult, Slots
from shopagent.agent.embedded._scope import POLICY_REPLY

from .mini_shop import planned, product, searched, shown
from .mini_shop import shop_tier as _tier

PAPER = [
    product(
        "notebook",
        "Dotted A5 Notebook",
        "Stationery > Notebooks",
        color=["Sage", "Ink Blue"],
        Paper=["Dotted", "Lined"],
    ),
    product("pen", "Fineliner Pen Set", "Stationery > Pens", Pack=["6 Pack", "12 Pack"]),
    product("planner", "Weekly Desk Planner", "Stationery > Planners"),
    product("washi", "Washi Tape Trio", "Stationery > Tape", color=["Pastel", "Neon"]),
]


def card(
    pid: str, price: str, before: str | None = None, sale: dict[str, object] | None = None
) -> dict[str, object]:
    by_id = {p["id"]: p for p in PAPER}
    out: dict[str, object] = {
        "id": pid,
        "title": by_id[pid]["title"],
        "price": price,
        "compare_at_price": before,
        "currency": "USD",
        # every option the product has, as a card carries them
        "options": {
            k: sorted({v["options"][k] for v in by_id[pid]["variants"]})
            for k in by_id[pid]["variants"][0]["options"]
        },
    }
    if sale:
        out["sale"] = sale  # the options on sale, when only some are
    return out


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(PAPER, encode, None, titles=True)


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("anything on sale?", "search"),
        ("whats on offer this week", "product_details"),  # the model unsure, elsewhere
        ("any bargains", "search"),
        ("hiya, got any deals at the moment?", "greeting"),
        ("ok show me all the discounted stuff", "refine"),
        ("anything on sale rn?", "search"),
        ("any bargains going?", "search"),
    ],
)
def test_asking_for_the_sale_searches_the_whole_sale(
    shop: EmbeddedTier, text: str, reads: str
) -> None:
    nlu, plan = planned(shop, text, DialogueState(), reads, 0.5)
    assert nlu.intent == "search" and nlu.slots.on_sale is True, nlu
    assert "not_carried" not in nlu.notes and "vague" not in nlu.notes, nlu.notes
    args = plan.calls[0].args
    assert plan.calls[0].name == "catalog_search", plan
    assert args["on_sale"] is True and args["query"] == "", args


def test_a_sale_of_a_kind_filters_that_kind(shop: EmbeddedTier) -> None:
    nlu, plan = planned(shop, "any deals on notebooks?", DialogueState(), "search")
    args = plan.calls[0].args
    assert args["category"] == "Notebooks" and args["on_sale"] is True, args
    assert "deal" not in args["query"] and "on" not in args["query"].split(), args
    # the sale is searched for a new request, not the last search's words
    s = shown(PAPER, "pen", "planner")
    nlu, plan = planned(shop, "whats in the sale", s, "search")
    assert plan.calls[0].args["query"] == "" and plan.calls[0].args["on_sale"] is True


def test_any_of_these_reduced_narrows_the_list_shown(shop: EmbeddedTier) -> None:
    s = shown(PAPER, "notebook", "planner")
    s.filters = {"category": "Notebooks"}
    s.query = "notebooks"
    nlu, plan = planned(shop, "are any of these reduced?", s, "product_details", 0.5)
    assert nlu.intent == "refine", nlu
    args = plan.calls[0].args
    assert args["on_sale"] is True and args["category"] == "Notebooks", args


def test_a_thing_the_shop_does_not_sell_is_still_said(shop: EmbeddedTier) -> None:
    nlu, _ = planned(shop, "any deals on kayaks", DialogueState(), "search")
    assert nlu.notes.get("not_carried") == "kayaks", nlu.notes


@pytest.mark.parametrize(
    "text",
    ["is it on sale?", "is the first one discounted", "what's the sales tax", "is this for sale"],
)
def test_a_question_about_a_product_or_a_tax_is_no_sale_search(
    shop: EmbeddedTier, text: str
) -> None:
    s = shown(PAPER, "notebook", "pen")
    s.focus = "notebook"
    nlu, _ = planned(shop, text, s, "product_details")
    assert nlu.intent == "product_details" and not nlu.slots.on_sale, nlu


@pytest.mark.parametrize(
    "text", ["do you have a discount code?", "got a promo code", "is there a student discount"]
)
def test_a_discount_code_is_a_question_about_the_shop(shop: EmbeddedTier, text: str) -> None:
    nlu, plan = planned(shop, text, DialogueState(), "search")
    assert plan.reply == POLICY_REPLY and not plan.calls, (nlu, plan)


def _reply(shop: EmbeddedTier, text: str, *outcomes: object) -> str:
    nlu = NLUResult(intent="search", confidence=0.9, slots=Slots(on_sale=True), text=text)
    state = shop.update_state(DialogueState(), nlu)
    reply, after = shop.respond(nlu, state, list(outcomes))  # type: ignore[arg-type]
    return reply.text


def test_the_reply_says_the_price_now_and_before(shop: EmbeddedTier) -> None:
    sale = {"on_sale": True, "in_stock": True}
    text = _reply(
        shop,
        "anything on sale",
        searched(
            [
                card("pen", "9.60", "12.00"),
                card(
                    "washi",
                    "6.00",
                    sale={
                        "price": "4.50",
                        "compare_at_price": "6.00",
                        "options": {"Color": "Neon"},
                    },
                ),
            ],
            {"query": "", "on_sale": True},
            filters=sale,
        ),
    )
    assert "on sale" in text, text
    assert "Fineliner Pen Set $9.60 (was $12.00)" in text, text
    # only the neon tape is reduced: said with its option, at its own price
    assert "Washi Tape Trio $4.50 in Neon (was $6.00)" in text, text
    one = _reply(
        shop,
        "any deals",
        searched([card("pen", "9.60", "12.00")], {"query": "", "on_sale": True}, filters=sale),
    )
    assert one.endswith("It's $9.60, down from $12.00."), one


def test_a_sale_with_nothing_in_it_says_so(shop: EmbeddedTier) -> None:
    empty = searched([], {"query": "", "on_sale": True}, filters={"on_sale": True})
    assert _reply(shop, "anything on sale", empty) == "Nothing is on sale right now."
    # none of the planners on sale: the planners at their usual price, said as such
    filters = {"category": "Planners", "on_sale": True}
    none = searched([], {"query": "planners", **filters}, filters=filters)
    full = searched(
        [card("planner", "14.00")],
        {"query": "planners", "category": "Planners"},
        filters={"category": "Planners"},
    )
    text = _reply(shop, "planners on sale", none, full)
    assert "planners on sale" in text.lower() and "usual price" in text, text
    assert "Weekly Desk Planner" in text, text


@pytest.mark.parametrize(
    "text",
    ["is the planner on sale?", "is this one discounted", "whats the discount on the pens"],
)
def test_a_question_whether_one_product_is_on_sale_is_asked_of_it(
    shop: EmbeddedTier, text: str
) -> None:
    """Its page answers ("Yes, ... is on sale: $9.60, down from $12.00 (20% off)"), not a
    listing of the sale."""
    s = shown(PAPER, "planner", "pen")
    nlu, _ = planned(shop, text, s, "product_details")
    assert nlu.intent == "product_details" and not nlu.slots.on_sale, nlu


def test_a_sale_asked_for_with_a_typo_is_still_the_whole_sale(shop: EmbeddedTier) -> None:
    nlu, plan = planned(shop, "anythin in the sale?", DialogueState(), "search")
    args = plan.calls[0].args
    assert args["query"] == "" and args["on_sale"] is True, args


@pytest.mark.parametrize("text", ["how much did i save", "whats in my cart"])
def test_the_cart_says_what_its_sale_lines_save(shop: EmbeddedTier, text: str) -> None:
    """A line added in a sale shows its price before it; the cart what the sale saves."""
    from shopagent.agent.embedded import ToolOutcome

    nlu, plan = planned(shop, text, DialogueState(), "view_cart")
    assert [c.name for c in plan.calls] == ["view_cart"], plan
    line = {"product_id": "pen", "title": "Fineliner Pen Set", "currency": "USD"}
    cart = {
        "lines": [
            {
                **line,
                "quantity": 2,
                "unit_price": "8.00",
                "line_total": "16.00",
                "compare_at_price": "10.00",
            },
            {
                **line,
                "product_id": "planner",
                "title": "Weekly Desk Planner",
                "quantity": 1,
                "unit_price": "12.00",
                "line_total": "12.00",
                "compare_at_price": None,
            },
        ],
        "item_count": 3,
        "total": "28.00",
        "savings": "4.00",
        "currency": "USD",
    }
    out = ToolOutcome(name="view_cart", args={}, ok=True, content=cart)
    reply, _ = shop.respond(nlu, DialogueState(), [out])
    assert "2 x Fineliner Pen Set, $16.00 (was $20.00)" in reply.text, reply.text
    assert "Weekly Desk Planner, $12.00;" not in reply.text and "(was $12" not in reply.text
    assert reply.text.endswith("You're saving $4.00 on sale prices."), reply.text
