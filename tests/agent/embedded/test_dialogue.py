"""Dialogue state, planning and grounded replies, from NLU results built by hand."""

from __future__ import annotations

import json
import re
from typing import Any

from shopagent.agent.embedded import DialogueState, NLUResult, Slots, ToolOutcome
from shopagent.agent.embedded._policy import plan
from shopagent.agent.embedded._respond import respond
from shopagent.agent.embedded._state import update_state

SHOWN = ["p-1", "p-2", "p-3", "p-4"]


def nlu(intent: str, text: str = "", confidence: float = 0.95, **slots: Any) -> NLUResult:
    return NLUResult(intent=intent, confidence=confidence, slots=Slots(**slots), text=text)


def card(pid: str, title: str, price: float) -> dict[str, Any]:
    return {
        "id": pid,
        "title": title,
        "brand": "Kestrel",
        "price": price,
        "currency": "USD",
        "category": "Shoes > Sneakers",
        "attributes": {"color": "red"},
        "in_stock": True,
    }


def test_constraints_carry_and_a_new_topic_resets_them() -> None:
    s = update_state(
        DialogueState(),
        nlu(
            "search",
            "red dresses under $50",
            category="Dresses",
            color="red",
            price_max=50.0,
            audience="women",
        ),
    )
    s = update_state(s, nlu("refine", "now in blue", color="blue"))
    assert s.filters == {
        "category": "Dresses",
        "color": "blue",
        "price_max": 50.0,
        "audience": "women",
    }
    s = update_state(s, nlu("refine", "between 60 and 90", price_min=60.0, price_max=90.0))
    assert (s.filters["price_min"], s.filters["price_max"]) == (60.0, 90.0)
    s = update_state(s, nlu("search", "leather boots", category="Boots", material="leather"))
    # colour and price belonged to the dresses; who they shop for carries over
    assert s.filters == {"category": "Boots", "material": "leather", "audience": "women"}
    s = update_state(s, nlu("search", "show me boots in black", category="Boots", color="black"))
    assert s.filters["material"] == "leather"  # same product type: what was said still holds
    s = update_state(
        s, nlu("search", "something sporty for my son", style="sporty", audience="kids")
    )
    assert s.filters == {"style": "sporty", "audience": "kids"}
    # the state is plain JSON and survives a round trip (checkpointer, restart)
    assert DialogueState.model_validate(json.loads(json.dumps(s.model_dump()))) == s


def test_cheaper_uses_the_prices_that_were_shown() -> None:
    s = DialogueState(
        filters={"category": "Sneakers"},
        query="sneakers",
        last_shown=SHOWN,
        shown={p: {"price": x} for p, x in zip(SHOWN, [40, 80, 120, 60], strict=True)},
        last_intent="search",
    )
    s = update_state(s, nlu("refine", "cheaper ones", modifier="cheaper"))
    assert s.filters["price_max"] == 80  # the middle of what was shown, not a made-up number


def test_cheaper_or_pricier_than_one_or_two_shown_leaves_the_dearest_or_cheapest_out() -> None:
    # the middle of two is the dearer one: "cheaper" must not show it again
    def after(prices: list[float], modifier: str) -> dict[str, Any]:
        ids = [f"k-{i}" for i in range(len(prices))]
        s = DialogueState(
            filters={"category": "Kettles"},
            query="kettles",
            last_shown=ids,
            shown={i: {"price": x} for i, x in zip(ids, prices, strict=True)},
            last_intent="search",
        )
        return update_state(s, nlu("refine", f"{modifier} ones", modifier=modifier)).filters

    assert after([89.0, 45.0], "cheaper")["price_max"] == 45.0
    assert after([89.0], "cheaper")["price_max"] == 88.99
    assert after([89.0, 45.0], "pricier")["price_min"] == 89.0
    assert after([45.0], "pricier")["price_min"] == 45.01


