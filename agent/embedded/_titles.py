"""Products named by their title: "add the Pavo Brown Leather Penny Loafer (42) to my basket".

Titles come from two places: the products shown earlier in the conversation
(``DialogueState.shown``) and the catalog titles saved with the trained artifact (the
training sample, every product in small catalogs). A match is the title's words in order
(punctuation and case ignored), or, failing that, nearly all of a long title's words; the
longest, unambiguous match wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9&]+(?:'[a-z]+)?")
# A purchase cue: with a product named by its title, the turn is an add to cart.
PURCHASE = re.compile(
    r"\b(?:add|buy|purchase|order|grab|take|get me|put|throw|i'?ll have|i'?d like|"
    r"i want|cart|basket|bag|trolley)\b",
    re.I,
)


def _one(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


@dataclass(frozen=True)
class TitleMatch:
    product_id: str
    title: str
    start: int  # span of the title in the text
    end: int
    exact: bool


def _pattern(title: str) -> re.Pattern[str] | None:
    ws = words(title)
    if len(ws) < 2:
        return None
    # the words in order; between them anything that is not a letter or digit
    return re.compile(r"(?<![\w])" + r"[^\w]+".join(re.escape(w) for w in ws) + r"(?![\w])", re.I)


# two things set side by side: "between acrylic and watercolour", "oil vs acrylic"
_SIDE_BY_SIDE = re.compile(
    r"\b(?:between|compare)\s+(?:the\s+)?([\w' -]+?)\s+(?:and|or|vs\.?|versus|with|to)\s+"
    r"(?:the\s+)?([\w' -]+?)\s*(?:[?.!,]|$)"
    r"|^\W*(?:the\s+)?([\w' -]+?)\s+(?:vs\.?|versus|or)\s+(?:the\s+)?([\w' -]+?)\s*\??$"
    # "which is more soft, merino or alpaca?"
    r"|\bwhich\s(?:one\s|of them\s)?(?:is|are|has|would be|'s)\b[^,]{0,40},\s*(?:the\s+)?"
    r"([\w' -]+?)\s+(?:or|vs\.?|versus)\s+(?:the\s+)?([\w' -]+?)\s*[?.!]*$"
)


class TitleIndex:
    def __init__(self, titles: dict[str, str] | None = None) -> None:
        self.titles = {str(k): str(v) for k, v in (titles or {}).items() if v}
        self._words = {pid: set(words(t)) for pid, t in self.titles.items()}
        self._patterns: dict[str, re.Pattern[str] | None] = {}
        # A catalog title can be named word for word only when every word of it is in the
        # turn, so each title is filed under its rarest word and a turn looks at the titles
        # filed under its own words: a few instead of every one (5,000 regex-free subset
        # tests per call cost ~1 ms, several calls a turn). Catalog order is kept (ties).
        self._order = {pid: i for i, pid in enumerate(self.titles)}
        self._having: dict[str, list[str]] | None = None
        df: dict[str, int] = {}
        for ws in self._words.values():
            for w in ws:
                df[w] = df.get(w, 0) + 1
        self._by_word: dict[str, list[str]] = {}
        for pid, ws in self._words.items():
            if ws:
                self._by_word.setdefault(min(ws, key=lambda w: (df[w], w)), []).append(pid)

        # titles by their last word (the product's noun: "... Memory Foam Mattress"), for a
        # product named by the end of its title ("the memory foam mattress")
        self._seq = {pid: words(t) for pid, t in self.titles.items()}
        self._by_last: dict[str, list[str]] = {}
        for pid, seq in self._seq.items():
            if len(seq) >= 2:
                self._by_last.setdefault(seq[-1], []).append(pid)

        # a word of one title only ("dune", "sapiens"): may name that product alone
        self._unique = {
            w: pid
            for pid, ws in self._words.items()
            for w in ws
            if df[w] == 1 and len(w) >= 4 and w.isalpha()
        }

    def __len__(self) -> int:
        return len(self.titles)

    def rare_name(self, text: str, frequency: Callable[[str], int | None]) -> str | None:
        """The product a turn names by a word only its title has, when that word is rare in
        English and said as a name: "the hardcover dune", "the hobbit", or a word English
        does not have ("sapiens") anywhere. Common words never do ("simple", "wind"); nor a
        rare word only said ("is it orthopedic?", "is it sisal?": about the product in
        play)."""
        low = text.lower()
        found = set()
        for w in set(words(text)):
            pid = self._unique.get(w)
            if pid is None:
                continue
            count = frequency(w)
            if count is None:
                return None  # no word list: no way to tell a name from a word
            named = re.search(rf"\bthe\s+(?:[a-z]+\s+)?{re.escape(w)}\b", low)
            if count == 0 or (count < 2000 and named):
                found.add(pid)
        return found.pop() if len(found) == 1 else None

    def only_title_with(self, word: str) -> str | None:
        """The product whose title alone has ``word`` (four letters or more), or None; never
        by a word that picks by place or price ("the other one" of "The Other Side")."""
        w = word.lower()
        return None if w in _NO_NAME else self._unique.get(w)

    def only_titles_with(
        self, text: str, skip: set[str] | frozenset[str] = frozenset()
    ) -> set[str]:
        """The products whose titles alone hold a word of ``text`` ("espresso ground decaf":
        Swiss Water Decaf), the words in ``skip`` (values the turn filters by) left out."""
        return {pid for w in set(words(text)) - skip if (pid := self._unique.get(w)) is not None}

    def holding_all(self, said: list[str]) -> list[str]:
        """The products whose titles hold every one of ``said`` that some title has (two
        words or more, singular or plural alike): "knife set looks nice" of "Knife Block
        Set"."""
        having = self._word_index()
        sets = [
            pids
            for w in dict.fromkeys(said)
            if (pids := {p for f in (w, _one(w), _one(w) + "s") for p in having.get(f, [])})
        ]
        if len(sets) < 2:
            return []
        return sorted(set.intersection(*sets), key=self._order.__getitem__)

    def named_by_end(self, text: str) -> TitleMatch | None:
        """The one product a turn names by the end of its title after "the": two words or
        more, in order, the last the title's own ("is the memory foam mattress good if i
        sleep hot?" of "Cloudrest Memory Foam Mattress", not of "... Memory Foam Pillow");
        None when no title, or several, end so (``exact`` is False)."""
        hits = self.all_named_by_end(text)
        return hits[0] if len(hits) == 1 else None

    def all_named_by_end(self, text: str) -> list[TitleMatch]:
        """Every product the turn names so, one per "the ..." ("the combi drill and the
        drill driver": two), in the order said."""
        low = text.lower().replace("’", "'")
        hits: dict[str, TitleMatch] = {}
        for the in re.finditer(r"\bthe\s+", low):
            after = [(w.group(0), the.end() + w.end()) for w in _WORD.finditer(low[the.end() :])]
            # up to the next title said ("the combi drill and the drill driver")
            cut = next((n for n, (w, _) in enumerate(after) if w in _BETWEEN), len(after))
            after = after[:cut]
            for k in range(min(len(after), 5), 1, -1):
                phrase = [w for w, _ in after[:k]]
                pids = self._by_last.get(phrase[-1])
                if not pids:
                    continue
                found = [pid for pid in pids if _holds(self._seq[pid], phrase)]
                if len(found) == 1:
                    pid = found[0]
                    hits[pid] = TitleMatch(
                        pid, self.titles[pid], the.start(), after[k - 1][1], False
                    )
                break  # the longest phrase ending in a title's noun decides
        return sorted(hits.values(), key=lambda t: t.start)

    def named_by_word(self, text: str) -> TitleMatch | None:
        """ "compare it with the hybrid": the one product whose title alone has the word
        said after "the" (and before "one" or the end of a clause); None otherwise. Only
        where the turn must name a product (a comparison): a common word may be a unique
        title word too."""
        low = text.lower().replace("\u2019", "'")
        found = {
            (pid, m.start(), m.end())
            for m in re.finditer(
                r"\bthe\s+([a-z][a-z-]{3,})(?:\s+ones?)?\s*(?=$|[,.;!?]|\s+(?:and|or|then)\b)", low
            )
            if (pid := self._unique.get(m.group(1))) is not None
        }
        if len({pid for pid, _, _ in found}) != 1:
            return None
        pid, start, end = next(iter(found))
        return TitleMatch(pid, self.titles[pid], start, end, False)

    def match(self, text: str, extra: dict[str, str] | None = None) -> TitleMatch | None:
        """The product whose title ``text`` names; ``extra`` (id -> title, the products
        shown) is tried first, and only there may a title be named loosely (a word missing
        or misspelt): a search that lists a brand, colour, material and type is not a title."""
        hit = _best(text, extra or {}, self._patterns, None, loose=True)
        if hit is None:
            hit = _best(text, self._candidates(text), self._patterns, self._words, loose=False)
        return hit

    def _candidates(self, text: str) -> dict[str, str]:
        """The catalog titles whose every word may be in ``text``, in catalog order."""
        found = [pid for w in set(words(text)) for pid in self._by_word.get(w, ())]
        return {pid: self.titles[pid] for pid in sorted(found, key=self._order.__getitem__)}

    def match_all(self, text: str, extra: dict[str, str] | None = None) -> list[TitleMatch]:
        """Every title named word for word, left to right, without overlaps (for "what's the
        difference between the <title> and the <title>?")."""
        found: list[TitleMatch] = []
        rest = text
        for _ in range(4):
            hit = self.match(rest, extra)
            if hit is None or not hit.exact or hit.end <= hit.start:
                break
            found.append(hit)
            rest = rest[: hit.start] + " " * (hit.end - hit.start) + rest[hit.end :]
        return sorted(found, key=lambda m: m.start)

    def names_phrase(self, phrase: str) -> bool:
        """Some title holds ``phrase``, its words in order, the last in either number
        ("teddy bear" in "Plushy Brown Teddy Bear"): the phrase names a product sold."""
        return bool(self.holding(phrase, limit=1))

    def _word_index(self) -> dict[str, list[str]]:
        """Word -> the titles that have it (catalog order), made on first use."""
        if self._having is None:
            having: dict[str, list[str]] = {}
            for pid, seen in self._words.items():
                for w in seen:
                    having.setdefault(w, []).append(pid)
            self._having = having
        return self._having

    def holding(self, phrase: str, limit: int = 2) -> list[str]:
        """The products (up to ``limit``) whose titles hold ``phrase`` as ``names_phrase``
        reads it."""
        ws = words(phrase)
        if not ws:
            return []
        stem = ws[-1][:-1] if ws[-1].endswith("s") else ws[-1]
        pattern = re.compile(
            r"(?<![\w])"
            + r"[^\w]+".join([*(re.escape(w) for w in ws[:-1]), re.escape(stem) + r"s?"])
            + r"(?![\w])",
            re.I,
        )
        having = self._word_index()
        last = {ws[-1], stem, stem + "s"}
        pool: list[list[str]] = [having.get(w, []) for w in ws[:-1]] or [
            [pid for w in last for pid in having.get(w, [])]
        ]
        found: list[str] = []
        fewest = min(pool, key=lambda pids: len(pids))
        for pid in sorted(fewest, key=self._order.__getitem__):
            if all(w in self._words[pid] for w in ws[:-1]) and pattern.search(self.titles[pid]):
                if pid not in found:
                    found.append(pid)
                if len(found) >= limit:
                    break
        return found

    def all_named_by_phrase(self, text: str) -> list[str]:
        """The product each "the <words>" names (``named_by_phrase``), in the order said:
        "the pushchair and the car seat"."""
        low = text.lower().replace("\u2019", "'")
        found: list[str] = []
        for the in re.finditer(r"\bthe\s+", low):
            pid = self.named_by_phrase(low[the.start() : the.start() + 60].split(" and ")[0])
            if pid is not None and pid not in found:
                found.append(pid)
        if len(found) < 2 and (pair := _SIDE_BY_SIDE.search(low)) is not None:
            # "the difference between acrylic and watercolour": each side a word (or a
            # few) that one title alone holds
            k = next(i for i in (1, 3, 5) if pair.group(i))
            first, second = pair.group(k), pair.group(k + 1)
            sides = [self._one_holding(first), self._one_holding(second)]
            if all(sides) and sides[0] != sides[1]:
                return [str(x) for x in sides]
        return found

    def _one_holding(self, phrase: str) -> str | None:
        ws = [w.group(0) for w in _WORD.finditer(phrase)][-3:]
        for k in range(len(ws)):
            pids = self.holding(" ".join(ws[k:]))
            if len(pids) == 1:
                return pids[0]
        return None

    def named_by_phrase(self, text: str) -> str | None:
        """The one product "the <two or three words>" names by words its title holds in
        order ("are the pearl studs real pearls?" of "Pearl Stud Earrings"), or "the <noun>"
        by the noun only its title has and ends in ("the polish"); None when no title, or
        several, hold them."""
        low = text.lower().replace("\u2019", "'")
        for the in re.finditer(r"\bthe\s+", low):
            after = [w.group(0) for w in _WORD.finditer(low[the.end() :])][:3]
            for k in range(len(after), 1, -1):
                pids = self.holding(" ".join(after[:k]))
                if len(pids) == 1:
                    return pids[0]
                if pids:
                    break  # several hold it: no one product
            # "the polish" of "Premium Shoe Polish": the noun one title ends in, alone
            ends = self._by_last.get(after[0]) if after else None
            if ends and len(ends) == 1 and self._unique.get(after[0]) == ends[0]:
                return ends[0]
        return None


