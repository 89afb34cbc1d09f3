"""Minor units: every amount the currency can hold converts exactly and back; a finer one is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical.payments import MinorAmount, exponent


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("480.00", "EUR", 48000),
        ("0.01", "USD", 1),
        ("1500", "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("7", "EUR", 700),
    ],
)
def test_given_an_amount_when_converted_then_minor_units_by_the_iso_exponent(
    amount: str, currency: str, minor: int
) -> None:
    assert MinorAmount.of(Decimal(amount), currency).value == minor


@pytest.mark.parametrize(("amount", "currency"), [("0.001", "EUR"), ("1.5", "JPY"), ("0.0001", "KWD")])
def test_given_an_amount_finer_than_the_currency_when_converted_then_refused_not_rounded(
    amount: str, currency: str
) -> None:
    with pytest.raises(ValueError, match="decimal places"):
        MinorAmount.of(Decimal(amount), currency)


@given(
    value=st.integers(min_value=0, max_value=10**12),
    currency=st.sampled_from(["EUR", "JPY", "KWD", "CLF", "CHF"]),
)
def test_given_any_minor_amount_when_turned_into_money_and_back_then_unchanged(
    value: int, currency: str
) -> None:
    amount = MinorAmount(value=value, currency=currency)

    money = amount.as_money()

    assert MinorAmount.of(money.amount, money.currency) == amount
    assert -money.amount.as_tuple().exponent == exponent(currency)  # type: ignore[operator]


def test_given_two_currencies_when_added_then_refused() -> None:
    with pytest.raises(ValueError, match="cannot add"):
        MinorAmount(value=1, currency="EUR").plus(MinorAmount(value=1, currency="USD"))
