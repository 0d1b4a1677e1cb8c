"""Through the whole graph (AgentService, scripted model at the boundary) over a merchant
catalog: a missing option is asked for by its real name, the confirmation pins the
variant and its price, and a price change before the shopper's yes refuses the write."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopagent.agent.fake_openai import FakeOpenAIServer, FakeReply
from shopagent.retrieval import open_catalog
from shopagent.settings import Settings

FEED = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "catalogs"
    / "electronics"
    / "merchant_center.tsv"
)
KEYBOARD = "kestrel-k87-mechanical-keyboard"


@pytest.fixture
async def svc(tmp_path: Path) -> AsyncIterator[tuple[Any, FakeOpenAIServer]]:
    from shopagent.agent.service import AgentService

    settings = Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]
    catalog = open_catalog(settings)
    catalog.ingest_file(FEED)
    with FakeOpenAIServer(model="shop-lora") as fake:
        settings = settings.model_copy(update={"local_base_url": fake.base_url})
        async with AgentService.open(settings, catalog=catalog, embedded=None) as service:
            yield service, fake
    catalog.close()


async def run(stream: Any) -> list[Any]:
    return [e async for e in stream]


async def test_option_question_pinned_confirmation_and_price_change(svc: Any) -> None:
    service, fake = svc
    sid = (await service.sessions.create_session("alice")).session_id
    fake.push(
        FakeReply(
            tool_calls=[
                ("add_to_cart", {"product_id": KEYBOARD, "options": {"Switch Type": "clicky"}})
            ]
        ),
        FakeReply(text="Which backlight would you like?"),
    )
    events = await run(service.stream_turn(user_id="alice", session_id=sid, text="add it"))
    refused = next(e for e in events if e.type == "tool_result")
    assert refused.error_code == "option_required"
    # the model read the question with the merchant's option name and the values left
    tool_msg = fake.requests[1]["messages"][-1]["content"]
    assert "Backlight" in tool_msg and "none" in tool_msg and "RGB" in tool_msg

    options = {"switch type": "clicky", "backlight": "RGB", "layout": "full size"}
    fake.push(FakeReply(tool_calls=[("add_to_cart", {"product_id": KEYBOARD, "options": options})]))
    events = await run(service.stream_turn(user_id="alice", session_id=sid, text="RGB, full"))
    ask = events[-2]
    assert ask.type == "confirm_required"
    assert ask.arguments["variant_id"] == "CK001-CLICKY-RGB-FULLSI"
    assert (ask.arguments["unit_price"], ask.arguments["currency"]) == ("226.11", "USD")
    assert "clicky" in ask.summary and "RGB" in ask.summary and "226.11 USD" in ask.summary

    # the merchant re-prices that variant before the shopper says yes
    product = service.catalog.get_product(KEYBOARD)
    for v in product.variants:
        if v.id == "CK001-CLICKY-RGB-FULLSI":
            v.price = Decimal("249.99")
    service.catalog.ingest([product])
    events = await run(
        service.stream_confirm(
            user_id="alice", session_id=sid, confirmation_id=ask.confirmation_id, approve=True
        )
    )
    result = next(e for e in events if e.type == "tool_result")
    assert not result.ok and result.error_code == "price_changed"
    assert "249.99" in events[-2].text and "confirm again" in events[-2].text
    assert (await service.get_cart(user_id="alice"))["lines"] == []

    # asked again, the shopper confirms the new price: that price is what is written
    fake.push(
        FakeReply(tool_calls=[("add_to_cart", {"product_id": KEYBOARD, "options": options})]),
        FakeReply(text="Added."),
    )
    ask = (await run(service.stream_turn(user_id="alice", session_id=sid, text="yes add")))[-2]
    assert ask.arguments["unit_price"] == "249.99"
    await run(
        service.stream_confirm(
            user_id="alice", session_id=sid, confirmation_id=ask.confirmation_id, approve=True
        )
    )
    cart = await service.get_cart(user_id="alice")
    assert [(ln["variant_id"], ln["unit_price"]) for ln in cart["lines"]] == [
        ("CK001-CLICKY-RGB-FULLSI", "249.99")
    ]
    assert cart["total"] == "249.99"
