"""What one partner message costs in statements, and the set-up read once per transaction."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from pms_builders import ARRIVAL, a_property, a_reservation, a_stay
from pms_driver import PmsDriver, counting_statements
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.booking import BookingAction, BookingReceived
from pms_core.adapters.tables import inventory
from pms_core.errors import InventoryMismatch
from pms_core.handlers import handle_booking_received
from pms_core.setup import apply_property
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import BookingOutcome, OutcomeKind

D0, D1, D2 = (ARRIVAL + timedelta(days=offset) for offset in range(3))


@pytest.fixture
async def hotel(pms: PmsDriver) -> PmsDriver:
    """A property with 3 DBL rooms and 1 SGL room."""
    await pms.define(a_property())
    return pms


async def _receive(conn: AsyncConnection, msg: BookingReceived) -> BookingOutcome:
    # A unit of work per message on one transaction, as delivery builds them.
    return await handle_booking_received(msg, PmsUnitOfWork(conn, message_id=str(uuid4())))


async def test_given_set_up_read_in_the_transaction_when_a_new_reservation_arrives_then_six_statements(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        await _receive(conn, a_reservation("R1"))
        with counting_statements(engine) as statements:
            outcome = await _receive(conn, a_reservation("R2", stays=(a_stay(arrival=D1),)))

    assert outcome.kind is OutcomeKind.APPLIED
    # Reservation look-up, inventory upsert, then booking, guests, nights and revision.
    assert len(statements) == 6
    assert not any(statement.startswith("SELECT properties") for statement in statements)


async def test_given_set_up_changed_in_the_transaction_when_a_booking_follows_then_it_sees_the_change(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    bigger = a_property(rooms={"DBL": ("101", "102", "103", "104"), "SGL": ("201",), "SUITE": ("301",)})
    async with engine.begin() as conn:
        await _receive(conn, a_reservation("R1"))
        await apply_property(conn, bigger)
        await _receive(conn, a_reservation("R3", stays=(a_stay("DBL", arrival=D2),)))
        suite = await _receive(conn, a_reservation("R2", stays=(a_stay("SUITE"),)))

    assert suite.kind is OutcomeKind.APPLIED
    assert await hotel.available("DBL", D0, D2) == [3, 3]


async def test_given_sold_count_changed_behind_the_core_when_cancelled_then_inventory_mismatch(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    await hotel.receive(a_reservation("R1"))
    async with engine.begin() as conn:
        await conn.execute(update(inventory).values(sold=0))

    with pytest.raises(InventoryMismatch):
        await hotel.receive(a_reservation("R1", action=BookingAction.CANCEL, rev=1))

    assert await hotel.available("DBL", D0, D1) == [3, 3]
