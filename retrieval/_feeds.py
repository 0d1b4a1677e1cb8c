"""Merchant Center and Shopify exports, column by column.

Merchant Center (tab-separated product data): one row per variant, joined by
``item_group_id``. A variant's options are the attributes whose values differ between the
rows of its group: ``color``, ``size``, ``material``, ``pattern``, ``age_group``,
``gender`` and ``product_detail`` entries ("section:attribute:value"); values every row
shares describe the product. ``price`` with ``sale_price`` gives the price paid and the
price before the sale; ``availability`` is one of in_stock, out_of_stock, preorder,
backorder. Every other column is kept in the product's or the variant's attributes.

Shopify (products export CSV): rows keyed by ``Handle``; ``Option1..3 Name`` as the
merchant wrote them, ``Variant Price`` (paid) and ``Variant Compare At Price`` (before a
sale), ``Variant Inventory Qty``/``Policy`` (0 with ``continue`` sells as backorder),
``Image Src``/``Variant Image``, metafield columns ("Color (product.metafields...)").
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from shopagent.retrieval.ingest import (
    Group,
    IngestIssue,
    Parsed,
    availability_of,
    clean_images,
    finish,
    grouped,
    lowest,
    parse_price,
    rows,
    strip_html,
    variant_rows,
)
from shopagent.retrieval.schema import Product, Variant, option_key

_GENDER = {"female": "women", "male": "men", "unisex": "unisex"}
_KIDS = {"kids", "toddler", "infant", "newborn"}
# Merchant Center columns read into fields (the rest go to attributes as named).
_GMC_FIELDS = {
    "id",
    "item_group_id",
    "title",
    "description",
    "link",
    "image_link",
    "additional_image_link",
    "price",
    "sale_price",
    "availability",
    "brand",
    "product_type",
    "product_detail",
}
_GMC_OPTION_COLUMNS = ("color", "size", "material", "pattern", "age_group", "gender")
# Per-variant identifiers: never options, kept on the variant.
_GMC_VARIANT_ONLY = {"gtin", "mpn", "mobile_link", "sale_price_effective_date"}


def _details(raw: str) -> list[tuple[str, str, str]]:
    """product_detail "section:attribute:value[,section:attribute:value...]" entries."""
    out = []
    for part in re.split(r",(?=[^,:]*:[^,:]*:)", raw or ""):
        bits = [b.strip() for b in part.split(":", 2)]
        if len(bits) == 3 and bits[1] and bits[2]:
            out.append((bits[0], bits[1], bits[2]))
    return out


def _title_stem(titles: list[str]) -> str:
    """The product title shared by variant titles ("Kestrel K87 - clicky, RGB" ->
    "Kestrel K87"): their common prefix, cut at a word, without trailing separators."""
    if len(set(titles)) == 1:
        return titles[0]
    stem = os.path.commonprefix(titles)
    if stem and not all(len(t) == len(stem) or not t[len(stem)].isalnum() for t in titles):
        stem = stem[: max(stem.rfind(" "), 0)]
    stem = stem.rstrip(" -–—,:(/|")
    return stem if len(stem) >= 3 else titles[0]


def read_gmc(f: Iterable[str]) -> Iterator[Parsed]:
    """Google Merchant Center product data (tab-separated)."""

    def build(group: Group, issues: list[IngestIssue]) -> Product:
        first = group.rows[0][1]
        gid = first.get("item_group_id") or first["id"]
        # Which attributes tell this group's rows apart: those are the variant options.
        per_row: list[dict[str, str]] = []
        labels: dict[str, str] = {}
        for _, r in group.rows:
            values = {c: r[c] for c in _GMC_OPTION_COLUMNS if r.get(c)}
            for _section, name, value in _details(r.get("product_detail", "")):
                labels.setdefault(option_key(name), name)
                values[option_key(name)] = value
            per_row.append(values)
        keys = list(dict.fromkeys(k for v in per_row for k in v))
        varying = [k for k in keys if len({v.get(k) for v in per_row}) > 1]
        shared = {k: per_row[0][k] for k in keys if k not in varying and k in per_row[0]}
        extra_keys = [c for c in first if c not in _GMC_FIELDS and c not in _GMC_OPTION_COLUMNS]
        extra_varying = {
            c
            for c in extra_keys
            if c in _GMC_VARIANT_ONLY or len({r.get(c) for _, r in group.rows}) > 1
        }

        def make(line: int, r: dict[str, str]) -> Variant:
            vid = r.get("id") or f"{gid}-{line}"
            price, currency = parse_price(r.get("price", ""))
            sale = r.get("sale_price")
            paid, before = price, None
            if sale:
                sale_price, sale_currency = parse_price(sale, currency)
                if sale_currency != currency:
                    raise ValueError(f"sale_price in {sale_currency}, price in {currency}")
                if sale_price < price:
                    paid, before = sale_price, price
            n = group.rows.index((line, r))
            images = clean_images([r.get("image_link", "")], line, vid, issues)
            attrs = {c: r[c] for c in extra_varying if r.get(c)}
            if r.get("link"):
                attrs["link"] = r["link"]
            return Variant(
                id=vid,
                sku=r.get("mpn") or r.get("id") or None,
                title=r.get("title") or None,
                options={k: per_row[n][k] for k in varying if k in per_row[n]},
                price=paid,
                compare_at_price=before,
                availability=availability_of(r.get("availability"), line, vid, issues),
                image=images[0] if images else None,
                attributes={**attrs, "currency": currency},
            )

        variants = variant_rows(group, issues, make)
        currencies = {v.attributes.pop("currency") for v in variants}
        if len(currencies) > 1:
            raise ValueError(f"the variants of {gid} are priced in {sorted(currencies)}")
        titles = [v.title for v in variants if v.title]
        title = _title_stem(titles) if titles else first.get("title", "")
        for v in variants:
            if v.title == title:
                v.title = None
        audience = _GENDER.get((shared.get("gender") or "").lower())
        if (shared.get("age_group") or "").lower() in _KIDS:
            audience = "kids"
        attrs: dict[str, Any] = {k: v for k, v in shared.items()}
        if audience:
            attrs["audience"] = audience
        for c in extra_keys:
            if c not in extra_varying and first.get(c):
                attrs[c] = first[c]
        image_refs = [r.get("image_link", "") for _, r in group.rows]
        image_refs += [
            u for _, r in group.rows for u in (r.get("additional_image_link") or "").split(",")
        ]
        descriptions = {r.get("description", "") for _, r in group.rows}
        if len(descriptions) > 1:  # variants that say different things keep their words
            for v, (_, r) in zip(variants, group.rows, strict=False):
                v.attributes["description"] = strip_html(r.get("description", ""))
        category = first.get("product_type") or first.get("google_product_category") or ""
        return Product(
            id=gid,
            title=title,
            description=strip_html(first.get("description", "")),
            category=category.split(",")[0].strip(),
            brand=first.get("brand") or None,
            price=lowest(variants),
            currency=currencies.pop(),
            variants=variants,
            option_names={k: labels.get(k, k) for k in varying},
            images=clean_images(image_refs, group.line, gid, []),
            url=(first.get("link") or "").split("?")[0] or None,
            attributes=attrs,
        )

    for item in grouped(rows(f, "\t"), "item_group_id", "id", "id"):
        yield from (finish(item, build) if isinstance(item, Group) else [item])


# --- Shopify ----------------------------------------------------------------------------
_SHOPIFY_PRODUCT = {
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Product Category",
    "Type",
    "Tags",
    "Published",
    "Status",
    "Image Src",
    "Image Position",
    "Image Alt Text",
    "Option1 Name",
    "Option2 Name",
    "Option3 Name",
}
_SHOPIFY_VARIANT = {
    "Option1 Value",
    "Option2 Value",
    "Option3 Value",
    "Variant SKU",
    "Variant Price",
    "Variant Compare At Price",
    "Variant Inventory Qty",
    "Variant Inventory Policy",
    "Variant Inventory Tracker",
    "Variant Image",
}
_METAFIELD = re.compile(r"^(.*?)\s*\((?:product|variant)\.metafields\.[^)]*\)$")


def _is_variant_row(r: dict[str, str]) -> bool:
    return bool(r.get("Variant Price") or r.get("Option1 Value") or r.get("Variant SKU"))


def read_shopify(f: Iterable[str]) -> Iterator[Parsed]:
    """Shopify products export: one row per variant, extra rows per image, keyed by Handle."""

    def build(group: Group, issues: list[IngestIssue]) -> Product:
        first = group.rows[0][1]
        handle = first["Handle"]
        status = (first.get("Status") or "active").lower()
        if status != "active" or (first.get("Published") or "true").lower() == "false":
            raise ValueError(f"{handle} is not published (Status {status}); not imported")
        names = {i: (first.get(f"Option{i} Name") or "").strip() for i in (1, 2, 3)}
        keys = {i: option_key(n) for i, n in names.items() if n and n.lower() != "title"}
        vrows = [(ln, r) for ln, r in group.rows if _is_variant_row(r)]
        if not vrows:
            raise ValueError("no variant rows (Variant Price missing)")
        other = [
            c
            for c in first
            if c not in _SHOPIFY_PRODUCT and c not in _SHOPIFY_VARIANT and not _METAFIELD.match(c)
        ]

        def make(line: int, r: dict[str, str]) -> Variant:
            n = vrows.index((line, r)) + 1
            vid = r.get("Variant SKU") or f"{handle}-{n}"
            price, _ = parse_price(r.get("Variant Price", ""))
            before = None
            if r.get("Variant Compare At Price"):
                before, _ = parse_price(r["Variant Compare At Price"])
                before = before if before > price else None
            raw_qty = r.get("Variant Inventory Qty", "")
            qty = int(float(raw_qty)) if raw_qty else None
            policy = (r.get("Variant Inventory Policy") or "deny").lower()
            tracked = bool(r.get("Variant Inventory Tracker")) or qty is not None
            if not tracked or (qty is not None and qty > 0):
                state = "in_stock"
            else:  # Shopify sells at 0 when the policy is "continue"
                state = "backorder" if policy == "continue" else "out_of_stock"
            options = {keys[i]: r[f"Option{i} Value"] for i in keys if r.get(f"Option{i} Value")}
            images = clean_images([r.get("Variant Image", "")], line, vid, issues)
            return Variant(
                id=vid,
                sku=r.get("Variant SKU") or None,
                title=" / ".join(options.values()) or None,
                options=options,
                price=price,
                compare_at_price=before,
                availability=availability_of(state, line, vid, issues),
                quantity=qty,
                image=images[0] if images else None,
                attributes={c: r[c] for c in other if r.get(c)},
            )

        variants = variant_rows(Group(group.line, vrows), issues, make)
        attrs: dict[str, Any] = {}
        tags = [t.strip() for t in (first.get("Tags") or "").split(",") if t.strip()]
        if tags:
            attrs["tags"] = tags
        for c, value in first.items():
            m = _METAFIELD.match(c)
            if m and value:
                vals = [v.strip() for v in value.split(",") if v.strip()]
                attrs.setdefault(option_key(m.group(1)), vals[0] if len(vals) == 1 else vals)
        if first.get("Product Category"):
            attrs["product_category"] = first["Product Category"]
        images = clean_images(
            [r.get("Image Src", "") for _, r in group.rows], group.line, handle, issues
        )
        return Product(
            id=handle,
            title=first.get("Title", ""),
            description=strip_html(first.get("Body (HTML)", "")),
            category=first.get("Type") or first.get("Product Category") or "",
            brand=first.get("Vendor") or None,
            price=lowest(variants),
            variants=variants,
            images=images,
            option_names={keys[i]: names[i] for i in keys},
            attributes=attrs,
        )

    for item in grouped(rows(f, ","), "Handle", "Handle"):
        yield from (finish(item, build) if isinstance(item, Group) else [item])
