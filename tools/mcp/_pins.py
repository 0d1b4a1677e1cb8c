"""Pins of remote tools' schemas: a hash per (server, tool) kept in the data folder, so a
tool whose description or input schema changes between starts is noticed and reported
(a team's server can change what the model is told without anyone here deploying)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any


def schema_digest(description: str | None, input_schema: Any) -> str:
    body = json.dumps(
        {"description": description or "", "input_schema": input_schema},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode()).hexdigest()


class Pins:
    def __init__(self, path: Path, data: dict[str, dict[str, str]]) -> None:
        self.path = path
        self.data = data
        self._dirty = False

    @classmethod
    def load(cls, data_dir: Path | str) -> Pins:
        path = Path(data_dir) / "mcp" / "pins.json"
        try:
            data = json.loads(path.read_text())
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        return cls(path, data)

    def check(self, server: str, tool: str, digest: str) -> str:
        """ "" when it matches its pin, "new" when never pinned, else "changed since pinned"."""
        pinned = self.data.get(server, {}).get(tool)
        if pinned is None:
            return "new"
        return "" if pinned == digest else "changed since pinned"

    def accept(self, server: str, tool: str, digest: str) -> None:
        self.data.setdefault(server, {})[tool] = digest
        self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True))
        os.replace(tmp, self.path)
        self._dirty = False
