"""shopagent's own tools served over MCP (the official ``mcp`` SDK's low-level ``Server``).

The registry already holds typed tools with JSON Schemas, so the low-level server (list
and call handlers over the registry) is used rather than ``MCPServer``, which derives
schemas from function signatures. Transport and identity are the caller's business:
``api/mcp.py`` mounts it over streamable HTTP behind the API keys, ``shopagent mcp serve
--stdio`` runs it for one key's user. Every call is scoped to that user.

Writes keep the two-step safety of the chat: a write tool only returns a proposal (what
will change, the exact variant and price, and a signed confirmation token); only
``confirm_write`` with that token runs it, once: the token's nonce is the idempotency
key, so a replayed confirmation returns the first result and changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import mcp_types as types
from mcp.server import Server
from mcp.server.context import ServerRequestContext
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

from shopagent.errors import ShopAgentError, ToolError
from shopagent.tools._registry import Tool, ToolContext, ToolRegistry
from shopagent.tools.mcp._tokens import TokenSigner
from shopagent.tools.protocols import CatalogReader
from shopagent.tools.stores.base import CommerceStore

if TYPE_CHECKING:
    from shopagent.retrieval.images import ImageStore
    from shopagent.settings import Settings

log = logging.getLogger(__name__)

CONFIRM_TOOL = "confirm_write"
_WRITE_NOTE = (
    "\n\nThis changes the shopper's data, so calling it changes nothing by itself: it "
    "returns a proposal (summary, exact variant and price) with a confirmation_token. Show "
    f"the summary to the shopper and only after they agree call {CONFIRM_TOOL} with the token."
)


class ToolHost(Protocol):
    """What serving tools needs; AgentService has all of it."""

    @property
    def registry(self) -> ToolRegistry: ...
    @property
    def stores(self) -> CommerceStore | None: ...
    @property
    def catalog(self) -> CatalogReader | None: ...
    @property
    def images(self) -> ImageStore | None: ...
    @property
    def settings(self) -> Settings: ...


class ConfirmArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confirmation_token: str = Field(
        min_length=10, description="The token a write tool returned in its proposal"
    )


UserOf = Callable[[ServerRequestContext[Any, Any]], str | None]


def served_tools(registry: ToolRegistry) -> list[Tool]:
    """shopagent's own tools; tools taken from other MCP servers are not re-served."""
    return [t for t in registry if not t.origin.startswith("mcp:")]


def _mcp_tool(t: Tool, catalog: CatalogReader | None = None) -> types.Tool:
    return types.Tool(
        name=t.name,
        description=t.description + (_WRITE_NOTE if t.writes else ""),
        # What the model tiers see: adapted to this catalog (its option names) where the
        # tool says how.
        input_schema=t.openai_schema(catalog)["function"]["parameters"],
        # The call itself never changes anything: writes only propose.
        annotations=types.ToolAnnotations(read_only_hint=True),
    )


_CONFIRM = types.Tool(
    name=CONFIRM_TOOL,
    description=(
        "Carry out a change a write tool proposed, after the shopper agreed to its summary. "
        "Give the confirmation_token from the proposal. A token works for its own user only, "
        "expires, and confirming the same token again returns the first result without "
        "changing anything twice."
    ),
    input_schema={k: v for k, v in ConfirmArgs.model_json_schema().items() if k != "title"},
    annotations=types.ToolAnnotations(
        read_only_hint=False, destructive_hint=True, idempotent_hint=True
    ),
)


def _result(data: Any) -> types.CallToolResult:
    body = to_jsonable_python(data)
    return types.CallToolResult(
        content=[types.TextContent(text=json.dumps(body, ensure_ascii=False))],
        structured_content=body,
    )


def _error(code: str, message: str) -> types.CallToolResult:
    body = {"error": {"code": code, "message": message}}
    return types.CallToolResult(
        content=[types.TextContent(text=json.dumps(body, ensure_ascii=False))],
        structured_content=body,
        is_error=True,
    )


