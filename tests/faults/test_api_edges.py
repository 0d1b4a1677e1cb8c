"""Faults at the HTTP edge: invalid text, other users' uploads, a failing data folder,
exposure in production, key guessing, a busy session's Retry-After, shutdown."""

from __future__ import annotations

import asyncio
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from shopagent.api._stream import Drain
from tests.api.helpers import ALICE, BOB, parse_sse


def _png(color: tuple[int, int, int] = (10, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, format="PNG")
    return buf.getvalue()


async def test_lone_surrogates_are_a_422_with_a_code(api: Any) -> None:
    sid = await api.new_session()
    for raw in ('{"text": "red \\ud800 sneakers"}', '{"text": "tent\\u0000poles"}'):
        r = await api.client.post(
            f"/v1/sessions/{sid}/messages",
            content=raw,
            headers={**ALICE, "Content-Type": "application/json"},
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "invalid_text"
    # a first message's text names the session: a bad title is refused the same way
    r = await api.client.post(
        "/v1/sessions",
        content='{"title": "garden \\udfff hoses"}',
        headers={**ALICE, "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_text", r.text
    # real text in any script, emoji (surrogate pairs in JSON) and newlines still work
    events = await api.turn(sid, "Wanderschuhe \U0001f97e größe 44\nbitte")
    assert events[-1][0] == "done" and all(k != "error" for k, _ in events)


async def test_another_users_upload_is_indistinguishable_from_a_missing_one(api: Any) -> None:
    up = await api.client.post(
        "/v1/images", files={"file": ("a.png", _png(), "image/png")}, headers=ALICE
    )
    assert up.status_code == 201, up.text
    image_id = up.json()["image_id"]
    sid_bob = await api.new_session(BOB)
    theirs = await api.client.post(
        f"/v1/sessions/{sid_bob}/messages", json={"text": "", "image_id": image_id}, headers=BOB
    )
    missing = await api.client.post(
        f"/v1/sessions/{sid_bob}/messages",
        json={"text": "", "image_id": "0" * 64 + ".png"},
        headers=BOB,
    )
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    # the owner may use it; bob uploading the same bytes gets access of his own
    sid_alice = await api.new_session()
    events = await api.turn(sid_alice, "", image_id=image_id)
    assert events[-1][0] == "done"
    again = await api.client.post(
        "/v1/images", files={"file": ("b.png", _png(), "image/png")}, headers=BOB
    )
    assert again.json()["image_id"] == image_id
    events = await api.turn(sid_bob, "", headers=BOB, image_id=image_id)
    assert events[-1][0] == "done"


def _read_only(folder: Path) -> Any:
    """Bind-mount ``folder`` read-only onto itself (skips where mounting is not allowed)."""
    ok = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if ok.returncode != 0:
        pytest.skip("cannot bind-mount here (needs root in a mount namespace)")
    subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
    return lambda: subprocess.run(["umount", str(folder)], check=True)


async def test_read_only_data_folder_is_a_clear_503_and_not_ready(api: Any, data_dir: Path) -> None:
    assert (await api.client.get("/readyz")).status_code in (200, 503)
    undo = _read_only(data_dir)
    try:
        r = await api.client.post(
            "/v1/images", files={"file": ("a.png", _png((1, 2, 3)), "image/png")}, headers=ALICE
        )
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "storage_unavailable"
        assert "Retry-After" in r.headers
    finally:
        undo()


async def test_readiness_reports_a_read_only_state_folder(
    service_factory: Any, agent_settings: Any
) -> None:
    svc = await service_factory()
    assert (await svc.readiness())["state"]["ok"]
    undo = _read_only(agent_settings.data_dir)
    try:
        state = (await svc.readiness())["state"]
        assert state == {"ok": False, "detail": "data folder not writable"}
    finally:
        undo()


async def test_production_hides_docs_metrics_and_internals(api_factory: Any) -> None:
    api = await api_factory(environment="production")
    for path in ("/docs", "/openapi.json", "/redoc", "/metrics"):
        assert (await api.client.get(path)).status_code == 404, path
    ready = await api.client.get("/readyz")
    for check in ready.json()["checks"].values():
        assert check["detail"] in ("ok", "failing")
    guarded = await api_factory(environment="production", metrics_token="s3cret-metrics")
    assert (await guarded.client.get("/metrics")).status_code == 401
    ok = await guarded.client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"})
    assert ok.status_code == 200 and "shopagent_" in ok.text
    dev = await api_factory()
    assert (await dev.client.get("/openapi.json")).status_code == 200


async def test_guessing_keys_is_braked(api_factory: Any) -> None:
    api = await api_factory(auth_failures_per_minute=3)
    codes = [
        (
            await api.client.get("/v1/sessions", headers={"Authorization": f"Bearer guess-{i}"})
        ).status_code
        for i in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]
    # while braked, even the right key is not told apart from a wrong one
    r = await api.client.get("/v1/sessions", headers=ALICE)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


async def test_a_busy_session_says_when_to_retry(api_factory: Any) -> None:
    api = await api_factory(model_delay_s=1.0)
    sid = await api.new_session()
    first = asyncio.create_task(api.turn(sid, "kettles"))
    await asyncio.sleep(0.3)
    r = await api.client.post(f"/v1/sessions/{sid}/messages", json={"text": "x"}, headers=ALICE)
    assert r.status_code == 409 and r.json()["error"]["code"] == "turn_in_progress"
    assert int(r.headers["Retry-After"]) >= 1
    await first


async def test_draining_refuses_new_turns_and_ends_running_ones(api_factory: Any) -> None:
    api = await api_factory(model_delay_s=30.0, shutdown_grace_s=1.5)
    sid = await api.new_session()
    running = asyncio.create_task(api.turn(sid, "slow kettles"))
    await asyncio.sleep(0.3)
    drain: Drain = api.app.state.drain
    drain.begin(asyncio.get_running_loop())
    other = await api.new_session(BOB)
    r = await api.client.post(f"/v1/sessions/{other}/messages", json={"text": "x"}, headers=BOB)
    assert r.status_code == 503 and r.json()["error"]["code"] == "shutting_down"
    events = await asyncio.wait_for(running, 10)
    kinds = [k for k, _ in events]
    assert kinds[-2:] == ["error", "done"] and events[-2][1]["code"] == "shutting_down"
    assert (await api.client.get("/readyz")).status_code == 503


def test_sse_parser_is_shared() -> None:  # keeps the helper import honest for mypy/ruff
    assert parse_sse("event: done\ndata: {}\n\n") == [("done", {})]
