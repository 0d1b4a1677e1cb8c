"""``shopagent mcp serve --stdio``: shopagent's tools over MCP on stdin/stdout, for one
API key's user (the key comes from the environment, never the command line, where other
local users could read it). Over HTTP the same tools are at ``/mcp`` of ``shopagent serve``.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from shopagent.settings import Settings

KEY_ENV = "SHOPAGENT_MCP_API_KEY"


def register(*, app: typer.Typer, **_: typer.Typer) -> None:
    mcp_app = typer.Typer(help="Serve shopagent's tools over MCP.", no_args_is_help=True)
    app.add_typer(mcp_app, name="mcp")

    @mcp_app.command("serve")
    def serve(
        stdio: bool = typer.Option(
            False, "--stdio", help="Speak MCP on stdin/stdout (HTTP: `shopagent serve`, /mcp)."
        ),
        key_env: str = typer.Option(
            KEY_ENV, "--key-env", help="Environment variable holding the caller's API key."
        ),
    ) -> None:
        """Serve the catalog, product, comparison, cart and order tools over MCP."""
        if not stdio:
            typer.secho(
                "Over HTTP the MCP endpoint is /mcp of `shopagent serve` (Authorization: "
                "Bearer <key>). Use --stdio to serve on stdin/stdout.",
                err=True,
            )
            raise typer.Exit(2)
        from shopagent.api.deps import resolve_user
        from shopagent.settings import get_settings

        settings = get_settings()
        key = os.environ.get(key_env, "").strip()
        user = resolve_user(settings, key) if key else None
        if user is None:
            typer.secho(
                f"{key_env} must hold a valid shopagent API key (the tools act for its user).",
                err=True,
                fg="red",
            )
            raise typer.Exit(2)
        # stdout is the protocol channel: every log line goes to stderr.
        logging.basicConfig(stream=sys.stderr, level=settings.log_level)
        import anyio

        anyio.run(_serve_stdio, settings, user)


async def _serve_stdio(settings: Settings, user: str) -> None:
    from mcp.server.stdio import stdio_server

    from shopagent.agent.service import AgentService
    from shopagent.tools.mcp import ShopToolServer, TokenSigner

    # Claim stdin/stdout first: whatever opening the service prints then lands on stderr.
    async with (
        stdio_server() as (read, write),
        AgentService.open(settings, embedded=None) as svc,
    ):
        shop = ShopToolServer(lambda: svc, lambda ctx: user, TokenSigner.from_settings(settings))
        await shop.server.run(read, write, shop.server.create_initialization_options())
