"""``shopagent tools list``: the tools the agent can call, with their schemas."""

from __future__ import annotations

import json

import typer


def register(*, app: typer.Typer, tools: typer.Typer, **_: typer.Typer) -> None:
    @tools.command("list")
    def list_tools(
        as_json: bool = typer.Option(False, "--json", help="Print OpenAI tool schemas as JSON."),
    ) -> None:
        """List every registered tool (built-in and allowed plugins) with its arguments."""
        from rich.console import Console
        from rich.table import Table

        from shopagent.settings import get_settings
        from tools.builtin import build_registry

        registry = build_registry(get_settings())
        if as_json:
            typer.echo(json.dumps(registry.openai_schemas(), indent=2))
            return
        table = Table(title=f"{len(registry)} tools", show_lines=True)
        table.add_column("name", style="bold")
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
            table.add_row(t.name, "yes (confirm)" if t.writes else "", t.description, args)
        Console().print(table)
