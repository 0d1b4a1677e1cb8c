"""Wire models: every request and response body of the HTTP API, in one place.

Agent events (agent/events.py) are already plain pydantic and go out unchanged; nothing
from LangChain reaches a client. Limits that come from settings (message length, image
size) are enforced in the routes and stated in the field descriptions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shopagent.agent.events import (
    ConfirmRequiredEvent,
    DoneEvent,
    ErrorEvent,
    HistoryItem,
    MessageDeltaEvent,
    MessageEvent,
    ProductsEvent,
    RouteEvent,
    ToolCallEvent,
    ToolResultEvent,
)

# Ids a client sends back to us: short, no path separators, so they never reach a file
# name or a Redis key unchecked.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"

SSE_EVENT_MODELS: tuple[type[BaseModel], ...] = (
    RouteEvent,
    ToolCallEvent,
    ToolResultEvent,
    ProductsEvent,
    MessageDeltaEvent,
    MessageEvent,
    ConfirmRequiredEvent,
    ErrorEvent,
    DoneEvent,
)


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code", examples=["not_found"])
    message: str = Field(description="Human-readable explanation", examples=["no such session"])


class ErrorBody(BaseModel):
    error: ErrorDetail


# Documented here, checked in api/routes.py (which answers with code invalid_text).
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"


class SessionCreate(BaseModel):
    title: str | None = Field(
        None,
        max_length=200,
        description="Optional title; defaults to 'New conversation'. Plain Unicode text, "
        "like a message's.",
        json_schema_extra={"pattern": TEXT_PATTERN},
        examples=["Summer shirts"],
    )


class SessionOut(BaseModel):
    session_id: str = Field(description="Session id", examples=["s-7f3a9c"])
    title: str = Field(examples=["New conversation"])
    created_at: datetime
    updated_at: datetime


class SessionDetail(SessionOut):
    history: list[HistoryItem] = Field(
        default_factory=list, description="The conversation so far, oldest first"
    )
    pending_confirmation: ConfirmRequiredEvent | None = Field(
        None, description="A write waiting for the shopper's yes or no, if any"
    )


class SessionList(BaseModel):
    sessions: list[SessionOut] = Field(description="The caller's sessions, newest first")


ProductId = Annotated[str, Field(min_length=1, max_length=200)]
OptionName = Annotated[str, Field(max_length=100)]
OptionValue = Annotated[str, Field(max_length=200)]


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProductAction(_Action):
    """Details of a product, more like it, or remove its line from the cart."""

    type: Literal["details", "more_like_this", "remove"]
    product_id: ProductId
    variant_id: ProductId | None = Field(None, description="For remove: that variant's line")


class AddAction(_Action):
    type: Literal["add_to_cart"]
    product_id: ProductId
    variant_id: ProductId | None = Field(None, description="The exact variant, if chosen")
    options: dict[OptionName, OptionValue] = Field(
        default_factory=dict, max_length=20, description="Chosen option values by name"
    )
    quantity: int = Field(1, ge=1, le=20)


class QuantityAction(_Action):
    type: Literal["update_quantity"]
    product_id: ProductId
    variant_id: ProductId | None = None
    quantity: int = Field(ge=0, le=99, description="The line's new quantity; 0 removes it")


class CompareAction(_Action):
    type: Literal["compare"]
    product_ids: list[ProductId] = Field(min_length=2, max_length=4)


class CheckoutAction(_Action):
    type: Literal["checkout"]


class SaveAction(_Action):
    """Save a product to one of the shopper's boards (no confirmation: not a purchase)."""

    type: Literal["save"]
    product_id: ProductId
    board: str | None = Field(None, min_length=1, max_length=80, examples=["wedding"])


class LookItemIn(_Action):
    product_id: ProductId
    variant_id: ProductId | None = None
    options: dict[OptionName, OptionValue] | None = Field(None, max_length=20)
    unit_price: Annotated[str, Field(pattern=r"^\d{1,9}(\.\d{1,4})?$")] | None = Field(
        None, description="The price shown, a decimal string; a changed price is refused"
    )


