"""shopagent's tools over MCP: the official MCP client against the real service (real
catalog, stores; no model needed), over streamable HTTP on loopback and over stdio."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from shopagent.api import create_app
from shopagent.api.deps import hash_key
from tests.api.helpers import LiveServer, make_settings

ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def mcp_http(url: str, key: str) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


async def call(client: Client, name: str, args: dict[str, Any]) -> tuple[bool, Any]:
    res = await client.call_tool(name, args)
    return res.is_error, res.structured_content


def _buyable(product: dict[str, Any]) -> dict[str, Any]:
    return next(v for v in product["variants"] if v.get("available", True))


async def test_tools_over_http_with_confirmation_and_user_scope(real_data_dir: Path) -> None:
    settings = make_settings(real_data_dir, demo_catalog_size=60)
    with LiveServer(create_app(settings)) as server:
        url = f"{server.url}/mcp"
        async with mcp_http(url, "key-alice") as alice:
            names = {t.name for t in (await alice.list_tools()).tools}
            assert {
                "catalog_search",
                "get_product",
                "compare_products",
                "add_to_cart",
                "view_cart",
                "checkout",
                "order_status",
                "confirm_write",
            } <= names

            err, found = await call(alice, "catalog_search", {"query": "shoes", "page_size": 4})
            assert not err and found["products"], found
            pid = found["products"][0]["id"]
            err, detail = await call(alice, "get_product", {"product_id": pid})
            assert not err
            variant = _buyable(detail["product"])

            err, proposal = await call(
                alice, "add_to_cart", {"product_id": pid, "variant_id": variant["id"]}
            )
            assert not err, proposal
            assert proposal["status"] == "confirmation_required"
            assert detail["product"]["title"] in proposal["summary"]
            assert proposal["arguments"]["variant_id"] == variant["id"]
            # Proposing changed nothing.
            assert (await call(alice, "view_cart", {}))[1]["lines"] == []

            token = proposal["confirmation_token"]
            err, done = await call(alice, "confirm_write", {"confirmation_token": token})
            assert not err and done["status"] == "done", done
            err, again = await call(alice, "confirm_write", {"confirmation_token": token})
            assert not err and again["result"] == done["result"]
            cart = (await call(alice, "view_cart", {}))[1]
            assert [(ln["variant_id"], ln["quantity"]) for ln in cart["lines"]] == [
                (variant["id"], 1)
            ]

            # A token altered by the client is refused.
            forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
            err, body = await call(alice, "confirm_write", {"confirmation_token": forged})
            assert err and body["error"]["code"] == "invalid_token"

        async with mcp_http(url, "key-bob") as bob:
            # Bob cannot carry out Alice's proposal, and sees his own (empty) cart.
            err, body = await call(bob, "confirm_write", {"confirmation_token": token})
            assert err and body["error"]["code"] == "invalid_token"
            assert (await call(bob, "view_cart", {}))[1]["lines"] == []

        with httpx.Client(timeout=30) as raw:
            init = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
            for headers in ({}, {"Authorization": "Bearer not-a-key"}):
                r = raw.post(url, json=init, headers=headers)
                assert r.status_code == 401
                assert r.json()["error"]["code"] == "unauthorized"


async def test_tools_over_stdio_for_the_keys_user(real_data_dir: Path) -> None:
    env = {
        **os.environ,
        "SHOPAGENT_ENVIRONMENT": "test",
        "SHOPAGENT_DATA_DIR": str(real_data_dir),
        "SHOPAGENT_DEMO_CATALOG_SIZE": "60",
        "SHOPAGENT_API_KEYS": json.dumps({hash_key("key-carol"): "carol"}),
        "SHOPAGENT_MCP_API_KEY": "key-carol",
    }
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "shopagent.cli", "mcp", "serve", "--stdio"],
        env=env,
        cwd=str(ROOT),
    )
    async with Client(params, read_timeout_seconds=120) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "catalog_search" in names and "confirm_write" in names
        err, found = await call(client, "catalog_search", {"query": "bag", "page_size": 2})
        assert not err and found["products"]
        err, body = await call(client, "checkout", {})
        assert err and body["error"]["code"] == "empty_cart"


def test_stdio_refuses_to_start_without_a_valid_key(tmp_path: Path) -> None:
    import subprocess

    env = {
        **os.environ,
        "SHOPAGENT_ENVIRONMENT": "test",
        "SHOPAGENT_DATA_DIR": str(tmp_path),
        "SHOPAGENT_API_KEYS": json.dumps({hash_key("key-carol"): "carol"}),
        "SHOPAGENT_MCP_API_KEY": "key-mallory",
    }
    done = subprocess.run(
        [sys.executable, "-m", "shopagent.cli", "mcp", "serve", "--stdio"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "valid shopagent API key" in done.stderr and done.stdout == ""
