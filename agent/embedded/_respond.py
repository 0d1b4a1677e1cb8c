"""Grounded replies from tool results. Every product, price and attribute in the text comes
from a tool result of this turn; the product cards carry the details. Phrasing varies per
turn (seeded by the turn number, so replays are stable)."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from typing import Any

from shopagent.agent.embedded import _answers
from shopagent.agent.embedded._catalog import singular
from shopagent.agent.embedded._followups import as_said_size, size_said, within_a_range
from shopagent.agent.embedded._phrases import (
    FOUND,
    FOUND_ONE,
    NONE_FOUND,
    OPTION_FILTERS,
    _clarify,
    _describe,
    _differences,
    _filter_names,
    _money,
    _names,
    _not_carried,
    _singular,
    _sold_out,
    _title,
    remember,
    sale_prices,
    sold_out_in,
)
from shopagent.agent.embedded._product_plan import ASK_WHICH, cart_words
from shopagent.agent.embedded._schema import DialogueState, NLUResult, Reply, ToolOutcome
from shopagent.agent.embedded._state import price_order
from shopagent.agent.embedded._titles import words
from shopagent.retrieval.ingest import first_sentence

FAILED = "Sorry, that didn't work: {msg}"


# "cheapest grinder?", "the most expensive kettle you have": a search ordered by price
# The thing a superlative asks for: "cheapest amp", "the most expensive kettle you have"
_SUPERLATIVE_THING = re.compile(
    r"\b(?:cheapest|least expensive|lowest[- ]priced|most affordable|most expensive|priciest|"
    r"dearest|highest[- ]priced)\s+([a-z][a-z'-]{2,})",
    re.I,
)
_NO_THING = {"one", "ones", "thing", "things", "item", "items", "product", "products", "option"}


def _by_price(
    products: list[dict[str, Any]],
    cheapest: bool,
    what: str,
    which: str,
    total: int,
    asked: str,
    *,
    ordered: bool = False,
) -> str:
    """Orders ``products`` by price (in place; "the first one" next is the cheapest) and
    names the first; nothing when a price is missing. Of more matches than were shown
    (``total``), it is the cheapest of those shown, and said so, unless the search itself
    was in price order (``ordered``). Matches of words, not of a kind ("cheapest amp"
    finding a cable too): those whose titles (or categories: "cheapest book" of a
    bookshop's Children's Books) name the thing asked for come first, and the cheapest of
    them is named."""
    if any(p.get("price") is None for p in products):
        return ""
    products.sort(key=lambda p: Decimal(str(p["price"])), reverse=not cheapest)
    word = "cheapest" if cheapest else "most expensive"
    thing = _SUPERLATIVE_THING.search(asked) if what == "products" else None
    if thing is not None and thing.group(1) not in _NO_THING:
        noun = singular(thing.group(1).lower())
        named = [
            p
            for p in products
            if noun
            in {singular(w) for w in (*words(_title(p)), *words(str(p.get("category") or "")))}
        ]
        if 0 < len(named) < len(products):
            products[:] = named + [p for p in products if p not in named]
            top = products[0]
            price = _money(top["price"], top.get("currency"))
            return f"The {word} {noun} here is {_title(top)} at {price}. "
    top = products[0]
    price = _money(top["price"], top.get("currency"))
    if ordered and what == "products":
        return f"The {word} here is {_title(top)} at {price}. "
    if total > len(products) and not ordered or what == "products":
        # a page of the best matches, or matches of words and not of a kind of product
        # ("the cheapest thing you have"): the shop's cheapest may be elsewhere
        return f"The {word} of these is {_title(top)} at {price}. "
    return f"The {word} {_singular(what)}{which} is {_title(top)} at {price}. "


def _named_sold_out(
    filters: dict[str, Any], products: list[dict[str, Any]], unfiltered: ToolOutcome
) -> str:
    """ "espresso ground decaf" found other coffees: the decaf the words name, found by the
    same words without the option filters, comes in Espresso but has sold out in it; said
    before the coffees found ("" when it does not come in that value at all)."""
    kept = (unfiltered.content or {}).get("filters_applied") or {}
    dropped = [k for k in OPTION_FILTERS if k in filters and k not in kept]
    shown = {str(p.get("id")) for p in products}
    said = set(re.findall(r"[a-z]+", str(unfiltered.args.get("query") or "").lower()))
    named = [
        c
        for c in (unfiltered.content or {}).get("products") or []
        if str(c.get("id")) not in shown
        and said & set(re.findall(r"[a-z]+", str(c.get("title")).lower()))
    ]
    gone = sold_out_in(dropped, filters, named[:1]) if named else ""
    return gone + " " if gone else ""


def _which_page_says(
    nlu: NLUResult, s: DialogueState, pages: list[ToolOutcome]
) -> tuple[Reply, DialogueState]:
    """ "does it go in the dishwasher?" with a list shown and none in focus: the answer of
    the product whose page says (it is "it" from now on); of the two or three that do, each
    one's; when none does, which one is meant is asked."""
    found = [
        (str(p["id"]), a, _answers.page_hits(nlu.text, p))
        for r in pages
        if r.ok and (p := (r.content or {}).get("product") or {}).get("id")
        if (a := _answers.page_says(nlu.text, p))
    ]
    most = max((hits for _, _, hits in found), default=0)
    said = [(pid, a) for pid, a, hits in found if hits == most]  # the pages that say most
    if len(said) > 3:  # of many that say it, those that say it in their name, else text
        page = {str(p.get("id")): p for r in pages if (p := (r.content or {}).get("product") or {})}
        rank = {pid: _answers.page_rank(nlu.text, page.get(pid) or {}) for pid, _ in said}
        said = [(pid, a) for pid, a in said if rank[pid] == max(rank.values())]
    if len(said) == 1:
        pid, text = said[0]
        page = next(
            (
                (r.content or {}).get("product") or {}
                for r in pages
                if r.args.get("product_id") == pid
            ),
            {},
        )
        if pid in s.last_shown:
            s.focus = pid
        elif page:
            # "is the harbour sofa available in velvet?" answered from a search's pages: that
            # sofa is "it" next ("what colours does it come in?")
            remember(s, [page])
            s.focus = pid
        if (chosen := _answers.offered_option(nlu.text, page)) is not None:
            s.extra["chosen_option"] = {"product_id": pid, "option": chosen[0], "value": chosen[1]}
        return Reply(text=text, product_ids=[pid]), s
    if 2 <= len(said) <= 3:
        return Reply(text=" ".join(a for _, a in said), product_ids=[i for i, _ in said]), s
    if nlu.notes.get("which_page") and not found:
        # "which one is machine washable?" that no page answers: said, not "which one?"
        asked = " ".join(w for w in _answers.asked_words(nlu.text) if w != "least") or "that"
        return Reply(text=f"None of their product pages says anything about {asked}."), s
    if not found and (none := _answers.none_comes_in(nlu.text, [r.content or {} for r in pages])):
        return Reply(text=none), s  # "does it come in pink?" of two bikes in red and natural
    return Reply(text=random.Random(s.turn).choice(ASK_WHICH)), s


