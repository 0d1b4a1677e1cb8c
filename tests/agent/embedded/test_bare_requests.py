"""A shopper's first words that name one thing and nothing else: the intent model may read
them as a refinement (of nothing yet) or as small talk ("a snorkel" starts with an
article), yet they ask for a product. The shop's answer is the search or the honest "we
don't carry", never an unfiltered list nor "I can only help with shopping". The intent
model is a stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier

from .mini_shop import Reads
from .mini_shop import after as _after
from .mini_shop import shop_tier as _tier
from .test_shopper_answers_v4 import GARDEN


@pytest.mark.parametrize("text", ["snorkel", "wheelbarrow", "leaf blower"])
def test_a_first_word_read_as_a_refinement_is_judged_as_a_request(
    encode: object, text: str
) -> None:
    tier = _tier(GARDEN, encode, Reads("refine", 0.45))
    nlu = tier.understand(text, DialogueState())
    assert nlu.notes.get("not_carried"), nlu
    # a thing the shop sells, read the same way, is searched
    assert not tier.understand("garden hose", DialogueState()).notes.get("not_carried")


def test_a_refinement_of_shown_results_is_not_judged_as_a_new_request(encode: object) -> None:
    tier = _tier(GARDEN, encode, Reads("refine", 0.45))
    shown = _after(tier, "garden hose")
    nlu = tier.understand("longer", shown)
    assert "not_carried" not in nlu.notes, nlu


@pytest.mark.parametrize("text", ["a snorkel", "an ice scraper", "the wheelbarrow"])
def test_an_article_before_a_thing_is_no_small_talk(encode: object, text: str) -> None:
    tier: EmbeddedTier = _tier(GARDEN, encode, Reads("out_of_scope", 0.97))
    nlu = tier.understand(text, DialogueState())
    assert nlu.notes.get("not_carried"), nlu
    # chat with an article is still chat
    assert not tier.understand("the weather", DialogueState()).notes.get("not_carried")
