"""The seams the tools (and the agent above them) depend on, as Protocols.

``CatalogReader`` is what tools read of the catalog: :class:`retrieval.CatalogService`
implements it, and so may a test double or a remote catalog. Writing to the catalog
(ingest, re-embedding) is not part of it: no tool does that.
The commerce state seam is :class:`tools.stores.base.CommerceStore`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from shopagent.retrieval.schema import Product, SearchFilters, SearchResult

Filters = SearchFilters | dict[str, Any] | None


class CatalogReader(Protocol):
    """Read access to the product catalog (all calls are blocking; tools run them in a
    worker thread when they may be slow)."""

    def count(self, filters: Filters = None) -> int: ...
    def get_product(self, product_id: str) -> Product | None: ...
    def get_products(self, product_ids: list[str]) -> list[Product]: ...
    def product_ids(self) -> list[str]: ...

    def search(
        self, query: str, filters: Filters = None, page: int = 1, page_size: int = 10
    ) -> SearchResult: ...

    def visual_search(
        self,
        image_bytes: bytes | None = None,
        product_id: str | None = None,
        filters: Filters = None,
        limit: int = 10,
    ) -> SearchResult: ...

    def facets(
        self,
        query: str = "",
        filters: Filters = None,
        fields: Iterable[str] | None = None,
        *,
        window: int = 100,
    ) -> dict[str, dict[str, int]]: ...

    def facet_values(self) -> dict[str, list[str]]:
        """Every value of each filter field in the catalog (display case), sorted."""
        ...

    def option_names(self) -> dict[str, int]:
        """The catalog's own option names with how many products have each."""
        ...