def _no_such_variant(r: ToolOutcome, s: DialogueState) -> Reply | None:
    """ "the first one in gold" of a mug made only in brown: said in the shop's words, not
    as a tool error; with several to choose from, asked as the option question (its answer
    completes the add, as for a missing option)."""
    details = dict(r.error_details or r.details or {})
    key, value = details.get("option"), details.get("value")
    values = [str(v) for v in (details.get("options") or {}).get(key) or []]
    if not key or value is None or not values:
        return None
    pid = str(r.args.get("product_id") or "")
    title = _title(s.shown.get(pid) or {}) or "That one"
    said = f"{title} doesn't come in {value}."
    if len(values) == 1:
        return Reply(text=f"{said} It comes only in {values[0]}.")
    args = {k: v for k, v in r.args.items() if k != key}
    asked = _ask_option(
        r.model_copy(update={"args": args, "details": {"option": key, "values": values}}), s
    )
    return Reply(text=f"{said} {asked.text}", quick_replies=asked.quick_replies) if asked else None


def _ask_option(r: ToolOutcome, s: DialogueState) -> Reply | None:
    """add_to_cart needs an option: ask for it with the catalog's own name and values, and
    keep the add pending so the answer ("clicky", "the 1TB one") completes it."""
    details = dict(r.details or r.error_details or {})
    if not details.get("option"):
        m = re.match(r"which (.+?) of .+\? available: (.+)$", r.error_message or "")
        if not m:
            return None
        details = {"option": m.group(1), "values": [v.strip() for v in m.group(2).split(",")]}
    option = str(details["option"])
    values = [str(v) for v in details.get("values") or []]
    if not values:
        return None
    chosen = dict(details.get("chosen") or {})
    for k in ("size", "color"):
        if r.args.get(k) and k not in chosen:
            chosen[k] = str(r.args[k])
    for k, v in (r.args.get("options") or {}).items():
        if str(k).casefold() not in {c.casefold() for c in chosen}:  # "Weight" is "weight"
            chosen[str(k)] = str(v)
    s.extra["pending_option"] = {
        "product_id": r.args.get("product_id"),
        "option": option,
        "values": values,
        "chosen": chosen,
        "quantity": r.args.get("quantity"),
    }
    listed = values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]
    shown_title = (s.shown.get(str(r.args.get("product_id"))) or {}).get("title")
    of = f" for {_title({'title': shown_title})}" if shown_title else ""
    if len(values) == 1:  # the others sold out: no choice to ask for, a yes to ask
        name = _title({"title": shown_title}) if shown_title else "It"
        picked = " ".join(dict.fromkeys(chosen.values()))
        said = f"{name} in {picked}" if picked else name
        return Reply(
            text=f"{said} is only available in {values[0]} ({option}). Add it in {values[0]}?",
            quick_replies=[values[0], "No thanks"],
        )
    return Reply(text=f"Which {option}{of}: {listed}?", quick_replies=values[:8])


