"""Room counts from an external PMS in the core: rooms left follow the count, bookings still count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pms_builders import ARRIVAL, HOTEL, a_property, a_reservation
from pms_driver import PmsDriver
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.ari import ARI_CHANGED_V1, AriChanged, AvailabilityCell, SetRoomCounts
from canonical.booking import BookingAction
from pms_core.errors import UnknownRoomType
from pms_core.room_counts import handle_set_room_counts
from pms_core.unit_of_work import PmsUnitOfWork

SECOND = ARRIVAL + timedelta(days=1)


async def set_counts(engine: AsyncEngine, *cells: tuple[str, int, int]) -> list[AriChanged]:
    """(room type, day offset from ARRIVAL, rooms free) applied in one transaction; the events raised."""
    counts = tuple(
        AvailabilityCell(room_type=room, night=ARRIVAL + timedelta(days=offset), available=free)
        for room, offset, free in cells
    )
    async with engine.begin() as conn:
        uow = PmsUnitOfWork(conn)
        await handle_set_room_counts(SetRoomCounts(property=HOTEL, counts=counts, source="extpms"), uow)
    return [event for key, event in uow.events if key == ARI_CHANGED_V1 and isinstance(event, AriChanged)]


async def test_given_counts_when_applied_then_rooms_left_equal_them_and_events_name_the_nights_that_moved(
    pms: PmsDriver, engine: AsyncEngine
) -> None:
    await pms.define(a_property())
    events = await set_counts(engine, ("DBL", 0, 1), ("DBL", 1, 3), ("SGL", 0, 0))
    assert await pms.available("DBL", ARRIVAL, SECOND) == [1, 3]
    assert await pms.available("SGL", ARRIVAL) == [0]
    # DBL has 3 rooms: only its first night and SGL's night moved
    assert [(e.room_type, e.first_night, e.last_night, e.rate_plan) for e in events] == [
        ("DBL", ARRIVAL, ARRIVAL, None),
        ("SGL", ARRIVAL, ARRIVAL, None),
    ]
    assert await set_counts(engine, ("DBL", 0, 1)) == []  # the same count again moves nothing


async def test_given_sold_rooms_when_a_count_arrives_then_rooms_left_equal_it_and_a_later_booking_lowers_it(
    pms: PmsDriver, engine: AsyncEngine
) -> None:
    await pms.define(a_property())
    await pms.receive(a_reservation("R1"))  # DBL, ARRIVAL and SECOND
    assert await pms.available("DBL", ARRIVAL) == [2]
    await set_counts(engine, ("DBL", 0, 5), ("DBL", 1, 5))
    assert await pms.available("DBL", ARRIVAL, SECOND) == [5, 5]
    await pms.receive(a_reservation("R2"))
    assert await pms.available("DBL", ARRIVAL, SECOND) == [4, 4]
    await pms.receive(a_reservation("R1", action=BookingAction.CANCEL, rev=1))
    assert await pms.available("DBL", ARRIVAL, SECOND) == [5, 5]


async def test_given_an_unknown_room_type_when_counts_arrive_then_refused_and_nothing_written(
    pms: PmsDriver, engine: AsyncEngine
) -> None:
    await pms.define(a_property())
    with pytest.raises(UnknownRoomType):
        await set_counts(engine, ("DBL", 0, 0), ("SUITE", 0, 1))
    assert await pms.available("DBL", ARRIVAL) == [3]