class ShopToolServer:
    """An MCP server over a ToolHost. ``host()`` is read per call (the API opens its
    service after the app is built); ``user_of(ctx)`` names the authenticated caller."""

    def __init__(
        self,
        host: Callable[[], ToolHost | None],
        user_of: UserOf,
        signer: TokenSigner,
        *,
        name: str = "shopagent",
        version: str = "0.1.0",
    ) -> None:
        self._host = host
        self._user_of = user_of
        self.signer = signer
        self.server: Server[Any] = Server(
            name,
            version=version,
            instructions=(
                "A shop's assistant tools: search the catalog, see and compare products, "
                "manage the cart, place and follow orders. Writes need the shopper's yes: "
                f"they return a proposal, and {CONFIRM_TOOL} carries it out."
            ),
            on_list_tools=self._list_tools,
            on_call_tool=self._call_tool,
        )

    async def _list_tools(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        host = self._host()
        tools = (
            []
            if host is None
            else [_mcp_tool(t, host.catalog) for t in served_tools(host.registry)]
        )
        return types.ListToolsResult(tools=[*tools, _CONFIRM] if tools else [])

    async def _call_tool(
        self, ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        user = self._user_of(ctx)
        if not user:  # the transports authenticate first; this is a second lock
            return _error("unauthorized", "no authenticated shopper for this call")
        host = self._host()
        if host is None or getattr(host, "registry", None) is None:
            return _error("unavailable", "the shop's tools are not available right now")
        try:
            return _result(await self.call(host, user, params.name, params.arguments or {}))
        except ToolError as exc:
            return _error(exc.code, exc.message)
        except ShopAgentError as exc:
            return _error(exc.code, exc.message)
        except Exception as exc:  # a broken tool must not break the connection
            log.exception("mcp tool %s failed", params.name)
            return _error("tool_failed", f"the tool failed ({type(exc).__name__})")

    # --- the tool logic, transport-free (the bench calls it directly too) ---------------
    def context(self, host: ToolHost, user: str, key: str | None = None) -> ToolContext:
        return ToolContext(
            user_id=user,
            session_id=f"mcp:{user}",
            stores=host.stores,
            catalog=host.catalog,
            settings=host.settings,
            idempotency_key=key,
            images=host.images,
        )

    def _served(self, host: ToolHost, name: str) -> Tool:
        tool = host.registry.get(name) if name in host.registry else None
        if tool is None or tool.origin.startswith("mcp:"):
            known = ", ".join(sorted(t.name for t in served_tools(host.registry)))
            raise ToolError(
                f"unknown tool {name!r}; available tools: {known}, {CONFIRM_TOOL}",
                code="unknown_tool",
            )
        return tool

    async def call(self, host: ToolHost, user: str, name: str, raw: dict[str, Any]) -> Any:
        if name == CONFIRM_TOOL:
            return await self._confirm(host, user, raw)
        tool = self._served(host, name)
        args = tool.parse_args(raw)
        if tool.writes:
            return await self._propose(host, user, tool, args)
        return await tool(self.context(host, user), args)

    async def _propose(
        self, host: ToolHost, user: str, tool: Tool, args: BaseModel
    ) -> dict[str, Any]:
        # Never propose a write that cannot succeed; the precheck may also resolve what
        # exactly will be written (variant, unit price), which the token then pins.
        details = await tool.check(self.context(host, user), args)
        details = to_jsonable_python(details) if details is not None else None
        pinned = args.model_dump(mode="json")
        if isinstance(details, dict):  # e.g. add_to_cart: variant_id, unit_price, currency
            for key, value in details.items():
                if key in pinned and pinned.get(key) in (None, ""):
                    pinned[key] = value
            args = tool.parse_args(pinned)
        if tool.describe_write is not None:
            summary = await asyncio.to_thread(tool.describe_write, args, host.catalog)
        else:
            summary = f"{tool.name} {json.dumps(pinned, sort_keys=True)}"
        token, proposal = self.signer.issue(user, tool.name, pinned)
        return {
            "status": "confirmation_required",
            "tool": tool.name,
            "arguments": pinned,
            "summary": summary,
            "details": details,
            "confirmation_token": token,
            "expires_at": datetime.fromtimestamp(proposal.expires_at, UTC).isoformat(),
            "next": f"Ask the shopper; only if they agree, call {CONFIRM_TOOL} with the token.",
        }

    async def _confirm(self, host: ToolHost, user: str, raw: dict[str, Any]) -> dict[str, Any]:
        try:
            token = ConfirmArgs.model_validate(raw).confirmation_token
        except ValueError as exc:
            raise ToolError(
                f"{CONFIRM_TOOL} needs the confirmation_token of a proposal",
                code="invalid_arguments",
            ) from exc
        proposal = self.signer.verify(token, user)
        tool = self._served(host, proposal.tool)
        if not tool.writes:
            raise ToolError("that token does not name a write", code="invalid_token")
        args = tool.parse_args(proposal.args)
        result = await tool(self.context(host, user, proposal.idempotency_key), args)
        return {"status": "done", "tool": tool.name, "result": result}