def respond(
    nlu: NLUResult, state: DialogueState, results: list[ToolOutcome]
) -> tuple[Reply, DialogueState]:
    s = state.model_copy(deep=True)
    rng = random.Random(s.turn * 7919 + len(results))
    _remember_cart(s, results)
    by_name = {r.name: r for r in results}
    failed = next((r for r in results if not r.ok), None)
    s.extra.pop("declined_add", None)  # read by this turn's plan, if at all
    if failed is not None and failed.name != "get_facets":
        if failed.error_code == "declined":
            if failed.name == "add_to_cart" and failed.args.get("product_id"):
                # "2 of them" said instead of a yes: the next add keeps what this one chose
                s.extra["declined_add"] = {
                    "product_id": str(failed.args.get("product_id") or ""),
                    "options": {
                        **{k: str(failed.args[k]) for k in ("size", "color") if failed.args.get(k)},
                        **{str(k): str(v) for k, v in (failed.args.get("options") or {}).items()},
                    },
                }
            return Reply(text="Okay, I haven't changed anything."), s
        if failed.error_code == "option_required" and failed.name == "add_to_cart":
            asked = _ask_option(failed, s)
            if asked is not None:
                return asked, s
        if failed.error_code == "no_such_variant" and failed.name == "add_to_cart":
            missing = _no_such_variant(failed, s)
            if missing is not None:
                return missing, s
        if failed.error_code == "conflicting_options" and failed.name == "add_to_cart":
            # two values for one option reached the add: which one, asked (never guessed)
            clash = dict(failed.details or failed.error_details or {})
            values = [str(v) for v in clash.get("values") or []]
            if clash.get("option") and len(values) == 2:
                return Reply(
                    text=f"Which {clash['option']} would you like: {values[0]} or {values[1]}?",
                    quick_replies=values,
                ), s
        if failed.error_code == "empty_cart" and failed.name == "checkout":
            return Reply(text="Your cart is empty, so there's nothing to check out yet."), s
        if failed.error_code == "not_in_cart" and failed.name in (
            "remove_from_cart",
            "update_cart_quantity",
        ):
            # "remove bread at home" of a cart without it: said by its name, not its id
            pid = str(failed.args.get("product_id") or "")
            details = failed.details or failed.error_details or {}
            title = str(
                details.get("title") or (s.shown.get(pid) or {}).get("title") or "That product"
            )
            return Reply(
                text=f"{title} isn't in your cart, so there's nothing to change. "
                'Say "what\'s in my cart" to see what is.'
            ), s
        if failed.error_code == "out_of_stock" and failed.name == "add_to_cart":
            # a sold-out product (the search may show one, flagged) or option: refused. The
            # options tried stay chosen: "the -5 one with left zip" sold out, then "right
            # zip then" is the -5 one with a right zip
            tried = dict(failed.args.get("options") or {})
            for k in ("size", "color"):
                if failed.args.get(k):
                    tried.setdefault(k, str(failed.args[k]))
            s.extra["tried_options"] = {
                "product_id": str(failed.args.get("product_id") or ""),
                "options": {str(k): str(v) for k, v in tried.items()},
            }
            why = failed.error_message or "that is sold out"
            details = failed.details or failed.error_details or {}
            instead = _in_stock_instead(details)
            if instead:
                open_values = _one_open_option(details)
                if open_values is not None:
                    # "It's in stock in Cherry Red and Graphite": "red then" picks one
                    option, values = open_values
                    s.extra["pending_option"] = {
                        "product_id": failed.args.get("product_id"),
                        "option": option,
                        "values": values,
                        "chosen": {
                            k: v for k, v in tried.items() if k.casefold() != option.casefold()
                        },
                        "quantity": failed.args.get("quantity"),
                    }
                    return Reply(text=f"Sorry, {why}. {instead}", quick_replies=values[:8]), s
                return Reply(text=f"Sorry, {why}. {instead}"), s
            return Reply(text=f"Sorry, {why}, so I can't add it to your cart."), s
        return Reply(
            text=FAILED.format(msg=failed.error_message or failed.error_code or "the tool failed")
        ), s

    if "add_to_cart" in by_name:  # after a search for a product named by its title
        added = by_name["add_to_cart"]
        s.extra.pop("tried_options", None)
        pid = str((added.args or {}).get("product_id") or "")
        found = by_name.get("catalog_search")
        card = next(
            (
                c
                for c in ((found.content or {}).get("products") or [] if found and found.ok else [])
                if str(c.get("id")) == pid
            ),
            None,
        )
        if card is not None:  # "add the coral lipstick": the lipstick is "it" from now on
            remember(s, [card])
            s.focus = pid
        return _added(added, s), s
    if nlu.intent == "product_details" and "get_product" in by_name:
        # the one product a search found, its page read for the question: answered
        by_name.pop("catalog_search", None)

    compared = nlu.intent == "compare" and "compare_products" in by_name  # searched first
    if ("catalog_search" in by_name or "visual_search" in by_name) and not compared:
        searches = [r for r in results if r.name in ("catalog_search", "visual_search")]
        r = searches[0]
        content = r.content or {}
        products = list(content.get("products") or [])
        filters = dict(content.get("filters_applied") or {})
        what, which = _describe(filters)
        if r.name == "visual_search":
            what, which = ("similar items", which)
        missing = nlu.notes.get("not_carried")
        if missing:
            return _not_carried(
                str(missing), products, s, nlu.notes.get("closest"), nlu.notes.get("carries")
            ), s
        prefix = ""
        if products and (name := nlu.notes.get("unknown_name")):
            prefix = f"We don't carry {str(name).title()}, but here's what we have. "
        if products and len(searches) > 1:
            prefix += _named_sold_out(filters, products, searches[1])
        if not products and len(searches) > 1:
            relaxed = next((x for x in searches[1:] if (x.content or {}).get("products")), None)
            if relaxed is not None:
                kept = (relaxed.content or {}).get("filters_applied") or {}
                dropped = [k for k in filters if k not in kept and k not in ("query", "page")]
                relaxed_cards = list((relaxed.content or {}).get("products") or [])
                if gone := sold_out_in(dropped, filters, relaxed_cards):
                    prefix = gone + " "  # "comes in lamb, but it's sold out in lamb right now"
                else:
                    prefix = rng.choice(NONE_FOUND).format(what=what, which=which) + (
                        " These are at their usual price. "
                        if dropped == ["on_sale"]
                        else f" I dropped {_filter_names(dropped, filters)}. "
                    )
                # what was shown is what "more" pages on and a refinement narrows
                for k in dropped:
                    s.filters.pop(k, None)
                content = relaxed.content or {}
                products = list(content.get("products") or [])
                filters = dict(content.get("filters_applied") or {})
                what, which = _describe(filters)
        page = int(r.args.get("page") or 1) if r.name == "catalog_search" else 1
        if not products and page > 1 and content.get("total"):
            # "show me more" past the last page: all of them were shown, none is missing
            s.page = page - 1  # "more" again asks for the same next page, not one further
            text = f"That's all of the {what}{which}: {content['total']} in all."
            more = " Want me to drop one of the filters?" if len(filters) > 1 else ""
            return Reply(text=text + more), s
        if not products:
            text = rng.choice(NONE_FOUND).format(what=what, which=which)
            if filters == {"on_sale": True}:
                text = "Nothing is on sale right now."
            elif len(filters) > 1:
                text += " Want me to drop one of the filters?"
            return Reply(text=text), s
        total = int(content.get("total") or len(products))
        sold_ids = {str(x.get("id")) for x in content.get("sold_out_matches") or []}
        if kind := nlu.notes.get("any_of"):
            # "any merino?" over yarns: the ones of merino, when some in stock are
            kind_words = {singular(w) for w in str(kind).split()}
            held = [p for p in products if kind_words <= {singular(w) for w in words(_title(p))}]
            if held and len(held) < len(products) and {str(p.get("id")) for p in held} - sold_ids:
                products, total = held, len(held)
        n = len(products)
        if n == 1:
            title = _title(products[0])
            # "There's one keyboard on sale: ...": a sale (or what else was asked) said
            one = FOUND_ONE[-1] if filters.get("on_sale") else rng.choice(FOUND_ONE)
            text = one.format(title=title, what=_singular(what), which=which)
        else:
            text = (
                rng.choice(FOUND)
                .format(
                    n=n,
                    total=total,
                    what=what,
                    which=which,
                    are="are",
                    match="match",
                    these="These",
                )
                .replace("at These", "at these")
            )
        if n > 1 and (order := price_order(nlu.text)) is not None:
            cheapest = order == "price_low"
            text = (
                _by_price(
                    products,
                    cheapest,
                    what,
                    which,
                    total,
                    nlu.text,
                    ordered=bool((r.args or {}).get("sort")),
                )
                + text
            )
        if filters.get("on_sale"):
            text += sale_prices(products)
        text += _fits(nlu.text, products)  # "a harness, she has a 62cm chest": its size
        if (ex := content.get("excluded")) and ex.get("count"):
            # the shopper's "no wool" hid some: said, so none seems lost
            left_out, why = int(ex["count"]), _names([str(b) for b in ex.get("because") or []])
            text += f" I left out {left_out} with {why}, as you asked." if why else ""
        if unoffered := nlu.notes.get("size_not_offered"):
            prefix = _size_not_offered(unoffered) + prefix
        else:
            prefix = _no_card_in_size(nlu, products, what) + prefix
        text = prefix + text
        sold_ids &= {str(p.get("id")) for p in products}
        said_sold = bool(sold_ids) and not prefix
        if said_sold:  # a product the shopper named, sold out: said first
            text = _sold_out(products, sold_ids)
        fr = by_name.get("get_facets")
        facets = (fr.content or {}).get("facets") if fr is not None and fr.ok else None
        quick: list[str] = []
        asked = nlu.notes.get("facet_question")
        counts = (facets or {}).get(str(asked)) if asked else None
        if counts:
            values = [v for v, c in sorted(counts.items(), key=lambda kv: -kv[1]) if c][:8]
            plural = {
                "color": "colours",
                "material": "materials",
                "brand": "brands",
                "size": "sizes",
                "style": "styles",
            }.get(str(asked), str(asked))
            listed = (
                values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]
            )
            if filters.get(str(asked)):  # "the colours for black boots: black" says nothing
                asked_of = dict((fr.args if fr is not None else None) or {})
                what, which = _describe({k: v for k, v in asked_of.items() if k != "fields"})
            text = f"The {plural} for {what}{which}: {listed}. {text}"
            remember(s, products)
            return Reply(text=text, product_ids=s.last_shown, quick_replies=values), s
        if facets and total > n and not prefix and not sold_ids:
            question = _clarify(facets, filters, products)
            if question:
                text += " " + question[0]
                quick = question[1]
        remember(s, products)
        if r.name == "visual_search" and r.args.get("image_id") and "category" not in r.args:
            # what the photo shows is the kind of its nearest match: "any of those under
            # $30?" narrows within that kind, not the look-alikes of other kinds
            leaf = str(products[0].get("category") or "").split(">")[-1].strip()
            if leaf:
                s.extra["visual_category"] = leaf
        if nlu.notes.get("titled") in s.last_shown:
            s.focus = str(nlu.notes["titled"])  # the product the shopper named
        elif said_sold and len(sold_ids) == 1:
            s.focus = next(iter(sold_ids))  # "X is sold out right now": "when is it back?"
        return Reply(text=text, product_ids=s.last_shown, quick_replies=quick), s

    pages = [r for r in results if r.name == "get_product"]
    products = [(r.content or {}).get("product") or {} for r in pages if r.ok]
    if len(pages) > 1 and _answers.BETTER_DEAL.search(nlu.text):
        deal = _answers.best_deal(products)
        ids = [str(p["id"]) for p in products if p.get("id")]
        text = deal or "None of them is on sale right now: each is at its usual price."
        return Reply(text=text, product_ids=ids), s
    if len(pages) > 1 and (in_option := _answers.priced_in(nlu.text, products)) is not None:
        ids = [str(p["id"]) for p in products if p.get("id")]
        return Reply(text=in_option, product_ids=ids), s
    if len(pages) > 1 and nlu.intent == "product_details":
        return _which_page_says(nlu, s, pages)

    if "get_product" in by_name:
        p = (by_name["get_product"].content or {}).get("product") or {}
        if not p.get("id"):
            return Reply(text="I couldn't load that product."), s
        # "the cheapest pair" picked a product to show, asking nothing about it
        picked = nlu.intent != "product_details" or nlu.notes.get("picked")
        answer = None if picked else _answers.answer(nlu.text, p)
        if nlu.notes.get("define"):  # "whats a tog?": the word, as the page uses it
            answer = _answers.explain(str(nlu.notes["define"]), p)
        fit = _answers.fitting_values(nlu.text, _answers._options(p)) if answer else None
        if fit is not None and len(fit[1]) == 1:
            # "what size for a 62cm chest?" -> M (55-70cm): "add it in teal" is that size
            s.extra["chosen_option"] = {
                "product_id": str(p["id"]),
                "option": fit[0],
                "value": fit[1][0],
            }
        elif answer and (chosen := _answers.offered_option(nlu.text, p)) is not None:
            # "the brown one" -> "Yes, it comes in Brown": "add it" next adds the brown one
            s.extra["chosen_option"] = {
                "product_id": str(p["id"]),
                "option": chosen[0],
                "value": chosen[1],
            }
        if answer:
            if str(p["id"]) in s.last_shown:
                s.focus = str(p["id"])
            else:
                remember(s, [p])
            return Reply(text=answer, product_ids=[str(p["id"])]), s
        values_said = _answers.said_options(nlu.text, _answers._options(p))
        chosen = _answers.offered_option(nlu.text, p) or (
            next(iter(values_said.items())) if len(values_said) == 1 else None
        )
        if chosen is not None:
            # "the loop chair in olive", "the rioja in magnum", its page shown: "add 2"
            # next adds the olive one, the magnum
            s.extra["chosen_option"] = {
                "product_id": str(p["id"]),
                "option": chosen[0],
                "value": chosen[1],
            }
        parts = [f"{_title(p) or 'This product'}"]
        if nlu.notes.get("by_price"):  # "whats the cheapest dumbbell", of a list shown
            parts.insert(0, f"The {nlu.notes['by_price']} of those is ")
        if p.get("brand"):
            parts.append(f" by {p['brand']}")
        if p.get("price") is not None:
            parts.append(f", {_money(p['price'], p.get('currency'))}")
            was = p.get("compare_at_price")
            if was is not None and Decimal(str(was)) > Decimal(str(p["price"])):
                parts.append(f" (down from {_money(was, p.get('currency'))})")
        text = "".join(parts) + "."
        # "tell me more about the fountain pen": what its page says it is, and its choices
        first = first_sentence(str(p.get("description") or ""))
        if first:
            text += f" {first}"
        sizes = p.get("sizes") or []
        choices = {k: v for k, v in _answers._options(p).items() if len(v) > 1}
        if sizes and "size" not in choices:
            text += f" Sizes: {', '.join(map(str, sizes))}."
        for name, values in list(choices.items())[:3]:
            text += f" {name[:1].upper()}{name[1:]}: {', '.join(values)}."
        if p.get("in_stock") is False or p.get("available") is False:
            text += " It's currently out of stock."
        else:
            text += " In stock."
        if str(p["id"]) in s.last_shown:  # keep the list ("which one is cheaper?" next)
            s.focus = str(p["id"])
        else:
            remember(s, [p])
        return Reply(text=text, product_ids=[str(p["id"])]), s

    if "compare_products" in by_name:
        c = by_name["compare_products"].content or {}
        products = list(c.get("products") or [])
        priced = [p for p in products if p.get("price") is not None]
        named = [f"{_title(p)} ({_money(p['price'], p.get('currency'))})" for p in priced]
        if len(named) == len(products) and 2 <= len(named) <= 4:
            text = "Side by side: " + ", ".join(named[:-1]) + " and " + named[-1] + "."
        else:
            text = f"Here are the {len(products)} side by side."
        attrs = c.get("attributes") or {}
        shown_ids = [str(p.get("id")) for p in products]
        differ = _differences(attrs, shown_ids)
        # a brand is in the titles already: it alone tells the shopper nothing new
        beyond_brand = _differences({k: v for k, v in attrs.items() if k != "brand"}, shown_ids)
        summaries = c.get("summaries") or {}
        said = [(p, str(summaries.get(str(p.get("id"))) or "")) for p in products]
        if beyond_brand:
            text += f" They differ in {differ}."
        elif 2 <= len(said) <= 3 and all(line for _, line in said):
            # no attribute tells them apart: what each one's page says first
            text += " " + " ".join(f"{_title(p)}: {line}" for p, line in said)
        elif differ:
            text += f" They differ in {differ}."
        prices = sorted(Decimal(str(p["price"])) for p in priced)
        if len(priced) >= 2 and prices[0] == prices[-1]:
            text += " They cost the same." if len(priced) == 2 else " They all cost the same."
        elif len(priced) >= 2 and prices[0] < prices[1]:  # no "cheapest" of a tie
            cheap = min(priced, key=lambda p: Decimal(str(p["price"])))
            word = "cheaper" if len(priced) == 2 else "cheapest"
            text += f" The {word} is {_title(cheap)}."
        ids = [str(p["id"]) for p in products if p.get("id")]
        focus = s.focus
        remember(s, products)  # "I'll take the cheaper one" picks among these
        s.focus = focus if focus in s.last_shown else s.focus
        return Reply(text=text, product_ids=ids), s

    if "update_cart_quantity" in by_name:
        up = by_name["update_cart_quantity"]
        n = int(up.args.get("quantity") or 0)
        line = next(
            (
                ln
                for ln in (state.extra.get("cart") or [])
                if ln.get("product_id") == up.args.get("product_id")
            ),
            None,
        )
        label = (line or {}).get("title") or "that item"
        text = (
            f"Removed {label} from your cart."
            if n == 0
            else f"Updated: {n} x {label} in your cart."
        )
        return Reply(text=text + _cart_total(up.content)), s

    if "remove_from_cart" in by_name:
        rm = by_name["remove_from_cart"]
        qty = rm.args.get("quantity")
        line = next(
            (
                ln
                for ln in (state.extra.get("cart") or [])
                if ln.get("product_id") == rm.args.get("product_id")
            ),
            None,
        )
        label = (s.shown.get(str(rm.args.get("product_id"))) or {}).get("title") or (
            line or {}
        ).get("title")
        what = f"{qty} x {label}" if qty and label else (label or "it")
        return Reply(text=f"Removed {what} from your cart." + _cart_total(rm.content)), s

    if "view_cart" in by_name:
        c = by_name["view_cart"].content or {}
        lines = list(c.get("lines") or [])
        if not lines:
            return Reply(text="Your cart is empty."), s
        ids = [str(ln.get("product_id")) for ln in lines if ln.get("product_id")]
        s.last_shown = ids
        s.shown = {
            str(ln.get("product_id")): {"title": ln.get("title"), "price": ln.get("unit_price")}
            for ln in lines
        }
        items = sum(int(ln.get("quantity") or 1) for ln in lines)
        text = f"You have {items} item{'s' if items != 1 else ''} in your cart"
        if c.get("total") is not None:
            text += f", {_money(c['total'], c.get('currency'))} in total"
        text += ": " + "; ".join(_cart_line(ln) for ln in lines[:_LISTED_LINES])
        if len(lines) > _LISTED_LINES:
            text += f"; and {len(lines) - _LISTED_LINES} more"
        text += "."
        if c.get("savings"):  # lines added in a sale: what they cost less than before it
            text += f" You're saving {_money(c['savings'], c.get('currency'))} on sale prices."
        if nlu.intent == "remove_from_cart":
            said_words = cart_words(nlu.text)
            in_cart = {singular(w) for ln in lines for w in words(str(ln.get("title") or ""))}
            if said_words and not said_words & in_cart:
                # "remove the picks" with no picks in it: said so, not only "which one?"
                named_words = " ".join(w for w in words(nlu.text) if w in said_words)
                text = f"I don't see {named_words} in your cart. " + text
            text += " Which one should I remove?"
        return Reply(text=text, product_ids=ids), s

    if "checkout" in by_name:
        c = by_name["checkout"].content or {}
        text = f"Order {c.get('order_id')} is placed" if c.get("order_id") else "Order placed"
        if c.get("total") is not None:
            text += f", {_money(c['total'], c.get('currency'))}"
        return Reply(text=text + ". Thank you!"), s

    if "order_status" in by_name or "cancel_order" in by_name:
        r = by_name.get("order_status") or by_name["cancel_order"]
        o = (r.content or {}).get("order") or r.content or {}
        oid = o.get("order_id") or r.args.get("order_id")
        if r.name == "cancel_order":
            return Reply(text=f"Order {oid} is cancelled."), s
        return Reply(text=f"Order {oid} is {o.get('status', 'being processed')}."), s

    if "list_orders" in by_name:
        orders = list((by_name["list_orders"].content or {}).get("orders") or [])
        if not orders:
            return Reply(text="You don't have any orders yet."), s
        listed = "; ".join(f"{o.get('order_id')}: {o.get('status', 'placed')}" for o in orders[:5])
        ask = " Which one should I cancel?" if nlu.intent == "cancel_order" else ""
        return Reply(text=f"Your orders: {listed}.{ask}"), s

    return Reply(text="Done."), s


