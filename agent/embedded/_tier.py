"""The embedded tier: understand a turn, keep the dialogue state, plan, respond."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from agent.embedded import _policy, _respond, _state
from agent.embedded._lexicon import Lexicon, SpellFixer
from agent.embedded._parse import parse
from agent.embedded._schema import (
    CATALOG_SLOTS,
    PRODUCT_INTENTS,
    DialogueState,
    NLUResult,
    Plan,
    Reply,
    Slots,
    ToolOutcome,
)
from agent.embedded._titles import PURCHASE, TitleIndex
from shopagent.errors import ShopAgentError

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
LEXICON_FILE = "lexicon.json"
# Which slots each intent may carry; anything else in the turn is noise for that intent.
_FILTER_INTENTS = {"search", "refine", "visual_search"}
_CATALOG_SLOT_INTENTS = _FILTER_INTENTS | {"product_details", "add_to_cart", "remove_from_cart"}
_ORDER_INTENTS = {"order_status", "cancel_order"}
# Intents that never name a product type: if a turn does, it is a search after all.
_CHAT_INTENTS = {"out_of_scope", "help", "greeting", "goodbye", "view_cart"}
_CART_WORDS = re.compile(r"\b(?:my|the|your|to|shopping)\s(?:bag|basket|cart|trolley)\b")
# product_details questions that do name an attribute ("does it come in blue?")
_ASKS_ABOUT = re.compile(r"\b(?:does|is|it|its|it's|this|that one|made of|material)\b")
_SUPERLATIVE = re.compile(
    r"\bthe\s(?:(cheaper|cheapest|less expensive|least expensive|lower priced)|"
    r"(pricier|priciest|more expensive|most expensive|dearer))(?:\s(?:one|option|item|pair))?\b"
)
_COMPARE_CUE = re.compile(r"\b(?:difference|differ|compare|comparison|vs|versus|better|or)\b", re.I)
_PICK_INTENTS = {"add_to_cart", "product_details", "remove_from_cart"}
_PLURAL_REF = re.compile(r"\b(?:those|these|them|they|all)\b")
_NOT_A_SIZE_AFTER = re.compile(r"\s*(?:-\s*)?(?:years?|yrs?|y/?o|months?|pieces?|pcs|kg|ml|ft)\b")


class EmbeddedTier:
    def __init__(
        self,
        model: Any,
        lexicon: Lexicon,
        threshold: float,
        manifest: dict[str, Any] | None = None,
        known_words: set[str] | None = None,
        titles: dict[str, str] | None = None,
    ) -> None:
        self.model = model
        # typo fixing needs the encoder's vocabulary to know which words are real
        self.spell = SpellFixer(lexicon, known_words) if known_words is not None else None
        self.lexicon = lexicon
        self.threshold = threshold
        self.manifest = manifest or {}
        # product id -> title, saved with the artifact: products named by their title
        self.titles = TitleIndex(titles)
        # [plugin hook] tools matched by example requests (agent/plugin_match.py)
        self.plugins: Any = None
        self.can_escalate = True

    def attach_plugins(self, matcher: Any, *, can_escalate: bool) -> None:
        """[plugin hook] Let turns like a tool's examples call it (agent/plugin_match.py)."""
        self.plugins, self.can_escalate = matcher, can_escalate

    def _plugin_turn(
        self, text: str, state: DialogueState, scores: dict[str, float]
    ) -> NLUResult | None:
        """[plugin hook] The turn as a request for a plugin tool, if it reads like one."""
        hit = self.plugins.match(text) if self.plugins is not None else None
        if hit is None:
            return None
        found = self.extract_slots(text, "product_details")
        shown = {pid: str(v["title"]) for pid, v in state.shown.items() if v.get("title")}
        titled = self.titles.match(text, shown) if (len(self.titles) or shown) else None
        slots = Slots(
            reference=None if titled else found.reference,
            product_id=titled.product_id if titled else found.product_id,
            order_id=found.order_id,
            quantity=found.quantity,
        )
        intent = f"plugin:{hit.tool}"
        return NLUResult(
            intent=intent,
            confidence=round(max(hit.score, self.threshold), 4),
            slots=slots,
            intent_scores={**{k: round(v, 4) for k, v in scores.items()}, intent: hit.score},
            text=text,
        )

    @classmethod
    def load(cls, settings: Any, facet_values: dict[str, list[str]]) -> EmbeddedTier:
        """Load the trained artifact from ``settings.embedded_model_path``.

        Raises ShopAgentError(code="model_not_trained") when there is none."""
        folder = Path(settings.embedded_model_path)
        if not (folder / MANIFEST).is_file():
            raise ShopAgentError(
                f"no embedded model in {folder}: run `shopagent train embedded`",
                code="model_not_trained",
            )
        from agent.embedded._model import IntentModel, whole_words  # torch: only when needed

        manifest = json.loads((folder / MANIFEST).read_text())
        saved = (
            json.loads((folder / LEXICON_FILE).read_text())
            if (folder / LEXICON_FILE).is_file()
            else {}
        )
        nouns = saved.get("nouns", {})
        model = IntentModel.load(folder, threads=getattr(settings, "embedded_threads", 1))
        lexicon = Lexicon(facet_values, nouns)
        threshold = settings.nlu_confidence_threshold
        tier = cls(model, lexicon, threshold, manifest, whole_words(), saved.get("titles"))
        tier.understand("hello", DialogueState())  # warm-up: the first shopper is not slower
        return tier

    # --- understanding ----------------------------------------------------------------------
    def understand(
        self, text: str, state: DialogueState, *, image_id: str | None = None
    ) -> NLUResult:
        """Intent, slots normalised to the catalog's facet values, calibrated confidence.

        ``image_id``: the turn's uploaded image. With an image, a search-like turn becomes a
        visual search (it is carried on the result, so ``plan`` can use it)."""
        text = self.spell(text) if self.spell else text
        scores = self.model.probs(text)
        if self.plugins is not None and image_id is None:  # [plugin hook]
            plugin = self._plugin_turn(text, state, scores)
            if plugin is not None:
                return plugin
        intent = max(scores, key=scores.__getitem__)
        nlu_intent = intent
        confidence = scores[intent]
        low = text.lower()
        cart_words = [m.span() for m in _CART_WORDS.finditer(low)]
        named = {m.slot for m in self.lexicon.scan(low, cart_words, fuzzy=False)}
        if (
            intent == "search"
            and not named & {"category", "brand"}
            and state.filters.get("category")
            and (image_id is None)
        ):
            # "forget the budget, show me everything in that colour": no new product type,
            # so it narrows (or widens) the current search
            intent = "refine"
            confidence = scores["search"] + scores["refine"]
        elif intent == "refine" and "category" in named:
            intent = "search"  # naming a product type starts a search; refining keeps one
            confidence = scores["search"] + scores["refine"]
        elif intent in _CHAT_INTENTS and named & {"category", "brand"}:
            # "mechanical keyboard from Voltix": the catalog's words make it shopping
            intent, confidence = "search", scores["search"] + scores["refine"]
        elif (
            intent in _CHAT_INTENTS
            and named & {"color", "material", "size", "style", "audience"}
            and (state.filters or state.query)
        ):
            # "now in gold" during a search: a refinement, not small talk
            intent, confidence = "refine", scores["search"] + scores["refine"]
        # A product named by its title ("buy Nordvale Navy Denim Women's Bootcut Jeans size
        # L"): with a purchase cue outside the title it is an add to cart, whatever the
        # title's catalog words made the model think.
        shown = {pid: str(v["title"]) for pid, v in state.shown.items() if v.get("title")}
        titled_all = self.titles.match_all(text, shown) if (len(self.titles) or shown) else []
        titled = titled_all[0] if len(titled_all) == 1 else None
        if not titled_all and shown:
            titled = self.titles.match(text, shown)
        rest = text
        for t in titled_all or ([titled] if titled else []):
            rest = rest[: t.start] + " " * (t.end - t.start) + rest[t.end :]
        if len(titled_all) >= 2 and (
            intent not in ("add_to_cart", "remove_from_cart") or _COMPARE_CUE.search(rest)
        ):
            # "what's the difference between the <title> and the <title>?"
            intent = "compare"
            confidence = max(confidence, scores.get("compare", 0.0) + scores[nlu_intent])
        elif titled is not None and intent not in PRODUCT_INTENTS and PURCHASE.search(rest):
            intent = "add_to_cart"
            confidence = max(
                confidence,
                sum(scores.get(k, 0.0) for k in ("add_to_cart", "search", "refine")),
            )
        elif intent in ("search", "refine") and not image_id and PURCHASE.search(low):
            # "take the third one in a large": a purchase verb and a shown product by position
            if any(r != "it" for r in parse(text).references):
                intent = "add_to_cart"
                confidence = max(
                    confidence,
                    sum(scores.get(k, 0.0) for k in ("add_to_cart", "search", "refine")),
                )
        if intent not in PRODUCT_INTENTS:
            rest = text  # a title in a search is what the shopper is looking for
        slots = self.extract_slots(rest, intent)
        if len(titled_all) >= 2 and intent == "compare":
            slots.product_id = ",".join(dict.fromkeys(t.product_id for t in titled_all))
            slots.reference = None
        elif (
            titled is not None
            and intent in PRODUCT_INTENTS
            and intent != "compare"
            and not slots.product_id
        ):
            slots.product_id = titled.product_id
            slots.reference = None
        elif intent in ("product_details", "compare") and not (slots.reference or slots.product_id):
            # "what's there below $850", "ok show me the blue ones": filters, no product
            p = parse(text)
            fil = self.extract_slots(text, "refine")
            if (
                not p.references
                and (
                    fil.price_min is not None
                    or fil.price_max is not None
                    or fil.color
                    or fil.material
                    or (fil.size and intent != "product_details")
                )
                and not _ASKS_ABOUT.search(text.lower())
            ):
                intent, slots = "refine", fil
                confidence = max(confidence, scores.get("refine", 0.0) + scores[nlu_intent])
        if image_id and intent in ("search", "refine", "visual_search", "product_details"):
            intent = "visual_search"
            confidence = max(confidence, scores.get("visual_search", 0.0))
        return NLUResult(
            intent=intent,
            confidence=round(confidence, 4),
            slots=slots,
            intent_scores={k: round(v, 4) for k, v in scores.items()},
            image_id=image_id,
            text=text,
        )

    def extract_slots(self, text: str, intent: str) -> Slots:
        p = parse(text)
        found: dict[str, Any] = {}
        if intent in _CATALOG_SLOT_INTENTS:
            # "my bag" is the cart, not the Bags category
            blocked = p.spans + [m.span() for m in _CART_WORDS.finditer(p.text)]
            # typos are already fixed when a spell fixer runs; fuzzy scanning is the fallback
            for m in self.lexicon.scan(p.text, blocked, fuzzy=self.spell is None):
                if (
                    m.slot == "size"
                    and m.value.isdigit()
                    and _NOT_A_SIZE_AFTER.match(p.text, m.end)
                ):
                    continue
                found[m.slot] = m.value  # a later mention wins ("no wait, the blue one")
        if intent in _FILTER_INTENTS:
            found.update(price_min=p.price_min, price_max=p.price_max, modifier=p.modifier)
        if intent in PRODUCT_INTENTS:
            refs = p.references
            if intent == "compare" and len(refs) < 2 and p.bare_numbers:
                refs = list(dict.fromkeys([*refs, *p.bare_numbers]))
            if intent == "compare" and refs == ["it"] and _PLURAL_REF.search(p.text):
                refs = []  # "which of those is the cheapest": all of them
            sup = _SUPERLATIVE.search(p.text)
            if intent in _PICK_INTENTS and sup and (not refs or refs == ["it"]):
                refs = ["cheapest" if sup.group(1) else "priciest"]
            if refs:
                found["reference"] = ",".join(refs)
            if p.product_ids:
                found["product_id"] = ",".join(p.product_ids)
        if intent == "add_to_cart" and p.quantity:
            found["quantity"] = p.quantity
        if intent in _ORDER_INTENTS and (p.order_ids or p.product_ids):
            found["order_id"] = (p.order_ids or p.product_ids)[0]
        if intent == "add_to_cart":  # the product is the reference; its type adds nothing
            found.pop("category", None)
        if intent == "compare":  # catalog words in "compare the blue one" are references
            for k in CATALOG_SLOTS:
                found.pop(k, None)
        return Slots(**{k: v for k, v in found.items() if v is not None})

    # --- state, plan, respond -------------------------------------------------------------
    def update_state(self, state: DialogueState, nlu: NLUResult) -> DialogueState:
        if nlu.intent.startswith("plugin:") and self.plugins is not None:  # [plugin hook]
            return self.plugins.update_state(state, nlu)  # type: ignore
        return _state.update_state(state, nlu)

    def plan(self, nlu: NLUResult, state: DialogueState) -> Plan:
        if nlu.intent.startswith("plugin:") and self.plugins is not None:  # [plugin hook]
            return self.plugins.plan(nlu, state, can_escalate=self.can_escalate)  # type: ignore
        return _policy.plan(nlu, state, self.threshold)

    def plan_next(self, nlu: NLUResult, state: DialogueState, outcomes: list[ToolOutcome]) -> Plan:
        """The one step after a plan with ``followup=True``, given that plan's outcomes.

        An empty plan (no calls, no reply) means: respond with the outcomes so far."""
        return _policy.plan_next(
            nlu,
            state,
            [o if isinstance(o, ToolOutcome) else ToolOutcome.model_validate(o) for o in outcomes],
        )

    def respond(
        self, nlu: NLUResult, state: DialogueState, results: list[ToolOutcome]
    ) -> tuple[Reply, DialogueState]:
        if nlu.intent.startswith("plugin:") and self.plugins is not None:  # [plugin hook]
            done = [ToolOutcome.model_validate(r) for r in results]
            return self.plugins.respond(nlu, state, done), state
        return _respond.respond(
            nlu,
            state,
            [
                ToolOutcome.model_validate(r) if not isinstance(r, ToolOutcome) else r
                for r in results
            ],
        )
