"""sale_v1: shoppers asking what is on sale, true of the demo catalog prefix the CI gate
builds: every kind of product whose sale is asked for has products on sale there (its
schema and builder are checked with the other built sets, test_dataset_files.py)."""

from __future__ import annotations

from pathlib import Path

from shopagent.evals import load_conversations
from shopagent.evals._matchers import check_constraint

ROOT = Path(__file__).parents[2]
DATASET = ROOT / "evals" / "datasets" / "sale_v1.jsonl"


def test_every_sale_asked_for_has_products_on_sale_in_the_gate_prefix() -> None:
    from shopagent.retrieval.demo import generate_products
    from shopagent.tools.catalog import product_card

    cards = [product_card(p) for p in generate_products(240, seed=7)]
    on_sale = [c for c in cards if check_constraint("on_sale=true", c)]
    assert 10 <= len(on_sale) < len(cards) // 4  # a sale, not the whole shop
    for conv in load_conversations(DATASET):
        for turn in conv.turns:
            shown = turn.expect.products
            if shown is None or "on_sale=true" not in shown.constraints:
                continue
            kinds = [c for c in shown.constraints if c.startswith("category=")]
            assert [c for c in on_sale if all(check_constraint(k, c) for k in kinds)], conv.id


def test_the_on_sale_constraint_reads_the_card() -> None:
    assert check_constraint("on_sale=true", {"on_sale": True})
    assert not check_constraint("on_sale=true", {"on_sale": False})
    assert not check_constraint("on_sale=true", {})  # a card that does not say
