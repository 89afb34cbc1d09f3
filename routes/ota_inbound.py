"""partner.message.received.v1 -> translate again with today's mapping -> booking.received.v1.

This is the path a dead-lettered partner message takes when staff replay it after fixing a mapping.
"""

from __future__ import annotations

from typing import Any

from canonical.booking import BOOKING_RECEIVED_V1, PartnerMessageReceived
from canonical.envelope import Envelope
from canonical.errors import PermanentError
from connectors.ota import codec
from connectors.ota.translate import translate_booking
from routes.codes import CodeBook
from routes.partners import PartnerDirectory
from routes.table import DeliveryContext


class PartnerGone(PermanentError):
    """The partner of a kept message no longer exists."""


def make_translate_handler(directory: PartnerDirectory, codes: CodeBook, max_bytes: int) -> Any:
    """The handler that turns a kept OTA message into booking messages with the current mapping."""
    from routes.confirmations import confirmation_for

    async def handle(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        message: PartnerMessageReceived = envelope.payload
        await directory.refresh()  # a replay follows a mapping fix: never use a stale copy
        partner = await directory.get(message.partner_id)
        if partner is None:
            raise PartnerGone(f"partner {message.partner_id} is not configured")
        request = codec.read_request(message.body.encode(), max_bytes=max_bytes)
        book = await codes.for_partner(partner)
        bookings = translate_booking(
            request,
            book.partner_codes,
            partner_id=partner.id,
            confirmation_for=lambda res_id: confirmation_for(partner.id, res_id),
            # judged as of when the partner sent it, not when staff replay it
            now=envelope.occurred_at,
        )
        for booking in bookings:
            ctx.emit(BOOKING_RECEIVED_V1, booking)

    return handle
