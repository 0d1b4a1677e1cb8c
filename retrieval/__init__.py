"""Catalog and search: product schema, feed ingestion, encoders, Qdrant engines, search.

    from shopagent.retrieval import open_catalog, ensure_demo_catalog
    catalog = open_catalog(settings)          # the configured engine (embedded by default)
    catalog.search("red dress", {"size": "M", "price_max": 50})

Heavy libraries load on first use, not on import.
"""

from shopagent.retrieval._demo_build import (
    build_demo_catalog,
    ensure_demo_catalog,
    is_merchant_catalog,
)
from shopagent.retrieval._indexer import IngestReport
from shopagent.retrieval.images import ImageStore, fetch_image
from shopagent.retrieval.ingest import IngestIssue
from shopagent.retrieval.schema import Product, SearchFilters, SearchHit, SearchResult, Variant
from shopagent.retrieval.service import CatalogService, open_catalog

__all__ = [
    "CatalogService",
    "ImageStore",
    "IngestIssue",
    "IngestReport",
    "Product",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "Variant",
    "build_demo_catalog",
    "ensure_demo_catalog",
    "is_merchant_catalog",
    "fetch_image",
    "open_catalog",
]
