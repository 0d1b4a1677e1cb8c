"""Tool registry: a tool is a typed function with a docstring the model reads.

A tool is declared with :func:`tool` over ``fn(ctx: ToolContext, args: SomeArgsModel)``
(sync or async). The args model is a pydantic model; its JSON schema is what the model
sees. Context (user, session, stores, catalog) is injected through :class:`ToolContext`,
never read from globals. Writes (``writes=True``) are only ever run by the agent after
the shopper's explicit confirmation, with an idempotency key in the context.

A sync tool function (or precheck) runs in a worker thread, so a plugin that does
blocking I/O never stalls the event loop that serves every other shopper. A tool may
declare ``examples``: requests in shoppers' words that the embedded tier matches by
meaning to call it without a model (agent/embedded/_plugin_match.py's hook).
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import functools
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, get_type_hints, overload

from pydantic import BaseModel, ValidationError

from shopagent.errors import ToolError

if TYPE_CHECKING:
    from shopagent.retrieval.images import ImageStore
    from shopagent.settings import Settings
    from shopagent.tools.protocols import CatalogReader
    from shopagent.tools.stores.base import CommerceStore

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "shopagent.tools"


@dataclass
class ToolContext:
    """What a tool may touch: the caller's identity and the services, injected per call."""

    user_id: str
    session_id: str
    # None where the caller has no such service (a test, an MCP client without a store):
    # a tool that needs one says so with a ToolError.
    stores: CommerceStore | None = None
    catalog: CatalogReader | None = None
    settings: Settings | None = None
    images: ImageStore | None = None  # the shoppers' uploaded photos (visual search)
    idempotency_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def need_stores(self) -> CommerceStore:
        """The commerce store, for a tool that cannot work without one."""
        if self.stores is None:
            raise ToolError("the shop's cart and orders are not available here", code="unavailable")
        return self.stores

    def need_catalog(self) -> CatalogReader:
        """The catalog, for a tool that cannot work without one."""
        if self.catalog is None:
            raise ToolError("the product catalog is not available here", code="unavailable")
        return self.catalog


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    args_model: type[BaseModel]
    fn: Callable[..., Any]
    writes: bool = False
    # Human-readable text of what a write will do, shown in the confirmation request:
    # ``describe_write(args, catalog)``; the catalog (may be None) lets it name products.
    describe_write: Callable[[Any, CatalogReader | None], str] | None = None
    # ``precheck(ctx, args)`` raises ToolError when a write cannot succeed (unknown product,
    # missing size, empty cart), so the shopper is never asked to approve a doomed write.
    # It may return a dict of arguments to pin (e.g. the variant and unit price resolved
    # now): the confirmation shows them and the write runs with them.
    precheck: Callable[[ToolContext, Any], Any] | None = None
    # ``adapt_schema(parameters, catalog)``: the parameters schema naming what this catalog
    # has (e.g. its option names), so a model knows which options it can filter on.
    adapt_schema: Callable[[dict[str, Any], CatalogReader], dict[str, Any]] | None = None
    # Where the tool comes from: "builtin", "plugin:<entry point>" or "mcp:<server>".
    origin: str = "builtin"
    # Example requests in shoppers' words (see the module docstring).
    examples: tuple[str, ...] = ()

    def json_schema(self) -> dict[str, Any]:
        return copy.deepcopy(self._schema)

    @functools.cached_property
    def _schema(self) -> dict[str, Any]:
        # Schema generation costs milliseconds per tool: it runs once, not on every turn.
        schema = self.args_model.model_json_schema()
        schema.pop("title", None)
        return schema

    @functools.cached_property
    def _openai(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self._schema,
            },
        }

    def openai_schema(self, catalog: CatalogReader | None = None) -> dict[str, Any]:
        """The OpenAI tool schema (shared and cached: treat it as read-only); with a
        catalog, adapted to it where the tool says how."""
        if catalog is None or self.adapt_schema is None:
            return self._openai
        return {
            "type": "function",
            "function": {
                **self._openai["function"],
                "parameters": self.adapt_schema(self._schema, catalog),
            },
        }

    def decode_args(self, raw: str | dict[str, Any] | None) -> Any:
        """The arguments as data: a model's JSON text decoded, a dict as it is."""
        try:
            return json.loads(raw) if isinstance(raw, str) else (raw or {})
        except json.JSONDecodeError as exc:
            raise ToolError(
                f"arguments for {self.name} are not valid JSON: {exc.msg}", code="invalid_arguments"
            ) from exc

    def parse_args(self, raw: str | dict[str, Any] | None) -> BaseModel:
        data = self.decode_args(raw)
        try:
            return self.args_model.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                for e in exc.errors()
            )
            raise ToolError(
                f"invalid arguments for {self.name}: {problems}", code="invalid_arguments"
            ) from exc

    async def check(self, ctx: ToolContext, args: BaseModel) -> Any:
        """Run the precheck (if any); returns what it returns (a write's resolved details)."""
        if self.precheck is None:
            return None
        return await _run(self.precheck, ctx, args)

    async def __call__(self, ctx: ToolContext, args: BaseModel) -> Any:
        return await _run(self.fn, ctx, args)


