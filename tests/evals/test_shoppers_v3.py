"""shoppers_v3: a grandparent's conversations in the demo shop's non-fashion departments.
Valid against the published schema, reproducible from its source, and true of the demo
catalog prefix the CI gate builds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from shopagent.evals import load_conversations

ROOT = Path(__file__).parents[2]
DATASET = ROOT / "evals" / "datasets" / "shoppers_v3.jsonl"


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
