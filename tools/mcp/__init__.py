"""MCP: shopagent's tools served over MCP, and product teams' MCP servers' tools taken in."""

from tools.mcp._serve import CONFIRM_TOOL, ShopToolServer, ToolHost, served_tools
from tools.mcp._tokens import TokenSigner

__all__ = ["CONFIRM_TOOL", "ShopToolServer", "TokenSigner", "ToolHost", "served_tools"]
