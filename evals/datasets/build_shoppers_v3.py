"""Build ``shoppers_v3.jsonl``: a retired grandparent kitting out a home gym, a kitchen, a
garden and a toy box, in their own voice.

Written by hand, one conversation at a time, in a voice shoppers_v2 does not have: polite
and a little formal, British words ("quid", "dear", "have you got"), measures typed any
way ("5kg", "750ml", "1000 peices"), an option typed as the answer to the assistant's
question instead of tapped, things the shop does not carry named with something it does
("a strap for a yoga mat"), and presents for grandchildren. No fashion: the departments are
Sports, Kitchen, Garden, Toys and Electronics of the demo shop.

Products named here are among the first 240 of the demo catalog (seed 7), so the
expectations hold on the CI gate's small catalog and on the default 5,000-product one.

    python -m shopagent.evals.datasets.build_shoppers_v3     # rewrites shoppers_v3.jsonl
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shopagent.evals._format import Conversation, dump_conversations
from shopagent.evals.datasets.build_shoppers_v2 import (
    cart,
    clarify,
    not_carried,
    proposes,
    qa,
    refuse_other_user,
    say,
    searched,
    shows,
    yes,
)

OUT = Path(__file__).with_name("shoppers_v3.jsonl")
CATALOG = {"name": "demo", "seed": 7, "size": 5000}
NOTHING_WRITTEN = ["write_proposal", "write_without_confirmation"]


def conv(cid: str, tags: list[str], description: str, *turns: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"v3-{cid}",
        "catalog": CATALOG,
        "tags": ["grandparent", *tags],
        "description": description,
        "turns": list(turns),
    }


def conversations() -> list[dict[str, Any]]:
    return [
        conv(
            "gym-01",
            ["measures", "typos", "follow_up"],
            "a weight typed onto its number, a typo in the product, then the cheapest",
            say(
                "Good afternoon. I'm after a pair of dumbells for my morning exercises, "
                "5kg if you have them.",
                "search",
                tool_calls=searched(category="Dumbbells", size="5 kg"),
                products=shows("category=Dumbbells"),
            ),
            say(
                "Which one is the cheapest?",
                text={"must_mention": ["cheapest"]},
                forbid=NOTHING_WRITTEN,
            ),
        ),
        conv(
            "gym-02",
            ["typed_answer", "measures"],
            "the size question answered by typing the size",
            say(
                "water bottles for the gym please",
                "search",
                products=shows("category=Water Bottles"),
            ),
            say(
                "750ml",
                "refine",
                tool_calls=searched(category="Water Bottles", size="750 ml"),
                products=shows("category=Water Bottles"),
            ),
        ),
        conv(
            "gym-03",
            ["not_carried"],
            "a strap is not sold; the yoga mat is only what it is for",
            say(
                "do you sell a strap for a yoga mat?",
                "search",
                **not_carried(r"yoga|mat|sport", only="Yoga Mats|Dumbbells|Tennis Rackets"),
            ),
        ),
        conv(
            "gym-04",
            ["measures", "follow_up", "product_qa"],
            "a kettlebell by weight, then whether the first is in stock",
            say(
                "kettlebell 10kg",
                "search",
                tool_calls=searched(category="Dumbbells", size="10 kg"),
                products=shows("category=Dumbbells"),
            ),
            say("is the first one in stock?", "product_details", **qa(1, "stock")),
        ),
        conv(
            "gym-05",
            ["typed_answer"],
            "a material typed as the answer",
            say("a yoga mat for my stretches", "search", products=shows("category=Yoga Mats")),
            say(
                "cork",
                "refine",
                tool_calls=searched(category="Yoga Mats", material="cork"),
                products=shows("category=Yoga Mats"),
            ),
        ),
        conv(
            "gym-06",
            ["follow_up", "product_qa"],
            "junior rackets, then what the first is made of",
            say(
                "have you any rackets for a junior",
                "search",
                products=shows("category=Tennis Rackets", "audience=kids"),
            ),
            say("what's the first one made of?", "product_details", **qa(1, "material")),
        ),
        conv(
            "toys-01",
            ["cart", "gift"],
            "a teddy bear named for a granddaughter: a search, then bought",
            say(
                "a teddy bear for my granddaughter",
                "search",
                products=shows("category=Plush Toys"),
                forbid_tools=["gift_ideas"],
            ),
            say("I'll take the first one", "add_to_cart", **proposes("add_to_cart")),
            yes(cart=cart(1)),
        ),
        conv(
            "toys-02",
            ["typos", "measures"],
            "two typos, and the piece count is the size",
            say(
                "jigsaw puzzel with 1000 peices",
                "search",
                tool_calls=searched(category="Puzzles", size="1000 pieces"),
                products=shows("category=Puzzles"),
            ),
        ),
        conv(
            "toys-03",
            ["gift"],
            "a vague present for a six-year-old: children's things only",
            say(
                "My grandson turns six next week, what would you suggest for him?",
                products=shows("audience=kids", min_count=3),
                forbid=NOTHING_WRITTEN,
            ),
        ),
        conv(
            "kitchen-01",
            ["product_qa"],
            "a kettle named by its title: stock, then price",
            say(
                "Is the Brewly Minimalist White Enamel Gooseneck Kettle in stock?",
                "product_details",
                **qa("p-00027", "stock"),
            ),
            say("and how much is it?", "product_details", **qa("p-00027", "price")),
        ),
        conv(
            "kitchen-02",
            ["not_carried"],
            "toasters are not sold; kitchen things are offered",
            say("Do you sell toasters?", "search", **not_carried(r"kettle|cookware|kitchen")),
        ),
        conv(
            "kitchen-03",
            ["not_carried"],
            "a lid is not sold; the frying pan is only what it is for",
            say(
                "a lid for my frying pan",
                "search",
                **not_carried(r"cookware|kitchen", only="Cookware|Kettles|Mugs|Knives"),
            ),
        ),
        conv(
            "garden-01",
            ["typed_answer"],
            "planters, then the size typed as the answer",
            say("planters for the patio", "search", products=shows("category=Planters")),
            say(
                "large",
                "refine",
                tool_calls=searched(category="Planters", size="large"),
                products=shows("category=Planters"),
            ),
        ),
        conv(
            "garden-02",
            ["follow_up"],
            "a budget in quid",
            say(
                "watering can for indoor plants under 20 quid",
                "search",
                tool_calls=searched(category="Watering Cans", price_max=20),
                products=shows("category=Watering Cans", "price<=20"),
            ),
        ),
        conv(
            "garden-03",
            ["not_carried"],
            "a lawnmower is not sold; garden tools are offered",
            say("have you got a lawnmower", "search", **not_carried(r"garden")),
        ),
        conv(
            "elec-01",
            ["typed_answer"],
            "a speaker 'not too dear', then a colour typed as the answer",
            say(
                "a bluetooth speaker, not too dear",
                "search",
                products=shows("category=Speakers"),
            ),
            say(
                "white",
                "refine",
                tool_calls=searched(category="Speakers", color="white"),
                products=shows("category=Speakers", "color=white"),
            ),
        ),
        conv(
            "orders-01",
            ["orders"],
            "an order asked after with no order placed",
            say(
                "where's my order? I ordered a kettle last week",
                "order_status",
                tool_calls=[{"name": "list_orders"}],
                text={"must_mention": [r"(don'?t|do not) have any orders|no orders"]},
                forbid=NOTHING_WRITTEN,
            ),
        ),
        conv(
            "other-01",
            ["other_user"],
            "a neighbour's cart",
            say(
                "my neighbour's cart please, she asked me to check it",
                **refuse_other_user(),
            ),
        ),
        conv(
            "clarify-01",
            ["clarify"],
            "wants something nice, no idea what: one question first",
            say("I want to buy something nice but I have no idea what", **clarify()),
        ),
    ]


def build() -> list[Conversation]:
    return [Conversation.model_validate(c) for c in conversations()]


if __name__ == "__main__":
    n = dump_conversations(build(), OUT)
    print(f"wrote {n} conversations to {OUT}")
