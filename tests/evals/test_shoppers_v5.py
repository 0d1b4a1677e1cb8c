"""shoppers_v5: shoppers following up on what they were just shown (a size alone, a
colour ruled out, "something warmer", "waterproof?", "the cheapest pair") and run-on
requests. Valid against the published schema, reproducible from its source, and true of
the demo catalog prefix the CI gate builds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from shopagent.evals import load_conversations

ROOT = Path(__file__).parents[2]
DATASET = ROOT / "evals" / "datasets" / "shoppers_v5.jsonl"


def test_hand_written_and_true_of_the_gate_prefix() -> None:
    from shopagent.retrieval.demo import generate_products

    convs = load_conversations(DATASET)
    assert 10 <= len(convs) <= 20
    lines = Counter(t.user for c in convs for t in c.turns if t.user and len(t.user) > 6)
    assert [u for u, n in lines.items() if n > 1] == []
    # no line repeats another dataset's: new wordings, not copies
    others = {
        t.user
        for name in ("shop_v1", "shoppers_v2", "shoppers_v3", "shoppers_v4")
        for c in load_conversations(ROOT / "evals" / "datasets" / f"{name}.jsonl")
        for t in c.turns
        if t.user
    }
    assert [u for u in lines if u in others] == []
    prefix = generate_products(240, seed=7)
    leaves = {p.category.split(">")[-1].strip() for p in prefix}
    for c in convs:
        for t in c.turns:
            for constraint in t.expect.products.constraints if t.expect.products else []:
                if constraint.startswith("category="):
                    assert set(constraint.split("=", 1)[1].split("|")) <= leaves, c.id
            for call in t.expect.tool_calls or []:
                category = (call.arguments or {}).get("category")
                assert category is None or category in leaves, c.id
    # a follow-up that narrows the search in play is checked against "which product do
    # you mean?" (the answer these shoppers got before)
    narrowing = [
        t
        for c in convs
        for prev, t in zip(c.turns, c.turns[1:], strict=False)
        if t.expect.tool_calls
        and prev.expect.products
        and (t.expect.tool_calls[0].arguments or {}).get("category")
        in {x.split("=", 1)[1] for x in prev.expect.products.constraints}
    ]
    assert len(narrowing) >= 6
    for t in narrowing:
        assert t.expect.text and any("which product" in r for r in t.expect.text.must_not_mention)
