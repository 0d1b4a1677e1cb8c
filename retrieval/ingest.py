"""Feed readers: the project's JSONL/CSV, Google Merchant Center TSV, Shopify CSV export.

Each reader yields :class:`Parsed` items: a product with the line it started on, or an
:class:`IngestIssue` (line number and reason) for a row that could not be read. A bad row
never stops the rest of the feed. Rows that are variants of one product (GMC
``item_group_id``, Shopify ``Handle``, our CSV ``group_id``) are grouped into one product.
"""

from __future__ import annotations

import csv
import html
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from retrieval.schema import Product, Variant
from shopagent.errors import IngestError

Format = Literal["auto", "jsonl", "csv", "gmc", "shopify"]
FORMATS = ("auto", "jsonl", "csv", "gmc", "shopify")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long HTML bodies in Shopify exports


@dataclass
class IngestIssue:
    line: int
    reason: str
    product_id: str | None = None

    def __str__(self) -> str:
        pid = f" ({self.product_id})" if self.product_id else ""
        return f"line {self.line}{pid}: {self.reason}"


@dataclass
class Parsed:
    line: int
    product: Product | None = None
    issue: IngestIssue | None = None


def _validation_reason(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}"
                     for e in exc.errors())


_PRICE = re.compile(r"^\s*([0-9]+(?:[.,][0-9]{1,2})?)\s*([A-Za-z]{3})?\s*$")


def parse_price(text: str, default_currency: str = "USD") -> tuple[float, str]:
    """'12.99 USD' -> (12.99, 'USD'); '12,99' -> (12.99, default). ValueError otherwise."""
    m = _PRICE.match(text or "")
    if not m:
        raise ValueError(f"bad price {text!r}")
    return float(m.group(1).replace(",", ".")), (m.group(2) or default_currency).upper()


_TAG = re.compile(r"<[^>]+>")


def strip_html(text: str) -> str:
    """Product HTML is data, shown to models as text: drop tags, keep words."""
    no_tags = _TAG.sub(" ", re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text or ""))
    return " ".join(html.unescape(no_tags).split())


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    with path.open(encoding="utf-8-sig", errors="replace") as f:
        header = f.readline()
    if "\t" in header and ("image_link" in header or "item_group_id" in header
                           or "availability" in header):
        return "gmc"
    if header.startswith("Handle") or "Body (HTML)" in header:
        return "shopify"
    if suffix == ".tsv":
        return "gmc"
    return "csv"


def read_feed(path: Path, fmt: str = "auto") -> Iterator[Parsed]:
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"no such file: {path}", code="file_not_found")
    if fmt not in FORMATS:
        raise IngestError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}",
                          code="bad_format")
    fmt = detect_format(path) if fmt == "auto" else fmt
    readers = {"jsonl": read_jsonl, "csv": read_csv, "gmc": read_gmc, "shopify": read_shopify}
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            yield from readers[fmt](f)
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path} is not UTF-8 text: {exc}", code="bad_encoding") from exc


def read_jsonl(lines: Iterable[str]) -> Iterator[Parsed]:
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("a line must be a JSON object")
            yield Parsed(n, product=Product.model_validate(data))
        except json.JSONDecodeError as exc:
            yield Parsed(n, issue=IngestIssue(n, f"invalid JSON: {exc.msg}"))
        except ValidationError as exc:
            pid = data.get("id") if isinstance(data, dict) else None
            yield Parsed(n, issue=IngestIssue(n, _validation_reason(exc), pid))
        except ValueError as exc:
            yield Parsed(n, issue=IngestIssue(n, str(exc)))


