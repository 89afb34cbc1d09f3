"""Registry: routing key -> payload model, for every canonical message the hub moves."""

from __future__ import annotations

from pydantic import BaseModel

from canonical.ari import ARI_CHANGED_V1, AriChanged
from canonical.booking import (
    BOOKING_RECEIVED_V1,
    PARTNER_MESSAGE_RECEIVED_V1,
    BookingReceived,
    PartnerMessageReceived,
)
from canonical.folio import FOLIO_LINE_POSTED_V1, FolioLinesPosted
from canonical.payments import PAYMENT_CAPTURED_V1, PaymentCaptured
from canonical.stay import STAY_CHECKED_IN_V1, STAY_CHECKED_OUT_V1, StayCheckedIn, StayCheckedOut

MESSAGE_TYPES: dict[str, type[BaseModel]] = {
    BOOKING_RECEIVED_V1: BookingReceived,
    PARTNER_MESSAGE_RECEIVED_V1: PartnerMessageReceived,
    ARI_CHANGED_V1: AriChanged,
    STAY_CHECKED_IN_V1: StayCheckedIn,
    STAY_CHECKED_OUT_V1: StayCheckedOut,
    FOLIO_LINE_POSTED_V1: FolioLinesPosted,
    PAYMENT_CAPTURED_V1: PaymentCaptured,
}


def payload_type(message_type: str) -> type[BaseModel]:
    """Return the payload model of a routing key, or raise KeyError naming it."""
    try:
        return MESSAGE_TYPES[message_type]
    except KeyError:
        raise KeyError(f"unknown message type {message_type!r}") from None
