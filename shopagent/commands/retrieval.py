"""``shopagent ingest``, ``search``, ``demo-catalog`` and ``reembed``.

Heavy imports (torch, qdrant) happen inside the commands so ``shopagent --help`` is fast.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import typer

_PRICE_PATTERNS = [
    (
        re.compile(
            r"\b(?:under|below|less than|cheaper than|max(?:imum)?|up to)\s*\$?\s*"
            r"(\d+(?:\.\d+)?)\s*(?:\$|usd|dollars?|eur|€)?",
            re.I,
        ),
        "max",
    ),
    (
        re.compile(
            r"\b(?:over|above|more than|from|min(?:imum)?|at least)\s*\$?\s*"
            r"(\d+(?:\.\d+)?)\s*(?:\$|usd|dollars?|eur|€)?",
            re.I,
        ),
        "min",
    ),
    (
        re.compile(r"\$?\s*(\d+(?:\.\d+)?)\s*(?:-|to)\s*\$?\s*(\d+(?:\.\d+)?)\s*(?:\$|usd)?", re.I),
        "range",
    ),
]


def parse_price_phrase(text: str) -> tuple[str, float | None, float | None]:
    """'red dress under 50' -> ('red dress', None, 50.0). A simple CLI convenience; the
    agent's NLU does the real parsing."""
    lo = hi = None
    for pattern, kind in _PRICE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        if kind == "max":
            hi = float(m.group(1))
        elif kind == "min":
            lo = float(m.group(1))
        else:
            lo, hi = sorted((float(m.group(1)), float(m.group(2))))
        text = text[: m.start()] + text[m.end() :]
    return " ".join(text.split()), lo, hi


