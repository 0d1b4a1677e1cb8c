"""Exact money: ``Decimal`` amounts quantised to the currency's minor unit.

In Python an amount is a ``Decimal`` next to an ISO 4217 currency code; on the wire (tool
results, API JSON, SSE) it is a decimal string such as ``"226.11"`` next to ``"currency"``.
Amounts are never summed as floats: a float cannot hold 0.10 exactly, and a cart total
built from floats can differ from the sum the shopper confirmed by a cent.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# ISO 4217 currencies whose minor unit is not 1/100 (the default).
_MINOR_UNITS = {
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}


def minor_unit(currency: str | None) -> int:
    """Digits after the decimal point for ``currency`` (2 unless ISO 4217 says otherwise)."""
    return _MINOR_UNITS.get((currency or "").upper(), 2)


def quantize(amount: Decimal | int | str | float, currency: str | None = "USD") -> Decimal:
    """``amount`` as a Decimal with exactly the currency's minor unit (half-up rounding).

    A float goes through its shortest repr (19.99 -> Decimal("19.99")), never through its
    binary value (19.989999...)."""
    if isinstance(amount, float):
        amount = repr(amount)
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    return value.quantize(Decimal(1).scaleb(-minor_unit(currency)), rounding=ROUND_HALF_UP)


def wire(amount: Decimal | None) -> str | None:
    """The wire form of an amount: a decimal string ("226.11"), None stays None."""
    return None if amount is None else str(amount)


_AMOUNT = re.compile(r"^[0-9]+(?:[.,][0-9]+)*$")


def _number(text: str) -> Decimal:
    """'1,299.00' / '1.299,00' / '12,99' / '1,299' / '12.5' -> Decimal; ValueError otherwise."""
    if not _AMOUNT.match(text):
        raise ValueError
    dots, commas = text.count("."), text.count(",")
    if dots and commas:  # both: the last one is the decimal point
        sep = "." if text.rfind(".") > text.rfind(",") else ","
    elif dots + commas == 0:
        return Decimal(text)
    else:
        sep = "." if dots else ","
        after = len(text) - text.rfind(sep) - 1
        # "1,299" and "1,299,000" group thousands; "12,99" and "226.11" have decimals; a dot
        # with three digits stays a decimal point (KWD and BHD have three minor digits).
        if dots + commas > 1 or (sep == "," and after == 3):
            return Decimal(text.replace(sep, ""))
    whole, frac = text.rsplit(sep, 1)
    return Decimal(f"{re.sub(r'[.,]', '', whole)}.{frac}")


def parse_money(text: Any, default_currency: str = "USD") -> tuple[Decimal, str]:
    """A feed's price text -> (amount quantised to the currency, currency).

    Accepts "226.11 USD", "USD 226.11", "$226.11", "1,299.00 USD", "12,99 EUR", "15".
    Raises ValueError for anything else (negative, empty, words)."""
    raw = " ".join(str(text or "").split())
    currency = default_currency
    m = re.fullmatch(r"([A-Za-z]{3})\s*(.+)|(.+?)\s*([A-Za-z]{3})", raw)
    if m:
        currency, raw = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    if raw[:1] in _SYMBOLS:
        currency = currency if m else _SYMBOLS[raw[0]]
        raw = raw[1:].strip()
    currency = currency.upper()
    try:
        value = _number(raw.replace(" ", ""))
    except (ValueError, InvalidOperation):
        raise ValueError(f"bad price {text!r}") from None
    exact = quantize(value, currency)
    if exact != value:  # rounding a feed's price would charge what the merchant never set
        raise ValueError(f"price {text!r} has more decimals than {currency} allows")
    return exact, currency


def format_money(amount: Any, currency: str | None) -> str:
    """For people: "$1,299.00", "€12.50", "1,500 JPY"; exact (no float on the way)."""
    try:
        value = quantize(amount, currency) if not isinstance(amount, Decimal) else amount
    except ValueError:
        return str(amount)
    sym = {"USD": "$", "EUR": "€", "GBP": "£"}.get((currency or "").upper())
    text = f"{value:,f}"
    return f"{sym}{text}" if sym else f"{text} {currency or ''}".strip()


__all__ = ["format_money", "minor_unit", "parse_money", "quantize", "wire"]
