"""Every hand-written dataset built by a script: each line valid against the published
schema, and the committed file exactly what its builder writes (edit the builder, then run
``python -m shopagent.evals.datasets.build_<name>``)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import jsonschema
import pytest

from shopagent.evals._format import iter_jsonl

ROOT = Path(__file__).parents[2]
SCHEMA = ROOT / "evals" / "schema" / "conversation.schema.json"
BUILT = ["shoppers_v3", "shoppers_v4", "shoppers_v5", "sale_v1"]


@pytest.mark.parametrize("name", BUILT)
def test_every_line_validates_against_the_published_schema(name: str) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    for line in (ROOT / "evals" / "datasets" / f"{name}.jsonl").read_text().splitlines():
        assert [e.message for e in validator.iter_errors(json.loads(line))] == []


@pytest.mark.parametrize("name", BUILT)
def test_builder_reproduces_the_committed_file(name: str) -> None:
    build = importlib.import_module(f"shopagent.evals.datasets.build_{name}").build
    committed = (ROOT / "evals" / "datasets" / f"{name}.jsonl").read_text().splitlines()
    assert list(iter_jsonl(build())) == committed, (
        f"{name}.jsonl is stale: run `python -m shopagent.evals.datasets.build_{name}`"
    )
