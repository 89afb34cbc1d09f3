"""Envelope: identity, lineage and a payload that survives the wire."""

from __future__ import annotations

from datetime import date

from canonical.booking import (
    BOOKING_RECEIVED_V1,
    BookingAction,
    BookingReceived,
    GuestCount,
    RoomStay,
)
from canonical.envelope import Envelope


def _booking() -> BookingReceived:
    return BookingReceived(
        partner_id="otaone",
        partner_reservation_id="R1",
        partner_revision="1",
        confirmation="HH1",
        action=BookingAction.COMMIT,
        property_code="ALPINA",
        room_stays=(
            RoomStay(
                room_type_code="DBL",
                rate_plan_code="BAR",
                arrival=date(2031, 1, 1),
                departure=date(2031, 1, 3),
                guests=GuestCount(adults=2),
            ),
        ),
    )


def test_given_a_message_when_a_child_is_emitted_then_it_keeps_correlation_and_names_its_cause() -> None:
    parent = Envelope[BookingReceived](
        message_type=BOOKING_RECEIVED_V1, correlation_id="c-1", payload=_booking()
    )
    child = parent.child(BOOKING_RECEIVED_V1, _booking())
    assert child.correlation_id == "c-1"
    assert child.causation_id == str(parent.message_id)
    assert child.message_id != parent.message_id


def test_given_a_child_envelope_when_serialised_then_the_payload_keeps_every_field() -> None:
    parent = Envelope[BookingReceived](
        message_type=BOOKING_RECEIVED_V1, correlation_id="c-1", payload=_booking()
    )
    wire = parent.child(BOOKING_RECEIVED_V1, _booking()).model_dump_json()
    decoded = Envelope[BookingReceived].model_validate_json(wire)
    assert decoded.payload == _booking()
