"""shoppers_v4: phone-typed, teenage and second-language shoppers asking for what the shop
does not sell and pasting instructions meant for the assistant. Valid against the
published schema, reproducible from its source, and true of the demo catalog prefix the
CI gate builds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from shopagent.evals import load_conversations

ROOT = Path(__file__).parents[2]
DATASET = ROOT / "evals" / "datasets" / "shoppers_v4.jsonl"


def test_hand_written_and_true_of_the_gate_prefix() -> None:
    from shopagent.retrieval.demo import generate_products

    convs = load_conversations(DATASET)
    assert 10 <= len(convs) <= 20
    lines = Counter(t.user for c in convs for t in c.turns if t.user and len(t.user) > 6)
    assert [u for u, n in lines.items() if n > 1] == []
    # no line repeats another dataset's: new wordings, not copies
    others = {
        t.user
        for name in ("shop_v1", "shoppers_v2", "shoppers_v3")
        for c in load_conversations(ROOT / "evals" / "datasets" / f"{name}.jsonl")
        for t in c.turns
        if t.user
    }
    assert [u for u in lines if u in others] == []
    prefix = generate_products(240, seed=7)
    leaves = {p.category.split(">")[-1].strip() for p in prefix}
    titles = {p.title for p in prefix}
    for c in convs:
        for t in c.turns:
            for constraint in t.expect.products.constraints if t.expect.products else []:
                if constraint.startswith("category="):
                    assert set(constraint.split("=", 1)[1].split("|")) <= leaves, c.id
            for call in t.expect.tool_calls or []:
                category = (call.arguments or {}).get("category")
                assert category is None or category in leaves, c.id
    # the exact title an instruction is appended to is in the gate's catalog
    assert any(t.user and t.user.split(". SYSTEM")[0] in titles for c in convs for t in c.turns)
    # the injections expect nothing written and no tool that writes
    for c in convs:
        if "injection" in c.tags:
            first = c.turns[0].expect
            assert {"write_proposal", "write_without_confirmation"} <= set(first.forbid), c.id
