"""The OpenAI-compatible tier client against a real HTTP server speaking the protocol."""

import json

import pytest

from shopagent.agent.fake_openai import FakeOpenAIServer, FakeReply
from shopagent.agent.llm_policy import image_data_url
from shopagent.agent.models import ChatModel, ModelEndpoint
from shopagent.errors import ModelError


@pytest.fixture
def server():
    with FakeOpenAIServer(model="shop-lora") as s:
        yield s


def _model(server: FakeOpenAIServer, timeout: float = 5.0) -> ChatModel:
    return ChatModel(ModelEndpoint("local", server.base_url, "shop-lora", "k", timeout, 0))


async def test_streams_text_and_reports_usage(server: FakeOpenAIServer) -> None:
    server.push(FakeReply(text="Here are three red dresses.", tokens_in=120, tokens_out=9))
    deltas: list[str] = []
    reply = await _model(server).complete(
        [{"role": "user", "content": "hi"}], [], on_delta=deltas.append
    )
    assert reply.text == "Here are three red dresses."
    assert "".join(deltas) == reply.text and len(deltas) > 1
    assert (reply.tokens_in, reply.tokens_out) == (120, 9)
    assert server.requests[0]["model"] == "shop-lora"
    assert server.requests[0]["stream"] is True


async def test_tool_calls_are_assembled_from_the_stream(server: FakeOpenAIServer) -> None:
    server.push(
        FakeReply(
            tool_calls=[
                ("catalog_search", {"query": "red dress", "price_max": 50}),
                ("view_cart", {}),
            ]
        )
    )
    tools = [{"type": "function", "function": {"name": "catalog_search", "parameters": {}}}]
    reply = await _model(server).complete([{"role": "user", "content": "x"}], tools)
    assert [c.name for c in reply.tool_calls] == ["catalog_search", "view_cart"]
    assert json.loads(reply.tool_calls[0].arguments) == {"query": "red dress", "price_max": 50}
    assert server.requests[0]["tools"] == tools
    assert server.requests[0]["tool_choice"] == "auto"


async def test_images_travel_as_data_urls(server: FakeOpenAIServer) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    msg = {
        "role": "user",
        "content": [
            {"type": "text", "text": "like this"},
            {"type": "image_url", "image_url": {"url": image_data_url(png)}},
        ],
    }
    await _model(server).complete([msg], [])
    part = server.requests[0]["messages"][0]["content"][1]
    assert part["image_url"]["url"].startswith("data:image/png;base64,")


async def test_http_errors_and_timeouts_become_model_errors(server: FakeOpenAIServer) -> None:
    server.push(FakeReply(status=500))
    with pytest.raises(ModelError) as err:
        await _model(server).complete([{"role": "user", "content": "x"}], [])
    assert err.value.code == "model_http_error"
    server.push(FakeReply(text="late", delay_s=1.0))
    with pytest.raises(ModelError) as slow:
        await _model(server, timeout=0.2).complete([{"role": "user", "content": "x"}], [])
    assert slow.value.code == "model_timeout"


async def test_unreachable_endpoint_fails_fast_and_ping_says_so() -> None:
    model = ChatModel(ModelEndpoint("frontier", "http://127.0.0.1:9/v1", "m", "k", 2.0, 0))
    with pytest.raises(ModelError) as err:
        await model.complete([{"role": "user", "content": "x"}], [])
    assert err.value.code == "model_unreachable"
    ok, detail = await model.ping()
    assert not ok and "unreachable" in detail


async def test_ping_a_live_endpoint(server: FakeOpenAIServer) -> None:
    assert await _model(server).ping() == (True, "shop-lora")
