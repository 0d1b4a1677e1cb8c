"""Against a real uvicorn on loopback: disconnects, request ids, logs, the page, ops routes."""

from __future__ import annotations

import logging
import time

import httpx

from tests.api.helpers import ALICE, parse_sse


def test_client_disconnect_cancels_the_turn_and_frees_the_session(live_factory) -> None:  # type: ignore[no-untyped-def]
    server = live_factory(model_delay_s=30.0)  # a model call that would outlive the test
    svc = server.app.state.service
    with httpx.Client(base_url=server.url, headers=ALICE, timeout=10) as client:
        sid = client.post("/v1/sessions", json={}).json()["session_id"]
        with client.stream("POST", f"/v1/sessions/{sid}/messages", json={"text": "shirts"}) as r:
            assert r.status_code == 200
            assert "content-length" not in r.headers  # streamed, not buffered
            first = next(r.iter_lines())  # arrives while the model call is still running
            assert first.startswith("id:") or first.startswith("event:")
        # The response is closed mid-turn: the model call must be cancelled promptly.
        deadline = time.monotonic() + 5
        while svc.cancelled_turns < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert svc.cancelled_turns == 1
        assert sid not in svc.running
        svc.model_delay_s = 0.0
        r = client.post(f"/v1/sessions/{sid}/messages", json={"text": "shirts again"})
        assert r.status_code == 200, r.text
        assert [k for k, _ in parse_sse(r.text)][-1] == "done"
        metrics = client.get("/metrics").text
        assert 'shopagent_turns_total{outcome="cancelled",tier="local"} 1.0' in metrics


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_request_id_and_logs_hold_no_message_text_or_keys(live_factory) -> None:  # type: ignore[no-untyped-def]
    # Our own handler on the "api" loggers: the server runs in another thread, where
    # pytest's caplog does not reliably see every record.
    collect = _Collect()
    api_logger = logging.getLogger("api")
    old_level = api_logger.level
    api_logger.addHandler(collect)
    api_logger.setLevel(logging.DEBUG)
    server = live_factory()
    secret_text = "my-private-question-4711"
    try:
        with httpx.Client(base_url=server.url, headers=ALICE) as client:
            sid = client.post("/v1/sessions", json={}).json()["session_id"]
            r = client.post(
                f"/v1/sessions/{sid}/messages",
                json={"text": secret_text},
                headers={"X-Request-ID": "req-abc.123"},
            )
            assert r.headers["x-request-id"] == "req-abc.123"
            generated = client.get("/v1/sessions").headers["x-request-id"]
            assert len(generated) == 16
            # An unsafe incoming id is replaced, not echoed into logs and headers.
            bad = client.get("/v1/sessions", headers={"X-Request-ID": "x" * 500}).headers
            assert bad["x-request-id"] != "x" * 500
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(
            getattr(rec, "route", "").endswith("/messages") for rec in collect.records
        ):
            time.sleep(0.02)
    finally:
        api_logger.removeHandler(collect)
        api_logger.setLevel(old_level)
    access = [rec for rec in collect.records if rec.name == "api.access"]
    turn = next(rec for rec in access if getattr(rec, "route", "").endswith("/messages"))
    assert turn.status == 200 and turn.user == "alice"  # type: ignore[attr-defined]
    assert turn.route == "/v1/sessions/{session_id}/messages"  # type: ignore[attr-defined]
    everything = " ".join(rec.getMessage() + str(vars(rec)) for rec in collect.records)
    assert secret_text not in everything
    assert "key-alice" not in everything


def test_json_log_lines_carry_the_request_id() -> None:
    from shopagent.api._logging import JsonFormatter, RequestIdFilter, request_id_var

    token = request_id_var.set("rid-1")
    try:
        record = logging.LogRecord("api.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
        RequestIdFilter().filter(record)
        import json

        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "rid-1" and line["msg"] == "GET /x"


def test_next_message_is_accepted_the_moment_done_arrives(live_factory) -> None:  # type: ignore[no-untyped-def]
    server = live_factory()
    with httpx.Client(base_url=server.url, headers=ALICE) as client:
        sid = client.post("/v1/sessions", json={}).json()["session_id"]
        for i in range(5):  # back to back, no pause: the lock is free before done is sent
            r = client.post(f"/v1/sessions/{sid}/messages", json={"text": f"shirts {i}"})
            assert r.status_code == 200, r.text
            assert [k for k, _ in parse_sse(r.text)][-1] == "done"


def test_ops_routes_and_page(live_factory) -> None:  # type: ignore[no-untyped-def]
    server = live_factory()
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["ready"] is True
        page = client.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "shopagent-dev-key" not in page.text  # not development
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert client.get("/static/app.js").status_code == 200
        assert client.get("/media/products/p-1.png").status_code == 404
        assert client.get("/media/products/../../etc/passwd").status_code == 404
        assert client.get("/media/uploads/x.png").status_code == 404  # uploads stay private


def test_readyz_is_503_when_redis_is_down(live_factory) -> None:  # type: ignore[no-untyped-def]
    from tests.api.helpers import free_port

    server = live_factory(state_backend="redis", redis_url=f"redis://127.0.0.1:{free_port()}/0")
    r = httpx.get(server.url + "/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["redis"]["ok"] is False


def test_redis_down_is_503_not_500(live_factory) -> None:  # type: ignore[no-untyped-def]
    from tests.api.helpers import free_port

    server = live_factory(state_backend="redis", redis_url=f"redis://127.0.0.1:{free_port()}/0")
    r = httpx.get(server.url + "/v1/sessions", headers=ALICE)
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "unavailable"
    assert r.headers["retry-after"] == "1"


def test_dev_page_carries_the_dev_key(live_factory) -> None:  # type: ignore[no-untyped-def]
    server = live_factory(environment="development", dev_api_key='k"<x')
    page = httpx.get(server.url + "/").text
    assert '<meta name="shopagent-dev-key" content="k&quot;&lt;x">' in page