def test_references_resolve_against_what_was_shown() -> None:
    s = DialogueState(last_shown=SHOWN, last_intent="search", query="sneakers")
    p = plan(
        nlu("add_to_cart", reference="2", size="M"),
        update_state(s, nlu("add_to_cart", reference="2", size="M")),
        0.6,
    )
    assert [(c.name, c.args) for c in p.calls] == [
        ("add_to_cart", {"product_id": "p-2", "quantity": 1, "size": "M"})
    ]
    s2 = update_state(s, nlu("product_details", reference="last"))
    assert s2.focus == "p-4"
    p = plan(nlu("add_to_cart", reference="it", quantity=2), s2, 0.6)
    assert p.calls[0].args == {"product_id": "p-4", "quantity": 2}
    p = plan(nlu("compare", reference="1,3"), s, 0.6)
    assert p.calls[0].args == {"product_ids": ["p-1", "p-3"]}


def test_unresolvable_reference_asks_instead_of_writing() -> None:
    s = DialogueState(last_shown=SHOWN[:2])
    p = plan(nlu("add_to_cart", reference="5"), s, 0.6)
    assert not p.calls and not p.escalate and "which" in (p.reply or "").lower()
    p = plan(nlu("add_to_cart", reference="it"), DialogueState(), 0.6)
    assert not p.calls and p.reply


def test_plans_for_routine_intents() -> None:
    s = update_state(DialogueState(), nlu("search", "red dresses", category="Dresses", color="red"))
    p = plan(nlu("search"), s, 0.6)
    assert p.calls[0].name == "catalog_search"
    assert p.calls[0].args == {
        "query": "dresses",
        "category": "Dresses",
        "color": "red",
        "page": 1,
    }
    broad = update_state(DialogueState(), nlu("search", "dresses", category="Dresses"))
    assert [c.name for c in plan(nlu("search"), broad, 0.6).calls] == [
        "catalog_search",
        "get_facets",
    ]
    assert plan(nlu("order_status", order_id="o-1"), s, 0.6).calls[0].args == {"order_id": "o-1"}
    assert plan(nlu("cancel_order"), s, 0.6).calls[0].name == "list_orders"
    assert plan(nlu("view_cart"), s, 0.6).calls[0].name == "view_cart"
    assert plan(nlu("checkout"), s, 0.6).calls[0].name == "checkout"
    assert plan(nlu("visual_search"), s, 0.6).reply  # no photo, nothing shown: ask for one
    v = nlu("visual_search")
    v.image_id = "img-1"
    assert plan(v, s, 0.6).calls[0].args == {"image_id": "img-1"}


def test_chat_intents_reply_directly_and_unsure_turns_escalate() -> None:
    s = DialogueState()
    oos = plan(nlu("out_of_scope", "write me a poem"), s, 0.6)
    assert not oos.calls and "shop" in (oos.reply or "")
    handoff = plan(nlu("human_handoff"), s, 0.6)
    assert handoff.reason == "human_handoff" and "team" in (handoff.reply or "")
    unsure = plan(nlu("search", confidence=0.3), s, 0.6)
    assert unsure.escalate and not unsure.calls and "0.30" in unsure.reason


