"""Folios: their lines, the commands that post to them, and the events they raise.

Amounts carry folio signs: a charge or tax adds to the balance (positive), a payment takes from
it (negative); a reversal is its line negated; a transfer leaves one folio (out, negated) and
enters another (in). Every amount has its currency's exponent (canonical.money).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, Field, model_validator

from canonical.base import AwareDatetime, Code, CurrencyCode, Frozen, Money
from canonical.folio_codes import CodeKind

FOLIO_OPENED_V1 = "folio.opened.v1"
FOLIO_LINE_POSTED_V1 = "folio.line_posted.v1"
FOLIO_CLOSED_V1 = "folio.closed.v1"

_DIGIT_RUN = re.compile(r"(?:\d[ -]?){13,19}")


def _luhn(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _no_card_number(text: str) -> str:
    # A folio line is kept for years and sent to partners: a card number must never get onto one.
    for run in _DIGIT_RUN.findall(text):
        digits = re.sub(r"\D", "", run)
        if 13 <= len(digits) <= 19 and _luhn(digits):
            raise ValueError("looks like a card number: give the gateway's reference instead")
    return text


Text = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_card_number)]
Reference = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_no_card_number)]
Amount = Annotated[Decimal, Field(max_digits=15, decimal_places=4)]


class FolioKind(StrEnum):
    """A guest's own folio (one per stay), a master folio (a group, an event), a company's."""

    GUEST = "guest"
    MASTER = "master"
    COMPANY = "company"


class FolioStatus(StrEnum):
    """Open takes lines; closed (at zero balance, with an invoice number) never changes again."""

    OPEN = "open"
    CLOSED = "closed"


class LineKind(StrEnum):
    """How a line came onto its folio."""

    CHARGE = "charge"
    TAX = "tax"
    PAYMENT = "payment"
    REVERSAL = "reversal"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"


class FolioLine(Frozen):
    """One line of a folio, never edited nor deleted once posted.

    `code_kind` says what money the line is (revenue, tax, payment) whatever its `kind`: a
    reversal or a transfer of a room charge is still room revenue, with the original's
    department and GL account. `charge_line_id` ties a tax line to its charge on the same folio.
    """

    id: UUID
    folio_id: UUID
    seq: int
    kind: LineKind
    code_kind: CodeKind
    transaction_code: Code
    description: str
    department: Code | None
    gl_account: Code
    business_date: date
    posted_at: AwareDatetime
    quantity: int
    unit_amount: Decimal
    amount: Decimal
    charge_line_id: UUID | None = None
    reverses: UUID | None = None  # a reversal: the line it negates
    moved_line_id: UUID | None = None  # transfer out: the line moved; transfer in: the line out
    counterpart_folio_id: UUID | None = None  # a transfer: the other folio
    split_of: UUID | None = None  # a part of a split: the line split
    reason: str | None = None
    reference: str | None = None


class RoutingInstruction(Frozen):
    """Charges posted to `source_folio_id` whose code or department is named go to `target_folio_id`."""

    id: UUID
    source_folio_id: UUID
    target_folio_id: UUID
    transaction_codes: frozenset[Code] = frozenset()
    departments: frozenset[Code] = frozenset()


class FolioTotals(Frozen):
    """Sums of lines, with folio signs: revenue by department, every line by GL account, taxes by
    tax code, payments by payment method (negative: money received)."""

    charges: Decimal
    taxes: Decimal
    payments: Decimal
    by_department: dict[str, Decimal]
    by_gl_account: dict[str, Decimal]
    by_tax_code: dict[str, Decimal]
    by_payment_method: dict[str, Decimal]


class FolioHeader(Frozen):
    """Who and what a folio is for."""

    folio_id: UUID
    property_code: Code
    kind: FolioKind
    currency: CurrencyCode
    booking_id: UUID | None = None
    stay_id: UUID | None = None
    company_profile_id: UUID | None = None
    name: str | None = None


class FolioStatement(FolioHeader):
    """A folio as it stands: status, balance, lines in order, totals, its routing instructions."""

    status: FolioStatus
    balance: Decimal
    invoice_number: int | None
    opened_at: AwareDatetime
    closed_at: AwareDatetime | None
    lines: tuple[FolioLine, ...]
    totals: FolioTotals
    routes: tuple[RoutingInstruction, ...] = ()


class FolioOpened(FolioHeader):
    """A folio was opened."""

    opened_at: AwareDatetime


class FolioLinesPosted(FolioHeader):
    """Lines were posted to one folio by one command (a charge with its taxes, a payment, ...)."""

    lines: tuple[FolioLine, ...]
    balance: Money


class FolioClosed(FolioHeader):
    """A folio closed at zero balance with its invoice number; it never changes again.

    Carries every line and the totals, for the expense vendor of a corporate stay and the ERP.
    """

    invoice_number: int
    closed_at: AwareDatetime
    business_date: date
    lines: tuple[FolioLine, ...]
    totals: FolioTotals


class BusinessDayTotals(Frozen):
    """What one property's folios took on one business date (transfers left out: they net to zero)."""

    property_code: Code
    business_date: date
    currency: CurrencyCode
    totals: FolioTotals


