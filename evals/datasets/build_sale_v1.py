"""Build ``sale_v1.jsonl``: shoppers asking what is on sale, as people do.

Written by hand (2026-12-02) for the sale filter (``catalog_search(on_sale=true)``): the
whole sale asked for in several voices ("anything on sale rn?", "whats on offer this
weekend", "any bargains"), a sale of one kind ("got any deals on keyboards"), the list just
shown narrowed to what is reduced, and a discount code, which is a question about the
shop's policies, not a search. Every product shown for a sale must be on sale (the card's
``on_sale``); no reply says the shop does not carry "bargains" or "deals".

Products and categories named here are among the first 240 of the demo catalog (seed 7),
whose generator puts about one product in ten on sale, so the expectations hold on the CI
gate's small catalog and on the default 5,000-product one.

    python -m shopagent.evals.datasets.build_sale_v1     # rewrites sale_v1.jsonl
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shopagent.evals._format import Conversation, dump_conversations
from shopagent.evals.datasets.build_shoppers_v2 import NOT_CARRIED, say, searched, shows

OUT = Path(__file__).with_name("sale_v1.jsonl")
CATALOG = {"name": "demo", "seed": 7, "size": 5000}
NOTHING_WRITTEN = ["write_proposal", "write_without_confirmation"]
# The price before the sale, said beside the price now
WAS = r"\bwas \$|down from \$"


def conv(cid: str, tags: list[str], description: str, *turns: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"sale-{cid}",
        "catalog": CATALOG,
        "tags": ["sale", *tags],
        "description": description,
        "turns": list(turns),
    }


def on_sale(*constraints: str, **arguments: Any) -> dict[str, Any]:
    """A search of the sale: only products on sale shown, their prices before it said."""
    return {
        "tool_calls": searched(on_sale=True, **arguments),
        "products": shows("on_sale=true", *constraints),
        "text": {"must_mention": [r"on sale", WAS], "must_not_mention": [NOT_CARRIED]},
        "forbid": NOTHING_WRITTEN,
    }


def conversations() -> list[dict[str, Any]]:
    return [
        conv(
            "whole-01",
            ["whole_sale"],
            "the whole sale, asked in texting shorthand",
            say("anything on sale rn?", "search", **on_sale()),
        ),
        conv(
            "whole-02",
            ["whole_sale"],
            "the sale asked as what is on offer, with a time",
            say("whats on offer this weekend", "search", **on_sale()),
        ),
        conv(
            "whole-03",
            ["whole_sale", "greeting"],
            "a greeting, then bargains: a sale, not a product called 'bargains'",
            say("hiya", "greeting"),
            say("any bargains going?", "search", **on_sale()),
        ),
        conv(
            "kind-01",
            ["kind"],
            "a sale of one kind of product",
            say("got any deals on keyboards", "search", **on_sale("category=Keyboards")),
        ),
        conv(
            "kind-02",
            ["kind", "after_a_search"],
            "the list just shown, narrowed to what is reduced",
            say("watering cans please", "search", products=shows("category=Watering Cans")),
            say(
                "are any of these reduced?",
                "refine",
                **on_sale("category=Watering Cans", category="Watering Cans"),
            ),
        ),
        conv(
            "code-01",
            ["policy"],
            "a discount code is a question about the shop's policies, not a search",
            say(
                "do you have a discount code i could use",
                "out_of_scope",
                tool_calls=[],
                products={"max_count": 0},
                text={"must_mention": [r"discount code"], "must_not_mention": [NOT_CARRIED]},
                forbid=NOTHING_WRITTEN,
            ),
        ),
    ]


def build() -> list[Conversation]:
    return [Conversation.model_validate(c) for c in conversations()]


if __name__ == "__main__":
    n = dump_conversations(build(), OUT)
    print(f"wrote {n} conversations to {OUT}")