def _remember_cart(s: DialogueState, results: list[ToolOutcome]) -> None:
    """The cart's lines as the last cart tool reported them: lets "remove one of them" or
    "take the Auron ones out" find the line without asking. Orders placed or listed are
    kept too ("where's my order?" after checking out needs no list)."""
    for r in results:
        if r.ok and isinstance(r.content, dict):
            orders = s.extra.setdefault("orders", [])
            if r.name == "checkout" and r.content.get("order_id"):
                orders.append(
                    {
                        "order_id": r.content["order_id"],
                        "status": r.content.get("status", "pending"),
                    }
                )
            elif r.name == "list_orders":
                s.extra["orders"] = [
                    {"order_id": o.get("order_id"), "status": o.get("status")}
                    for o in r.content.get("orders") or []
                ][:20]
            elif r.name in ("cancel_order", "order_status"):
                o = r.content.get("order") or r.content
                for known in orders:
                    if known.get("order_id") == (o.get("order_id") or r.args.get("order_id")):
                        known["status"] = o.get("status", known.get("status"))
        if not r.ok or not isinstance(r.content, dict):
            continue
        if r.name == "view_cart":
            cart = r.content
        elif isinstance(r.content.get("cart"), dict):
            cart = r.content["cart"]
        else:
            continue
        s.extra["cart"] = [
            {k: ln.get(k) for k in ("product_id", "variant_id", "title", "quantity")}
            for ln in cart.get("lines") or []
        ]


