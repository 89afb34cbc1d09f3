"""The figures of a closed day, from the day's sums: revenue, taxes and payments by code and GL
account, ledger movements (opening + debits + credits = closing), and room statistics.

Plain arithmetic on minor units: the adapters sum, this module shapes, checks and rounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from canonical.folio_codes import CodeKind
from canonical.money import from_minor, quantise
from canonical.revenue import DayStatistics, Ledger, LedgerMovement, PaymentLine, RevenueLine, TaxLine

OCCUPANCY_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class DaySum:
    """The day's lines of one code kind, transaction code, department and GL account (transfers left out)."""

    code_kind: CodeKind
    transaction_code: str
    department: str | None
    gl_account: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class LedgerDay:
    """One ledger's day: the sum of what the day added (> 0), what it took off (< 0), its closing."""

    debits_minor: int
    credits_minor: int
    closing_minor: int


def _grouped(sums: Iterable[DaySum], kind: CodeKind, by_department: bool) -> dict[tuple[str, str], int]:
    grouped: dict[tuple[str, str], int] = {}
    for entry in sums:
        if entry.code_kind is kind:
            key = ((entry.department or "") if by_department else entry.transaction_code, entry.gl_account)
            grouped[key] = grouped.get(key, 0) + entry.amount_minor
    # A key whose lines cancel out (a charge reversed the same day) says nothing.
    return {key: grouped[key] for key in sorted(grouped) if grouped[key] != 0}


def revenue_lines(sums: Iterable[DaySum], currency: str) -> tuple[RevenueLine, ...]:
    """Revenue by (department, GL account), ordered by department."""
    grouped = _grouped(sums, CodeKind.CHARGE, by_department=True)
    return tuple(
        RevenueLine(department=dep, gl_account=gl, amount=from_minor(units, currency))
        for (dep, gl), units in grouped.items()
    )


def tax_lines(sums: Iterable[DaySum], currency: str) -> tuple[TaxLine, ...]:
    """Taxes by (tax code, GL account), ordered by tax code."""
    grouped = _grouped(sums, CodeKind.TAX, by_department=False)
    return tuple(
        TaxLine(tax_code=code, gl_account=gl, amount=from_minor(units, currency))
        for (code, gl), units in grouped.items()
    )


def payment_lines(sums: Iterable[DaySum], currency: str) -> tuple[PaymentLine, ...]:
    """Payments by (method, GL account), ordered by method (negative: money received)."""
    grouped = _grouped(sums, CodeKind.PAYMENT, by_department=False)
    return tuple(
        PaymentLine(method=code, gl_account=gl, amount=from_minor(units, currency))
        for (code, gl), units in grouped.items()
    )


def movement(
    ledger: Ledger, day: LedgerDay, opening: Decimal | None, currency: str, *, balancing: bool = False
) -> tuple[LedgerMovement, str | None]:
    """The ledger's movement over the day, and a mismatch (one line) when opening + day != closing.

    `opening`: the previous closed day's closing (None on a property's first close: then it is
    what the day explains). `balancing`: the ledger also moves without lines of its own (advance
    deposits applied at arrival), so the difference is that movement, not a mismatch.
    """
    debits = from_minor(day.debits_minor, currency)
    credits = from_minor(day.credits_minor, currency)
    closing = from_minor(day.closing_minor, currency)
    if opening is None:
        opening = closing - debits - credits
    rest = closing - (opening + debits + credits)
    problem = None
    if rest != 0 and balancing:
        debits, credits = (debits + rest, credits) if rest > 0 else (debits, credits + rest)
    elif rest != 0:
        problem = (
            f"{ledger.value} ledger: opening {opening} + debits {debits} + credits {credits}"
            f" != closing {closing} {currency} (off by {rest})"
        )
    return LedgerMovement(
        ledger=ledger, opening=opening, debits=debits, credits=credits, closing=closing
    ), problem


def statistics(
    rooms_available: int, rooms_sold: int, room_revenue_minor: int, currency: str
) -> DayStatistics:
    """Occupancy (4 places), ADR and RevPAR (at the currency's exponent, half up); 0 when nothing divides."""
    revenue = from_minor(room_revenue_minor, currency)
    zero = quantise(Decimal(0), currency)
    occupancy = (
        (Decimal(rooms_sold) / rooms_available).quantize(OCCUPANCY_PLACES, rounding=ROUND_HALF_UP)
        if rooms_available
        else Decimal(0).quantize(OCCUPANCY_PLACES)
    )
    return DayStatistics(
        rooms_available=rooms_available,
        rooms_sold=rooms_sold,
        occupancy=occupancy,
        adr=quantise(revenue / rooms_sold, currency) if rooms_sold else zero,
        revpar=quantise(revenue / rooms_available, currency) if rooms_available else zero,
    )


def openings(previous: Iterable[LedgerMovement] | None) -> Mapping[Ledger, Decimal]:
    """The closing balance of each ledger of the previous closed day (nothing on a first close)."""
    return {} if previous is None else {entry.ledger: entry.closing for entry in previous}
