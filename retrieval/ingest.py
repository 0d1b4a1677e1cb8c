"""Feed readers: the project's JSONL/CSV, Google Merchant Center TSV, Shopify CSV export.

Each reader yields :class:`Parsed` items: a product with the line it started on, or an
:class:`IngestIssue` (line number and reason) for a row that could not be read (or that
was read with a warning, ``skipped=False``). A bad row never stops the rest of the feed.
Rows that are variants of one product (GMC ``item_group_id``, Shopify ``Handle``, our CSV
``group_id``) are grouped into one product whose variants keep everything their rows say.
The column-by-column readers for Merchant Center and Shopify live in ``_feeds``.
"""

from __future__ import annotations

import csv
import html
import ipaddress
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import ValidationError

from shopagent.errors import IngestError
from shopagent.money import parse_money
from shopagent.retrieval.schema import AVAILABILITIES, Product, Variant, parse_availability

Format = Literal["auto", "jsonl", "csv", "gmc", "shopify"]
FORMATS = ("auto", "jsonl", "csv", "gmc", "shopify")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long HTML bodies in Shopify exports


@dataclass
class IngestIssue:
    line: int
    reason: str
    product_id: str | None = None
    # False: the row was imported and this is a warning (e.g. a refused image URL).
    skipped: bool = True

    def __str__(self) -> str:
        pid = f" ({self.product_id})" if self.product_id else ""
        return f"line {self.line}{pid}: {self.reason}"


@dataclass
class Parsed:
    line: int
    product: Product | None = None
    issue: IngestIssue | None = None


def _validation_reason(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()
    )


def parse_price(text: str, default_currency: str = "USD") -> tuple[Decimal, str]:
    """'12.99 USD' -> (Decimal('12.99'), 'USD'); '12,99' -> (12.99, default). Exact: no
    float on the way; ValueError for anything that is not a price."""
    return parse_money(text, default_currency)


_TAG = re.compile(r"<[^>]+>")


def strip_html(text: str) -> str:
    """Product HTML is data, shown to models as text: drop tags, keep words."""
    no_tags = _TAG.sub(" ", re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text or ""))
    return " ".join(html.unescape(no_tags).split())


def first_sentence(text: str | None, limit: int = 160) -> str:
    """A description's first sentence, as plain text, at most ``limit`` characters ("" for
    none). A sentence ends at a stop followed by a space ("Bluetooth 5.3" goes on)."""
    plain = strip_html(text or "")
    first = re.split(r"(?<=[.!?])\s", plain, maxsplit=1)[0].strip()
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def refused_image(ref: str) -> str | None:
    """Why an image reference from a feed is refused (None: it may be stored and fetched).

    Only http(s) URLs, /media/ paths and paths inside the feed's folder are allowed; URLs
    naming loopback, private, link-local or other non-public addresses are refused here,
    so they are never stored nor sent to browsers (the fetcher checks resolved names)."""
    ref = ref.strip()
    if not ref:
        return "empty image reference"
    parts = urlsplit(ref)
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return f"image URL scheme {parts.scheme.lower()!r} is not allowed"
    if not parts.scheme:
        return None if not ref.startswith("//") else "image URL without a scheme"
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "image URL without a host"
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return f"image URL host {host!r} is not public"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not ip.is_global or ip.is_multicast:
        return f"image URL address {host} is not public (loopback, private or link-local)"
    return None


def clean_images(
    refs: Iterable[str], line: int, product_id: str | None, issues: list[IngestIssue]
) -> list[str]:
    """The allowed image references, in order, each once; refused ones reported."""
    out: list[str] = []
    for ref in refs:
        ref = (ref or "").strip()
        if not ref or ref in out:
            continue
        why = refused_image(ref)
        if why:
            issues.append(
                IngestIssue(line, f"{why}: {ref[:200]} (image dropped)", product_id, skipped=False)
            )
        else:
            out.append(ref)
    return out


def availability_of(raw: str | None, line: int, vid: str | None, issues: list[IngestIssue]) -> str:
    """A feed's availability word; an unknown one is reported and the row skipped."""
    if not (raw or "").strip():
        return "in_stock"
    found = parse_availability(raw)
    if found is None:
        raise ValueError(f"unknown availability {raw!r}; use one of {', '.join(AVAILABILITIES)}")
    return found


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    with path.open(encoding="utf-8-sig", errors="replace") as f:
        header = f.readline()
    if "\t" in header and (
        "image_link" in header or "item_group_id" in header or "availability" in header
    ):
        return "gmc"
    if header.startswith("Handle") or "Body (HTML)" in header:
        return "shopify"
    if suffix == ".tsv":
        return "gmc"
    return "csv"


