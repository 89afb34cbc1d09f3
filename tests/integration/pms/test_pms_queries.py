"""The read side: booking lists and details, availability, property look-ups."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from pms_builders import ARRIVAL, a_direct_booking, a_property, a_reservation, a_stay
from pms_driver import PmsDriver
from sqlalchemy import select

from canonical.booking import BookingAction, BookingStatus
from pms_core import queries
from pms_core.adapters.tables import bookings
from pms_core.errors import UnknownProperty

D0, D1, D2, D5 = (ARRIVAL + timedelta(days=offset) for offset in (0, 1, 2, 5))


@pytest.fixture
async def hotel(pms: PmsDriver) -> PmsDriver:
    """Two properties; HOTEL1 has 3 DBL rooms and 1 SGL room."""
    await pms.define(a_property())
    await pms.define(a_property("HOTEL2"))
    return pms


async def test_given_modified_booking_when_read_then_guests_nights_and_revisions_shown(
    hotel: PmsDriver,
) -> None:
    await hotel.receive(a_reservation(rev=0))
    await hotel.receive(
        a_reservation(action=BookingAction.MODIFY, rev=1, stays=(a_stay(nights=3, nightly="110.00"),))
    )
    [booking] = await hotel.bookings()

    detail = await hotel.booking(booking.id)

    assert detail is not None
    assert [guest.surname for guest in detail.guests] == ["Smith"]
    assert [night.amount for night in detail.nights] == [Decimal("110.00")] * 3
    assert [(rev.revision, rev.action) for rev in detail.revisions] == [(1, "created"), (2, "modified")]
    assert detail.revisions[0].snapshot.departure == D2
    assert detail.total is not None and detail.total.amount == Decimal("330.00")
    assert detail.comments == ("late arrival",)


async def test_given_card_guarantee_when_stored_then_safe_card_parts_and_holder_kept_and_shown(
    hotel: PmsDriver,
) -> None:
    await hotel.receive(a_reservation())

    async with hotel.engine.connect() as conn:
        stored = (await conn.execute(select(bookings.c.guarantee))).scalar_one()
    [booking] = await hotel.bookings()

    assert stored["card"] == {
        "brand": "VI",
        "bin": "411111",
        "last4": "1111",
        "expiry": "12/30",
        "holder_name": "A J SMITH",
        "token": "tok_1",
    }
    assert booking.guarantee is not None and booking.guarantee.card is not None
    assert booking.guarantee.card.holder_name == "A J SMITH"


async def test_given_bookings_when_listed_with_filters_then_only_matching_in_stay_order(
    hotel: PmsDriver,
) -> None:
    await hotel.receive(a_reservation("R1", stays=(a_stay(arrival=D2, nights=1),)))
    await hotel.receive(a_reservation("R2", partner="OTA2", stays=(a_stay(arrival=D0, nights=1),)))
    direct = await hotel.book(a_direct_booking(arrival=D5, nights=1))
    await hotel.receive(a_reservation("R3", hotel="HOTEL2"))

    everything = await hotel.bookings()
    assert [b.partner_reservation_id for b in everything] == ["R2", "R1", None]
    assert [b.partner_reservation_id for b in await hotel.bookings(partner_id="OTA1")] == ["R1"]
    assert [b.id for b in await hotel.bookings(stay_from=D5)] == [direct.id]
    assert [b.partner_reservation_id for b in await hotel.bookings(stay_from=D1, stay_to=D5)] == ["R1"]
    assert [b.partner_reservation_id for b in await hotel.bookings(limit=1, offset=1)] == ["R1"]
    assert await hotel.bookings(status=BookingStatus.CANCELLED) == []


async def test_given_an_offset_past_the_database_integers_when_listed_then_an_empty_page(
    hotel: PmsDriver,
) -> None:
    await hotel.receive(a_reservation())

    assert await hotel.bookings(offset=2**64) == []


async def test_given_booking_of_other_property_when_read_then_none(hotel: PmsDriver) -> None:
    await hotel.receive(a_reservation("R3", hotel="HOTEL2"))
    [other] = await hotel.bookings("HOTEL2")

    assert await hotel.booking(other.id) is None
    assert await hotel.booking(uuid4()) is None


async def test_given_no_inventory_rows_when_availability_read_then_computed_from_rooms(
    hotel: PmsDriver,
) -> None:
    grid = await hotel.availability(start=D0, days=2)

    assert [(row.room_type_code, row.stay_date, row.available) for row in grid] == [
        ("DBL", D0, 3),
        ("DBL", D1, 3),
        ("SGL", D0, 1),
        ("SGL", D1, 1),
    ]


async def test_given_unknown_property_when_read_then_unknown_property(hotel: PmsDriver) -> None:
    async with hotel.engine.connect() as conn:
        assert not await queries.property_exists(conn, "NOPE")
        assert await queries.property_exists(conn, "HOTEL1")
        with pytest.raises(UnknownProperty, match="NOPE"):
            await queries.availability(conn, "NOPE", D0, D1)
        with pytest.raises(UnknownProperty):
            await queries.list_bookings(conn, "NOPE")
