"""The API over the real AgentService (real catalog, stores, checkpointer, graph); only
the model is scripted, as an OpenAI-compatible server on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shopagent.agent.fake_openai import FakeOpenAIServer, FakeReply
from shopagent.api import create_app
from tests.api.helpers import ALICE, LiveServer, make_settings, parse_sse

SLOW_S = 8.0


@pytest.fixture
def slow_first_call() -> Iterator[FakeOpenAIServer]:
    """The first model call hangs for SLOW_S (the one the client walks away from); later
    calls search the catalog, then answer."""
    calls = {"n": 0}

    def respond(body: dict[str, Any]) -> FakeReply:
        calls["n"] += 1
        if calls["n"] == 1:
            return FakeReply(text="too late", delay_s=SLOW_S)
        if body["messages"][-1]["role"] == "tool":
            return FakeReply(text="Here you go.")
        return FakeReply(tool_calls=[("catalog_search", {"query": "shirt", "page_size": 3})])

    with FakeOpenAIServer(model="shop-lora", responder=respond) as server:
        yield server


def test_disconnect_mid_turn_then_the_session_carries_on(
    real_data_dir: Path, slow_first_call: FakeOpenAIServer
) -> None:
    settings = make_settings(
        real_data_dir, demo_catalog_size=60, local_base_url=slow_first_call.base_url
    )
    with (
        LiveServer(create_app(settings)) as server,
        httpx.Client(base_url=server.url, headers=ALICE, timeout=30) as client,
    ):
        sid = client.post("/v1/sessions", json={}).json()["session_id"]
        with client.stream(
            "POST", f"/v1/sessions/{sid}/messages", json={"text": "show me shirts"}
        ) as r:
            assert r.status_code == 200
            # One iterator, kept alive: dropping a half-read httpx line iterator closes
            # the connection, which is a disconnect of its own.
            lines = r.iter_lines()
            first = [next(lines) for _ in range(3)]
            assert "event: route" in first
            # Walk away only once the model call is under way.
            deadline = time.monotonic() + 20
            while not slow_first_call.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            assert slow_first_call.requests, "the model was never called"
        # Gone mid-turn (the model call is still running): the turn is cancelled.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if 'outcome="cancelled"' in client.get("/metrics").text:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the turn was not cancelled")

        # The next message is accepted and completes normally.
        r = client.post(f"/v1/sessions/{sid}/messages", json={"text": "shirts please"})
        assert r.status_code == 200, r.text
        events = parse_sse(r.text)
        assert [k for k, _ in events][-1] == "done"
        assert "error" not in [k for k, _ in events]
        assert next(d for k, d in events if k == "message")["text"] == "Here you go."
        assert next(d for k, d in events if k == "products")["products"]

        # The stored conversation is consistent: both messages, a final answer last.
        history = client.get(f"/v1/sessions/{sid}").json()["history"]
        users = [h["text"] for h in history if h["role"] == "user"]
        assert users == ["show me shirts", "shirts please"]
        assert history[-1]["role"] == "assistant" and history[-1]["text"] == "Here you go."
        # The abandoned model call's answer never reached the conversation.
        assert all(h["text"] != "too late" for h in history)
