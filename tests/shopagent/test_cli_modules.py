"""The CLI registers every command module or fails: a module that does not import is a
broken install, never silently "an area not built yet" (issue #16)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _import_cli(prelude: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"{prelude}\nimport shopagent.cli"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_command_module_registers() -> None:
    from shopagent import cli

    groups = [g.typer_instance for g in cli.app.registered_groups if g.typer_instance]
    names = {c.name for t in groups for c in t.registered_commands}
    assert {"run", "diff", "report", "validate", "embedded"} <= names


def test_a_command_module_that_cannot_import_fails_the_cli() -> None:
    # None in sys.modules makes `import shopagent.commands.train_vlm` raise
    # ModuleNotFoundError naming that very module: the case once skipped as "not built yet".
    done = _import_cli("import sys; sys.modules['shopagent.commands.train_vlm'] = None")
    assert done.returncode != 0
    assert "shopagent.commands.train_vlm" in done.stderr
    assert _import_cli("").returncode == 0
