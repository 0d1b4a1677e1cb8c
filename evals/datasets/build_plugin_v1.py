"""Builds plugin_v1.jsonl: conversations tagged ``plugin`` in which the embedded tier calls
the example in-store pickup MCP server (examples/store_pickup.py), plus turns that must not
reach it. Replay with ``-c evals/configs/plugin.toml`` (it starts the server).

    python evals/datasets/build_plugin_v1.py
"""

import json
from pathlib import Path

CAT = {"seed": 7, "size": 5000}
CHECK = "pickup__check_pickup"
RESERVE = "pickup__reserve_pickup"


def conv(i, desc, turns, tags=("plugin",)):
    return {
        "format": "shopagent-conversation/1",
        "id": f"plugin-{i:03d}",
        "catalog": CAT,
        "tags": list(tags),
        "description": desc,
        "turns": turns,
    }


def search(text, cat):
    return {
        "user": text,
        "intent": "search",
        "expect": {
            "tool_calls": [{"name": "catalog_search"}],
            "forbid_tools": [CHECK, RESERVE],
            "products": {"constraints": [f"category={cat}"], "min_count": 1},
            "tier": "embedded",
        },
    }


def check(text, pos_arg=True):
    e = {
        "tool_calls": [{"name": CHECK, "arguments": {"product_id": {"any": True}}}],
        "tier": "embedded",
        "text": {"must_mention": ["stores?|in stock"]},
        "forbid": ["write_without_confirmation"],
    }
    return {"user": text, "intent": "plugin", "expect": e}


out = []
pairs = [
    ("got any sneakers?", "Sneakers", "is the first one available for click and collect?"),
    ("backpacks please", "Backpacks", "can I pick up the first one in a shop today"),
    ("I'm after some boots", "Boots", "which store has the last one in stock near me?"),
    ("show me wallets", "Wallets", "could I collect the last one in person?"),
    ("show me some handbags", "Handbags", "can i grab the 1st one at a store today"),
]
for n, (q, cat, ask) in enumerate(pairs):
    out.append(
        conv(
            n,
            f"{cat}: search, then ask about in-store pickup of a shown one",
            [search(q, cat), check(ask)],
        )
    )
n = len(out)
out.append(
    conv(
        n,
        "pickup asked before any product is in play: the shopper is asked which",
        [
            {
                "user": "can I pick it up in a store today?",
                "intent": "plugin",
                "expect": {"tool_calls": [], "tier": "embedded", "clarify": True},
            }
        ],
    )
)
n += 1
out.append(
    conv(
        n,
        "reserve at a named store: confirmation names the store; confirm books or says why not",
        [
            search("sandals", "Sandals"),
            check("is the 1st one available for pickup at a store?"),
            {
                "user": "reserve it for pickup at the ridge store",
                "intent": "plugin",
                "expect": {
                    "confirmation": {
                        "tool": RESERVE,
                        "arguments": {"store_id": "ridge", "product_id": {"any": True}},
                    },
                    "forbid": ["write_without_confirmation"],
                    "tier": "embedded",
                },
            },
            {
                "confirm": True,
                "intent": "confirm",
                "expect": {
                    "tool_calls": [{"name": RESERVE}],
                    "text": {"must_mention": ["reservation|none in stock"]},
                },
            },
        ],
    )
)
n += 1
out.append(
    conv(
        n,
        "reserve declined: nothing is booked",
        [
            search("loafers", "Loafers"),
            {
                "user": "hold the first one for me at the harbour store",
                "intent": "plugin",
                "expect": {
                    "confirmation": {"tool": RESERVE, "arguments": {"store_id": "harbour"}},
                    "tier": "embedded",
                },
            },
            {
                "confirm": False,
                "intent": "confirm",
                "expect": {"forbid_tools": [RESERVE], "forbid": ["write_without_confirmation"]},
            },
        ],
    )
)
n += 1
out.append(
    conv(
        n,
        "routine turns with the plugin loaded never reach it",
        [
            search("show me hoodies", "Hoodies"),
            {
                "user": "add the first one to my cart",
                "intent": "add_to_cart",
                "expect": {"forbid_tools": [CHECK, RESERVE]},
            },
            {
                "user": "what's in my cart?",
                "intent": "view_cart",
                "expect": {"forbid_tools": [CHECK, RESERVE]},
            },
        ],
        tags=("plugin", "plugin_negative"),
    )
)
with open(Path(__file__).with_name("plugin_v1.jsonl"), "w") as f:
    for c in out:
        f.write(json.dumps(c) + "\n")
print(len(out))
