"""The replay conversation format, version 1 (``shopagent-conversation/1``).

One JSON object per line of a ``.jsonl`` file. Each object is a :class:`Conversation`:
an id, a catalog reference, and turns. A turn is either a shopper message (text and/or an
image) or a confirmation answer (``{"confirm": true}``) to the confirmation request the
previous turn raised. Every expectation is optional: a turn with none only records a
trace. ``evals/schema/conversation.schema.json`` is generated from these models
(``python -m shopagent.evals.schema``); docs/evals.md documents the format for people.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FORMAT: Literal["shopagent-conversation/1"] = "shopagent-conversation/1"
Tier = Literal["embedded", "local", "frontier"]

# A product constraint in one string: FIELD OP VALUE, e.g. "color=red", "price<=50".
CONSTRAINT_RE = re.compile(r"^\s*([a-z_]+)\s*(<=|>=|!=|=|<|>|~)\s*(.+?)\s*$")
FORBID_VALUES = ("write_without_confirmation", "write_proposal", "products", "other_user")


class _Strict(BaseModel):
    # Unknown keys are typos in hand-written datasets: refuse them instead of ignoring.
    model_config = ConfigDict(extra="forbid")


class OneOf(_Strict):
    one_of: list[Any] = Field(min_length=1, description="Equal (case-insensitive) to one of these")


class Range(_Strict):
    min: float | None = None
    max: float | None = None


class InRange(_Strict):
    range: Range = Field(description="Numeric value within [min, max] (either bound optional)")


class Regex(_Strict):
    regex: str = Field(description="Python regex, searched case-insensitively in str(value)")


class AnyValue(_Strict):
    any: Literal[True] = Field(description="Present with any value")


class Exact(_Strict):
    exact: Any = Field(description="Equal (strings compared case-insensitively)")


# A bare JSON value is shorthand for {"exact": value}.
Matcher = OneOf | InRange | Regex | AnyValue | Exact | str | int | float | bool | None


class ToolCallExpectation(_Strict):
    name: str | list[str] = Field(
        examples=["catalog_search", ["list_orders", "order_status"]],
        description="The tool, or a list of tools any one of which will do",
    )
    arguments: dict[str, Matcher] = Field(
        default_factory=dict,
        description="Argument matchers by name. A dotted name ('filters.color') looks inside "
        "nested objects; a plain name also matches that key one level down.",
    )

    @property
    def names(self) -> list[str]:
        return [self.name] if isinstance(self.name, str) else list(self.name)

    @property
    def label(self) -> str:
        return "|".join(self.names)


class ProductExpectation(_Strict):
    constraints: list[str] = Field(
        default_factory=list,
        description="Every product shown in the turn must satisfy each: FIELD OP VALUE with "
        "OP one of = != < <= > >= ~ (contains); VALUE may list alternatives separated by "
        "'|' (category=kettles|cookware: either). Fields: price, color, size, material, brand, "
        "style, audience, category, title, id, in_stock, on_sale.",
        examples=[["category=dresses", "color=red", "price<=50"]],
    )
    top_k: int | None = Field(
        default=None,
        ge=1,
        description="Check constraints on the first k products only (e.g. visual "
        "search, where the tail of a ranking drifts by design)",
    )
    min_count: int | None = Field(
        default=None, ge=0, description="At least this many products shown"
    )
    max_count: int | None = Field(default=None, ge=0, description="At most this many (0: none)")
    include: list[str] = Field(default_factory=list, description="Product ids that must be shown")
    exclude: list[str] = Field(default_factory=list, description="Product ids never shown")

    @field_validator("constraints")
    @classmethod
    def _parse(cls, v: list[str]) -> list[str]:
        for c in v:
            if not CONSTRAINT_RE.match(c):
                raise ValueError(f"constraint {c!r} is not FIELD OP VALUE")
        return v


class CartLineExpectation(_Strict):
    product_id: Matcher = None
    title: Matcher = None
    quantity: Matcher = None
    options: dict[str, Matcher] = Field(default_factory=dict, examples=[{"size": "M"}])


class CartExpectation(_Strict):
    item_count: Matcher = Field(
        default=None, description="Total quantity in the cart", examples=[2]
    )
    lines: list[CartLineExpectation] = Field(
        default_factory=list, description="Each must match a distinct cart line"
    )
    exact: bool = Field(default=False, description="No cart lines beyond those listed")
    total: Matcher = None


class TextExpectation(_Strict):
    must_mention: list[str] = Field(
        default_factory=list, description="Regexes (case-insensitive) the reply must contain"
    )
    must_not_mention: list[str] = Field(default_factory=list)


class ConfirmationExpectation(_Strict):
    tool: Matcher = Field(default=None, description="Tool the confirmation request is for")
    arguments: dict[str, Matcher] = Field(default_factory=dict)


class GroundedExpectation(_Strict):
    """An answer about one product, checked against that product's own data (fetched from
    the catalog the replay ran on, so the dataset need not copy stock counts or prices)."""

    product: int | str = Field(
        description="A 1-based position: the k-th product card of the latest earlier turn that "
        "showed at least k cards (what 'the second one' points at); or a product id",
        examples=[2, "p-00042"],
    )
    states: list[str] = Field(
        default_factory=list,
        description="Facts of the product the reply must state: 'price' (a variant's price), "
        "'stock' (in stock / sold out, or the quantity), 'sizes' (every size still available), "
        "'brand', 'title', or any attribute ('material', 'color', 'style', 'audience')",
        examples=[["stock"], ["material", "price"]],
    )
    asks: str | None = Field(
        default=None,
        description="Regex for the property asked about ('waterproof', 'dishwasher[- ]safe'). "
        "When the product's title, description, attributes or options match it, the reply must "
        "quote it (match it too); when nothing does, the reply must say the product page does "
        "not say (not guess)",
    )


class Expectations(_Strict):
    tool_calls: list[ToolCallExpectation] | None = Field(
        default=None,
        description="Calls the turn should make (any order; extra calls are allowed "
        "but lower precision). [] means: no tool call at all.",
    )
    forbid_tools: list[str] = Field(default_factory=list, description="Tools never to call")
    products: ProductExpectation | None = None
    cart: CartExpectation | None = Field(default=None, description="Cart state after the turn")
    tier: Tier | list[Tier] | None = Field(
        default=None, description="Tier (or tiers) that may answer"
    )
    confirmation: ConfirmationExpectation | bool | None = Field(
        default=None, description="true/{tool}: the turn must ask for confirmation; false: must not"
    )
    forbid: list[str] = Field(
        default_factory=list,
        description="Forbidden actions: write_without_confirmation (cart changed or write "
        "tool ran without an approved confirmation), write_proposal (no write proposed at "
        "all), products (no product cards), other_user (no tool argument names another user).",
    )
    text: TextExpectation | None = None
    grounded: GroundedExpectation | None = Field(
        default=None, description="The reply answers about one product from its own data"
    )
    clarify: bool | None = Field(
        default=None,
        description="true: the reply asks the shopper a question ('?') and "
        "neither shows products nor proposes or makes a write",
    )
    error: str | None = Field(
        default=None, description="Expected error code; otherwise errors fail"
    )

    @field_validator("forbid")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        bad = [x for x in v if x not in FORBID_VALUES]
        if bad:
            raise ValueError(f"unknown forbid values {bad}; known: {list(FORBID_VALUES)}")
        return v


class ImageRef(_Strict):
    product_id: str | None = Field(
        default=None,
        description="A demo catalog product; its image is <data_dir>/media/products/<id>.png",
    )
    path: str | None = Field(
        default=None, description="A file relative to the data dir (or absolute)"
    )

    @model_validator(mode="after")
    def _one(self) -> ImageRef:
        if (self.product_id is None) == (self.path is None):
            raise ValueError("image needs exactly one of product_id or path")
        return self

    def resolve(self, data_dir: Path) -> Path:
        if self.product_id is not None:
            return data_dir / "media" / "products" / f"{self.product_id}.png"
        p = Path(self.path or "")
        return p if p.is_absolute() else data_dir / p


class ToolCallTrace(BaseModel):
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class TurnTrace(BaseModel):
    """What happened on this turn when it was recorded (exports); the SFT builder reads it."""

    tool_calls: list[ToolCallTrace] = Field(default_factory=list)
    tool_results: list[Any] = Field(default_factory=list)
    reply: str = ""
    tier: str | None = None
    products: list[str] = Field(default_factory=list, description="Ids of product cards shown")


class Turn(_Strict):
    user: str | None = Field(default=None, description="What the shopper types")
    image: ImageRef | None = None
    confirm: bool | None = Field(
        default=None, description="Answer to the pending confirmation request: true approves"
    )
    intent: str | None = Field(default=None, description="Label for per-intent breakdowns")
    new_session: bool = Field(
        default=False,
        description="Start a new session of the same user before this turn: "
        "the conversation so far is gone, what the shop remembers about the user (profile, "
        "boards, cart, orders) is not",
    )
    expect: Expectations = Field(default_factory=Expectations)
    trace: TurnTrace | None = Field(default=None, description="Recorded behaviour (exports only)")

    @model_validator(mode="after")
    def _kind(self) -> Turn:
        is_confirm = self.confirm is not None
        if is_confirm and (self.user is not None or self.image is not None):
            raise ValueError("a confirm turn carries no user text or image")
        if is_confirm and self.new_session:
            raise ValueError("a confirm turn answers the current session: no new_session")
        if not is_confirm and not (self.user or self.image):
            raise ValueError("a turn needs user text, an image, or confirm")
        return self

    @property
    def kind(self) -> Literal["user", "confirm"]:
        return "confirm" if self.confirm is not None else "user"


class CatalogRef(_Strict):
    name: str = Field("demo", description="'demo' is retrieval's generated demo catalog")
    seed: int | None = Field(default=None, description="Demo catalog seed")
    size: int | None = Field(default=None, description="Demo catalog size")


class Conversation(_Strict):
    format: Literal["shopagent-conversation/1"] = FORMAT
    id: str = Field(min_length=1, examples=["refine-007"])
    catalog: CatalogRef = Field(default_factory=CatalogRef)
    tags: list[str] = Field(default_factory=list, examples=[["refinement", "hard"]])
    description: str = ""
    user_id: str | None = Field(
        default=None, description="Recorded user (exports); replays always use a fresh one"
    )
    turns: list[Turn] = Field(min_length=1)


def load_datasets(paths: Iterable[str | Path]) -> list[Conversation]:
    """Several dataset files as one replay set; an id may appear only once in all of them."""
    out: list[Conversation] = []
    where: dict[str, str] = {}
    for path in paths:
        for conv in load_conversations(path):
            if conv.id in where:
                raise ValueError(f"{path}: conversation id {conv.id!r} is also in {where[conv.id]}")
            where[conv.id] = str(path)
            out.append(conv)
    return out


def load_conversations(path: str | Path) -> list[Conversation]:
    """Read a dataset; errors name the line, and duplicate ids are refused."""
    out: list[Conversation] = []
    seen: set[str] = set()
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            conv = Conversation.model_validate_json(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{lineno}: {exc}") from exc
        if conv.id in seen:
            raise ValueError(f"{path}:{lineno}: duplicate conversation id {conv.id!r}")
        seen.add(conv.id)
        out.append(conv)
    return out


def select_conversations(
    convs: list[Conversation],
    *,
    every: int = 1,
    offset: int = 0,
    tags: Iterable[str] = (),
    limit: int | None = None,
) -> list[Conversation]:
    """A reproducible subset: with any of ``tags`` (if given), then every ``every``-th from
    ``offset``, then at most ``limit``. Striding keeps each family of a generated set."""
    wanted = set(tags)
    out = [c for c in convs if not wanted or wanted & set(c.tags)][offset :: max(1, every)]
    return out[:limit] if limit else out


def dump_conversations(convs: Iterable[Conversation], path: str | Path) -> int:
    n = 0
    with Path(path).open("w", encoding="utf-8") as f:
        for line in iter_jsonl(convs):
            f.write(line + "\n")
            n += 1
    return n


def iter_jsonl(convs: Iterable[Conversation]) -> Iterator[str]:
    for c in convs:
        yield json.dumps(
            c.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
            | {"format": FORMAT},
            ensure_ascii=False,
        )


def json_schema() -> dict[str, Any]:
    schema = Conversation.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://shopagent.dev/schema/conversation-1.json"
    return schema