def read_feed(path: Path, fmt: str = "auto") -> Iterator[Parsed]:
    from shopagent.retrieval._feeds import read_gmc, read_shopify

    path = Path(path)
    if not path.is_file():
        raise IngestError(f"no such file: {path}", code="file_not_found")
    if fmt not in FORMATS:
        raise IngestError(
            f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", code="bad_format"
        )
    fmt = detect_format(path) if fmt == "auto" else fmt
    readers = {"jsonl": read_jsonl, "csv": read_csv, "gmc": read_gmc, "shopify": read_shopify}
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            yield from unique_ids(readers[fmt](f))
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path} is not UTF-8 text: {exc}", code="bad_encoding") from exc


def unique_ids(items: Iterable[Parsed]) -> Iterator[Parsed]:
    """A product id seen twice in one feed: the later one is reported and skipped (merging
    them silently would sell one product's variants at the other's prices)."""
    first: dict[str, int] = {}
    for item in items:
        p = item.product
        if p is not None:
            if p.id in first:
                yield Parsed(
                    item.line,
                    issue=IngestIssue(
                        item.line,
                        f"duplicate product id {p.id!r} (first on line {first[p.id]})",
                        p.id,
                    ),
                )
                continue
            first[p.id] = item.line
        yield item


# --- JSONL ----------------------------------------------------------------------------
_PRODUCT_FIELDS = set(Product.model_fields)
_VARIANT_FIELDS = set(Variant.model_fields)


