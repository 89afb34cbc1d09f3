"""What a push asks the hub to do, read before translation: change a booking, or nothing at all.

OTA's TransactionActionType (2015A) is the type of OTA_CancelRQ@CancelType and of
OTA_HotelResNotifRQ@ResStatus: Book, Quote, Hold, Initiate, Ignore, Modify, Commit, Cancel,
CommitOverrideEdits, VerifyPrice, Ticket; AlpineBits adds Requested (an enquiry) and Reserved.
The hub books and cancels in one phase, so only Commit-like values change a booking. An
OTA_CancelRQ that only starts a two-phase cancellation (Initiate), asks what it would cost
(Quote, VerifyPrice) or drops one (Ignore) is answered Success with its TransactionStatusType and
changes nothing; so is an OTA_HotelResNotifRQ whose every reservation is Ignore.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from connectors.ota.codec import OtaRequest
from connectors.ota.fields import text_of
from connectors.ota.settings import CANCEL_RQ, HOTEL_RES_NOTIF_RQ

# OTA_CancelRQ@CancelType -> the OTA_CancelRS@Status that says nothing was cancelled
CANCEL_NO_CHANGE = {
    "initiate": "Pending",  # phase one: the partner commits (CancelType Commit) to cancel
    "quote": "Unchanged",
    "verifyprice": "Unchanged",
    "ignore": "Ignored",
}
# ResStatus values that drop a pending transaction: nothing to book, nothing to keep
IGNORED_STATUSES = frozenset({"ignore", "ignored"})
# ResStatus values that ask for a quote, a hold or an enquiry: answered 3/356, never booked nor kept
NOT_COMMITTED_STATUSES = frozenset(
    {"quote", "hold", "initiate", "requested", "request", "verifyprice", "pending", "onhold", "waitlisted"}
)


@dataclass(frozen=True)
class NoChange:
    """A push the hub answers Success without changing anything."""

    status: str  # the answer's TransactionStatusType (OTA_CancelRS@Status)
    reason: str  # what it asked, for the log


def reservation_status(req: OtaRequest, element: etree._Element) -> str | None:
    """A HotelReservation's ResStatus, else the message's."""
    return text_of(element.get("ResStatus")) or text_of(req.root.get("ResStatus"))


def no_change(req: OtaRequest) -> NoChange | None:
    """The Success answer of a push that changes nothing (see the module docstring), else None."""
    if req.message_name == CANCEL_RQ:
        cancel_type = (text_of(req.root.get("CancelType")) or "Cancel").lower()
        status = CANCEL_NO_CHANGE.get(cancel_type)
        if status is None:
            return None
        return NoChange(status, f"OTA_CancelRQ CancelType {cancel_type}: nothing cancelled")
    if req.message_name == HOTEL_RES_NOTIF_RQ:
        reservations = list(req.root.iter("{*}HotelReservation"))
        statuses = {(reservation_status(req, r) or "").lower() for r in reservations}
        if reservations and statuses <= IGNORED_STATUSES:
            return NoChange("Ignored", "ResStatus Ignore: nothing booked")
    return None