def _one_open_option(details: dict[str, Any]) -> tuple[str, list[str]] | None:
    """The one option whose other values are in stock (``out_of_stock`` details), and those
    values: the question the refusal ends on; None for none or several."""
    instead = {str(k): [str(v) for v in vs] for k, vs in (details.get("in_stock") or {}).items()}
    if len(instead) != 1:
        return None
    option, values = next(iter(instead.items()))
    return (option, values) if values else None


def _in_stock_instead(details: dict[str, Any]) -> str:
    """ "In 1L it's in stock in Forest and Black." (``out_of_stock`` details): what the
    shopper can have instead, keeping all but one of their choices."""
    chosen = {str(k): str(v) for k, v in (details.get("options") or {}).items()}
    instead = {str(k): [str(v) for v in vs] for k, vs in (details.get("in_stock") or {}).items()}
    said = []
    for key, values in instead.items():
        kept = [v for k, v in chosen.items() if k != key]
        lead = f"In {' '.join(kept)} it's" if kept else "It's"
        said.append(f"{lead} in stock in {_answers._join(values[:6])}.")
    return " ".join(said[:2])


# the cart's lines a reply lists (the cards show them all)
_LISTED_LINES = 8


def _cart_line(line: dict[str, Any]) -> str:
    """ "2 x Leather Chelsea Boot (UK 8, Dark Brown), $370.00": what the line holds."""
    qty = int(line.get("quantity") or 1)
    picked = ", ".join(str(v) for v in (line.get("options") or {}).values() if str(v).strip())
    text = f"{qty} x {line.get('title') or line.get('product_id')}"
    if picked:
        text += f" ({picked})"
    amount = line.get("line_total") or line.get("unit_price")
    if amount is None:
        return text
    text += f", {_money(amount, line.get('currency'))}"
    if line.get("compare_at_price"):  # added in a sale: "$16.00 (was $20.00)"
        before = Decimal(str(line["compare_at_price"])) * qty
        text += f" (was {_money(str(before), line.get('currency'))})"
    return text


