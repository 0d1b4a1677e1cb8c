"""An example product team's plugin: in-store pickup, served as an MCP server.

It is what a team would write with the official SDK's ``MCPServer``, outside shopagent:
shopagent takes its tools in through ``SHOPAGENT_MCP_SERVERS`` (see README, "Adding a
tool"). Stock per store is made up from the product id, so any catalog works.

    python examples/store_pickup.py                 # stdio
    python examples/store_pickup.py --http 8765     # streamable HTTP at /mcp

The shopper's id arrives in the ``X-Shopper-Id`` header (HTTP) or ``_meta`` key (stdio)
shopagent is configured to send; it is trusted because only shopagent can reach this
server (an HTTP deployment also checks the bearer token shopagent sends).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
from typing import Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

IDENTITY = "X-Shopper-Id"
STORES = [
    {"store_id": "harbour", "name": "Harbour Street", "city": "Porto Vela", "hours": "9-20"},
    {"store_id": "old-mill", "name": "Old Mill Arcade", "city": "Porto Vela", "hours": "10-19"},
    {"store_id": "ridge", "name": "Ridge Park", "city": "Alderbury", "hours": "9-21"},
]
EXPECTED_TOKEN = os.environ.get("PICKUP_TOKEN")  # HTTP: the bearer token shopagent sends

server = MCPServer("store-pickup", version="1.0.0", instructions="In-store pickup.")
_reservations: dict[str, dict[str, Any]] = {}  # by idempotency key: a retry books once


def _stock(product_id: str, store_id: str) -> int:
    digest = hashlib.sha256(f"{product_id}:{store_id}".encode()).digest()
    return digest[0] % 4  # 0..3 units


def _shopper(ctx: Context) -> str | None:
    headers = ctx.headers
    if headers is not None:
        if EXPECTED_TOKEN and headers.get("authorization") != f"Bearer {EXPECTED_TOKEN}":
            return None
        return headers.get(IDENTITY.lower()) or headers.get(IDENTITY)
    meta = ctx.request_context.meta or {}
    value = meta.get(IDENTITY)
    return str(value) if value else None


@server.tool(
    meta={
        "shopagent/examples": [
            "can I pick this up in a store today",
            "which shop has it in stock near me",
            "is it available for click and collect",
            "can I collect it in person",
        ]
    }
)
def check_pickup(product_id: str, city: str | None = None) -> dict[str, Any]:
    """Which of our stores have a product in stock for pickup today, with opening hours.
    Give the product id; optionally a city to only see stores there."""
    stores = [s for s in STORES if city is None or s["city"].casefold() == city.casefold()]
    found = [{**s, "in_stock": _stock(product_id, s["store_id"])} for s in stores]
    return {
        "product_id": product_id,
        "stores": [s for s in found if s["in_stock"] > 0],
        "checked": len(found),
    }


@server.tool(
    meta={
        "shopagent/examples": [
            "reserve it for pickup at the harbour store",
            "hold one for me at the store",
        ]
    }
)
def reserve_pickup(
    product_id: str, store_id: Literal["harbour", "old-mill", "ridge"], ctx: Context
) -> dict[str, Any]:
    """Reserve one unit of a product at a store for the shopper to pick up within 48 hours."""
    shopper = _shopper(ctx)
    if not shopper:
        # ToolError: the SDK passes its message on (any other exception reads only
        # "Error executing tool reserve_pickup" to the caller)
        raise ToolError("no shopper identity on this request")
    store = next((s for s in STORES if s["store_id"] == store_id), None)
    if store is None:
        raise ToolError(f"unknown store {store_id!r}")
    if _stock(product_id, store_id) == 0:
        raise ToolError(f"{store['name']} has none in stock")
    key = str((ctx.request_context.meta or {}).get("shopagent/idempotency_key") or "")
    if ctx.headers is not None:
        key = ctx.headers.get("idempotency-key") or key
    if key and key in _reservations:
        return _reservations[key]
    booking = {
        "reservation_id": "r-" + secrets.token_hex(4),
        "shopper": shopper,
        "product_id": product_id,
        "store": store["name"],
        "hold_hours": 48,
    }
    if key:
        _reservations[key] = booking
    return booking


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", type=int, metavar="PORT", help="serve streamable HTTP")
    opts = parser.parse_args()
    if opts.http:
        server.run(
            "streamable-http",
            host="127.0.0.1",
            port=opts.http,
            stateless_http=True,
            json_response=True,
        )
    else:
        server.run("stdio")


if __name__ == "__main__":
    main()
