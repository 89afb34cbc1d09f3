"""What a check-in and a check-out cost in statements, and that the answer is the stay as stored."""

from __future__ import annotations

from datetime import timedelta

from pms_builders import ARRIVAL, HOTEL, a_direct_booking
from pms_driver import counting_statements
from sqlalchemy.ext.asyncio import AsyncEngine
from stay_driver import StayDriver

from canonical.stay import CheckIn, CheckOut, DepartEarly
from pms_core.adapters import stays as store
from pms_core.adapters.catalog import property_by_code
from pms_core.stay_handlers import handle_check_in, handle_check_out, handle_depart_early, stay_view
from pms_core.stay_views import StayView

D0, D1 = ARRIVAL, ARRIVAL + timedelta(days=1)


async def _stored(engine: AsyncEngine, view: StayView) -> StayView:
    async with engine.connect() as conn:
        prop = await property_by_code(conn, HOTEL)
        found = await store.stay(conn, prop.id, view.id, lock=False)
    assert found is not None
    return stay_view(HOTEL, found)


def _reads_of(statements: list[str], table: str) -> int:
    return sum(
        1 for statement in statements if statement.startswith("SELECT") and f"FROM {table} " in statement
    )


async def test_given_a_booking_of_the_room_type_when_checked_in_then_the_property_is_read_once_and_no_catalog(
    desk: StayDriver, engine: AsyncEngine
) -> None:
    booking = await desk.pms.book(a_direct_booking("DBL", nights=1))

    with counting_statements(engine) as statements:
        await desk.run(handle_check_in, CheckIn(property_code=HOTEL, booking_id=booking.id, room="101"))

    assert _reads_of(statements, "properties") == 1
    assert _reads_of(statements, "room_types") == 0 and _reads_of(statements, "rate_plans") == 0


async def test_given_an_in_house_stay_when_checked_out_then_the_answer_is_the_stay_as_stored(
    desk: StayDriver, engine: AsyncEngine
) -> None:
    stay = await desk.booked_and_checked_in(nights=1)
    await desk.business_date(D1)

    with counting_statements(engine) as statements:
        out = await desk.run(handle_check_out, CheckOut(property_code=HOTEL, stay_id=stay.id))

    assert out == await _stored(engine, out)
    assert _reads_of(statements, "properties") == 1 and _reads_of(statements, "room_types") == 0
    assert _reads_of(statements, "stays") == 2  # found, then locked after its booking


async def test_given_an_in_house_stay_when_departing_early_then_the_answer_is_the_stay_as_stored(
    desk: StayDriver, engine: AsyncEngine
) -> None:
    stay = await desk.booked_and_checked_in(nights=3)
    await desk.business_date(D1)

    left = await desk.run(handle_depart_early, DepartEarly(property_code=HOTEL, stay_id=stay.id))

    assert left.departure == D1
    assert left == await _stored(engine, left)