def _cart_total(content: Any) -> str:
    if isinstance(content, dict):
        cart = content["cart"] if isinstance(content.get("cart"), dict) else content
        if cart.get("total") is not None:
            return f" Cart total: {_money(cart['total'], cart.get('currency'))}."
    return ""


def _added(r: ToolOutcome, s: DialogueState) -> Reply:
    added = (r.content or {}).get("added") if isinstance(r.content, dict) else None
    # the title the tool reports, else the one shown earlier; never a guess
    title = (added or {}).get("title") or (s.shown.get(str(r.args.get("product_id"))) or {}).get(
        "title"
    )
    qty = int((added or {}).get("quantity") or r.args.get("quantity") or 1)
    # "cancel that, i changed my mind" next: this line taken out again (not an order)
    s.extra["just_added"] = {
        "product_id": str(r.args.get("product_id") or ""),
        "variant_id": (added or {}).get("variant_id") or r.args.get("variant_id"),
        "quantity": qty,
    }
    if title:
        text = f"Added {qty} x {title} to your cart." if qty > 1 else f"Added {title} to your cart."
    else:
        text = "Added to your cart."
    return Reply(text=text + _cart_total(r.content))


def _no_card_in_size(nlu: NLUResult, products: list[dict[str, Any]], what: str) -> str:
    """ "do you have gloves in xxl" where no category was read (so no size filter) and
    none of the products found has that size in stock: said before them, as sold out in it
    ("Grip Work Gloves comes in XL, but it's sold out in XL right now") where one is made
    in it, else with the sizes they come in ("... come in sizes S, M and L, not XXL");
    "" when one has it, or none has sizes."""
    said = size_said(nlu.text)
    if said is None or nlu.slots.size or not products:
        return ""

    def made_in(p: dict[str, Any]) -> list[str]:
        options = p.get("options") or {}
        return [str(x) for k, xs in options.items() if _is_size(k) for x in xs]

    def has(values: list[str]) -> bool:
        return (
            said.casefold() in {v.casefold() for v in values}
            or bool(_answers.said_options(f"size {said}", {"size": values}))
            or within_a_range(said, values)
        )

    # a card without "sizes" (a "Ring Size" option) does not say which are in stock: one
    # made in the size may have it, so nothing is said
    if any(not p.get("sizes") and has(made_in(p)) for p in products):
        return ""
    sized = [p for p in products if p.get("sizes")]
    if not sized or any(has([str(x) for x in p["sizes"]]) for p in sized):
        return ""
    size = as_said_size(said)
    made = [p for p in sized if has(made_in(p))]
    if made:
        return f"{_title(made[0])} comes in {size}, but it's sold out in {size} right now. "
    sizes = list(dict.fromkeys(str(x) for p in sized for x in made_in(p) or p["sizes"]))
    kind = _title(sized[0]) if len(sized) == 1 else what[:1].upper() + what[1:]
    note = {"size": said, "category": kind, "sizes": sizes, "product": len(sized) == 1}
    return _size_not_offered(note)


