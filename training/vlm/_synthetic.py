"""Generated shopping sessions in the sessions-export format, with small images.

For running the pipeline where no recorded conversations exist yet (the offline test, a
first dry run of the commands). The data is regular on purpose, so a tiny model can learn
its format in seconds; it says nothing about a real model's quality.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

COLORS = {
    "red": (200, 30, 30),
    "blue": (30, 60, 200),
    "green": (30, 160, 60),
    "black": (15, 15, 15),
    "white": (240, 240, 240),
    "yellow": (230, 210, 40),
}
THINGS = ["sneakers", "boots", "jacket", "dress", "backpack", "scarf", "hoodie", "lamp"]


def _fn(name: str, doc: str, props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": doc,
            "parameters": {"type": "object", "properties": props, "required": required},
        },
    }


DEMO_TOOL_SCHEMAS = [
    _fn(
        "catalog_search",
        "Search the catalog by text with optional filters.",
        {"query": {"type": "string"}, "color": {"type": "string"}, "price_max": {"type": "number"}},
        ["query"],
    ),
    _fn(
        "visual_search",
        "Find products that look like the shopper's image.",
        {"category": {"type": "string"}},
        [],
    ),
    _fn(
        "add_to_cart",
        "Add a product to the shopper's cart (asks the shopper to confirm).",
        {"product_id": {"type": "string"}, "quantity": {"type": "integer"}},
        ["product_id", "quantity"],
    ),
]


def _image(folder: Path, color: str) -> dict[str, str]:
    from PIL import Image

    name = f"{color}.png"
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (64, 48), COLORS[color]).save(path)
    return {"path": f"images/{name}"}


def demo_conversation(rng: random.Random, i: int, image_dir: Path) -> dict[str, Any]:
    color, thing = rng.choice(sorted(COLORS)), rng.choice(THINGS)
    price = rng.randint(2, 30) * 10
    pid = f"p{rng.randint(100, 999)}"
    found = [{"id": pid, "title": f"{color.title()} {thing}", "price": price - 1}]
    turns: list[dict[str, Any]] = []
    if rng.random() < 0.3:
        turns.append(
            {
                "user": "find something like this",
                "image": _image(image_dir, color),
                "intent": "visual_search",
                "trace": {
                    "tool_calls": [{"name": "visual_search", "arguments": {"category": thing}}],
                    "tool_results": [found],
                    "reply": f"This {color} {thing} looks like your photo.",
                },
            }
        )
    else:
        turns.append(
            {
                "user": f"show me {color} {thing} under {price} euros",
                "image": None,
                "intent": "search",
                "trace": {
                    "tool_calls": [
                        {
                            "name": "catalog_search",
                            "arguments": {"query": thing, "color": color, "price_max": price},
                        }
                    ],
                    "tool_results": [found],
                    "reply": f"I found {color} {thing} for {price - 1} EUR.",
                },
            }
        )
    if rng.random() < 0.5:
        # A write: the call is proposed in one turn, its result and the reply come after
        # the shopper's confirmation, in the confirm turn (as sessions export it).
        qty = rng.randint(1, 3)
        turns.append(
            {
                "user": f"add {qty} to my cart",
                "image": None,
                "intent": "add_to_cart",
                "trace": {
                    "tool_calls": [
                        {"name": "add_to_cart", "arguments": {"product_id": pid, "quantity": qty}}
                    ],
                    "tool_results": [],
                    "reply": "",
                },
            }
        )
        turns.append(
            {
                "confirm": True,
                "trace": {
                    "tool_calls": [],
                    "tool_results": [{"ok": True, "cart_items": qty}],
                    "reply": "Added to your cart.",
                },
            }
        )
    return {
        "format": "shopagent-conversation/1",
        "id": f"demo-{i:05d}",
        "catalog": {"name": "synthetic"},
        "tags": ["synthetic"],
        "turns": turns,
    }


def write_demo_sessions(path: str | Path, n: int = 200, seed: int = 0) -> Path:
    """Write ``n`` generated conversations to ``path`` (images next to it in images/)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps(demo_conversation(rng, i, path.parent / "images")) + "\n")
    return path
