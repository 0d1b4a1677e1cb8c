"""A deliberately odd MCP server for the tools-in tests (stdio): its tool description
comes from FIXTURE_DESC, and ``broken`` has an input schema that is not JSON Schema."""

from __future__ import annotations

import os
import sys

import anyio
import mcp_types as types
from mcp.server import Server
from mcp.server.stdio import stdio_server


async def list_tools(ctx: object, params: object) -> types.ListToolsResult:
    return types.ListToolsResult(
        tools=[
            types.Tool(
                name="echo_size",
                description=os.environ.get("FIXTURE_DESC", "Echo a shoe size."),
                input_schema={
                    "type": "object",
                    "properties": {"size": {"type": "number", "minimum": 1}},
                    "required": ["size"],
                },
            ),
            types.Tool(
                name="broken",
                description="Has a schema that is not JSON Schema.",
                input_schema={"type": "object", "properties": {"x": {"type": "no-such-type"}}},
            ),
            types.Tool(
                name="slow",
                description="Never answers in time.",
                input_schema={"type": "object", "properties": {}},
            ),
        ]
    )


async def call_tool(ctx: object, params: types.CallToolRequestParams) -> types.CallToolResult:
    if params.name == "slow":
        await anyio.sleep(30)
    size = (params.arguments or {}).get("size")
    return types.CallToolResult(
        content=[types.TextContent(text=f"size {size}")], structured_content={"size": size}
    )


async def main() -> None:
    server = Server("fixture", on_list_tools=list_tools, on_call_tool=call_tool)
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    if os.environ.get("FIXTURE_HANG"):
        import time

        if os.environ.get("FIXTURE_PIDFILE"):
            with open(os.environ["FIXTURE_PIDFILE"], "w") as f:
                f.write(str(os.getpid()))

        time.sleep(60)
        sys.exit(0)
    anyio.run(main)
