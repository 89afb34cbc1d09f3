"""Drives the PMS core as delivery and the API do: one transaction per call, events kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

from pms_builders import ARRIVAL, HOTEL
from pydantic import BaseModel
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.booking import BookingReceived, CreateBooking
from canonical.property import DefineProperty
from pms_core import queries
from pms_core.handlers import create_direct_booking, handle_booking_received
from pms_core.setup import apply_property
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import ApplyReport, AvailabilityRow, BookingDetail, BookingOutcome, BookingView


class PmsDriver:
    """Runs each use case in its own transaction and remembers the events it raised."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.events: list[tuple[str, BaseModel]] = []

    async def define(self, cmd: DefineProperty) -> ApplyReport:
        """Apply a property definition."""
        async with self.engine.begin() as conn:
            return await apply_property(conn, cmd)

    async def receive(self, msg: BookingReceived) -> BookingOutcome:
        """Handle a partner booking message as the delivery layer would."""
        async with self.engine.begin() as conn:
            uow = PmsUnitOfWork(conn, message_id=str(uuid4()))
            outcome = await handle_booking_received(msg, uow)
        self.events += uow.events
        return outcome

    async def book(self, cmd: CreateBooking) -> BookingView:
        """Make a direct booking as the PMS API would (rolled back when it raises)."""
        async with self.engine.begin() as conn:
            uow = PmsUnitOfWork(conn)
            view = await create_direct_booking(cmd, uow)
        self.events += uow.events
        return view

    async def availability(
        self, start: date = ARRIVAL - timedelta(days=3), days: int = 10, hotel: str = HOTEL
    ) -> list[AvailabilityRow]:
        """The availability grid around the default arrival date."""
        async with self.engine.connect() as conn:
            return await queries.availability(conn, hotel, start, start + timedelta(days=days))

    async def available(self, room_type: str, *dates: date) -> list[int]:
        """Rooms left of one type on the given dates."""
        grid = {(row.room_type_code, row.stay_date): row.available for row in await self.availability()}
        return [grid[(room_type, day)] for day in dates]

    async def bookings(self, hotel: str = HOTEL, **filters: object) -> list[BookingView]:
        """The property's bookings (filters as queries.list_bookings takes them)."""
        async with self.engine.connect() as conn:
            return await queries.list_bookings(conn, hotel, **filters)  # type: ignore[arg-type]

    async def booking(self, booking_id: UUID, hotel: str = HOTEL) -> BookingDetail | None:
        """One booking with its details."""
        async with self.engine.connect() as conn:
            return await queries.get_booking(conn, hotel, booking_id)

    def event_keys(self) -> list[str]:
        """Routing keys of the events raised so far, in order."""
        return [key for key, _ in self.events]


@contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements the engine sends inside the block (BEGIN not counted)."""
    seen: list[str] = []

    def _seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", _seen)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", _seen)
