"""How a product team declares an MCP server whose tools shopagent takes in.

One entry of ``SHOPAGENT_MCP_SERVERS`` (a JSON list), e.g.::

    {"name": "stores", "command": "python", "args": ["-m", "examples.store_pickup"],
     "tools": ["check_pickup"], "writes": ["reserve_pickup"],
     "identity_header": "X-Shopper-Id", "timeout_s": 5}

or ``"url": "https://stores.internal/mcp", "headers": {"Authorization": "Bearer ..."}``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
_HEADER = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class McpServerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Short name; its tools join the registry as <name>__<tool>.")
    command: str | None = Field(
        None,
        description="Start the server as this command (stdio); 'python' is the service's own "
        "interpreter (a plugin installed in the same environment).",
    )
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict, description="Extra environment (stdio).")
    cwd: Path | None = None
    url: str | None = Field(None, description="Streamable HTTP endpoint of the server.")
    headers: dict[str, str] = Field(default_factory=dict, description="Sent with every request.")
    tools: list[str] = Field(description="Allow-list: only these tools of the server are taken.")
    writes: list[str] = Field(
        default_factory=list,
        description="Tools (of the allow-list) that change something: they go through the "
        "shopper's confirmation and carry an idempotency key.",
    )
    identity_header: str | None = Field(
        None,
        description="Header (HTTP) or _meta key (stdio) that carries the shopper's user id; "
        "never a model-visible argument.",
    )
    timeout_s: float = Field(10.0, gt=0, le=300, description="Limit of one tool call.")
    start_timeout_s: float = Field(
        30.0, gt=0, le=600, description="Limit for starting/reaching the server and listing tools."
    )
    examples: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Example shopper requests per tool, for the embedded tier (adds to those "
        "the server declares in a tool's _meta 'examples').",
    )
    on_schema_change: Literal["warn", "skip"] = Field(
        "warn",
        description="A tool whose schema differs from the pinned one: load it and report "
        "(warn, the pin moves on), or leave it out until accepted (skip).",
    )

    @model_validator(mode="after")
    def _check(self) -> McpServerConfig:
        if not _NAME.match(self.name):
            raise ValueError(
                f"MCP server name {self.name!r}: lowercase letters, digits, _ (max 24)"
            )
        if (self.command is None) == (self.url is None):
            raise ValueError(f"MCP server {self.name!r}: give exactly one of command or url")
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"MCP server {self.name!r}: url must be http(s)")
        extra = sorted(set(self.writes) - set(self.tools))
        if extra:
            raise ValueError(f"MCP server {self.name!r}: writes not in tools: {extra}")
        if self.identity_header is not None and not _HEADER.match(self.identity_header):
            raise ValueError(f"MCP server {self.name!r}: invalid identity_header")
        return self

    @property
    def executable(self) -> str | None:
        return sys.executable if self.command == "python" else self.command

    @property
    def transport(self) -> Literal["stdio", "http"]:
        return "stdio" if self.command else "http"
