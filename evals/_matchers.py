"""Checking recorded values against the format's matchers and constraints.

Strings compare case- and whitespace-insensitively, the way the catalog's filters do, so a
dataset saying ``color=red`` accepts ``"Red"``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from shopagent.evals._format import (
    CONSTRAINT_RE,
    AnyValue,
    CartExpectation,
    Exact,
    InRange,
    Matcher,
    OneOf,
    Regex,
)

_MISSING = object()


def _norm(v: Any) -> Any:
    if isinstance(v, str):
        return " ".join(v.split()).casefold()
    return v


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float | Decimal):  # money is a Decimal or a decimal string
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip().lstrip("$"))
        except ValueError:
            return None
    return None


def _equal(expected: Any, actual: Any) -> bool:
    if isinstance(actual, list) and not isinstance(expected, list):
        return any(_equal(expected, a) for a in actual)  # a list attribute holding the value
    a, b = _num(expected), _num(actual)
    if a is not None and b is not None and not isinstance(expected, str):
        return abs(a - b) < 1e-6
    return bool(_norm(expected) == _norm(actual))


def match(matcher: Matcher, actual: Any) -> bool:
    """Whether ``actual`` (``_MISSING`` when absent) satisfies ``matcher``."""
    if isinstance(matcher, AnyValue):
        return actual is not _MISSING and actual is not None
    if actual is _MISSING:
        return False
    if isinstance(matcher, OneOf):
        return any(_equal(m, actual) for m in matcher.one_of)
    if isinstance(matcher, InRange):
        n = _num(actual)
        if n is None:
            return False
        lo, hi = matcher.range.min, matcher.range.max
        return (lo is None or n >= lo - 1e-9) and (hi is None or n <= hi + 1e-9)
    if isinstance(matcher, Regex):
        return re.search(matcher.regex, str(actual), re.IGNORECASE) is not None
    if isinstance(matcher, Exact):
        return _equal(matcher.exact, actual)
    return _equal(matcher, actual)


def lookup(args: dict[str, Any], key: str) -> Any:
    """Find an argument: dotted paths go into nested objects; a plain key that is not at
    the top level is also looked for one level down, so ``color`` finds
    ``{"filters": {"color": ...}}`` whatever the tool calls its nested object."""
    if "." in key:
        cur: Any = args
        for part in key.split("."):
            if not isinstance(cur, dict) or part not in cur:
                return _MISSING
            cur = cur[part]
        return cur
    if key in args:
        return args[key]
    for v in args.values():
        if isinstance(v, dict) and key in v:
            return v[key]
    return _MISSING


def match_arguments(matchers: dict[str, Matcher], args: dict[str, Any]) -> tuple[int, int]:
    """(satisfied, total) argument matchers."""
    ok = sum(1 for k, m in matchers.items() if match(m, lookup(args, k)))
    return ok, len(matchers)


# --- product constraints ----------------------------------------------------------------


def product_field(card: dict[str, Any], field: str) -> Any:
    if field in ("price", "title", "id", "brand", "in_stock", "on_sale"):
        return card.get(field, _MISSING)
    if field == "category":
        cat = card.get("category")
        if not cat:
            return _MISSING
        # "Women > Dresses" satisfies category=dresses and category=women.
        return [cat, *[p.strip() for p in str(cat).split(">")]]
    attrs = card.get("attributes") or {}
    if field in attrs:
        return attrs[field]
    return card.get(field, _MISSING)


def _same_noun(a: str, b: str) -> bool:
    """'dress' and 'dresses', 'mug' and 'mugs' name the same category."""
    a, b = _norm(a), _norm(b)
    return a == b or a in (b + "s", b + "es") or b in (a + "s", a + "es")


def check_constraint(constraint: str, card: dict[str, Any]) -> bool:
    m = CONSTRAINT_RE.match(constraint)
    if m is None:
        raise ValueError(f"bad constraint {constraint!r}")
    field, op, raw = m.groups()
    value = product_field(card, field)
    if value is _MISSING or value is None:
        return op == "!="  # a product lacking the attribute cannot satisfy a positive claim
    values = value if isinstance(value, list) else [value]
    if op in ("<", "<=", ">", ">="):
        want = _num(raw)
        nums = [n for n in (_num(v) for v in values) if n is not None]
        if want is None or not nums:
            return False
        n = nums[0]
        return {"<": n < want, "<=": n <= want + 1e-9, ">": n > want, ">=": n >= want - 1e-9}[op]
    # "category=kettles|cookware": any one alternative will do (demo values hold no '|').
    alts = [a.strip() for a in raw.split("|")] if "|" in raw else [raw]
    if op == "~":
        return any(_norm(a) in _norm(str(v)) for a in alts for v in values)
    if field in ("in_stock", "on_sale"):
        hit = any(str(values[0]).casefold() == a.casefold() for a in alts)
    elif field == "category":
        hit = any(_same_noun(str(v), a) for a in alts for v in values)
    else:
        hit = any(_equal(a, v) for a in alts for v in values)
    return hit if op == "=" else not hit


# --- cart ---------------------------------------------------------------------------------


def check_cart(exp: CartExpectation, cart: dict[str, Any]) -> list[str]:
    """Problems found (empty: the cart matches)."""
    problems: list[str] = []
    lines: list[dict[str, Any]] = list(cart.get("lines") or [])
    count = cart.get("item_count", sum(int(x.get("quantity", 1)) for x in lines))
    if exp.item_count is not None and not match(exp.item_count, count):
        problems.append(f"item_count {count} does not match {_show(exp.item_count)}")
    if exp.total is not None and not match(exp.total, cart.get("total", _MISSING)):
        problems.append(f"total {cart.get('total')} does not match {_show(exp.total)}")
    free = list(range(len(lines)))
    for want in exp.lines:
        found = None
        for i in free:
            line = lines[i]
            fields_ok = all(
                m is None or match(m, line.get(k, _MISSING))
                for k, m in (
                    ("product_id", want.product_id),
                    ("title", want.title),
                    ("quantity", want.quantity),
                )
            )
            opts = line.get("options") or {}
            if fields_ok and all(match(m, opts.get(k, _MISSING)) for k, m in want.options.items()):
                found = i
                break
        if found is None:
            problems.append(f"no cart line matches {want.model_dump(exclude_defaults=True)}")
        else:
            free.remove(found)
    if exp.exact and free and not problems:
        problems.append(f"{len(free)} unexpected cart line(s)")
    return problems


def _show(m: Matcher) -> str:
    return repr(m.model_dump()) if isinstance(m, BaseModel) else repr(m)
