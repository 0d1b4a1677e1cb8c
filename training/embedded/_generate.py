"""Generate labelled training turns from a catalog: its facets, titles and brands.

Works on any catalog: pass product dicts (``Product.model_dump()`` shape; only ``title``,
``category``, ``brand`` and ``id`` are read) and ``facet_values``. Phrasing varies through
templates, paraphrased prefixes/suffixes, synonyms from the lexicon, number and currency
forms, casing and typos.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from shopagent.agent.embedded import Lexicon, leaf, without_quantity
from shopagent.training.embedded import _templates as T

GENERATOR_VERSION = "12"
_KEYS = "qwertyuiopasdfghjklzxcvbnm"


@dataclass
class Example:
    text: str
    intent: str
    split: str = "train"  # "train" | "val" (templates held out, for calibration)


# short heads that name no kind of product alone ("Tea Set", "Repair Kit")
_GENERIC_HEADS = {"set", "kit", "box", "pack", "pair", "duo", "trio", "lot"}


def _a_word_of(head: str, category: str) -> bool:
    """``head`` is a whole word of the category's leaf, in the singular ("mat" of Sleeping
    Mats, not "pen" of Open Shelving)."""
    words = re.findall(r"[a-z]+", leaf(category).lower())
    return head.lower().rstrip("s") in {w.rstrip("s") for w in words}


def title_nouns(products: list[dict[str, Any]], lexicon: Lexicon) -> dict[str, str]:
    """Product noun phrases from titles -> leaf category ("Chelsea Boot" -> "Boots").

    A title is stripped of words the facets explain (brand, colour, material, style,
    audience); what remains at the end is the noun. Nouns used in several categories go
    to the most frequent one."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    known = set()
    for slot in ("color", "material", "style", "audience", "brand"):
        for s in lexicon.surfaces[slot]:
            known.update(s.split())
    known |= {"women's", "men's", "kids'", "womens", "mens", "kids"}
    for p in products:
        cat = str(p.get("category") or "")
        if not cat or not p.get("title"):
            continue
        words = [w for w in re.findall(r"[\w'&-]+", without_quantity(str(p["title"])))]
        tail: list[str] = []
        for w in reversed(words):
            if w in known or any(c.isdigit() for c in w):
                break
            tail.insert(0, w)
        # "Dental Chews for Dogs", "Mug with Lid": the noun is before what it is for or has
        cut = next((i for i, w in enumerate(tail) if w.lower() in ("for", "with") and i), None)
        tail = tail[:cut] if cut is not None else tail
        if not tail or tail[0].lower() in ("for", "with"):
            continue
        counts[" ".join(tail)][cat] += 1
        if len(tail) > 2:
            # "Rechargeable Head Torch" also teaches "head torch": what a shopper calls it
            counts[" ".join(tail[-2:])][cat] += 1
        head = tail[-1]
        # "Chelsea Boot" also teaches "boot"; "Dumbbell Pair" must not teach "pair"
        if len(tail) > 1 and len(head) >= 4 and head.rstrip("s") in leaf(cat).lower():
            counts[head][cat] += 1
        elif len(tail) > 1 and head.lower() not in _GENERIC_HEADS and _a_word_of(head, cat):
            counts[head][cat] += 1  # "Sleeping Mat" of Sleeping Mats teaches "mat", "Rug" "rug"
    return {noun: c.most_common(1)[0][0] for noun, c in counts.items() if len(noun) > 2}


