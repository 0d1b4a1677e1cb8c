"""What this shop sells, as the embedded tier needs it: which option values exist per
category (so "large" becomes a size filter only where the catalog's sizes say so), the
catalog's own words (so a request for something it does not carry is recognised, and
spelling is corrected only towards words the shop uses), and its categories.

Built at training time from the catalog snapshot and saved with the artifact
(``lexicon.json`` -> ``profile``); an artifact without one (older generator) gives an empty
profile, under which every check says "unknown" and the tier behaves as before.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Any, Literal

from shopagent.agent.embedded._words import UNIT_OF
from shopagent.retrieval.schema import value_words

_WORD = re.compile(r"[a-z0-9]+(?:['&-][a-z0-9]+)*")


def _longest(word: str) -> tuple[int, str]:
    return (-len(word), word)  # longest first ("ml" before "m"), then by name: one order


# What a title may end in after the product's noun: its size or its count ("Kettle 1L",
# "Paper Filters (100)", "Mugs, Set of 4", "Socks 3-Pack", 'Monitor 27"', "Bottle 750 ml").
# The units are the ones measures are read with (``UNIT_OF``), and counts.
_QUANTITY_END = re.compile(
    r"[\s,(\[-]*\b(?:(?:pack|set|box|bag|case)\s+of\s+\d+|(?:(?:size|sz)\.?\s*)?\d[\w.,/%-]*"
    r"(?:\s*(?:"
    + "|".join(re.escape(w) for w in sorted({*UNIT_OF, "count", "ct", "fl oz", "mg"}, key=_longest))
    + r")(?![a-z]))?|x\s*\d+)[\s)\]\"']*$"
)


def without_quantity(title: str) -> str:
    """``title`` (casefolded) without the size or count it ends in: its last word is then
    what the product is ("Gooseneck Pour-Over Kettle 1L": a kettle, not a "1l")."""
    text = title.casefold().strip()
    while (cut := _QUANTITY_END.sub("", text)) != text and cut:
        text = cut
    return text


# a number and the unit after it, in any spelling UNITS knows ("1 litre", "32gb", '13.3"')
_MEASURE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*-?\s*("
    + "|".join(sorted((re.escape(w) for w in UNIT_OF), key=len, reverse=True))
    + r")(?![a-z])"
)
# Option values that say nothing was chosen: never read from a turn ("none of these")
_NO_CHOICE = {"none", "n/a", "na", "default", "other", "yes", "no"}
# Product attributes that are option-like facets (single values shared by the product).
_ATTRIBUTE_FACETS = ("color", "material", "style", "audience")


def _norm(v: Any) -> str:
    return " ".join(str(v).casefold().split())


# A number said of a measured option without its unit: after the kind's name ("kettlebell
# 16") or as the whole answer ("12.5 then", "the 16 please"); never money, a size or a count
_BARE_MEASURE = re.compile(
    r"^(?:(?:ok|okay|so|and|the|a|an|maybe|actually|then|um+|hmm+)\s+)*(\d+(?:\.\d+)?)"
    r"(?:\s+(?:one|ones|then|please|pls|instead|maybe))*\s*[?!.]*$"
)


def _number_of_a_measure(low: str, category: str | None) -> str | None:
    m = _BARE_MEASURE.match(low.strip())
    if m is None and category:
        kind = singular(_norm(str(category).split(">")[-1]).split()[-1])
        m = re.search(rf"\b{re.escape(kind)}s?\s+(\d+(?:\.\d+)?)(?![\w.%$£€])", low)
    return m.group(1) if m else None


def measured(values: list[str], number: str) -> list[str]:
    """The one value of ``values`` that is ``number`` in their shared unit ([] unless every
    value is a number and one unit, and one value has that number)."""
    parts = [_MEASURE.fullmatch(v.casefold().strip()) for v in values]
    if not all(parts) or len({UNIT_OF[p.group(2)] for p in parts if p}) != 1:
        return []
    same = [
        v
        for v, p in zip(values, parts, strict=True)
        if p and float(p.group(1).replace(",", ".")) == float(number)
    ]
    return same if len(same) == 1 else []


def measure_key(value: str) -> str:
    """A value as a comparison key: case, spaces and hyphens dropped, units in one spelling
    ("1 l", "1l", "1 Litre" -> "1l"; "32 GB" -> "32gb"; "5 x 8 ft" -> "5x8ft")."""
    low = value.casefold().replace(",", ".")
    low = _MEASURE.sub(lambda m: m.group(1) + UNIT_OF[m.group(2)], low)
    return re.sub(r"[\s\-_]+", "", low)


# plurals in -ves whose singular ends in f or fe ("knives": a knife; "olives" is no olife)
_VES = {
    "knives": "knife",
    "wives": "wife",
    "lives": "life",
    "leaves": "leaf",
    "loaves": "loaf",
    "shelves": "shelf",
    "halves": "half",
    "wolves": "wolf",
    "calves": "calf",
    "scarves": "scarf",
    "hooves": "hoof",
    "thieves": "thief",
    "elves": "elf",
}


def singular(word: str) -> str:
    w = word.lower()
    if w in _VES:
        return _VES[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


# A value that is a code and a name: "05 Caramel", "#210 Natural Beige", "No. 3 Sand"
_CODED = re.compile(r"^(?:#|no\.?\s*|n°\s*)?\d[\w.-]*\s+([a-z][a-z' ]*[a-z])$")


def coded_names(values: list[str]) -> dict[str, str]:
    """Value -> the name after its code, for an option whose values are codes with names of
    their own ("05 Caramel" -> "caramel": a shopper says the shade's name); {} for counts of
    one thing ("1 Pillow", "2 Pillows", "3 Steps"), whose words say no choice."""
    names: dict[str, str] = {}
    for value in values:
        m = _CODED.match(" ".join(str(value).casefold().split()))
        if m is None:
            return {}
        names[str(value)] = m.group(1)
    heads = [" ".join(singular(w) for w in name.split()) for name in names.values()]
    return names if len(set(heads)) == len(heads) else {}


# a value's words: "-5°C" keeps its minus, "$50" its sign; "July - Ruby" has two words
_VALUE_WORD = re.compile(r"(?:(?<![\w])-(?=\d))?[$£€]?(?:\d+-\d+|[\w°.+/]*\w[°\"']?)")
# words that alone name no value of an option: "one", "ship" of "Pirate Ship" ("do you
# ship to ..."), "set", "size" are said for other reasons
_NOT_A_NAME = {
    "one", "the", "and", "with", "for", "of", "in", "on", "a", "an", "or", "to", "by",
    "ship", "set", "pack", "size", "fit", "free", "new", "kit", "box", "case", "pair",
    "piece", "pieces", "edition", "style", "type", "model", "version", "only", "plus",
    "uk", "us", "eu", "x", "comfort", "standard", "regular",
}  # fmt: skip


def short_names(values: list[str]) -> dict[str, tuple[str, ...]]:
    """Value -> the shorter ways a shopper names it among its option's other values (read
    it, never change it: the answer is kept per list of values, as every turn asks)."""
    return _short_names(tuple(str(v) for v in values))


@lru_cache(maxsize=4096)
def _short_names(values: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Value -> the shorter ways a shopper names it among its option's other values: the
    name after its code ("caramel" for "05 Caramel", ``coded_names``), and the first or
    last words of a value of several that no other value has ("rose gold" and "rose" are
    not both needed: "rose gold" of "9ct Rose Gold", "silver" of "Sterling Silver", "july"
    and "ruby" of "July - Ruby", "-5°c" of "Comfort -5°C"). Words every value shares
    ("gold" of two golds) name none of them."""
    words = {str(v): [w.casefold() for w in _VALUE_WORD.findall(str(v))] for v in values}
    # how many values hold each run of words, in the singular ("pillow" of "1 Pillow" is
    # the "pillows" of "2 Pillows": no choice between them)
    held: Counter[tuple[str, ...]] = Counter()
    for ws in words.values():
        one = [singular(w) for w in ws]
        held.update({tuple(one[i:j]) for i in range(len(one)) for j in range(i + 1, len(one) + 1)})

    out: dict[str, list[str]] = {v: [n] for v, n in coded_names(list(values)).items()}
    for value, ws in words.items():
        if len(ws) == 1 and ws[0][:1] in "$£€" and ws[0][1:].replace(".", "").isdigit():
            out.setdefault(value, []).append(ws[0][1:])  # "the 50 one" of "$50"
        if len(ws) > 2 and ws[0] == "size" and held[(ws[0], singular(ws[1]))] == 1:
            out.setdefault(value, []).append(f"size {ws[1]}")  # "size 2" of "Size 2 (3-6kg)"
        for n in range(1, len(ws)):
            for part, rest in ((ws[:n], ws[n:]), (ws[-n:], ws[:-n])):
                name = " ".join(part)
                if (
                    # "kids" of "Kids 10", "uk" of "UK 6": the word a number is measured in
                    # (not "bayonet" of "B22 Bayonet": a code, then the name; nor "magnum"
                    # of "Magnum 150cl": a name, then its measure)
                    (name.isalpha() and all(re.fullmatch(r"[\d.,/-]+", w) for w in rest))
                    or part[0] in _NOT_A_NAME
                    or part[-1] in _NOT_A_NAME
                    or (len(name) < 3 and not any(c.isdigit() for c in name))
                    or held[tuple(singular(w) for w in part)] > 1  # another value has it
                    or name in out.get(value, [])
                ):
                    continue
                out.setdefault(value, []).append(name)
                if re.fullmatch(r"-?\d+(?:\.\d+)?°[cf]?", name):
                    number = name.rstrip("cf").rstrip("°")
                    out[value].append(number)  # "the -5 one"
                    if number.startswith("-"):
                        out[value].append(f"minus {number[1:]}")
    return {v: tuple(names) for v, names in out.items()}


