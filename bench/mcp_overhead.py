"""mcp_overhead: what calling a tool over MCP adds to calling it in process.

Same run, same tool logic, calls back to back, on loopback:

- tools in: the example pickup plugin's ``check_pickup`` (examples/store_pickup.py) as a
  Python tool of the registry (a sync function: run in a worker thread) against the same
  function behind the example MCP server, reached through the registry's MCP tool over
  stdio and over streamable HTTP;
- tools out: shopagent's ``view_cart`` called directly against the same tool through
  ``/mcp`` (bearer key, stateless streamable HTTP, the official MCP client), real SQLite
  stores.

Prints p50/p99 per path and the added latency (MCP minus direct) -> bench/results/mcp.json.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pydantic import BaseModel  # noqa: E402

from bench._support import percentile, write_result  # noqa: E402
from shopagent.tools import ToolContext, tool  # noqa: E402

CALLS = 300
WARMUP = 20
PICKUP = ROOT / "examples" / "store_pickup.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


async def _time(call: Callable[[], Awaitable[Any]]) -> list[float]:
    for _ in range(WARMUP):
        await call()
    out = []
    for _ in range(CALLS):
        t0 = time.perf_counter()
        await call()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _stats(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(ms, 50), 3), "p99_ms": round(percentile(ms, 99), 3)}


def _load_example() -> Any:
    spec = importlib.util.spec_from_file_location("store_pickup", PICKUP)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class PickupArgs(BaseModel):
    product_id: str
    city: str | None = None


@tool
def check_pickup(ctx: ToolContext, args: PickupArgs) -> dict[str, Any]:
    """Which stores have a product for pickup today (the example's own function)."""
    return _EXAMPLE.check_pickup(args.product_id, args.city)  # type: ignore[no-any-return]


_EXAMPLE = _load_example()


async def tools_in(data_dir: Path) -> dict[str, Any]:
    from shopagent.settings import Settings
    from shopagent.tools import ToolRegistry
    from shopagent.tools.mcp import open_mcp_tools

    direct = check_pickup
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, str(PICKUP), "--http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_port(port)
        common = {"tools": ["check_pickup"], "identity_header": "X-Shopper-Id"}
        settings = Settings(
            environment="test",
            data_dir=data_dir,
            mcp_servers=[
                {"name": "stdio", "command": sys.executable, "args": [str(PICKUP)], **common},
                {"name": "http", "url": f"http://127.0.0.1:{port}/mcp", **common},
            ],
        )
        async with open_mcp_tools(ToolRegistry(), settings) as found:
            ctx = ToolContext(user_id="bench", session_id="bench")
            args = direct.parse_args({"product_id": "p-00042"})
            paths = {
                "python": (direct, args),
                "mcp_stdio": (found.registry.get("stdio__check_pickup"), None),
                "mcp_http": (found.registry.get("http__check_pickup"), None),
            }
            out: dict[str, Any] = {}
            for name, (t, a) in paths.items():
                parsed = a or t.parse_args({"product_id": "p-00042"})
                first = await t(ctx, parsed)
                assert first["product_id"] == "p-00042", first
                out[name] = _stats(await _time(lambda t=t, p=parsed: t(ctx, p)))
            return out
    finally:
        server.terminate()
        server.wait(timeout=10)


async def tools_out(data_dir: Path) -> dict[str, Any]:
    import httpx2
    import uvicorn
    from fastapi import FastAPI
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    from shopagent.api._limits import MemoryRateLimiter
    from shopagent.api.deps import hash_key
    from shopagent.api.mcp import mount_mcp
    from shopagent.settings import Settings
    from shopagent.tools.builtin import build_registry
    from shopagent.tools.stores import open_stores

    settings = Settings(
        environment="test", data_dir=data_dir, api_keys={hash_key("bench-key"): "bench"}
    )
    async with await open_stores(settings) as (stores, _):

        class Host:
            registry = build_registry(settings)
            catalog = None
            images = None

        Host.stores, Host.settings = stores, settings  # type: ignore[attr-defined]
        app = FastAPI(lifespan=lambda app: app.state.mcp.running())
        app.state.settings = settings
        app.state.service = Host
        app.state.rate_limiter = MemoryRateLimiter(10**9)
        mount_mcp(app)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        # The server runs its own loop in a thread; the stores are used from that loop by
        # /mcp and from this one directly, one at a time.
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        _wait_port(port)
        if True:
            tool = Host.registry.get("view_cart")
            ctx = ToolContext(user_id="bench", session_id="bench", stores=stores)
            args = tool.parse_args({})
            direct = _stats(await _time(lambda: tool(ctx, args)))
            headers = {"Authorization": "Bearer bench-key"}
            async with (
                httpx2.AsyncClient(headers=headers, timeout=30) as http,
                Client(
                    streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)
                ) as client,
            ):
                res = await client.call_tool("view_cart", {})
                assert not res.is_error, res
                over = _stats(await _time(lambda: client.call_tool("view_cart", {})))
            server.should_exit = True
            thread.join(timeout=10)
    return {"python": direct, "mcp_http": over}


def main() -> None:
    import logging

    for name in ("httpx2", "httpx", "mcp"):  # one line per request would drown the figures
        logging.getLogger(name).setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-mcp-") as tmp:
        t_in = asyncio.run(tools_in(Path(tmp) / "in"))
        t_out = asyncio.run(tools_out(Path(tmp) / "out"))

    def added(paths: dict[str, Any], name: str) -> dict[str, float]:
        return {k: round(paths[name][k] - paths["python"][k], 3) for k in ("p50_ms", "p99_ms")}

    result = {
        "calls_per_path": CALLS,
        "tools_in_check_pickup": t_in,
        "tools_in_added_stdio": added(t_in, "mcp_stdio"),
        "tools_in_added_http": added(t_in, "mcp_http"),
        "tools_out_view_cart": t_out,
        "tools_out_added_http": added(t_out, "mcp_http"),
    }
    write_result("mcp", result)


if __name__ == "__main__":
    main()
