"""The embedded tier: a fine-tuned MiniLM in process on CPU that understands routine shopping
turns (intent, slots, calibrated confidence), keeps the dialogue state, plans tool calls
from templates and writes grounded replies. See docs/embedded.md.

    tier = EmbeddedTier.load(settings, catalog.facet_values())
    nlu = tier.understand("red dresses under $50", state)
    state = tier.update_state(state, nlu)
    plan = tier.plan(nlu, state)            # tool calls, a direct reply, or escalate
    reply, state = tier.respond(nlu, state, outcomes)
"""

from agent.embedded._lexicon import Lexicon
from agent.embedded._schema import (
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
from agent.embedded._state import resolve_references
from agent.embedded._tier import MANIFEST, EmbeddedTier

__all__ = [
    "CATALOG_SLOTS",
    "INTENTS",
    "MANIFEST",
    "SLOT_NAMES",
    "DialogueState",
    "EmbeddedTier",
    "Lexicon",
    "NLUResult",
    "Plan",
    "PlannedCall",
    "Reply",
    "Slots",
    "ToolOutcome",
    "resolve_references",
]
