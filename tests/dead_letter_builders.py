"""Builders for dead-letter tests on both transports: a booking whose partner message was kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import uuid4

from ota_builders import HOTEL, commit, reservation, stay
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from canonical.booking import BOOKING_RECEIVED_V1, BookingAction, BookingReceived, GuestCount, RoomStay
from canonical.envelope import Envelope
from canonical.errors import PermanentError
from routes.outbox import add_to_outbox, outbox_values
from routes.table import DeliveryContext
from routes.tables import inbound_messages

ARRIVAL = date(2031, 7, 1)
DEPARTURE = date(2031, 7, 4)
REJECTION = "room type DBL is closed to partner otaone"


async def kept_booking(engine: AsyncEngine, reservation_id: str) -> Envelope[BookingReceived]:
    """Journal the partner's OTA push as ingress does, and return the booking message it caused."""
    raw_id = str(uuid4())
    xml = commit(reservation(reservation_id, stay(arrival=ARRIVAL, nights=3))).decode()
    envelope = Envelope[BookingReceived](
        message_type=BOOKING_RECEIVED_V1,
        correlation_id=f"corr-{reservation_id}",
        causation_id=raw_id,
        property_code="ALPINA",
        payload=BookingReceived(
            partner_id="otaone",
            partner_reservation_id=reservation_id,
            partner_revision="1",
            confirmation=f"HH-{reservation_id}",
            action=BookingAction.COMMIT,
            property_code="ALPINA",
            room_stays=(
                RoomStay(
                    room_type_code="DBL",
                    rate_plan_code="BAR",
                    arrival=ARRIVAL,
                    departure=DEPARTURE,
                    guests=GuestCount(adults=2),
                ),
            ),
        ),
    )
    async with engine.begin() as conn:
        await conn.execute(
            insert(inbound_messages).values(
                message_id=raw_id,
                partner_id="otaone",
                protocol="ota",
                message_name="OTA_HotelResNotifRQ",
                correlation_id=envelope.correlation_id,
                received_at=utcnow(),
                body=xml,
                outcome="accepted",
                references=[[reservation_id, f"HH-{reservation_id}"]],
            )
        )
        await add_to_outbox(conn, [outbox_values(envelope)])
    return envelope


@dataclass
class Rejecting:
    """Refuses every booking permanently until `accepting`; counts the messages it took."""

    accepting: bool = False
    handled: int = 0

    async def __call__(self, envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        if not self.accepting:
            raise PermanentError(REJECTION)
        self.handled += 1


def expected_context(reservation_id: str) -> dict[str, Any]:
    """The columns a dead letter of `kept_booking(reservation_id)` must carry."""
    return {
        "partner_id": "otaone",
        "partner_reservation_id": reservation_id,
        "property_code": "ALPINA",
        "hotel_code": HOTEL,
        "arrival": ARRIVAL,
        "departure": DEPARTURE,
        "message_name": "OTA_HotelResNotifRQ",
    }
