"""The catalog's data model: products, variants, search filters and results.

Filterable values (category, color, size, material, brand, style, audience) are matched
case-insensitively; :func:`norm` is the one normalisation both indexing and querying use.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

FILTER_FIELDS = ("category", "color", "size", "material", "brand", "style", "audience")
ATTRIBUTE_KEYS = ("color", "size", "material", "style", "audience")


def norm(value: str) -> str:
    """Normalise a filter value: case and surrounding/duplicate whitespace do not matter."""
    return " ".join(str(value).split()).casefold()


class Variant(BaseModel):
    id: str
    options: dict[str, str] = Field(default_factory=dict, examples=[{"size": "M"}])
    price: float | None = Field(None, ge=0, description="Overrides the product price")
    available: bool = True
    quantity: int | None = None
    sku: str | None = None


class Product(BaseModel):
    id: str = Field(min_length=1, max_length=200, examples=["p-00042"])
    title: str = Field(min_length=1, max_length=500)
    description: str = ""
    category: str = Field("", description="Path, e.g. 'Apparel > Dresses'")
    brand: str | None = None
    price: float = Field(ge=0)
    currency: str = Field("USD", min_length=3, max_length=3)
    attributes: dict[str, Any] = Field(
        default_factory=dict, description="color, size, material, style, audience, ..."
    )
    variants: list[Variant] = Field(default_factory=list)
    images: list[str] = Field(default_factory=list, description="URLs or /media/... paths")
    available: bool = True
    url: str | None = None

    @field_validator("id", "title")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be empty")
        return v

    @field_validator("currency")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()

    @model_validator(mode="after")
    def _derive_availability(self) -> Product:
        # A product with variants is available iff one of its variants is.
        if self.variants:
            self.available = any(v.available for v in self.variants)
        return self

    # --- derived views used by the index and the tools ------------------------------------
    @property
    def category_path(self) -> list[str]:
        return [p.strip() for p in self.category.split(">") if p.strip()]

    @property
    def leaf_category(self) -> str | None:
        path = self.category_path
        return path[-1] if path else None

    def option_values(self, key: str, *, available_only: bool = False) -> list[str]:
        """Distinct values of one option (e.g. size) over variants, else the attribute."""
        seen: dict[str, None] = {}
        for v in self.variants:
            if available_only and not v.available:
                continue
            if key in v.options:
                seen.setdefault(str(v.options[key]), None)
        if not seen:
            attr = self.attributes.get(key)
            for a in attr if isinstance(attr, list) else [attr] if attr else []:
                seen.setdefault(str(a), None)
        return list(seen)

    @property
    def min_price(self) -> float:
        prices = [v.price for v in self.variants if v.price is not None]
        return min([self.price, *prices]) if prices else self.price

    @property
    def image_url(self) -> str | None:
        return self.images[0] if self.images else None

    def embedding_text(self) -> str:
        """The text the dense encoder sees: short, because CPU encoding cost grows with it.

        The title already names colour, material and noun; the category path adds the
        words shoppers use ("dresses"), and the audience adds "women"/"men"/"kids".
        """
        aud = self.attributes.get("audience")
        parts = [self.title, self.category.replace(" > ", ", "),
                 f"for {aud}" if isinstance(aud, str) and aud != "unisex" else ""]
        return ". ".join(p for p in parts if p)

    def keyword_text(self) -> str:
        """The text the sparse (BM25) encoder sees: includes brand and model numbers."""
        attrs = " ".join(str(v) for k, v in self.attributes.items() if isinstance(v, str | int))
        return " ".join([self.title, self.brand or "", self.category, attrs, self.description])


class SearchFilters(BaseModel):
    category: str | None = None
    color: str | None = None
    size: str | None = None
    material: str | None = None
    brand: str | None = None
    style: str | None = None
    audience: str | None = None
    price_min: float | None = Field(None, ge=0)
    price_max: float | None = Field(None, ge=0)
    in_stock: bool | None = None

    @model_validator(mode="after")
    def _range(self) -> SearchFilters:
        if (self.price_min is not None and self.price_max is not None
                and self.price_min > self.price_max):
            raise ValueError("price_min must not exceed price_max")
        return self

    def applied(self) -> dict[str, Any]:
        """The filters that constrain the query (None/unset ones left out)."""
        return {k: v for k, v in self.model_dump().items() if v is not None and v != ""}

    @classmethod
    def coerce(cls, filters: SearchFilters | dict[str, Any] | None) -> SearchFilters:
        if filters is None:
            return cls()
        if isinstance(filters, SearchFilters):
            return filters
        return cls.model_validate({k: v for k, v in filters.items() if v is not None})


class SearchHit(BaseModel):
    product: Product
    score: float


class SearchResult(BaseModel):
    hits: list[SearchHit]
    total: int = Field(description="Matching products (capped by the candidate window)")
    page: int = 1
    page_size: int = 10
    filters_applied: dict[str, Any] = Field(default_factory=dict)
    query: str = ""

    @property
    def products(self) -> list[Product]:
        return [h.product for h in self.hits]
