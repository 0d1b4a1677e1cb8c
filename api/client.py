"""A small synchronous client for the HTTP API (used by ``shopagent chat``).

client = ShopAgentClient("http://127.0.0.1:8000", api_key)
sid = client.create_session()
for kind, data in client.send(sid, "linen shirts"):
    ...
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


def _raise_for(r: httpx.Response) -> None:
    if r.is_success:
        return
    try:
        err = r.json()["error"]
        code, message = err["code"], err["message"]
    except Exception:
        code, message = f"http_{r.status_code}", r.text[:200]
    raise ApiError(r.status_code, code, message)


def iter_sse(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    kind, data = "message", list[str]()
    for line in lines:
        if not line:
            if data:
                yield kind, json.loads("\n".join(data))
            kind, data = "message", []
        elif line.startswith(":"):
            continue  # keep-alive comment
        elif line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    if data:
        yield kind, json.loads("\n".join(data))


class ShopAgentClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout_s: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            transport=transport,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=httpx.Timeout(timeout_s, connect=10.0),
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ShopAgentClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def create_session(self, title: str | None = None) -> str:
        r = self.http.post("/v1/sessions", json={"title": title} if title else {})
        _raise_for(r)
        return str(r.json()["session_id"])

    def list_sessions(self) -> list[dict[str, Any]]:
        r = self.http.get("/v1/sessions")
        _raise_for(r)
        return list(r.json()["sessions"])

    def cart(self) -> dict[str, Any]:
        r = self.http.get("/v1/cart")
        _raise_for(r)
        return dict(r.json())

    def upload_image(self, path: Path) -> str:
        with open(path, "rb") as f:
            r = self.http.post("/v1/images", files={"file": (path.name, f)})
        _raise_for(r)
        return str(r.json()["image_id"])

    def _stream(self, path: str, body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        with self.http.stream("POST", path, json=body) as r:
            if not r.is_success:
                r.read()
                _raise_for(r)
            yield from iter_sse(r.iter_lines())

    def send(
        self, session_id: str, text: str, image_id: str | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        return self._stream(
            f"/v1/sessions/{session_id}/messages", {"text": text, "image_id": image_id}
        )

    def confirm(
        self, session_id: str, confirmation_id: str, approve: bool
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        return self._stream(
            f"/v1/sessions/{session_id}/confirm",
            {"confirmation_id": confirmation_id, "approve": approve},
        )
