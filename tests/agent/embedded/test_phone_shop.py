"""A phone accessories shop: cases made per phone model (the "Model" option, a value of
several words: "Galaxy S24"), chargers per plug, and shoppers who ask whether a thing fits
their phone. The intent model is a stub (the model boundary); the text encoder is the
real MiniLM."""

from __future__ import annotations

from typing import Any

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier
from shopagent.agent.embedded._answers import answer, offered_option

from .mini_shop import Reads, planned, product, searched, shown
from .mini_shop import shop_tier as _tier

MODELS = ["iPhone 15", "iPhone 14", "Galaxy S24", "Pixel 8"]
PHONES = [
    product("clear-case", "Shieldr Crystal Clear Case", "Phones > Phone Cases", model=MODELS),
    product("rugged-case", "Shieldr Rugged Armor Case", "Phones > Phone Cases", model=MODELS),
    product(
        "leather-case",
        "Shieldr Leather Folio Case",
        "Phones > Phone Cases",
        model=["iPhone 15", "iPhone 14"],
        color=["Brown", "Black"],
    ),
    product(
        "charger", "Voltix 30W USB-C Fast Charger", "Phones > Chargers", plug=["UK", "EU", "US"]
    ),
    product("power-bank", "Voltix 10000mAh Power Bank", "Phones > Power Banks", color=["Black"]),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(PHONES, encode, Reads("search", 0.95))


def _page(pid: str, description: str = "", sold_out: str = "") -> dict[str, Any]:
    p = next(x for x in PHONES if x["id"] == pid)
    variants = [{**v, "available": sold_out not in v["options"].values()} for v in p["variants"]]
    return {**p, "variants": variants, "description": description}


def test_the_search_s_model_carries_into_the_add(shop: EmbeddedTier) -> None:
    s = shown(PHONES, "leather-case")
    s.filters = {"category": "Phone Cases", "options": {"model": "iPhone 15"}}
    s.focus = "leather-case"  # "the leather one" was asked about
    nlu, plan = planned(shop, "brown pls", s, "add_to_cart")
    assert [c.name for c in plan.calls] == ["add_to_cart"], plan
    chosen = {**dict(plan.calls[0].args.get("options") or {})}
    if plan.calls[0].args.get("color"):
        chosen["color"] = plan.calls[0].args["color"]
    assert set(chosen.values()) == {"iPhone 15", "Brown"}, plan.calls[0].args


def test_does_it_fit_my_phone_before_any_search(shop: EmbeddedTier) -> None:
    shop.model = Reads("product_details", 0.95)
    s = DialogueState()
    nlu = shop.understand("does the rugged phone case fit a pixel 8?", s)
    s = shop.update_state(s, nlu)
    plan = shop.plan(nlu, s)
    assert [c.name for c in plan.calls] == ["catalog_search"] and plan.followup, plan
    cards = [{"id": p["id"], "title": p["title"]} for p in PHONES[:3]]
    found = searched(cards)
    nxt = shop.plan_next(nlu, s, [found])  # three cases found; its own word names one
    assert [(c.name, c.args) for c in nxt.calls] == [("get_product", {"product_id": "rugged-case"})]
    said = answer(
        "does the rugged phone case fit a pixel 8?", _page("rugged-case", sold_out="Pixel 8")
    )
    assert said == "Yes, Shieldr Rugged Armor Case comes in Pixel 8, but that one is sold out."


def test_what_about_another_model_asks_the_same_of_the_one_in_focus(
    shop: EmbeddedTier,
) -> None:
    s = shown(PHONES, "rugged-case")
    s.last_intent = "product_details"
    shop.model = Reads("search", 0.4)
    nlu = shop.understand("ok what about galaxy s24", s)
    assert nlu.intent == "product_details" and nlu.slots.reference == "it", nlu
    page = _page("rugged-case")
    assert (
        answer("ok what about galaxy s24", page)
        == "Yes, Shieldr Rugged Armor Case comes in Galaxy S24."
    )
    assert offered_option("ok what about galaxy s24", page) == ("model", "Galaxy S24")
    assert offered_option("does it fit a pixel 8?", page) == ("model", "Pixel 8")


def test_a_model_named_during_a_search_narrows_it(shop: EmbeddedTier) -> None:
    s = shown(PHONES, "clear-case", "rugged-case")
    s.filters = {"category": "Phone Cases"}
    nlu = shop.understand("galaxy s24", s)
    assert "not_carried" not in nlu.notes, nlu.notes
    assert nlu.intent == "refine" and nlu.slots.options == {"model": "Galaxy S24"}, nlu


def test_what_comes_in_the_box_is_no_option() -> None:
    page = _page("charger", "Compact wall charger with GaN.")
    said = answer("does it come with a cable", page) or ""
    assert "doesn't say anything about cable" in said and "plugs" not in said, said
    assert (answer("does it come in EU", page) or "").startswith(
        "Yes, Voltix 30W USB-C Fast Charger comes in EU"
    )


def test_a_page_s_name_and_its_decimals() -> None:
    pack = {"title": "Tempered Glass Screen Protector 2-Pack", "description": "9H glass."}
    assert answer("how many in the pack", pack) == (
        'Its name says it: "Tempered Glass Screen Protector 2-Pack".'
    )
    buds = {"title": "Pulse Earbuds", "description": "Bluetooth 5.3 earbuds, noise cancelling."}
    assert "Bluetooth 5.3 earbuds" in (answer("are they noise cancelling", buds) or "")


def test_a_need_said_as_what_keeps_happening_is_searched(shop: EmbeddedTier) -> None:
    shop.model = Reads("remove_from_cart", 0.74)
    nlu = shop.understand("i keep running out of battery", DialogueState())
    assert nlu.intent == "search", nlu