def _category_keys(category: str) -> list[str]:
    """'Apparel > Dresses' -> ['apparel > dresses', 'apparel', 'dresses']."""
    parts = [_norm(p) for p in str(category).split(">") if p.strip()]
    return list(dict.fromkeys([" > ".join(parts), *parts])) if parts else []


def build_profile(products: list[dict[str, Any]]) -> dict[str, Any]:
    """The saved form: {"options": {category key: {option: [values]}}, "vocab": [words],
    "categories": [paths]}. Option names are casefolded; values keep the feed's case."""
    options: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    vocab: set[str] = set()
    heads: set[str] = set()
    tag_heads: set[str] = set()  # the nouns of the merchant's tags ("cable, lead, jack")
    categories: set[str] = set()
    # head noun -> leaf category -> titles ending in it ("chair": Chairs and Camp Furniture)
    titled: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for p in products:
        cat = str(p.get("category") or "")
        keys = _category_keys(cat)
        if cat:
            categories.add(cat)
        found: dict[str, set[str]] = defaultdict(set)
        for var in p.get("variants") or []:
            opts = var.get("options") if isinstance(var, dict) else getattr(var, "options", {})
            for k, v in (opts or {}).items():
                if str(v).strip():
                    found[_norm(k)].add(str(v).strip())
        attrs = p.get("attributes") or {}
        for k in _ATTRIBUTE_FACETS:
            if isinstance(attrs.get(k), str) and attrs[k].strip():
                found[k].add(attrs[k].strip())
        for k, vals in found.items():
            for key in keys:
                for v in vals:
                    options[key][k].setdefault(_norm(v), v)
        text = " ".join(
            [str(p.get("title") or ""), cat, str(p.get("brand") or "")]
            + [v for vals in found.values() for v in vals]
        )
        vocab.update(singular(w) for w in _WORD.findall(text.casefold()))
        tags = attrs.get("tags")
        for tag in tags if isinstance(tags, list) else str(tags or "").split(","):
            tag_words = _WORD.findall(str(tag).casefold())
            if 0 < len(tag_words) <= 2:  # "lead", "gig bag": what the product is called
                tag_heads.add(singular(tag_words[-1]))
                vocab.update(singular(w) for w in tag_words)
        title_words = _WORD.findall(without_quantity(str(p.get("title") or "")))
        if title_words:  # the head noun of a title is what the product is
            heads.add(singular(title_words[-1]))
            if cat:
                leaf = cat.split(">")[-1].strip()
                titled[singular(title_words[-1])][leaf].append(str(p.get("title")))
    return {
        "options": {
            c: {k: sorted(v.values(), key=str.casefold) for k, v in opts.items()}
            for c, opts in options.items()
        },
        "vocab": sorted(vocab),
        "heads": sorted(heads),
        "tag_heads": sorted(tag_heads - heads),
        "categories": sorted(categories, key=str.casefold),
        # the leaf categories each title head noun is sold in ("mouse": Mice)
        "head_categories": {h: sorted(cats) for h, cats in sorted(titled.items())},
        # only the heads several categories share: where a category word is uncertain
        "shared_heads": {
            h: {c: sorted(t)[:200] for c, t in sorted(cats.items())}
            for h, cats in sorted(titled.items())
            if len(cats) > 1
        },
    }


