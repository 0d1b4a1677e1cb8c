"""The pieces grounded replies are built from: what a search found, in words ("red
dresses under $50"), the one question that splits the results best, how compared products
differ, sold out and not carried. Everything said comes from the tool results passed in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from shopagent.agent.embedded._answers import _options
from shopagent.agent.embedded._assortment import plural
from shopagent.agent.embedded._catalog import singular
from shopagent.agent.embedded._guards import title_words
from shopagent.agent.embedded._schema import DialogueState, Reply
from shopagent.money import format_money

FOUND = [
    "Here {are} {n} {what}{which}.",
    "I found {total} {what}{which}. Here {are} the top {n}.",
    "{total} {what}{which} {match}. {these} {are} the best {n}.",
    "Take a look at {these} {what}{which}.",
]
FOUND_ONE = [
    "I found one match: {title}.",
    "There's one {what}{which}: {title}.",
]
NONE_FOUND = [
    "I couldn't find any {what}{which}.",
    "Nothing matches {what}{which} right now.",
]


def _money(amount: Any, currency: str | None) -> str:
    # Exact: tool results carry decimal strings; no float on the way to the text.
    return format_money(amount, currency)


def _as_products(leaf: str) -> str:
    """A category's leaf as a count of products: a plural leaf ("Dresses") as it is; a
    singular one as the shelf it is ("products in Fantasy", "products in Cat Food": it may
    name no countable thing)."""
    last = leaf.rpartition(" ")[2]
    if not last or singular(last.lower()) != last.lower() or last.lower().endswith("s"):
        return leaf.lower()
    return f"products in {leaf}"


def _describe(filters: dict[str, Any]) -> tuple[str, str]:
    """('red dresses', ' under $50') from the filters the tool says it applied."""
    cat = _as_products(str(filters.get("category") or "").split(">")[-1].strip()) or "products"
    adjectives = [str(filters[k]).lower() for k in ("color", "material", "style") if filters.get(k)]
    what = " ".join([*adjectives, cat])
    bits = [" on sale"] if filters.get("on_sale") else []
    if filters.get("brand"):
        bits.append(f" from {filters['brand']}")
    if filters.get("audience") and str(filters["audience"]).lower() != "unisex":
        bits.append(f" for {str(filters['audience']).lower()}")
    if filters.get("size"):
        bits.append(f" in size {filters['size']}")
    lo, hi = filters.get("price_min"), filters.get("price_max")
    if lo is not None and hi is not None:
        bits.append(f" between {_money(lo, 'USD')} and {_money(hi, 'USD')}")
    elif hi is not None:
        bits.append(f" under {_money(hi, 'USD')}")
    elif lo is not None:
        bits.append(f" over {_money(lo, 'USD')}")
    return what, "".join(bits)


def sale_prices(products: list[dict[str, Any]], limit: int = 3) -> str:
    """What the first products on sale cost now and before: " Now: Hush Monitor $79.00 (was
    $99.00); ..." (of one: " It's $79.00, down from $99.00."; "" when no card says a price
    before the sale)."""
    said = []
    for p in products[:limit]:
        # a card's own prices, or those of the options on sale when only some are
        sale = p if p.get("compare_at_price") else p.get("sale") or {}
        if not (sale.get("compare_at_price") and sale.get("price")):
            continue
        now, was = (_money(sale[k], p.get("currency")) for k in ("price", "compare_at_price"))
        options = (sale.get("options") or {}) if sale is not p else {}  # a card's: all it has
        where = " / ".join(str(v) for v in options.values())
        said.append((p.get("title"), now, was, f" in {where}" if where else ""))
    if len(products) == 1 and said:
        _, now, was, where = said[0]
        return f" It's {now}{where}, down from {was}."
    listed = [f"{title} {now}{where} (was {was})" for title, now, was, where in said]
    return " Now: " + "; ".join(listed) + "." if listed else ""


def _clarify(
    facets: dict[str, dict[str, int]],
    filters: dict[str, Any],
    products: list[dict[str, Any]] | None = None,
) -> tuple[str, list[str]] | None:
    """One question about the facet that splits the results best, and its answers. Sizes
    only within one category (ring sizes and shoe sizes do not mix), never a facet whose
    values are mostly "one size", and colours only when most of the ``products`` shown
    come in colours (food, books and tools mostly do not)."""
    labels = {"size": "Which size", "color": "Any colour in mind", "brand": "Any brand"}
    for field in ("size", "color", "brand"):
        counts = facets.get(field) or {}
        if field == "size" and not filters.get("category"):
            continue
        if (
            field == "color"
            and products
            and 2 * sum(bool(p.get("colors")) for p in products) < len(products)
        ):
            continue
        values = [v for v, c in sorted(counts.items(), key=lambda kv: -kv[1]) if c]
        if field in filters or len(values) < 2 or values[0].lower() == "one size":
            continue
        values = [v for v in values if v.lower() != "one size"]
        if len(values) < 2:
            continue
        shown = values[:5] if field != "size" else [v for v in counts if v in values][:6]
        return f"{labels[field]}: {', '.join(shown[:-1])} or {shown[-1]}?", shown
    return None


def _differences(attributes: dict[str, Any], ids: list[str]) -> str:
    """'colour (white / red) and material (plastic / metal)' for the attributes whose
    values differ between the compared products."""
    out = []
    for key in ("color", "material", "style", "brand", "audience"):
        values = attributes.get(key) or {}
        vals = [str(values.get(i)) for i in ids if values.get(i) is not None]
        if len(vals) == len(ids) and len(set(vals)) > 1:
            label = {"color": "colour"}.get(key, key)
            out.append(f"{label} ({' / '.join(vals)})")
    if not out:
        return ""
    return out[0] if len(out) == 1 else ", ".join(out[:-1]) + " and " + out[-1]


def _title(p: dict[str, Any]) -> str:
    """The title with a word said twice in a row once ("Gold Gold Hoop" -> "Gold Hoop")."""
    words = str(p.get("title") or "").split()
    out = [w for i, w in enumerate(words) if i == 0 or w.lower() != words[i - 1].lower()]
    return " ".join(out)


def _names(titles: list[str]) -> str:
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]


def _sold_out(products: list[dict[str, Any]], sold: set[str]) -> str:
    """The reply when the products the shopper named are sold out (catalog_search keeps
    them, flagged): say so first, then the in-stock alternatives shown after them."""
    gone = [_title(p) for p in products if str(p.get("id")) in sold]
    kinds = {p.get("category") for p in products if str(p.get("id")) in sold}
    # the alternatives are of the same kind where the cards say it ("any kites": no puzzle)
    alts = [
        _title(p)
        for p in products
        if str(p.get("id")) not in sold and (None in kinds or p.get("category") in kinds)
    ]
    one = len(gone) == 1
    text = f"{_names(gone)} {'is' if one else 'are'} sold out right now."
    if not alts:
        return text + " Nothing else like " + ("it" if one else "them") + " is in stock right now."
    listed = ", ".join(alts[:3]) + f" and {len(alts) - 3} more" if len(alts) > 3 else _names(alts)
    return text + f" In stock instead: {listed}."


def _singular(what: str) -> str:
    if "products in " in what:  # "red products in Fantasy" -> "red product in Fantasy"
        return what.replace("products in ", "product in ", 1)
    head, _, last = what.rpartition(" ")
    return (head + " " if head else "") + singular(last)


# a search's filters by an option's value, which a product may have sold out in
OPTION_FILTERS = ("color", "size", "material", "options")


def option_values_of(filters: dict[str, Any], keys: Iterable[str] = OPTION_FILTERS) -> list[str]:
    """The option values a search's ``keys`` filters name ({"options": {"grind":
    "Espresso"}, "color": "Red"} -> Espresso, Red)."""
    values: list[str] = []
    for k in keys:
        v = filters.get(k)
        for x in v.values() if isinstance(v, dict) else [v] if v else []:
            values += [str(y) for y in x] if isinstance(x, list) else [str(x)]
    return values


def sold_out_in(dropped: list[str], filters: dict[str, Any], found: list[dict[str, Any]]) -> str:
    """A dropped option value the products found come in ("lamb" dog food, none in stock):
    sold out, said so, not "I dropped the flavour" ("" when no card has the value)."""
    values = option_values_of(filters, [k for k in OPTION_FILTERS if k in dropped])
    for value in values:
        having = [
            str(p.get("title"))
            for p in found
            if any(
                value.casefold()
                in {str(x).casefold() for x in (xs if isinstance(xs, list) else [xs])}
                for xs in (p.get("options") or {}).values()
            )
        ]
        if having:
            who = having[0] if len(having) == 1 else ", ".join(having[:-1]) + " and " + having[-1]
            comes = "comes" if len(having) == 1 else "come"
            it = "it's" if len(having) == 1 else "they're"
            return f"{who} {comes} in {value}, but {it} sold out in {value} right now."
    return ""


def _filter_names(dropped: list[str], filters: dict[str, Any]) -> str:
    names = {
        "price_min": "the minimum price",
        "price_max": "the price limit",
        "on_sale": "the sale",
        "color": "the colour",
        "category": "the category",
    }
    said = [names.get(k) or f"the {k} ({filters.get(k)})" for k in dropped]
    if "options" in dropped:
        chosen = filters.get("options") or {}
        said[dropped.index("options")] = "the " + " and ".join(
            f"{k} ({v})" for k, v in chosen.items()
        )
    if "color" in dropped:
        said[dropped.index("color")] = f"the colour ({filters.get('color')})"
    if not said:
        return "a filter"
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]


def remember(state: DialogueState, products: list[dict[str, Any]]) -> None:
    """``products`` (cards or pages) as the ones shown: "the first one", "add the 4kg one",
    "the 56cm" next are read against them."""
    ids = [str(p["id"]) for p in products if p.get("id")]
    if not ids:
        return
    state.last_shown = ids
    state.shown = {
        str(p["id"]): {
            **{k: p.get(k) for k in ("title", "price", "currency", "category")},
            "options": _options_by_name(p),
        }
        for p in products
        if p.get("id")
    }
    state.focus = ids[0] if len(ids) == 1 else None


def _options_by_name(p: dict[str, Any]) -> dict[str, list[str]]:
    """A product's (card's or page's) option name -> values: "add the 56cm" names the frame
    size of the one in focus (``add_args``)."""
    options = p.get("options")  # a card's, by label; a page's come from its variants
    by_name = options if isinstance(options, dict) else _options(p)
    return {str(k): [str(v) for v in vals or []] for k, vals in by_name.items()}


def _not_carried(
    missing: str,
    products: list[dict[str, Any]],
    s: DialogueState,
    closest: list[str] | None = None,
    carries: list[str] | None = None,
) -> Reply:
    """We do not sell that: say so, and offer the shop's closest categories (nearest in
    meaning, else those of the nearest products), without showing unrelated products.
    ``carries``: the shop's departments, when nothing it sells is near in meaning (the
    nearest products' categories would be a lexical accident: toasters -> loafers)."""
    said = re.findall(r"[a-z][a-z'-]+", missing.lower())
    things = any(singular(w) != w for w in said)  # "laptops": things, not a property
    titled = [
        p for p in products if not things and said and set(said) <= title_words(str(p.get("title")))
    ]
    if titled:
        # "decaf" in a roaster's shop: no category or product type is called that, yet a
        # product's title says it; the products are the answer, not "we don't carry".
        # ("laptops" where titles only hold "Laptop Backpack" are still not carried.)
        titled = titled[:5]
        remember(s, titled)
        names = [str(p.get("title")) for p in titled[:3]]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return Reply(
            text=f'Here\'s what we have for "{missing}": {listed}.', product_ids=s.last_shown
        )
    cats: list[str] = list(closest or [])
    if not cats and carries:
        s.last_shown, s.shown, s.focus = [], {}, None
        names = [d.lower() for d in carries[:5]]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return Reply(
            text=f"Sorry, we don't carry {plural(missing)}. We sell {listed}: "
            "anything there I can help you find?",
            quick_replies=[f"Show me {d.lower()}" for d in carries[:3]],
        )
    for p in products if not cats else []:
        leaf = str(p.get("category") or "").split(">")[-1].strip()
        if leaf and leaf not in cats:
            cats.append(leaf)
    text = f"Sorry, we don't carry {plural(missing)}."
    if cats:
        near = cats[:3]
        listed = near[0] if len(near) == 1 else ", ".join(near[:-1]) + " or " + near[-1]
        text += f" The closest we have: {listed}. Want to look at those?"
    s.last_shown, s.shown, s.focus = [], {}, None
    shown = [c.split(" (")[0] for c in cats[:3]]
    return Reply(text=text, quick_replies=[f"Show me {c.lower()}" for c in shown])
