"""Card actions: a tap on a product card or a cart line, run as a planned tool call.

An action (``{"type": "details", "product_id": ...}``) skips understanding and routing:
what the shopper wants is already exact. It becomes the same tool calls a model would
make, so writes still stop at the confirmation, and the user line stored in history is a
readable sentence ("Show details of Kestrel 75"), never an id.

A clarifying question about a product option (the cart tool's ``option_required``) ends
with quick replies, and the turn remembers what it asked (``awaiting``): a next message
that is exactly one of those values is answered as the same action with that option set,
without guessing what the words mean.
"""

from __future__ import annotations

from typing import Any

from shopagent.tools import ToolRegistry
from shopagent.tools.protocols import CatalogReader

ACTION_TYPES = (
    "details",
    "add_to_cart",
    "more_like_this",
    "compare",
    "update_quantity",
    "remove",
    "checkout",
    "add_look",
    "save",
)
DETAIL_TOOLS = ("product_details", "get_product")
MAX_QUICK_REPLIES = 12


def _title(catalog: CatalogReader | None, product_id: str | None) -> str:
    product = catalog.get_product(product_id) if (catalog is not None and product_id) else None
    return product.title if product is not None else "this product"


def _opts_text(options: dict[str, Any] | None) -> str:
    return ", ".join(f"{k}: {v}" for k, v in (options or {}).items() if v not in (None, ""))


def user_line(action: dict[str, Any], catalog: CatalogReader | None) -> str:
    """What the shopper 'said' by tapping: stored in history like typed text."""
    kind, pid = action.get("type"), action.get("product_id")
    title = _title(catalog, pid)
    if kind == "details":
        return f"Show details of {title}"
    if kind == "add_to_cart":
        opts = _opts_text(action.get("options"))
        qty = int(action.get("quantity") or 1)
        return f"Add {qty} × {title}{f' ({opts})' if opts else ''} to my cart"
    if kind == "more_like_this":
        return f"Show more like {title}"
    if kind == "compare":
        names = [_title(catalog, p) for p in action.get("product_ids") or []]
        return "Compare " + (", ".join(names[:-1]) + " and " + names[-1] if names else "")
    if kind == "update_quantity":
        return f"Change {title} to {int(action.get('quantity') or 0)} in my cart"
    if kind == "remove":
        return f"Remove {title} from my cart"
    if kind == "checkout":
        return "Check out"
    if kind == "save":
        return f"Save {title} to my {action.get('board') or 'favourites'} board"
    if kind == "add_look":
        names = [_title(catalog, i.get("product_id")) for i in action.get("items") or []]
        return "Add the look to my cart: " + ", ".join(names)
    return "Do that"


def _variant_for(product: Any, options: dict[str, str]) -> Any:
    """The one available variant matching every given option (casefolded), else None."""
    wanted = {k.casefold(): str(v).casefold() for k, v in options.items()}
    found = [
        v
        for v in getattr(product, "variants", []) or []
        if v.available and all(str(v.options.get(k, "")).casefold() == w for k, w in wanted.items())
    ]
    return found[0] if len(found) == 1 else None


def _add_args(
    action: dict[str, Any], registry: ToolRegistry, catalog: CatalogReader | None
) -> dict[str, Any]:
    args: dict[str, Any] = {
        "product_id": action["product_id"],
        "quantity": int(action.get("quantity") or 1),
    }
    options = {str(k): str(v) for k, v in (action.get("options") or {}).items()}
    variant_id = action.get("variant_id")
    product = catalog.get_product(action["product_id"]) if catalog is not None else None
    if variant_id is None and options and product is not None:
        chosen = _variant_for(product, options)
        variant_id = chosen.id if chosen is not None else None
    if variant_id:
        args["variant_id"] = variant_id
    fields = registry.get("add_to_cart").args_model.model_fields
    if options and "options" in fields:
        args["options"] = options
    elif options and not variant_id:  # an older tool: only size/colour by name
        args.update({k: v for k, v in options.items() if k in ("size", "color") and k in fields})
    return args


