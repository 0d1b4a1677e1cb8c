"""The embedded tier: a fine-tuned MiniLM in process on CPU that understands routine shopping
turns (intent, slots, calibrated confidence), keeps the dialogue state, plans tool calls
from templates and writes grounded replies. See docs/embedded.md.

    tier = EmbeddedTier.load(settings, catalog.facet_values())
    nlu = tier.understand("red dresses under $50", state)
    state = tier.update_state(state, nlu)
    plan = tier.plan(nlu, state)            # tool calls, a direct reply, or escalate
    reply, state = tier.respond(nlu, state, outcomes)
"""

from shopagent.agent.embedded._catalog import build_profile, facets_hash, without_quantity
from shopagent.agent.embedded._lexicon import Lexicon, SpellFixer, leaf
from shopagent.agent.embedded._model import (
    IntentHead,
    IntentModel,
    encoder_dir,
    features,
    load_encoder,
    load_tokenizer,
    whole_words,
)
from shopagent.agent.embedded._schema import (
    CATALOG_SLOTS,
    INTENTS,
    SLOT_NAMES,
    DialogueState,
    NLUResult,
    Plan,
    PlannedCall,
    Reply,
    Slots,
    ToolOutcome,
)
from shopagent.agent.embedded._state import resolve_references
from shopagent.agent.embedded._tier import MANIFEST, EmbeddedTier

__all__ = [
    "CATALOG_SLOTS",
    "INTENTS",
    "MANIFEST",
    "SLOT_NAMES",
    "DialogueState",
    "EmbeddedTier",
    "IntentHead",
    "IntentModel",
    "Lexicon",
    "NLUResult",
    "Plan",
    "PlannedCall",
    "Reply",
    "Slots",
    "SpellFixer",
    "ToolOutcome",
    "build_profile",
    "facets_hash",
    "features",
    "leaf",
    "load_encoder",
    "load_tokenizer",
    "resolve_references",
    "encoder_dir",
    "whole_words",
    "without_quantity",
]
