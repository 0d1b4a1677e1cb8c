"""The chaos harness behind bench/chaos.py and the slow fault tests (tests/faults).

A real API process (the real AgentService on a small demo catalog, a scripted model on
loopback as the only fake) serves N concurrent shoppers. Each shopper loops: ask to add
one product, confirm, read the reply; sometimes it hangs up at a random byte offset of a
response. Meanwhile the injector kills the API process (SIGKILL or SIGTERM) and restarts
it, and freezes (SIGSTOP) or restarts Redis. Every write a shopper saw acknowledged (an
ok ``tool_result`` for ``add_to_cart``) must be in the cart exactly once at the end;
writes whose answer was cut off may or may not have happened, but never twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
_SERVER = (
    "from api import create_app; from api._serve import serve_app; "
    "from api._logging import configure_logging; from shopagent.settings import Settings; "
    "s = Settings(); configure_logging('WARNING'); serve_app(create_app(s), s)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def responder(body: dict[str, Any]) -> Any:
    """The scripted model: ``add {json}`` asks for that write, anything else gets text."""
    from shopagent.agent.fake_openai import FakeReply

    last = body["messages"][-1]
    content = last.get("content") or ""
    if isinstance(content, list):
        content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    if last.get("role") == "user" and content.startswith("add {"):
        return FakeReply(tool_calls=[("add_to_cart", json.loads(content[4:]))])
    if last.get("role") == "tool":
        return FakeReply(text="Done: it is in your cart.")
    if content.startswith("slow"):
        return FakeReply(text="That took a while.", delay_s=5)
    return FakeReply(text="Happy to help.", delay_s=random.random() * 0.3)


class ApiProcess:
    """``shopagent``'s API in its own process, to kill and restart."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.port = int(env["SHOPAGENT_PORT"])
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER], env=self.env, cwd=ROOT, stdout=out, stderr=out
        )

    async def ready(self, timeout_s: float = 120) -> float:
        """Seconds until /readyz answers 200 (raises after ``timeout_s``)."""
        start = time.monotonic()
        async with httpx.AsyncClient(timeout=2) as c:
            while time.monotonic() - start < timeout_s:
                with contextlib.suppress(httpx.HTTPError):
                    if (await c.get(f"{self.url}/healthz")).status_code == 200:
                        return time.monotonic() - start
                assert self.proc is not None and self.proc.poll() is None, "API died at start"
                await asyncio.sleep(0.1)
        raise TimeoutError("API did not start")

    def signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)

    async def wait(self, timeout_s: float = 60) -> None:
        until = time.monotonic() + timeout_s
        while self.proc is not None and self.proc.poll() is None:
            if time.monotonic() > until:
                self.proc.kill()
            await asyncio.sleep(0.05)


@dataclass
class Tally:
    acked: dict[str, int] = field(default_factory=dict)  # user -> acknowledged writes
    uncertain: dict[str, int] = field(default_factory=dict)  # writes whose answer was cut
    sessions: dict[str, set[str]] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    five_xx: list[str] = field(default_factory=list)
    unavailable_503: int = 0
    turns_ok: int = 0
    hangups: int = 0
    recoveries: list[float] = field(default_factory=list)


async def _stream(
    c: httpx.AsyncClient, url: str, body: dict[str, Any], key: str, cut_at: int | None
) -> tuple[int, list[tuple[str, dict[str, Any]]], bool]:
    """POST a turn; (status, events, cut): ``cut`` when we hung up at byte ``cut_at``."""
    events: list[tuple[str, dict[str, Any]]] = []
    seen = 0
    buf = ""
    async with c.stream("POST", url, json=body, headers={"Authorization": f"Bearer {key}"}) as r:
        if r.status_code != 200:
            await r.aread()
            return r.status_code, [], False
        async for chunk in r.aiter_text():
            seen += len(chunk)
            buf += chunk
            while "\n\n" in buf:
                block, buf = buf.split("\n\n", 1)
                kind = data = None
                for line in block.splitlines():
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        data = json.loads(line[6:])
                if kind and data is not None:
                    events.append((kind, data))
            if cut_at is not None and seen >= cut_at:
                return 200, events, True
    return 200, events, False