# "the wool one", "the dragons one", "the jute rug": a word or a few said after "the"
_THE = re.compile(r"\bthe\s+")
# words that pick by place or price, never by name ("the other one", "the cheaper one")
_NO_NAME = frozenset(
    "one ones other same first second third fourth fifth last next previous cheaper "
    "cheapest pricier priciest dearer bigger smaller biggest smallest best better new "
    "top bottom left right middle above below and or with in of for".split()
)


def shown_named(
    text: str, shown: dict[str, str], options: Callable[[str], set[str]] | None = None
) -> TitleMatch | None:
    """The one shown product "the <words> one" names by words its title alone holds among
    those shown ("is the wool one soft?" of a jute and a wool rug); without "one", two
    words or more ("add the jute rug"). None when no shown title, or several, hold them, or
    another shown product has one of them in an option value (``options``: the words of
    its values, lower case): "the navy one" of a navy-named sofa and a chair that comes in
    navy."""
    if len(shown) < 2:
        return None
    low = text.lower().replace("\u2019", "'")
    seen = {pid: {f for w in words(t) for f in (w, _one(w))} for pid, t in shown.items()}

    def one_holding(said: list[str]) -> str | None:
        pids = [pid for pid, ws in seen.items() if all(w in ws or _one(w) in ws for w in said)]
        if len(pids) != 1 or (
            options is not None
            and any(any(w in options(p) for w in said) for p in shown if p != pids[0])
        ):
            return None
        return pids[0]

    hits: dict[str, TitleMatch] = {}
    for the in _THE.finditer(low):
        after = list(_WORD.finditer(low, the.end()))[:4]
        ws = [w.group(0) for w in after]
        k = next((i for i, w in enumerate(ws) if w == "one"), None)  # "ones": a filter
        if k is not None:  # "the wool one"
            # (a number before "one" is a place or a size: "the 2 one" names no title)
            named = ws[:k]
            tries = (
                [k] if 1 <= k <= 3 and all(w.isalpha() and w not in _NO_NAME for w in named) else []
            )
        else:  # "the jute rug": the longest run of two or three title words
            # (a number may be a title's word too: "the 2 seater harbour")
            run = next((i for i, w in enumerate(ws) if w in _NO_NAME or not w.isalnum()), len(ws))
            tries = list(range(min(run, 3), 1, -1))
        for n in tries:
            pid = one_holding(ws[:n])
            if pid is not None:
                end = after[n].end() if k is not None else after[n - 1].end()
                hits[pid] = TitleMatch(pid, shown[pid], the.start(), end, False)
                break
    return next(iter(hits.values())) if len(hits) == 1 else None


