"""Boards on the real stores (SQLite and Redis) through the tools, and the read-only
share link over the real API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from shopagent.errors import ToolError
from shopagent.tools._registry import ToolContext, ToolRegistry
from shopagent.tools.discovery import DISCOVERY_TOOLS
from shopagent.tools.stores import Stores

REG = ToolRegistry(DISCOVERY_TOOLS)


async def call(ctx: ToolContext, name: str, args: dict[str, Any]) -> Any:
    t = REG.get(name)
    parsed = t.parse_args(args)
    await t.check(ctx, parsed)
    return await t(ctx, parsed)


def _ctx(demo, stores: Stores, user: str) -> ToolContext:
    cat, settings = demo
    return ToolContext(
        user_id=user,
        session_id="s",
        catalog=cat,
        stores=stores.commerce,
        settings=settings,
        idempotency_key="k",
    )


def _ids(cat: Any, category: str, n: int) -> list[str]:
    return [p.id for p in cat.search("", {"category": category, "in_stock": True}, 1, n).products]


async def test_save_open_more_like_remove_share(demo, both) -> None:
    cat, _ = demo
    ann, bo = _ctx(demo, both, "ann"), _ctx(demo, both, "bo")
    dresses, lamps = _ids(cat, "Dresses", 3), _ids(cat, "Lamps", 1)
    for pid in dresses:
        out = await call(
            ann, "save_to_board", {"product_id": pid, "request": "save this to my Wedding board"}
        )
    assert out["board"] == "Wedding" and out["count"] == 3
    again = await call(ann, "save_to_board", {"product_id": dresses[0], "board": "wedding "})
    assert again["count"] == 3  # same board whatever the case; no duplicate
    await call(ann, "save_to_board", {"product_id": lamps[0]})  # the default board
    listed = await call(ann, "list_boards", {})
    assert {(b["name"], b["count"]) for b in listed["boards"]} == {
        ("Wedding", 3),
        ("favourites", 1),
    }
    opened = await call(ann, "open_board", {"board": "wedding"})
    assert [c["id"] for c in opened["products"]] == dresses
    # Boards are per user.
    assert (await call(bo, "list_boards", {}))["boards"] == []
    with pytest.raises(ToolError) as err:
        await call(bo, "open_board", {"board": "wedding"})
    assert err.value.code == "not_found"

    near = await call(ann, "more_like_board", {"board": "wedding", "limit": 8})
    ids = [c["id"] for c in near["products"]]
    assert ids and not set(ids) & set(dresses)
    assert sum("Dresses" in c["category"] for c in near["products"]) >= len(ids) // 2

    removed = await call(ann, "remove_from_board", {"board": "wedding", "product_id": dresses[1]})
    assert removed["count"] == 2

    shared = await call(ann, "share_board", {"request": "share my wedding board"})
    token = shared["token"]
    assert shared["link"].endswith(token)
    view = await both.commerce.board_by_token(token)
    assert view is not None and [i.product_id for i in view.items] == [dresses[0], dresses[2]]
    await call(ann, "share_board", {"board": "wedding", "revoke": True})
    assert await both.commerce.board_by_token(token) is None

    # Deleting a board is confirmed first (a write), and ends it.
    tool = REG.get("delete_board")
    assert tool.writes and "Wedding" in tool.describe_write(  # type: ignore[misc]
        tool.parse_args({"board": "Wedding"}), cat
    )
    await call(ann, "delete_board", {"board": "wedding"})
    assert [b["name"] for b in (await call(ann, "list_boards", {}))["boards"]] == ["favourites"]
    await both.commerce.delete_user_data("ann")
    assert await both.commerce.list_boards("ann") == []


async def test_board_saves_teach_taste(demo, both) -> None:
    cat, _ = demo
    ann = _ctx(demo, both, "ann")
    product = cat.get_product(_ids(cat, "Handbags", 1)[0])
    await call(ann, "save_to_board", {"product_id": product.id, "board": "bags"})
    await call(ann, "save_to_board", {"product_id": product.id, "board": "more bags"})
    shown = await call(ann, "show_profile", {})
    assert product.brand in shown["likes"]["brand"]


async def test_shared_link_over_the_api(demo, tmp_path: Path) -> None:
    from shopagent.agent.service import AgentService
    from shopagent.api import create_app
    from tests.api.helpers import make_settings

    cat, _ = demo
    settings = make_settings(tmp_path)
    app = create_app(
        settings, open_service=lambda s: AgentService.open(s, catalog=cat, embedded=None)
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        svc = app.state.service
        ctx = ToolContext(
            user_id="alice", session_id="s", catalog=cat, stores=svc.deps.stores, settings=settings
        )
        pid = _ids(cat, "Sofas", 1)[0]
        await call(ctx, "save_to_board", {"product_id": pid, "board": "living room"})
        link = (await call(ctx, "share_board", {"board": "living room"}))["link"]
        r = await client.get(link)  # no API key: the token is the permission
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["name"] == "living room" and [p["id"] for p in body["products"]] == [pid]
        assert "alice" not in r.text
        r = await client.get("/v1/boards/shared/not-a-token")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_order_baskets_span_users_on_both_stores(both) -> None:
    from decimal import Decimal

    from shopagent.tools.stores import CartLine, Order

    for user, ids in (("ann", ["a", "b"]), ("bo", ["c", "d", "c"]), ("cy", ["e"])):
        order = Order(
            order_id=f"o-{user}",
            user_id=user,
            total=Decimal("3.00"),
            lines=[CartLine(product_id=i, title=i, unit_price=Decimal("1.00")) for i in ids],
        )

        async def put(txn, order=order):  # type: ignore[no-untyped-def]
            txn.put_order(order)
            return {}

        await both.commerce.write_once(user, "k", put)
    baskets = sorted(await both.commerce.order_baskets())
    assert baskets == [["a", "b"], ["c", "d"]]  # single-product orders teach nothing
