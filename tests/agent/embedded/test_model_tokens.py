"""The intent model tokenises through the tokenizer's Rust core (a per-turn CPU saving);
what it reads must not change: the same ids and the same intent scores as the ordinary
transformers call, on texts from other shops and voices."""

from __future__ import annotations

from typing import Any

import pytest

TEXTS = [
    "cordless drill with two batteries under €150",
    "do u have the 18V impact driver in stock??",
    "Größe 42 — Gartenschere aus Edelstahl",
    "compare the 2nd and 3rd hose reels pls",
    "I'd like 3 of the terracotta pots, 30cm",
    "x" * 300,
    "  ",
    "",
    "what's the warranty on the ladder (the 2.4 m one)?",
]


def test_fast_tokens_and_scores_match_the_ordinary_call(tier: Any) -> None:
    model = tier.model
    assert model._fast is not None  # the packaged MiniLM tokenizer has a Rust core
    fast_probs = [model.probs(t) for t in TEXTS]
    fast_ids = [model.ids(t).tolist() for t in TEXTS]
    fast, model._fast = model._fast, None
    model._scores.cache_clear()  # scored again from the ordinary call's ids, not remembered
    try:
        for text, ids, probs in zip(TEXTS, fast_ids, fast_probs, strict=True):
            assert model.ids(text).tolist() == ids, text
            assert model.probs(text) == probs, text
    finally:
        model._fast = fast


def test_a_repeated_turn_is_scored_once_and_alike(tier: Any) -> None:
    model = tier.model
    model._scores.cache_clear()
    first = model.probs("do you have the 18V impact driver in stock?")
    again = model.probs("do you have the 18V impact driver in stock?")
    assert again == first and again is not first  # a copy: callers may change theirs
    assert model._scores.cache_info().hits == 1
    assert model.probs("DO YOU HAVE THE 18V IMPACT DRIVER IN STOCK?") == first  # same ids


def test_a_tokenizer_without_a_rust_core_keeps_the_ordinary_call() -> None:
    from shopagent.agent.embedded._model import fast_tokenizer

    class Slow:
        def __call__(self, text: str, **kw: Any) -> dict[str, list[int]]:
            return {"input_ids": [101, 102]}

    assert fast_tokenizer(Slow(), 48) is None


@pytest.mark.parametrize("max_len", [8, 48])
def test_truncation_length_is_kept(tier: Any, max_len: int) -> None:
    from shopagent.agent.embedded._model import fast_tokenizer

    fast = fast_tokenizer(tier.model.tok, max_len)
    long = "blue " * 100
    assert fast is not None
    assert (
        fast.encode(long).ids
        == tier.model.tok(long, truncation=True, max_length=max_len)["input_ids"]
    )
    assert len(fast.encode(long).ids) == max_len
