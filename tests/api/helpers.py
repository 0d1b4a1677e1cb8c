"""Helpers for the API tests: settings with two users, an SSE parser, a client wrapper,
a real uvicorn server on a loopback port."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from shopagent.api._scripted import ScriptedAgentService
from shopagent.api.deps import hash_key
from shopagent.settings import Settings

ALICE = {"Authorization": "Bearer key-alice"}
BOB = {"Authorization": "Bearer key-bob"}


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "environment": "test",
        "data_dir": data_dir,
        "api_keys": {hash_key("key-alice"): "alice", hash_key("key-bob"): "bob"},
        "rate_limit_per_minute": 10_000,
        "auth_failures_per_minute": 10_000,
    }
    base.update(overrides)
    return Settings(**base)


def parse_sse(raw: str) -> list[tuple[str, dict[str, Any]]]:
    """(event type, data) pairs from a text/event-stream body; comments skipped."""
    out = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        kind, data = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if kind and data:
            out.append((kind, json.loads("\n".join(data))))
    return out


class Api:
    """An in-process client plus handles on the app and its scripted service."""

    def __init__(self, app: Any, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client

    @property
    def service(self) -> ScriptedAgentService:
        return self.app.state.service  # type: ignore[no-any-return]

    async def new_session(self, headers: dict[str, str] = ALICE) -> str:
        r = await self.client.post("/v1/sessions", json={}, headers=headers)
        assert r.status_code == 201, r.text
        return str(r.json()["session_id"])

    async def turn(
        self, session_id: str, text: str, headers: dict[str, str] = ALICE, **extra: Any
    ) -> list[tuple[str, dict[str, Any]]]:
        r = await self.client.post(
            f"/v1/sessions/{session_id}/messages", json={"text": text, **extra}, headers=headers
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/event-stream")
        return parse_sse(r.text)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, app: Any) -> None:
        import uvicorn

        self.app = app
        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