def _is_size(option: str) -> bool:
    key = option.casefold()
    return key == "size" or key.endswith(" size")


def _size_not_offered(note: dict[str, Any]) -> str:
    """ "Boots here come in sizes 38, 39 and 40, not XS. " (``size_not_offered`` note)."""
    sizes = [str(v) for v in note.get("sizes") or []]
    if not sizes or [v.lower() for v in sizes] == ["one size"]:
        come = "one size"
    else:
        come = "sizes " + (
            sizes[0] if len(sizes) == 1 else ", ".join(sizes[:-1]) + " and " + sizes[-1]
        )
    here = "" if note.get("product") else " here"  # "Padded Lifting Gloves come in ..."
    size = as_said_size(str(note["size"]))  # "xxl" -> XXL
    return f"{note['category']}{here} come in {come}, not {size}. "


def _fits(text: str, products: list[dict[str, Any]]) -> str:
    """ " For a 62cm chest: No-Pull Dog Harness in M (55-70cm)." when a search's turn gives a
    measure and a product found has options that are ranges of it (the first such)."""
    if _answers.measure_said(text) is None:
        return ""
    for p in products[:3]:
        options = {
            str(k).casefold(): [str(x) for x in v] for k, v in (p.get("options") or {}).items()
        }
        if (fit := _answers.fitting_values(text, options)) is not None and fit[1]:
            # a card's sizes are those in stock
            sizes = [str(x) for x in p.get("sizes") or []]
            stocked = sizes if fit[0] == "size" and sizes else options[fit[0]]
            variants = [
                {"options": {fit[0]: v}, "available": v in stocked} for v in options[fit[0]]
            ]
            said = _answers.fit_answer(text, {"title": p.get("title"), "variants": variants})
            return " " + said if said else ""
    return ""