def test_replies_are_grounded_in_tool_results() -> None:
    s = update_state(
        DialogueState(), nlu("search", "red sneakers", category="Sneakers", color="red")
    )
    products = [card("p-7", "Kestrel Red Trainer", 59.0), card("p-9", "Pavo Runner", 72.5)]
    outcome = ToolOutcome(
        name="catalog_search",
        args={},
        ok=True,
        content={
            "products": products,
            "total": 2,
            "page": 1,
            "filters_applied": {"category": "Sneakers", "color": "red"},
        },
    )
    reply, s2 = respond(nlu("search"), s, [outcome])
    assert reply.product_ids == ["p-7", "p-9"] and s2.last_shown == ["p-7", "p-9"]
    assert "red sneakers" in reply.text
    # every number in the text is one the tool returned
    assert set(re.findall(r"\d+(?:\.\d+)?", reply.text)) <= {"2"}
    reply, s3 = respond(
        nlu("product_details"),
        s2,
        [
            ToolOutcome(
                name="get_product",
                args={"product_id": "p-9"},
                content={"product": {**card("p-9", "Pavo Runner", 72.5), "sizes": ["41", "42"]}},
            )
        ],
    )
    assert "Pavo Runner" in reply.text and "$72.50" in reply.text and "41, 42" in reply.text
    assert s3.focus == "p-9"
    empty = ToolOutcome(
        name="catalog_search",
        content={
            "products": [],
            "total": 0,
            "filters_applied": {"category": "Sneakers", "color": "red"},
        },
    )
    reply, _ = respond(nlu("search"), s, [empty])
    assert not reply.product_ids and "red sneakers" in reply.text


def test_broad_search_asks_one_question_from_the_facets() -> None:
    s = update_state(DialogueState(), nlu("search", "dresses", category="Dresses"))
    products = [card(f"p-{i}", f"Dress {i}", 30.0 + i) for i in range(10)]
    results = [
        ToolOutcome(
            name="catalog_search",
            content={
                "products": products,
                "total": 120,
                "filters_applied": {"category": "Dresses"},
            },
        ),
        ToolOutcome(
            name="get_facets",
            content={"facets": {"size": {"S": 30, "M": 50, "L": 40}, "color": {"red": 9}}},
        ),
    ]
    reply, _ = respond(nlu("search"), s, results)
    assert reply.text.endswith("Which size: S, M or L?")
    assert reply.text.count("?") == 1


def test_tool_failures_and_declines_are_reported_not_hidden() -> None:
    s = DialogueState(last_shown=SHOWN)
    failed = ToolOutcome(
        name="add_to_cart",
        args={"product_id": "p-1"},
        ok=False,
        error_code="out_of_stock",
        error_message="size M is sold out",
    )
    reply, _ = respond(nlu("add_to_cart"), s, [failed])
    assert "size M is sold out" in reply.text
    declined = ToolOutcome(name="add_to_cart", ok=False, error_code="declined")
    assert "haven't changed" in respond(nlu("add_to_cart"), s, [declined])[0].text


def test_cart_replies_use_what_the_cart_tools_return() -> None:
    s = DialogueState(last_shown=SHOWN)
    added = ToolOutcome(
        name="add_to_cart",
        args={"product_id": "p-2", "quantity": 2},
        content={
            "added": {"product_id": "p-2", "title": "Pavo Runner", "quantity": 2},
            "cart": {"lines": [], "total": 145.0, "currency": "USD"},
        },
    )
    reply, _ = respond(nlu("add_to_cart"), s, [added])
    assert reply.text == "Added 2 x Pavo Runner to your cart. Cart total: $145.00."
    cart = ToolOutcome(
        name="view_cart",
        content={
            "lines": [
                {"product_id": "p-2", "title": "Pavo Runner", "unit_price": 72.5, "quantity": 2}
            ],
            "total": 145.0,
            "currency": "USD",
        },
    )
    reply, s2 = respond(nlu("remove_from_cart", category="Sneakers"), s, [cart])
    assert reply.product_ids == ["p-2"] and reply.text.endswith("Which one should I remove?")
    assert s2.last_shown == ["p-2"]  # "the first one" now points into the cart


def test_a_refinement_after_a_photo_search_narrows_the_photo_search() -> None:
    s = DialogueState()
    first = nlu("visual_search", "find something like this")
    first.image_id = "img-1"
    s = update_state(s, first)
    turn = nlu("refine", "any of those under $30?", price_max=30.0)
    s = update_state(s, turn)
    p = plan(turn, s, 0.6)
    assert [(c.name, c.args) for c in p.calls] == [
        ("visual_search", {"image_id": "img-1", "price_max": 30.0})
    ]
    # a new product type starts a catalog search again
    turn = nlu("refine", "dresses", category="Dresses")
    s = update_state(s, turn)
    assert plan(turn, s, 0.6).calls[0].name == "catalog_search"


