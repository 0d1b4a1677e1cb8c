"""The embedded tier's catalog shaping on a merchant fixture catalog (home & outdoor,
Shopify export, tests/data/catalogs): size words, measures and what the shop sells come
from that store's own data. The intent model is a stub (the model boundary)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shopagent.agent.embedded import INTENTS, DialogueState, EmbeddedTier, Lexicon
from shopagent.agent.embedded._catalog import CatalogProfile, build_profile
from shopagent.agent.embedded._guards import not_carried

FEED = Path(__file__).resolve().parents[2] / "data" / "catalogs" / "home_outdoor" / "shopify.csv"


class Search:
    def probs(self, text: str) -> dict[str, float]:
        return {i: (0.9 if i == "search" else 0.1 / (len(INTENTS) - 1)) for i in INTENTS}


@pytest.fixture(scope="module")
def shop() -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    from shopagent.retrieval.ingest import read_feed

    products = [r.product.model_dump(mode="json") for r in read_feed(FEED) if r.product]
    facets: dict[str, set[str]] = {
        k: set() for k in ("category", "color", "size", "material", "brand")
    }
    for p in products:
        facets["category"].add(p["category"].split(">")[-1].strip())
        if p.get("brand"):
            facets["brand"].add(p["brand"])
        for v in p.get("variants") or []:
            for k in ("color", "size", "material"):
                if (v.get("options") or {}).get(k):
                    facets[k].add(v["options"][k])
    return products, {k: sorted(v) for k, v in facets.items()}


def test_sizes_measures_and_assortment_follow_the_stores_data(shop: Any) -> None:
    products, facets = shop
    profile = CatalogProfile(build_profile(products))
    tier = EmbeddedTier(Search(), Lexicon(facets), 0.6, {}, set(), None, profile)
    s = DialogueState()
    assert tier.understand("dog beds in large", s).slots.size == "large"
    assert tier.understand("queen size sheets", s).slots.size == "queen"
    assert tier.understand("a 10 inch skillet", s).slots.size == "10 inch"
    assert tier.understand("cooler that keeps ice for 10 hours", s).slots.size is None
    # the shop sells skillets and purifiers; it does not sell umbrellas or laptops
    heads = tier._head_nouns
    assert not_carried("cast iron skillets", profile, set(), heads) is None
    assert not_carried("HEPA air purifier", profile, set(), heads) is None
    assert not_carried("show me umbrellas", profile, set(), heads) == "umbrellas"
    assert not_carried("do you sell laptops", profile, set(), heads) == "laptops"