def _rows(f: Iterable[str], delimiter: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows with the line each starts on (quoted fields may span lines)."""
    reader = csv.reader(f, delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    prev = reader.line_num
    for row in reader:
        start, prev = prev + 1, reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            yield start, {"__error__": f"expected {len(header)} columns, got {len(row)}"}
            continue
        yield start, {h: (c or "").strip() for h, c in zip(header, row, strict=True)}


@dataclass
class _Group:
    line: int
    rows: list[tuple[int, dict[str, str]]]


def _grouped(rows: Iterable[tuple[int, dict[str, str]]], key: str,
             fallback: str) -> Iterator[_Group | Parsed]:
    """Group rows by ``key`` (falling back to ``fallback``); keeps first-seen order."""
    groups: dict[str, _Group] = {}
    for line, row in rows:
        if "__error__" in row:
            yield Parsed(line, issue=IngestIssue(line, row["__error__"]))
            continue
        gid = row.get(key) or row.get(fallback) or ""
        if not gid:
            yield Parsed(line, issue=IngestIssue(line, f"missing {fallback}"))
            continue
        groups.setdefault(gid, _Group(line, [])).rows.append((line, row))
    yield from groups.values()


_AVAILABLE = {"in stock", "in_stock", "instock", "true", "1", "yes", "available", "preorder",
              "backorder", "pre-order"}
_GENDER = {"female": "women", "male": "men", "unisex": "unisex", "women": "women",
           "men": "men", "kids": "kids"}
_OWN_ATTRS = ("color", "size", "material", "style", "audience", "pattern")


def _finish(group: _Group, build: Any) -> Iterator[Parsed]:
    issues: list[IngestIssue] = []
    try:
        product = build(group, issues)
    except ValidationError as exc:
        issues.append(IngestIssue(group.line, _validation_reason(exc)))
        product = None
    except (ValueError, KeyError) as exc:
        issues.append(IngestIssue(group.line, str(exc).strip("'\"")))
        product = None
    for issue in issues:
        yield Parsed(issue.line, issue=issue)
    if product is not None:
        yield Parsed(group.line, product=product)


def _variants_and_price(group: _Group, issues: list[IngestIssue], *, gid: str, vid: str,
                        price_of: Any, options_of: Any, available_of: Any,
                        qty_of: Any = None) -> tuple[list[Variant], float, str]:
    variants: list[Variant] = []
    currency = "USD"
    for line, row in group.rows:
        try:
            price, currency = price_of(row)
            variants.append(Variant(id=row.get(vid) or f"{gid}-{line}",
                                    options=options_of(row), price=price,
                                    available=available_of(row),
                                    quantity=qty_of(row) if qty_of else None))
        except (ValueError, ValidationError) as exc:
            reason = (_validation_reason(exc) if isinstance(exc, ValidationError) else str(exc))
            issues.append(IngestIssue(line, reason, row.get(vid)))
    if not variants:
        raise ValueError("no valid variant rows")
    return variants, min(v.price or 0.0 for v in variants), currency


def _common_attrs(variants: list[Variant], extra: dict[str, Any]) -> dict[str, Any]:
    attrs = {k: v for k, v in extra.items() if v}
    for key in ("color", "size", "material"):
        vals = list(dict.fromkeys(v.options[key] for v in variants if v.options.get(key)))
        if len(vals) == 1:
            attrs.setdefault(key, vals[0])
        elif vals:
            attrs.setdefault(key, vals)
    return attrs


def read_csv(f: Iterable[str]) -> Iterator[Parsed]:
    """Our CSV: id,title,description,category,brand,price,currency,image_url,available,
    color,size,material,style,audience[,group_id]. Rows sharing group_id are variants."""

    def build(group: _Group, issues: list[IngestIssue]) -> Product:
        first = group.rows[0][1]
        gid = first.get("group_id") or first["id"]

        def price_of(r: dict[str, str]) -> tuple[float, str]:
            price, cur = parse_price(r.get("price", ""), r.get("currency") or "USD")
            return price, (r.get("currency") or cur).upper()

        variants, price, currency = _variants_and_price(
            group, issues, gid=gid, vid="id", price_of=price_of,
            options_of=lambda r: {k: r[k] for k in ("color", "size") if r.get(k)},
            available_of=lambda r: (r.get("available") or "true").lower() in _AVAILABLE)
        extra = {k: first.get(k) for k in _OWN_ATTRS if k not in ("color", "size")}
        images = [u for u in (first.get("image_url") or "").split("|") if u]
        return Product(id=gid, title=first.get("title", ""),
                       description=first.get("description", ""),
                       category=first.get("category", ""), brand=first.get("brand") or None,
                       price=price, currency=currency, variants=variants, images=images,
                       attributes=_common_attrs(variants, extra))

    for item in _grouped(_rows(f, ","), "group_id", "id"):
        yield from (_finish(item, build) if isinstance(item, _Group) else [item])


def read_gmc(f: Iterable[str]) -> Iterator[Parsed]:
    """Google Merchant Center product data (tab-separated)."""

    def build(group: _Group, issues: list[IngestIssue]) -> Product:
        first = group.rows[0][1]
        gid = first.get("item_group_id") or first["id"]

        def options(r: dict[str, str]) -> dict[str, str]:
            return {k: r[k] for k in ("color", "size", "material", "pattern") if r.get(k)}

        variants, price, currency = _variants_and_price(
            group, issues, gid=gid, vid="id",
            price_of=lambda r: parse_price(r.get("sale_price") or r.get("price", "")),
            options_of=options,
            available_of=lambda r: (r.get("availability") or "in stock").lower() in _AVAILABLE)
        audience = _GENDER.get((first.get("gender") or "").lower())
        if (first.get("age_group") or "").lower() in ("kids", "toddler", "infant", "newborn"):
            audience = "kids"
        images = [u for u in [first.get("image_link", "")] +
                  (first.get("additional_image_link") or "").split(",") if u.strip()]
        category = first.get("product_type") or first.get("google_product_category") or ""
        return Product(id=gid, title=first.get("title", ""),
                       description=strip_html(first.get("description", "")),
                       category=category.split(",")[0].strip(),
                       brand=first.get("brand") or None, price=price, currency=currency,
                       variants=variants, images=[u.strip() for u in images],
                       url=first.get("link") or None,
                       attributes=_common_attrs(variants, {"audience": audience}))

    for item in _grouped(_rows(f, "\t"), "item_group_id", "id"):
        yield from (_finish(item, build) if isinstance(item, _Group) else [item])


def read_shopify(f: Iterable[str]) -> Iterator[Parsed]:
    """Shopify products export: one row per variant, extra rows per image, keyed by Handle."""

    def build(group: _Group, issues: list[IngestIssue]) -> Product:
        first = group.rows[0][1]
        names = {i: (first.get(f"Option{i} Name") or "").strip().lower() for i in (1, 2, 3)}
        images = list(dict.fromkeys(r["Image Src"] for _, r in group.rows if r.get("Image Src")))
        # image-only rows carry no variant data
        vrows = [(ln, r) for ln, r in group.rows
                 if r.get("Variant Price") or r.get("Option1 Value") or r.get("Variant SKU")]
        if not vrows:
            raise ValueError("no variant rows (Variant Price missing)")

        def options(r: dict[str, str]) -> dict[str, str]:
            return {names[i]: r[f"Option{i} Value"] for i in (1, 2, 3)
                    if names[i] and names[i] != "title" and r.get(f"Option{i} Value")}

        def qty(r: dict[str, str]) -> int | None:
            raw = r.get("Variant Inventory Qty", "")
            return int(float(raw)) if raw else None

        def available(r: dict[str, str]) -> bool:
            q = qty(r)
            return q is None or q > 0

        variants, price, currency = _variants_and_price(
            _Group(group.line, vrows), issues, gid=first["Handle"], vid="Variant SKU",
            price_of=lambda r: parse_price(r.get("Variant Price", "")),
            options_of=options, available_of=available, qty_of=qty)
        tags = [t.strip() for t in (first.get("Tags") or "").split(",") if t.strip()]
        attrs: dict[str, Any] = {"tags": tags} if tags else {}
        return Product(id=first["Handle"], title=first.get("Title", ""),
                       description=strip_html(first.get("Body (HTML)", "")),
                       category=first.get("Type") or first.get("Product Category") or "",
                       brand=first.get("Vendor") or None, price=price, currency=currency,
                       variants=variants, images=images, attributes=_common_attrs(variants,
                                                                                  attrs))

    for item in _grouped(_rows(f, ","), "Handle", "Handle"):
        yield from (_finish(item, build) if isinstance(item, _Group) else [item])
