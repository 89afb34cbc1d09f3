"""Availability from inventory: bookings and out-of-order rooms move it, each move raises its event."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest
from pms_builders import ARRIVAL, HOTEL, a_direct_booking, a_property, a_reservation, a_stay
from pms_driver import PmsDriver
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.ari import ARI_CHANGED_V1, AriChanged, AriKind
from canonical.booking import BookingAction
from pms_core.ari import availability_cells
from pms_core.batch import handle_booking_batch
from pms_core.errors import UnknownRoom
from pms_core.handlers import create_direct_booking, handle_booking_received
from pms_core.out_of_order import list_out_of_order, put_back, take_out_of_order
from pms_core.unit_of_work import PmsUnitOfWork

D = [ARRIVAL + timedelta(days=offset) for offset in range(6)]
AVAILABILITY = frozenset({AriKind.AVAILABILITY})


@pytest.fixture
async def hotel(pms: PmsDriver) -> PmsDriver:
    """3 DBL rooms (101-103), 1 SGL room (201)."""
    await pms.define(a_property())
    return pms


def _ari(uow: PmsUnitOfWork) -> list[tuple[str, date, date]]:
    events = [p for key, p in uow.events if key == ARI_CHANGED_V1 and isinstance(p, AriChanged)]
    assert all(e.kinds == AVAILABILITY and e.rate_plan is None for e in events)
    return [(e.room_type, e.first_night, e.last_night) for e in events]


async def _available(engine: AsyncEngine, room_type: str = "DBL") -> list[int]:
    async with engine.connect() as conn:
        cells = await availability_cells(conn, HOTEL, D[0], D[-1], room_types=[room_type])
    return [cell.available for cell in cells]


async def test_given_ari_routed_when_a_partner_books_modifies_and_cancels_then_each_raises_availability_events(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    async def receive(**kwargs: object) -> PmsUnitOfWork:
        async with engine.begin() as conn:
            uow = PmsUnitOfWork(conn, message_id=str(uuid4()), ari_events=True)
            await handle_booking_received(a_reservation("R1", **kwargs), uow)  # type: ignore[arg-type]
        return uow

    booked = await receive(stays=(a_stay(arrival=D[0], nights=2),))
    moved = await receive(action=BookingAction.MODIFY, rev=1, stays=(a_stay(arrival=D[1], nights=2),))
    cancelled = await receive(action=BookingAction.CANCEL, rev=2)

    assert _ari(booked) == [("DBL", D[0], D[1])]
    assert _ari(moved) == [("DBL", D[0], D[0]), ("DBL", D[2], D[2])]  # D[1] held before and after
    assert _ari(cancelled) == [("DBL", D[1], D[2])]
    assert await _available(engine) == [3] * 6


async def test_given_ari_not_routed_when_a_partner_books_then_no_availability_event_is_raised(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    await hotel.receive(a_reservation("R1"))

    assert ARI_CHANGED_V1 not in hotel.event_keys()
    assert await _available(engine) == [2, 2, 3, 3, 3, 3]


async def test_given_ari_routed_when_a_batch_and_a_direct_booking_sell_rooms_then_their_nights_are_announced(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        uows = [PmsUnitOfWork(conn, message_id=str(uuid4()), ari_events=True) for _ in range(2)]
        await handle_booking_batch(
            [
                (a_reservation("R1", stays=(a_stay(arrival=D[0], nights=2),)), uows[0]),
                (a_reservation("R2", stays=(a_stay("SGL", arrival=D[3], nights=1),)), uows[1]),
            ]
        )
    async with engine.begin() as conn:
        direct = PmsUnitOfWork(conn, ari_events=True)
        await create_direct_booking(a_direct_booking(arrival=D[4], nights=1), direct)

    assert sorted(_ari(uows[0]) + _ari(uows[1])) == [("DBL", D[0], D[1]), ("SGL", D[3], D[3])]
    assert _ari(direct) == [("DBL", D[4], D[4])]


async def test_given_a_sold_out_night_when_overbooked_then_availability_stays_zero_and_an_urgent_close_out_is_announced(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    await hotel.receive(a_reservation("R1", stays=(a_stay("SGL", arrival=D[0], nights=2),)))
    async with engine.begin() as conn:
        uow = PmsUnitOfWork(conn, message_id=str(uuid4()), ari_events=True)
        await handle_booking_received(
            a_reservation("R2", stays=(a_stay("SGL", arrival=D[0], nights=1),)), uow
        )

    assert _ari(uow) == [("SGL", D[0], D[0])]
    assert [e.urgent for key, e in uow.events if key == ARI_CHANGED_V1 and isinstance(e, AriChanged)] == [
        True
    ]
    assert (await _available(engine, "SGL"))[0] == 0


async def test_given_overlapping_ranges_of_one_room_when_put_back_one_by_one_then_it_counts_once_until_the_last(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        first = PmsUnitOfWork(conn)
        a = await take_out_of_order(first, HOTEL, "101", D[0], D[3], "water damage")
    async with engine.begin() as conn:
        second = PmsUnitOfWork(conn)
        b = await take_out_of_order(second, HOTEL, "101", D[2], D[4], "painting")
    assert await _available(engine) == [2, 2, 2, 2, 2, 3]

    async with engine.begin() as conn:
        back = PmsUnitOfWork(conn)
        await put_back(back, HOTEL, a.id)
    assert await _available(engine) == [3, 3, 2, 2, 2, 3]
    async with engine.begin() as conn:
        listed = await list_out_of_order(conn, HOTEL)
        last = PmsUnitOfWork(conn)
        await put_back(last, HOTEL, b.id)

    assert await _available(engine) == [3] * 6
    assert _ari(first) == [("DBL", D[0], D[3])]
    assert _ari(second) == [("DBL", D[4], D[4])]  # D[2], D[3]: room 101 was out already
    assert _ari(back) == [("DBL", D[0], D[1])]
    assert _ari(last) == [("DBL", D[2], D[4])]
    assert [(r.id, r.room, r.room_type_code, r.reason) for r in listed] == [(b.id, "101", "DBL", "painting")]


async def test_given_rooms_out_of_order_and_sold_when_read_then_availability_never_goes_below_zero(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    await hotel.receive(a_reservation("R1", stays=(a_stay(arrival=D[0], nights=1),)))
    await hotel.receive(a_reservation("R2", stays=(a_stay(arrival=D[0], nights=1),)))
    async with engine.begin() as conn:
        await take_out_of_order(PmsUnitOfWork(conn), HOTEL, "102", D[0], D[1], "broken boiler")
        await take_out_of_order(PmsUnitOfWork(conn), HOTEL, "103", D[0], D[0], "broken boiler")

    # D[0]: 3 rooms - 2 out of order - 2 sold, shown as 0; D[1]: room 102 only
    assert (await _available(engine))[:3] == [0, 2, 3]


async def test_given_an_unknown_room_or_range_when_asked_then_refused_by_name(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        with pytest.raises(UnknownRoom, match="room '999'"):
            await take_out_of_order(PmsUnitOfWork(conn), HOTEL, "999", D[0], D[1], "x")
        with pytest.raises(UnknownRoom, match="range 12345"):
            await put_back(PmsUnitOfWork(conn), HOTEL, 12345)


async def test_given_a_room_out_of_order_when_the_config_withdraws_it_then_the_type_is_announced_and_recounted(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        await take_out_of_order(PmsUnitOfWork(conn), HOTEL, "103", D[0], D[1], "flood")
    assert (await _available(engine))[:3] == [2, 2, 3]

    report = await hotel.define(a_property(rooms={"DBL": ("101", "102"), "SGL": ("201",)}))

    # two rooms left, none of them out of order any more
    assert await _available(engine) == [2] * 6
    assert [(e.room_type, e.kinds, e.rate_plan) for e in report.ari_changes] == [("DBL", AVAILABILITY, None)]
    assert report.ari_changes[0].last_night >= D[1]  # past the horizon: up to the last night stored
    unchanged = await hotel.define(a_property(rooms={"DBL": ("101", "102"), "SGL": ("201",)}))
    assert unchanged.ari_changes == ()
