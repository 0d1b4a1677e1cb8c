"""Complete the look in a camping shop: categories that go with the anchor equally often
come in the same order in every process. Before, a set's order (which changes with
Python's per-process string hashing) broke the ties, so the same look listed its items in
another order from one eval replay to the next."""

from __future__ import annotations

import json

from tests.hashseed import printed_under_seed

SCRIPT = """
import json
from decimal import Decimal
from shopagent.retrieval.schema import Product
from shopagent.tools.discovery._complements import ComplementModel

def p(pid, category):
    return Product(id=pid, title=pid, category=category, price=Decimal("10"))

tent = p("tent", "Camping > Tents")
others = [
    p("bag", "Camping > Sleeping Bags"),
    p("lamp", "Camping > Lanterns"),
    p("stove", "Cooking > Camp Stoves"),
    p("mug", "Cooking > Enamel Mugs"),
    p("mat", "Camping > Sleeping Mats"),
]
# every category goes with tents once: all tied
groups = [[tent, o] for o in others] + [[tent, others[0], others[1], others[2]]]
model = ComplementModel({}).fit(groups)
print(json.dumps(model.complements(tent, [])))
"""


def _order(seed: int) -> str:
    return printed_under_seed(SCRIPT, seed)


def test_tied_complements_come_in_one_order_in_every_process() -> None:
    first = _order(1)
    # the three seen twice first, then the rest; ties by name
    assert [c for c, _ in json.loads(first)] == [
        "camp stoves",
        "lanterns",
        "sleeping bags",
        "enamel mugs",
        "sleeping mats",
    ], first
    for seed in (2, 3, 4, 5):
        assert _order(seed) == first, f"PYTHONHASHSEED={seed} ordered the complements differently"