_BETWEEN = frozenset({"the", "and", "or", "vs", "versus"})


def _holds(seq: list[str], phrase: list[str]) -> bool:
    """``phrase`` is the end of the title ``seq`` (its words, in order, the last its last)."""
    return len(phrase) <= len(seq) and seq[-len(phrase) :] == phrase


def _best(
    text: str,
    pool: dict[str, str],
    cache: dict[str, re.Pattern[str] | None],
    word_sets: dict[str, set[str]] | None,
    *,
    loose: bool,
) -> TitleMatch | None:
    if not pool:
        return None
    tw = set(words(text))
    exact: list[TitleMatch] = []
    for pid, title in pool.items():
        ws = word_sets[pid] if word_sets is not None else set(words(title))
        if not ws or not ws <= tw:
            continue
        key = f"{pid}|{title}"
        if key not in cache:
            cache[key] = _pattern(title)
        pat = cache[key]
        m = pat.search(text) if pat is not None else None
        if m:
            exact.append(TitleMatch(pid, title, m.start(), m.end(), True))
    if exact:
        exact.sort(key=lambda m: (-(m.end - m.start), m.start))
        a = exact[0]
        # ambiguous only when two titles claim the same words ("... the A and the B" is not)
        rivals = [
            b
            for b in exact[1:]
            if b.start < a.end and a.start < b.end and b.end - b.start == a.end - a.start
        ]
        if any(words(b.title) != words(a.title) for b in rivals):
            return None
        if rivals:
            # the same title on several products: the first in catalog order, always the
            # same one (the shopper cannot tell them apart by name either)
            return min([a, *rivals], key=lambda m: m.product_id)
        return a
    if not loose:
        return None
    # near matches: a long title with one word missing or misspelt
    scored: list[tuple[float, str, str]] = []
    for pid, title in pool.items():
        ws = word_sets[pid] if word_sets is not None else set(words(title))
        if len(ws) < 4:
            continue
        share = len(ws & tw) / len(ws)
        if share >= 0.8:
            scored.append((share, pid, title))
    scored.sort(reverse=True)
    if scored and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        _, pid, title = scored[0]
        span = _span(text, set(words(title)))
        return TitleMatch(pid, title, span[0], span[1], False)
    return None


def _span(text: str, ws: set[str]) -> tuple[int, int]:
    """From the first to the last of the title's words in ``text``."""
    hits = [m for m in re.finditer(r"[\w&]+(?:'[a-z]+)?", text) if m.group(0).lower() in ws]
    if not hits:
        return 0, 0
    return hits[0].start(), hits[-1].end()
