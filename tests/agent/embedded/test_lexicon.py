"""Values are normalised against whatever facets the catalog has."""

from __future__ import annotations

from shopagent.agent.embedded import Lexicon
from shopagent.agent.embedded._lexicon import SpellFixer

FACETS = {
    "category": ["Apparel", "Apparel > Dresses", "Shoes > Sneakers", "T-Shirts"],
    "color": ["Black", "Blue", "Red", "Gray"],
    "size": ["S", "M", "L", "XL", "42"],
    "material": ["Leather", "Cotton"],
    "brand": ["Marlow & Finch", "Kestrel"],
    "style": ["Boho", "Sporty"],
    "audience": ["Women", "Men", "Kids"],
}


def scan(lx: Lexicon, text: str) -> dict[str, str]:
    return {m.slot: m.value for m in lx.scan(text.lower())}


def test_synonyms_map_to_the_catalogs_own_values() -> None:
    lx = Lexicon(FACETS)
    assert scan(lx, "navy tees for my husband") == {
        "color": "Blue",
        "category": "T-Shirts",
        "audience": "Men",
    }
    assert scan(lx, "charcoal boho dresses in XL") == {
        "color": "Gray",
        "style": "Boho",
        "category": "Apparel > Dresses",
        "size": "XL",
    }
    assert scan(lx, "Marlow and Finch trainers, size 42")["brand"] == "Marlow & Finch"
    assert scan(lx, "kestrel trainers size 42") == {
        "brand": "Kestrel",
        "category": "Shoes > Sneakers",
        "size": "42",
    }
    assert scan(lx, "athletic stuff in a medium") == {"style": "Sporty", "size": "M"}


def test_navy_stays_navy_where_the_catalog_has_it() -> None:
    lx = Lexicon({**FACETS, "color": ["navy", "blue"]})
    assert scan(lx, "navy ones") == {"color": "navy"}
    assert lx.normalise("color", "maroon") is None  # no red family here: not guessed


def test_typos_and_cues() -> None:
    lx = Lexicon(FACETS)
    assert scan(lx, "blak lether snekers") == {
        "color": "Black",
        "material": "Leather",
        "category": "Shoes > Sneakers",
    }
    # single letters are sizes only with a cue; "I'm" is not size M
    assert scan(lx, "i'm after a dress") == {"category": "Apparel > Dresses"}
    assert scan(lx, "a dress in m") == {"category": "Apparel > Dresses", "size": "M"}
    assert scan(lx, "what matches this picture") == {}


def test_spell_fixer_leaves_real_words_alone() -> None:
    fix = SpellFixer(Lexicon(FACETS), known_words={"what", "matches", "this", "picture"})
    assert fix("waht about blak dresess") == "what about black dresses"
    assert fix("what matches this picture") == "what matches this picture"
