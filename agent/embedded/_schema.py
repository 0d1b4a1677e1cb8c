"""Wire models of the embedded tier: what it understands, remembers, plans and says.

Everything here is plain pydantic and JSON-serialisable: the dialogue state lives in the
graph state (and so in the checkpointer), and survives restarts.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

INTENTS: tuple[str, ...] = (
    "search",
    "refine",
    "visual_search",
    "product_details",
    "compare",
    "add_to_cart",
    "remove_from_cart",
    "view_cart",
    "checkout",
    "order_status",
    "cancel_order",
    "greeting",
    "help",
    "goodbye",
    "human_handoff",
    "out_of_scope",
)
# Slots whose values come from the catalog's facets (the model tags them, the lexicon
# normalises them); the rest are parsed (numbers, ids, ordinals).
CATALOG_SLOTS: tuple[str, ...] = (
    "category",
    "color",
    "size",
    "material",
    "brand",
    "style",
    "audience",
)
SLOT_NAMES: tuple[str, ...] = (
    *CATALOG_SLOTS,
    "price_min",
    "price_max",
    "quantity",
    "reference",
    "product_id",
    "order_id",
)
# Intents whose references ("the second one", "it") point at a shown product.
PRODUCT_INTENTS = frozenset(
    {"visual_search", "product_details", "compare", "add_to_cart", "remove_from_cart"}
)


class Slots(BaseModel):
    category: str | None = None
    color: str | None = None
    size: str | None = None
    material: str | None = None
    brand: str | None = None
    style: str | None = None
    audience: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    on_sale: bool | None = Field(None, description="only products on sale ('any deals?')")
    quantity: int | None = None
    reference: str | None = Field(
        None, description="'1', '2', ..., 'last' or 'it'; several joined by commas ('1,3')"
    )
    product_id: str | None = Field(None, description="one id, or several joined by commas")
    order_id: str | None = None
    modifier: str | None = Field(
        None, description="'cheaper', 'pricier' or 'more' (next page): refinements without a value"
    )
    # option values of any name the shopper chose ({"switch type": "clicky"}), for add_to_cart
    options: dict[str, str] | None = None

    def filled(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class NLUResult(BaseModel):
    intent: str
    confidence: float = Field(description="Calibrated probability that the intent is right")
    slots: Slots = Field(default_factory=Slots)
    intent_scores: dict[str, float] = Field(default_factory=dict)
    image_id: str | None = Field(None, description="The turn's uploaded image, if any")
    text: str = ""
    # what the guards noticed: {"other_user": True}, {"negative_price": True},
    # {"yes_no": "yes"}, {"not_carried": "umbrellas"}, {"question": True} (about a product)
    notes: dict[str, Any] = Field(default_factory=dict)


class DialogueState(BaseModel):
    filters: dict[str, Any] = Field(default_factory=dict)
    query: str | None = None
    last_shown: list[str] = Field(default_factory=list, description="product ids, display order")
    focus: str | None = Field(None, description="the product id 'it' refers to")
    focus_ids: list[str] = Field(default_factory=list, description="products a reference named")
    last_intent: str | None = None
    page: int = 1
    turn: int = 0
    # id -> {"title", "price", "currency", "category", "options"} of the products last
    # shown: lets replies name them, "cheaper" compute a bound without inventing anything,
    # "add the 4kg one" find the one that offers 4kg and "add the 56cm" its frame size
    # ("options": option name -> values), and "add a dog bed" beside a harness search for
    # beds. (States kept before 2026-12-01 hold "values", the option values alone.)
    shown: dict[str, dict[str, Any]] = Field(default_factory=dict)
    extra: dict[str, Any] = Field(default_factory=dict)


class PlannedCall(BaseModel):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class Plan(BaseModel):
    calls: list[PlannedCall] = Field(default_factory=list)
    reply: str | None = None  # a direct reply when no tool is needed
    escalate: bool = False
    reason: str = ""
    # True: after these calls run, call ``EmbeddedTier.plan_next(nlu, state, outcomes)`` once
    # for the next step (a product named by its title: search, then add what was found)
    followup: bool = False
    # True: the calls are alternatives in order of preference (a search with fewer filters
    # each); the reply uses the first that finds products, so the rest need not run.
    until_found: bool = False
    quick_replies: list[str] = Field(default_factory=list)  # with ``reply``: answer buttons
    product_ids: list[str] = Field(default_factory=list)  # with ``reply``: products it names


class Reply(BaseModel):
    text: str
    product_ids: list[str] = Field(default_factory=list)
    # short answers to the question the reply asks, in the catalog's own words (the page
    # shows them as buttons; the shopper may also type them)
    quick_replies: list[str] = Field(default_factory=list)


class ToolOutcome(BaseModel):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    content: Any = None
    error_code: str | None = None
    error_message: str | None = None
    # a ToolError's machine-readable details, e.g. option_required:
    # {"option": "switch type", "values": ["clicky", "linear"], "chosen": {...}}
    details: dict[str, Any] | None = None
    error_details: dict[str, Any] | None = None  # the name the graph's outcomes use
    model_config = {"extra": "ignore"}
