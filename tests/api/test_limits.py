"""Bad and oversized input: always a 4xx with {"error": {"code", "message"}}."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib

import pytest

from tests.api.helpers import ALICE, BOB, Api


def png(width: int = 8, height: int = 8, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return buf.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny file whose header claims width x height pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def assert_error(r, status: int, code: str | None = None) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    if code is not None:
        assert body["error"]["code"] == code


async def test_malformed_json_is_422(api: Api) -> None:
    sid = await api.new_session()
    r = await api.client.post(
        f"/v1/sessions/{sid}/messages",
        content=b'{"text": ',
        headers={**ALICE, "Content-Type": "application/json"},
    )
    assert_error(r, 422, "invalid_json")
    r = await api.client.post(f"/v1/sessions/{sid}/messages", json={"text": 5}, headers=ALICE)
    assert_error(r, 422, "validation_error")
    assert "text" in r.json()["error"]["message"]


async def test_wrong_media_type_is_415(api: Api) -> None:
    sid = await api.new_session()
    r = await api.client.post(
        f"/v1/sessions/{sid}/messages",
        content=b"text=hi",
        headers={**ALICE, "Content-Type": "text/plain"},
    )
    assert_error(r, 415, "unsupported_media_type")
    r = await api.client.post("/v1/images", json={"file": "x"}, headers=ALICE)
    assert_error(r, 415, "unsupported_media_type")


async def test_message_limits(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = await api_factory(max_message_chars=50)
    sid = await api.new_session()
    r = await api.client.post(
        f"/v1/sessions/{sid}/messages", json={"text": "x" * 51}, headers=ALICE
    )
    assert_error(r, 422, "message_too_long")
    r = await api.client.post(f"/v1/sessions/{sid}/messages", json={"text": "  "}, headers=ALICE)
    assert_error(r, 422, "empty_message")
    assert [k for k, _ in await api.turn(sid, "x" * 50)][-1] == "done"


async def test_oversize_body_is_413_declared_or_chunked(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = await api_factory(max_body_bytes=1000)
    sid = await api.new_session()
    big = b'{"text": "' + b"x" * 2000 + b'"}'
    r = await api.client.post(
        f"/v1/sessions/{sid}/messages",
        content=big,
        headers={**ALICE, "Content-Type": "application/json"},
    )
    assert_error(r, 413, "payload_too_large")

    async def chunked():  # no Content-Length: counted as it arrives
        for _ in range(10):
            yield b"x" * 300

    r = await api.client.post(
        f"/v1/sessions/{sid}/messages",
        content=chunked(),
        headers={**ALICE, "Content-Type": "application/json"},
    )
    assert_error(r, 413, "payload_too_large")


async def test_unknown_path_and_method(api: Api) -> None:
    assert_error(await api.client.get("/v1/nope", headers=ALICE), 404, "not_found")
    assert_error(await api.client.put("/v1/sessions", headers=ALICE), 405, "method_not_allowed")


async def test_image_upload_and_visual_search(api: Api) -> None:
    data = png()
    r = await api.client.post(
        "/v1/images", files={"file": ("x.png", data, "image/png")}, headers=ALICE
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["media_type"] == "image/png" and (body["width"], body["height"]) == (8, 8)
    sid = await api.new_session()
    events = await api.turn(sid, "", image_id=body["image_id"])
    assert next(d for k, d in events if k == "tool_call")["name"] == "visual_search"

    r = await api.client.post(
        f"/v1/sessions/{sid}/messages",
        json={"text": "", "image_id": "0" * 64 + ".png"},
        headers=ALICE,
    )
    assert_error(r, 404, "image_not_found")


async def test_image_type_is_sniffed_not_trusted(api: Api) -> None:
    r = await api.client.post(
        "/v1/images",
        files={"file": ("cat.png", b"<svg>not a png</svg>", "image/png")},
        headers=ALICE,
    )
    assert_error(r, 415, "unsupported_image_type")
    # A real JPEG named .txt with a text content type is accepted as JPEG.
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, format="JPEG")
    r = await api.client.post(
        "/v1/images", files={"file": ("notes.txt", buf.getvalue(), "text/plain")}, headers=ALICE
    )
    assert r.status_code == 201 and r.json()["media_type"] == "image/jpeg"


async def test_image_size_pixels_and_damage(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = await api_factory(max_image_bytes=5000, max_image_pixels=10_000)
    big = png(60, 60) + b"\0" * 6000
    r = await api.client.post(
        "/v1/images", files={"file": ("a.png", big, "image/png")}, headers=ALICE
    )
    assert_error(r, 413, "image_too_large")
    bomb = png_header_only(50_000, 50_000)
    r = await api.client.post(
        "/v1/images", files={"file": ("b.png", bomb, "image/png")}, headers=ALICE
    )
    assert_error(r, 413, "image_too_many_pixels")
    damaged = png(20, 20)[:-30]
    r = await api.client.post(
        "/v1/images", files={"file": ("c.png", damaged, "image/png")}, headers=ALICE
    )
    assert_error(r, 400, "invalid_image")
    r = await api.client.post(
        "/v1/images", files={"file": ("d.png", b"", "image/png")}, headers=ALICE
    )
    assert_error(r, 400, "invalid_image")


async def test_rate_limit_in_process(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = await api_factory(rate_limit_per_minute=3)
    for _ in range(3):
        assert (await api.client.get("/v1/sessions", headers=ALICE)).status_code == 200
    r = await api.client.get("/v1/sessions", headers=ALICE)
    assert_error(r, 429, "rate_limited")
    assert 1 <= int(r.headers["retry-after"]) <= 21
    # Per user: Bob is not affected by Alice's burst.
    assert (await api.client.get("/v1/sessions", headers=BOB)).status_code == 200


@pytest.mark.parametrize("backend", ["redis"])
async def test_rate_limit_and_turn_lock_shared_through_redis(
    api_factory, redis_url: str, backend: str
) -> None:  # type: ignore[no-untyped-def]
    # Two app instances on one Redis behave like two API processes behind a balancer.
    a = await api_factory(
        state_backend=backend, redis_url=redis_url, rate_limit_per_minute=4, model_delay_s=0.6
    )
    b = await api_factory(state_backend=backend, redis_url=redis_url, rate_limit_per_minute=4)
    assert (await a.client.get("/v1/sessions", headers=ALICE)).status_code == 200
    assert (await b.client.get("/v1/sessions", headers=ALICE)).status_code == 200
    assert (await a.client.get("/v1/sessions", headers=ALICE)).status_code == 200
    assert (await b.client.get("/v1/sessions", headers=ALICE)).status_code == 200
    r = await a.client.get("/v1/sessions", headers=ALICE)
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["retry-after"]) >= 1

    # The turn lock: a turn running on instance A blocks the same session on B.
    sid = await a.new_session(BOB)
    b.service.sessions._sessions.update(a.service.sessions._sessions)  # a shared index
    first = asyncio.create_task(
        a.client.post(f"/v1/sessions/{sid}/messages", json={"text": "shirts"}, headers=BOB)
    )
    await asyncio.wait_for(a.service.model_call_started.wait(), 5)
    second = await b.client.post(f"/v1/sessions/{sid}/messages", json={"text": "x"}, headers=BOB)
    assert_error(second, 409, "turn_in_progress")
    assert (await first).status_code == 200
    # Released at the end of the turn: B may now run one.
    r = await b.client.post(f"/v1/sessions/{sid}/messages", json={"text": "x"}, headers=BOB)
    assert r.status_code == 200