def _keep_unknown(data: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """Keys the model has no field for go into ``attributes``: nothing a feed says is lost."""
    extra = {k: v for k, v in data.items() if k not in known}
    if not extra:
        return data
    kept = {k: v for k, v in data.items() if k in known}
    attrs = dict(kept.get("attributes") or {})
    for k, v in extra.items():
        attrs.setdefault(k, v)
    kept["attributes"] = attrs
    return kept


def _jsonl_product(data: dict[str, Any], n: int, issues: list[IngestIssue]) -> Product:
    data = _keep_unknown(data, _PRODUCT_FIELDS)
    variants = []
    for raw in data.get("variants") or []:
        if isinstance(raw, dict):
            raw = _keep_unknown(raw, _VARIANT_FIELDS)
            if isinstance(raw.get("availability"), str):
                raw = {
                    **raw,
                    "availability": availability_of(raw["availability"], n, raw.get("id"), issues),
                }
        variants.append(raw)
    if variants:
        data = {**data, "variants": variants}
    if isinstance(data.get("images"), list):
        data = {
            **data,
            "images": clean_images(
                [str(u) for u in data["images"]], n, str(data.get("id") or "") or None, issues
            ),
        }
    return Product.model_validate(data)


def read_jsonl(lines: Iterable[str]) -> Iterator[Parsed]:
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        issues: list[IngestIssue] = []
        data: Any = None
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("a line must be a JSON object")
            product = _jsonl_product(data, n, issues)
        except json.JSONDecodeError as exc:
            yield Parsed(n, issue=IngestIssue(n, f"invalid JSON: {exc.msg}"))
            continue
        except ValidationError as exc:
            pid = data.get("id") if isinstance(data, dict) else None
            yield Parsed(n, issue=IngestIssue(n, _validation_reason(exc), pid))
            continue
        except ValueError as exc:
            yield Parsed(n, issue=IngestIssue(n, str(exc)))
            continue
        for issue in issues:
            yield Parsed(n, issue=issue)
        yield Parsed(n, product=product)


# --- delimited files: rows and groups --------------------------------------------------
def rows(f: Iterable[str], delimiter: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows with the line each starts on (quoted fields may span lines). A column named
    twice (Merchant Center allows repeating ``product_detail``) keeps every value."""
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
        out: dict[str, Any] = {}
        for h, c in zip(header, row, strict=True):
            c = (c or "").strip()
            if h in out and c:
                out[h] = f"{out[h]},{c}" if out[h] else c
            else:
                out.setdefault(h, c)
        yield start, out


@dataclass
class Group:
    line: int
    rows: list[tuple[int, dict[str, str]]]


def grouped(
    items: Iterable[tuple[int, dict[str, str]]], key: str, fallback: str, vid: str | None = None
) -> Iterator[Group | Parsed]:
    """Group rows by ``key`` (falling back to ``fallback``); keeps first-seen order. A
    variant id (``vid``) seen twice is reported and the later row skipped."""
    groups: dict[str, Group] = {}
    seen_vid: dict[str, int] = {}
    for line, row in items:
        if "__error__" in row:
            yield Parsed(line, issue=IngestIssue(line, row["__error__"]))
            continue
        gid = row.get(key) or row.get(fallback) or ""
        if not gid:
            yield Parsed(line, issue=IngestIssue(line, f"missing {fallback}"))
            continue
        v = row.get(vid or "") or ""
        if v and v in seen_vid:
            yield Parsed(
                line,
                issue=IngestIssue(line, f"duplicate id {v!r} (first on line {seen_vid[v]})", v),
            )
            continue
        if v:
            seen_vid[v] = line
        groups.setdefault(gid, Group(line, [])).rows.append((line, row))
    yield from groups.values()


class _NoVariants(ValueError):
    """Every row of a group failed; each is reported already."""


def finish(group: Group, build: Any) -> Iterator[Parsed]:
    """Build one product from a group; its issues first, each row's at most once."""
    issues: list[IngestIssue] = []
    try:
        product = build(group, issues)
    except _NoVariants:
        product = None
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


def variant_rows(group: Group, issues: list[IngestIssue], make: Any) -> list[Variant]:
    """``make(line, row)`` per row; a row that fails is reported (once) and left out."""
    out: list[Variant] = []
    for line, row in group.rows:
        try:
            out.append(make(line, row))
        except ValidationError as exc:
            issues.append(IngestIssue(line, _validation_reason(exc)))
        except ValueError as exc:
            issues.append(IngestIssue(line, str(exc)))
    if not out:
        # Every row is already reported; the product itself adds no skipped line.
        raise _NoVariants
    return out


def lowest(variants: list[Variant]) -> Decimal:
    return min(v.price for v in variants if v.price is not None)


# --- our CSV ----------------------------------------------------------------------------
_GENDER = {
    "female": "women",
    "male": "men",
    "unisex": "unisex",
    "women": "women",
    "men": "men",
    "kids": "kids",
}
_OWN_ATTRS = ("material", "style", "audience", "pattern")


def read_csv(f: Iterable[str]) -> Iterator[Parsed]:
    """Our CSV: id,title,description,category,brand,price,currency,image_url,available,
    color,size,material,style,audience[,group_id]. Rows sharing group_id are variants."""
    known = {
        "id",
        "title",
        "description",
        "category",
        "brand",
        "price",
        "currency",
        "image_url",
        "available",
        "color",
        "size",
        "group_id",
        *_OWN_ATTRS,
    }

    def build(group: Group, issues: list[IngestIssue]) -> Product:
        first = group.rows[0][1]
        gid = first.get("group_id") or first["id"]
        currency = (first.get("currency") or "USD").upper()

        def make(line: int, r: dict[str, str]) -> Variant:
            price, _ = parse_price(r.get("price", ""), (r.get("currency") or currency))
            avail = r.get("available") or "true"
            return Variant(
                id=r.get("id") or f"{gid}-{line}",
                options={k: r[k] for k in ("color", "size") if r.get(k)},
                price=price,
                availability=availability_of(avail, line, None, issues),
                attributes={k: v for k, v in r.items() if k not in known and v},
            )

        variants = variant_rows(group, issues, make)
        attrs = {k: first[k] for k in _OWN_ATTRS if first.get(k)}
        images = clean_images((first.get("image_url") or "").split("|"), group.line, gid, issues)
        return Product(
            id=gid,
            title=first.get("title", ""),
            description=first.get("description", ""),
            category=first.get("category", ""),
            brand=first.get("brand") or None,
            price=lowest(variants),
            currency=currency,
            variants=variants,
            images=images,
            attributes=attrs,
        )

    for item in grouped(rows(f, ","), "group_id", "id", "id"):
        yield from (finish(item, build) if isinstance(item, Group) else [item])
