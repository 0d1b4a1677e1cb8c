"""Sessions, auth and ownership: what a client sees through the HTTP API."""

from __future__ import annotations

from tests.api.helpers import ALICE, BOB, Api


async def test_session_lifecycle(api: Api) -> None:
    r = await api.client.post("/v1/sessions", json={"title": "Shirts"}, headers=ALICE)
    assert r.status_code == 201
    sid = r.json()["session_id"]
    assert r.json()["title"] == "Shirts"

    listed = (await api.client.get("/v1/sessions", headers=ALICE)).json()["sessions"]
    assert [s["session_id"] for s in listed] == [sid]

    await api.turn(sid, "linen shirts")
    detail = (await api.client.get(f"/v1/sessions/{sid}", headers=ALICE)).json()
    assert [h["role"] for h in detail["history"]] == ["user", "assistant"]
    assert detail["history"][0]["text"] == "linen shirts"
    assert detail["history"][1]["products"][0]["id"] == "p-00001"
    assert detail["pending_confirmation"] is None

    assert (await api.client.delete(f"/v1/sessions/{sid}", headers=ALICE)).status_code == 204
    assert (await api.client.get(f"/v1/sessions/{sid}", headers=ALICE)).status_code == 404
    assert (await api.client.get("/v1/sessions", headers=ALICE)).json()["sessions"] == []


async def test_session_without_body_gets_default_title(api: Api) -> None:
    r = await api.client.post("/v1/sessions", headers=ALICE)
    assert r.status_code == 201
    assert r.json()["title"] == "New conversation"


async def test_other_users_session_is_indistinguishable_from_missing(api: Api) -> None:
    sid = await api.new_session(ALICE)
    missing = await api.client.get("/v1/sessions/s-doesnotexist", headers=BOB)
    foreign = await api.client.get(f"/v1/sessions/{sid}", headers=BOB)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert foreign.json()["error"]["code"] == "session_not_found"

    for method, path, body in [
        ("POST", f"/v1/sessions/{sid}/messages", {"text": "hi"}),
        ("POST", f"/v1/sessions/{sid}/confirm", {"confirmation_id": "c-1", "approve": True}),
        ("DELETE", f"/v1/sessions/{sid}", None),
    ]:
        r = await api.client.request(method, path, json=body, headers=BOB)
        assert r.status_code == 404, (method, path, r.text)
    # Bob's attempts changed nothing for Alice.
    assert (await api.client.get(f"/v1/sessions/{sid}", headers=ALICE)).status_code == 200
    assert (await api.client.get("/v1/sessions", headers=BOB)).json()["sessions"] == []


async def test_missing_or_wrong_key_is_401_with_error_body(api: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        r = await api.client.get("/v1/sessions", headers=headers)
        assert r.status_code == 401, headers
        assert r.json()["error"]["code"] == "unauthorized"
        assert r.headers["www-authenticate"] == "Bearer"


async def test_dev_key_maps_to_dev_user_in_development(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = await api_factory(environment="development", dev_api_key="dev-secret")
    r = await api.client.post(
        "/v1/sessions", json={}, headers={"Authorization": "Bearer dev-secret"}
    )
    assert r.status_code == 201
    assert (await api.service.sessions.list_sessions("dev"))[0].session_id == r.json()["session_id"]


async def test_cart_and_tools(api: Api) -> None:
    cart = (await api.client.get("/v1/cart", headers=ALICE)).json()
    assert cart == {
        "lines": [],
        "item_count": 0,
        "total": "0.00",
        "savings": None,
        "currency": "USD",
    }
    tools = (await api.client.get("/v1/tools", headers=ALICE)).json()["tools"]
    add = next(t for t in tools if t["name"] == "add_to_cart")
    assert add["writes"] is True
    assert "properties" in add["parameters"]
