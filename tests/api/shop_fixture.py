"""A small real catalog for the page and card-action tests: desk audio and keyboards,
priced in euros, with option names that are not size or colour ("switch type",
"finish"), a sold-out combination, a product without an image and a very long title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

COLOURS = {
    "kb-75": (40, 44, 52),
    "kb-65": (200, 120, 40),
    "hp-studio": (120, 80, 50),
    "lamp-osprey": (230, 220, 160),
}


def _variant(vid: str, price: str | None = None, available: bool = True, **options: str) -> Any:
    from shopagent.retrieval import Variant

    data: dict[str, Any] = {"id": vid, "options": options, "available": available}
    if price is not None:
        data["price"] = price
    return Variant.model_validate(data)


def products() -> list[Any]:
    from shopagent.retrieval import Product

    def product(pid: str, **kw: Any) -> Any:
        images = [f"/media/products/{pid}.png", f"/media/products/{pid}-b.png"]
        kw.setdefault("images", images if pid in COLOURS else [])
        kw.setdefault("currency", "EUR")
        return Product.model_validate({"id": pid, **kw})

    return [
        product(
            "kb-75",
            title="Kestrel 75 Mechanical Keyboard",
            description="A 75% aluminium keyboard with hot-swap sockets and a gasket mount.",
            category="Electronics > Keyboards",
            brand="Kestrel",
            price="129.00",
            attributes={"color": "black", "material": "aluminium"},
            variants=[
                _variant("kb-75-c", **{"switch type": "clicky"}),
                _variant("kb-75-l", price="134.50", **{"switch type": "linear"}),
                _variant("kb-75-t", available=False, **{"switch type": "tactile"}),
            ],
        ),
        product(
            "kb-65",
            title="Kestrel 65 Compact Keyboard",
            description="A 65% keyboard in orange, hot-swap sockets, USB-C.",
            category="Electronics > Keyboards",
            brand="Kestrel",
            price="99.00",
            attributes={"color": "orange", "material": "plastic"},
            variants=[
                _variant("kb-65-c", **{"switch type": "clicky"}),
                _variant("kb-65-l", **{"switch type": "linear"}),
            ],
        ),
        product(
            "hp-studio",
            title="Heron Studio Headphones",
            description="Closed-back studio headphones with a detachable cable.",
            category="Electronics > Headphones",
            brand="Heron",
            price="189.99",
            attributes={"color": "brown"},
            variants=[
                _variant("hp-studio-m", finish="matte black"),
                _variant("hp-studio-w", finish="walnut", price="209.99"),
            ],
        ),
        product(
            "lamp-osprey",
            title="Osprey Desk Lamp",
            description="A dimmable LED desk lamp with a weighted base.",
            category="Home > Lighting",
            brand="Osprey",
            price="45.00",
            attributes={"color": "cream"},
        ),
        product(
            "mic-merlin",
            title=(
                "Merlin USB Condenser Microphone with Shock Mount, Pop Filter, Desk Arm and "
                "Braided Cable for Podcasting, Streaming and Home Recording"
            ),
            description="A cardioid USB microphone kit.",
            category="Electronics > Microphones",
            brand="Merlin",
            price="79.00",
            attributes={"color": "black"},
        ),
    ]


def build(settings: Any) -> Any:
    """Writes product images under the data folder and ingests the catalog; returns it open."""
    from PIL import Image

    from shopagent.retrieval import open_catalog

    folder = Path(settings.data_dir) / "media" / "products"
    folder.mkdir(parents=True, exist_ok=True)
    for pid, rgb in COLOURS.items():
        Image.new("RGB", (96, 96), rgb).save(folder / f"{pid}.png")
        Image.new("RGB", (96, 96), tuple(255 - c for c in rgb)).save(folder / f"{pid}-b.png")
    catalog = open_catalog(settings)
    report = catalog.ingest(products(), base_dir=Path(settings.data_dir))
    assert report.ingested == len(products()), report
    return catalog


def scripted_model(body: dict[str, Any]) -> Any:
    """The local tier's replies for typed text (the model boundary is the only fake):
    'compare ...' compares both keyboards, 'add ...' adds the 75 without choosing a
    switch, anything else searches."""
    from shopagent.agent.fake_openai import FakeReply

    messages = body["messages"]
    last = messages[-1]
    if last["role"] == "tool":
        if "option_required" in str(last.get("content")):
            return FakeReply(text="Which switch type would you like?")
        if any(
            tc["function"]["name"] == "compare_products"
            for m in messages
            if m["role"] == "assistant"
            for tc in m.get("tool_calls") or []
        ):
            return FakeReply(text="Here is how the two keyboards compare.")
        return FakeReply(text="Here is what I found.")
    content = str(last["content"]).lower()
    if "compare" in content:
        return FakeReply(tool_calls=[("compare_products", {"product_ids": ["kb-75", "kb-65"]})])
    if content.startswith("add"):
        return FakeReply(tool_calls=[("add_to_cart", {"product_id": "kb-75", "quantity": 1})])
    return FakeReply(tool_calls=[("catalog_search", {"query": content, "page_size": 6})])
