"""Keeps the docs of the settings true: ``.env.example`` and the README's configuration
table are generated from :class:`Settings` (``python -m shopagent._settings_doc``), and a
test fails when either is stale."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from shopagent.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def _default(name: str) -> Any:
    field = Settings.model_fields[name]
    value = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value


def _env_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def env_example() -> str:
    lines = [
        "# Every shopagent setting and its default. Generated: python -m shopagent._settings_doc",
        "# Copy to .env and edit. Lists and maps are JSON.",
    ]
    for name, field in Settings.model_fields.items():
        value = _default(name)
        # Unset by default: commented out, since an empty value is not the same as unset.
        prefix = "# " if value is None else ""
        var = f"{prefix}SHOPAGENT_{name.upper()}={_env_value(value)}"
        lines += [f"# {field.description}", var]
    return "\n".join(lines) + "\n"


def readme_table() -> str:
    rows = ["| variable | default | what |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = _env_value(_default(name)).replace("|", "\\|") or "(unset)"
        rows.append(f"| `SHOPAGENT_{name.upper()}` | `{default}` | {field.description} |")
    return "\n".join(rows)


def readme_with_table(readme: str) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{readme_table()}\n{END}{tail}"


def main() -> None:
    (ROOT / ".env.example").write_text(env_example())
    readme = ROOT / "README.md"
    text = readme.read_text()
    if START not in text:
        sys.exit(f"README.md has no {START} marker")
    readme.write_text(readme_with_table(text))


if __name__ == "__main__":
    main()
