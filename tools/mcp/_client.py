"""Tools in: product teams' MCP servers (``settings.mcp_servers``) join the registry.

Each declared server is started (stdio) or reached (streamable HTTP) with the official
SDK's ``mcp.Client``, held open for the service's life by a task of its own (the SDK's
task groups must be entered and left by one task), and reconnected on the next call
after it drops. Only allow-listed tools are taken, named ``<server>__<tool>``. What can
go wrong at start is a logged skip, never a crash: a server that does not start or
answer in time, a tool whose input schema is not valid JSON Schema, a name clash, a
tool whose schema changed since it was pinned (tools/mcp/_pins.py).

The shopper's identity reaches the server out of band, in the header (HTTP) or
``_meta`` key (stdio) the team names, never as a model-visible argument. A write runs
only after the shopper's confirmation and inside ``write_once`` with the turn's
idempotency key (also sent as ``Idempotency-Key`` / ``_meta``), so a replayed
confirmation returns the recorded result instead of calling the server again.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
import json
import logging
import math
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import httpx2
import jsonschema
import mcp_types as types
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from pydantic import BaseModel, ConfigDict

from shopagent.errors import ToolError
from shopagent.mcp_config import McpServerConfig
from shopagent.tools._registry import Tool, ToolContext, ToolRegistry
from shopagent.tools.mcp._pins import Pins, schema_digest
from shopagent.tools.protocols import CatalogReader

if TYPE_CHECKING:
    from shopagent.settings import Settings

log = logging.getLogger(__name__)

EXAMPLES_META = "shopagent/examples"
IDEMPOTENCY_META = "shopagent/idempotency_key"
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Who the current call is for, and its idempotency key: read by the HTTP request hook
# (the SDK posts in the caller's context, so these reach it).
_call_user: contextvars.ContextVar[str | None] = contextvars.ContextVar("mcp_user", default=None)
_call_key: contextvars.ContextVar[str | None] = contextvars.ContextVar("mcp_key", default=None)


class McpArgs(BaseModel):
    """Arguments of a remote tool, already checked against its JSON Schema."""

    model_config = ConfigDict(extra="allow")


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _why(exc: BaseException) -> str:
    leaf = _leaf(exc)
    text = str(leaf).strip().splitlines()[0] if str(leaf).strip() else ""
    return f"{type(leaf).__name__}{': ' + text[:200] if text else ''}"


class McpConnection:
    """One configured server, connected on demand and kept open."""

    def __init__(self, cfg: McpServerConfig) -> None:
        self.cfg = cfg
        self._client: Client | None = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def _make_client(self) -> tuple[Client, httpx2.AsyncClient | None]:
        cfg = self.cfg
        if cfg.command is not None:
            params = StdioServerParameters(
                command=cfg.executable or "", args=cfg.args, env=cfg.env or None, cwd=cfg.cwd
            )
            return Client(params, read_timeout_seconds=cfg.start_timeout_s), None
        assert cfg.url is not None

        async def stamp(request: httpx2.Request) -> None:
            user, key = _call_user.get(), _call_key.get()
            if cfg.identity_header and user:
                request.headers[cfg.identity_header] = user
            if key:
                request.headers["Idempotency-Key"] = key

        http = httpx2.AsyncClient(
            headers=cfg.headers,
            timeout=httpx2.Timeout(max(cfg.timeout_s, cfg.start_timeout_s)),
            event_hooks={"request": [stamp]},
        )
        client = Client(
            streamable_http_client(cfg.url, http_client=http),
            read_timeout_seconds=cfg.start_timeout_s,
        )
        return client, http

    async def _connected(self) -> Client:
        async with self._lock:
            if self._client is not None and self._task is not None and not self._task.done():
                return self._client
            ready, stop = asyncio.Event(), asyncio.Event()
            box: dict[str, Any] = {}

            async def run() -> None:
                # The start deadline is an anyio cancel scope around the whole connection,
                # not a native task.cancel(): the SDK's shielded shutdown (close stdin,
                # SIGTERM, SIGKILL) only survives anyio cancellation, and a hung team server
                # must not outlive a start that timed out.
                try:
                    made, http = self._make_client()
                    async with contextlib.AsyncExitStack() as stack:
                        if http is not None:  # ours to close: the SDK leaves a given one open
                            await stack.enter_async_context(http)
                        with anyio.CancelScope() as scope:
                            scope.deadline = anyio.current_time() + self.cfg.start_timeout_s
                            async with made as client:
                                scope.deadline = math.inf  # started: no deadline any more
                                box["client"] = client
                                ready.set()
                                await stop.wait()
                        if scope.cancelled_caught and "client" not in box:
                            box["timeout"] = True
                except Exception as exc:  # reported by the waiter below / the next call
                    box["error"] = exc
                finally:
                    self._client = None
                    ready.set()

            task = asyncio.create_task(run(), name=f"mcp-{self.cfg.name}")
            try:
                # run() keeps the deadline; the margin covers the SDK's bounded shutdown.
                await asyncio.wait_for(ready.wait(), self.cfg.start_timeout_s + 10)
            except TimeoutError:
                stop.set()
                task.cancel()
                box["timeout"] = True
            if box.get("timeout"):
                limit = self.cfg.start_timeout_s
                raise ToolError(
                    f"the {self.cfg.name} service did not start within {limit:g} s",
                    code="unavailable",
                )
            if "client" not in box or task.done():
                why = _why(box["error"]) if "error" in box else "it closed at once"
                raise ToolError(
                    f"the {self.cfg.name} service could not be reached ({why})",
                    code="unavailable",
                )
            self._client, self._stop, self._task = box["client"], stop, task
            return self._client

    async def list_tools(self) -> list[types.Tool]:
        client = await self._connected()
        tools: list[types.Tool] = []
        cursor: str | None = None
        async with asyncio.timeout(self.cfg.start_timeout_s):
            for _ in range(100):
                page = await client.list_tools(cursor=cursor, cache_mode="refresh")
                tools.extend(page.tools)
                cursor = page.next_cursor
                if not cursor:
                    break
        return tools

    async def call(
        self, name: str, args: dict[str, Any], user: str, key: str | None
    ) -> dict[str, Any]:
        cfg = self.cfg
        client = await self._connected()
        meta: dict[str, Any] = {}
        if cfg.transport == "stdio" and cfg.identity_header:
            meta[cfg.identity_header] = user
        if key:
            meta[IDEMPOTENCY_META] = key
        tokens = (_call_user.set(user), _call_key.set(key))
        try:
            async with asyncio.timeout(cfg.timeout_s):
                result = await client.call_tool(name, args, meta=meta or None)  # type: ignore[arg-type]
        except TimeoutError:
            raise ToolError(
                f"the {cfg.name} service did not answer within {cfg.timeout_s:g} s",
                code="tool_timeout",
            ) from None
        except ToolError:
            raise
        except Exception as exc:
            log.warning("mcp %s: %s failed: %s", cfg.name, name, _why(exc))
            await self._drop()
            raise ToolError(
                f"the {cfg.name} service failed ({_why(exc)})", code="unavailable"
            ) from exc
        finally:
            _call_user.reset(tokens[0])
            _call_key.reset(tokens[1])
        return _content(cfg.name, result)

    async def _drop(self) -> None:
        if self._stop is not None:
            self._stop.set()
        self._client = None

    async def aclose(self) -> None:
        task = self._task
        await self._drop()
        if task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(task, 10)


_SDK_PREFIX = re.compile(r"^Error executing tool [\w.-]+: ")


def _content(server: str, result: types.CallToolResult) -> dict[str, Any]:
    texts = [b.text for b in result.content if isinstance(b, types.TextContent)]
    if result.is_error:
        err = result.structured_content
        if isinstance(err, dict) and isinstance(err.get("error"), dict):
            code = str(err["error"].get("code") or "remote_error")
            message = str(err["error"].get("message") or " ".join(texts))
        else:
            code, message = "remote_error", " ".join(texts) or f"the {server} tool failed"
        # the official SDK's prefix on a tool's own error ("Error executing tool
        # reserve_pickup: Ridge Park has none in stock"): the shopper hears the reason
        message = _SDK_PREFIX.sub("", message, count=1) or message
        raise ToolError(message[:500], code=code)
    if result.structured_content is not None:
        data = result.structured_content
        return data if isinstance(data, dict) else {"result": data}
    if len(texts) == 1:
        with contextlib.suppress(ValueError):
            data = json.loads(texts[0])
            return data if isinstance(data, dict) else {"result": data}
    return {"text": "\n".join(texts)}


@dataclass(frozen=True)
class McpTool(Tool):
    """A registry tool backed by a remote MCP tool: its schema is the server's own."""

    input_schema: dict[str, Any] = field(default_factory=dict)
    remote_name: str = ""
    schema_note: str = ""  # "new", "changed since pinned", or ""

    @functools.cached_property
    def _schema(self) -> dict[str, Any]:
        return {k: v for k, v in self.input_schema.items() if k != "title"}

    @functools.cached_property
    def _validator(self) -> Any:
        return jsonschema.validators.validator_for(self.input_schema)(self.input_schema)

    def parse_args(self, raw: str | dict[str, Any] | None) -> BaseModel:
        data = self.decode_args(raw)
        if not isinstance(data, dict):
            raise ToolError(
                f"arguments for {self.name} must be an object", code="invalid_arguments"
            )
        problems = sorted(self._validator.iter_errors(data), key=lambda e: list(e.path))
        if problems:
            text = "; ".join(
                f"{'.'.join(str(p) for p in e.path) or 'arguments'}: {e.message}"
                for e in problems[:5]
            )
            raise ToolError(f"invalid arguments for {self.name}: {text}", code="invalid_arguments")
        return McpArgs.model_validate(data)


