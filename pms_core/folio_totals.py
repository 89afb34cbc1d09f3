"""Totals of folio lines: revenue by department, GL account, tax code and payment method."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from canonical.folio import FolioLine, FolioTotals, LineKind
from canonical.folio_codes import CodeKind

TRANSFERS = frozenset({LineKind.TRANSFER_IN, LineKind.TRANSFER_OUT})


def _add(into: dict[str, Decimal], key: str, amount: Decimal) -> None:
    into[key] = into.get(key, Decimal(0)) + amount


def _nonzero(sums: dict[str, Decimal]) -> dict[str, Decimal]:
    # A key whose lines cancel out (a charge moved away, a reversed payment) says nothing.
    return {key: sums[key] for key in sorted(sums) if sums[key] != 0}


def line_totals(lines: Iterable[FolioLine], *, transfers: bool = True) -> FolioTotals:
    """Sum the lines with folio signs; `transfers=False` leaves transfer lines out (a day's revenue)."""
    by_kind = {kind: Decimal(0) for kind in CodeKind}
    department: dict[str, Decimal] = {}
    gl_account: dict[str, Decimal] = {}
    tax_code: dict[str, Decimal] = {}
    method: dict[str, Decimal] = {}
    for line in lines:
        if not transfers and line.kind in TRANSFERS:
            continue
        by_kind[line.code_kind] += line.amount
        _add(gl_account, line.gl_account, line.amount)
        if line.code_kind is CodeKind.CHARGE:
            _add(department, line.department or "", line.amount)
        elif line.code_kind is CodeKind.TAX:
            _add(tax_code, line.transaction_code, line.amount)
        else:
            _add(method, line.transaction_code, line.amount)
    return FolioTotals(
        charges=by_kind[CodeKind.CHARGE],
        taxes=by_kind[CodeKind.TAX],
        payments=by_kind[CodeKind.PAYMENT],
        by_department=_nonzero(department),
        by_gl_account=_nonzero(gl_account),
        by_tax_code=_nonzero(tax_code),
        by_payment_method=_nonzero(method),
    )