class Shopper:
    def __init__(self, n: int, api: ApiProcess, tally: Tally, product: dict[str, Any]) -> None:
        self.user, self.key = f"shopper-{n}", f"chaos-key-{n}"
        self.api, self.tally, self.product = api, tally, product
        self.sid: str | None = None
        self.rng = random.Random(n)
        tally.acked.setdefault(self.user, 0)
        tally.uncertain.setdefault(self.user, 0)
        tally.sessions.setdefault(self.user, set())

    def _count(self, status: int, what: str) -> None:
        self.tally.statuses[str(status)] = self.tally.statuses.get(str(status), 0) + 1
        if status == 503:
            self.tally.unavailable_503 += 1
        elif status >= 500:
            self.tally.five_xx.append(f"{what}: {status}")

    async def turn(
        self, c: httpx.AsyncClient, path: str, body: dict[str, Any], write: bool, cut: bool = True
    ) -> Any:
        cut_at = self.rng.randint(1, 1500) if cut and self.rng.random() < 0.25 else None
        status, events, cut = await _stream(
            c, f"{self.api.url}/v1/sessions/{self.sid}/{path}", body, self.key, cut_at
        )
        self._count(status, path)
        acked = any(k == "tool_result" and d.get("ok") for k, d in events)
        if write and acked:
            self.tally.acked[self.user] += 1
        elif write and status == 200 and not any(k == "done" for k, _ in events):
            self.tally.uncertain[self.user] += 1  # cut before the answer: may have happened
        if cut:
            self.tally.hangups += 1
        if status == 200 and any(k == "done" for k, _ in events):
            self.tally.turns_ok += 1
        return status, events

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=httpx.Timeout(30, connect=2)) as c:
            while not stop.is_set():
                try:
                    await self._one_round(c)
                except (httpx.HTTPError, OSError):
                    await asyncio.sleep(0.2)  # the API is down (killed): come back later

    async def _one_round(self, c: httpx.AsyncClient) -> None:
        auth = {"Authorization": f"Bearer {self.key}"}
        if self.sid is None:
            r = await c.post(f"{self.api.url}/v1/sessions", json={}, headers=auth)
            self._count(r.status_code, "create")
            if r.status_code == 201:
                self.sid = r.json()["session_id"]
                self.tally.sessions[self.user].add(self.sid)
            return
        add = {"text": "add " + json.dumps(self.product)}
        status, events = await self.turn(c, "messages", add, False)
        asks = [d for k, d in events if k == "confirm_required"]
        if status == 409 or status == 503:
            await asyncio.sleep(0.3)
            return
        if not asks:
            return
        # A write whose confirm request may have gone out counts as uncertain until acked.
        self.tally.uncertain[self.user] += 1
        status, events = await self.turn(
            c, "confirm", {"confirmation_id": asks[0]["confirmation_id"], "approve": True}, True
        )
        if any(k == "tool_result" and d.get("ok") for k, d in events):
            self.tally.uncertain[self.user] -= 1
        await self.turn(c, "messages", {"text": "thanks"}, False)


async def cart_quantity(api: ApiProcess, key: str) -> int:
    async with httpx.AsyncClient(timeout=10) as c:
        r = await c.get(f"{api.url}/v1/cart", headers={"Authorization": f"Bearer {key}"})
        r.raise_for_status()
        return sum(int(line["quantity"]) for line in r.json()["lines"])


async def listed_sessions(api: ApiProcess, key: str) -> set[str]:
    async with httpx.AsyncClient(timeout=10) as c:
        r = await c.get(f"{api.url}/v1/sessions", headers={"Authorization": f"Bearer {key}"})
        r.raise_for_status()
        return {s["session_id"] for s in r.json()["sessions"]}


async def time_to_serve(api: ApiProcess, shopper: Shopper, limit_s: float = 60) -> float:
    """Seconds from now until the shopper's existing session completes a turn."""
    start = time.monotonic()
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, connect=2)) as c:
        while time.monotonic() - start < limit_s:
            with contextlib.suppress(httpx.HTTPError, OSError):
                status, events = await shopper.turn(
                    c, "messages", {"text": "hello again"}, False, cut=False
                )
                if status == 200 and events and events[-1][0] == "done":
                    return time.monotonic() - start
            await asyncio.sleep(0.1)
    return float("inf")
