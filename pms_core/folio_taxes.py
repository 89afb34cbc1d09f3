"""Taxes of one charge line: inclusive or exclusive, percent or fixed per person-night, several a line.

The price posted is `quantity x unit_amount`. Inclusive taxes are carved out of it: the fixed ones
first, then the percent ones from what is left, as `left x rate / (1 + sum of inclusive rates)`.
The charge line keeps the rest, so the charge and its inclusive taxes add up to the price exactly.
Exclusive taxes are added: percent ones on the charge line's (net) amount, fixed ones as
`amount x persons x quantity`. Taxes are never taxed. Each tax is rounded once, on its own line,
half away from zero at the currency's exponent (canonical.money).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from canonical.folio_codes import TransactionCode
from canonical.money import exact, quantise

HUNDRED = Decimal(100)


class ChargeRefused(ValueError):
    """The charge cannot be posted as given (an amount its currency cannot hold, taxes above it)."""


@dataclass(frozen=True)
class TaxedCharge:
    """The charge line's (net) amount and one amount per tax, in the order of the charge's taxes."""

    net: Decimal
    taxes: tuple[tuple[TransactionCode, Decimal], ...]

    @property
    def total(self) -> Decimal:
        """What the guest pays: the net and every tax."""
        return self.net + sum((amount for _, amount in self.taxes), Decimal(0))


def _fixed(tax: TransactionCode, persons: int, quantity: int, sign: int) -> Decimal:
    assert tax.per_person_night is not None
    return sign * tax.per_person_night * persons * quantity


def tax_charge(
    unit_amount: Decimal,
    quantity: int,
    persons: int,
    taxes: tuple[TransactionCode, ...],
    currency: str,
) -> TaxedCharge:
    """Split a price into the charge line and its tax lines; ChargeRefused when it cannot be."""
    try:
        price = exact(unit_amount, currency) * quantity
    except ValueError as err:
        raise ChargeRefused(str(err)) from None
    # A negative price (an allowance) bears its taxes negated, so reversal and allowance agree.
    sign = -1 if price < 0 else 1
    inclusive = [tax for tax in taxes if tax.inclusive]
    fixed_in = {tax.code: _fixed(tax, persons, quantity, sign) for tax in inclusive if tax.percent is None}
    left = price - sum(fixed_in.values(), Decimal(0))
    if left * sign <= 0 and fixed_in:
        raise ChargeRefused(f"the price {price} {currency} does not cover its inclusive fixed taxes")
    rates = sum((tax.percent for tax in inclusive if tax.percent is not None), Decimal(0))
    base = left / (1 + rates / HUNDRED)
    percent_in = {
        tax.code: quantise(base * tax.percent / HUNDRED, currency)
        for tax in inclusive
        if tax.percent is not None
    }
    net = left - sum(percent_in.values(), Decimal(0))
    amounts: list[tuple[TransactionCode, Decimal]] = []
    for tax in taxes:
        if tax.code in fixed_in:
            amount = fixed_in[tax.code]
        elif tax.code in percent_in:
            amount = percent_in[tax.code]
        elif tax.percent is not None:
            amount = quantise(net * tax.percent / HUNDRED, currency)
        else:
            amount = _fixed(tax, persons, quantity, sign)
        amounts.append((tax, quantise(amount, currency)))
    return TaxedCharge(net=quantise(net, currency), taxes=tuple(amounts))
