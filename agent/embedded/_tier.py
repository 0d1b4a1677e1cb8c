"""The embedded tier: understand a turn, keep the dialogue state, plan, respond."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopagent.agent.embedded import _policy, _respond, _slots, _state, _understand
from shopagent.agent.embedded._assortment import Assortment, english_word
from shopagent.agent.embedded._catalog import CatalogProfile, facets_hash
from shopagent.agent.embedded._lexicon import Lexicon, SpellFixer
from shopagent.agent.embedded._phrases import OPTION_FILTERS, option_values_of, remember
from shopagent.agent.embedded._schema import (
    DialogueState,
    NLUResult,
    Plan,
    PlannedCall,
    Reply,
    Slots,
    ToolOutcome,
)
from shopagent.agent.embedded._titles import TitleIndex
from shopagent.errors import ShopAgentError

if TYPE_CHECKING:
    from shopagent.agent.plugin_match import PluginMatcher
    from shopagent.settings import Settings

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
LEXICON_FILE = "lexicon.json"


class EmbeddedTier:
    def __init__(
        self,
        model: Any,
        lexicon: Lexicon,
        threshold: float,
        manifest: dict[str, Any] | None = None,
        known_words: set[str] | None = None,
        titles: dict[str, str] | None = None,
        profile: CatalogProfile | None = None,
    ) -> None:
        self.model = model
        self.profile = profile if profile is not None else CatalogProfile()
        # typo fixing needs the encoder's vocabulary to know which words are real
        self.spell = (
            SpellFixer(lexicon, known_words, self.profile.vocab)
            if known_words is not None
            else None
        )
        self.lexicon = lexicon
        self.threshold = threshold
        self.manifest = manifest or {}
        # product id -> title, saved with the artifact: products named by their title
        self.titles = TitleIndex(titles)
        # words that name what the shop sells: category and brand surfaces, the last
        # words of titles ("Laptop Backpack" sells backpacks, not laptops) and of the
        # merchant's short tags (a cable tagged "lead")
        self._head_nouns = (
            {s.split()[-1] for s in lexicon.surfaces["category"] if s.split()}
            | {w for s in lexicon.surfaces["brand"] for w in s.split()}
            | set(self.profile.heads)
            | self.profile.tag_heads
        )
        # what the shop sells, in meaning: closest categories, products under other names
        self.assortment = Assortment(
            self.profile,
            lexicon.surfaces.get("category"),
            self._head_nouns,
            self.spell.known if self.spell is not None else frozenset(),
        )
        self.assortment.fallback(getattr(model, "embed", None))
        # [plugin hook] tools matched by example requests (agent/plugin_match.py)
        self.plugins: PluginMatcher | None = None
        self.can_escalate = True

    def attach_text_encoder(self, encode: Callable[[Sequence[str]], Any]) -> None:
        """Judge the assortment with the catalog's text encoder (``TextEmbedder.encode``:
        L2-normalised rows); the shop's side is encoded here, once per catalog."""
        self.assortment.attach(encode)

    def attach_plugins(self, matcher: PluginMatcher, *, can_escalate: bool) -> None:
        """[plugin hook] Let turns like a tool's examples call it (agent/plugin_match.py)."""
        self.plugins, self.can_escalate = matcher, can_escalate
        # the matcher's vector of a turn continues the intent model's pass over it
        matcher.held_vector = getattr(self.model, "sentence_vector", None)

    @classmethod
    def load(cls, settings: Settings, facet_values: dict[str, list[str]]) -> EmbeddedTier:
        """Load the trained artifact from ``settings.embedded_model_path``.

        Raises ShopAgentError(code="model_not_trained") when there is none."""
        folder = Path(settings.embedded_model_path)
        if not (folder / MANIFEST).is_file():
            raise ShopAgentError(
                f"no embedded model in {folder}: run `shopagent train embedded`",
                code="model_not_trained",
            )
        from shopagent.agent.embedded._model import (  # torch: only when needed
            IntentModel,
            whole_words,
        )

        try:
            manifest = json.loads((folder / MANIFEST).read_text())
            saved = (
                json.loads((folder / LEXICON_FILE).read_text())
                if (folder / LEXICON_FILE).is_file()
                else {}
            )
            model = IntentModel.load(folder, threads=getattr(settings, "embedded_threads", 1))
        except (OSError, ValueError, KeyError, RuntimeError, EOFError) as exc:
            # a file cut short or overwritten (torch says "failed finding central
            # directory"): the service goes on without the tier, and says how to get it back
            raise ShopAgentError(
                f"the embedded model in {folder} cannot be loaded ({exc}); retrain it: "
                "`shopagent train embedded` (`make run` retrains it on start)",
                code="model_damaged",
            ) from exc
        nouns = saved.get("nouns", {})
        lexicon = Lexicon(facet_values, nouns)
        threshold = settings.nlu_confidence_threshold
        profile = CatalogProfile(saved.get("profile"))
        trained_for = manifest.get("facets_hash")
        if trained_for and trained_for != facets_hash(facet_values):
            # the shop's catalog changed since training: the model still runs, but its
            # vocabulary and generated turns are another catalog's
            log.warning(
                "the embedded model in %s was trained for another catalog; run "
                "`shopagent train embedded` (or restart with --dev) to retrain it",
                folder,
            )
            manifest = {**manifest, "catalog_mismatch": True}
        tier = cls(model, lexicon, threshold, manifest, whole_words(), saved.get("titles"), profile)
        tier.understand("hello", DialogueState())  # warm-up: the first shopper is not slower
        english_word("hello")  # the English word list, read once before the first turn
        return tier

    # --- understanding ----------------------------------------------------------------------
    def understand(
        self, text: str, state: DialogueState, *, image_id: str | None = None
    ) -> NLUResult:
        """Intent, slots normalised to the catalog's facet values, calibrated confidence
        (agent/embedded/_understand.py).

        ``image_id``: the turn's uploaded image. With an image, a search-like turn becomes a
        visual search (it is carried on the result, so ``plan`` can use it)."""
        return _understand.understand(self, text, state, image_id=image_id)

    def extract_slots(self, text: str, intent: str, context: str | None = None) -> Slots:
        """The turn's slots for ``intent`` (agent/embedded/_slots.py)."""
        return _slots.extract_slots(self, text, intent, context)

    @property
    def fuzzy(self) -> bool:
        """Scan for facet values with fuzzy matching: only when no spell fixer ran."""
        return self.spell is None

    def _closest_categories(self, text: str, k: int = 3) -> list[str]:
        return self.assortment.closest(text, k)

    # --- state, plan, respond -------------------------------------------------------------
    def update_state(self, state: DialogueState, nlu: NLUResult) -> DialogueState:
        if nlu.intent.startswith("plugin:") and self.plugins is not None:  # [plugin hook]
            return self.plugins.update_state(state, nlu)
        return _state.update_state(state, nlu)

    def plan(self, nlu: NLUResult, state: DialogueState, *, alone: bool = False) -> Plan:
        if nlu.intent.startswith("plugin:") and self.plugins is not None:  # [plugin hook]
            return self.plugins.plan(nlu, state, can_escalate=self.can_escalate)
        plan = _policy.plan(
            nlu, state, self.threshold, alone=alone, categories=self.profile.colours_by_leaf()
        )
        if plan.until_found and self._filtered_named(plan.calls[0].args, nlu.text):
            # a product named by its title's word beside an option it may have sold out
            # in: the filtered search alone first, then (plan_next) the search without it
            return plan.model_copy(
                update={"calls": plan.calls[:1], "until_found": False, "followup": True}
            )
        return plan

    def _filtered_named(self, args: dict[str, Any], text: str) -> set[str]:
        """The products the turn names by their titles' own words, in the words of the
        search ("espresso ground decaf": the decaf), when it also filters by an option value
        (Grind: Espresso). Only the turn's own words: "white" after a search for a bluetooth
        speaker names no product (its "bluetooth" was the last turn's)."""
        said = option_values_of(args)
        if not said or not len(self.titles) or int(args.get("page") or 1) > 1:
            return set()
        values = {w for v in said for w in v.lower().split()}
        query = set(str(args.get("query") or "").lower().split())
        turn = " ".join(w for w in text.lower().split() if w in query)
        return self.titles.only_titles_with(turn, values)

    def plan_next(self, nlu: NLUResult, state: DialogueState, outcomes: list[ToolOutcome]) -> Plan:
        """The one step after a plan with ``followup=True``, given that plan's outcomes.

        An empty plan (no calls, no reply) means: respond with the outcomes so far."""
        done = [
            o if isinstance(o, ToolOutcome) else ToolOutcome.model_validate(o) for o in outcomes
        ]
        if nlu.intent.startswith("plugin:") and self.plugins is not None:  # [plugin hook]
            return self.plugins.plan_next(nlu, state, done, _state.search_query(nlu, None))
        searches = [o for o in done if o.name == "catalog_search"]
        if nlu.intent in ("search", "refine") and len(searches) == 1 and searches[0].ok:
            first = searches[0]
            found = {str(p.get("id")) for p in (first.content or {}).get("products") or []}
            if found and (self._filtered_named(first.args, nlu.text) - found):
                # the product named is not among those found: the same words without the
                # option filters tell whether it comes in that value (sold out) or not
                args = {k: v for k, v in first.args.items() if k not in OPTION_FILTERS}
                call = PlannedCall(name="catalog_search", args={**args, "page": 1})
                return Plan(calls=[call], reason="the product named, unfiltered")
        return _policy.plan_next(nlu, state, done)

    def respond(
        self, nlu: NLUResult, state: DialogueState, results: list[ToolOutcome]
    ) -> tuple[Reply, DialogueState]:
        if nlu.intent.startswith("plugin:") and self.plugins is not None:  # [plugin hook]
            done = [ToolOutcome.model_validate(r) for r in results]
            reply = self.plugins.respond(nlu, state, done)
            if reply.product_ids:  # products a tool showed are what "the first one" means next
                state = _shown_by_a_tool(state, list(reply.product_ids), done)
            return reply, state
        return _respond.respond(
            nlu,
            state,
            [
                ToolOutcome.model_validate(r) if not isinstance(r, ToolOutcome) else r
                for r in results
            ],
        )


def _shown_by_a_tool(
    state: DialogueState, ids: list[str], done: list[ToolOutcome]
) -> DialogueState:
    """The products a plugin tool's reply showed, kept as a search's are (titles, prices,
    options): "what's the cheapest?" and "the fountain pen" next are read against them."""
    cards = {
        str(c.get("id")): c
        for o in done
        if o.ok and isinstance(o.content, dict)
        for c in o.content.get("products") or []
        if isinstance(c, dict) and c.get("id")
    }
    s = state.model_copy(deep=True)
    if all(i in cards for i in ids):
        remember(s, [cards[i] for i in ids])
    s.last_shown = ids
    return s
