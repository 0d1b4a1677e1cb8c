"""Merchant feeds column by column, safe ingestion, option filters and exact money, on the
hand-made fixture stores (tests/data/catalogs) and small feeds written here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopagent.money import format_money, parse_money, quantize
from shopagent.retrieval import ensure_demo_catalog, is_merchant_catalog, open_catalog
from shopagent.retrieval.ingest import read_feed
from shopagent.retrieval.schema import option_key
from shopagent.settings import Settings

CATALOGS = Path(__file__).resolve().parents[1] / "data" / "catalogs"


def settings_for(data: Path, **kw: Any) -> Settings:
    return Settings(_env_file=None, data_dir=data, environment="test", **kw)  # type: ignore[call-arg]


def parsed(path: Path) -> tuple[dict[str, Any], list[Any]]:
    items = list(read_feed(path))
    return (
        {i.product.id: i.product for i in items if i.product},
        [i.issue for i in items if i.issue],
    )


@pytest.mark.parametrize("store", ["electronics", "home_outdoor"])
def test_both_exports_give_every_variant_with_its_options_and_exact_price(store: str) -> None:
    truth = [json.loads(x) for x in (CATALOGS / store / "variants.jsonl").open()]
    for feed in ("merchant_center.tsv", "shopify.csv"):
        products, issues = parsed(CATALOGS / store / feed)
        assert issues == []
        got = {(p.id, v.sku): (v, p) for p in products.values() for v in p.variants}
        assert len(got) == len(truth)
        for want in truth:
            v, p = got[(want["product_id"], want["sku"])]
            assert v.options == {option_key(k): x for k, x in want["options"].items()}
            assert p.unit_price(v) == Decimal(want["price"]) and p.currency == "USD"
            before = want["compare_at"]
            assert v.compare_at_price == (Decimal(before) if before else None)
            # a Shopify export cannot say "preorder": it sells at 0 ("continue") as backorder
            shopify_preorder = feed == "shopify.csv" and want["availability"] == "preorder"
            assert v.availability == ("backorder" if shopify_preorder else want["availability"])
            # the merchant's option names are kept for questions and details
            for name in want["options"]:
                assert p.option_label(option_key(name)).casefold() == name.casefold()


def test_gmc_columns_are_kept_variant_titles_and_details_included() -> None:
    products, _ = parsed(CATALOGS / "electronics" / "merchant_center.tsv")
    kb = products["kestrel-k87-mechanical-keyboard"]
    assert kb.title == "Kestrel K87 Mechanical Keyboard"
    v = next(
        x
        for x in kb.variants
        if x.options == {"switch type": "clicky", "backlight": "RGB", "layout": "full size"}
    )
    assert v.title == "Kestrel K87 Mechanical Keyboard - clicky, RGB, full size"
    assert v.price == Decimal("226.11") and v.attributes["gtin"]
    # values every variant shares describe the product; nothing is dropped
    assert kb.attributes["connectivity"] == "USB-C wired"
    assert kb.attributes["custom_label_0"] == "bestseller" and kb.attributes["color"] == "black"
    assert "clicky" in kb.keyword_text() and "Switch type" in kb.keyword_text()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


GMC_HEAD = "id\titem_group_id\ttitle\tprice\tavailability\timage_link\tcolor\n"


def test_bad_rows_are_reported_once_per_line(tmp_path: Path) -> None:
    feed = write(
        tmp_path / "feed.tsv",
        GMC_HEAD
        + (
            "A-1\tA\tLamp - red\t10.00 USD\tin_stock\t\tred\n"
            "A-2\tA\tLamp - blue\t10.00 USD\tmaybe\t\tblue\n"  # unknown availability
            "A-1\tA\tLamp - red again\t11.00 USD\tin_stock\t\tred\n"  # duplicate id
            "B-1\t\tRug\t12.999 USD\tin_stock\t\t\n"  # more decimals than USD
            "C-1\t\tMug\tten\tmayhap\t\t\n"  # two problems, one row
            "D-1\t\tVase\t5 USD\tpreorder\thttp://169.254.169.254/latest.png\t\n"
            "E-1\t\tBowl\t6 USD\tbackorder\tfile:///etc/passwd\t\n"
            "F-1\t\tCup\t7 USD\tin_stock\thttp://127.0.0.1/cup.png\t\n"
        ),
    )
    catalog = open_catalog(settings_for(tmp_path / "data"))
    try:
        report = catalog.ingest_file(feed)
        by_line = {i.line: i for i in report.issues}
        assert "maybe" in by_line[3].reason and "in_stock" in by_line[3].reason
        assert "duplicate id 'A-1'" in by_line[4].reason
        assert "decimals" in by_line[5].reason
        assert report.skipped == 4  # lines 3, 4, 5, 6: each once
        assert report.ingested == 4  # A (one variant), D, E, F
        assert [v.id for v in catalog.get_product("A").variants] == ["A-1"]
        for pid, line in (("D-1", 7), ("E-1", 8), ("F-1", 9)):
            assert by_line[line].product_id == pid and not by_line[line].skipped
            assert catalog.get_product(pid).image_url is None
        assert catalog.get_product("D-1").variants[0].availability == "preorder"
        assert catalog.get_product("E-1").available  # backorder sells
    finally:
        catalog.close()


def test_duplicate_product_ids_in_jsonl_keep_the_first(tmp_path: Path) -> None:
    rows = [
        {"id": "X", "title": "Kettle", "price": "20.00", "warranty": "2 years"},
        {"id": "X", "title": "Other kettle", "price": "25.00"},
    ]
    feed = write(tmp_path / "f.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    products, issues = parsed(feed)
    assert products["X"].title == "Kettle" and products["X"].price == Decimal("20.00")
    assert products["X"].attributes["warranty"] == "2 years"  # unknown keys are kept
    assert [(i.line, "duplicate" in i.reason) for i in issues] == [(2, True)]


def test_delete_missing_refuses_a_truncated_feed_without_force(tmp_path: Path) -> None:
    rows = [{"id": f"K{i}", "title": f"Kettle {i}", "price": "20.00"} for i in range(10)]
    feed = tmp_path / "f.jsonl"
    catalog = open_catalog(settings_for(tmp_path / "data"))
    try:
        write(feed, "\n".join(json.dumps(r) for r in rows) + "\n")
        catalog.ingest_file(feed)
        write(feed, "\n".join(json.dumps(r) for r in rows[:7]) + "\n")
        report = catalog.ingest_file(feed, delete_missing=True, max_delete_share=0.2)
        assert report.delete_refused == 3 and report.deleted == 0 and catalog.count() == 10
        write(feed, "\n".join(json.dumps(r) for r in rows[:9]) + "\n")
        report = catalog.ingest_file(feed, delete_missing=True, max_delete_share=0.2)
        assert report.deleted == 1 and catalog.count() == 9  # within the share
        write(feed, "\n".join(json.dumps(r) for r in rows[:2]) + "\n")
        report = catalog.ingest_file(feed, delete_missing=True, force=True)
        assert report.deleted == 7 and catalog.count() == 2
    finally:
        catalog.close()


def test_the_demo_never_replaces_a_merchant_catalog(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", demo_catalog_size=30)
    catalog = open_catalog(settings)
    catalog.ingest_file(CATALOGS / "home_outdoor" / "shopify.csv")
    catalog.close()
    catalog = ensure_demo_catalog(settings, progress=False)
    try:
        assert is_merchant_catalog(settings, catalog.index)
        assert catalog.count() == 27 and catalog.get_product("ridgeline-dome-tent")
    finally:
        catalog.close()


@pytest.fixture(scope="module")
def electronics(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    catalog = open_catalog(settings_for(tmp_path_factory.mktemp("electronics")))
    catalog.ingest_file(CATALOGS / "electronics" / "shopify.csv")
    yield catalog
    catalog.close()


def test_options_are_filterable_and_named(electronics: Any) -> None:
    assert {"switch type", "ram", "storage", "screen size"} <= set(electronics.option_names())
    res = electronics.search("keyboard", {"options": {"Switch Type": "clicky"}})
    assert [p.id for p in res.products] == ["kestrel-k87-mechanical-keyboard"]
    res = electronics.search("laptop", {"options": {"ram": ["64GB", "8GB"]}})
    assert {p.id for p in res.products} == {"tern-15-creator-laptop", "arcbook-air-13"}
    assert res.filters_applied["options"] == {"ram": ["64GB", "8GB"]}
    # a word only an option value holds is found by search
    assert electronics.search("tenkeyless", page_size=1).products[0].id == (
        "kestrel-k87-mechanical-keyboard"
    )


def test_money_is_exact() -> None:
    assert parse_money("226.11 USD") == (Decimal("226.11"), "USD")
    assert parse_money("1,299.00 USD") == (Decimal("1299.00"), "USD")
    assert parse_money("12,99 EUR") == (Decimal("12.99"), "EUR")
    assert parse_money("1500 JPY") == (Decimal("1500"), "JPY")
    for bad in ("", "ten", "-3 USD", "12.999 USD"):
        with pytest.raises(ValueError):
            parse_money(bad)
    assert sum((quantize("0.10"),) * 3, quantize(0)) == Decimal("0.30")
    assert quantize(19.99) == Decimal("19.99") and format_money("1299", "USD") == "$1,299.00"


def test_the_search_tool_schema_names_the_catalogs_options(electronics: Any) -> None:
    from shopagent.tools._registry import ToolRegistry
    from shopagent.tools.catalog import CATALOG_TOOLS

    registry = ToolRegistry(CATALOG_TOOLS)
    (schema,) = registry.openai_schemas(["catalog_search"], catalog=electronics)
    described = schema["function"]["parameters"]["properties"]["options"]["description"]
    assert "This catalog's options:" in described and "screen size" in described
    (generic,) = registry.openai_schemas(["catalog_search"])
    assert (
        "This catalog's"
        not in generic["function"]["parameters"]["properties"]["options"]["description"]
    )


def test_an_index_from_before_option_names_were_indexed_still_names_them(
    tmp_path: Path,
) -> None:
    # an older version's index: the products carry their option names, the shard has no
    # payload index over them (facets cannot count them); reopened, it counts them again
    import qdrant_edge as qe

    from shopagent.retrieval.index import OPTION_KEYS

    settings = settings_for(tmp_path)
    catalog = open_catalog(settings)
    catalog.ingest_file(CATALOGS / "electronics" / "shopify.csv")
    shard = catalog.index.shard  # type: ignore[attr-defined]  # the embedded engine's
    shard.update(qe.UpdateOperation.delete_field_index(OPTION_KEYS))
    catalog.close()
    catalog = open_catalog(settings)
    try:
        assert {"switch type", "ram"} <= set(catalog.option_names())
    finally:
        catalog.close()
