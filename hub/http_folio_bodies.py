"""Bodies and answers of the folio REST API, and the problem document each refusal becomes.

Amounts are JSON strings ("110.00") or numbers, with at most the currency's decimal places;
a request with more is refused, never rounded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from canonical.errors import PermanentError, TransientError
from canonical.folio import (
    FolioKind,
    FolioStatement,
    OpenFolio,
    PostCharge,
    PostPayment,
    ReverseLine,
    RouteCharges,
    SplitLine,
    TransferLines,
)
from hub.problems import PROBLEM_JSON, Problem
from pms_core import folio_errors
from pms_core.errors import UnknownProperty

Amount = Annotated[Decimal, Field(max_digits=15, decimal_places=4, examples=["110.00"])]
Codes = Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=100)]

_DESCRIPTIONS = {
    400: "The body cannot be read as JSON, or the Idempotency-Key is malformed",
    401: "No or wrong credentials",
    403: "Not the operator: folios are the operator's only",
    404: "Unknown property, folio or line",
    409: "The folio is closed, its balance is not zero, or the line was reversed, moved or split already",
    422: "The request does not validate, or names a code the property does not have (`errors` says which)",
    503: "The folio changed while this request ran: send it again",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a folio route: each status answered as a problem document."""
    schema = {"$ref": "#/components/schemas/ProblemDetails"}
    return {
        status: {"description": _DESCRIPTIONS[status], "content": {PROBLEM_JSON: {"schema": schema}}}
        for status in statuses
    }


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenFolioBody(_Body):
    """A folio to open: a guest folio names its booking (and stay), a company folio its profile."""

    kind: FolioKind
    booking_id: UUID | None = None
    stay_id: UUID | None = None
    company_profile_id: UUID | None = None
    name: str | None = Field(default=None, max_length=200)

    def command(self, code: str) -> OpenFolio:
        """The canonical command."""
        return OpenFolio(property_code=code, **self.model_dump())


class ChargeBody(_Body):
    """A charge: `quantity` x `unit_amount` of a charge code (price as the code's taxes define it)."""

    transaction_code: str = Field(min_length=1, max_length=64, examples=["ROOM"])
    unit_amount: Amount
    quantity: int = Field(default=1, ge=1, le=9999)
    persons: int = Field(default=1, ge=1, le=99, description="for taxes per person-night")
    description: str | None = Field(default=None, max_length=200)
    business_date: date | None = Field(default=None, description="none: the property's business date")
    reference: str | None = Field(default=None, max_length=128, description="a POS check number, say")

    def command(self, code: str, folio_id: UUID) -> PostCharge:
        """The canonical command."""
        return PostCharge(property_code=code, folio_id=folio_id, **self.model_dump())


class PaymentBody(_Body):
    """A payment received (negative: a refund); `reference` is the gateway's, never a card number."""

    method: str = Field(min_length=1, max_length=64, examples=["CARD"])
    amount: Amount
    reference: str | None = Field(default=None, max_length=128)
    business_date: date | None = None

    def command(self, code: str, folio_id: UUID) -> PostPayment:
        """The canonical command."""
        return PostPayment(property_code=code, folio_id=folio_id, **self.model_dump())


class ReverseBody(_Body):
    """Why the line is reversed."""

    reason: str = Field(min_length=1, max_length=200)
    business_date: date | None = None

    def command(self, code: str, folio_id: UUID, line_id: UUID) -> ReverseLine:
        """The canonical command."""
        return ReverseLine(property_code=code, folio_id=folio_id, line_id=line_id, **self.model_dump())


class SplitBody(_Body):
    """The parts: amounts adding up to the line's, or `into` equal parts."""

    parts: list[Amount] = Field(default_factory=list, max_length=50)
    into: int | None = Field(default=None, ge=2, le=50)
    business_date: date | None = None

    def command(self, code: str, folio_id: UUID, line_id: UUID) -> SplitLine:
        """The canonical command."""
        return SplitLine(
            property_code=code,
            folio_id=folio_id,
            line_id=line_id,
            parts=tuple(self.parts),
            into=self.into,
            business_date=self.business_date,
        )


class TransferBody(_Body):
    """The lines to move and the folio they go to."""

    line_ids: list[UUID] = Field(min_length=1, max_length=500)
    to_folio: UUID
    business_date: date | None = None

    def command(self, code: str, folio_id: UUID) -> TransferLines:
        """The canonical command."""
        return TransferLines(
            property_code=code,
            folio_id=folio_id,
            line_ids=tuple(self.line_ids),
            to_folio_id=self.to_folio,
            business_date=self.business_date,
        )


class RouteBody(_Body):
    """Charges of these transaction codes or departments go to `to_folio`."""

    to_folio: UUID
    transaction_codes: Codes = Field(default_factory=list)
    departments: Codes = Field(default_factory=list)

    def command(self, code: str, folio_id: UUID) -> RouteCharges:
        """The canonical command."""
        return RouteCharges(
            property_code=code,
            folio_id=folio_id,
            to_folio_id=self.to_folio,
            transaction_codes=frozenset(self.transaction_codes),
            departments=frozenset(self.departments),
        )


class TransferAnswer(BaseModel):
    """Both folios after a transfer."""

    source: FolioStatement
    target: FolioStatement


_NOT_FOUND = (UnknownProperty, folio_errors.UnknownFolio, folio_errors.UnknownLine)
_CONFLICT = (folio_errors.FolioIsClosed, folio_errors.FolioNotBalanced, folio_errors.LineNotOpen)
_SLUGS = {
    UnknownProperty: "unknown-property",
    folio_errors.UnknownFolio: "unknown-folio",
    folio_errors.UnknownLine: "unknown-line",
    folio_errors.FolioIsClosed: "folio-closed",
    folio_errors.FolioNotBalanced: "folio-not-balanced",
    folio_errors.LineNotOpen: "line-not-open",
    folio_errors.UnknownTransactionCode: "unknown-transaction-code",
    folio_errors.UnknownBooking: "unknown-booking",
}


def folio_problem(err: PermanentError | TransientError) -> Problem:
    """The problem document of a refusal by the PMS core."""
    slug = _SLUGS.get(type(err), "folio-refused")
    if isinstance(err, TransientError):
        return Problem(503, "try-again", "Try again", str(err))
    if isinstance(err, _NOT_FOUND):
        return Problem(404, slug, "Not found", str(err))
    if isinstance(err, _CONFLICT):
        return Problem(409, slug, "Conflict", str(err))
    if isinstance(err, folio_errors.UnknownTransactionCode):
        field = [{"field": "method" if err.wanted == "payment" else "transaction_code", "reason": str(err)}]
        return Problem(422, slug, "Unknown transaction code", str(err), errors=field)
    return Problem(422, slug, "Folio change refused", str(err))
