"""Derived rate plans in plain Python: a parent's rates adjusted, its restrictions followed.

Rounding: an adjusted amount is rounded half up to the currency's minor unit (two places for
most currencies, none for JPY, KRW, …, three for BHD, KWD, …) and never goes below zero. A
percentage applies to every amount (nightly, per occupancy, extra adult and child); an amount
applies to the nightly and per-occupancy amounts, not to the extras.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from canonical.ari import Rates, Restrictions
from canonical.property import DefineProperty, RatePlanDefinition
from pms_core.errors import InvalidDefinition

# ISO 4217 exponent 0, then exponent 3
_NO_MINOR_UNIT_TEXT = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_PLACES_TEXT = "BHD IQD JOD KWD LYD OMR TND"
_NO_MINOR_UNIT = frozenset(_NO_MINOR_UNIT_TEXT.split())
_THREE_PLACES = frozenset(_THREE_PLACES_TEXT.split())
_HUNDRED = Decimal(100)
RESTRICTION_NAMES = frozenset(Restrictions.model_fields)


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of a currency: 1, 0.01 or 0.001."""
    if currency in _NO_MINOR_UNIT:
        return Decimal(1)
    if currency in _THREE_PLACES:
        return Decimal("0.001")
    return Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Derivation:
    """How a derived plan follows its parent: the adjustment and the restrictions it takes."""

    parent: str
    percent: Decimal | None = None
    amount: Decimal | None = None
    follows: frozenset[str] = frozenset()

    def adjust(self, value: Decimal | None, currency: str, *, extra: bool = False) -> Decimal | None:
        """The parent's amount as this plan sells it (None stays None)."""
        if value is None:
            return None
        if self.percent is not None:
            result = value * (_HUNDRED + self.percent) / _HUNDRED
        elif self.amount is not None and not extra:
            result = value + self.amount
        else:
            return value
        return max(result, Decimal(0)).quantize(minor_unit(currency), rounding=ROUND_HALF_UP)

    def rates(self, parent: Rates, currency: str) -> Rates:
        """The parent's resolved rates, adjusted."""
        return Rates(
            amount=self.adjust(parent.amount, currency),
            by_occupancy=tuple(
                (guests, self.adjust(amount, currency) or Decimal(0))
                for guests, amount in parent.by_occupancy
            ),
            extra_adult=self.adjust(parent.extra_adult, currency, extra=True),
            extra_child=self.adjust(parent.extra_child, currency, extra=True),
        )

    def restrictions(self, own: Restrictions, parent: Restrictions) -> Restrictions:
        """This plan's own restrictions with the followed fields taken from the parent."""
        if not self.follows:
            return own
        return own.model_copy(update={name: getattr(parent, name) for name in self.follows})


def parents_first(derivations: Mapping[str, Derivation | None]) -> list[str]:
    """Plan codes ordered so a parent comes before the plans derived from it (cycles left out)."""
    ordered: list[str] = []
    placed: set[str] = set()

    def place(code: str, seen: frozenset[str]) -> bool:
        if code in placed:
            return True
        derivation = derivations.get(code)
        if code in seen or (derivation is not None and derivation.parent not in derivations):
            return False
        if derivation is not None and not place(derivation.parent, seen | {code}):
            return False
        placed.add(code)
        ordered.append(code)
        return True

    for code in sorted(derivations):
        place(code, frozenset())
    return ordered


def descendants(derivations: Mapping[str, Derivation | None], codes: Iterable[str]) -> set[str]:
    """The plans derived, directly or not, from any of these plans."""
    found: set[str] = set()
    frontier = set(codes)
    while frontier:
        frontier = {
            code
            for code, derivation in derivations.items()
            if derivation is not None and derivation.parent in frontier and code not in found
        }
        found |= frontier
    return found


def check_derivation(cmd: DefineProperty, code: str) -> None:
    """Raise InvalidDefinition unless plan `code`'s parents exist, sell its room types and form no cycle."""
    plans = {plan.code: plan for plan in cmd.rate_plans}
    seen = [code]
    plan = plans[code]
    if unknown := plan.follows - RESTRICTION_NAMES:
        raise InvalidDefinition(cmd.code, f"rate plan {code!r} follows no restriction {sorted(unknown)}")
    while plan.derived_from is not None:
        parent = plans.get(plan.derived_from)
        if parent is None:
            raise InvalidDefinition(
                cmd.code, f"rate plan {plan.code!r} derives from unknown plan {plan.derived_from!r}"
            )
        if parent.code in seen:
            raise InvalidDefinition(
                cmd.code, f"rate plans derive from each other: {' -> '.join([*seen, parent.code])}"
            )
        if set(plan.room_types) - set(parent.room_types):
            raise InvalidDefinition(
                cmd.code, f"rate plan {plan.code!r} sells room types its parent {parent.code!r} does not sell"
            )
        seen.append(parent.code)
        plan = parent


def derivation_columns(plan: RatePlanDefinition) -> dict[str, Any]:
    """How a plan derives, as the rate_plans columns store it (all None for a base plan)."""
    adjust = plan.adjust
    return {
        "derived_from": plan.derived_from,
        "adjust_percent": None if adjust is None or plan.derived_from is None else adjust.percent,
        "adjust_amount": None if adjust is None or plan.derived_from is None else adjust.amount,
        "follows": sorted(plan.follows) if plan.derived_from is not None else None,
    }
