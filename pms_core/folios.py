"""The folio: an append-only list of lines whose sum is its balance, closed for good at zero.

Corrections are lines too: a reversal negates a line, a transfer moves it (out here, in there),
a split reverses it and posts its parts. A charge's tax lines follow it in all three. Plain Python:
the adapters load and store folios, the handlers decide what to post.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from canonical.folio import (
    FolioHeader,
    FolioKind,
    FolioLine,
    FolioStatus,
    LineKind,
)
from canonical.folio_codes import CodeKind, TransactionCode
from canonical.money import exact
from pms_core.folio_errors import FolioIsClosed, FolioNotBalanced, FolioRefused, LineNotOpen, UnknownLine
from pms_core.folio_taxes import ChargeRefused, tax_charge

HEADS = frozenset({LineKind.CHARGE, LineKind.PAYMENT, LineKind.TRANSFER_IN})


@dataclass
class Folio:
    """A folio with its lines; `posted` holds the lines added since it was loaded."""

    id: UUID
    property_code: str
    kind: FolioKind
    currency: str
    opened_at: datetime
    booking_id: UUID | None = None
    stay_id: UUID | None = None
    company_profile_id: UUID | None = None
    name: str | None = None
    status: FolioStatus = FolioStatus.OPEN
    invoice_number: int | None = None
    closed_at: datetime | None = None
    lines: list[FolioLine] = field(default_factory=list)
    balance: Decimal = Decimal(0)
    posted: list[FolioLine] = field(default_factory=list)
    _consumed: set[UUID] = field(default_factory=set)

    def __post_init__(self) -> None:
        for line in self.lines:
            self._consume(line)

    @property
    def header(self) -> FolioHeader:
        """Who and what this folio is for."""
        return FolioHeader(
            folio_id=self.id,
            property_code=self.property_code,
            kind=self.kind,
            currency=self.currency,
            booking_id=self.booking_id,
            stay_id=self.stay_id,
            company_profile_id=self.company_profile_id,
            name=self.name,
        )

    def ensure_open(self) -> None:
        """Raise FolioIsClosed unless the folio takes changes."""
        if self.status is FolioStatus.CLOSED:
            raise FolioIsClosed(self.id, self.invoice_number)

    def line(self, line_id: UUID) -> FolioLine:
        """The line with this id; UnknownLine otherwise."""
        found = next((line for line in self.lines if line.id == line_id), None)
        if found is None:
            raise UnknownLine(self.id, line_id)
        return found

    def open_line(self, line_id: UUID) -> FolioLine:
        """A charge or payment that can still be reversed, moved or split; LineNotOpen otherwise."""
        line = self.line(line_id)
        if line.code_kind is CodeKind.TAX:
            raise LineNotOpen(line_id, "is a tax line: it follows its charge")
        if line.kind not in HEADS:
            raise LineNotOpen(line_id, f"is a {line.kind.value} line")
        if line.id in self._consumed:
            raise LineNotOpen(line_id, "was reversed, moved or split already")
        return line

    def taxes_of(self, charge: FolioLine) -> list[FolioLine]:
        """The tax lines of a charge line on this folio."""
        return [line for line in self.lines if line.charge_line_id == charge.id]

    def new_line(self, **fields: Any) -> FolioLine:
        """A line of this folio with a fresh id (not yet posted)."""
        return FolioLine(id=uuid4(), folio_id=self.id, seq=0, **fields)

    def post(self, lines: list[FolioLine]) -> list[FolioLine]:
        """Append lines in order (numbered from the folio's next seq); the balance follows."""
        self.ensure_open()
        done = []
        for line in lines:
            if line.folio_id != self.id:
                raise FolioRefused(f"line {line.id} belongs to folio {line.folio_id}, not {self.id}")
            numbered = line.model_copy(update={"seq": len(self.lines) + 1})
            self.lines.append(numbered)
            self.posted.append(numbered)
            self.balance += numbered.amount
            self._consume(numbered)
            done.append(numbered)
        return done

    def ensure_closable(self) -> None:
        """Raise FolioIsClosed or FolioNotBalanced unless the folio can close now."""
        self.ensure_open()
        if self.balance != 0:
            raise FolioNotBalanced(self.id, f"{self.balance} {self.currency}")

    def close(self, invoice_number: int, at: datetime) -> None:
        """Close at zero balance with this invoice number; FolioNotBalanced otherwise."""
        self.ensure_closable()
        self.status, self.invoice_number, self.closed_at = FolioStatus.CLOSED, invoice_number, at

    def _consume(self, line: FolioLine) -> None:
        if line.reverses is not None:
            self._consumed.add(line.reverses)
        if line.kind is LineKind.TRANSFER_OUT and line.moved_line_id is not None:
            self._consumed.add(line.moved_line_id)


@dataclass(frozen=True)
class Posting:
    """When and why lines are posted: the business date, the time, free text."""

    business_date: date
    at: datetime
    description: str | None = None
    reference: str | None = None
    reason: str | None = None


def copy_line(line: FolioLine, target: Folio, **changes: Any) -> FolioLine:
    """A new line on `target` like `line`, its links cleared, with `changes` applied."""
    plain: dict[str, Any] = {
        "charge_line_id": None,
        "reverses": None,
        "moved_line_id": None,
        "counterpart_folio_id": None,
        "split_of": None,
        "reason": None,
    }
    return line.model_copy(update={"id": uuid4(), "folio_id": target.id, "seq": 0, **plain, **changes})


def _unit_price(net: Decimal, quantity: int, currency: str) -> tuple[Decimal, int]:
    try:
        return exact(net / quantity, currency), quantity
    except ValueError:
        return net, 1


def charge(
    folio: Folio,
    code: TransactionCode,
    taxes: tuple[TransactionCode, ...],
    unit_amount: Decimal,
    quantity: int,
    persons: int,
    when: Posting,
) -> list[FolioLine]:
    """Post a charge and its tax lines; FolioRefused when the amount or its taxes cannot be."""
    try:
        taxed = tax_charge(unit_amount, quantity, persons, taxes, folio.currency)
    except ChargeRefused as err:
        raise FolioRefused(str(err)) from None
    common = {"business_date": when.business_date, "posted_at": when.at, "reference": when.reference}
    # The net line shows the net unit price when the division is exact, else one unit of the net.
    unit, units = _unit_price(taxed.net, quantity, folio.currency)
    head = folio.new_line(
        kind=LineKind.CHARGE,
        code_kind=CodeKind.CHARGE,
        transaction_code=code.code,
        description=when.description or code.name,
        department=code.department,
        gl_account=code.gl_account,
        quantity=units,
        unit_amount=unit,
        amount=taxed.net,
        **common,
    )
    tax_lines = [
        folio.new_line(
            kind=LineKind.TAX,
            code_kind=CodeKind.TAX,
            transaction_code=tax.code,
            description=tax.name,
            department=tax.department,
            gl_account=tax.gl_account,
            quantity=1,
            unit_amount=amount,
            amount=amount,
            charge_line_id=head.id,
            **common,
        )
        for tax, amount in taxed.taxes
        if amount != 0
    ]
    return folio.post([head, *tax_lines])


def payment(folio: Folio, method: TransactionCode, amount: Decimal, when: Posting) -> list[FolioLine]:
    """Post money received (negative: refunded) as a line taking it from the balance."""
    try:
        received = exact(amount, folio.currency)
    except ValueError as err:
        raise FolioRefused(str(err)) from None
    line = folio.new_line(
        kind=LineKind.PAYMENT,
        code_kind=CodeKind.PAYMENT,
        transaction_code=method.code,
        description=when.description or method.name,
        department=method.department,
        gl_account=method.gl_account,
        business_date=when.business_date,
        posted_at=when.at,
        quantity=1,
        unit_amount=-received,
        amount=-received,
        reference=when.reference,
    )
    return folio.post([line])


def negated(line: FolioLine, folio: Folio, kind: LineKind, when: Posting, **links: Any) -> FolioLine:
    """A new line on `folio` negating `line`, of this kind and with these links."""
    return copy_line(
        line,
        folio,
        kind=kind,
        amount=-line.amount,
        unit_amount=-line.unit_amount,
        business_date=when.business_date,
        posted_at=when.at,
        **links,
    )


def reverse(folio: Folio, line_id: UUID, when: Posting) -> list[FolioLine]:
    """Negate a charge (with its taxes) or a payment by reversal lines."""
    folio.ensure_open()
    head = folio.open_line(line_id)
    return folio.post(reverse_lines(folio, head, when, when.reason or "reversed"))


def reverse_lines(folio: Folio, head: FolioLine, when: Posting, reason: str) -> list[FolioLine]:
    """The reversal lines of a line and its taxes (not yet posted)."""
    reversal = negated(head, folio, LineKind.REVERSAL, when, reverses=head.id, reason=reason)
    taxes = [
        negated(
            tax, folio, LineKind.REVERSAL, when, reverses=tax.id, reason=reason, charge_line_id=reversal.id
        )
        for tax in folio.taxes_of(head)
    ]
    return [reversal, *taxes]
