"""Currency exponents (ISO 4217), and amounts held, rounded and shared out at a currency's exponent.

The rule, once for the whole hub: an amount is a `Decimal` with exactly its currency's number of
decimal places (JPY 0, EUR 2, KWD 3). Whatever is computed (a tax, a share of a split) is rounded
once, per line, half away from zero (ROUND_HALF_UP), and a total shared out over lines is shared
by largest remainder, so the lines always add up to the total: no minor unit is made or lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

# ISO 4217 minor units of the active currencies whose exponent is not 2 (every other code has 2).
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_EXPONENTS: dict[str, int] = {
    code: places for text, places in ((_ZERO, 0), (_THREE, 3), (_FOUR, 4)) for code in text.split()
}
ROUNDING = ROUND_HALF_UP


class AmountNotInCurrency(ValueError):
    """An amount with more decimal places than its currency has (JPY 100.5, EUR 1.005)."""

    def __init__(self, amount: Decimal, currency: str) -> None:
        places = exponent(currency)
        super().__init__(f"{amount} is not an amount of {currency} ({places} decimal places)")
        self.amount = amount
        self.currency = currency


def exponent(currency: str) -> int:
    """The currency's number of decimal places (ISO 4217 minor unit): JPY 0, CNY 2, KWD 3."""
    return _EXPONENTS.get(currency, 2)


def quantum(currency: str) -> Decimal:
    """The currency's minor unit as a Decimal: JPY 1, EUR 0.01, KWD 0.001."""
    return Decimal(1).scaleb(-exponent(currency))


def quantise(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded to the currency's exponent, half away from zero (the hub's one rounding rule)."""
    return amount.quantize(quantum(currency), rounding=ROUNDING)


def exact(amount: Decimal, currency: str) -> Decimal:
    """`amount` at the currency's exponent when that loses nothing; AmountNotInCurrency otherwise."""
    if not amount.is_finite():
        raise AmountNotInCurrency(amount, currency)
    held = amount.quantize(quantum(currency), rounding=ROUND_DOWN)
    if held != amount:
        raise AmountNotInCurrency(amount, currency)
    return held


def to_minor(amount: Decimal, currency: str) -> int:
    """The amount in minor units (EUR 12.34 -> 1234); AmountNotInCurrency if it does not fit."""
    return int(exact(amount, currency).scaleb(exponent(currency)))


def from_minor(units: int, currency: str) -> Decimal:
    """Minor units back to an amount at the currency's exponent (1234 EUR -> 12.34)."""
    return Decimal(units).scaleb(-exponent(currency)).quantize(quantum(currency))


def allocate(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Share `total` over `weights` at the currency's exponent; the shares add up to `total` exactly.

    Each share is rounded toward zero first; the minor units left over go one each to the shares
    with the largest remainders (the earliest first on a tie).
    """
    if not weights or any(weight < 0 for weight in weights):
        raise ValueError("allocate: weights must be one or more, none negative")
    whole = sum(weights, Decimal(0))
    if whole == 0:
        raise ValueError("allocate: weights add up to zero")
    units = to_minor(total, currency)
    sign = -1 if units < 0 else 1
    exact_shares = [abs(units) * weight / whole for weight in weights]
    floors = [int(share.to_integral_value(rounding=ROUND_DOWN)) for share in exact_shares]
    left = abs(units) - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact_shares[i] - floors[i]), i))
    for index in by_remainder[:left]:
        floors[index] += 1
    return [from_minor(sign * share, currency) for share in floors]
