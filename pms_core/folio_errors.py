"""Errors of the folio use cases, each a PermanentError: the request is refused as sent, nothing changed.

PermanentError
 +-- FolioRefused             the change cannot be made as asked (422)
      +-- UnknownFolio        no folio with that id in the property (404)
      +-- UnknownLine         no line with that id on the folio (404)
      +-- UnknownTransactionCode  the property has no such code, or not of the kind needed (422)
      +-- UnknownBooking      no booking with that id in the property (422)
      +-- FolioIsClosed       the folio is closed and never changes again (409)
      +-- FolioNotBalanced    a close asked of a folio whose balance is not zero (409)
      +-- LineNotOpen         the line was reversed, moved or split already, or follows its charge (409)
"""

from __future__ import annotations

from uuid import UUID

from canonical.errors import PermanentError


class FolioRefused(PermanentError):
    """A folio change that cannot be made as asked."""


class UnknownFolio(FolioRefused):
    """No folio with this id in the property."""

    def __init__(self, property_code: str, folio_id: UUID) -> None:
        super().__init__(f"no folio {folio_id} in property {property_code!r}")
        self.folio_id = folio_id


class UnknownLine(FolioRefused):
    """No line with this id on the folio."""

    def __init__(self, folio_id: UUID, line_id: UUID) -> None:
        super().__init__(f"no line {line_id} on folio {folio_id}")


class UnknownTransactionCode(FolioRefused):
    """The property has no transaction code like this (or it is of another kind)."""

    def __init__(self, property_code: str, code: str, wanted: str) -> None:
        super().__init__(f"property {property_code!r} has no {wanted} transaction code {code!r}")
        self.code = code
        self.wanted = wanted


class UnknownBooking(FolioRefused):
    """No booking with this id in the property."""

    def __init__(self, property_code: str, booking_id: UUID) -> None:
        super().__init__(f"no booking {booking_id} in property {property_code!r}")


class FolioIsClosed(FolioRefused):
    """The folio is closed: it takes no line, transfer or routing ever again."""

    def __init__(self, folio_id: UUID, invoice_number: int | None) -> None:
        super().__init__(f"folio {folio_id} is closed (invoice {invoice_number}) and never changes")
        self.folio_id = folio_id


class FolioNotBalanced(FolioRefused):
    """A folio closes at zero balance only."""

    def __init__(self, folio_id: UUID, balance: str) -> None:
        super().__init__(f"folio {folio_id} has a balance of {balance}; it closes at zero only")


class LineNotOpen(FolioRefused):
    """The line cannot be acted on: reversed, moved or split already, a reversal, or a tax line."""

    def __init__(self, line_id: UUID, why: str) -> None:
        super().__init__(f"line {line_id} {why}")
