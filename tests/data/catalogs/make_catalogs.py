"""Writes the hand-made merchant fixture catalogs in two public export formats.

Each store in ``_stores.py`` is written as a Google Merchant Center product feed
(``merchant_center.tsv``: one row per variant, variants joined by ``item_group_id``,
variant options in ``color``/``size``/``material``/``pattern`` and ``product_detail``
"section:attribute:value" entries) and as a Shopify products export (``shopify.csv``:
``Handle``, ``Option1..3 Name/Value``, ``Variant *`` columns, one row per variant).
Both describe the same variants at the same prices, so a test can compare them.

Run from the repository root: ``python tests/data/catalogs/make_catalogs.py``.
The files are checked in; rerun only after editing ``_stores.py``.
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _stores import STORES, Product  # noqa: E402

CENT = Decimal("0.01")
GMC_OPTION_COLUMNS = {"color": "color", "colour": "color", "size": "size",
                      "material": "material", "pattern": "pattern"}

GMC_HEADER = [
    "id", "item_group_id", "title", "description", "link", "image_link",
    "additional_image_link", "price", "sale_price", "availability", "brand", "gtin", "mpn",
    "condition", "product_type", "google_product_category", "color", "size", "material",
    "pattern", "gender", "age_group", "product_detail", "shipping_weight", "custom_label_0",
    "custom_label_1",
]
SHOPIFY_HEADER = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags",
    "Published", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
    "Option3 Name", "Option3 Value", "Variant SKU", "Variant Grams",
    "Variant Inventory Tracker", "Variant Inventory Qty", "Variant Inventory Policy",
    "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price",
    "Variant Requires Shipping", "Variant Taxable", "Variant Barcode", "Image Src",
    "Image Position", "Image Alt Text", "Gift Card", "Variant Image", "Variant Weight Unit",
    "Color (product.metafields.shopify.color-pattern)",
    "Material (product.metafields.shopify.material)", "Status",
]


def variants(p: Product) -> list[dict[str, object]]:
    """Every option combination of a product with its SKU, price and stock."""
    names = [n for n, _ in p.options]
    combos = list(itertools.product(*[vals for _, vals in p.options])) or [()]
    out = []
    for i, combo in enumerate(combos):
        opts = dict(zip(names, combo, strict=True))
        price = p.base + sum((Decimal(str(p.deltas.get(v, 0))) for v in combo), Decimal(0))
        sale = ((price * (1 - Decimal(str(p.sale)))).quantize(CENT) if p.sale else None)
        sku = "-".join([p.sku, *(_code(v) for v in combo)]) if combo else p.sku
        state = p.stock.get(i, "in_stock")
        qty = 0 if state in ("out_of_stock", "backorder", "preorder") else 4 + (i * 7) % 23
        out.append({"options": opts, "price": price.quantize(CENT), "sale": sale,
                    "sku": sku, "availability": state, "qty": qty,
                    "gtin": f"{p.gtin_prefix}{i:03d}"})
    return out


def _code(value: str) -> str:
    word = "".join(c for c in value.upper() if c.isalnum())
    return word[:6] or "X"


def _money(d: Decimal, currency: str) -> str:
    return f"{d} {currency}"


def gmc_rows(p: Product, currency: str) -> list[dict[str, str]]:
    rows = []
    for v in variants(p):
        opts: dict[str, str] = v["options"]  # type: ignore[assignment]
        cols = {c: "" for c in ("color", "size", "material", "pattern")}
        details = [f"General:{k}:{val}" for k, val in p.details.items()]
        for name, value in opts.items():
            col = GMC_OPTION_COLUMNS.get(name.casefold())
            if col:
                cols[col] = value
            else:
                details.append(f"Options:{name}:{value}")
        if not cols["color"] and p.color:
            cols["color"] = p.color
        if not cols["material"] and p.material:
            cols["material"] = p.material
        suffix = ", ".join(opts.values())
        rows.append({
            "id": str(v["sku"]),
            "item_group_id": p.handle if p.options else "",
            # Merchant Center asks for the variant's distinguishing values in its title.
            "title": f"{p.title} - {suffix}" if suffix else p.title,
            "description": p.body,
            "link": f"https://{p.store_domain}/products/{p.handle}?variant={v['sku']}",
            "image_link": "", "additional_image_link": "",
            "price": _money(v["price"], currency),  # type: ignore[arg-type]
            "sale_price": _money(v["sale"], currency) if v["sale"] else "",  # type: ignore[arg-type]
            "availability": str(v["availability"]),
            "brand": p.vendor, "gtin": str(v["gtin"]), "mpn": str(v["sku"]),
            "condition": "new", "product_type": p.type, "google_product_category": p.gpc,
            **cols, "gender": p.gender, "age_group": p.age_group,
            "product_detail": ",".join(details),
            "shipping_weight": f"{p.grams} g",
            "custom_label_0": p.label0, "custom_label_1": "sale" if p.sale else "",
        })
        # Products without options are single items: their own id is the group.
        if not p.options:
            rows[-1]["id"] = p.handle
    return rows


def shopify_rows(p: Product) -> list[dict[str, str]]:
    rows = []
    names = [n for n, _ in p.options]
    for i, v in enumerate(variants(p)):
        opts: dict[str, str] = v["options"]  # type: ignore[assignment]
        first = i == 0
        row = {h: "" for h in SHOPIFY_HEADER}
        row.update({"Handle": p.handle, "Variant SKU": str(v["sku"]),
                    "Variant Grams": str(p.grams), "Variant Inventory Tracker": "shopify",
                    "Variant Inventory Qty": str(v["qty"]),
                    # Backorder and preorder sell while the count is 0 ("continue").
                    "Variant Inventory Policy": "deny" if v["availability"] in (
                        "in_stock", "out_of_stock") else "continue",
                    "Variant Fulfillment Service": "manual",
                    "Variant Requires Shipping": "TRUE", "Variant Taxable": "TRUE",
                    "Variant Barcode": str(v["gtin"]), "Variant Weight Unit": "g",
                    "Gift Card": "FALSE" if first else ""})
        if v["sale"]:
            row["Variant Price"] = str(v["sale"])
            row["Variant Compare At Price"] = str(v["price"])
        else:
            row["Variant Price"] = str(v["price"])
        if names:
            for n, name in enumerate(names, start=1):
                row[f"Option{n} Value"] = opts[name]
                if first:
                    row[f"Option{n} Name"] = name
        else:
            row["Option1 Name"], row["Option1 Value"] = "Title", "Default Title"
        if first:
            row.update({"Title": p.title, "Body (HTML)": p.body_html, "Vendor": p.vendor,
                        "Product Category": p.gpc, "Type": p.type.split(" > ")[-1],
                        "Tags": ", ".join(p.tags), "Published": "TRUE", "Status": "active",
                        "Color (product.metafields.shopify.color-pattern)": p.color,
                        "Material (product.metafields.shopify.material)": p.material})
        rows.append(row)
    return rows


def write_store(name: str) -> None:
    store = STORES[name]
    out = HERE / name
    out.mkdir(exist_ok=True)
    with (out / "merchant_center.tsv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, GMC_HEADER, delimiter="\t", lineterminator="\n",
                           quoting=csv.QUOTE_MINIMAL)
        w.writeheader()
        for p in store["products"]:
            w.writerows(gmc_rows(p, store["currency"]))
    with (out / "shopify.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, SHOPIFY_HEADER, lineterminator="\n")
        w.writeheader()
        for p in store["products"]:
            w.writerows(shopify_rows(p))
    with (out / "queries.jsonl").open("w", encoding="utf-8") as f:
        for query, expected in store["queries"]:
            f.write(json.dumps({"query": query, "expected": expected}) + "\n")
    with (out / "variants.jsonl").open("w", encoding="utf-8") as f:
        # The truth a test compares an import with: every sellable variant and its price.
        for p in store["products"]:
            for v in variants(p):
                f.write(json.dumps({
                    "product_id": p.handle, "sku": v["sku"], "options": v["options"],
                    "price": str(v["sale"] or v["price"]),
                    "compare_at": str(v["price"]) if v["sale"] else None,
                    "currency": store["currency"], "availability": v["availability"]},
                    ensure_ascii=False) + "\n")


if __name__ == "__main__":
    for store_name in STORES:
        write_store(store_name)
        print(f"wrote {HERE / store_name}")
