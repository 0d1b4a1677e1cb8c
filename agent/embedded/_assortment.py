"""What the shop carries, judged by meaning: whether a requested thing is something the shop
sells under another name ("couch" in a shop of sofas, "wristwatch" among watches), which of
its categories are closest to something it does not sell, and what a misspelt request was
("blendr" is a blender, in English, not only in the catalog's words).

The words of a request are checked first (``_guards.not_carried``: no word of it names a
product type the shop sells); this module is the second opinion, with the catalog's own
text encoder (retrieval's MiniLM): the request against the shop's product types (its
category names, the nouns its titles end in) and its categories described by those types.
Vectors of the shop's side are computed once per catalog when the encoder is attached
(a few hundred short phrases, ~0.4 s CPU on the demo catalog); a turn that names no product
type costs one or two encodes of a short phrase (about 2 ms CPU, p95 4 ms, measured on the
demo catalog). It also keeps a tool matched by its example requests from answering a
request for one kind of product the shop's words do not name (``asks_for_a_kind``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from shopagent.agent.embedded import _guards
from shopagent.agent.embedded._catalog import CatalogProfile, singular
from shopagent.agent.embedded._cues import WHERE_TO_FIND

Encode = Callable[[Sequence[str]], Any]

# A request this close (cosine, MiniLM-L6 via the catalog's text encoder) to one of the
# shop's product types is that product under another name. Calibrated on hand-written
# pairs (carried synonyms such as couch/sofa 0.84, earphones/headphones 0.87, gown/dress
# 0.71, purse/handbags 0.70 against things a fashion-and-home shop does not sell: laptops
# 0.65 to "laptop backpack", socks 0.68 to sandals, candles 0.64 to lamps): saying "we don't
# carry couches" in a sofa shop is the worse mistake, but a lower bar would turn socks into
# a sandal search. Below it, the words decide.
CARRIED_AT = 0.70
# For a phrase, its head noun (last word) must agree at least this much, and the phrase or
# the head must reach CARRIED_AT: "an evening gown" (0.67, gown 0.71) is a dress; "tennis
# balls" (0.73 to tennis rackets, balls 0.55) and "desk organizer" (0.76, 0.51) are not.
_HEAD_AGREES = 0.60
# A product type found under another name filters the search by its category only when the
# nearest type of any other category is this much further away.
_CLEAR_MARGIN = 0.05
# A department is as close as its closest category; that much of it lifts its other
# categories, so the offer stays coherent ("smartphones" -> Smartwatches, Speakers).
_DEPARTMENT_WEIGHT = 0.5
_TYPES_PER_CATEGORY = 8
# The closest categories are offered only from departments the request reads as near
# ("toasters" and "the kitchen department" 0.34, "the shoes department" 0.22): a category
# whose own name is near only by its letters ("toasters" ~ "loafers" 0.54) is no offer.
# A department is near within _DEPT_MARGIN of the nearest one. The request is near no
# department (the shop's departments are named instead) when the nearest is under
# _DEPT_FLOOR, or under _DEPT_CLEAR with another within _DEPT_TIE ("sunglasses": shoes
# 0.28, apparel 0.26). Calibrated on hand-written requests against the demo shop (near:
# toasters, microwave, lawn mower, socks, laptops, coffee beans; lexical accidents dropped:
# toasters/coffee beans -> Loafers 0.11 and 0.07 behind, guitar -> Tennis Rackets 0.09)
# and small shops of other domains (diaries -> Notebooks, 0.106 behind Books, kept).
_DEPT_MARGIN = 0.11
_DEPT_FLOOR = 0.20
_DEPT_CLEAR = 0.30
_DEPT_TIE = 0.03


# The shop's range asked about, the shop the subject: "do you have those?", "got any ...",
# "does your shop sell ...", "have you got ..."
_ASKS_THE_RANGE = re.compile(
    r"\b(?:(?:do|does) (?:you|u|y'?all|yall|the shop|your shop|this shop) (?:guys )?"
    r"(?:sell|carry|stock|offer|have)|(?:have )?(?:you|u) got|got any)\b",
    re.I,
)


# A turn that opens by asking for something: "looking for ...", "i need ...", "show me ..."
_REQUEST_START = re.compile(
    r"\s*(?:(?:hi|hey|hello|ok|okay|so)\W+)?(?:i'?m |im |i am )?(?:looking for|after|"
    r"searching for|shopping for|i (?:want|need)|show me|find me|do you (?:have|sell))\b",
    re.I,
)


@dataclass
class Verdict:
    """What a request asks of the assortment. ``missing``: the thing the shop does not
    carry (typos fixed), with the ``closest`` categories; ``category``: the category of
    a product asked for under another name, when it is clear; ``no_words``: nothing in it
    is a word (not a request for anything)."""

    missing: str | None = None
    closest: list[str] = field(default_factory=list)
    category: str | None = None
    no_words: bool = False


def category_label(path: str) -> str:
    """'Kitchen > Knives' -> 'Knives (Kitchen)': the leaf as shoppers name it, its
    department for sense ("Garden Tools (Garden)")."""
    parts = [x.strip() for x in path.split(">") if x.strip()]
    return parts[-1] + (f" ({parts[0]})" if len(parts) > 1 else "")


def _category_path(path: str) -> str:
    """'Accessories>Sunglasses' -> 'Accessories > Sunglasses': parents give the leaf its
    sense for the encoder ("Garden > Shears", not a tailor's)."""
    return " > ".join(x.strip() for x in path.split(">") if x.strip())


@lru_cache(maxsize=1)
def _english() -> Any:
    """English word frequencies (pyspellchecker's list, in the package: nothing is
    downloaded). None when the package is missing: no English corrections then."""
    try:
        from spellchecker import SpellChecker
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return SpellChecker(language="en", distance=1)


def word_frequency(word: str) -> int | None:
    """How common ``word`` is in English (the spell checker's count: "people" ~2M, "dune"
    ~900, "sapiens" 0); None when no word list is installed."""
    spell = _english()
    return None if spell is None else int(spell.word_frequency[word.lower()])


def _one_edit(word: str) -> set[str]:
    """The words one letter away from ``word`` (dropped, swapped, changed or added)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    cut = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in cut if b}
        | {a + b[1] + b[0] + b[2:] for a, b in cut if len(b) > 1}
        | {a + c + b[1:] for a, b in cut if b for c in letters}
        | {a + c + b for a, b in cut for c in letters}
    ) - {word}


def english_word(word: str) -> str | None:
    """``word`` when it is an English word, the word it is a slip of when there is one
    ("blendr" -> "blender", "matress" -> "mattress"), else None ("xqzt").

    A slip is one edit. A missing letter is the commonest slip, so a word the typed one is
    missing a letter of wins; then the more frequent word."""
    spell = _english()
    w = word.lower()
    if spell is None or not w.isalpha():
        return None
    if w in spell.word_frequency or singular(w) in spell.word_frequency:
        return w
    if len(w) < 4:
        return None
    found = spell.candidates(w) or set()
    found = {c for c in found if c != w and c.isalpha() and c[0] == w[0]}
    if not found:
        return None
    return str(max(found, key=lambda c: (len(c) == len(w) + 1, spell.word_frequency[c], c)))


def fix_request(
    phrase: str, known: Callable[[str], bool], acronyms: set[str] | frozenset[str] = frozenset()
) -> tuple[str, bool]:
    """The phrase with its misspelt words corrected towards English, and whether any word
    of it is a real word (the shop's, the encoder's, or English). ``acronyms``: words
    the shopper typed in capitals ("HEPA"), kept as typed."""
    out: list[str] = []
    real = False
    for w in phrase.split():
        if w.upper() in acronyms:
            out.append(w.upper())
            real = True
            continue
        if known(w):
            out.append(w)
            real = True
            continue
        fixed = english_word(w)
        real = real or fixed is not None
        out.append(fixed or w)
    return " ".join(out), real


# Nouns of stuff, not of things: no plural ("garden furniture", "camping equipment")
_UNCOUNTED = re.compile(
    r"(?:furniture|equipment|gear|clothing|jewell?ery|luggage|software|hardware|stationery|"
    r"cutlery|crockery|bedding|seating|lighting|decor|\w+ware|\w+wear|merchandise|"
    r"information|advice|music|art|food|fish|sheep|deer|tea|coffee|wine|beer|milk|water|"
    r"soil|compost|fertili[sz]er|seaweed|rice|bread|cheese|makeup|skincare|haircare)"
)


def plural(phrase: str) -> str:
    """'blender' -> 'blenders', 'baby stroller' -> 'baby strollers' (a shop sells kinds of
    things); a phrase already plural, or not ending in a plain noun, is kept."""
    words = phrase.split()
    if not words or any(singular(w.lower()) != w.lower() for w in words):
        return phrase  # "coffee beans", "books gardening": already names the kinds
    last = words[-1]
    if not last.isalpha() or len(last) < 3 or last.isupper() or _UNCOUNTED.fullmatch(last.lower()):
        return phrase  # "garden furniture", not "furnitures"
    if last.endswith(("ch", "sh", "ss", "x", "z")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    else:
        last += "s"
    return " ".join([*words[:-1], last])


class Assortment:
    """The shop's product types and categories, placed by the catalog's text encoder.

    ``types``: product-type phrase -> the category leaf or path it belongs to (the
    lexicon's category surfaces: category names, title nouns such as "combat boot", and
    the built-in synonyms)."""

    def __init__(
        self,
        profile: CatalogProfile,
        types: dict[str, str] | None = None,
        head_nouns: set[str] | frozenset[str] = frozenset(),
        known_words: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        self.profile = profile
        # words that name what the shop sells (categories, brands, the nouns titles end in)
        self.head_nouns = set(head_nouns)
        self._known_words = known_words  # real words: the encoder's, the catalog's, chat
        self.paths = list(profile.categories)
        by_leaf = {_category_path(p).split(" > ")[-1].lower(): p for p in self.paths}
        by_path = {_category_path(p).lower(): p for p in self.paths}
        per_category: dict[str, list[str]] = defaultdict(list)
        phrases: list[str] = []
        seen: set[str] = set()
        kind_of: dict[str, str] = {}  # product type -> its category, as the lexicon names it
        for surface, category in (types or {}).items():
            s = " ".join(surface.lower().split())
            if not s or singular(s.split()[-1]) != s.split()[-1]:
                continue  # one form per type: the singular
            path = by_path.get(_category_path(category).lower()) or by_leaf.get(
                _category_path(category).split(" > ")[-1].lower()
            )
            squeezed = "".join(c for c in s if c.isalnum())
            if squeezed in seen:
                continue  # "wide-leg jean", "wide leg jean", "wideleg jean": one type
            seen.add(squeezed)
            phrases.append(s)
            kind_of[s] = category
            if path is not None:
                per_category[path].append(s)
        leaves = [_category_path(p).split(" > ")[-1].lower() for p in self.paths]
        self.types = list(dict.fromkeys([*phrases, *leaves, *sorted(profile.heads)]))
        self.type_names = set(self.types)  # "teddy bear": a compound that is a product type
        self._type_category = [kind_of.get(t) for t in self.types]
        # a category described by what it holds: "Kettles (electric kettle, gooseneck
        # kettle, ...)" places a blender nearer than the name alone does
        self._described = []
        for p in self.paths:
            leaf_name = _category_path(p).split(" > ")[-1]
            own = {singular(w) for w in leaf_name.lower().split()}
            kinds = sorted(
                (t for t in per_category.get(p, []) if set(t.split()) - own),
                key=lambda t: -len(t.split()),
            )
            shown = ", ".join(kinds[:_TYPES_PER_CATEGORY])
            # with no product types besides its own name, the category is its path
            self._described.append(f"{leaf_name} ({shown})" if shown else _category_path(p))
        self._encode: Encode | None = None
        self._fallback: Encode | None = None
        self._names: Any = None
        self._docs: Any = None
        self._type_vectors: Any = None
        self._depts: list[str] = []
        self._dept_vectors: Any = None
        # the request's vector, the last few kept (a turn asks twice: carried? closest?)
        self._vector = lru_cache(maxsize=8)(self._encode_one)

    def attach(self, encode: Encode) -> None:
        """Use the catalog's text encoder (``TextEmbedder.encode``: L2-normalised rows)."""
        self._encode = encode
        self._vector.cache_clear()
        self._names = encode([_category_path(p) for p in self.paths]) if self.paths else None
        self._docs = encode(self._described) if self.paths else None
        self._type_vectors = encode(self.types) if self.types else None
        self._depts = list(dict.fromkeys(_category_path(p).split(" > ")[0] for p in self.paths))
        self._dept_vectors = (
            encode([f"the {d.lower()} department" for d in self._depts]) if self._depts else None
        )

    def fallback(self, encode: Encode | None) -> None:
        """Without the catalog's encoder, the intent model's own MiniLM layers rank the
        closest categories (names only; no "carried under another name" judgement)."""
        self._fallback = encode

    def _encode_one(self, text: str) -> Any:
        assert self._encode is not None
        return self._encode([text])[0]

    def resembles(self, phrase: str) -> tuple[float, str | None]:
        """The shop's product type nearest in meaning to ``phrase`` and its similarity;
        (0.0, None) without the catalog's encoder."""
        if self._encode is None or self._type_vectors is None or not phrase.strip():
            return 0.0, None
        scores = self._type_vectors @ self._vector(phrase)
        best = int(scores.argmax())
        return float(scores[best]), self.types[best]

    def category_of(self, phrase: str) -> str | None:
        """The category of the product type nearest ``phrase`` when no type of another
        category is nearly as near ("jigsaws" -> Puzzles; "wristwatch" is as near a
        smartwatch as a watch: None, the search decides)."""
        if self._encode is None or self._type_vectors is None or not phrase.strip():
            return None
        scores = (self._type_vectors @ self._vector(phrase)).tolist()
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        best = self._type_category[order[0]]
        if best is None:
            return None
        rival = next(
            (scores[i] for i in order[1:] if self._type_category[i] not in (best, None)), -1.0
        )
        return best if scores[order[0]] - rival >= _CLEAR_MARGIN else None

    def type_category(self, kind: str) -> str | None:
        """The category leaf the shop's product type ``kind`` belongs to ("bear" -> Plush
        Toys), as the lexicon names it; None for a word that is no product type."""
        try:
            category = self._type_category[self.types.index(kind)]
        except ValueError:
            return None
        return _category_path(category).split(" > ")[-1] if category else None

    def carried_as(self, phrase: str) -> str | None:
        """The product type ``phrase`` names under another name, or None."""
        score, kind = self.resembles(phrase)
        words = phrase.split()
        if len(words) > 1:
            head_score, head_kind = self.resembles(words[-1])
            if min(score, head_score) < _HEAD_AGREES:
                return None
            if head_score > score:
                score, kind = head_score, head_kind
        return kind if score >= CARRIED_AT else None

    def closest(self, text: str, k: int = 3, use: str = "") -> list[str]:
        """The ``k`` categories nearest in meaning to ``text`` ("lawn mower" -> "Garden
        Tools (Garden)"): the request against each category's path and its description by
        the product types it holds, the best category of a department lifting the rest.
        ``use``: what the thing is for ("for my yoga mat"): the departments of the shop's
        categories it names are near too."""
        if not self.paths:
            return []
        allowed: set[str] | None = None  # departments the request reads as close to
        if self._encode is not None:
            v = self._vector(text)
            scores = (self._names @ v + self._docs @ v).tolist()
            allowed = self.close_departments(text) | self.named_departments(use)
        elif self._fallback is not None:
            if self._names is None:
                self._names = self._fallback([category_label(p).lower() for p in self.paths])
            scores = (self._names @ self._fallback([text])[0]).tolist()
        else:
            return []
        depts = [_category_path(p).split(" > ")[0] for p in self.paths]
        best: dict[str, float] = {}
        for d, x in zip(depts, scores, strict=True):
            best[d] = max(best.get(d, x), x)
        ranked = sorted(
            zip(
                [x + _DEPARTMENT_WEIGHT * best[d] for d, x in zip(depts, scores, strict=True)],
                self.paths,
                strict=True,
            ),
            key=lambda x: -x[0],
        )
        out: list[str] = []
        for _, path in ranked:
            if allowed is not None and _category_path(path).split(" > ")[0] not in allowed:
                continue
            label = category_label(path)
            if label not in out:
                out.append(label)
            if len(out) == k:
                break
        return out

    @property
    def attached(self) -> bool:
        """The catalog's text encoder is attached (closeness in meaning is judged)."""
        return self._encode is not None

    def close_departments(self, text: str) -> set[str]:
        """The departments ``text`` reads as near (see ``_DEPT_MARGIN``); empty when it
        is near none, or without the catalog's encoder."""
        if self._encode is None or self._dept_vectors is None:
            return set()
        scores = (self._dept_vectors @ self._vector(text)).tolist()
        ranked = sorted(scores, reverse=True)
        top = ranked[0]
        tied = len(ranked) > 1 and ranked[1] > top - _DEPT_TIE
        if top < _DEPT_FLOOR or (tied and top < _DEPT_CLEAR):
            return set()
        return {d for d, x in zip(self._depts, scores, strict=True) if x >= top - _DEPT_MARGIN}

    def named_departments(self, text: str) -> set[str]:
        """The departments of the shop's categories ``text`` names ("for a yoga mat" ->
        Sports, where Yoga Mats are sold)."""
        words = " ".join(singular(w) for w in re.findall(r"[a-z]+", text.lower()))
        out: set[str] = set()
        for p in self.paths if words else []:
            parts = _category_path(p).split(" > ")
            leaf = " ".join(singular(w) for w in re.findall(r"[a-z]+", parts[-1].lower()))
            if leaf and re.search(rf"\b{re.escape(leaf)}\b", words):
                out.add(parts[0])
        return out

    def departments(self, text: str = "", k: int = 5) -> list[str]:
        """The shop's departments, the ``k`` nearest ``text`` in meaning first (when the
        catalog's encoder is attached), else the largest (most categories) first."""
        count: dict[str, int] = defaultdict(int)
        for p in self.paths:
            count[_category_path(p).split(" > ")[0]] += 1
        order = sorted(count, key=lambda d: -count[d])
        if text and self._encode is not None and self._dept_vectors is not None:
            scores = (self._dept_vectors @ self._vector(text)).tolist()
            near = dict(zip(self._depts, scores, strict=True))
            order.sort(key=lambda d: -near.get(d, -1.0))
        return order[:k]

    def _knows(self, word: str) -> bool:
        vocab = self.profile.vocab
        return word in vocab or singular(word) in vocab or word in self._known_words

    def unknown_name(self, text: str) -> str | None:
        """A name the shop does not have, said of a kind it sells ("kitchenaid mixer", "le
        creuset dutch oven", "staub casseroles": a brand of another shop's), or None. The
        word is no English word (the word list's: "nike" is one, "lefty" too) nor a slip of
        one, nor a slip of the shop's own words, and a product word follows it within three
        words ("for my son jakob" names no product)."""
        words = re.findall(r"[a-z][a-z'-]*", text.lower())
        for i, w in enumerate(words):
            if len(w) < 4 or not w.isalpha() or self._knows(w) or not _guards.content_words(w):
                continue  # ("hiya, ...": a greeting)
            if not any(singular(x) in self.head_nouns for x in words[i + 1 : i + 4]):
                continue
            if word_frequency(w) != 0:
                continue  # an English word ("lefty electrics"), however rare
            slip = english_word(w)
            if slip not in (None, w) and (word_frequency(slip or "") or 0) >= 1000:
                continue  # a slip of a common word ("matress")
            if any(e in self.profile.vocab for e in _one_edit(w)):
                continue  # a slip of the shop's own word ("nordvk")
            return str(w)
        return None

    def judge(
        self, text: str, named: set[str], exclude: set[str], *, chat: bool = False, use: str = ""
    ) -> Verdict:
        """``text`` as a request for a product: no word of it naming what the shop sells
        is the first test (``_guards.not_carried``); the second is meaning: a thing close
        to one of the shop's product types is that product under another name ("couch").
        ``named``: catalog slots the lexicon found in it; ``exclude``: its filter words;
        ``chat``: the model read it as small talk (then it must hold a real word);
        ``use``: what the thing is for, when that names a product the shop sells ("for my
        laptop"): the closest categories are judged with it ("sleeve for my laptop" is
        nearer bags than sweaters)."""
        missing = _guards.not_carried(text, self.profile, named, self.head_nouns, exclude)
        if not missing:
            return Verdict()
        acronyms = set(re.findall(r"\b[A-Z]{2,}\b", text)) if not text.isupper() else set()
        missing, real = fix_request(missing, self._knows, acronyms)
        if chat and not real:
            return Verdict(no_words=True)
        if self.carried_as(missing) is None:
            near = self.closest(f"{missing} {use}".strip(), use=use)
            return Verdict(missing=missing, closest=near)
        return Verdict(category=self.category_of(missing.split()[-1]))

    def asks_for_a_kind(self, text: str, named: set[str]) -> bool:
        """The turn asks for one kind of product the shop's words do not name: a thing it
        does not carry, asked of its range ("my daughter wants a hamster cage for her
        birthday, do you have those?"), or one it sells under another name, asked for
        ("looking for an evening gown"). Either way a tool matched by its example requests
        (a gift plan of necklaces) is no answer: the search, or the honest "we don't
        carry", is."""
        missing = _guards.not_carried(text, self.profile, named, self.head_nouns)
        if missing is None:
            return False  # "what boards do I have?", a gift request naming no product
        if self.carried_as(missing) is None:
            # the shop's range asked: "can I pick it up today?" ("pick") is no request
            return bool(_ASKS_THE_RANGE.search(text) or WHERE_TO_FIND.match(text))
        kind = self.category_of(missing.split()[-1])
        return kind is not None and bool(_REQUEST_START.match(text))
