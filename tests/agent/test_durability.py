"""Kill the worker process (SIGKILL) in the middle of a turn and resume the thread:
the turn completes, nothing confirmed is lost, no write happens twice."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from shopagent.agent.fake_openai import FakeOpenAIServer, FakeReply

WORKER = Path(__file__).with_name("durability_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def _env(settings: Any, model_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPAGENT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        SHOPAGENT_DATA_DIR=str(settings.data_dir),
        SHOPAGENT_STATE_BACKEND=settings.state_backend,
        SHOPAGENT_REDIS_URL=settings.redis_url,
        SHOPAGENT_LOCAL_BASE_URL=model_url,
        SHOPAGENT_MODEL_MAX_RETRIES="0",
        SHOPAGENT_LOCAL_TIMEOUT_S="60",
    )
    return env


def _run(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, str(WORKER), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("backend", ["redis", "sqlite"])
def test_sigkill_mid_turn_then_resume(
    agent_settings: Any, backend: str, pick_product: Any, small_catalog_dir: Path
) -> None:
    # the worker processes open their own copy of the catalog index
    shutil.copytree(small_catalog_dir, agent_settings.data_dir)
    with FakeOpenAIServer(model="shop-lora") as model:
        env = _env(agent_settings, model.base_url)
        from shopagent.retrieval import open_catalog

        catalog = open_catalog(agent_settings)
        pid, opts = pick_product(catalog)
        catalog.close()

        model.push(FakeReply(tool_calls=[("add_to_cart", {"product_id": pid, **opts})]))
        # The confirmed write runs, then the worker waits on the model: kill it there.
        waiting = threading.Event()
        model.push(FakeReply(text="never delivered", delay_s=60))
        model.on_request = lambda body: waiting.set() if len(model.requests) == 2 else None
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), "add", "add the first one"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert waiting.wait(90), proc.communicate(timeout=5)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        sid = lines[0]["session_id"]
        assert any(e.get("type") == "tool_result" and e["ok"] for e in lines)  # write ran
        model.on_request = None
        model.script.clear()

        model.push(FakeReply(text="Added it to your cart."))
        resumed = _run(env, "resume", sid)
        first = [e for e in resumed if e.get("attempt") == 1]
        assert [e["type"] for e in first][-2:] == ["message", "done"]
        assert first[-2]["text"] == "Added it to your cart."
        assert not [e for e in resumed if e.get("attempt") == 2]  # nothing left to resume
        # the confirmed write survived the crash and ran exactly once
        cart = resumed[-1]["cart"]
        assert [(line["product_id"], line["quantity"]) for line in cart["lines"]] == [(pid, 1)]


async def collect(stream: Any) -> list[Any]:
    return [e async for e in stream]


async def test_replaying_the_tool_step_does_not_write_twice(
    service_factory: Any, fake_model: FakeOpenAIServer, pick_product: Any
) -> None:
    """Re-run the tool node from the checkpoint before it (what a crash between the write
    and the checkpoint amounts to): the idempotency key makes the write a no-op."""
    svc = await service_factory(local_base_url=fake_model.base_url)
    pid, opts = pick_product(svc.catalog)
    sid = (await svc.sessions.create_session("alice")).session_id
    fake_model.push(
        FakeReply(tool_calls=[("add_to_cart", {"product_id": pid, **opts})]),
        FakeReply(text="ok"),
        FakeReply(text="ok again"),
    )
    ask = (await collect(svc.stream_turn(user_id="alice", session_id=sid, text="add")))[-2]
    await collect(
        svc.stream_confirm(
            user_id="alice", session_id=sid, confirmation_id=ask.confirmation_id, approve=True
        )
    )
    config = {"configurable": {"thread_id": sid, "user_id": "alice"}}
    before_tools = None
    async for snap in svc.graph.aget_state_history(config):
        if snap.next == ("tools",):
            before_tools = snap
            break
    assert before_tools is not None
    replay = {"configurable": {**before_tools.config["configurable"], "user_id": "alice"}}
    async for _ in svc.graph.astream(None, replay, stream_mode="updates"):
        pass
    cart = await svc.get_cart(user_id="alice")
    assert [(line["product_id"], line["quantity"]) for line in cart["lines"]] == [(pid, 1)]
