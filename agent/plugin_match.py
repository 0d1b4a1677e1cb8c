"""The embedded tier's way to new tools: requests recognised by meaning, no retraining.

A tool (Python or MCP) may declare example requests (``Tool.examples``). They are embedded
once with the catalog's MiniLM text encoder; a shopper's turn whose embedding is close
enough to one of them (cosine >= ``settings.plugin_match_threshold``) is taken as a
request for that tool. Its arguments are filled from the turn and the dialogue state:
the product the turn points at ("it", "the second one", a title), its order id, quantity,
the current search's filters, and enum values named in the text. When a required argument
cannot be filled, the turn goes to a model tier, or, with none configured, the shopper is
asked for what is missing. Replies are written from the tool's result (no model).

Hooked into the tier by ``EmbeddedTier.attach_plugins`` (see the marked lines in
agent/embedded/_tier.py and _reading.py); intents look like ``plugin:<tool name>``.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from shopagent.agent import plugin_args
from shopagent.agent.embedded import (
    DialogueState,
    NLUResult,
    Plan,
    PlannedCall,
    Reply,
    ToolOutcome,
    resolve_references,
)
from shopagent.money import format_money
from shopagent.settings import Settings
from shopagent.tools import Tool
from shopagent.tools.protocols import CatalogReader

if TYPE_CHECKING:
    from shopagent.agent.embedded import EmbeddedTier

log = logging.getLogger(__name__)

PREFIX = "plugin:"
QUERY_CACHE = 512  # turns whose vectors are kept (384 floats each: ~0.8 MB)
Encode = Callable[[Sequence[str]], np.ndarray]
_CATALOG_ARGS = ("category", "color", "size", "material", "brand", "style", "audience")
_ID_KEYS = ("name", "title", "label", "store", "id")
# "the second one", "that pair": which product is meant says nothing about what is asked,
# and examples say "it"; read as "it", paraphrases land much closer to them.
_REFERENCE = re.compile(
    r"\b(?:the|that|this)\s+(?:(?:first|second|third|fourth|fifth|last|other|cheaper|"
    r"cheapest|\d+(?:st|nd|rd|th)?)\s+)?(?:one|pair|item)\b"
    # "the first sofa", "the second hoodie": an ordinal and the product's own noun
    r"|\bthe\s+(?:first|second|third|fourth|fifth|last|\d+(?:st|nd|rd|th))\s+[a-z]+\b",
    re.IGNORECASE,
)
# A tool that deletes or forgets (by its name) runs only when the shopper says so: a
# statement that merely resembles "forget my size" ("I'm a size M") must never erase it.
_DESTRUCTIVE_TOOL = re.compile(r"^(?:forget|delete|remove|clear|erase|cancel|drop)_")
_DESTRUCTIVE_WORDS = re.compile(
    r"\b(?:forget|delete|remove|erase|clear|wipe|drop|cancel|unsave|take\b.*\boff|"
    r"get rid)\b",
    re.IGNORECASE,
)
# A tool that remembers what the shopper says about themselves (by its name) needs the
# shopper to speak of themselves: "size S please" or "in green?" is shopping, not a profile.
_SELF_TOOL = re.compile(r"^(?:remember|set|save)_(?:preference|profile|size)")
_SELF_WORDS = re.compile(r"\b(?:i|i'?m|i am|i'?ve|my|me|myself|ever|never|always)\b", re.IGNORECASE)
# "I'd like 2 of ...", "I would love the blue one": asking for a product, not a taste
_REQUEST_IDIOM = re.compile(
    r"\b(?:i'?d|i would|we'?d)\s+(?:like|love|want|take)\b|"
    r"\b\d+\s+of\b",
    re.IGNORECASE,
)
# "for my husband", "the red one": about someone else or one product, not the shopper.
_ABOUT_OTHERS = re.compile(
    r"\bfor\s+(?:my|our|a|an|his|her)\s+\w+|\b(?:the|this|that)\s+"
    r"(?:\w+\s+)?one\b",
    re.IGNORECASE,
)
# Tools that plan over categories or record a taste: a turn that names one of the shop's
# categories ("a dress for a wedding", "dresses, no polyester") is a search instead.
_PLAN_ARGS = frozenset({"occasion", "interests", "likes", "excludes"})
# Evidence from the words for a tool that takes them (by argument name): an occasion or a
# person the shop's defaults know, interests, or a preference in the shop's own facet
# values. Each raises that tool's example similarity, so "my grandma loves reading" reaches
# the gift planner though no example reads like it. Only near misses are lifted.
_EVIDENCE_BONUS = 0.15
_PREFERENCE_BONUS = 0.3
_NEAR_MISS = 0.3
# Refinements of what a tool just showed, routed back to that tool when its schema can
# take them (by argument name: ``cheaper_than``, ``more_like``).
_CHEAPER = re.compile(
    r"\b(?:cheaper|less expensive|lower price|too (?:pricey|expensive)|"
    r"more affordable)\b",
    re.IGNORECASE,
)
# a price cap said with it ("anything cheaper, say under 30?") still only refines
_PRICE_CAP = re.compile(
    r"\b(?:say|maybe|like|around|about|roughly|under|below|less than|max(?:imum)?|up to|"
    r"no more than|within|budget(?: of| is)?)\b|[$€£]?\d+(?:[.,]\d+)?\s*"
    r"(?:dollars?|euros?|pounds?|bucks|usd|eur|gbp)?",
    re.IGNORECASE,
)
# "he likes football", "she's really into yoga" right after gift ideas: that tool again,
# for what they like (said of someone else, not of the shopper: "I like red" is a taste)
_THEIR_INTEREST = re.compile(
    r"^\s*(?:(?:oh|ok|okay|well|and|but|also|actually)\W+)*(?:he|she|they|him|her|"
    r"he'?s|she'?s|they'?re|hes|shes|my \w+)\s+(?:\w+\s+)?(?:likes?|loves?|enjoys?|plays?|"
    r"is into|are into|into|collects?|does)\b",
    re.IGNORECASE,
)
_MORE_LIKE = re.compile(
    r"\b(?:more|others?|something|anything)\s+(?:like|similar to)\s+"
    r"(?:the\s+)?(?:first|second|third|fourth|fifth|sixth|last|that|"
    r"this|it|\d+(?:st|nd|rd|th)?)\b",
    re.IGNORECASE,
)


def _unit(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    unit: np.ndarray = m / np.maximum(norms, 1e-12)
    return unit


@dataclass(frozen=True)
class PluginTool:
    name: str
    title: str
    schema: dict[str, Any]
    writes: bool


@dataclass(frozen=True)
class PluginMatch:
    tool: str
    score: float
    example: str


class PluginMatcher:
    def __init__(
        self,
        tools: Iterable[Any],
        encode: Encode,
        threshold: float = 0.6,
        *,
        facets: dict[str, list[str]] | None = None,
        defaults: dict[str, Any] | None = None,
    ) -> None:
        self.threshold = threshold
        # the shop's facet values and discovery defaults: what argument reading recognises
        self.facets = facets or {}
        self.defaults = defaults or {}
        self._last_read: tuple[str, plugin_args.Evidence] = ("", plugin_args.Evidence({}))
        self._encode = encode
        # The turn's own MiniLM states, when the intent model has just computed them for
        # the same text (``IntentModel.sentence_vector``: 2 layers instead of 6)
        self.held_vector: Callable[[str], np.ndarray | None] | None = None
        # Every turn is matched, and one MiniLM pass is ~4 ms of CPU; what turns ask recurs
        # across shoppers ("I'll take it", "something cheaper", "checkout": after
        # ``_meaning``, 231 of the 611 turns of the eval datasets repeat an earlier one), so
        # the last few hundred are kept. The encoder is deterministic: the same vector.
        self._query_vector = functools.lru_cache(maxsize=QUERY_CACHE)(self._encode_query)
        self.tools: dict[str, PluginTool] = {}
        owners: list[str] = []
        texts: list[str] = []
        for t in tools:
            examples = [e for e in getattr(t, "examples", ()) if e.strip()]
            if not examples:
                continue
            first = (t.description or t.name).strip().split("\n")[0]
            self.tools[t.name] = PluginTool(t.name, first, t.json_schema(), bool(t.writes))
            owners += [t.name] * len(examples)
            texts += examples
        self._owners, self._texts = owners, texts
        # what each tool's examples talk about, beyond verbs and small words
        self._content: dict[str, set[str]] = {}
        for owner, example in zip(owners, texts, strict=True):
            self._content.setdefault(owner, set()).update(
                w for w in _words_of(example) if not _DESTRUCTIVE_WORDS.fullmatch(w)
            )
        self._vectors = (
            _unit(encode([_meaning(t) for t in texts])) if texts else np.zeros((0, 1), np.float32)
        )

    def __len__(self) -> int:
        return len(self.tools)

    def _encode_query(self, meaning: str) -> np.ndarray:
        held = self.held_vector(meaning) if self.held_vector is not None else None
        vector: np.ndarray = _unit(held[None, :] if held is not None else self._encode([meaning]))[
            0
        ]
        vector.setflags(write=False)  # shared by every turn that asks the same
        return vector

    def match(self, text: str, state: DialogueState | None = None) -> PluginMatch | None:
        if not self._texts or not text.strip():
            return None
        follow = self._follow_up(text, state)
        if follow is not None:
            return follow
        sims = self._vectors @ self._query_vector(_meaning(text))
        near = sims >= _NEAR_MISS
        if near.any():  # evidence (~0.5 ms of regexes) only lifts near misses
            near_tools = {self._owners[int(i)] for i in np.flatnonzero(near)}
            bonus = {tool: self._evidence(tool, text) for tool in near_tools}  # per tool
            sims = sims + np.array([bonus.get(o, 0.0) for o in self._owners], np.float32) * near
        for i in np.argsort(-sims):
            score, owner = float(sims[i]), self._owners[int(i)]
            if score < self.threshold:
                return None
            if _DESTRUCTIVE_TOOL.match(owner) and not (
                _DESTRUCTIVE_WORDS.search(text) and self._content[owner] & _words_of(text)
            ):
                # the next-best reading, if any is close enough; "remove it from my cart"
                # shares no word but the verb with "remove it from my board"
                continue
            if _SELF_TOOL.match(owner) and (
                not _SELF_WORDS.search(text)
                or _ABOUT_OTHERS.search(text)
                or _DESTRUCTIVE_WORDS.search(text)  # "forget that I like X" is no new like
                or _REQUEST_IDIOM.search(text)
            ):
                continue
            if self._names_category(owner, text) or self._bare_refinement(owner, text, state):
                continue
            return PluginMatch(owner, round(score, 4), self._texts[int(i)])
        return None

    def _bare_refinement(self, owner: str, text: str, state: DialogueState | None) -> bool:
        """ "anything cheaper?" after a search refines that search, not a plan tool whose
        examples say "cheaper ideas": only right after that tool (see _follow_up)."""
        props = self.tools[owner].schema.get("properties") or {}
        if state is None or "cheaper_than" not in props or not _CHEAPER.search(text):
            return False
        rest = _words_of(_PRICE_CAP.sub(" ", _CHEAPER.sub(" ", text))) - _VAGUE
        return state.last_intent != PREFIX + owner and not rest

    def _names_category(self, owner: str, text: str) -> bool:
        props = self.tools[owner].schema.get("properties") or {}
        if not _PLAN_ARGS & set(props):
            return False
        return bool(self._read_cache(text).get("category"))

    def _evidence(self, owner: str, text: str) -> float:
        props = self.tools[owner].schema.get("properties") or {}
        found = self._read_cache(text)
        bonus = 0.0
        if "occasion" in props and found.get("known_occasion"):
            bonus += _EVIDENCE_BONUS
        if "recipient" in props and found.get("known_recipient"):
            bonus += _EVIDENCE_BONUS
        if "interests" in props and found.get("interests"):
            bonus += _EVIDENCE_BONUS
        if {"likes", "excludes"} <= set(props) and found.get("preference"):
            bonus += _PREFERENCE_BONUS
        if "categories" in props and found.get("category") and _REFERENCE.search(text):
            bonus += _EVIDENCE_BONUS  # "which shoes and bag would match the first one?"
        if {"what", "value"} <= set(props) and found.get("names_part"):
            bonus += _EVIDENCE_BONUS  # "forget that I like Pavo": a part and a value
        verb = owner.split("_")[0]
        if _DESTRUCTIVE_TOOL.match(owner) and re.search(rf"\b{verb}\b", text, re.IGNORECASE):
            bonus += _EVIDENCE_BONUS  # "forget ...", "delete ...": the tool's own verb
        return bonus

    def _read_cache(self, text: str) -> plugin_args.Evidence:
        if self._last_read[0] != text:
            self._last_read = (text, plugin_args.evidence(text, self.facets, self.defaults))
        return self._last_read[1]

    def _follow_up(self, text: str, state: DialogueState | None) -> PluginMatch | None:
        """ "something cheaper" / "more like the second" right after a tool that can
        refine its own result that way: the same tool again."""
        if state is None or not (state.last_intent or "").startswith(PREFIX):
            return None
        tool = self.tools.get((state.last_intent or "").removeprefix(PREFIX))
        props = (tool.schema.get("properties") or {}) if tool else {}
        if tool is None or not state.last_shown:
            return None
        if "cheaper_than" in props and _CHEAPER.search(text):
            return PluginMatch(tool.name, 1.0, "(cheaper than what it showed)")
        if "more_like" in props and _MORE_LIKE.search(text):
            return PluginMatch(tool.name, 1.0, "(more like one it showed)")
        if "interests" in props and _THEIR_INTEREST.match(text) and plugin_args.interests(text):
            return PluginMatch(tool.name, 1.0, "(what they like, after its ideas)")
        return None

    def update_state(self, state: DialogueState, nlu: NLUResult) -> DialogueState:
        """The search stays as it was; the product the turn named becomes the focus."""
        s = state.model_copy(deep=True)
        s.turn += 1
        s.last_intent = nlu.intent
        ids = (
            [p.strip() for p in nlu.slots.product_id.split(",") if p.strip()]
            if nlu.slots.product_id
            else resolve_references(state, nlu.slots.reference)
        )
        if ids and len(ids) == 1:
            s.focus, s.focus_ids = ids[0], ids
        return s

    # --- planning -------------------------------------------------------------------------
    def fill(
        self, tool: PluginTool, nlu: NLUResult, state: DialogueState
    ) -> tuple[dict[str, Any], list[str]]:
        """Arguments this turn and the dialogue can give, and the required ones missing."""
        props: dict[str, Any] = tool.schema.get("properties") or {}
        required = list(tool.schema.get("required") or [])
        slots = nlu.slots
        products = (
            [p.strip() for p in slots.product_id.split(",") if p.strip()]
            if slots.product_id
            else resolve_references(state, slots.reference or "it") or []
        )
        if not products and slots.reference is None:
            products = list(state.focus_ids) or ([state.focus] if state.focus else [])
        low = nlu.text.casefold()
        words = plugin_args.read(props, nlu.text, self.facets, self.defaults)
        args: dict[str, Any] = {}
        for name, spec in props.items():
            spec = spec if isinstance(spec, dict) else {}
            kind = spec.get("type") or next(
                (a.get("type") for a in spec.get("anyOf", []) if a.get("type") != "null"), None
            )
            value: Any = None
            if name in ("product_id", "sku") and products:
                value = products[0]
            elif name == "product_ids" and products:
                value = products
            elif name == "order_id" and slots.order_id:
                value = slots.order_id
            elif name == "quantity" and slots.quantity:
                value = slots.quantity
            elif name == "request":  # a tool that reads the shopper's own words
                value = nlu.text
            elif name == "cheaper_than" and _CHEAPER.search(nlu.text) and state.last_shown:
                value = list(state.last_shown)
            elif name == "more_like" and _MORE_LIKE.search(nlu.text) and products:
                value = products[0]
            elif name in words:
                value = words[name]
            elif name in _CATALOG_ARGS:
                value = getattr(slots, name, None) or state.filters.get(name)
            choices = spec.get("enum") or next(
                (a.get("enum") for a in spec.get("anyOf", []) if a.get("enum")), None
            )
            if value is None and choices:
                value = next(
                    (c for c in choices if isinstance(c, str) and _named(c.casefold(), low)), None
                )
            if value is not None and kind == "array" and not isinstance(value, list):
                value = [value]
            if value is not None:
                args[name] = value
        return args, [r for r in required if r not in args]

    def plan(self, nlu: NLUResult, state: DialogueState, *, can_escalate: bool) -> Plan:
        tool = self.tools[nlu.intent.removeprefix(PREFIX)]
        args, missing = self.fill(tool, nlu, state)
        if not missing:
            # followup: a tool that finds nothing to show gets the request searched (plan_next)
            return Plan(calls=[PlannedCall(name=tool.name, args=args)], followup=True)
        reason = f"{tool.name} needs {', '.join(missing)}, which the turn does not give"
        if can_escalate:
            return Plan(escalate=True, reason=reason)
        return Plan(reply=_ask(tool, missing))

    def plan_next(
        self, nlu: NLUResult, state: DialogueState, outcomes: list[ToolOutcome], query: str
    ) -> Plan:
        """After a tool that found nothing to show ("nothing in the shop fits that yet"): the
        request's words (``query``) searched once, so the shopper still sees what the shop
        has for it ("my son needs light up trainers" when no gift plan fits)."""
        tool = self.tools.get(nlu.intent.removeprefix(PREFIX))
        mine = [o for o in outcomes if tool is not None and o.name == tool.name]
        if (
            not mine
            or mine[-1].ok
            or mine[-1].error_code != "no_results"
            or not query
            or any(o.name == "catalog_search" for o in outcomes)
        ):
            return Plan()
        args: dict[str, Any] = {"query": query, "page": 1}
        if (cap := plugin_args.budget(nlu.text)) is not None:
            args["price_max"] = str(cap)
        return Plan(calls=[PlannedCall(name="catalog_search", args=args)])

    def respond(self, nlu: NLUResult, state: DialogueState, outcomes: list[ToolOutcome]) -> Reply:
        tool = self.tools.get(nlu.intent.removeprefix(PREFIX))
        done = [o for o in outcomes if tool is not None and o.name == tool.name]
        if not done:
            return Reply(text="Sorry, I couldn't get an answer to that just now.")
        last = done[-1]
        if not last.ok:
            if last.error_code == "declined":
                return Reply(text="Okay, I haven't changed anything.")
            found = next(
                (
                    list((o.content or {}).get("products") or [])
                    for o in outcomes
                    if o.name == "catalog_search" and o.ok and (o.content or {}).get("products")
                ),
                [],
            )
            if last.error_code == "no_results" and found:
                listed = "; ".join(
                    f"{c.get('title')} ({format_money(c.get('price'), c.get('currency'))})"
                    for c in found[:3]
                )
                ids = [str(c["id"]) for c in found if c.get("id")][:10]
                why = (last.error_message or "nothing fits that").split(";")[0]
                text = f"Sorry, {why}. These match what you asked for: {listed}."
                return Reply(text=text, product_ids=ids)
            return Reply(text=f"Sorry, that didn't work: {last.error_message or 'no answer'}.")
        content = last.content
        # A tool that returns product cards (discovery tools) gets them shown.
        cards = content.get("products") if isinstance(content, dict) else None
        ids = [str(c["id"]) for c in cards or [] if isinstance(c, dict) and c.get("id")]
        return Reply(text=render(content), product_ids=ids[:10])


_SMALL = frozenset(
    "a an the my me i it this that to of in on for from with and or what "
    "you your is are do please all".split()
)


def _meaning(text: str) -> str:
    """What a request asks, without which product ("the first one" reads "it") or how much
    ("under 60" is an argument): "what goes with the first skirt for under 60" is then as
    close to "what goes with this?" as it should be, and no closer to a gift example for
    sharing "under 50"."""
    return plugin_args.without_budget(_REFERENCE.sub("it", text))


_VAGUE = frozenset("something anything hmm ones one any some more less bit little".split())


def _words_of(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.casefold()) if w not in _SMALL}


def _named(choice: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(choice)}(?!\w)", text) is not None


def _ask(tool: PluginTool, missing: list[str]) -> str:
    props = tool.schema.get("properties") or {}
    if any(m in ("product_id", "product_ids", "sku") for m in missing):
        return "Which product do you mean? Tell me its name, or pick one from a search."
    wanted = ", ".join(
        str((props.get(m) or {}).get("description") or m.replace("_", " ")).rstrip(".")
        for m in missing
    )
    return f"I can help with that; I just need to know: {wanted}."


def _label(item: dict[str, Any]) -> str:
    head = next((str(item[k]) for k in _ID_KEYS if item.get(k) not in (None, "")), None)
    # An item with a name needs no internal id beside it; a booking's own id is news.
    named = any(item.get(k) for k in ("name", "title"))
    rest = [
        f"{k.replace('_', ' ')} {v}"
        for k, v in item.items()
        if isinstance(v, str | int | float)
        and not isinstance(v, bool)
        and str(v) != head
        and k not in ("id", "product_id")
        and not (named and k.endswith("_id"))
    ]
    return f"{head or ', '.join(rest[:1])}" + (f" ({', '.join(rest[:4])})" if rest else "")


def render(content: Any) -> str:
    """A plain reply from a tool's result: its message if it has one, else its items."""
    if isinstance(content, str):
        return content[:600]
    if not isinstance(content, dict):
        return "Done."
    for key in ("message", "summary", "text"):
        if isinstance(content.get(key), str) and content[key].strip():
            return str(content[key])[:600]
    lists = [(k, v) for k, v in content.items() if isinstance(v, list)]
    if lists:
        key, items = lists[0]
        if not items:
            return f"No {key.replace('_', ' ')} found."
        shown = [_label(i) if isinstance(i, dict) else str(i) for i in items[:6]]
        return f"{key.replace('_', ' ').capitalize()}: " + "; ".join(shown) + "."
    facts = _label(content)
    return f"Done: {facts}." if facts else "Done."


def attach_plugin_tools(
    tier: EmbeddedTier | None,
    registry: Iterable[Tool],
    catalog: CatalogReader,
    settings: Settings,
    *,
    can_escalate: bool,
) -> int:
    """Give the embedded tier the registry's tools that declare examples; returns how many.

    The catalog's text encoder (MiniLM) embeds the examples once, here, at start."""
    if tier is None or not hasattr(tier, "attach_plugins"):
        return 0
    tools = [t for t in registry if getattr(t, "examples", ())]
    encoder = getattr(catalog, "text", None)
    if not tools or encoder is None:
        return 0
    threshold = float(getattr(settings, "plugin_match_threshold", 0.6))
    try:
        facets = catalog.facet_values()
    except Exception:  # a catalog without facets still gets its tools matched
        log.warning("embedded tier: no facet values for argument reading", exc_info=True)
        facets = {}
    from shopagent.tools.discovery import data_dir_of, load_defaults

    matcher = PluginMatcher(
        tools,
        encoder.encode,
        threshold,
        facets=facets,
        defaults=load_defaults(data_dir_of(settings)),
    )
    tier.attach_plugins(matcher, can_escalate=can_escalate)
    log.info("embedded tier: %d tools matched by example", len(matcher))
    return len(matcher)
