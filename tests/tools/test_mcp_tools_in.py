"""Tools in: product teams' MCP servers (real ones, stdio and streamable HTTP on
loopback) join the registry; what goes wrong at start is a reported skip, never a crash."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from shopagent.errors import ToolError
from shopagent.settings import Settings
from shopagent.tools import ToolContext, ToolRegistry
from shopagent.tools.builtin import build_registry
from shopagent.tools.mcp import McpTools, open_mcp_tools
from shopagent.tools.stores import open_stores

ROOT = Path(__file__).resolve().parents[2]
PICKUP = str(ROOT / "examples" / "store_pickup.py")
FIXTURE = str(Path(__file__).with_name("mcp_fixture_server.py"))


def pickup_stdio(**extra: Any) -> dict[str, Any]:
    return {
        "name": "pickup",
        "command": sys.executable,
        "args": [PICKUP],
        "tools": ["check_pickup", "reserve_pickup"],
        "writes": ["reserve_pickup"],
        "identity_header": "X-Shopper-Id",
        "timeout_s": 20,
        **extra,
    }


def fixture(name: str = "kit", env: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "command": sys.executable,
        "args": [FIXTURE],
        "env": env or {},
        "tools": ["echo_size", "broken", "slow"],
        "timeout_s": 20,
        **extra,
    }


@asynccontextmanager
async def attached(
    tmp_path: Path, servers: list[dict[str, Any]], registry: ToolRegistry | None = None
) -> AsyncIterator[tuple[McpTools, Any]]:
    settings = Settings(environment="test", data_dir=tmp_path, mcp_servers=servers)
    async with (
        await open_stores(settings) as (stores, _),
        open_mcp_tools(registry or build_registry(settings), settings) as found,
    ):
        yield found, stores


def ctx(stores: Any, user: str = "ines", key: str | None = None) -> ToolContext:
    return ToolContext(user_id=user, session_id="s-1", stores=stores, idempotency_key=key)


async def test_stdio_server_tools_join_with_origin_identity_and_confirmed_writes(
    tmp_path: Path,
) -> None:
    async with attached(tmp_path, [pickup_stdio()]) as (found, stores):
        reg = found.registry
        check, reserve = reg.get("pickup__check_pickup"), reg.get("pickup__reserve_pickup")
        assert check.origin == reserve.origin == "mcp:pickup"
        assert not check.writes and reserve.writes
        assert any("pick" in e for e in check.examples)
        # The shopper's identity is never a model-visible argument.
        assert "X-Shopper-Id" not in str(reserve.json_schema())
        assert reg.get("catalog_search").origin == "builtin"

        out = await check(ctx(stores), check.parse_args({"product_id": "kb-104"}))
        assert out["product_id"] == "kb-104" and out["checked"] == 3
        with pytest.raises(ToolError) as bad:
            check.parse_args({"city": "Alderbury"})
        assert bad.value.code == "invalid_arguments" and "product_id" in bad.value.message

        store = next(s["store_id"] for s in out["stores"])
        args = reserve.parse_args({"product_id": "kb-104", "store_id": store})
        with pytest.raises(ToolError) as unconfirmed:
            await reserve(ctx(stores), args)
        assert unconfirmed.value.code == "not_confirmed"
        first = await reserve(ctx(stores, key="s-1:call_1"), args)
        assert first["shopper"] == "ines"  # arrived out of band, in _meta
        again = await reserve(ctx(stores, key="s-1:call_1"), args)
        assert again == first  # the replay was answered from the record
        other = await reserve(ctx(stores, user="joao", key="s-2:call_1"), args)
        assert other["shopper"] == "joao" and other["reservation_id"] != first["reservation_id"]
        assert "pickup" in reserve.describe_write(args, None)  # type: ignore[misc]

        # a store the check does not list has none in stock: the plugin's own reason reaches
        # the shopper (the SDK's "Error executing tool ..." prefix taken off)
        for n in range(100, 140):
            pid = f"kb-{n}"
            listed = {
                s["store_id"]
                for s in (await check(ctx(stores), check.parse_args({"product_id": pid})))["stores"]
            }
            if missing := {"harbour", "old-mill", "ridge"} - listed:
                break
        none_here = reserve.parse_args({"product_id": pid, "store_id": sorted(missing)[0]})
        with pytest.raises(ToolError) as refused:
            await reserve(ctx(stores, key="s-1:call_2"), none_here)
        assert refused.value.message.endswith("has none in stock"), refused.value.message
        assert "Error executing" not in refused.value.message


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pickup_http() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, PICKUP, "--http", str(port)],
        env={"PICKUP_TOKEN": "team-secret", "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_http_server_gets_identity_header_and_configured_headers(
    tmp_path: Path, pickup_http: str
) -> None:
    cfg = {
        "name": "pickup",
        "url": pickup_http,
        "headers": {"Authorization": "Bearer team-secret"},
        "tools": ["check_pickup", "reserve_pickup"],
        "writes": ["reserve_pickup"],
        "identity_header": "X-Shopper-Id",
    }
    async with attached(tmp_path, [cfg]) as (found, stores):
        check = found.registry.get("pickup__check_pickup")
        reserve = found.registry.get("pickup__reserve_pickup")
        out = await check(ctx(stores), check.parse_args({"product_id": "tent-2p"}))
        store = out["stores"][0]["store_id"]
        args = reserve.parse_args({"product_id": "tent-2p", "store_id": store})
        booked = await reserve(ctx(stores, user="amara", key="k-1"), args)
        assert booked["shopper"] == "amara"


async def test_failures_at_start_are_reported_skips(tmp_path: Path) -> None:
    from shopagent.tools import Tool

    registry = build_registry(None)
    squatter: Tool = registry.get("view_cart")
    import dataclasses

    registry.add(dataclasses.replace(squatter, name="kit__echo_size"))
    servers = [
        fixture(),  # echo_size clashes; broken has an invalid schema
        {"name": "gone", "command": "/nonexistent/bin/team-server", "tools": ["x"]},
        fixture(
            "sleepy",
            env={"FIXTURE_HANG": "1", "FIXTURE_PIDFILE": str(tmp_path / "sleepy.pid")},
            start_timeout_s=1.5,
        ),
    ]
    started = time.monotonic()
    async with attached(tmp_path, servers, registry) as (found, _):
        assert time.monotonic() - started < 15
        skipped = {(r.server, r.tool): r.note for r in found.report if r.status == "skipped"}
        assert "kit__echo_size" in skipped[("kit", "echo_size")]  # the clash, named
        assert "not valid JSON Schema" in skipped[("kit", "broken")]
        assert ("gone", "*") in skipped and ("sleepy", "*") in skipped
        assert "1.5 s" in skipped[("sleepy", "*")]
        assert found.registry.get("kit__echo_size").origin == "builtin"  # untouched
        assert "kit__slow" in found.registry
    # A server that timed out at start is stopped, not left running (SDK: stdin closed,
    # SIGTERM after 2 s, SIGKILL after 2 more).
    pid = int((tmp_path / "sleepy.pid").read_text())
    deadline = time.monotonic() + 8
    while _alive(pid) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert not _alive(pid), "the hung server outlived its start timeout"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


async def test_call_timeout_and_schema_change_between_starts(tmp_path: Path) -> None:
    async with attached(tmp_path, [fixture(timeout_s=1)]) as (found, stores):
        slow = found.registry.get("kit__slow")
        with pytest.raises(ToolError) as late:
            await slow(ctx(stores), slow.parse_args({}))
        assert late.value.code == "tool_timeout"
        echo = found.registry.get("kit__echo_size")
        assert (await echo(ctx(stores), echo.parse_args({"size": 42})))["size"] == 42
        with pytest.raises(ToolError):
            echo.parse_args({"size": 0})  # the server's own JSON Schema is enforced

    changed = fixture(env={"FIXTURE_DESC": "Echo a shoe size (EU)."})
    async with attached(tmp_path, [changed]) as (found, _):
        notes = {r.tool: r.note for r in found.report if r.status == "loaded"}
        assert notes["echo_size"] == "changed since pinned"
        assert notes["slow"] == ""
    async with attached(tmp_path, [{**changed, "env": {}, "on_schema_change": "skip"}]) as (
        found,
        _,
    ):
        assert "kit__echo_size" not in found.registry
        assert "kit__slow" in found.registry


def test_tools_list_shows_origin_and_skips(tmp_path: Path) -> None:
    import json
    import os

    servers = [pickup_stdio(), {"name": "gone", "command": "/nonexistent/srv", "tools": ["x"]}]
    env = {
        **os.environ,
        "COLUMNS": "250",
        "SHOPAGENT_DATA_DIR": str(tmp_path),
        "SHOPAGENT_MCP_SERVERS": json.dumps(servers),
    }
    done = subprocess.run(
        [sys.executable, "-m", "shopagent.cli", "tools", "list"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if "pickup__reserve_pickup" in line)
    assert "mcp:pickup" in row and "yes (confirm)" in row
    assert "skipped mcp:gone server" in done.stdout
