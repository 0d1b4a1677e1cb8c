"""Build ``shoppers_v5.jsonl``: shoppers following up on what they were just shown, as
people do, and run-on requests that mix who a gift is for with what they like.

Written by hand from an audit of the embedded tier (2026-12-01, quality4), in voices the
other sets do not have: a size said alone after a search ("in size XXXL?", "any in a
large?"), a colour or a category ruled out ("not black", "she hates silver"), a comparative
("something warmer"), a bare question over a list ("waterproof?", "any cheaper?"), a pick
by price ("the cheapest pair"), a described one ("one that keeps drinks cold"), texting
shorthand ("wht do u hav in sneekers"), a request that opens by asking for a product and
gives a size (not a taste to remember), "what about X" for a thing the shop lacks, a
refused request whose audience must not filter the next search, and a gift request that
names a budget approximately.

Products and categories named here are among the first 240 of the demo catalog (seed 7),
so the expectations hold on the CI gate's small catalog and on the default 5,000-product
one.

    python -m shopagent.evals.datasets.build_shoppers_v5     # rewrites shoppers_v5.jsonl
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shopagent.evals._format import Conversation, dump_conversations
from shopagent.evals.datasets.build_shoppers_v2 import (
    NOT_CARRIED,
    not_carried,
    say,
    searched,
    shows,
)

OUT = Path(__file__).with_name("shoppers_v5.jsonl")
CATALOG = {"name": "demo", "seed": 7, "size": 5000}
# Something offered after "we don't carry": the nearest categories or the departments
OFFERED = r"closest we have|we sell"
# "Which product do you mean?": the wrong answer to a question about the whole list
WHICH_ONE = r"which product do you mean"
NOTHING_WRITTEN = ["write_proposal", "write_without_confirmation"]


def conv(cid: str, tags: list[str], description: str, *turns: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"v5-{cid}",
        "catalog": CATALOG,
        "tags": ["after_a_search", *tags],
        "description": description,
        "turns": list(turns),
    }


def narrows(category: str, *, mention: str | None = None, **arguments: Any) -> dict[str, Any]:
    """The search in play again, narrowed: never "which product do you mean?"."""
    text: dict[str, Any] = {"must_not_mention": [WHICH_ONE, NOT_CARRIED]}
    if mention:
        text["must_mention"] = [mention]
    return {
        "tool_calls": searched(category=category, **arguments),
        "products": shows(f"category={category}"),
        "text": text,
        "forbid": NOTHING_WRITTEN,
    }


def conversations() -> list[dict[str, Any]]:
    return [
        conv(
            "size-01",
            ["sizes"],
            "a size the hoodies do not come in, said alone after the search",
            say("hoodies pls", "search", products=shows("category=Hoodies")),
            say(
                "in size XXXL?",
                "refine",
                **narrows("Hoodies", mention=r"come in sizes .*not XXXL"),
            ),
        ),
        conv(
            "size-02",
            ["sizes"],
            "a letter size for boots sold in numbers",
            say("boots", "search", products=shows("category=Boots")),
            say(
                "any in a large?",
                "refine",
                **narrows("Boots", mention=r"come in sizes .*not large"),
            ),
        ),
        conv(
            "size-03",
            ["sizes", "facets"],
            "the sizes of the search, asked alone",
            say("some jackets please", "search", products=shows("category=Jackets", min_count=2)),
            say("what sizes?", "refine", **narrows("Jackets", mention=r"sizes for")),
        ),
        conv(
            "ref-01",
            ["not_carried", "refusal_leaves_nothing"],
            "a refused request for men: the next search is not for men",
            say("cashmere scarves for men", "search", **not_carried(OFFERED)),
            say(
                "ok got any wallets?",
                "search",
                tool_calls=searched(category="Wallets"),
                products=shows("category=Wallets"),
                text={"must_not_mention": [r"\bmen\b"]},
            ),
        ),
        conv(
            "ref-02",
            ["not_carried"],
            "'what about X' for a thing the shop lacks is refused too",
            say("do u sell bikes", "search", **not_carried(OFFERED)),
            say("what about helmets", **not_carried(OFFERED)),
        ),
        conv(
            "neg-01",
            ["ruled_out"],
            "a colour ruled out is no filter",
            say(
                "a handbag but not black please",
                "search",
                products=shows("category=Handbags"),
                text={"must_not_mention": [r"\bblack handbags\b"]},
            ),
        ),
        conv(
            "neg-02",
            ["ruled_out", "gift"],
            "the colour she hates is not the one searched",
            say(
                "show me some nice earrings for my wife, gold, she hates silver",
                "search",
                tool_calls=searched(category="Earrings", color="gold"),
                products=shows("category=Earrings"),
            ),
        ),
        conv(
            "cmp-01",
            ["comparative"],
            "something warmer is the jackets, warmer: no 'we don't carry warmers'",
            say("jackets", "search", products=shows("category=Jackets")),
            say("something warmer", "refine", **narrows("Jackets", query={"regex": "warm"})),
        ),
        conv(
            "bare-01",
            ["bare_question"],
            "a bare question over a list of backpacks narrows it",
            say("backpack for school for my son", "search", products=shows("category=Backpacks")),
            say(
                "waterproof?",
                "refine",
                **narrows("Backpacks", query={"regex": "waterproof"}),
            ),
        ),
        conv(
            "bare-02",
            ["bare_question"],
            "any cheaper? over the speakers shown",
            say("show me speakers", "search", products=shows("category=Speakers", min_count=2)),
            say("any cheaper?", "refine", **narrows("Speakers", price_max={"any": True})),
        ),
        conv(
            "desc-01",
            ["described"],
            "one that keeps drinks cold: the bottles searched with those words",
            say("water bottles", "search", products=shows("category=Water Bottles")),
            say(
                "one that keeps drinks cold",
                "refine",
                **narrows("Water Bottles", query={"regex": "cold"}),
            ),
        ),
        conv(
            "pick-01",
            ["pick"],
            "the cheapest pair of the boots shown, not boots under a price",
            say("nvm show me boots", "search", products=shows("category=Boots", min_count=2)),
            say(
                "the cheapest pair",
                "product_details",
                tool_calls=[{"name": "get_product"}],
                forbid_tools=["catalog_search"],
                forbid=NOTHING_WRITTEN,
                text={"must_not_mention": [WHICH_ONE, r"doesn'?t say"]},
            ),
        ),
        conv(
            "typo-01",
            ["typos"],
            "texting shorthand around a misspelt category",
            say(
                "wht do u hav in sneekers for running",
                "search",
                tool_calls=searched(category="Sneakers"),
                products=shows("category=Sneakers"),
                text={"must_not_mention": [NOT_CARRIED]},
            ),
        ),
        conv(
            "req-01",
            ["run_on"],
            "a request that names the product and a size is a search, not a size to remember",
            say(
                "i need new running shoes size 42 preferably under 80 bucks and not too flashy",
                "search",
                tool_calls=searched(category="Sneakers", size="42"),
                forbid_tools=["remember_preference"],
                forbid=NOTHING_WRITTEN,
            ),
        ),
        conv(
            "gift-01",
            ["run_on", "gift"],
            "who the gift is for and when is no product the shop lacks",
            say(
                "hey so my girlfriends birthday is next week and i have no idea what to get "
                "her she likes jewelry i think and maybe perfume",
                text={"must_not_mention": [NOT_CARRIED, r"birthday next week"]},
                forbid=NOTHING_WRITTEN,
            ),
        ),
        conv(
            "gift-02",
            ["gift"],
            "an approximate budget caps the gift ideas",
            say(
                "need a present for my mum she likes gardening and cooking, budget around 50",
                tool_calls=[{"name": "gift_ideas", "arguments": {"budget": "50"}}],
                products={"constraints": ["price<=50"], "min_count": 1},
                forbid=NOTHING_WRITTEN,
            ),
        ),
    ]


def build() -> list[Conversation]:
    return [Conversation.model_validate(c) for c in conversations()]


if __name__ == "__main__":
    n = dump_conversations(build(), OUT)
    print(f"wrote {n} conversations to {OUT}")
