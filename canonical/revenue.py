"""A closed business day: what the night audit froze and the finance ERP pulls (`revenue.day_closed.v1`).

Amounts are in the property's currency at its exponent (canonical.money), with folio signs: revenue
and taxes positive, payments negative (money received). A closed day never changes; a correction
after the close is a line of a later day. Lists are ordered by their code, so one day always reads
(and serialises) the same.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from canonical.base import AwareDatetime, Code, CurrencyCode, Frozen

REVENUE_DAY_CLOSED_V1 = "revenue.day_closed.v1"

NonNegative = Annotated[int, Field(ge=0)]


class Ledger(StrEnum):
    """Where money owed to or by the hotel sits: guests in house, companies billed, deposits held."""

    GUEST = "guest"  # open folios of guests and groups in house
    CITY = "city"  # closed-out balances billed to companies (accounts receivable)
    ADVANCE_DEPOSITS = "advance_deposits"  # money received before arrival


class RevenueLine(Frozen):
    """Revenue of the day for one department and GL account."""

    department: Code
    gl_account: Code
    amount: Decimal


class TaxLine(Frozen):
    """Tax of the day for one tax code, and the GL account it is booked to."""

    tax_code: Code
    gl_account: Code
    amount: Decimal


class PaymentLine(Frozen):
    """Payments of the day for one payment method (negative: received)."""

    method: Code
    gl_account: Code
    amount: Decimal


class LedgerMovement(Frozen):
    """One ledger over the day: opening balance + debits + credits = closing balance."""

    ledger: Ledger
    opening: Decimal
    debits: Decimal  # what the day added (charges, taxes; deposits taken are credits)
    credits: Decimal  # what the day took off (payments, transfers out); zero or negative
    closing: Decimal


class DayStatistics(Frozen):
    """Rooms of the day: available (physical - out of order), sold (occupied nights), and the ratios."""

    rooms_available: NonNegative
    rooms_sold: NonNegative
    occupancy: Decimal  # rooms_sold / rooms_available, 4 decimal places (0.9000 = 90 %)
    adr: Decimal  # average daily rate: room revenue / rooms sold, at the currency's exponent
    revpar: Decimal  # revenue per available room: room revenue / rooms available


class DayClosed(Frozen):
    """One property's closed business day, as frozen by the night audit."""

    property_code: Code
    business_date: date
    currency: CurrencyCode
    closed_at: AwareDatetime
    revenue: tuple[RevenueLine, ...] = ()
    taxes: tuple[TaxLine, ...] = ()
    payments: tuple[PaymentLine, ...] = ()
    ledgers: tuple[LedgerMovement, ...] = ()
    statistics: DayStatistics
    no_shows: NonNegative = 0
