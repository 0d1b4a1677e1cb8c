"""The committed replay set: valid, reproducible, grounded in the demo catalog, covering
every tool and intent the agent has."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from shopagent.evals import load_conversations
from shopagent.evals._format import CONSTRAINT_RE, iter_jsonl

DATASET = Path(__file__).parents[2] / "evals" / "datasets" / "shop_v1.jsonl"


@pytest.fixture(scope="module")
def convs():  # type: ignore[no-untyped-def]
    return load_conversations(DATASET)


def test_dataset_validates_and_has_the_promised_shape(convs) -> None:  # type: ignore[no-untyped-def]
    assert len(convs) >= 150
    assert all(2 <= len(c.turns) <= 8 for c in convs), [
        c.id for c in convs if not 2 <= len(c.turns) <= 8
    ]
    tags = Counter(tag for c in convs for tag in c.tags)
    for tag in (
        "refinement",
        "references",
        "image",
        "comparison",
        "cart",
        "checkout",
        "refusal",
        "orders",
        "off_topic",
        "adversarial",
        "multi_constraint",
        "facets",
    ):
        assert tags[tag] >= 1, tag
    assert tags["adversarial"] >= 10


def test_builder_reproduces_the_committed_file(convs) -> None:  # type: ignore[no-untyped-def]
    from shopagent.evals.datasets.build_shop_v1 import Builder

    built = list(iter_jsonl(Builder().build()))
    assert built == DATASET.read_text().splitlines(), (
        "shop_v1.jsonl is stale: run `python -m shopagent.evals.datasets.build_shop_v1`"
    )


def test_every_tool_and_routine_intent_is_exercised(convs) -> None:  # type: ignore[no-untyped-def]
    from shopagent.agent.router import ROUTINE_INTENTS
    from shopagent.tools.builtin import build_registry

    # Every tool is exercised by some committed dataset (discovery tools: discovery_v1).
    every = [c for f in sorted(DATASET.parent.glob("*.jsonl")) for c in load_conversations(f)]
    expected_tools = {
        n for c in every for t in c.turns for e in t.expect.tool_calls or [] for n in e.names
    }
    confirmed = [getattr(t.expect.confirmation, "tool", None) for c in every for t in c.turns]
    # a confirmation may accept one of several tools (e.g. update_cart_quantity or ...)
    confirm_tools = {
        n
        for tool in confirmed
        if tool is not None
        for n in ([tool] if isinstance(tool, str) else getattr(tool, "one_of", []))
    }
    assert set(build_registry().names()) <= expected_tools | confirm_tools
    intents = {t.intent for c in convs for t in c.turns}
    assert set(ROUTINE_INTENTS) <= intents
    # Writes are always confirmed somewhere and refused somewhere.
    answers = Counter(t.confirm for c in convs for t in c.turns if t.kind == "confirm")
    assert answers[True] >= 40 and answers[False] >= 15


def test_grounded_in_the_demo_catalog_prefix(convs) -> None:  # type: ignore[no-untyped-def]
    from shopagent.retrieval.demo import generate_products, vocabulary

    prefix = {p.id: p for p in generate_products(240, seed=7)}
    vocab = {k: {v.casefold() for v in vs} for k, vs in vocabulary().items()}
    vocab["category"] |= {v.casefold() for v in vocabulary()["category"]}
    ids: set[str] = set()
    for c in convs:
        for t in c.turns:
            if t.image is not None:
                assert t.image.product_id is not None
                ids.add(t.image.product_id)
            pe = t.expect.products
            if pe is None:
                continue
            ids |= set(pe.include) | set(pe.exclude)
            for con in pe.constraints:
                field, _, value = CONSTRAINT_RE.match(con).groups()  # type: ignore[union-attr]
                if field in vocab:
                    assert value.casefold() in vocab[field], (c.id, con)
    assert ids and ids <= set(prefix), sorted(ids - set(prefix))
    # Shoppers name products by their catalog titles (the add/compare/order families).
    titles = [p.title for p in prefix.values()]
    naming = [
        t.user
        for c in convs
        for t in c.turns
        if t.user and any(title in t.user for title in titles)
    ]
    assert len(naming) >= 50
