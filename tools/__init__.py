"""Tools the agent can call: registry, plugin loading, built-in tools."""

from shopagent.tools._registry import ENTRY_POINT_GROUP, Tool, ToolContext, ToolRegistry, tool

__all__ = ["ENTRY_POINT_GROUP", "Tool", "ToolContext", "ToolRegistry", "tool"]
