"""shoppers_v3: a grandparent's conversations in the demo shop's non-fashion departments.
Valid against the published schema, reproducible from its source, and true of the demo
catalog prefix the CI gate builds."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema

from shopagent.evals import load_conversations
from shopagent.evals._format import iter_jsonl

ROOT = Path(__file__).parents[2]
DATASET = ROOT / "evals" / "datasets" / "shoppers_v3.jsonl"
SCHEMA = ROOT / "evals" / "schema" / "conversation.schema.json"


def test_every_line_validates_against_the_published_schema() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    for line in DATASET.read_text().splitlines():
        assert [e.message for e in validator.iter_errors(json.loads(line))] == []


def test_builder_reproduces_the_committed_file() -> None:
    from shopagent.evals.datasets.build_shoppers_v3 import build

    assert list(iter_jsonl(build())) == DATASET.read_text().splitlines(), (
        "shoppers_v3.jsonl is stale: run `python -m shopagent.evals.datasets.build_shoppers_v3`"
    )


def test_hand_written_outside_fashion_and_true_of_the_gate_prefix() -> None:
    from shopagent.retrieval.demo import generate_products

    convs = load_conversations(DATASET)
    assert 10 <= len(convs) <= 25
    lines = Counter(t.user for c in convs for t in c.turns if t.user and len(t.user) > 6)
    assert [u for u, n in lines.items() if n > 1] == []
    prefix = {p.id: p for p in generate_products(240, seed=7)}
    fashion = ("Apparel", "Shoes", "Bags", "Jewelry", "Beauty")
    for c in convs:
        for t in c.turns:
            g = t.expect.grounded
            if g is not None and isinstance(g.product, str):
                assert g.product in prefix, (c.id, g.product)
                assert not prefix[g.product].category.startswith(fashion)
            for constraint in t.expect.products.constraints if t.expect.products else []:
                assert not any(f"category={x}" in constraint for x in fashion), c.id
