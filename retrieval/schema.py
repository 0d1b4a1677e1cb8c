"""The catalog's data model: products, variants, search filters and results.

Filterable values (category, color, size, material, brand, style, audience) are matched
case-insensitively; :func:`norm` is the one normalisation both indexing and querying use.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from shopagent.money import quantize

FILTER_FIELDS = ("category", "color", "size", "material", "brand", "style", "audience")
ATTRIBUTE_KEYS = ("color", "size", "material", "style", "audience")

Availability = Literal["in_stock", "out_of_stock", "preorder", "backorder"]
AVAILABILITIES: tuple[str, ...] = ("in_stock", "out_of_stock", "preorder", "backorder")
# How feeds spell availability (Merchant Center's old spaced forms, schema.org URLs, ...).
AVAILABILITY_WORDS: dict[str, Availability] = {
    "in_stock": "in_stock",
    "in stock": "in_stock",
    "instock": "in_stock",
    "available": "in_stock",
    "true": "in_stock",
    "yes": "in_stock",
    "1": "in_stock",
    "out_of_stock": "out_of_stock",
    "out of stock": "out_of_stock",
    "outofstock": "out_of_stock",
    "sold out": "out_of_stock",
    "soldout": "out_of_stock",
    "false": "out_of_stock",
    "no": "out_of_stock",
    "0": "out_of_stock",
    "discontinued": "out_of_stock",
    "preorder": "preorder",
    "pre-order": "preorder",
    "pre order": "preorder",
    "backorder": "backorder",
    "back-order": "backorder",
    "back order": "backorder",
}
# Option names that mean the same filter field.
_OPTION_ALIASES = {"colour": "color", "colors": "color", "colours": "color", "sizes": "size"}
# Letter sizes and the words for them ("large" when a shopper or a store means L)
SIZE_WORDS = {
    "xs": "extra small",
    "s": "small",
    "m": "medium",
    "l": "large",
    "xl": "extra large",
    "xxl": "2x large",
}

# What shoppers call an option value the feed spells another way: "lefty" for
# Left-Handed (keys are values normalised, hyphens as spaces)
VALUE_WORDS = {
    "left handed": ("lefty", "leftie", "lefties", "southpaw", "left hand", "lefthanded"),
    "right handed": ("righty", "rightie", "right hand", "righthanded"),
    "left hand": ("lefty", "leftie", "lefties", "southpaw", "left handed"),
    "right hand": ("righty", "rightie", "right handed"),
}


def value_words(value: str) -> tuple[str, ...]:
    """Shoppers' words for an option value (``VALUE_WORDS``), none for most."""
    return VALUE_WORDS.get(norm(value).replace("-", " "), ())


def norm(value: str) -> str:
    """Normalise a filter value: case and surrounding/duplicate whitespace do not matter."""
    return " ".join(str(value).split()).casefold()


def option_key(name: str) -> str:
    """An option's name as the catalog keys it: normalised ("Switch Type" -> "switch type"),
    British and plural spellings of the filter fields folded ("Colour" -> "color")."""
    key = norm(name)
    return _OPTION_ALIASES.get(key, key)


def parse_availability(text: str | None) -> Availability | None:
    """A feed's availability word -> one of AVAILABILITIES; None when it is unknown."""
    word = norm(text or "").rsplit("/", 1)[-1]  # "https://schema.org/InStock"
    return AVAILABILITY_WORDS.get(word) or AVAILABILITY_WORDS.get(word.replace("_", " "))