class LookAction(_Action):
    """Add a suggested look or gift set (as complete_the_look listed it) in one step."""

    type: Literal["add_look"]
    items: list[LookItemIn] = Field(min_length=1, max_length=8)


# A tap on a product card or cart line. It runs as planned tool calls (no language
# understanding; agent/_actions.py); writes still ask for confirmation.
CardAction = Annotated[
    ProductAction
    | AddAction
    | QuantityAction
    | CompareAction
    | CheckoutAction
    | LookAction
    | SaveAction,
    Field(discriminator="type"),
]


class MessageIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"text": "linen shirts under $50 in blue"},
                {"text": "", "image_id": "ab12"},
                {"text": "", "action": {"type": "details", "product_id": "kb-75"}},
            ]
        }
    )

    text: str = Field(
        "",
        description="What the shopper typed; at most SHOPAGENT_MAX_MESSAGE_CHARS characters. "
        "May be empty when image_id is given. Plain Unicode text: control characters other "
        "than tab and newlines, and lone surrogates, are refused (422 invalid_text).",
        examples=["linen shirts under $50"],
        json_schema_extra={"pattern": TEXT_PATTERN},
    )
    image_id: str | None = Field(
        None,
        pattern=ID_PATTERN,
        description="An id returned by POST /v1/images, for visual search",
    )
    action: CardAction | None = Field(
        None, description="A card action; text may then be empty (history shows a readable line)"
    )


class ConfirmIn(BaseModel):
    confirmation_id: str = Field(
        pattern=ID_PATTERN,
        description="The id from the confirm_required event",
        examples=["c-1b2c3d"],
    )
    approve: bool = Field(description="true runs the write, false declines it")


class ImageOut(BaseModel):
    image_id: str = Field(description="Pass as image_id in a message", examples=["3f2a9b"])
    media_type: Literal["image/png", "image/jpeg", "image/webp", "image/gif"]
    width: int
    height: int
    bytes: int


class ProductOut(BaseModel):
    product: dict[str, Any] = Field(
        description="The product as get_product returns it: description, images, variants"
    )


class ToolOut(BaseModel):
    name: str = Field(examples=["search_products"])
    description: str
    writes: bool = Field(description="Writes need the shopper's confirmation")
    parameters: dict[str, Any] = Field(description="JSON schema of the arguments")


class ToolList(BaseModel):
    tools: list[ToolOut]


class CartLineOut(BaseModel):
    product_id: str
    variant_id: str | None = None
    sku: str | None = None
    title: str
    variant_title: str | None = None
    options: dict[str, str] = Field(default_factory=dict)
    unit_price: str = Field(description="Decimal string, exact", examples=["226.11"])
    compare_at_price: str | None = Field(
        None,
        description="The unit price before the sale the line was added in (null: added at "
        "its usual price)",
        examples=["250.00"],
    )
    currency: str = "USD"
    quantity: int
    line_total: str = Field(description="Decimal string, exact", examples=["452.22"])


class CartOut(BaseModel):
    lines: list[CartLineOut] = Field(default_factory=list)
    item_count: int = 0
    total: str = Field("0.00", description="Decimal string, exact", examples=["452.22"])
    savings: str | None = Field(
        None,
        description="What the lines added in a sale cost less than before it (null: none)",
        examples=["47.78"],
    )
    currency: str = "USD"


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"


class CheckOut(BaseModel):
    ok: bool
    detail: str = ""


class ReadyOut(BaseModel):
    ready: bool = Field(description="true when every check passed")
    checks: dict[str, CheckOut] = Field(
        description="redis, index, local_model, frontier_model; unconfigured models pass"
    )


__all__ = [
    "ID_PATTERN",
    "SSE_EVENT_MODELS",
    "CartLineOut",
    "CardAction",
    "CartOut",
    "CheckOut",
    "ConfirmIn",
    "ErrorBody",
    "ErrorDetail",
    "HealthOut",
    "ImageOut",
    "MessageIn",
    "ProductOut",
    "ReadyOut",
    "SessionCreate",
    "SessionDetail",
    "SessionList",
    "SessionOut",
    "ToolList",
    "ToolOut",
]
