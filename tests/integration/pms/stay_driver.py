"""Drives the stay use cases one transaction per call, as the API and the CLI do; events kept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

from pms_builders import HOTEL, a_direct_booking
from pms_driver import PmsDriver
from sqlalchemy import select, update

from canonical.stay import CheckIn
from pms_core.adapters.stay_tables import room_nights
from pms_core.adapters.tables import properties, rooms
from pms_core.housekeeping import room_statuses
from pms_core.stay_handlers import handle_check_in
from pms_core.stay_views import RoomStatusView, StayView
from pms_core.unit_of_work import PmsUnitOfWork

T = TypeVar("T")


class StayDriver:
    """The PMS driver plus the front desk: run a handler in a transaction, read rooms and room nights."""

    def __init__(self, pms: PmsDriver) -> None:
        self.pms = pms
        self.engine = pms.engine

    async def run(self, handler: Callable[[Any, PmsUnitOfWork], Awaitable[T]], cmd: Any) -> T:
        """Run one use case in its own transaction (rolled back when it raises), with availability events."""
        async with self.engine.begin() as conn:
            uow = PmsUnitOfWork(conn, ari_events=True)
            result = await handler(cmd, uow)
        self.pms.events += uow.events
        return result

    async def booked_and_checked_in(self, room: str = "101", nights: int = 2) -> StayView:
        """A direct DBL booking arriving on the business date, checked in to `room`."""
        booking = await self.pms.book(a_direct_booking("DBL", nights=nights))
        return await self.run(handle_check_in, CheckIn(property_code=HOTEL, booking_id=booking.id, room=room))

    async def business_date(self, day: date, hotel: str = HOTEL) -> None:
        """Set the property's business date (the night audit's job)."""
        async with self.engine.begin() as conn:
            await conn.execute(update(properties).where(properties.c.code == hotel).values(business_date=day))

    async def set_room(self, number: str, **values: str) -> None:
        """Set a room's status columns directly (a room left dirty by an earlier guest)."""
        async with self.engine.begin() as conn:
            await conn.execute(update(rooms).where(rooms.c.number == number).values(**values))

    async def room(self, number: str, hotel: str = HOTEL) -> RoomStatusView:
        """One room's status."""
        async with self.engine.connect() as conn:
            [found] = await room_statuses(conn, hotel, number=number)
            return found

    async def held(self) -> list[tuple[str, date]]:
        """Every (room number, night) a stay holds, in order."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(rooms.c.number, room_nights.c.night)
                .join(rooms, rooms.c.id == room_nights.c.room_id)
                .order_by(rooms.c.number, room_nights.c.night)
            )
            return [(row.number, row.night) for row in rows]

    def routing_keys(self) -> list[str]:
        """Routing keys of the events raised so far."""
        return self.pms.event_keys()

    def forget_events(self) -> None:
        """Start counting events afresh."""
        self.pms.events.clear()