def _fail(message: str, code: str) -> None:
    typer.secho(f"error [{code}]: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def register(*, app: typer.Typer, **_: Any) -> None:
    @app.command("ingest")
    def ingest(
        path: Path = typer.Argument(..., help="Feed file: .jsonl, .csv, GMC .tsv or Shopify .csv"),
        fmt: str = typer.Option(
            "auto", "--format", "-f", help="auto, jsonl, csv, gmc (Merchant Center TSV), shopify"
        ),
        delete_missing: bool = typer.Option(
            False, "--delete-missing", help="Delete products that are not in this feed."
        ),
        force: bool = typer.Option(
            False,
            "--force",
            help="With --delete-missing: delete even more than "
            "SHOPAGENT_INGEST_MAX_DELETE_SHARE of the catalog.",
        ),
        show_issues: int = typer.Option(20, help="How many row problems to list."),
    ) -> None:
        """Add or update products from a feed (upsert by id); bad rows are reported, not fatal."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from shopagent.errors import ShopAgentError
        from shopagent.retrieval import open_catalog
        from shopagent.retrieval.ingest import FORMATS, read_feed
        from shopagent.settings import get_settings

        if fmt not in FORMATS:
            _fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", "bad_format")
        if not path.is_file():
            _fail(f"no such file: {path}", "file_not_found")
        console = Console(stderr=True)
        settings = get_settings()
        try:
            catalog = open_catalog(settings)
        except ShopAgentError as exc:
            _fail(exc.message, exc.code)
        try:
            rows = sum(1 for _ in path.open(encoding="utf-8", errors="replace"))
            with Progress(
                TextColumn("ingesting"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            ) as prog:
                task = prog.add_task("ingest", total=max(rows - 1, 1))
                report = catalog.ingest(
                    read_feed(path, fmt),
                    base_dir=path.parent,
                    delete_missing=delete_missing,
                    force=force,
                    max_delete_share=settings.ingest_max_delete_share,
                    on_batch=lambda n: prog.advance(task, n),
                    optimize=False,
                )
            if report.ingested or report.deleted:
                # HNSW graphs are built once per ingest: minutes for a large catalog.
                with console.status("building the search index"):
                    catalog.optimize()
        except ShopAgentError as exc:
            _fail(exc.message, exc.code)
        finally:
            catalog.close()
        typer.echo(report.summary())
        for issue in report.issues[:show_issues]:
            typer.echo(f"  {issue}")
        if len(report.issues) > show_issues:
            typer.echo(f"  ... and {len(report.issues) - show_issues} more")
        if report.delete_refused:
            typer.secho(
                f"refused [too_many_deletions]: {report.delete_refused} of the catalog's "
                f"products are not in this feed (more than "
                f"{settings.ingest_max_delete_share:.0%}); nothing was deleted. Rerun with "
                "--force if the feed is complete.",
                fg=typer.colors.RED,
                err=True,
            )
            raise typer.Exit(1)
        if report.ingested == 0 and report.skipped:
            raise typer.Exit(1)

    @app.command("search")
    def search(
        query: str = typer.Argument(..., help='e.g. "red dress under 50"'),
        category: str | None = typer.Option(None),
        color: str | None = typer.Option(None),
        size: str | None = typer.Option(None),
        material: str | None = typer.Option(None),
        brand: str | None = typer.Option(None),
        in_stock: bool = typer.Option(True, "--in-stock/--any-stock"),
        page: int = typer.Option(1, min=1),
        page_size: int = typer.Option(10, min=1, max=100),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Hybrid search of the catalog; a price phrase ("under 50") becomes a price filter."""
        from rich.console import Console
        from rich.table import Table

        from shopagent.errors import ShopAgentError
        from shopagent.retrieval import open_catalog
        from shopagent.settings import get_settings

        text, lo, hi = parse_price_phrase(query)
        filters = {
            "category": category,
            "color": color,
            "size": size,
            "material": material,
            "brand": brand,
            "price_min": lo,
            "price_max": hi,
            "in_stock": True if in_stock else None,
        }
        try:
            catalog = open_catalog(get_settings())
        except ShopAgentError as exc:
            _fail(exc.message, exc.code)
        try:
            res = catalog.search(text, filters, page=page, page_size=page_size)
        except ShopAgentError as exc:
            _fail(exc.message, exc.code)
        finally:
            catalog.close()
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "query": res.query,
                        "total": res.total,
                        "filters_applied": res.filters_applied,
                        "products": [
                            {
                                "id": h.product.id,
                                "title": h.product.title,
                                "price": str(h.product.min_price),
                                "currency": h.product.currency,
                                "score": h.score,
                            }
                            for h in res.hits
                        ],
                    },
                    indent=2,
                )
            )
            return
        table = Table(title=f"{res.total} matches for {res.query!r} filters={res.filters_applied}")
        for col in ("id", "title", "price", "category", "stock", "score"):
            table.add_column(col)
        for h in res.hits:
            p = h.product
            table.add_row(
                p.id,
                p.title,
                f"{p.min_price:.2f} {p.currency}",
                p.category,
                "yes" if p.available else "no",
                f"{h.score:.4f}",
            )
        Console().print(table)

    @app.command("reembed")
    def reembed() -> None:
        """Re-embed product texts made by another text encoder (after changing
        SHOPAGENT_TEXT_ENCODER) from the products stored in the index."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from shopagent.errors import ShopAgentError
        from shopagent.retrieval import open_catalog
        from shopagent.settings import get_settings

        settings = get_settings()
        try:
            catalog = open_catalog(settings, check_text_encoder=False)
        except ShopAgentError as exc:
            _fail(exc.message, exc.code)
        try:
            stale, other = catalog.text_encoder_mismatch()
            if not stale:
                typer.echo(
                    f"nothing to do: every product's text vector is made by "
                    f"{settings.text_encoder} ({catalog.text.name})"
                )
                return
            typer.echo(
                f"re-embedding {stale} products (made by {other}) with {settings.text_encoder}"
            )
            with Progress(
                TextColumn("re-embedding"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            ) as prog:
                task = prog.add_task("reembed", total=stale)
                done = catalog.reembed_text(on_batch=lambda n: prog.advance(task, n))
            catalog.optimize()
        except ShopAgentError as exc:
            _fail(exc.message, exc.code)
        finally:
            catalog.close()
        typer.echo(f"re-embedded {done} products")

    @app.command("demo-catalog")
    def demo_catalog(
        size: int | None = typer.Option(None, help="Products (default: settings)"),
    ) -> None:
        """Build the demo catalog (generated products, rendered images) if not built yet."""
        from shopagent.errors import ShopAgentError
        from shopagent.retrieval import ensure_demo_catalog
        from shopagent.settings import get_settings

        try:
            catalog = ensure_demo_catalog(get_settings(), progress=True, n=size)
        except ShopAgentError as exc:
            _fail(exc.message, exc.code)
        typer.echo(f"demo catalog ready: {catalog.count()} products")
        catalog.close()
