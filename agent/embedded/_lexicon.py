"""The catalog's vocabulary: maps what shoppers say to the values the catalog's facets use.

Built from ``facet_values()`` (and product title nouns, learned at training time), plus a
small table of general shopping English (colour families, size words, audience words,
common category synonyms). A synonym only applies when its target exists in this catalog:
"navy" stays navy where the catalog has navy and becomes blue where it does not.

Fuzzy matching uses :mod:`difflib` (stdlib). rapidfuzz is faster but is not a dependency;
the vocabularies here are a few hundred strings, where difflib takes well under a millisecond.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from shopagent.agent.embedded._assortment import english_word, word_frequency
from shopagent.agent.embedded._catalog import measure_key, short_names, singular
from shopagent.agent.embedded._schema import CATALOG_SLOTS
from shopagent.agent.embedded._words import (
    AUDIENCE_CUES,
    BUILTIN,
    COLOR_FAMILIES,
    CUE_ONLY,
    SIZE_CUES,
    STOP,
    TYPE_PRIORITY,
    UNIT_OF,
)


def _plural_forms(word: str) -> list[str]:
    """A word's singular and plural spellings, in a fixed order: the lexicon's tables are
    built in it, and a set's order changes with each process's string hashing (the
    closest categories, ranked from those tables, changed from one run to the next)."""
    w = word.lower()
    forms = {w, w.replace("-", " "), w.replace("-", ""), w.replace("'", "")}
    out = set(forms)
    for f in forms:
        if f.endswith("ies"):
            out |= {f[:-3] + "y", f[:-1]}
        elif f.endswith(("ches", "shes", "sses", "xes")):
            out.add(f[:-2])
        elif f.endswith("s") and not f.endswith("ss"):
            out.add(f[:-1])
        elif f.endswith(("ch", "sh", "ss", "x", "z")):
            out.add(f + "es")
        elif f.endswith("y") and f[-2:-1] not in ("a", "e", "o", "u"):
            out.add(f[:-1] + "ies")
        else:
            out.add(f + "s")
    return sorted(o for o in out if o)


def leaf(value: str) -> str:
    return value.split(">")[-1].strip()


@dataclass(frozen=True)
class Match:
    slot: str
    value: str
    start: int
    end: int
    exact: bool = True


# sizes read by their numbers alone ("size 8" of UK 8) in a shop of at most this many
# (short_names compares each value with every other)
_MAX_NAMED_SIZES = 400


class Lexicon:
    """Surface forms -> facet values, per slot type."""

    def __init__(
        self, facet_values: dict[str, list[str]], nouns: dict[str, str] | None = None
    ) -> None:
        self.facets = {
            k: [str(v) for v in facet_values.get(k, []) if str(v).strip()] for k in CATALOG_SLOTS
        }
        self.surfaces: dict[str, dict[str, str]] = {k: {} for k in CATALOG_SLOTS}
        self.alternatives: dict[tuple[str, str], list[str]] = {}
        by_key = {k: {v.lower(): v for v in vals} for k, vals in self.facets.items()}
        leaf_key = {leaf(v).lower(): v for v in self.facets["category"]}
        for slot, vals in self.facets.items():
            for v in vals:
                base = leaf(v) if slot == "category" else v
                forms = (
                    _plural_forms(base)
                    if slot in ("category",)
                    else sorted({base.lower(), base.lower().replace("-", " ")})
                )
                if slot == "brand":
                    more = {base.lower().replace("&", "and"), base.lower().replace(" ", "")}
                    forms = sorted({*forms, *more})
                for f in forms:
                    self.surfaces[slot].setdefault(f, v)
        # "Mystery & Thriller", "Beds and Mattresses": each kind of a category that joins
        # two names it ("thrillers"), where no other category has that name
        parts: dict[str, list[str]] = {}
        for v in self.facets["category"]:
            pieces = re.split(r"\s*(?:&|\band\b|,|/|\+)\s*", leaf(v))
            if len(pieces) >= 2:
                for piece in pieces:
                    if len(piece) >= 3:
                        parts.setdefault(piece.lower(), []).append(v)
        for piece, owners in sorted(parts.items()):
            if len(set(owners)) == 1:
                for f in _plural_forms(piece):
                    self.surfaces["category"].setdefault(f, owners[0])
        for slot, table in BUILTIN.items():
            for surface, targets in table.items():
                pool = leaf_key if slot == "category" else by_key[slot]
                hit = next((pool[t.lower()] for t in targets if t.lower() in pool), None)
                if hit is None:
                    continue
                for f in _plural_forms(surface) if slot == "category" else {surface}:
                    # the catalog's own value wins ("large" stays large where the sizes
                    # are words); the general reading is kept as an alternative, chosen
                    # when the category in play only has that one ("large" -> L for tees)
                    self.surfaces[slot].setdefault(f, hit)
                    if self.surfaces[slot][f] != hit:
                        self.alternatives.setdefault((slot, f), []).append(hit)
        if len(self.facets["size"]) <= _MAX_NAMED_SIZES:
            # "size 8", "i am a 7.5" of UK 8, UK 7.5: a size by the number no other size has
            for value, names in short_names(self.facets["size"]).items():
                for name in names:
                    if re.fullmatch(r"\d+(?:\.\d+)?", name):
                        for lead in ("size", "sz", "a size", "in a", "a"):
                            self.surfaces["size"].setdefault(f"{lead} {name}", value)
        for noun, cat in (nouns or {}).items():
            target = by_key["category"].get(cat.lower()) or leaf_key.get(leaf(cat).lower())
            if target:
                for f in _plural_forms(noun):
                    self.surfaces["category"].setdefault(f, target)
        # "non alcoholic", "no gluten" for a category "Alcohol-Free", "Gluten Free": the
        # same kind said the other way round
        for v in self.facets["category"]:
            free = re.fullmatch(r"([a-z]{3,})[- ]free", leaf(v).lower())
            if free is None:
                continue
            x = free.group(1)
            for f in (
                *(f"non{sep}{x}{end}" for sep in (" ", "-", "") for end in ("", "ic")),
                f"no {x}",
                f"zero {x}",
                f"without {x}",
            ):
                self.surfaces["category"].setdefault(f, v)
        # "a red", "something white" in a shop of Red Wine, White Wine and Rose Wine: the
        # colour word that sets a category apart from others of the same kind names it,
        # where no other surface has that word (a shop with a colour "red" keeps it a
        # colour; "cat" of Cat Food and Dog Food is who it is for, no kind)
        self._kind_words: set[str] = set()  # no cue needed: "rose" is the Rose Wine here
        kinds: dict[str, list[str]] = {}
        for v in self.facets["category"]:
            ws = leaf(v).lower().split()
            if len(ws) == 2:
                kinds.setdefault(singular(ws[1]), []).append(v)
        for cats in kinds.values():
            if len(cats) < 2:
                continue
            for v in cats:
                mod = leaf(v).lower().split()[0]
                forms = _plural_forms(mod)
                if mod in _COLOUR_WORDS and not any(
                    f in d for d in self.surfaces.values() for f in forms
                ):
                    for f in forms:
                        self.surfaces["category"][f] = v
                        self._kind_words.add(f)
        # sizes that are measures, by their key: "1l", "1 litre" and "1 ltr" are "1 l"
        self._measures = {
            measure_key(v): v
            for v in self.facets["size"]
            if re.search(r"\d", v) and re.search(r"[a-z]", v.lower())
        }
        self._max_words = max(
            (len(s.split()) for d in self.surfaces.values() for s in d), default=1
        )
        self._fuzzy_pool = {
            slot: [s for s in d if len(s) >= 5 and s not in CUE_ONLY]
            for slot, d in self.surfaces.items()
        }

    # ---------------------------------------------------------------------------------------
    def normalise(self, slot: str, text: str, *, fuzzy: bool = True) -> str | None:
        """The facet value ``text`` means for ``slot``, or None."""
        s = " ".join(re.findall(r"[\w&'+-]+", text.lower()))
        if slot == "size":
            s = re.sub(r"^(?:size|sz)\s", "", s)
            if s.upper() in (v.upper() for v in self.facets["size"]):
                return next(v for v in self.facets["size"] if v.upper() == s.upper())
        table = self.surfaces.get(slot, {})
        if s in table:
            return table[s]
        if slot == "size" and (measure := self._measure(s)) is not None:
            return measure
        # strip a leading article/possessive: "a navy", "my husband"
        trimmed = re.sub(r"^(?:a|an|the|my|in|for|some)\s", "", s)
        if trimmed in table:
            return table[trimmed]
        if fuzzy and len(s) >= 4:
            close = difflib.get_close_matches(s, self._fuzzy_pool.get(slot, []), n=1, cutoff=0.8)
            if close:
                return table[close[0]]
        return None

    def scan(
        self,
        text: str,
        blocked: list[tuple[int, int]] = (),  # type: ignore[assignment]
        *,
        fuzzy: bool = True,
    ) -> list[Match]:
        """Longest-first gazetteer matches over word n-grams, outside ``blocked`` spans.

        Exact matches of short/common surfaces need a cue ("size m", "for him"); fuzzy
        matches (typos) need at least five letters and no exact reading."""
        # a decimal is one word ("0.6 l", "13.3 inch")
        words = [
            (m.start(), m.end(), m.group(0)) for m in re.finditer(r"\d+(?:\.\d+)+|[\w&'+-]+", text)
        ]
        taken = [False] * len(words)
        out: list[Match] = []

        def blocked_at(a: int, b: int) -> bool:
            return any(x < b and a < y for x, y in blocked)

        for n in range(min(self._max_words, 4), 0, -1):
            for i in range(len(words) - n + 1):
                if any(taken[i : i + n]):
                    continue
                a, b = words[i][0], words[i + n - 1][1]
                if blocked_at(a, b):
                    continue
                surface = " ".join(w[2] for w in words[i : i + n]).lower()
                prev = words[i - 1][2].lower() if i > 0 else ""
                after = words[i + 1][2].lower() if i + 1 < len(words) else ""
                if surface in _MODALS and (
                    prev in _PRONOUNS
                    or after in _PRONOUNS
                    # "can this go in the dishwasher", not "a can that holds 5 litres"
                    or (i == 0 and after in _DEMONSTRATIVES)
                ):
                    continue  # "can i get it bigger": the verb, never the watering cans
                for slot in TYPE_PRIORITY:
                    value = self.surfaces[slot].get(surface)
                    if value is None and slot == "size":
                        value = self._measure(surface)
                    if value is None:
                        continue
                    if (
                        surface in CUE_ONLY
                        and surface not in self._kind_words
                        and not self._cued(slot, prev, surface)
                    ):
                        continue
                    out.append(Match(slot, value, a, b))
                    taken[i : i + n] = [True] * n
                    break
        if fuzzy:
            for i, (a, b, w) in enumerate(words):
                lw = w.lower()
                if taken[i] or len(lw) < 4 or lw in STOP or blocked_at(a, b) or lw.isdigit():
                    continue
                for slot in TYPE_PRIORITY:
                    # a 4-letter word only matches a 5-letter surface with one letter missing
                    close = difflib.get_close_matches(
                        lw, self._fuzzy_pool[slot], n=1, cutoff=0.84 if len(lw) > 4 else 0.88
                    )
                    if close:
                        out.append(Match(slot, self.surfaces[slot][close[0]], a, b, False))
                        taken[i] = True
                        break
        return sorted(out, key=lambda m: m.start)

    def _measure(self, surface: str) -> str | None:
        """The size a measure in any spelling of its unit names ("1l" -> "1 l")."""
        if not self._measures or not re.search(r"\d", surface):
            return None
        key = measure_key(surface)
        if key in self._measures:
            return self._measures[key]
        if re.fullmatch(r"\d+(?:\.\d+)?(?:x\d+(?:\.\d+)?)+", key):
            # "5x8" for the rug sizes "5x8 ft": dimensions with the unit left off, when
            # only one size has them
            found = [v for k, v in self._measures.items() if re.fullmatch(rf"{key}[a-z]+", k)]
            if len(found) == 1:
                return found[0]
        return None

    @staticmethod
    def _cued(slot: str, prev: str, surface: str) -> bool:
        if slot == "size":
            return prev in SIZE_CUES or surface == "xs"
        if slot == "audience":
            return prev in AUDIENCE_CUES
        if slot == "color":
            return prev in ("in", "the")  # "1 litre in sand", "the rose one"; not "wine glass"
        return False

    def readings(self, slot: str, surface: str) -> list[str]:
        """Every value ``surface`` may mean for ``slot``, the catalog's own first."""
        s = " ".join(surface.lower().split())
        first = self.surfaces.get(slot, {}).get(s)
        return [v for v in [first, *self.alternatives.get((slot, s), [])] if v]

    def values_of(self, slot: str) -> list[str]:
        return list(self.facets.get(slot, []))

    def surfaces_of(self, slot: str, value: str) -> list[str]:
        """Every way this lexicon knows to say ``value`` (for training data)."""
        return sorted(s for s, v in self.surfaces.get(slot, {}).items() if v == value)