def _describe(server: str, what: str) -> Any:
    """The confirmation text of a remote write: what the tool says it does, with the
    arguments, a product named by its title where the catalog knows it."""

    def describe(args: BaseModel, catalog: CatalogReader | None) -> str:
        parts = []
        for key, value in args.model_dump().items():
            if key == "product_id" and catalog is not None:
                product = catalog.get_product(str(value))
                label = f"{product.title} ({value})" if product is not None else value
                parts.append(f"product {label}")
            else:
                parts.append(f"{key.replace('_', ' ')} {value}")
        return f"{what}: {', '.join(parts)} ({server})" if parts else f"{what} ({server})"

    return describe


def _remote_fn(conn: McpConnection, remote: str, writes: bool) -> Any:
    async def call(ctx: ToolContext, args: BaseModel) -> dict[str, Any]:
        data = args.model_dump()
        if not writes:
            return await conn.call(remote, data, ctx.user_id, None)
        key = ctx.idempotency_key
        if not key:
            raise ToolError(
                "this change needs the shopper's confirmation first", code="not_confirmed"
            )

        async def apply(txn: Any) -> dict[str, Any]:
            return await conn.call(remote, data, ctx.user_id, key)

        # Recorded under the key: a replayed confirmation returns this, with no new call.
        return await ctx.need_stores().write_once(ctx.user_id, key, apply)

    return call


