"""The embedded tier: understand a turn, keep the dialogue state, plan, respond."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopagent.agent.embedded import _guards, _policy, _respond, _slots, _state
from shopagent.agent.embedded._assortment import Assortment, english_word
from shopagent.agent.embedded._catalog import CatalogProfile, facets_hash
from shopagent.agent.embedded._cues import (
    ABOUT_IT,
    ANOTHER,
    ASKS_FOR,
    CHAT_WORDS,
    OFF_TOPIC_START,
    PLURAL,
    QUESTION,
    QUESTION_ABOUT,
    REMOVE_CUE,
    SET_QUANTITY,
    STOCK_QUESTION,
    WHERE_TO_FIND,
)
from shopagent.agent.embedded._lexicon import Lexicon, SpellFixer
from shopagent.agent.embedded._parse import parse, words_to_numbers
from shopagent.agent.embedded._schema import (
    CATALOG_SLOTS,
    PRODUCT_INTENTS,
    DialogueState,
    NLUResult,
    Plan,
    Reply,
    Slots,
    ToolOutcome,
)
from shopagent.agent.embedded._slots import CART_WORDS, FILTER_INTENTS
from shopagent.agent.embedded._titles import PURCHASE, TitleIndex
from shopagent.errors import ShopAgentError

if TYPE_CHECKING:
    from shopagent.agent.plugin_match import PluginMatcher
    from shopagent.settings import Settings

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
LEXICON_FILE = "lexicon.json"
# With a product's title and no purchase verb, these still ask for it to be added.
# "do you sell / carry / stock <something>": about the shop's range unless "it", "this",
# "them" or a position ("the first one") follows.
_ASKS_THE_SHOP = re.compile(
    r"\b(?:do|does) (?:you|u|the shop|your shop|this shop) (?:guys )?"
    r"(?:sell|carry|stock|offer)\s+(?!(?:it|its|this|that|them|these|those|one|"
    r"any of (?:them|these|those)|the (?:first|second|third|last|same|other))\b)"
)
_ADD_CUE = re.compile(r"\d|\b(?:please|pls|plz|too|also|as well|another|one more)\b", re.I)
# Intents that never name a product type: if a turn does, it is a search after all.
_CHAT_INTENTS = {"out_of_scope", "help", "greeting", "goodbye", "view_cart"}
_SMALL_TALK = {"out_of_scope", "help", "greeting", "goodbye"}
_FACET_QUESTION = re.compile(
    r"\b(?:which|what)\s(?:kinds? of\s|types? of\s)?(brands?|materials?|colou?rs?|sizes?|styles?)"
    r"\b|\b(?:are|is) (?:the|your|these|those) [\w ]{2,30}? made (?:of|from)\b",
    re.I,
)
_ORDER_QUESTION = re.compile(
    r"\b(?:status|track|tracking|where(?:'s| is)?|shipped|arrive|delivered)\b.*\border\b|"
    r"\border\b.*\b(?:status|shipped|arrive|arriving|delivered|tracking)\b",
    re.I,
)
# product_details questions that do name an attribute ("does it come in blue?")
_ASKS_ABOUT = re.compile(r"\b(?:does|is|it|its|it's|this|that one|made of|material)\b")
_COMPARE_CUE = re.compile(r"\b(?:difference|differ|compare|comparison|vs|versus|better|or)\b", re.I)
# Words of taking something out of the cart (beyond REMOVE_CUE's verbs)
_TAKE_BACK = re.compile(
    r"\b(?:remove|delete|take|drop|get rid|cancel|undo|don'?t|do not|no longer|never ?mind|"
    r"instead|without|out|cart|basket|bag|trolley|changed my mind)\b"
)


def _slot_words(slots: Slots) -> set[str]:
    return {
        w
        for k in ("color", "size", "material", "style", "audience")
        if (v := getattr(slots, k))
        for w in str(v).lower().split()
    }


def _filters(slots: Slots) -> bool:
    return any(getattr(slots, k) is not None for k in (*CATALOG_SLOTS, "price_min", "price_max"))


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
        # words that name what the shop sells: category and brand surfaces and the last
        # words of titles ("Laptop Backpack" sells backpacks, not laptops)
        self._head_nouns = (
            {s.split()[-1] for s in lexicon.surfaces["category"] if s.split()}
            | {w for s in lexicon.surfaces["brand"] for w in s.split()}
            | set(self.profile.heads)
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

    def _plugin_turn(
        self, text: str, state: DialogueState, scores: dict[str, float]
    ) -> NLUResult | None:
        """[plugin hook] The turn as a request for a plugin tool, if it reads like one."""
        hit = self.plugins.match(text, state) if self.plugins is not None else None
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
        """Intent, slots normalised to the catalog's facet values, calibrated confidence.

        ``image_id``: the turn's uploaded image. With an image, a search-like turn becomes a
        visual search (it is carried on the result, so ``plan`` can use it)."""
        pending = state.extra.get("pending_option")
        if pending and not image_id:
            value = _guards.answer_option(text, pending)
            if value is not None:
                # "clicky" after "which switch type?": the pending add, completed
                options = {**(pending.get("chosen") or {}), str(pending["option"]): value}
                return NLUResult(
                    intent="add_to_cart",
                    confidence=1.0,
                    slots=Slots(
                        product_id=str(pending["product_id"]),
                        quantity=pending.get("quantity"),
                        options=options,
                    ),
                    text=text,
                    notes={"option_answer": True},
                )
        nlu = self._read(text, state, image_id=image_id)
        notes: dict[str, Any] = {}
        if nlu.intent.startswith("plugin:"):
            return nlu
        in_play = bool(state.focus or state.last_shown)
        searching = bool(state.filters or state.query)
        cart = state.extra.get("cart") or []
        named = {m.slot for m in self.lexicon.scan(nlu.text.lower(), [], fuzzy=False)}
        if nlu.intent in ("search", "refine") and len(self.titles):
            named_title = self.titles.match(nlu.text)
            if named_title is not None and named_title.exact:
                notes["titled"] = named_title.product_id  # "it" next is that product
        if _guards.other_user(text):
            notes["other_user"] = True
        elif _guards.negative_price(text):
            notes["negative_price"] = True
        elif (yn := _guards.yes_no(text)) is not None:
            notes["yes_no"] = yn
        elif cart and (qty := SET_QUANTITY.search(words_to_numbers(nlu.text.lower()))):
            notes["set_quantity"] = int(qty.group(1))  # "make it 3"
            nlu.intent, nlu.confidence = "add_to_cart", max(nlu.confidence, 0.9)
        elif (
            (cart or state.focus)
            and ANOTHER.search(nlu.text)
            and nlu.intent not in ("remove_from_cart", "view_cart", "checkout")
        ):
            # "and another one of those for my sister": the same product (and variant) again
            line = next(
                (ln for ln in cart if ln.get("product_id") == state.focus),
                cart[-1] if cart else None,
            )
            notes["another"] = {
                "product_id": (line or {}).get("product_id") or state.focus,
                "variant_id": (line or {}).get("variant_id"),
            }
            nlu.intent, nlu.confidence = "add_to_cart", max(nlu.confidence, 0.9)
        elif cart and REMOVE_CUE.search(nlu.text) and nlu.intent != "remove_from_cart":
            nlu.intent, nlu.confidence = "remove_from_cart", max(nlu.confidence, 0.9)
            nlu.slots = self.extract_slots(nlu.text, "remove_from_cart")
        elif (
            in_play
            and not image_id
            and nlu.intent
            not in (
                "add_to_cart",
                "remove_from_cart",
                "checkout",
                "view_cart",
                "order_status",
                "cancel_order",
                "compare",
            )
            and not named & {"category", "brand"}
            and not re.search(r"\b(?:orders?|delivery|package|parcel)\b", nlu.text, re.I)
            and not _ASKS_THE_SHOP.search(text.lower())  # "do you sell umbrellas?"
            and (
                (
                    ABOUT_IT.search(nlu.text)
                    and not (
                        # "do they come in purple?" over a list: narrow the list
                        _filters(nlu.slots)
                        and len(state.last_shown) > 1
                        and PLURAL.search(nlu.text)
                    )
                )
                or (
                    nlu.intent in ("search", "refine")
                    and QUESTION.search(nlu.text)
                    and not _filters(nlu.slots)
                )
            )
        ):
            # "and the price?", "is that real silver?", "how many have you got left":
            # about the product in play, not a new search
            nlu.intent, nlu.confidence = "product_details", max(nlu.confidence, 0.9)
            nlu.slots = self.extract_slots(nlu.text, "product_details")
        elif not image_id and (
            nlu.intent in ("search", "refine")
            or (
                nlu.intent in _SMALL_TALK
                and nlu.confidence < self.threshold
                and ASKS_FOR.search(nlu.text)
            )
            or (
                # "where i can find baby stroller in this shop" read as an add at 0.48: a
                # request for a product, whatever the unsure model says
                nlu.intent in ("add_to_cart", "product_details", "human_handoff")
                and nlu.confidence < self.threshold
                and (ASKS_FOR.match(nlu.text) or WHERE_TO_FIND.match(nlu.text))
                and not nlu.slots.product_id
                and not parse(nlu.text).references
            )
            or (
                # "HEPA air purifier", "blendr": a few words, no chat, read as small talk
                (nlu.intent == "out_of_scope" or nlu.confidence < self.threshold)
                and nlu.intent in (*_SMALL_TALK, "human_handoff")
                and len(nlu.text.split()) <= 4
                and not CHAT_WORDS.search(nlu.text)
                and re.search(r"[a-z]{4}", nlu.text.lower())
            )
        ):
            # the intent label stays the model's (the NLU is measured on it); the notes
            # tell the planner what to do instead
            slot_words = _slot_words(nlu.slots)
            asks = bool(ASKS_FOR.match(nlu.text) or WHERE_TO_FIND.match(nlu.text))
            if (nlu.intent != "refine" or (asks and not named and not nlu.slots.filled())) and (
                asks or not OFF_TOPIC_START.match(nlu.text)
            ):
                self._note_missing(nlu, named, slot_words, notes)
            if (
                nlu.intent in ("search", "refine")
                and not searching
                and "not_carried" not in notes
                and not (named & {"category", "brand"})
                and not _guards.content_words(nlu.text, slot_words)
            ):
                notes["vague"] = True  # "blue", "cheap", "something nice?": ask first
        facet = _FACET_QUESTION.search(nlu.text)
        if facet and nlu.intent in ("search", "refine") and "not_carried" not in notes:
            # "which brands of desks do you carry?": the answer is the facet's values
            word = (facet.group(1) or "material").lower().rstrip("s")
            notes["facet_question"] = {"colour": "color", "made of": "material"}.get(word, word)
        if nlu.intent == "product_details" and _ORDER_QUESTION.search(nlu.text):
            nlu.intent = "order_status"  # "what's the status of that order?"
            nlu.slots = self.extract_slots(nlu.text, "order_status")
        if nlu.intent == "product_details" and QUESTION.search(nlu.text):
            notes["question"] = True
        nlu.notes = notes
        return nlu

    def _note_missing(
        self, nlu: NLUResult, named: set[str], slot_words: set[str], notes: dict[str, Any]
    ) -> None:
        """Notes for a request of something the shop may not sell (``Assortment.judge``):
        ``not_carried`` and ``closest``; a product under another name narrows the search
        to its category; ``product_like`` when a turn read as small talk names a product."""
        chat = nlu.intent not in ("search", "refine")
        verdict = self.assortment.judge(nlu.text, named, slot_words, chat=chat)
        if verdict.missing:
            notes["not_carried"] = verdict.missing  # "show me umbrellas", "blender"
            if verdict.closest:
                notes["closest"] = verdict.closest
            return
        if verdict.no_words:
            return  # "xqzt": no word of it is a word; not a request for a product
        if verdict.category and nlu.intent in FILTER_INTENTS and not nlu.slots.category:
            nlu.slots.category = verdict.category  # "any jigsaws?": the shop's Puzzles
        if chat:
            notes["product_like"] = True  # "HEPA air purifier", "couch?": a product search

    def _read(self, text: str, state: DialogueState, *, image_id: str | None = None) -> NLUResult:
        typed = text.lower()
        asks_the_shop = _ASKS_THE_SHOP.search(typed)  # as typed: "sell" is no typo
        fixed = self.spell(text) if self.spell else text
        scores = self.model.probs(fixed)
        if fixed != text:
            # a correction must not override a confident reading of the shopper's own
            # words ("whats in my crat" is view_cart as written)
            original = self.model.probs(text)
            top_fixed = max(scores, key=scores.__getitem__)
            top_original = max(original, key=original.__getitem__)
            if (
                top_original != top_fixed
                and top_original not in FILTER_INTENTS
                and original[top_original] >= max(0.9, scores[top_fixed])
            ):
                fixed, scores = text, original
        text = fixed
        if self.plugins is not None and image_id is None:  # [plugin hook]
            plugin = self._plugin_turn(text, state, scores)
            if plugin is not None and not self.assortment.asks_for_a_kind(
                text, {m.slot for m in self.lexicon.scan(text.lower(), [], fuzzy=False)}
            ):
                return plugin
        intent = max(scores, key=scores.__getitem__)
        nlu_intent = intent
        confidence = scores[intent]
        low = text.lower()
        cart_words = [m.span() for m in CART_WORDS.finditer(low)]
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
        elif (
            titled is not None
            and intent in ("search", "refine", "add_to_cart", "out_of_scope", "help")
            and not PURCHASE.search(rest)
            and QUESTION_ABOUT.search(rest)
            and (STOCK_QUESTION.search(rest) or not ASKS_FOR.search(rest))
        ):
            # "what's the <title> made of?", "warranty on the <title>?": about that product
            intent = "product_details"
            confidence = max(confidence, scores.get("product_details", 0.0) + scores[nlu_intent])
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
        if (
            intent == "add_to_cart"
            and not PURCHASE.search(low)
            and not parse(text).references
            and not parse(text).product_ids
            and (
                (titled is None and named & {"category", "brand"})
                # a title alone; "2 <title> please", "and the <title> too" still add
                or (titled is not None and not _ADD_CUE.search(rest))
            )
        ):
            # "7-inch e-reader", "washable down alternative comforter" (a product's own
            # title): a product type or name and no word of buying is a search; nothing is
            # put to the shopper as a purchase they did not ask for
            intent = "search"
            confidence = max(confidence, scores["search"] + scores["add_to_cart"])
        if (
            intent == "remove_from_cart"
            and titled is None
            and named & {"category", "brand"}
            and not _TAKE_BACK.search(low)
            and not parse(text).references
            and not parse(text).product_ids
        ):
            # "noise cancelling over-ear headphones": a product type and no word of taking
            # anything back is a search, never a removal from the cart
            intent = "search"
            confidence = max(confidence, scores["search"] + scores["remove_from_cart"])
        elif (
            intent == "search"
            and titled is None
            and not PURCHASE.search(low)
            and not _ADD_CUE.search(low)
            and not parse(text).references
            and not parse(text).product_ids
        ):
            # "true wireless earbuds" half read as an add: with no word of buying and no
            # product to add, only a search is left
            confidence = max(confidence, scores["search"] + scores.get("add_to_cart", 0.0))
        if (
            intent == "product_details"
            and titled is None
            and asks_the_shop is not None
            and not parse(typed[asks_the_shop.end() :]).references
        ):
            # "do you sell umbrellas?" with a product in play asks about the shop's range,
            # not about that product: a search (and an honest "we don't carry" if so)
            intent = "search"
            confidence = max(confidence, scores["search"] + scores["product_details"])
        if intent not in PRODUCT_INTENTS:
            rest = text  # a title in a search is what the shopper is looking for
        slots = self.extract_slots(rest, intent, context=state.filters.get("category"))
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
        if image_id and (
            intent in ("search", "refine", "visual_search", "product_details") or not text.strip()
        ):
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
        return _policy.plan(
            nlu, state, self.threshold, alone=alone, categories=self.profile.colours_by_leaf()
        )

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
            reply = self.plugins.respond(nlu, state, done)
            if reply.product_ids:  # products a tool showed are what "the first one" means next
                state = state.model_copy(update={"last_shown": list(reply.product_ids)})
            return reply, state
        return _respond.respond(
            nlu,
            state,
            [
                ToolOutcome.model_validate(r) if not isinstance(r, ToolOutcome) else r
                for r in results
            ],
        )