# colour words in general ("red", "white", "rose"), for kinds named by colour (wines, teas)
_COLOUR_WORDS = frozenset(
    {*COLOR_FAMILIES, *(t for ts in COLOR_FAMILIES.values() for t in ts), "rosé"}
)
# A modal verb beside a pronoun ("can i", "you can", "will it") is that verb, whatever
# product, brand or value shares its spelling ("Watering Cans", a brand "Will").
_MODALS = frozenset({"can", "will", "may", "must", "might", "shall", "could", "would", "should"})
_PRONOUNS = frozenset({"i", "you", "u", "we", "they", "it", "he", "she"})
_DEMONSTRATIVES = frozenset({"this", "that", "these", "those"})
# Words of shopping chat a typo is corrected towards, besides the catalog's own words.
CHAT_WORDS = (
    "what",
    "about",
    "where",
    "when",
    "order",
    "orders",
    "cancel",
    "checkout",
    "remove",
    "compare",
    "please",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "last",
    "cart",
    "basket",
    "show",
    "items",
    "something",
    "similar",
    "picture",
    "photo",
    "details",
    "size",
    "colour",
    "color",
    "cheaper",
    "expensive",
    "delete",
    "shipped",
    "track",
    "package",
    "delivery",
    "human",
    "person",
    "agent",
    "support",
    "hello",
    "thanks",
    "goodbye",
    "help",
    "looking",
    "want",
    "need",
    "like",
    "that",
    "this",
    "those",
    "these",
    "under",
    "between",
    "dollars",
    "bucks",
    "available",
    "stock",
    "describe",
    "tell",
    "more",
    "info",
    "which",
    "better",
    "difference",
    "purchase",
    "payment",
    "pay",
    "buy",
    "add",
    "take",
    "status",
)


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein distance (adjacent swaps cost 1), or ``limit + 1`` when over."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