# A number joined to another as sums are written: "12-53", "700x25", "1/4"
SUMS = re.compile(r"\d[\d.]*(?:\s*[-x×/]\s*\d[\d.]*)+")


# Words that head titles of many kinds ("Paint Set", "Brush Set"): the noun before says which
_CONTAINER_HEADS = frozenset({"set", "pack", "kit", "bundle", "box", "collection", "pair", "tin"})


class CatalogProfile:
    def __init__(self, data: dict[str, Any] | None = None) -> None:
        data = data or {}
        self.options: dict[str, dict[str, list[str]]] = {
            _norm(c): {_norm(k): list(v) for k, v in opts.items()}
            for c, opts in (data.get("options") or {}).items()
        }
        self.vocab = set(data.get("vocab") or [])
        self.heads = set(data.get("heads") or [])
        self.tag_heads = set(data.get("tag_heads") or [])
        self.categories: list[str] = list(data.get("categories") or [])
        self.shared_heads: dict[str, dict[str, list[str]]] = dict(data.get("shared_heads") or {})
        self.head_categories: dict[str, list[str]] = dict(data.get("head_categories") or {})
        self._colours_by_leaf: dict[str, list[str]] | None = None
        # every option's name, of any category ("whats a tog?" asks of one)
        self.all_option_names = {k for opts in self.options.values() for k in opts}
        # their words ("fitting" of Fitting, "temperature" of Colour Temperature): which one
        # of a product ("screw fitting"), never a thing the shop does not carry
        self.option_words = {
            w for k in self.all_option_names for w in re.findall(r"[a-z]{3,}", k.casefold())
        }
        # option values of one word ("Firm", "Oak", "King"): what a product is like or
        # which one of it, never a thing of its own
        values = {v for opts in self.options.values() for vals in opts.values() for v in vals}
        self.value_words = {v.lower() for v in values if re.fullmatch(r"[A-Za-z][a-z]+", v)}
        self.value_words |= {w for v in values for w in value_words(v) if " " not in w}
        # a word of a value of a size and a number ("junior" of "Junior 1", "kids" of "Kids
        # 12"): a kind of size, never a thing the shop does not carry ("junior sizes")
        self.value_words |= {
            m.group(1).lower()
            for v in values
            if (m := re.fullmatch(r"([A-Za-z]{3,})\s+\d[\w.-]*", str(v).strip()))
        }
        # values of several words ("pirate ship", "night sky"): a choice of a product too
        spelt = {" ".join(re.findall(r"[a-z0-9]+", str(v).casefold())) for v in values}
        self.phrase_values = {v for v in spelt if " " in v and re.search(r"[a-z]{3}", v)}
        # and such a value's noun ("bean" of "Whole Bean": "coffee beans" asks for what is
        # sold as whole beans, never a thing the shop does not carry)
        self.value_words |= {
            last for v in self.phrase_values if re.fullmatch(r"[a-z]{3,}", last := v.split()[-1])
        }
        self._phrase_values_said: re.Pattern[str] | Literal[False] | None = None
        # values written like sums ("12-53 Light", "700x25"): choices, not arithmetic
        self.number_values = {m.group(0) for v in values for m in SUMS.finditer(v.lower())}

    def without_phrase_values(self, text: str) -> str:
        """``text`` with the shop's option values of several words blanked out (the rest
        as it was: its punctuation splits clauses)."""
        if self._phrase_values_said is None:  # one pattern, made on first use
            said = sorted(
                (r"[\W_]+".join(re.escape(w) for w in v.split()) for v in self.phrase_values),
                key=len,
                reverse=True,
            )
            self._phrase_values_said = (
                re.compile(rf"(?<![a-z0-9])(?:{'|'.join(said)})(?![a-z0-9])", re.I)
                if said
                else False
            )
        return self._phrase_values_said.sub(" ", text) if self._phrase_values_said else text

    def __bool__(self) -> bool:
        return bool(self.options or self.vocab)

    def values(self, option: str, category: str | None) -> list[str] | None:
        """The values ``option`` takes in ``category`` (any level of its path), or None when
        the profile does not know the category."""
        if not category:
            return None
        opts = self.options.get(_norm(str(category).split(">")[-1]))
        if opts is None:
            opts = self.options.get(_norm(category))
        if opts is None:
            return None
        return list(opts.get(_norm(option), []))

    def sized(self, category: str | None) -> list[str]:
        """The values of ``category``'s options named as a kind of size ("Ring Size", "Shoe
        Size"), which a shopper calls its size as well."""
        opts = self.options.get(_norm(str(category).split(">")[-1])) if category else None
        return [v for name, vals in (opts or {}).items() if name.endswith(" size") for v in vals]

    def allows(self, option: str, value: str, category: str | None) -> bool | None:
        """Whether ``value`` is a value of ``option`` for ``category``; None: unknown."""
        vals = self.values(option, category)
        if vals is None:
            return None
        return _norm(value) in {_norm(v) for v in vals}

    def categories_with(self, option: str, value: str) -> int:
        """How many leaf categories have ``value`` for ``option``."""
        leaves = {_norm(c.split(">")[-1]) for c in self.categories}
        want = _norm(value)
        return sum(
            1
            for leaf in leaves
            if want in {_norm(v) for v in (self.options.get(leaf) or {}).get(_norm(option), [])}
        )

    def categories_having(self, option: str) -> int:
        """How many leaf categories have any value of ``option``."""
        leaves = {_norm(c.split(">")[-1]) for c in self.categories}
        return sum(1 for leaf in leaves if (self.options.get(leaf) or {}).get(_norm(option)))

    def option_names(self, category: str | None) -> list[str]:
        if not category:
            return []
        opts = self.options.get(_norm(str(category).split(">")[-1])) or {}
        return [k for k, v in opts.items() if len(v) > 1]

    def option_values(
        self, text: str, category: str | None, skip: tuple[str, ...] = ()
    ) -> dict[str, str]:
        """The category's own option values a turn names ("tactile" -> switch type,
        "32 gb" -> RAM 32GB, "1tb" -> Storage "1TB SSD" when no other storage value starts
        with 1TB), by option name; options named in ``skip`` (the slots) are left out."""
        if not category:
            return {}
        opts = self.options.get(_norm(str(category).split(">")[-1])) or self.options.get(
            _norm(category)
        )
        if not opts:
            return {}
        low = _norm(text)
        words = re.findall(r"[\w.+'\"/]+", low)
        # the kind's own noun is no value's name: "book" of "Board Book" in Children's Books
        kind = {singular(w) for w in _WORD.findall(str(category).split(">")[-1].casefold())}
        grams = {
            measure_key(" ".join(words[i : i + n]))
            for n in range(1, 5)
            for i in range(len(words) - n + 1)
        }
        found: dict[str, str] = {}
        for name, values in opts.items():
            if name in skip or len(values) < 2:
                continue
            keys = {measure_key(v): v for v in values if _norm(v) not in _NO_CHOICE}
            # a value by a name of its own: "caramel" for "05 Caramel", "rose gold" for "9ct
            # Rose Gold" (not a number alone: "under 50" is no "$50", "size 6" the size slot's)
            keys.update(
                {
                    measure_key(name): v
                    for v, names in short_names(values).items()
                    for name in names
                    if re.search(r"[a-z]", name)
                    and not name.startswith("-")
                    and singular(name.casefold()) not in kind
                }
            )
            hits = [v for k, v in keys.items() if k in grams and (len(k) > 2 or k[0].isdigit())]
            if not hits and name.endswith("size"):
                # "size M" of a Ring Size: a letter is a value where the text says it is a size
                hits = [v for v in values if re.search(rf"\bsize\s+{re.escape(_norm(v))}\b", low)]
            if not hits:
                # "1tb" for "1TB SSD": the value's leading measure, when only it has that one
                lead: dict[str, list[str]] = {}
                for v in values:
                    m = _MEASURE.match(v.casefold())
                    if m and m.start() == 0:
                        lead.setdefault(m.group(1) + UNIT_OF[m.group(2)], []).append(v)
                hits = [vs[0] for k, vs in lead.items() if len(vs) == 1 and k in grams]
            if not hits and (said := _number_of_a_measure(low, category)) is not None:
                # "kettlebell 16", "12.5 then": the one value of a measured option (all of
                # its values in one unit) with that number
                hits = measured(values, said)
            if hits:
                found[name] = max(hits, key=len)
        return found

    def best_category(self, surface: str, named: str, text: str) -> str:
        """The category a category word means in ``text``: ``named`` (the lexicon's
        reading), unless the word is the head noun of product titles in several categories
        and another category's titles share strictly more of the text's words ("folding
        camp chair" -> Camp Furniture, where "chair" names the Chairs category)."""
        parts = _WORD.findall(surface.casefold())
        shared = self.shared_heads.get(singular(parts[-1])) if parts else None
        if not shared:
            return named
        said = {singular(w) for w in _WORD.findall(text.casefold())}

        def score(category: str) -> int:
            titles = shared.get(category) or []
            return max(
                (len(said & {singular(w) for w in _WORD.findall(t.casefold())}) for t in titles),
                default=0,
            )

        mine = score(next((c for c in shared if _norm(c) == _norm(named)), named))
        best = max(shared, key=score)
        return best if score(best) > mine else named

    def head_noun(self, text: str) -> tuple[str, list[str]] | None:
        """The last word of ``text`` that heads product titles, with the leaf categories
        those products are in ("wireless mouse" -> ("mouse", ["Mice"])); None if none."""
        found = [
            (singular(w), cats)
            for w in reversed(_WORD.findall(text.casefold()))
            if (cats := self.head_categories.get(singular(w)))
        ]
        if not found:
            return None
        # "a fine pen set": the pens, not every kind sold as a set (paint, brushes, pencils)
        if (
            len(found) > 1
            and found[0][0] in _CONTAINER_HEADS
            and found[1][0] not in _CONTAINER_HEADS
        ):
            return found[1][0], list(found[1][1])
        return found[0][0], list(found[0][1])

    def knows(self, word: str) -> bool:
        return singular(word) in self.vocab or word.lower() in self.vocab

    def colours_by_leaf(self) -> dict[str, list[str]]:
        """Leaf category name -> its colour values, in catalog order. Worked out once (the
        profile does not change once loaded; the planner asks on every turn): read it,
        never change it."""
        if self._colours_by_leaf is None:
            self._colours_by_leaf = self._work_out_colours_by_leaf()
        return self._colours_by_leaf

    def _work_out_colours_by_leaf(self) -> dict[str, list[str]]:
        # one leaf of each top-level category first: a question offers a spread of them
        by_top: dict[str, list[str]] = {}
        for c in self.categories:
            by_top.setdefault(c.split(">")[0].strip(), []).append(c.split(">")[-1].strip())
        order = [
            leaf
            for i in range(max(map(len, by_top.values()), default=0))
            for leaves in by_top.values()
            if i < len(leaves)
            for leaf in [leaves[i]]
        ]
        return {
            leaf: list((self.options.get(_norm(leaf)) or {}).get("color", []))
            for leaf in dict.fromkeys(order)
        }

    def top_categories(self) -> list[str]:
        """The leaf category names, in catalog order."""
        leaves = [c.split(">")[-1].strip() for c in self.categories]
        return list(dict.fromkeys(leaves))


def facets_hash(facets: dict[str, list[str]]) -> str:
    """A short hash of the catalog's facet values: a model trained for other values is
    another catalog's (saved in the manifest, compared on load)."""
    import hashlib
    import json

    data = {k: sorted(str(v) for v in vals) for k, vals in sorted(facets.items()) if vals}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
