"""Products on sale: a filter every engine answers from the payload, the same answer from
an index made before sale marks existed, and the price before the sale on the card."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from shopagent.retrieval import open_catalog
from shopagent.retrieval.embed import DescriptorEncoder, SparseEncoder, TextEmbedder
from shopagent.retrieval.index import Conditions
from shopagent.retrieval.index.client import QdrantClientIndex
from shopagent.retrieval.ingest import read_feed
from shopagent.retrieval.schema import Product, Variant
from shopagent.retrieval.service import CatalogService
from shopagent.settings import Settings
from shopagent.tools.catalog import product_card

FEED = Path(__file__).resolve().parents[1] / "data" / "catalogs" / "home_outdoor" / "shopify.csv"
TRUTH = FEED.with_name("variants.jsonl")


def _on_sale_ids() -> set[str]:
    """From the fixture's own record of every variant, not from the code under test."""
    rows = [json.loads(x) for x in TRUTH.open()]
    return {
        r["product_id"]
        for r in rows
        if r["compare_at"] and Decimal(r["compare_at"]) > Decimal(r["price"])
    }


def _products() -> list[Product]:
    return [i.product for i in read_feed(FEED) if i.product is not None]


def test_a_product_is_on_sale_when_a_variant_sells_below_its_compare_at_price() -> None:
    plain = Product(id="a", title="Trowel", price=Decimal("12.00"))
    assert not plain.on_sale
    assert Product(id="b", title="Rake", price=12, compare_at_price=15).on_sale
    # a compare-at price at or below the price is no sale (feeds carry stale ones)
    assert not Product(id="c", title="Hoe", price=12, compare_at_price=12).on_sale
    mixed = Product(
        id="d",
        title="Hose",
        price=20,
        variants=[
            Variant(id="d1", options={"length": "15m"}, price=20),
            Variant(id="d2", options={"length": "30m"}, price=30, compare_at_price=36),
        ],
    )
    assert mixed.on_sale
    # the product's own compare-at price counts for variants without one
    inherited = Product(
        id="e",
        title="Shears",
        price=18,
        compare_at_price=24,
        variants=[Variant(id="e1", options={"size": "small"})],
    )
    assert inherited.on_sale
    card = product_card(inherited)
    assert (card["price"], card["compare_at_price"]) == ("18.00", "24.00")
    assert "sale" not in card  # its price is the sale price: nothing more to say


def test_a_card_says_which_options_are_on_sale_when_only_some_are() -> None:
    """Gloves on sale in olive only, every size: the card's price (the cheapest, not on
    sale) has no price before it; its ``sale`` names the olive ones at their own prices."""
    variants = [
        Variant(
            id=f"{colour}-{size}",
            options={"color": colour, "size": size},
            price=Decimal("24.00") if colour == "Olive" else Decimal("22.00"),
            compare_at_price=Decimal("30.00") if colour == "Olive" else None,
            available=(colour, size) != ("Olive", "S"),
        )
        for colour in ("Olive", "Black")
        for size in ("S", "M", "L")
    ]
    gloves = Product(id="g", title="Garden Gloves", price=22, variants=variants)
    card = product_card(gloves)
    assert gloves.on_sale and card["price"] == "22.00" and card["compare_at_price"] is None
    assert card["sale"] == {
        "price": "24.00",
        "compare_at_price": "30.00",
        "options": {"color": "Olive"},
    }


def test_on_sale_filter_finds_exactly_the_sale_products(tmp_path: Path) -> None:
    want = _on_sale_ids()
    assert 3 <= len(want) < len(_products())  # the fixture has both kinds
    settings = Settings(_env_file=None, data_dir=tmp_path, environment="test")  # type: ignore[call-arg]
    catalog = open_catalog(settings)
    try:
        catalog.ingest(_products())
        everything = catalog.search("", {"on_sale": True}, page_size=50)
        assert {h.product.id for h in everything.hits} == want
        assert everything.total == len(want) == catalog.count({"on_sale": True})
        assert everything.filters_applied["on_sale"] is True
        # with a query and another filter: still only sale products
        chairs = catalog.search("outdoor chair", {"on_sale": True}, page_size=5)
        assert chairs.hits and all(h.product.id in want for h in chairs.hits)
        assert chairs.hits[0].product.id == "acacia-adirondack-chair"
        cheap = catalog.search("", {"on_sale": True, "price_max": 200}, page_size=50)
        assert {h.product.id for h in cheap.hits} == {
            p.id for p in _products() if p.id in want and p.min_price <= 200
        }
    finally:
        catalog.close()


def test_an_index_made_before_sale_marks_reads_the_sale_off_the_products(
    tmp_path: Path,
) -> None:
    """Points without the ``on_sale`` field (an index built by an older release) must not
    answer "nothing is on sale": the search reads each candidate's prices instead."""
    index = QdrantClientIndex.local()
    text = TextEmbedder(tmp_path / "t.sqlite", model_dir=tmp_path / "models")
    catalog = CatalogService(
        index, text, SparseEncoder(), DescriptorEncoder(), media_root=tmp_path / "media"
    )
    try:
        catalog.ingest(_products())
        assert catalog.sale_marked()
        fresh = catalog.search("", {"on_sale": True}, page_size=50)
        every_point = [h.point_id for h in index.filtered(Conditions(), limit=1000)]
        index.client.delete_payload(index.collection, keys=["on_sale"], points=every_point)
        catalog.ingest([])  # forgets what it knew of the index, as a restart does
        assert not catalog.sale_marked()
        legacy = catalog.search("", {"on_sale": True}, page_size=50)
        assert {h.product.id for h in legacy.hits} == {h.product.id for h in fresh.hits}
        assert legacy.total == fresh.total == len(_on_sale_ids())
        paged = catalog.search("", {"on_sale": True}, page=2, page_size=2)
        assert [h.product.id for h in paged.hits] == [h.product.id for h in legacy.hits[2:4]]
        chairs = catalog.search("outdoor chair", {"on_sale": True}, page_size=5)
        assert chairs.hits[0].product.id == "acacia-adirondack-chair"
    finally:
        catalog.close()


def test_a_sale_only_in_sold_out_options_is_no_sale() -> None:
    variants = [
        Variant(id="s", options={"size": "S"}, price=20, compare_at_price=30, available=False),
        Variant(id="m", options={"size": "M"}, price=30),
    ]
    assert not Product(id="p", title="Apron", price=20, variants=variants).on_sale
    assert not Product(id="q", title="Trug", price=10, compare_at_price=15, available=False).on_sale
