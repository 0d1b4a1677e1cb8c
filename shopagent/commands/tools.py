"""``shopagent tools list``: the tools the agent can call, with their origin and schemas.

Product teams' MCP servers (``SHOPAGENT_MCP_SERVERS``) are started to list their tools;
what was skipped and why (not started, timed out, invalid schema, name clash, a schema
changed since it was pinned) is listed after the table.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import typer


def _load(settings: Any) -> tuple[Any, list[Any]]:
    from shopagent.tools.builtin import build_registry
    from shopagent.tools.mcp import open_mcp_tools

    async def run() -> tuple[Any, list[Any]]:
        async with open_mcp_tools(build_registry(settings), settings) as found:
            return found.registry, found.report

    return asyncio.run(run())


def register(*, app: typer.Typer, tools: typer.Typer, **_: typer.Typer) -> None:
    @tools.command("list")
    def list_tools(
        as_json: bool = typer.Option(False, "--json", help="Print OpenAI tool schemas as JSON."),
    ) -> None:
        """List every tool (built-in, plugins, MCP servers) with its origin and arguments."""
        from rich.console import Console
        from rich.table import Table

        from shopagent.settings import get_settings

        registry, report = _load(get_settings())
        if as_json:
            typer.echo(json.dumps(registry.openai_schemas(), indent=2))
            return
        notes = {f"mcp:{r.server}/{r.tool}": r.note for r in report if r.status == "loaded"}
        table = Table(title=f"{len(registry)} tools", show_lines=True)
        table.add_column("name", style="bold")
        table.add_column("origin")
        table.add_column("writes")
        table.add_column("description")
        table.add_column("arguments")
        for t in sorted(registry, key=lambda t: t.name):
            props = t.json_schema().get("properties", {})
            required = set(t.json_schema().get("required", []))
            args = "\n".join(
                f"{k}{'*' if k in required else ''}: {v.get('type') or v.get('anyOf', '')}"
                for k, v in props.items()
            )
            origin = t.origin
            note = notes.get(f"{t.origin}/{getattr(t, 'remote_name', '')}")
            if note:
                origin += f"\n({note})"
            table.add_row(t.name, origin, "yes (confirm)" if t.writes else "", t.description, args)
        console = Console()
        console.print(table)
        for r in report:
            if r.status == "skipped":
                what = "server" if r.tool == "*" else f"tool {r.tool}"
                console.print(f"[yellow]skipped[/] mcp:{r.server} {what}: {r.note}")
