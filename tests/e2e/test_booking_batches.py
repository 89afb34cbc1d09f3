"""A batch of bookings with one bad message: the others are booked once, the bad one dead-lettered."""

from __future__ import annotations

from datetime import date, timedelta

from harness import RunningHub
from sqlalchemy import text

from canonical.booking import BOOKING_RECEIVED_V1, BookingAction, BookingReceived, GuestCount, RoomStay
from canonical.envelope import Envelope
from routes.outbox import add_to_outbox, outbox_values


def _booking(n: int, room_type: str = "DBL") -> Envelope[BookingReceived]:
    arrival = date(2031, 3, 1) + timedelta(days=n)
    payload = BookingReceived(
        partner_id="otaone",
        partner_reservation_id=f"BATCH-{n}",
        partner_revision="1",
        confirmation=f"HHBATCH{n}",
        action=BookingAction.COMMIT,
        property_code="ALPINA",
        room_stays=(
            RoomStay(
                room_type_code=room_type,
                rate_plan_code="BAR",
                arrival=arrival,
                departure=arrival + timedelta(days=2),
                guests=GuestCount(adults=2),
            ),
        ),
    )
    return Envelope[BookingReceived](
        message_type=BOOKING_RECEIVED_V1, correlation_id=f"batch-{n}", property_code="ALPINA", payload=payload
    )


async def _count(hub: RunningHub, sql: str) -> int:
    async with hub.hub.reader.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def test_given_a_batch_with_one_unknown_room_type_when_delivered_then_the_rest_book_once_and_one_dead_letter(
    hub: RunningHub,
) -> None:
    envelopes = [_booking(n) for n in range(12)]
    envelopes[5] = _booking(5, room_type="NOPE")
    envelopes.append(envelopes[3])  # a duplicate in the same batch
    async with hub.hub.engine.begin() as conn:
        await add_to_outbox(conn, [outbox_values(e) for e in envelopes])
    if hub.hub.dispatcher is not None:
        hub.hub.dispatcher.notify()
    if hub.hub.rabbit is not None:
        hub.hub.rabbit.notify()  # type: ignore[attr-defined]

    async def settled() -> bool:
        return (
            await _count(hub, "SELECT count(*) FROM bookings") == 11
            and await _count(hub, "SELECT count(*) FROM dead_letters") == 1
        )

    await hub.eventually(settled, what="11 bookings and one dead letter")
    assert await _count(hub, "SELECT count(DISTINCT partner_reservation_id) FROM bookings") == 11
    async with hub.hub.reader.connect() as conn:
        (error,) = (await conn.execute(text("SELECT error_text FROM dead_letters"))).one()
    assert "NOPE" in error