# Chat shorthand is no typo: "navy if poss" must not become "navy if pots" (a Cookware word)
CHAT_SHORTHAND = frozenset(
    "poss asap thnx thanx gonna wanna gotta kinda sorta smth prob probs pref prefs thru "
    "bday xmas pics info approx".split()
)


# An English word this rare (the word list's count: "ukelele" 50, "ukulele" 435) next to
# a shop's word one slip off is read as that word
_RARE = 100


class SpellFixer:
    """Corrects typos towards the catalog's words and the shopping chat words, leaving real
    words alone.

    A word is "real" when the encoder's vocabulary has it as a whole token (30k common
    English words), when the catalog uses it, or when it is written in capitals inside a
    lower-case turn (an acronym: "HEPA", "RGB"): only the rest is corrected. A correction is
    a typing slip: one edit (two for words of nine letters or more), keeping the first
    letter unless two letters were swapped; "blender" is never "lavender". Among equally
    close words a swap of two letters wins ("crat" is "cart" before "coat")."""

    def __init__(
        self, lexicon: Lexicon, known_words: set[str], catalog_words: set[str] | None = None
    ) -> None:
        targets = {s for d in lexicon.surfaces.values() for s in d if " " not in s}
        targets |= {w for w in (catalog_words or set()) if w.isalpha()}
        # the shop's own words, which a rare English spelling of them may be a slip of
        self._shop_words = {t for t in targets if len(t) >= 5}
        # units of the catalog's measures, as shoppers spell them ("peices" -> "pieces")
        targets |= {w for w in UNIT_OF if w.isalpha() and len(w) >= 5}
        self.targets = sorted(t for t in targets | set(CHAT_WORDS) if len(t) >= 4)
        self._target_set = set(self.targets)
        self._by_len: dict[int, list[str]] = {}
        for t in self.targets:
            self._by_len.setdefault(len(t), []).append(t)
        # every word of a multi-word value is real too: "Kiko" of Kiko Lane is no typo
        parts = {w for d in lexicon.surfaces.values() for t in d for w in t.split()}
        self.known = known_words | set(self.targets) | parts | CHAT_SHORTHAND
        self._cache: dict[str, str] = {}

    def _split(self, lw: str) -> str | None:
        """A compound typed as one word ("waterbotle" -> "water bottle"): two of the
        catalog's or the chat words, the second maybe one slip off."""
        for i in range(3, len(lw) - 2):
            left, right = lw[:i], lw[i:]
            if left not in self._target_set:
                continue
            fixed = right if right in self._target_set else self._closest(right, split=False)
            if fixed in self._target_set:
                return f"{left} {fixed}"
        return None

    def _closest(self, lw: str, *, split: bool = True) -> str:
        limit = 2 if len(lw) >= 9 else 1
        best: list[tuple[int, int, str]] = []
        for n in range(len(lw) - limit, len(lw) + limit + 1):
            for t in self._by_len.get(n, ()):
                swapped = sorted(t) == sorted(lw)
                if t[0] != lw[0] and not (swapped and t[:2] == lw[1::-1]):
                    continue
                d = edit_distance(lw, t, limit)
                if d <= limit:
                    best.append((d, 0 if swapped else 1, t))
        if not best:
            return (self._split(lw) or lw) if split and len(lw) >= 7 else lw
        best.sort()
        # two different words equally close, neither a swap: no way to tell, leave it
        tied = [t for d, k, t in best if (d, k) == best[0][:2]]
        if len({singular(t) for t in tied}) > 1 and best[0][1] == 1:
            return lw
        return best[0][2]

    def fix_word(self, w: str, *, caps_is_acronym: bool = False) -> str:
        lw = w.lower()
        if len(lw) < 4 or lw in self.known or not lw.isalpha() or singular(lw) in self.known:
            return w  # "cleaners" is a real word when "cleaner" is
        if caps_is_acronym and w.isupper():
            return w
        if lw not in self._cache:
            # an English word the encoder has no token for is no typo either: "handmade"
            # split into "hand" and a slip of "made" read "hand male" (audience: men)
            self._cache[lw] = lw if english_word(lw) == lw else self._closest(lw)
            if self._cache[lw] == lw and len(lw) >= 5 and (word_frequency(lw) or 0) < _RARE:
                # "ukelele" is English, barely: the shop's "ukulele" one slip off is meant
                near = self._closest(lw, split=False)
                if near in self._shop_words:
                    self._cache[lw] = near
        return self._cache[lw] if self._cache[lw] != lw else w

    def __call__(self, text: str) -> str:
        acronyms = not text.isupper()
        return re.sub(
            r"[A-Za-z]+",
            lambda m: self.fix_word(m.group(0), caps_is_acronym=acronyms),
            text,
        )
