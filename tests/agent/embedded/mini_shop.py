"""Small shops for the embedded tier's tests: products with any options, an intent model
stub that reads every turn one way (the model boundary), and a tier over them with the real
MiniLM text encoder."""

from __future__ import annotations

from typing import Any

from shopagent.agent.embedded import (
    INTENTS,
    DialogueState,
    EmbeddedTier,
    Lexicon,
    ToolOutcome,
    whole_words,
)
from shopagent.agent.embedded._catalog import CatalogProfile, build_profile


def product(pid: str, title: str, category: str, **options: list[str]) -> dict[str, Any]:
    """A product of every combination of ``options`` (brand: the title's first word)."""
    names = list(options)
    combos: list[dict[str, str]] = [{}]
    for name in names:
        combos = [{**c, name: v} for c in combos for v in options[name]]
    return {
        "id": pid,
        "title": title,
        "category": category,
        "brand": title.split()[0],
        "variants": [{"id": f"{pid}-{i}", "options": c} for i, c in enumerate(combos)],
    }


class Reads:
    """The intent model's boundary: every turn reads as ``intent`` at ``p``."""

    def __init__(self, intent: str = "search", p: float = 0.95) -> None:
        self.intent, self.p = intent, p

    def probs(self, text: str) -> dict[str, float]:
        rest = (1 - self.p) / (len(INTENTS) - 1)
        return {i: (self.p if i == self.intent else rest) for i in INTENTS}


def shop_tier(
    products: list[dict[str, Any]],
    encode: object,
    model: Any,
    *,
    titles: bool = False,
    facets_too: dict[str, list[str]] | None = None,
) -> EmbeddedTier:
    """The tier over ``products``; ``titles``: with the catalog's title index (products
    named by their titles' words before any is shown); ``facets_too``: more facet values
    (a material the products are filed under, not one of their options)."""
    options = ("color", "size", "audience")  # who it is for, where a product says
    facets: dict[str, set[str]] = {k: set() for k in ("category", "brand", *options)}
    for p in products:
        facets["category"].add(p["category"].split(">")[-1].strip())
        facets["brand"].add(p["brand"])
        for v in p["variants"]:
            for k in options:
                if v["options"].get(k):
                    facets[k].add(v["options"][k])
    for k, vals in (facets_too or {}).items():
        facets.setdefault(k, set()).update(vals)
    profile = CatalogProfile(build_profile(products))
    lexicon = Lexicon({k: sorted(v) for k, v in facets.items()})
    named = {p["id"]: p["title"] for p in products} if titles else None
    tier = EmbeddedTier(model, lexicon, 0.6, {}, whole_words(), named, profile)
    tier.attach_text_encoder(encode)  # type: ignore[arg-type]
    return tier


def planned(
    tier: EmbeddedTier, text: str, state: DialogueState, reads: str, p: float = 0.95
) -> tuple[Any, Any]:
    """The reading of ``text`` (the model stub reading it as ``reads`` at ``p``) and the
    plan made on the state it leads to."""
    tier.model = Reads(reads, p)
    nlu = tier.understand(text, state)
    return nlu, tier.plan(nlu, tier.update_state(state, nlu))


def after(tier: EmbeddedTier, first: str) -> DialogueState:
    """The state after the shopper's first turn ``first``."""
    s = DialogueState()
    return tier.update_state(s, tier.understand(first, s))


def shown(products: list[dict[str, Any]], *ids: str) -> DialogueState:
    """The state after a search that showed ``ids`` of ``products`` (as the service keeps
    them: title, price, category and the options by name)."""
    by_id = {p["id"]: p for p in products}
    return DialogueState(
        last_intent="search",
        query="things",
        last_shown=list(ids),
        shown={
            i: {
                "title": by_id[i]["title"],
                "price": "10.00",
                "category": by_id[i]["category"],
                "options": {
                    k: list(dict.fromkeys(x["options"][k] for x in by_id[i]["variants"]))
                    for k in by_id[i]["variants"][0]["options"]
                },
            }
            for i in ids
        },
    )


def pages(
    products: list[dict[str, Any]], descriptions: dict[str, str], *ids: str
) -> list[ToolOutcome]:
    """get_product's outcomes for ``ids``, each page with its description."""
    by_id = {p["id"]: p for p in products}
    return [
        ToolOutcome(
            name="get_product",
            args={"product_id": i},
            ok=True,
            content={"product": {**by_id[i], "description": descriptions.get(i, "")}},
        )
        for i in ids
    ]


def searched(
    cards: list[dict[str, Any]],
    args: dict[str, Any] | None = None,
    *,
    total: int | None = None,
    filters: dict[str, Any] | None = None,
) -> ToolOutcome:
    """catalog_search's outcome showing ``cards`` for ``args`` (``total`` matches in all,
    ``filters`` as applied, when given)."""
    content: dict[str, Any] = {"products": cards}
    if total is not None:
        content["total"] = total
    if filters is not None:
        content["filters_applied"] = filters
    return ToolOutcome(name="catalog_search", args=args or {}, ok=True, content=content)
