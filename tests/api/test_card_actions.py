"""Card actions through the real AgentService and a real catalog: each action runs as the
tool call it stands for, history shows a readable line, writes stop at the confirmation,
and an option question offers the open values as quick replies that a next message picks.
Only the model tier is scripted (typed text)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api import shop_fixture
from tests.api.helpers import ALICE, make_settings, parse_sse


@pytest.fixture
async def shop(shop_catalog: tuple[Any, Path], data_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    from shopagent.agent.fake_openai import FakeOpenAIServer
    from shopagent.agent.service import AgentService
    from shopagent.api import create_app

    catalog = shop_catalog[0]
    settings = make_settings(data_dir)
    with FakeOpenAIServer(model="shop-lora", responder=shop_fixture.scripted_model) as vlm:
        app = create_app(
            settings.model_copy(update={"local_base_url": vlm.base_url}),
            open_service=lambda s: AgentService.open(s, catalog=catalog, embedded=None),
        )
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t", headers=ALICE
            ) as client:
                yield client


async def _post(client: httpx.AsyncClient, sid: str, **body: Any) -> dict[str, Any]:
    r = await client.post(f"/v1/sessions/{sid}/messages", json={"text": "", **body})
    assert r.status_code == 200, r.text
    return _events(r.text)


def _events(raw: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, data in parse_sse(raw):
        out.setdefault(kind, []).append(data)
    assert "error" not in out, out["error"]
    return out


async def test_card_actions_run_as_tool_calls_and_writes_still_confirm(
    shop: httpx.AsyncClient,
) -> None:
    sid = (await shop.post("/v1/sessions", json={})).json()["session_id"]

    # Details: the product tool runs; its result carries every variant.
    ev = await _post(shop, sid, action={"type": "details", "product_id": "kb-75"})
    assert [c["name"] for c in ev["tool_call"]] == ["get_product"]
    product = ev["tool_result"][0]["content"]["product"]
    assert {v["options"]["switch type"] for v in product["variants"]} == {
        "clicky",
        "linear",
        "tactile",
    }
    assert ev["message"][0]["text"] == "Here are the details of Kestrel 75 Mechanical Keyboard."
    assert ev["route"][0]["reason"] == "card action: details"

    # Add without a switch: a question with the available values only (tactile is sold out).
    ev = await _post(shop, sid, action={"type": "add_to_cart", "product_id": "kb-75"})
    msg = ev["message"][0]
    assert msg["text"] == "Which switch type would you like for Kestrel 75 Mechanical Keyboard?"
    assert msg["quick_replies"] == ["clicky", "linear"]
    assert "confirm_required" not in ev

    # Answering with one of the values (what the quick-reply button sends) asks to confirm
    # exactly that variant; nothing is written before the yes.
    ev = await _post(shop, sid, text="linear")
    confirm = ev["confirm_required"][0]
    assert confirm["arguments"]["variant_id"] == "kb-75-l"
    assert (await shop.get("/v1/cart")).json()["lines"] == []
    r = await shop.post(
        f"/v1/sessions/{sid}/confirm",
        json={"confirmation_id": confirm["confirmation_id"], "approve": True},
    )
    _events(r.text)
    cart = (await shop.get("/v1/cart")).json()
    assert [(line["variant_id"], line["quantity"]) for line in cart["lines"]] == [("kb-75-l", 1)]
    assert str(cart["lines"][0]["unit_price"]) in ("134.5", "134.50")

    # More like this: other products, never the one asked about.
    ev = await _post(shop, sid, action={"type": "more_like_this", "product_id": "kb-75"})
    shown = [p["id"] for p in ev["products"][0]["products"]]
    assert shown and "kb-75" not in shown

    # Remove from the cart: confirmed like any write.
    ev = await _post(shop, sid, action={"type": "remove", "product_id": "kb-75"})
    confirm = ev["confirm_required"][0]
    r = await shop.post(
        f"/v1/sessions/{sid}/confirm",
        json={"confirmation_id": confirm["confirmation_id"], "approve": True},
    )
    assert "Removed Kestrel 75 Mechanical Keyboard" in _events(r.text)["message"][0]["text"]
    assert (await shop.get("/v1/cart")).json()["lines"] == []

    # History reads like a conversation: no ids in the shopper's lines.
    history = (await shop.get(f"/v1/sessions/{sid}")).json()["history"]
    said = [h["text"] for h in history if h["role"] == "user"]
    assert said == [
        "Show details of Kestrel 75 Mechanical Keyboard",
        "Add 1 × Kestrel 75 Mechanical Keyboard to my cart",
        "linear",
        "Show more like Kestrel 75 Mechanical Keyboard",
        "Remove Kestrel 75 Mechanical Keyboard from my cart",
    ]


async def test_typed_option_question_offers_quick_replies(shop: httpx.AsyncClient) -> None:
    sid = (await shop.post("/v1/sessions", json={})).json()["session_id"]
    ev = await _post(shop, sid, text="add the kestrel 75")
    assert ev["message"][0]["quick_replies"] == ["clicky", "linear"]
    history = (await shop.get(f"/v1/sessions/{sid}")).json()["history"]
    assert history[-1]["quick_replies"] == ["clicky", "linear"]  # kept for a reload
    ev = await _post(shop, sid, text="Clicky")
    assert ev["confirm_required"][0]["arguments"]["variant_id"] == "kb-75-c"


@pytest.mark.parametrize(
    "action",
    [
        {"type": "details"},
        {"type": "compare", "product_ids": ["kb-75"]},
        {"type": "update_quantity", "product_id": "kb-75"},
        {"type": "fly", "product_id": "kb-75"},
        {"type": "details", "product_id": "kb-75", "extra": 1},
    ],
)
async def test_malformed_action_is_a_422(shop: httpx.AsyncClient, action: dict[str, Any]) -> None:
    sid = (await shop.post("/v1/sessions", json={})).json()["session_id"]
    r = await shop.post(f"/v1/sessions/{sid}/messages", json={"action": action})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"]


async def test_product_endpoint_serves_variants_for_pickers(shop: httpx.AsyncClient) -> None:
    r = await shop.get("/v1/products/hp-studio")
    assert r.status_code == 200
    finishes = [v["options"]["finish"] for v in r.json()["product"]["variants"]]
    assert finishes == ["matte black", "walnut"]
    assert (await shop.get("/v1/products/nope")).json()["error"]["code"] == "product_not_found"


async def test_a_look_is_added_in_one_confirmed_step(shop: httpx.AsyncClient) -> None:
    sid = (await shop.post("/v1/sessions", json={})).json()["session_id"]
    items = [
        {"product_id": "kb-65", "variant_id": "kb-65-l", "unit_price": "99.00"},
        {"product_id": "lamp-osprey", "unit_price": "45.00"},
    ]
    ev = await _post(shop, sid, action={"type": "add_look", "items": items})
    confirm = ev["confirm_required"][0]
    assert confirm["tool"] == "add_look_to_cart"
    assert (await shop.get("/v1/cart")).json()["lines"] == []
    r = await shop.post(
        f"/v1/sessions/{sid}/confirm",
        json={"confirmation_id": confirm["confirmation_id"], "approve": True},
    )
    assert _events(r.text)["message"][0]["text"] == "Added the look to your cart: 2 items."
    cart = (await shop.get("/v1/cart")).json()
    assert {(line["product_id"], line["variant_id"]) for line in cart["lines"]} == {
        ("kb-65", "kb-65-l"),
        ("lamp-osprey", None),
    }
    history = (await shop.get(f"/v1/sessions/{sid}")).json()["history"]
    assert history[0]["text"] == (
        "Add the look to my cart: Kestrel 65 Compact Keyboard, Osprey Desk Lamp"
    )


async def test_save_to_a_board_needs_no_confirmation(shop: httpx.AsyncClient) -> None:
    sid = (await shop.post("/v1/sessions", json={})).json()["session_id"]
    action = {"type": "save", "product_id": "hp-studio", "board": "studio"}
    ev = await _post(shop, sid, action=action)
    assert "confirm_required" not in ev
    assert [c["name"] for c in ev["tool_call"]] == ["save_to_board"]
    assert ev["message"][0]["text"].startswith("Saved Heron Studio Headphones to your studio board")
    history = (await shop.get(f"/v1/sessions/{sid}")).json()["history"]
    assert history[0]["text"] == "Save Heron Studio Headphones to my studio board"