async def _run(fn: Callable[..., Any], ctx: ToolContext, args: BaseModel) -> Any:
    if inspect.iscoroutinefunction(fn):
        return await fn(ctx, args)
    # A sync function may block (file, network, CPU): keep the event loop free.
    result = await asyncio.to_thread(fn, ctx, args)
    if inspect.isawaitable(result):
        result = await result
    return result


@overload
def tool(fn: Callable[..., Any], /) -> Tool: ...


@overload
def tool(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    writes: bool = False,
    describe_write: Callable[[Any, CatalogReader | None], str] | None = None,
    precheck: Callable[[ToolContext, Any], Any] | None = None,
    adapt_schema: Callable[[dict[str, Any], CatalogReader], dict[str, Any]] | None = None,
    examples: Iterable[str] = (),
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    writes: bool = False,
    describe_write: Callable[[Any, CatalogReader | None], str] | None = None,
    precheck: Callable[[ToolContext, Any], Any] | None = None,
    adapt_schema: Callable[[dict[str, Any], CatalogReader], dict[str, Any]] | None = None,
    examples: Iterable[str] = (),
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Declare a tool. The docstring is the description the model reads; ``examples``
    are requests in shoppers' words the embedded tier may match to this tool."""

    def wrap(f: Callable[..., Any]) -> Tool:
        hints = get_type_hints(f)
        params = list(inspect.signature(f).parameters)
        if len(params) != 2:
            raise TypeError(f"tool {f.__name__} must take (ctx, args)")
        args_model = hints.get(params[1])
        if not (isinstance(args_model, type) and issubclass(args_model, BaseModel)):
            raise TypeError(f"tool {f.__name__}: second parameter must be a pydantic model")
        doc = inspect.cleandoc(f.__doc__ or "").strip()
        if not doc:
            raise TypeError(f"tool {f.__name__} needs a docstring: it is what the model reads")
        return Tool(
            name=name or f.__name__,
            description=doc,
            args_model=args_model,
            fn=f,
            writes=writes,
            describe_write=describe_write,
            precheck=precheck,
            adapt_schema=adapt_schema,
            examples=tuple(e.strip() for e in examples if e and e.strip()),
        )

    return wrap(fn) if fn is not None else wrap


class ToolRegistry:
    """Tools by name. Refuses duplicates."""

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for t in tools:
            self.add(t)

    def add(self, t: Tool) -> None:
        if not isinstance(t, Tool):
            raise TypeError(f"not a tool: {t!r} (declare it with @tool)")
        if t.name in self._tools:
            raise ValueError(f"duplicate tool name: {t.name}")
        self._tools[t.name] = t

    def get(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            known = ", ".join(sorted(self._tools))
            raise ToolError(
                f"unknown tool {name!r}; available tools: {known}", code="unknown_tool"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def names(self) -> list[str]:
        return sorted(self._tools)

    def openai_schemas(
        self, names: Iterable[str] | None = None, catalog: CatalogReader | None = None
    ) -> list[dict[str, Any]]:
        """Read-only OpenAI tool schemas, computed once per tool (and per catalog shape)."""
        chosen = self._tools.values() if names is None else [self.get(n) for n in names]
        return [t.openai_schema(catalog) for t in chosen]

    def load_plugins(self, allow: Iterable[str]) -> list[str]:
        """Load third-party tools from the ``shopagent.tools`` entry-point group.

        Only entry points named in ``allow`` load. An entry point may name a Tool, an
        iterable of Tools, or a callable ``register(registry)``. One that fails is logged
        and skipped, never fatal. Returns the names of the entry points loaded.
        """
        allowed = set(allow)
        loaded: list[str] = []
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name not in allowed:
                log.info("tool plugin %s not in allow-list; skipped", ep.name)
                continue
            try:
                obj = ep.load()
                self._add_plugin_object(obj, origin=f"plugin:{ep.name}")
            except Exception:
                log.exception("tool plugin %s failed to load; skipped", ep.name)
                continue
            loaded.append(ep.name)
        return loaded

    def _add_plugin_object(self, obj: Any, origin: str) -> None:
        def stamp(t: Any) -> Any:
            return dataclasses.replace(t, origin=origin) if isinstance(t, Tool) else t

        if isinstance(obj, Tool):
            self.add(stamp(obj))
        elif callable(obj) and not isinstance(obj, type):
            before = set(self._tools)
            obj(self)
            for name in set(self._tools) - before:
                self._tools[name] = stamp(self._tools[name])
        else:
            for t in obj:
                self.add(stamp(t))


ToolFn = Callable[[ToolContext, BaseModel], Any | Awaitable[Any]]
