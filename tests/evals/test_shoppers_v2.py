"""shoppers_v2: hand-written shoppers' conversations for #12's behaviours. Valid against the
published JSON schema, reproducible from its source, covering each family, and true of the
demo catalog prefix the CI gate builds."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from shopagent.evals import load_conversations
from shopagent.evals._format import iter_jsonl
from shopagent.evals._matchers import check_constraint

ROOT = Path(__file__).parents[2]
DATASET = ROOT / "evals" / "datasets" / "shoppers_v2.jsonl"
SCHEMA = ROOT / "evals" / "schema" / "conversation.schema.json"
TAGS = ("product_qa", "not_carried", "clarify", "typos", "cart_edits", "follow_up")


@pytest.fixture(scope="module")
def convs():  # type: ignore[no-untyped-def]
    return load_conversations(DATASET)


def test_every_line_validates_against_the_published_schema() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    lines = DATASET.read_text().splitlines()
    errors = {
        i: [e.message for e in validator.iter_errors(json.loads(x))] for i, x in enumerate(lines, 1)
    }
    assert {i: e for i, e in errors.items() if e} == {}
    # The schema would catch a misspelt expectation key (extra keys are refused).
    bad = json.loads(lines[0])
    bad["turns"][0]["expect"]["grounde"] = {"product": 1}
    assert list(validator.iter_errors(bad))


def test_builder_reproduces_the_committed_file() -> None:
    from shopagent.evals.datasets.build_shoppers_v2 import build

    assert list(iter_jsonl(build())) == DATASET.read_text().splitlines(), (
        "shoppers_v2.jsonl is stale: run `python -m shopagent.evals.datasets.build_shoppers_v2`"
    )


def test_size_and_families(convs) -> None:  # type: ignore[no-untyped-def]
    assert len(convs) >= 80
    tags = Counter(tag for c in convs for tag in c.tags)
    assert {t: tags[t] for t in TAGS if tags[t] < 12} == {}
    # Hand-written: no shopper line repeats, apart from bare answers like "yes".
    lines = Counter(t.user for c in convs for t in c.turns if t.user and len(t.user) > 6)
    assert [u for u, n in lines.items() if n > 1] == []
    # The families use the extensions they were written for.
    expects = [t.expect for c in convs for t in c.turns]
    assert sum(e.grounded is not None for e in expects) >= 30
    assert sum(bool(e.clarify) for e in expects) >= 6
    assert sum("other_user" in e.forbid for e in expects) >= 4


def test_true_of_the_gate_catalog_prefix(convs) -> None:  # type: ignore[no-untyped-def]
    from shopagent.retrieval.demo import generate_products
    from shopagent.tools.catalog import product_card

    cards = [product_card(p) for p in generate_products(240, seed=7)]
    ids = {c["id"] for c in cards}
    titles = {c["id"]: c["title"] for c in cards}
    for c in convs:
        for t in c.turns:
            e = t.expect
            if e.grounded is not None and isinstance(e.grounded.product, str):
                assert e.grounded.product in ids, (c.id, e.grounded.product)
            pe = e.products
            if pe is None:
                continue
            assert set(pe.include) <= ids, (c.id, pe.include)
            if (pe.min_count or 0) >= 1:
                n = sum(all(check_constraint(k, card) for k in pe.constraints) for card in cards)
                assert n >= pe.min_count, (c.id, pe.constraints, n)
    # Named products are named by their catalog titles.
    named = [
        t.user
        for c in convs
        for t in c.turns
        if t.user and any(title in t.user for title in titles.values())
    ]
    assert len(named) >= 20


def test_named_products_are_unambiguous_in_the_default_catalog(convs) -> None:  # type: ignore[no-untyped-def]
    """A title two products share makes "add the <title>" a coin toss: each product a
    conversation names by title has that title alone among the 5,000 default products."""
    from collections import defaultdict

    from shopagent.retrieval.demo import generate_products

    ids_by_title: dict[str, list[str]] = defaultdict(list)
    for p in generate_products(5000, seed=7):
        ids_by_title[p.title].append(p.id)
    prefix = {t for t, ids in ids_by_title.items() if any(int(i[2:]) < 240 for i in ids)}
    named = {title for c in convs for t in c.turns if t.user for title in prefix if title in t.user}
    assert named and {t: ids_by_title[t] for t in named if len(ids_by_title[t]) > 1} == {}