class Generator:
    def __init__(
        self, products: list[dict[str, Any]], facet_values: dict[str, list[str]], seed: int = 0
    ) -> None:
        self.rng = random.Random(seed)
        base = Lexicon(facet_values)
        self.nouns = title_nouns(products, base)
        self.lexicon = Lexicon(facet_values, self.nouns)
        self.values = {k: v for k, v in self.lexicon.facets.items() if v}
        step = max(1, len(products) // 1500)  # an even sample of big catalogs
        sample = products[::step]
        self.product_ids = [str(p["id"]) for p in sample if p.get("id")][:500] or ["p-00001"]
        self.titles = [str(p["title"]) for p in sample if p.get("title")][:1500]
        # Categories a shopper names: leaves (paths' last part) only, not "Apparel".
        cats = self.values.get("category", [])
        leaves = cats
        self.categories = [
            c for c in leaves if not any(o != c and o.startswith(c + " >") for o in cats)
        ] or ["things"]

    # --- surfaces -------------------------------------------------------------------------
    def say(self, slot: str, value: str) -> str:
        forms = self.lexicon.surfaces_of(slot, value)
        base = (leaf(value) if slot == "category" else value).lower()
        if not forms or self.rng.random() < 0.45:
            return base
        return self.rng.choice(forms)

    def pick(self, slot: str) -> str:
        if slot == "category":
            return self.say(slot, self.rng.choice(self.categories))
        return self.say(slot, self.rng.choice(self.values[slot]))

    def price(self) -> str:
        r = self.rng
        a = r.choice([10, 15, 20, 25, 30, 40, 50, 60, 75, 80, 100, 120, 150, 200, 250, 300, 500])
        b = a + r.choice([10, 20, 30, 50, 100])
        amt = r.choice(
            [
                f"${a}",
                f"{a}",
                f"{a} bucks",
                f"{a} dollars",
                f"€{a}",
                f"{a} usd",
                f"${a}.00",
                _spell(a),
                f"£{a}",
                f"{a} euros",
            ]
        )
        amt2 = r.choice([f"${b}", f"{b}", f"{b} bucks", f"{b} dollars"])
        return r.choice(
            [
                f"under {amt}",
                f"below {amt}",
                f"less than {amt}",
                f"for under {amt}",
                f"under {amt}",
                f"cheaper than {amt}",
                f"max {amt}",
                f"no more than {amt}",
                f"up to {amt}",
                f"{amt} or less",
                f"at most {amt}",
                f"within {amt}",
                f"between {a} and {amt2}",
                f"${a}-${b}",
                f"from ${a} to ${b}",
                f"{a} to {b} dollars",
                f"over {amt}",
                f"above {amt}",
                f"at least {amt}",
                f"more than {amt}",
                f"{amt} and up",
                f"around {amt}",
                f"for {amt}",
                f"budget {amt}",
                f"nothing over {amt}",
                f"not more than {amt}",
            ]
        )

    def ref(self) -> str:
        r = self.rng
        n = r.randint(1, 6)
        ordn = ["first", "second", "third", "fourth", "fifth", "sixth"][n - 1]
        sfx = {1: "st", 2: "nd", 3: "rd"}.get(n, "th")
        cat = self.pick("category")
        return r.choice(
            [
                f"the {ordn} one",
                f"the {ordn}",
                f"the {n}{sfx} one",
                f"number {n}",
                "it",
                "that one",
                "this one",
                "the last one",
                f"the {ordn} item",
                f"#{n}",
                f"the {n}{sfx}",
                "that",
                "those",
                f"the {ordn} {cat}",
                "the last",
            ]
        )

    def product_phrase(self, with_category: bool = True) -> str:
        r = self.rng
        pre: list[str] = []
        post: list[str] = []
        for slot, p in (
            ("style", 0.2),
            ("color", 0.45),
            ("material", 0.25),
            ("brand", 0.2),
            ("size", 0.2),
            ("audience", 0.25),
        ):
            if slot not in self.values or r.random() > p:
                continue
            v = self.pick(slot)
            if slot == "size":
                post.append(r.choice([f"in size {v}", f"size {v}", f"in {v}", v, f"in a {v}"]))
            elif slot == "audience":
                (pre if r.random() < 0.4 else post).append(
                    r.choice([v, f"{v}'s"])
                    if pre is not None and r.random() < 0.4
                    else r.choice([f"for {v}", f"for my {v}", f"for a {v}"])
                )
            elif slot == "brand":
                (pre if r.random() < 0.5 else post).append(
                    v if r.random() < 0.5 else r.choice([f"from {v}", f"by {v}"])
                )
            elif slot == "material" and r.random() < 0.3:
                post.append(r.choice([f"made of {v}", f"in {v}"]))
            elif slot == "color" and r.random() < 0.3:
                post.append(r.choice([f"in {v}", f"{v} color", f"in {v} please"]))
            else:
                pre.append(v)
        r.shuffle(pre)
        if r.random() < 0.35:
            post.append(self.price())
        r.shuffle(post)
        noun = (
            self.pick("category")
            if with_category
            else r.choice(["stuff", "something", "things", "anything", "items", "products"])
        )
        sep = r.choice([" ", " ", ", "])
        return " ".join([*pre, noun]) + (sep + " ".join(post) if post else "")

    # --- intents --------------------------------------------------------------------------
    def fill(self, tpl: str) -> str:
        r = self.rng
        out = tpl
        for key, fn in (
            ("{title}", self._title),
            ("{ref2}", self.ref),
            ("{ref}", self.ref),
            ("{pid2}", self._pid),
            ("{pid}", self._pid),
            ("{oid}", self._oid),
            ("{category}", lambda: self.pick("category")),
            ("{color}", lambda: self.pick("color")),
            ("{size}", lambda: self.pick("size")),
            ("{price}", self.price),
            ("{qty}", lambda: r.choice(["2", "two", "3", "three", "a couple", "4"])),
            ("{n1}", lambda: str(r.randint(1, 3))),
            ("{n2}", lambda: str(r.randint(4, 6))),
        ):
            while key in out and (
                key[1:-1] not in ("color", "size", "category")
                or key[1:-1] in self.values
                or key == "{category}"
            ):
                out = out.replace(key, fn(), 1)
        return out

    def _title(self) -> str:
        if not self.titles:
            return self.ref()
        t = self.rng.choice(self.titles)
        return t.lower() if self.rng.random() < 0.3 else t

    def _pid(self) -> str:
        return self.rng.choice(self.product_ids)

    def _oid(self) -> str:
        n = self.rng.randint(1000, 99999)
        hexid = f"o-{self.rng.getrandbits(40):010x}"  # the built-in order store's format
        return self.rng.choice([f"o-{n}", f"#{n}", f"ord-{n}", f"{n}", f"O-{n}", hexid, hexid])

    def search(self) -> str:
        r = self.rng
        body = self.product_phrase(with_category=r.random() < 0.93)
        return r.choice(T.SEARCH_PREFIX) + body + r.choice(T.SEARCH_SUFFIX)

    def refine(self) -> str:
        r = self.rng
        if r.random() < 0.2:
            return r.choice(T.REFINE_BARE)
        parts = []
        for slot in r.sample(
            ["color", "size", "material", "brand", "style", "audience", "price"],
            k=r.choice([1, 1, 1, 2]),
        ):
            if slot == "price":
                parts.append(self.price())
            elif slot in self.values:
                v = self.pick(slot)
                parts.append(
                    {
                        "size": r.choice([v, f"size {v}", f"a {v}"]),
                        "audience": r.choice([f"for {v}", f"{v}'s", v]),
                        "brand": r.choice([v, f"from {v}", f"only {v}"]),
                    }.get(slot, v)
                )
        return r.choice(T.REFINE_PREFIX) + " and ".join(parts) + r.choice(T.REFINE_SUFFIX)

    def from_list(self, templates: list[str], i: int) -> tuple[str, bool]:
        tpl = templates[i % len(templates)]
        return self.fill(tpl), (templates.index(tpl) % 7 == 3)

    def generate(self, per_intent: dict[str, int]) -> list[Example]:
        lists = {
            "visual_search": T.VISUAL,
            "product_details": T.DETAILS,
            "compare": T.COMPARE,
            "add_to_cart": T.ADD,
            "remove_from_cart": T.REMOVE,
            "view_cart": T.VIEW_CART,
            "checkout": T.CHECKOUT,
            "order_status": T.ORDER_STATUS,
            "cancel_order": T.CANCEL,
            "greeting": T.GREETING,
            "help": T.HELP,
            "goodbye": T.GOODBYE,
            "human_handoff": T.HANDOFF,
            "out_of_scope": T.OUT_OF_SCOPE,
        }
        out: list[Example] = []
        seen: set[tuple[str, str]] = set()
        for intent, n in per_intent.items():
            order = list(range(n * 3))
            self.rng.shuffle(order)
            made = 0
            for i in order:
                if made >= n:
                    break
                if intent == "search":
                    text, val = self.search(), self.rng.random() < 0.12
                elif intent == "refine":
                    text, val = self.refine(), self.rng.random() < 0.12
                elif intent == "add_to_cart" and self.titles and self.rng.random() < 0.3:
                    text, val = self.from_list(T.ADD_BY_TITLE, i)
                else:
                    text, val = self.from_list(lists[intent], i)
                text = self.noise(text)
                if (text, intent) in seen:
                    continue
                seen.add((text, intent))
                out.append(Example(text, intent, "val" if val else "train"))
                made += 1
        self.rng.shuffle(out)
        return out

    # --- noise ----------------------------------------------------------------------------
    def noise(self, text: str) -> str:
        r = self.rng
        words = text.split(" ")
        for i, w in enumerate(words):
            if len(w) >= 4 and w.isalpha() and r.random() < 0.06:
                words[i] = _typo(w, r)
        text = " ".join(w for w in words if w)
        text = re.sub(r"\byou\b", "u", text) if r.random() < 0.1 else text
        roll = r.random()
        if roll < 0.25:
            text = text[:1].upper() + text[1:]
        elif roll < 0.3:
            text = text.upper() if len(text) < 30 else text
        if r.random() < 0.15:
            text = re.sub(r"[?!.,]", "", text)
        return text.strip() or text


def _typo(w: str, r: random.Random) -> str:
    i = r.randrange(1, len(w) - 1)
    op = r.randrange(4)
    if op == 0:
        return w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    if op == 1:
        return w[:i] + w[i + 1 :]
    if op == 2:
        return w[:i] + w[i] + w[i:]
    return w[:i] + r.choice(_KEYS) + w[i + 1 :]


def _spell(n: int) -> str:
    words = {
        10: "ten",
        20: "twenty",
        30: "thirty",
        40: "forty",
        50: "fifty",
        60: "sixty",
        80: "eighty",
        100: "a hundred",
        15: "fifteen",
        25: "twenty five",
        75: "seventy five",
    }
    return words.get(n, str(n))


DEFAULT_MIX = {
    "search": 1500,
    "refine": 900,
    "visual_search": 320,
    "product_details": 320,
    "compare": 260,
    "add_to_cart": 520,
    "remove_from_cart": 260,
    "view_cart": 200,
    "checkout": 200,
    "order_status": 240,
    "cancel_order": 220,
    "greeting": 150,
    "help": 170,
    "goodbye": 160,
    "human_handoff": 220,
    "out_of_scope": 400,
}


def generate_examples(
    products: list[dict[str, Any]],
    facet_values: dict[str, list[str]],
    *,
    scale: float = 1.0,
    seed: int = 0,
) -> tuple[list[Example], dict[str, str]]:
    """Training turns and the title-noun map (saved with the model for the lexicon)."""
    gen = Generator(products, facet_values, seed)
    mix = {k: max(20, int(v * scale)) for k, v in DEFAULT_MIX.items()}
    return gen.generate(mix), gen.nouns
