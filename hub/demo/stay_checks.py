"""The stay's checks for the demo's verdict: the folio closed at zero, one capture of the folio's
total, the ERP's revenue of the closed day equal to the folio's charges of that day.

A check whose piece of the hub is not there (nothing held the card) is not checked, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from canonical.money import from_minor

if TYPE_CHECKING:
    from hub.demo.stay import StayScene

Row = dict[str, Any]


@dataclass(frozen=True)
class Check:
    """One check: what it claims, whether it was made (and why not), what did not hold."""

    claim: str
    checked: bool
    why_not: str = ""
    problems: tuple[str, ...] = ()


def folio_total(folio: Row) -> Decimal:
    """What the guest owed: the folio's charges and taxes."""
    totals = folio["totals"]
    return Decimal(totals["charges"]) + Decimal(totals["taxes"])


def folio_check(folio: Row | None) -> Check:
    """The folio is closed at zero balance with an invoice number."""
    claim = "folio closed at zero with an invoice number"
    if folio is None:
        return Check(claim, False, "the stay never got a folio")
    problems = []
    if folio["status"] != "closed" or folio["invoice_number"] is None:
        problems.append(
            f"stay: folio {folio['folio_id']} is {folio['status']}, invoice {folio['invoice_number']}"
        )
    if Decimal(folio["balance"]) != 0:
        problems.append(f"stay: folio {folio['folio_id']} holds a balance of {folio['balance']}")
    return Check(claim, True, problems=tuple(problems))


def capture_check(scene: StayScene) -> Check:
    """The gateway captured once, the folio's total."""
    claim = "exactly one capture at the gateway, equal to the folio's total"
    if not scene.wired:
        return Check(claim, False, "the hub holds no card at check-in yet (pre-auth not wired)")
    if scene.folio is None:
        return Check(claim, False, "the stay never got a folio")
    total = folio_total(scene.folio)
    captured = [from_minor(h["amount_received"], h["currency"].upper()) for h in scene.captures]
    if captured == [total]:
        return Check(claim, True)
    return Check(
        claim,
        True,
        problems=(f"stay: the gateway captured {captured or 'nothing'}, the folio's total is {total}",),
    )


def erp_check(scene: StayScene) -> Check:
    """The ERP's revenue of the closed day is the folio's charges posted on that day."""
    claim = f"the ERP's revenue of {scene.business_date} equal to the folio's charges of that day"
    if scene.erp_day is None or scene.folio is None:
        return Check(
            claim, False, "no closed day was pulled" if scene.folio else "the stay never got a folio"
        )
    day = scene.business_date.isoformat()
    charged = sum(
        (
            Decimal(line["amount"])
            for line in scene.folio["lines"]
            if line["code_kind"] == "charge" and line["business_date"] == day
        ),
        Decimal(0),
    )
    revenue = Decimal(scene.erp_day["totals"]["revenue"])
    if revenue == charged:
        return Check(claim, True)
    return Check(
        claim, True, problems=(f"stay: the ERP's revenue of {day} is {revenue}, the folio charged {charged}",)
    )
