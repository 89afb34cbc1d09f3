"""Direct bookings through the PMS API: priced from the rate plan, never oversold."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from pms_builders import ARRIVAL, a_direct_booking, a_property, a_reservation, a_stay
from pms_driver import PmsDriver
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.booking import BOOKING_CREATED_V1, BookingCreated, BookingStatus, CreateBooking
from canonical.errors import PermanentError
from canonical.property import DefineProperty
from pms_core.adapters.tables import bookings, inventory
from pms_core.errors import NoRate, OccupancyExceeded, RatePlanNotSold, SoldOut, UnknownRoomType
from pms_core.handlers import create_direct_booking
from pms_core.unit_of_work import PmsUnitOfWork

D0, D1, D2 = (ARRIVAL + timedelta(days=offset) for offset in range(3))
CONTENDERS = 200


@pytest.fixture
async def hotel(pms: PmsDriver) -> PmsDriver:
    """A property with 3 DBL rooms at 120.00 and 1 SGL room at 90.00."""
    await pms.define(a_property())
    return pms


async def test_given_free_rooms_when_booked_directly_then_priced_confirmed_and_announced(
    hotel: PmsDriver,
) -> None:
    view = await hotel.book(a_direct_booking("DBL", nights=2))

    assert view.status is BookingStatus.CONFIRMED and view.partner_id is None
    assert view.confirmation.startswith("D") and len(view.confirmation) == 10
    assert view.total is not None and view.total.amount == Decimal("240.00")
    assert await hotel.available("DBL", D0, D1, D2) == [2, 2, 3]
    detail = await hotel.booking(view.id)
    assert detail is not None
    assert [night.amount for night in detail.nights] == [Decimal("120.00"), Decimal("120.00")]
    [(key, event)] = hotel.events
    assert key == BOOKING_CREATED_V1 and isinstance(event, BookingCreated) and event.booking_id == view.id


async def test_given_last_room_taken_by_partner_when_booked_directly_then_sold_out_and_nothing_kept(
    hotel: PmsDriver,
) -> None:
    await hotel.receive(a_reservation(stays=(a_stay("SGL", arrival=D1, nights=1),)))

    with pytest.raises(SoldOut, match="SGL"):
        await hotel.book(a_direct_booking("SGL", nights=2))

    assert await hotel.available("SGL", D0, D1) == [1, 0]
    assert len(await hotel.bookings()) == 1


@pytest.mark.parametrize(
    ("command", "definition", "error"),
    [
        (a_direct_booking("SUITE"), a_property(), UnknownRoomType),
        (a_direct_booking("DBL", adults=4), a_property(), OccupancyExceeded),
        (a_direct_booking("SGL"), a_property(rates={"DBL": "120.00"}), NoRate),
    ],
)
async def test_given_booking_the_core_cannot_sell_when_booked_directly_then_permanent_error(
    pms: PmsDriver, command: CreateBooking, definition: DefineProperty, error: type[PermanentError]
) -> None:
    await pms.define(definition)

    with pytest.raises(error):
        await pms.book(command)

    assert await pms.bookings() == []


async def test_given_rate_plan_not_selling_room_type_when_booked_then_refused(pms: PmsDriver) -> None:
    definition = a_property()
    only_dbl = definition.rate_plans[0].model_copy(update={"room_types": ("DBL",), "default_rates": {}})
    await pms.define(definition.model_copy(update={"rate_plans": (only_dbl,)}))

    with pytest.raises(RatePlanNotSold):
        await pms.book(a_direct_booking("SGL"))


async def _book_last_room(engine: AsyncEngine) -> bool:
    try:
        async with engine.begin() as conn:
            await create_direct_booking(a_direct_booking("DBL", nights=2), PmsUnitOfWork(conn))
    except SoldOut:
        return False
    return True


async def test_given_one_room_left_when_200_book_it_at_once_then_exactly_one_succeeds(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    await hotel.book(a_direct_booking("DBL", nights=2))
    await hotel.receive(a_reservation(stays=(a_stay("DBL", nights=2),)))

    results = await asyncio.gather(*(_book_last_room(engine) for _ in range(CONTENDERS)))

    assert results.count(True) == 1
    assert await hotel.available("DBL", D0, D1) == [0, 0]
    async with engine.connect() as conn:
        sold = (await conn.execute(select(inventory.c.sold).order_by(inventory.c.stay_date))).scalars().all()
        stored = (await conn.execute(select(func.count()).select_from(bookings))).scalar_one()
    assert list(sold) == [3, 3]
    assert stored == 3
