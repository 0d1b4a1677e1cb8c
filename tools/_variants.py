"""Which variant a shopper means: by variant id, or by an option map of any option names.

Options are matched the way the catalog keys them (``retrieval.schema.option_key``;
values case- and space-insensitively). A value given under a name the product does not
have is looked for among the product's options ("large" for a "Grip size" option). A
value may name a unique part of an option value ("1TB" for "1TB SSD").
"""

from __future__ import annotations

from typing import Any

from shopagent.errors import ToolError
from shopagent.retrieval.schema import SIZE_WORDS, Product, Variant, norm, option_key


def wanted_options(
    options: dict[str, str] | None, size: str | None, color: str | None
) -> dict[str, str]:
    """The shopper's option map; ``size``/``color`` are aliases of options["size"/"color"].
    Two different values for one option ("Shade" and "shade", or options.size and size)
    are refused: which of them the shopper confirmed cannot be told."""
    out: dict[str, str] = {}
    given = [(k, v) for k, v in (options or {}).items()] + [("size", size), ("color", color)]
    for name, value in given:
        if not str(value or "").strip():
            continue
        key, value = option_key(name), str(value)
        if key in out and norm(out[key]) != norm(value):
            raise ToolError(
                f"two values for the option {name!r}: {out[key]!r} and {value!r}",
                code="conflicting_options",
                details={"option": str(name), "values": [out[key], value]},
            )
        out.setdefault(key, value)
    return out


# The words stores write for letter sizes, and back ("large" when a shopper says L)
_SIZE_LETTERS = {v: k for k, v in SIZE_WORDS.items()}


def _match_value(value: str, values: list[str]) -> str | None:
    want = norm(value)
    forms = (want, SIZE_WORDS.get(want), _SIZE_LETTERS.get(want))
    for form in forms:
        exact = [v for v in values if form and norm(v) == form]
        if exact:
            return exact[0]
    # a size said by its letter or word where the store writes the letter with its measure:
    # "small" or "S" for "S (40-55cm)"
    for form in forms:
        headed = [v for v in values if form and norm(v).split(" (")[0] == form]
        if len(headed) == 1:
            return headed[0]
    words = set(want.replace("/", " ").split())
    partial = [v for v in values if words and words <= set(norm(v).replace("/", " ").split())]
    return partial[0] if len(partial) == 1 else None


def _resolve_names(product: Product, wanted: dict[str, str]) -> dict[str, str]:
    """``wanted`` keyed and valued as the product's options; ToolError for a value the
    product does not have."""
    options = product.options()
    resolved: dict[str, str] = {}
    for key, value in wanted.items():
        attr = product.attributes.get(key)
        if key not in options and norm(value) in {
            norm(a) for a in (attr if isinstance(attr, list) else [attr]) if isinstance(a, str)
        }:
            continue  # what the whole product is ("red" of a red kettle): nothing to pick
        if key in options:
            keys = [key]
        else:  # a value under another name: the option that has it
            keys = [k for k in options if k not in resolved and _match_value(value, options[k])]
        hit = _match_value(value, options[keys[0]]) if keys else None
        if not keys or hit is None:
            raise ToolError(
                f"{product.title} has no {product.option_label(key)} {value!r}; "
                + "; ".join(
                    f"{product.option_label(k)}: {', '.join(v)}" for k, v in options.items()
                ),
                code="no_such_variant",
                details={"option": key, "value": value, "options": options},
            )
        resolved[keys[0]] = hit
    return resolved


def pick_variant(
    product: Product,
    *,
    variant_id: str | None,
    options: dict[str, str],
    available_only: bool = True,
) -> Variant | None:
    """The one variant the arguments name; None for a product without variants.

    ToolError ``no_such_variant`` (nothing matches), ``option_required`` (an option with
    several values left; ``details`` name it and its values) or ``out_of_stock``."""
    if not product.variants:
        if not product.available:
            raise ToolError(f"{product.title} is out of stock", code="out_of_stock")
        return None
    candidates = list(product.variants)
    if variant_id is not None:
        candidates = [v for v in candidates if variant_id in (v.id, v.sku)]
        if not candidates:
            raise ToolError(
                f"{product.title} has no variant {variant_id!r}",
                code="no_such_variant",
                details={"variant_ids": [v.id for v in product.variants]},
            )
    chosen = _resolve_names(product, options) if options else {}
    candidates = [
        v
        for v in candidates
        if all(norm(v.options.get(k, "")) == norm(val) for k, val in chosen.items())
    ]
    if not candidates:
        raise ToolError(
            f"{product.title} has no variant with {_describe(product, chosen)}",
            code="no_such_variant",
            details={"chosen": chosen, "options": product.options()},
        )
    if chosen and available_only and not any(v.available for v in candidates):
        # "July" of a necklace whose July is sold out in every chain length: that is the
        # answer, not a question about the chain length
        raise ToolError(
            f"{product.title} ({_describe(product, chosen)}) is out of stock",
            code="out_of_stock",
            details={"options": chosen, "in_stock": _in_stock_instead(product, chosen)},
        )
    for key in product.options():
        values = list(dict.fromkeys(v.options[key] for v in candidates if key in v.options))
        if len(values) > 1:
            in_stock = list(
                dict.fromkeys(
                    v.options[key] for v in candidates if key in v.options and v.available
                )
            )
            label = product.option_label(key)
            shown = in_stock or values
            raise ToolError(
                f"which {label} of {product.title}? available: {', '.join(shown)}",
                code="option_required",
                details={"option": key, "label": label, "values": shown, "chosen": chosen},
            )
    sellable = [v for v in candidates if v.available]
    if not sellable and available_only:
        gone = candidates[0]
        raise ToolError(
            f"{product.title} ({_describe(product, gone.options)}) is out of stock",
            code="out_of_stock",
            details={
                "variant_id": gone.id,
                "options": gone.options,
                "in_stock": _in_stock_instead(product, chosen),
            },
        )
    return (sellable or candidates)[0]


def _in_stock_instead(product: Product, chosen: dict[str, str]) -> dict[str, list[str]]:
    """Option -> its values in stock with the other options as chosen: 1L Sand sold out,
    {"color": ["Forest", "Black"]} (in 1L), {"capacity": ["500ml"]} (in Sand)."""
    out: dict[str, list[str]] = {}
    for key in chosen:
        rest = {k: v for k, v in chosen.items() if k != key}
        values = [
            v.options[key]
            for v in product.variants
            if v.available
            and key in v.options
            and all(norm(v.options.get(k, "")) == norm(x) for k, x in rest.items())
        ]
        if values:
            out[key] = list(dict.fromkeys(values))
    return out


def _describe(product: Product, options: dict[str, Any]) -> str:
    """ "Size UK 8, Color Tan"; a value that says its option's name is said alone ("Size 2
    (3-6kg)", not "Size Size 2 (3-6kg)")."""
    return ", ".join(
        str(v)
        if str(v).casefold().startswith(product.option_label(k).casefold() + " ")
        else f"{product.option_label(k)} {v}"
        for k, v in options.items()
    )


def describe_variant(product: Product, variant: Variant | None) -> str:
    """ "Switch type clicky, Backlight RGB" — what the shopper confirms."""
    return _describe(product, variant.options) if variant is not None else ""