def plan(
    action: dict[str, Any], registry: ToolRegistry, catalog: CatalogReader | None
) -> list[dict[str, Any]]:
    """The tool calls ({"name", "args"}) an action stands for."""
    kind, pid = action.get("type"), action.get("product_id")
    if kind == "details":
        name = next((t for t in DETAIL_TOOLS if t in registry), "get_product")
        return [{"name": name, "args": {"product_id": pid}}]
    if kind == "add_to_cart":
        return [{"name": "add_to_cart", "args": _add_args(action, registry, catalog)}]
    if kind == "more_like_this":
        return [{"name": "visual_search", "args": {"product_id": pid, "limit": 9}}]
    if kind == "compare":
        return [{"name": "compare_products", "args": {"product_ids": action["product_ids"]}}]
    line = {
        "product_id": pid,
        **({"variant_id": action["variant_id"]} if action.get("variant_id") else {}),
    }
    qty = int(action.get("quantity") or 0)
    if kind == "remove" or (kind == "update_quantity" and qty == 0):
        return [{"name": "remove_from_cart", "args": line}]
    if kind == "update_quantity":
        return [{"name": "update_cart_quantity", "args": {**line, "quantity": qty}}]
    if kind == "checkout":
        return [{"name": "checkout", "args": {}}]
    if kind == "add_look":
        return [{"name": "add_look_to_cart", "args": {"items": action.get("items") or []}}]
    if kind == "save":
        board = {"board": action["board"]} if action.get("board") else {}
        return [{"name": "save_to_board", "args": {"product_id": pid, **board}}]
    return []


def clarify(
    call_args: dict[str, Any], error: dict[str, Any], catalog: CatalogReader | None
) -> dict[str, Any] | None:
    """For an add_to_cart refused with option_required: {"option", "values", "chosen"}.

    The tool's own ``details`` win; without them the open option is worked out from the
    product's available variants and what was already chosen."""
    details = error.get("details") or {}
    chosen: dict[str, str] = dict(details.get("chosen") or {})
    for key in ("size", "color"):
        if call_args.get(key):
            chosen.setdefault(key, str(call_args[key]))
    chosen.update({str(k): str(v) for k, v in (call_args.get("options") or {}).items()})
    if details.get("option") and details.get("values"):
        values = [str(v) for v in details["values"]][:MAX_QUICK_REPLIES]
        return {"option": str(details["option"]), "values": values, "chosen": chosen}
    pid = call_args.get("product_id")
    product = catalog.get_product(str(pid)) if catalog is not None and pid else None
    if product is None:
        return None
    wanted = {k.casefold(): v.casefold() for k, v in chosen.items()}
    candidates = [
        v
        for v in product.variants
        if v.available and all(str(v.options.get(k, "")).casefold() == w for k, w in wanted.items())
    ]
    for key in dict.fromkeys(k for v in candidates for k in v.options):
        values = list(dict.fromkeys(str(v.options[key]) for v in candidates if key in v.options))
        if len(values) > 1 and key.casefold() not in wanted:
            return {"option": key, "values": values[:MAX_QUICK_REPLIES], "chosen": chosen}
    return None


def _lacks_option(o: dict[str, Any]) -> bool:
    return o.get("name") == "add_to_cart" and o.get("error_code") == "option_required"


def may_await(outcomes: list[dict[str, Any]]) -> bool:
    """Whether ``awaiting_from`` can find a question in ``outcomes`` (it reads the
    catalog, so callers run it in a thread only then)."""
    return any(_lacks_option(o) for o in outcomes)


def awaiting_from(
    outcomes: list[dict[str, Any]], catalog: CatalogReader | None
) -> dict[str, Any] | None:
    """The question a turn ends on, if an add_to_cart lacked an option."""
    for o in outcomes:
        if _lacks_option(o):
            q = clarify(o.get("args") or {}, {"details": o.get("error_details")}, catalog)
            if q is None:
                return None
            args = o.get("args") or {}
            return {
                "action": {
                    "type": "add_to_cart",
                    "product_id": args.get("product_id"),
                    "quantity": int(args.get("quantity") or 1),
                    "options": q["chosen"],
                },
                **q,
            }
    return None


def answer_to(text: str, awaiting: dict[str, Any] | None) -> dict[str, Any] | None:
    """The action a message stands for when it is exactly one of the offered values."""
    if not awaiting:
        return None
    said = text.strip().rstrip(".!").casefold()
    for value in awaiting.get("values") or []:
        if said == str(value).casefold():
            action = dict(awaiting["action"])
            action["options"] = {**(action.get("options") or {}), awaiting["option"]: value}
            return action
    return None


def _money(value: Any, currency: Any) -> str:
    return f"{value} {currency}" if currency else str(value)


