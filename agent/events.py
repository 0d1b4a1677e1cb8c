"""Typed events a turn emits, in order. The API streams them as SSE; evals record them.

No LangChain object crosses this boundary: everything here is plain pydantic.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

Tier = Literal["embedded", "local", "frontier", "none"]


class ProductCard(BaseModel):
    id: str = Field(description="Product id", examples=["p-00042"])
    title: str
    price: str = Field(description="Decimal string, exact", examples=["226.11"])
    compare_at_price: str | None = Field(None, description="Price before a sale, if on sale")
    currency: str = "USD"
    image_url: str | None = Field(None, description="URL of the product image")
    brand: str | None = None
    category: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict, description="color, size, ...")
    in_stock: bool = True
    on_sale: bool = Field(
        False, description="A variant sells below its compare-at price (maybe not the cheapest)"
    )
    score: float | None = None
    reason: str | None = Field(
        None,
        description="Why it is shown: a look's coordination, a gift idea's reason, "
        "or personalisation",
        examples=["because you like Nordvale"],
    )

    @field_validator("price", "compare_at_price", mode="before")
    @classmethod
    def _decimal_string(cls, v: Any) -> Any:
        # Money crosses the wire as a decimal string; a float is read by its repr.
        if isinstance(v, float):
            v = repr(v)
        return str(Decimal(v)) if isinstance(v, int | Decimal | str) and v != "" else v


class RouteEvent(BaseModel):
    type: Literal["route"] = "route"
    tier: Tier
    reason: str = Field(
        description="Why this tier was chosen", examples=["routine search, confidence 0.93"]
    )
    intent: str | None = None
    confidence: float | None = None


class ToolCallEvent(BaseModel):
    type: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolResultEvent(BaseModel):
    type: Literal["tool_result"] = "tool_result"
    id: str
    name: str
    ok: bool
    content: Any = None
    error_code: str | None = None


class ProductsEvent(BaseModel):
    type: Literal["products"] = "products"
    products: list[ProductCard]


class MessageDeltaEvent(BaseModel):
    type: Literal["message_delta"] = "message_delta"
    text: str


class MessageEvent(BaseModel):
    type: Literal["message"] = "message"
    text: str
    tier: Tier = "embedded"
    quick_replies: list[str] = Field(
        default_factory=list,
        description="Short answers to a clarifying question, in the catalog's words; "
        "a client shows them as buttons that send the value as the next message",
        examples=[["clicky", "linear", "tactile"]],
    )


class ConfirmRequiredEvent(BaseModel):
    type: Literal["confirm_required"] = "confirm_required"
    confirmation_id: str = Field(description="Pass back to POST /v1/sessions/{id}/confirm")
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    summary: str = Field(
        description="What will happen on yes", examples=["Add 1 x Linen Shirt (M) for 39.00 USD"]
    )
    variant_id: str | None = Field(None, description="The exact variant an add confirms")
    options: dict[str, str] = Field(
        default_factory=dict, description="That variant's options", examples=[{"size": "M"}]
    )
    unit_price: str | None = Field(
        None, description="Its unit price, a decimal string", examples=["39.00"]
    )
    currency: str | None = Field(None, examples=["USD"])


class ErrorEvent(BaseModel):
    type: Literal["error"] = "error"
    code: str
    message: str


class Usage(BaseModel):
    tokens_in: dict[str, int] = Field(default_factory=dict, description="per tier")
    tokens_out: dict[str, int] = Field(default_factory=dict, description="per tier")
    model_calls: dict[str, int] = Field(default_factory=dict, description="per tier")
    steps: int = 0


class DoneEvent(BaseModel):
    type: Literal["done"] = "done"
    turn_id: str
    latency_ms: float = 0.0
    usage: Usage = Field(default_factory=Usage)


AgentEvent = Annotated[
    RouteEvent
    | ToolCallEvent
    | ToolResultEvent
    | ProductsEvent
    | MessageDeltaEvent
    | MessageEvent
    | ConfirmRequiredEvent
    | ErrorEvent
    | DoneEvent,
    Field(discriminator="type"),
]


class HistoryItem(BaseModel):
    role: Literal["user", "assistant", "tool"]
    text: str = ""
    image_id: str | None = None
    tool_calls: list[ToolCallEvent] = Field(default_factory=list)
    products: list[ProductCard] = Field(default_factory=list)
    tier: Tier | None = None
    quick_replies: list[str] = Field(
        default_factory=list, description="The answers offered with this reply, if any"
    )