def _what(title: str | None, description: str | None, name: str) -> str:
    if title:
        return title
    first = re.split(r"(?<=[.!?])\s", inspect.cleandoc(description or "").strip(), maxsplit=1)
    return first[0].rstrip(".") if first and first[0] else name


def _check_schema(schema: Any) -> str | None:
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return "its input schema is not a JSON Schema object"
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"its input schema is not valid JSON Schema ({exc.message[:120]})"
    return None


@dataclass
class ToolReport:
    server: str
    tool: str
    status: str  # "loaded" | "skipped"
    note: str = ""


def tools_from(
    conn: McpConnection, listed: list[types.Tool], pins: Pins, report: list[ToolReport]
) -> list[McpTool]:
    cfg = conn.cfg
    offered = {t.name for t in listed}
    for missing in sorted(set(cfg.tools) - offered):
        report.append(ToolReport(cfg.name, missing, "skipped", "not offered by the server"))
        log.warning("mcp %s: allowed tool %s is not offered by the server", cfg.name, missing)
    out: list[McpTool] = []
    for t in listed:
        if t.name not in cfg.tools:
            continue
        name = f"{cfg.name}__{t.name}"

        def skip(why: str, tool: str = t.name) -> None:
            report.append(ToolReport(cfg.name, tool, "skipped", why))
            log.error("mcp %s: tool %s skipped: %s", cfg.name, tool, why)

        if not _TOOL_NAME.match(name):
            skip(f"{name!r} is not a valid tool name")
            continue
        problem = _check_schema(t.input_schema)
        if problem:
            skip(problem)
            continue
        digest = schema_digest(t.description, t.input_schema)
        note = pins.check(cfg.name, t.name, digest)
        if note == "changed since pinned":
            log.warning("mcp %s: the schema of %s changed since it was pinned", cfg.name, t.name)
            if cfg.on_schema_change == "skip":
                skip("its schema changed since it was pinned (on_schema_change=skip)")
                continue
            pins.accept(cfg.name, t.name, digest)
        elif note == "new":
            pins.accept(cfg.name, t.name, digest)
        meta = t.meta or {}
        declared = meta.get(EXAMPLES_META) if isinstance(meta, dict) else None
        examples = [
            *cfg.examples.get(t.name, []),
            *(declared if isinstance(declared, list) else []),
        ]
        writes = t.name in cfg.writes
        title = t.title or (t.annotations.title if t.annotations else None) or t.name
        out.append(
            McpTool(
                name=name,
                description=inspect.cleandoc(t.description or title),
                args_model=McpArgs,
                fn=_remote_fn(conn, t.name, writes),
                writes=writes,
                describe_write=_describe(cfg.name, _what(t.title, t.description, title))
                if writes
                else None,
                origin=f"mcp:{cfg.name}",
                examples=tuple(str(e) for e in examples if str(e).strip()),
                input_schema=dict(t.input_schema),
                remote_name=t.name,
                schema_note=note,
            )
        )
        report.append(ToolReport(cfg.name, t.name, "loaded", note))
    return out


