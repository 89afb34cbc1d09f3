"""Applying property definitions: idempotent, rooms withdrawn not deleted, inventory follows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pms_builders import ARRIVAL, a_property, a_reservation, a_stay
from pms_driver import PmsDriver

from canonical.booking import BookingAction, BookingStatus
from canonical.property import DefineProperty
from pms_core import queries
from pms_core.errors import InvalidDefinition, UnknownRoomType

D0, D1, D2 = (ARRIVAL + timedelta(days=offset) for offset in range(3))


async def test_given_new_property_when_applied_twice_then_second_apply_changes_nothing(
    pms: PmsDriver,
) -> None:
    first = await pms.define(a_property())
    second = await pms.define(a_property())

    assert first.created and first.changed and "room 101 added to DBL" in first.changes
    assert not second.created and not second.changed and second.changes == ()
    assert await pms.available("DBL", D0) == [3]


async def test_given_booked_nights_when_a_room_is_removed_then_physical_follows_and_room_is_kept(
    pms: PmsDriver,
) -> None:
    await pms.define(a_property())
    await pms.receive(a_reservation(stays=(a_stay("DBL", nights=1),)))

    report = await pms.define(a_property(rooms={"DBL": ("101", "102"), "SGL": ("201",)}))

    assert report.changes == ("room 103 taken out of service",)
    assert report.inventory_changed == ("DBL",)
    grid = {(row.room_type_code, row.stay_date): row for row in await pms.availability()}
    assert (grid[("DBL", D0)].physical, grid[("DBL", D0)].sold, grid[("DBL", D0)].available) == (2, 1, 1)
    assert grid[("DBL", D1)].physical == 2
    async with pms.engine.connect() as conn:
        hotel = await queries.get_property(conn, "HOTEL1")
    [dbl] = [room_type for room_type in hotel.room_types if room_type.code == "DBL"]
    withdrawn = {room.number: room for room in dbl.rooms}["103"]
    assert not withdrawn.active and withdrawn.out_of_order


async def test_given_removed_room_when_it_returns_then_back_in_service(pms: PmsDriver) -> None:
    await pms.define(a_property())
    await pms.receive(a_reservation(stays=(a_stay("DBL", nights=1),)))
    await pms.define(a_property(rooms={"DBL": ("101", "102"), "SGL": ("201",)}))

    report = await pms.define(a_property(rooms={"DBL": ("101", "102", "103", "104"), "SGL": ("201",)}))

    assert set(report.changes) == {"room 103 put in service in DBL", "room 104 added to DBL"}
    assert await pms.available("DBL", D0, D1) == [3, 4]


async def test_given_room_type_dropped_when_applied_then_withdrawn_and_its_bookings_still_cancel(
    pms: PmsDriver,
) -> None:
    await pms.define(a_property())
    await pms.receive(a_reservation(rev=0, stays=(a_stay("SGL", nights=1),)))

    report = await pms.define(a_property(rooms={"DBL": ("101", "102", "103")}))

    assert "room type SGL withdrawn" in report.changes and "room 201 taken out of service" in report.changes
    with pytest.raises(UnknownRoomType, match="SGL"):
        await pms.receive(a_reservation("R2", stays=(a_stay("SGL"),)))
    outcome = await pms.receive(a_reservation(action=BookingAction.CANCEL, rev=1))
    assert [booking.status for booking in outcome.bookings] == [BookingStatus.CANCELLED]


async def test_given_rate_changed_when_applied_then_reported_and_shown(pms: PmsDriver) -> None:
    await pms.define(a_property())

    report = await pms.define(a_property(rates={"DBL": "135.50", "SGL": "90.00"}))

    assert report.changes == ("rate plan BAR / DBL: default rate changed",)
    async with pms.engine.connect() as conn:
        hotel = await queries.get_property(conn, "HOTEL1")
    rates = {rate.room_type_code: rate.default_rate for rate in hotel.rate_plans[0].rates}
    assert rates == {"DBL": Decimal("135.50"), "SGL": Decimal("90.00")}


@pytest.mark.parametrize(
    ("definition", "problem"),
    [
        (a_property(rooms={"DBL": ("101",), "SGL": ("101",)}), "room '101'"),
        (a_property().model_copy(update={"timezone": "Mars/Olympus"}), "timezone"),
    ],
)
async def test_given_contradictory_definition_when_applied_then_refused(
    pms: PmsDriver, definition: DefineProperty, problem: str
) -> None:
    with pytest.raises(InvalidDefinition, match=problem):
        await pms.define(definition)
