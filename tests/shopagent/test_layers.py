"""The architecture's import rules, checked on the real import graph (grimp, the engine
behind import-linter): layers and the serving/offline split are import-linter contracts in
pyproject.toml (`lint-imports`, run by `make lint`); this test runs the same contracts in
`make test` and adds the one rule import-linter cannot state: a private module (`_name`)
is imported only from inside the package that owns it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def _owner(module: str) -> str | None:
    """The package that owns the first private segment of ``module``, if any."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def test_private_modules_are_not_imported_across_packages() -> None:
    graph = grimp.build_graph("shopagent")
    crossings = []
    for imported in sorted(graph.modules):
        owner = _owner(imported)
        if owner is None:
            continue
        for importer in sorted(graph.find_modules_that_directly_import(imported)):
            if importer != owner and not importer.startswith(owner + "."):
                crossings.append(f"{importer} imports {imported}")
    assert not crossings, "private modules imported across packages:\n" + "\n".join(crossings)


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