class Variant(BaseModel):
    """One sellable item: what a shopper confirms and a cart line holds."""

    id: str
    sku: str | None = None
    title: str | None = Field(None, description="The variant's own title, where the feed has one")
    options: dict[str, str] = Field(
        default_factory=dict, examples=[{"switch type": "clicky", "size": "M"}]
    )
    price: Decimal | None = Field(
        None, ge=0, description="What the shopper pays; None: the product price"
    )
    compare_at_price: Decimal | None = Field(None, ge=0, description="The price before a sale")
    availability: Availability | None = None
    available: bool = True
    quantity: int | None = None
    image: str | None = None
    attributes: dict[str, Any] = Field(
        default_factory=dict, description="What the feed says that has no field here"
    )

    @field_validator("options", mode="before")
    @classmethod
    def _option_keys(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {
                option_key(k): " ".join(str(x).split())
                for k, x in v.items()
                if str(k).strip() and x is not None and str(x).strip()
            }
        return v

    @model_validator(mode="after")
    def _availability(self) -> Variant:
        # Either field may be given; preorder and backorder sell, out of stock does not.
        if self.availability is None:
            self.availability = "in_stock" if self.available else "out_of_stock"
        else:
            self.available = self.availability != "out_of_stock"
        return self

    def option_text(self) -> str:
        return ", ".join(self.options.values())


class Product(BaseModel):
    id: str = Field(min_length=1, max_length=200, examples=["p-00042"])
    title: str = Field(min_length=1, max_length=500)
    description: str = ""
    category: str = Field("", description="Path, e.g. 'Apparel > Dresses'")
    brand: str | None = None
    price: Decimal = Field(ge=0, description="The lowest price a shopper pays")
    compare_at_price: Decimal | None = Field(None, ge=0)
    currency: str = Field("USD", min_length=3, max_length=3)
    attributes: dict[str, Any] = Field(
        default_factory=dict, description="color, size, material, style, audience, ..."
    )
    option_names: dict[str, str] = Field(
        default_factory=dict, description="Option key -> the name as the merchant wrote it"
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
    def _derive(self) -> Product:
        # Every amount carries exactly the currency's minor unit (226.1 -> 226.10).
        self.price = quantize(self.price, self.currency)
        if self.compare_at_price is not None:
            self.compare_at_price = quantize(self.compare_at_price, self.currency)
        for v in self.variants:
            if v.price is not None:
                v.price = quantize(v.price, self.currency)
            if v.compare_at_price is not None:
                v.compare_at_price = quantize(v.compare_at_price, self.currency)
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
        key = option_key(key)
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

    def options(self) -> dict[str, list[str]]:
        """The product's facets: every option key with the values its variants have."""
        out: dict[str, dict[str, None]] = {}
        for v in self.variants:
            for k, val in v.options.items():
                out.setdefault(k, {}).setdefault(val, None)
        return {k: list(vals) for k, vals in out.items()}

    def option_label(self, key: str) -> str:
        """An option's name as the merchant wrote it ("Switch type")."""
        return self.option_names.get(key, key)

    def variant(self, variant_id: str) -> Variant | None:
        return next((v for v in self.variants if v.id == variant_id), None)

    def unit_price(self, variant: Variant | None) -> Decimal:
        """What one unit of ``variant`` (or the product without variants) costs."""
        return variant.price if variant is not None and variant.price is not None else self.price

    @property
    def on_sale(self) -> bool:
        """A variant that can be bought (or the product without variants) sells below its
        compare-at price: a sale only in sold-out options is no sale a shopper can use."""
        if not self.variants:
            return (
                self.available
                and self.compare_at_price is not None
                and self.compare_at_price > self.price
            )
        return any(
            before is not None and before > self.unit_price(v)
            for v in self.variants
            if v.available and (before := v.compare_at_price or self.compare_at_price) is not None
        )

    def price_before(self, variant: Variant | None) -> Decimal | None:
        """The price ``variant`` (or the product) sold at before its sale, when it sells
        below it now; None when it is at its usual price."""
        before = (variant.compare_at_price if variant is not None else None) or (
            self.compare_at_price
        )
        return before if before is not None and before > self.unit_price(variant) else None

    @property
    def min_price(self) -> Decimal:
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
        # The merchant's own options ("clicky", "32GB", "2-person"); size and colour
        # values are many and already filters, so they stay out of the short text.
        own = [v for k, vals in self.options().items() if k not in FILTER_FIELDS for v in vals][:12]
        parts = [
            self.title,
            self.category.replace(" > ", ", "),
            f"for {aud}" if isinstance(aud, str) and aud != "unisex" else "",
            ", ".join(own),
        ]
        return ". ".join(p for p in parts if p)

    def keyword_text(self) -> str:
        """The text the sparse (BM25) encoder sees: brand, model numbers, every option
        value and what the feed said beyond the fields (tags, details)."""
        attrs = " ".join(
            " ".join(str(x) for x in v) if isinstance(v, list) else str(v)
            for v in self.attributes.values()
            if isinstance(v, str | int | list)
        )
        options = " ".join(
            f"{self.option_label(k)} {' '.join(vals)}" for k, vals in self.options().items()
        )
        return " ".join(
            [self.title, self.brand or "", self.category, attrs, options, self.description]
        )


class SearchFilters(BaseModel):
    category: str | None = None
    color: str | None = None
    size: str | None = None
    material: str | None = None
    brand: str | None = None
    style: str | None = None
    audience: str | None = None
    price_min: Decimal | None = Field(None, ge=0)
    price_max: Decimal | None = Field(None, ge=0)
    in_stock: bool | None = None
    on_sale: bool | None = Field(
        None, description="true: only products on sale (a variant below its compare-at price)"
    )
    options: dict[str, str | list[str]] | None = Field(
        None,
        description="Option name -> value (or any of a list), e.g. "
        '{"switch type": "clicky", "ram": ["32GB", "64GB"]}',
    )

    @model_validator(mode="after")
    def _range(self) -> SearchFilters:
        if (
            self.price_min is not None
            and self.price_max is not None
            and self.price_min > self.price_max
        ):
            raise ValueError("price_min must not exceed price_max")
        return self

    def applied(self) -> dict[str, Any]:
        """The filters that constrain the query (None/unset ones left out)."""
        # JSON form: prices as decimal strings, as everywhere on the wire.
        return {k: v for k, v in self.model_dump(mode="json").items() if v is not None and v != ""}

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
