"""The registry the agent uses: built-in tools plus allowed plugins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shopagent.tools._registry import ToolRegistry
from shopagent.tools.cart import CART_TOOLS
from shopagent.tools.orders import ORDER_TOOLS

if TYPE_CHECKING:
    from shopagent.settings import Settings


def builtin_tools() -> list[Any]:
    from shopagent.tools.catalog import CATALOG_TOOLS
    from shopagent.tools.discovery import DISCOVERY_TOOLS

    return [*CATALOG_TOOLS, *CART_TOOLS, *ORDER_TOOLS, *DISCOVERY_TOOLS]


def build_registry(settings: Settings | None = None) -> ToolRegistry:
    registry = ToolRegistry(builtin_tools())
    allow = list(getattr(settings, "tool_plugins_allow", []) or [])
    if allow:
        registry.load_plugins(allow)
    return registry
