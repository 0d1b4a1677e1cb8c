"""Which variant an add names (``tools/_variants.py``), when what was chosen is sold out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopagent.errors import ToolError
from shopagent.retrieval.schema import Product, Variant
from shopagent.tools._variants import pick_variant


def _necklace() -> Product:
    variants = [
        Variant(
            id=f"{stone[:3]}-{length[:2]}",
            options={"birthstone": stone, "chain length": length},
            price=Decimal("38.00"),
            available=not stone.startswith("July"),
        )
        for stone in ("January - Garnet", "July - Ruby")
        for length in ("16 inch", "18 inch")
    ]
    return Product(
        id="pendant",
        title="Birthstone Pendant",
        category="Necklaces",
        price=Decimal("38.00"),
        variants=variants,
    )


def test_a_choice_sold_out_in_every_remaining_option_is_said_sold_out() -> None:
    """July in every chain length sold out: "out of stock", not "which chain length?" (a
    question whose every answer would be refused next)."""
    with pytest.raises(ToolError) as err:
        pick_variant(_necklace(), variant_id=None, options={"birthstone": "July - Ruby"})
    assert err.value.code == "out_of_stock", err.value
    assert "July - Ruby" in err.value.message


def test_a_choice_in_stock_still_asks_for_the_option_left() -> None:
    with pytest.raises(ToolError) as err:
        pick_variant(_necklace(), variant_id=None, options={"birthstone": "January - Garnet"})
    assert err.value.code == "option_required"
    assert err.value.details["values"] == ["16 inch", "18 inch"]


def test_a_value_that_says_its_option_is_described_alone() -> None:
    from shopagent.tools._variants import describe_variant

    v = Variant(id="n2", options={"size": "Size 2 (3-6kg)"}, price=Decimal("12.00"))
    nappies = Product(
        id="nappies", title="Eco Nappies", category="Nappies", price=Decimal("12"), variants=[v]
    )
    assert describe_variant(nappies, v) == "Size 2 (3-6kg)"


def test_a_size_said_as_a_word_picks_the_letter_written_with_its_measure() -> None:
    """A harness sized "S (40-55cm)": "small" and "S" are that size (a shopper does not
    type the chest range); "extra small" is XS, not S."""
    sizes = ["XS (30-40cm)", "S (40-55cm)", "M (55-70cm)", "L (70-90cm)"]
    harness = Product(
        id="harness",
        title="No-Pull Dog Harness",
        price=Decimal("24.00"),
        variants=[
            Variant(id=f"h-{n}", options={"size": size, "color": "Red"}, price=Decimal("24.00"))
            for n, size in enumerate(sizes)
        ],
    )
    for said, size in [
        ("small", "S (40-55cm)"),
        ("S", "S (40-55cm)"),
        ("Large", "L (70-90cm)"),
        ("extra small", "XS (30-40cm)"),
    ]:
        v = pick_variant(harness, variant_id=None, options={"size": said})
        assert v is not None and v.options["size"] == size, said
    with pytest.raises(ToolError) as err:
        pick_variant(harness, variant_id=None, options={"size": "XXL"})
    assert err.value.code == "no_such_variant"
