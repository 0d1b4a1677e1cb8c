"""MCP: shopagent's tools served over MCP, and product teams' MCP servers' tools taken in."""

from shopagent.tools.mcp._client import McpTool, McpTools, ToolReport, open_mcp_tools
from shopagent.tools.mcp._serve import CONFIRM_TOOL, ShopToolServer, ToolHost, served_tools
from shopagent.tools.mcp._tokens import TokenSigner

__all__ = [
    "CONFIRM_TOOL",
    "McpTool",
    "McpTools",
    "ShopToolServer",
    "TokenSigner",
    "ToolHost",
    "ToolReport",
    "open_mcp_tools",
    "served_tools",
]
