"""Feeds in, products out: three formats, bad rows, re-ingest, delete, broken images."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from shopagent.errors import IngestError
from shopagent.retrieval import _render, open_catalog
from shopagent.retrieval.ingest import read_feed

GMC = (
    "id\ttitle\tdescription\tlink\timage_link\tprice\tavailability\tbrand\tcolor\tsize\tgender"
    "\tproduct_type\tgoogle_product_category\titem_group_id\n"
    "TS-1-S\tTrail Runner Tee\tLight <b>tee</b> for runs\thttps://shop.example/t1\t\t19.99 USD"
    "\tin stock\tRunwell\tred\tS\tmale\tApparel > T-Shirts\t212\tTS-1\n"
    "TS-1-M\tTrail Runner Tee\tLight tee for runs\thttps://shop.example/t1\t\t19.99 USD"
    "\tout of stock\tRunwell\tred\tM\tmale\tApparel > T-Shirts\t212\tTS-1\n"
    "TS-1-L\tTrail Runner Tee\tLight tee\thttps://shop.example/t1\t\tnineteen"
    "\tin stock\tRunwell\tred\tL\tmale\tApparel > T-Shirts\t212\tTS-1\n"
    "MUG-9\tEnamel Camp Mug\tSteel mug\thttps://shop.example/m9\t\t12.50 USD\tin stock"
    "\tCampco\tgreen\t\tunisex\tKitchen > Mugs\t\t\n"
    "BAD-1\tBroken\tonly three columns\n"
)

SHOPIFY = (
    "Handle,Title,Body (HTML),Vendor,Type,Tags,Option1 Name,Option1 Value,Option2 Name,"
    "Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Price,Variant Inventory Qty,"
    "Image Src\n"
    'linen-shirt,Linen Shirt,"<p>Breezy <em>linen</em> shirt.</p><script>x()</script>",Harbor,'
    'Shirts,"summer, linen",Size,S,Color,Blue,,,LS-S-B,39.00,5,https://cdn.example/ls.png\n'
    "linen-shirt,,,,,,,M,,Blue,,,LS-M-B,39.00,0,\n"
    "linen-shirt,,,,,,,L,,White,,,LS-L-W,42.00,3,\n"
    "linen-shirt,,,,,,,,,,,,,,,https://cdn.example/ls-back.png\n"
    "canvas-tote,Canvas Tote,Sturdy tote,Harbor,Bags,,Title,Default Title,,,,,CT-1,abc,4,\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_gmc_feed_groups_variants_and_reports_bad_rows(tmp_path):
    items = list(read_feed(write(tmp_path / "feed.tsv", GMC)))
    products = {i.product.id: i.product for i in items if i.product}
    issues = [i.issue for i in items if i.issue]
    tee = products["TS-1"]
    assert [v.options["size"] for v in tee.variants] == ["S", "M"]
    assert tee.price == Decimal("19.99") and tee.currency == "USD" and tee.brand == "Runwell"
    assert tee.attributes["audience"] == "men" and tee.attributes["color"] == "red"
    assert tee.description == "Light tee for runs" and tee.available
    assert [v.available for v in tee.variants] == [True, False]
    assert products["MUG-9"].category == "Kitchen > Mugs"
    assert {(i.line, "price" in i.reason or "columns" in i.reason) for i in issues} == {
        (4, True),
        (6, True),
    }


def test_shopify_export_groups_by_handle(tmp_path):
    items = list(read_feed(write(tmp_path / "products_export.csv", SHOPIFY)))
    products = {i.product.id: i.product for i in items if i.product}
    shirt = products["linen-shirt"]
    assert shirt.title == "Linen Shirt" and shirt.brand == "Harbor" and shirt.category == "Shirts"
    assert shirt.description == "Breezy linen shirt."  # HTML and scripts dropped
    assert [v.options for v in shirt.variants] == [
        {"size": "S", "color": "Blue"},
        {"size": "M", "color": "Blue"},
        {"size": "L", "color": "White"},
    ]
    assert [v.available for v in shirt.variants] == [True, False, True]
    assert shirt.images == ["https://cdn.example/ls.png", "https://cdn.example/ls-back.png"]
    assert shirt.attributes["tags"] == ["summer", "linen"]
    issue = next(i.issue for i in items if i.issue)
    assert issue.line == 6 and "price" in issue.reason
    assert "canvas-tote" not in products


def test_unknown_format_and_missing_file_are_ingest_errors(tmp_path):
    with pytest.raises(IngestError) as err:
        list(read_feed(tmp_path / "nope.jsonl"))
    assert err.value.code == "file_not_found"
    with pytest.raises(IngestError):
        list(read_feed(write(tmp_path / "a.csv", "id\n"), "xml"))


def _jsonl(products: list[dict]) -> str:
    return "\n".join(json.dumps(p) for p in products) + "\n"


def _p(pid: str, title: str, price: float, **kw: object) -> dict:
    return {
        "id": pid,
        "title": title,
        "price": price,
        "category": "Home Decor > Lamps",
        "brand": "Lumo",
        "attributes": {"color": "yellow"},
        **kw,
    }


def test_ingest_upserts_by_id_reports_lines_and_deletes_missing(settings, tmp_path):
    feed = tmp_path / "feed.jsonl"
    rows = [
        _p("L1", "Brass Desk Lamp", 49.0),
        _p("L2", "Paper Floor Lamp", 89.0),
        _p("L3", "Rattan Pendant Lamp ZX-9", 120.0),
    ]
    write(
        feed,
        _jsonl(rows[:2])
        + "{not json\n"
        + json.dumps({"id": "X", "price": -1})
        + "\n"
        + _jsonl(rows[2:]),
    )
    catalog = open_catalog(settings)
    try:
        report = catalog.ingest_file(feed)
        assert report.ingested == 3 and report.skipped == 2
        assert [i.line for i in report.issues] == [3, 4]
        assert "invalid JSON" in report.issues[0].reason and "title" in report.issues[1].reason
        assert catalog.count() == 3
        # the model number is found by keyword
        assert catalog.search("ZX-9", page_size=1).hits[0].product.id == "L3"

        rows[0]["price"] = 39.0
        write(feed, _jsonl(rows))
        again = catalog.ingest_file(feed)
        assert again.ingested == 3 and catalog.count() == 3
        assert catalog.get_product("L1").price == Decimal("39.00")

        write(feed, _jsonl(rows[1:]))
        pruned = catalog.ingest_file(feed, delete_missing=True, force=True)
        assert pruned.deleted == 1 and catalog.get_product("L1") is None
        # a feed where every row is broken never empties the catalog
        write(feed, "{broken\n")
        assert catalog.ingest_file(feed, delete_missing=True).deleted == 0
        assert catalog.count() == 2
        assert catalog.delete(["L2", "unknown"]) == 1 and catalog.count() == 1
    finally:
        catalog.close()


def test_unreadable_image_keeps_product_searchable_by_text(settings, tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "good.png").write_bytes(_render.render("lamp", (240, 200, 40), "x"))
    (tmp_path / "img" / "broken.png").write_bytes(b"this is not a png")
    rows = [
        _p("G1", "Sunny Table Lamp", 30.0, images=["img/good.png"]),
        _p("B1", "Cloudy Table Lamp", 31.0, images=["img/broken.png"]),
        _p("E1", "Sneaky Table Lamp", 32.0, images=["../../../etc/hostname"]),
        _p("F1", "Ftp Table Lamp", 33.0, images=["file:///etc/hostname"]),
    ]
    feed = write(tmp_path / "feed.jsonl", _jsonl(rows))
    catalog = open_catalog(settings)
    try:
        report = catalog.ingest_file(feed)
        # file:// is refused while reading the feed; the path out of the folder on fetch
        assert report.ingested == 4 and report.images_failed == 2 and report.skipped == 0
        assert {i.product_id for i in report.issues} == {"B1", "E1", "F1"}
        assert all(i.line and not i.skipped for i in report.issues)
        # refused references are neither stored nor served; an unreadable file is kept
        assert catalog.get_product("F1").image_url is None
        assert catalog.get_product("E1").image_url is None
        assert catalog.get_product("B1").image_url == "img/broken.png"
        assert catalog.search("cloudy lamp", page_size=1).hits[0].product.id == "B1"
        # "more like this" for a product without a picture falls back to its text
        assert catalog.visual_search(product_id="B1", limit=3).hits
        png = (tmp_path / "img" / "good.png").read_bytes()
        assert catalog.visual_search(image_bytes=png, limit=1).hits[0].product.id == "G1"
    finally:
        catalog.close()


def test_own_csv_with_variant_groups(settings, tmp_path):
    feed = write(
        tmp_path / "feed.csv",
        (
            "id,group_id,title,description,category,brand,price,currency,color,size,material,"
            "available\n"
            "D1-S,D1,Wrap Dress,Soft,Apparel > Dresses,Nordvale,45,EUR,red,S,linen,true\n"
            "D1-M,D1,Wrap Dress,Soft,Apparel > Dresses,Nordvale,45,EUR,red,M,linen,false\n"
            "D2,,Slip Dress,Silky,Apparel > Dresses,Solenne,80,EUR,black,M,silk,true\n"
        ),
    )
    catalog = open_catalog(settings)
    try:
        report = catalog.ingest_file(feed)
        assert report.ingested == 2 and not report.issues
        d1 = catalog.get_product("D1")
        assert d1.currency == "EUR" and d1.option_values("size") == ["S", "M"]
        res = catalog.search("dress", {"size": "S", "material": "linen"})
        assert [h.product.id for h in res.hits] == ["D1"]
        # D1's M is sold out: a size filter means a size that can be bought
        assert catalog.search("dress", {"size": "M"}).hits[0].product.id == "D2"
        assert [h.product.id for h in catalog.search("dress", {"size": "M"}).hits] == ["D2"]
    finally:
        catalog.close()