class LedgerBalances(Frozen):
    """Open balances of a property: guest ledger (guest and master folios), city ledger (company
    folios), advance deposits (deposit payments on folios of guests not yet in house)."""

    property_code: Code
    currency: CurrencyCode
    guest_ledger: Decimal
    city_ledger: Decimal
    advance_deposits: Decimal


class OpenFolio(Frozen):
    """Open a folio: a guest folio names its booking (and stay); a company folio its profile."""

    property_code: Code
    kind: FolioKind
    booking_id: UUID | None = None
    stay_id: UUID | None = None
    company_profile_id: UUID | None = None
    name: Text | None = None

    @model_validator(mode="after")
    def _guest_has_booking(self) -> OpenFolio:
        if self.kind is FolioKind.GUEST and self.booking_id is None:
            raise ValueError("a guest folio names its booking")
        return self


class PostCharge(Frozen):
    """Post `quantity` x `unit_amount` of a charge code, with its taxes, to a folio (as routed).

    Names the folio, or the booking whose open guest folio takes it (opened if it has none).
    `persons` counts for taxes per person-night.
    """

    property_code: Code
    folio_id: UUID | None = None
    booking_id: UUID | None = None
    transaction_code: Code
    unit_amount: Amount
    quantity: Annotated[int, Field(ge=1, le=9999)] = 1
    persons: Annotated[int, Field(ge=1, le=99)] = 1
    description: Text | None = None
    business_date: date | None = None  # None: the property's business date
    reference: Reference | None = None

    @model_validator(mode="after")
    def _one_target(self) -> PostCharge:
        if (self.folio_id is None) == (self.booking_id is None):
            raise ValueError("name either the folio or the booking")
        if self.unit_amount == 0:
            raise ValueError("unit_amount must not be zero")
        return self


class PostPayment(Frozen):
    """Post a payment received (negative: a refund) with its method's transaction code."""

    property_code: Code
    folio_id: UUID
    method: Code
    amount: Amount
    reference: Reference | None = None  # a gateway's authorisation or transfer id, never a card number
    business_date: date | None = None

    @model_validator(mode="after")
    def _not_zero(self) -> PostPayment:
        if self.amount == 0:
            raise ValueError("amount must not be zero")
        return self


class ReverseLine(Frozen):
    """Reverse a line (a charge with its taxes, or a payment) by a line negating it."""

    property_code: Code
    folio_id: UUID
    line_id: UUID
    reason: Text
    business_date: date | None = None


class TransferLines(Frozen):
    """Move lines (a charge with its taxes, a payment) from one open folio to another."""

    property_code: Code
    folio_id: UUID
    line_ids: tuple[UUID, ...] = Field(min_length=1, max_length=500)
    to_folio_id: UUID
    business_date: date | None = None


class SplitLine(Frozen):
    """Split a line into parts: the given amounts (adding up to the line's), or `into` equal parts."""

    property_code: Code
    folio_id: UUID
    line_id: UUID
    parts: tuple[Amount, ...] = Field(default=(), max_length=50)
    into: Annotated[int, Field(ge=2, le=50)] | None = None
    business_date: date | None = None

    @model_validator(mode="after")
    def _parts_or_into(self) -> SplitLine:
        if (len(self.parts) >= 2) == (self.into is not None):
            raise ValueError("give either two or more parts or into")
        return self


class RouteCharges(Frozen):
    """Route charges posted to a folio, by transaction code or department, to another folio."""

    property_code: Code
    folio_id: UUID
    to_folio_id: UUID
    transaction_codes: frozenset[Code] = frozenset()
    departments: frozenset[Code] = frozenset()

    @model_validator(mode="after")
    def _names_something(self) -> RouteCharges:
        if not self.transaction_codes and not self.departments:
            raise ValueError("name transaction codes or departments to route")
        return self


class CloseFolio(Frozen):
    """Close a folio at zero balance; it takes the property's next invoice number."""

    property_code: Code
    folio_id: UUID