def test_forget_the_budget_drops_the_price_bounds() -> None:
    s = DialogueState(filters={"category": "Dresses", "color": "red", "price_max": 50.0})
    s = update_state(s, nlu("refine", "forget the budget", modifier="any_price"))
    assert s.filters == {"category": "Dresses", "color": "red"}


def test_product_details_of_a_shown_product_keeps_the_list() -> None:
    s = DialogueState(last_shown=["p-1", "p-2"], shown={"p-1": {"title": "A"}, "p-2": {}})
    out = ToolOutcome(name="get_product", content={"product": card("p-2", "Runner", 40.0)})
    _, s2 = respond(nlu("product_details", "tell me about the second"), s, [out])
    assert s2.last_shown == ["p-1", "p-2"] and s2.focus == "p-2"


def test_compared_products_become_what_the_next_turn_refers_to() -> None:
    s = DialogueState()
    out = ToolOutcome(
        name="compare_products",
        content={"products": [card("p-1", "Runner", 40.0), card("p-2", "Trail", 30.0)]},
    )
    reply, s = respond(nlu("compare", "what's the difference"), s, [out])
    assert "$30.00" in reply.text and s.last_shown == ["p-1", "p-2"]
    turn = nlu("add_to_cart", "I'll take the cheaper one", reference="cheapest")
    s = update_state(s, turn)
    assert plan(turn, s, 0.6).calls[0].args["product_id"] == "p-2"


def test_which_is_cheapest_with_one_product_shown_shows_its_details() -> None:
    s = DialogueState(last_shown=["p-1"], shown={"p-1": {"title": "Runner", "price": 40.0}})
    turn = nlu("compare", "which of those is the cheapest?")
    s = update_state(s, turn)
    assert [c.name for c in plan(turn, s, 0.6).calls] == ["get_product"]


def test_search_text_keeps_numbers_with_units_and_drops_amounts_of_money() -> None:
    from shopagent.agent.embedded._state import search_query

    def q(text: str, **slots: Any) -> str:
        return search_query(nlu("search", text, **slots), None)

    # a number with a unit tells one product from another: it stays in the search text
    assert q("27 inch 4K monitor under $300", price_max=300) == "27 inch 4K monitor"
    assert "32GB" in q("14 inch laptop with 32GB RAM") and "14 inch" in q("14 inch laptop")
    assert q("a 7-inch e-reader") == "7-inch e-reader"
    assert q("headphones with 30 hours battery") == "headphones 30 hours battery"
    # money is a filter, never search words, in any of the ways people write it
    assert q("tents between 50 and 100 dollars", price_min=50, price_max=100) == "tents"
    assert q("gift under 80 euros", price_max=80) == "gift"
    assert q("garden hose max €40", price_max=40) == "garden hose"
    # a bare number next to the size slot is the size, not a word to search for
    assert q("trail shoes size 10", size="10") == "trail shoes"


def test_which_is_cheaper_after_a_comparison_is_answered_not_asked_back() -> None:
    # "which is cheaper" names no product: read as a vague search at low confidence, it is
    # still about the two books just compared, not "what kind of product?"
    s = DialogueState(
        last_shown=["b-1", "b-2"],
        focus_ids=["b-1", "b-2"],
        shown={
            "b-1": {"title": "Harbour Press Moby-Dick Clothbound", "price": "24.00"},
            "b-2": {"title": "Lamplight Moby-Dick Paperback", "price": "9.50"},
        },
    )
    turn = nlu("refine", "which is cheaper", confidence=0.35)
    turn.notes = {"vague": True}
    p = plan(turn, s, 0.6, alone=True)
    assert not p.calls
    assert p.reply == "The cheaper one is Lamplight Moby-Dick Paperback, at $9.50."
