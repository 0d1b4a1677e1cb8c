"""What goes with what, learned from the shop's own groups of products.

A *group* is a set of products the shop or its shoppers put together: a look or
collection (``data_dir/looks.json``, or a ``looks``/``collections`` attribute in the
feed), the lines of one order, the products of one session. From the groups the model
learns

- which categories complement which: P(leaf b in a group | leaf a in it), a != b;
- how well two attribute values go together (colour, style, audience, material): the
  lift of the pair over chance, across items of *different* categories of one group.

A shop with no groups falls back on ``defaults.json`` (next to this module, or
``data_dir/complements.json`` when present): generic category pairs, neutral colours and
style families, written as a stylist would. Category names there are matched to the
shop's own by meaning (MiniLM), so "Couches" finds the "sofas" rule.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from shopagent.retrieval.schema import Product, norm

PAIR_KEYS = ("color", "style", "audience", "material")
DEFAULTS_PATH = Path(__file__).with_name("defaults.json")
# A default rule applies to a shop category whose name is at least this close (cosine).
NAME_MATCH = 0.62


def leaf(p: Product) -> str:
    return norm(p.leaf_category or p.category or "")


def _top(p: Product) -> str:
    path = p.category_path
    return norm(path[0]) if path else ""


def _attr(p: Product, key: str) -> str | None:
    v = p.attributes.get(key)
    if isinstance(v, list):
        v = v[0] if v else None
    return norm(str(v)) if v not in (None, "") else None


class ComplementModel:
    """Category complements and attribute compatibility, learned or default."""

    def __init__(self, defaults: dict[str, Any] | None = None) -> None:
        self.defaults = defaults if defaults is not None else load_defaults()
        self.cat_count: Counter[str] = Counter()
        self.parent: dict[str, str] = {}
        self.cat_pair: dict[str, Counter[str]] = defaultdict(Counter)
        self.val_count: dict[str, Counter[str]] = {k: Counter() for k in PAIR_KEYS}
        self.pair_count: dict[str, Counter[tuple[str, str]]] = {k: Counter() for k in PAIR_KEYS}
        self.pairs_seen: dict[str, int] = dict.fromkeys(PAIR_KEYS, 0)
        self.groups = 0
        self.leaves: list[str] = []  # the shop's leaf categories, as it names them
        self.paths: dict[str, str] = {}  # leaf -> its full category path

    # --- learning ---------------------------------------------------------------------
    def fit(self, groups: Iterable[list[Product]]) -> ComplementModel:
        for items in groups:
            items = [p for p in items if leaf(p)]
            # sorted: counts are inserted in this order, and ties keep it (a set's order
            # changes with each process's string hashing, and so did the looks)
            cats = sorted({leaf(p) for p in items})
            for p in items:
                self.parent.setdefault(leaf(p), _top(p))
            if len(cats) < 2:
                continue
            self.groups += 1
            for a in cats:
                self.cat_count[a] += 1
                for b in cats:
                    if b == a:
                        continue
                    self.cat_pair[a][b] += 1
            for i, p in enumerate(items):
                for q in items[i + 1 :]:
                    if leaf(p) == leaf(q):
                        continue
                    for k in PAIR_KEYS:
                        x, y = _attr(p, k), _attr(q, k)
                        if x is None or y is None:
                            continue
                        self.pair_count[k][(x, y)] += 1
                        self.pair_count[k][(y, x)] += 1
                        self.val_count[k][x] += 1
                        self.val_count[k][y] += 1
                        self.pairs_seen[k] += 1
        return self

    @property
    def learned(self) -> bool:
        return self.groups > 0

    # --- categories -------------------------------------------------------------------
    def complements(
        self, anchor: Product, shop_categories: list[str], embed: Any = None
    ) -> list[tuple[str, float]]:
        """Shop categories that complement ``anchor``'s, best first, with a weight in
        (0, 1]. Learned from groups when its category was seen in any; else the default
        rules matched to the shop's category names; else what its sibling categories
        (same top category) go with in the groups."""
        a = leaf(anchor)
        if self.cat_count.get(a):
            return self._learned([a], exclude=a)
        found = _default_complements(a, self.defaults, shop_categories, embed)
        if found:
            return found
        siblings = [c for c, top in self.parent.items() if top == _top(anchor) and c != a]
        return self._learned(siblings, exclude=a)

    def _learned(self, cats: list[str], exclude: str) -> list[tuple[str, float]]:
        total = sum(self.cat_count[c] for c in cats)
        counts: Counter[str] = Counter()
        for c in cats:
            counts.update(self.cat_pair[c])
        # equal counts by name: the order must not depend on which group came first
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(b, n / total) for b, n in ranked if b != exclude and total]

    # --- attribute fit ----------------------------------------------------------------
    def _lift(self, key: str, x: str, y: str) -> float | None:
        n = self.pairs_seen[key]
        if n < 10 or not self.val_count[key][x] or not self.val_count[key][y]:
            return None  # too little data on this value: no opinion
        joint = (self.pair_count[key][(x, y)] + 0.5) / (2 * n + 0.5)
        px, py = self.val_count[key][x] / (2 * n), self.val_count[key][y] / (2 * n)
        return joint / (px * py)

    def fit_score(self, anchor: Product, cand: Product) -> tuple[float, list[str]]:
        """How well ``cand`` goes with ``anchor``: a sum of log-lifts (0 = no opinion),
        and the reasons worth telling a shopper ("navy goes with white")."""
        score, reasons = 0.0, []
        for k in PAIR_KEYS:
            x, y = _attr(anchor, k), _attr(cand, k)
            if x is None or y is None:
                continue
            lift = self._lift(k, x, y)
            if lift is None:
                lift = _default_lift(k, x, y, self.defaults)
            if lift is None:
                continue
            s = math.log(max(lift, 1e-3))
            score += max(-3.0, min(2.0, s))
            if s > 0.3 and k in ("color", "style"):
                word = "colour" if k == "color" else "style"
                reasons.append(f"same {x} {word}" if x == y else f"{y} goes with {x}")
        return score, reasons


def load_defaults(data_dir: Path | None = None) -> dict[str, Any]:
    """The default rules: ``data_dir/complements.json`` when present, else the packaged
    ``defaults.json``. A broken file is an error, not a silent fallback."""
    path = DEFAULTS_PATH
    if data_dir is not None and (Path(data_dir) / "complements.json").exists():
        path = Path(data_dir) / "complements.json"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _default_lift(key: str, x: str, y: str, defaults: dict[str, Any]) -> float | None:
    if key == "color":
        cols = defaults.get("colors", {})
        if x == y or y in cols.get("neutral", []) or x in cols.get("neutral", []):
            return 2.0
        for pair in cols.get("pairs", []):
            if {x, y} <= set(pair):
                return 2.0
        return 0.5
    if key == "style":
        if x == y:
            return 2.0
        for fam in defaults.get("style_families", []):
            if x in fam and y in fam:
                return 1.8
        return 0.6
    if key == "audience":
        if x == y or "unisex" in (x, y):
            return 1.5
        return 0.2
    return None


def _default_complements(
    a: str, defaults: dict[str, Any], shop_categories: list[str], embed: Any
) -> list[tuple[str, float]]:
    rules: dict[str, list[str]] = {norm(k): v for k, v in defaults.get("categories", {}).items()}
    key = _closest(a, list(rules), embed)
    if key is None:
        return []
    shop = [norm(c) for c in shop_categories if norm(c) != a]
    out: dict[str, float] = {}
    targets = rules[key]
    for rank, target in enumerate(targets):
        weight = 1.0 - rank / (2 * max(1, len(targets)))
        for cat in _matches(norm(target), shop, embed):
            out.setdefault(cat, weight)
    return sorted(out.items(), key=lambda kv: -kv[1])


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _closest(name: str, keys: list[str], embed: Any) -> str | None:
    exact = [k for k in keys if _singular(k) == _singular(name)]
    if exact:
        return exact[0]
    if embed is None or not keys:
        return None
    sims = _sims(embed, name, keys)
    best = int(np.argmax(sims))
    return keys[best] if sims[best] >= NAME_MATCH else None


def _matches(target: str, shop: list[str], embed: Any) -> list[str]:
    exact = [c for c in shop if _singular(c) == _singular(target)]
    if exact or embed is None or not shop:
        return exact
    sims = _sims(embed, target, shop)
    return [shop[i] for i in np.argsort(-sims) if sims[i] >= NAME_MATCH][:2]


def _sims(embed: Any, name: str, names: list[str]) -> np.ndarray:
    vecs = np.asarray(embed.embed([name, *names]), dtype=np.float32)
    return np.asarray(vecs[1:] @ vecs[0])
