"""A data folder whose disk is full: the service says so (503 / an error event with
``storage_unavailable``), writes nothing half, reads still work, and it recovers by itself
when space is back. SQLite's "database or disk is full" is produced for real: the
connection's page cap is lowered to the database's size and the last pages filled."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shopagent.agent.fake_openai import FakeOpenAIServer, FakeReply
from shopagent.api import create_app
from tests.api.helpers import ALICE, make_settings, parse_sse


@pytest.fixture
def model() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(model="shop-lora", responder=lambda body: FakeReply(text="Hi!")) as s:
        yield s


async def _fill(conn: Any) -> None:
    """Cap the database at its size and fill the sessions table's pages to the brim (rows of
    shrinking size at random keys, until each size fails 40 times in a row): from then on
    a new session or a touched one needs a page there is no room for, SQLITE_FULL, which is
    what SQLite answers on a full disk."""
    (pages,) = (await conn.execute_fetchall("PRAGMA page_count"))[0]
    await conn.execute(f"PRAGMA max_page_count = {pages + 4}")
    for size in (3000, 600, 120, 24):
        misses = 0
        while misses < 40:
            try:
                await conn.execute(
                    "INSERT INTO sessions VALUES (hex(randomblob(16)), 'ballast', "
                    "hex(zeroblob(?)), 0)",
                    (size // 2,),
                )
                misses = 0
            except sqlite3.OperationalError as exc:
                assert "full" in str(exc)
                misses += 1


async def test_a_full_disk_is_told_and_survived(real_data_dir: Path, model: Any) -> None:
    settings = make_settings(real_data_dir, demo_catalog_size=60, local_base_url=model.base_url)
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=ALICE
        ) as client,
    ):
        sid = (await client.post("/v1/sessions", json={})).json()["session_id"]
        db = app.state.service.sessions._db.conn
        await _fill(db)

        created = await client.post("/v1/sessions", json={})
        assert created.status_code == 503, created.text
        assert created.json()["error"]["code"] == "storage_unavailable"
        assert int(created.headers["Retry-After"]) > 0

        turn = await client.post(f"/v1/sessions/{sid}/messages", json={"text": "hello"})
        assert turn.status_code == 200
        events = parse_sse(turn.text)
        errors = [data for kind, data in events if kind == "error"]
        assert [e["code"] for e in errors] == ["storage_unavailable"]
        assert "try again" in errors[0]["message"]
        assert events[-1][0] == "done"

        listed = await client.get("/v1/sessions")  # reads go on
        assert listed.status_code == 200
        assert [s["session_id"] for s in listed.json()["sessions"]] == [sid]

        await db.execute("PRAGMA max_page_count = 1073741823")  # space is back
        again = await client.post("/v1/sessions", json={})
        assert again.status_code == 201
        turn = await client.post(f"/v1/sessions/{sid}/messages", json={"text": "hello"})
        assert [k for k, _ in parse_sse(turn.text)][-2:] == ["message", "done"]