@dataclass
class McpTools:
    """What ``open_mcp_tools`` attached, for ``shopagent tools list`` and logs."""

    registry: ToolRegistry
    report: list[ToolReport] = field(default_factory=list)
    connections: list[McpConnection] = field(default_factory=list)


async def _attach(
    registry: ToolRegistry, cfg: McpServerConfig, pins: Pins, report: list[ToolReport]
) -> McpConnection | None:
    conn = McpConnection(cfg)
    try:
        listed = await conn.list_tools()
    except (ToolError, TimeoutError, Exception) as exc:
        why = exc.message if isinstance(exc, ToolError) else _why(exc)
        if isinstance(exc, TimeoutError):
            why = f"it did not list its tools within {cfg.start_timeout_s:g} s"
        log.error("mcp %s: server skipped: %s", cfg.name, why)
        report.append(ToolReport(cfg.name, "*", "skipped", why))
        await conn.aclose()
        return None
    for t in tools_from(conn, listed, pins, report):
        try:
            registry.add(t)
        except ValueError as exc:  # a name clash
            report[:] = [
                r for r in report if not (r.server == cfg.name and r.tool == t.remote_name)
            ]
            report.append(ToolReport(cfg.name, t.remote_name, "skipped", str(exc)))
            log.error("mcp %s: tool %s skipped: %s", cfg.name, t.remote_name, exc)
    return conn


@contextlib.asynccontextmanager
async def open_mcp_tools(registry: ToolRegistry, settings: Settings) -> AsyncIterator[McpTools]:
    """Attach the configured servers' tools to ``registry`` for the block's duration."""
    configs = [
        c if isinstance(c, McpServerConfig) else McpServerConfig.model_validate(c)
        for c in getattr(settings, "mcp_servers", None) or []
    ]
    found = McpTools(registry)
    if not configs:
        yield found
        return
    pins = Pins.load(settings.data_dir)
    conns = await asyncio.gather(*(_attach(registry, c, pins, found.report) for c in configs))
    found.connections = [c for c in conns if c is not None]
    pins.save()
    try:
        yield found
    finally:
        await asyncio.gather(*(c.aclose() for c in found.connections), return_exceptions=True)


__all__ = ["McpConnection", "McpTool", "McpTools", "ToolReport", "open_mcp_tools"]