def reply(
    action: dict[str, Any], outcomes: list[dict[str, Any]], catalog: CatalogReader | None
) -> tuple[str, list[str]]:
    """The assistant's answer to an action, from its tool outcomes: (text, product ids)."""
    kind, pid = action.get("type"), action.get("product_id")
    title = _title(catalog, pid)
    o = outcomes[-1] if outcomes else {}
    content: dict[str, Any] = o["content"] if isinstance(o.get("content"), dict) else {}
    if o.get("error_code") == "declined":
        return "Okay, I haven't changed anything.", []
    if not o.get("ok"):
        code = o.get("error_code") or ""
        if code == "option_required":
            q = clarify(o.get("args") or {}, {"details": o.get("error_details")}, catalog)
            if q is not None:
                return f"Which {q['option']} would you like for {title}?", []
        if code == "out_of_stock":
            product = catalog.get_product(pid) if (catalog is not None and pid) else None
            if product is not None and not product.available:  # a sold-out card's "Add"
                return f"Sorry, {title} is sold out, so I can't add it to your cart.", []
            return f"Sorry, {title} is out of stock in that option.", []
        if code == "price_changed":
            return f"The price of {title} has just changed; please check it and try again.", []
        msg = str(o.get("error_message") or "it did not work")
        return f"Sorry, I couldn't do that: {msg}.", []
    if kind == "details":
        return f"Here are the details of {title}.", [pid] if pid else []
    if kind == "add_to_cart":
        added = content.get("added") or {}
        opts = _opts_text(added.get("options"))
        qty = added.get("quantity") or action.get("quantity") or 1
        return f"Added {qty} × {title}{f' ({opts})' if opts else ''} to your cart.", []
    if kind == "more_like_this":
        ids = [p["id"] for p in content.get("products") or [] if p.get("id") != pid]
        if not ids:
            return f"I couldn't find anything similar to {title}.", []
        return f"Here are products similar to {title}.", ids
    if kind == "compare":
        return "Here is how they compare.", [p["id"] for p in content.get("products") or []]
    if kind in ("update_quantity", "remove"):
        if o.get("name") == "remove_from_cart":
            return f"Removed {title} from your cart.", []
        return f"Your cart now has {action.get('quantity')} × {title}.", []
    if kind == "save":
        return str(content.get("message") or f"Saved {title}."), []
    if kind == "add_look":
        n = len(content.get("added") or [])
        return f"Added the look to your cart: {n} item{'s' if n != 1 else ''}.", []
    if kind == "checkout":
        total = _money(content.get("total"), content.get("currency"))
        return f"Your order {content.get('order_id')} is placed: total {total}.", []
    return "Done.", []


__all__ = ["ACTION_TYPES", "answer_to", "awaiting_from", "clarify", "plan", "reply", "user_line"]


def confirm_facts(name: str, args: dict[str, Any], catalog: CatalogReader | None) -> dict[str, Any]:
    """What a cart write's confirmation is about, as fields: the exact variant and its
    options; for an add also the unit price (a decimal string) with the currency (a cart
    line keeps the price it was added at, so a change or removal names no new price).
    Empty when not resolved."""
    if name not in ("add_to_cart", "update_cart_quantity", "remove_from_cart"):
        return {}
    pid = args.get("product_id")
    if catalog is None or not pid:
        return {}
    product = catalog.get_product(str(pid))
    if product is None:
        return {}
    variants = list(getattr(product, "variants", []) or [])
    chosen = None
    if args.get("variant_id"):
        chosen = next((v for v in variants if v.id == args["variant_id"]), None)
    elif variants and name == "add_to_cart":
        wanted = {k: v for k, v in (args.get("options") or {}).items()}
        wanted.update({k: args[k] for k in ("size", "color") if args.get(k)})
        chosen = _variant_for(product, wanted)
    if variants and chosen is None:
        return {}
    if name != "add_to_cart":
        if chosen is None:
            return {}
        return {
            "variant_id": chosen.id,
            "options": {str(k): str(v) for k, v in chosen.options.items()},
        }
    price = chosen.price if chosen is not None and chosen.price is not None else product.price
    if args.get("unit_price"):  # pinned by the precheck: exactly what will be written
        price = args["unit_price"]
    return {
        "variant_id": chosen.id if chosen is not None else None,
        "options": {str(k): str(v) for k, v in (chosen.options if chosen else {}).items()},
        "unit_price": str(price),
        "currency": product.currency,
    }
