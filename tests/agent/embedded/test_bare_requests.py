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
from .test_shopper_answers_v4 import GARDEN, PETS


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


@pytest.mark.parametrize(("intent", "p"), [("goodbye", 0.9), ("greeting", 0.97), ("checkout", 0.4)])
def test_the_shops_own_values_alone_ask_what_to_look_for(
    encode: object, intent: str, p: float
) -> None:
    """ "blue" as the first words, however sure the model is that it says goodbye: only the
    shop's own values name what to look for, so the answer asks which product."""
    tier = _tier(PETS, encode, Reads(intent, p))
    nlu = tier.understand("blue", DialogueState())
    assert nlu.intent == "search" and nlu.notes.get("vague"), nlu
    plan = tier.plan(nlu, tier.update_state(DialogueState(), nlu))
    assert plan.reply and "blue" in plan.reply and "?" in plan.reply, plan
    # chat read the same way stays chat
    assert tier.understand("bye then", DialogueState()).intent == intent


def test_an_unsure_checkout_of_a_product_name_is_a_request(encode: object) -> None:
    tier = _tier(GARDEN, encode, Reads("checkout", 0.4))
    nlu = tier.understand("bird feeder", DialogueState())
    assert nlu.intent == "search" and nlu.slots.category == "Bird Feeders", nlu
    assert tier.understand("leaf blower", DialogueState()).notes.get("not_carried")
    # the words of a checkout keep it one
    assert tier.understand("checkout", DialogueState()).intent == "checkout"
    assert not tier.understand("checkout", DialogueState()).notes


def test_an_unsure_look_alike_reading_with_no_photo_is_a_request(encode: object) -> None:
    # "where i can find baby stroller in this shop", read as a visual search at 0.44
    tier = _tier(GARDEN, encode, Reads("visual_search", 0.44))
    nlu = tier.understand("where can i find a leaf blower in this shop", DialogueState())
    assert nlu.notes.get("not_carried"), nlu
    plan = tier.plan(nlu, tier.update_state(DialogueState(), nlu))
    assert [c.name for c in plan.calls] == ["catalog_search"], plan
