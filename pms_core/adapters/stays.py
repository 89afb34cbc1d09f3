"""Reading and writing stays, their room nights and the rooms' status; bookings locked by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Select, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.booking import Guest
from canonical.stay import Housekeeping, Occupancy, StayStatus
from pms_core.adapters.bookings import StoredBooking, booking_select, guest_from_row, view_from_row
from pms_core.adapters.stay_tables import booking_profiles, room_nights, stays
from pms_core.adapters.tables import booking_guests, booking_nights, bookings, out_of_order, room_types, rooms


@dataclass(frozen=True, slots=True)
class RoomState:
    """A room with its type and status, as a check-in or a move needs it."""

    id: int
    number: str
    room_type_id: int
    room_type_code: str
    occupancy: Occupancy
    housekeeping: Housekeeping
    out_of_order: bool
    active: bool


@dataclass(frozen=True, slots=True)
class StoredStay:
    """A stay row with its room's number and type, its booking's dates and linked profiles."""

    id: UUID
    booking_id: UUID
    confirmation: str
    room_id: int
    room: str
    room_type_code: str
    status: StayStatus
    arrival: date
    departure: date
    checked_in_on: date
    checked_in_at: datetime
    checked_out_at: datetime | None
    guest_profile_id: UUID | None
    company_profile_id: UUID | None


class RoomTaken(Exception):
    """A room night this stay wanted is held by another stay (the unique key said so)."""


def _locked(statement: Select[Any], conn: AsyncConnection, *of: Any) -> Select[Any]:
    # PostgreSQL locks the rows; SQLite's BEGIN IMMEDIATE already serialised the whole transaction.
    return statement.with_for_update(of=of) if conn.dialect.name == "postgresql" else statement


async def booking(conn: AsyncConnection, property_id: int, booking_id: UUID) -> StoredBooking | None:
    """The booking with this id in the property, locked against concurrent changes."""
    statement = booking_select().where(bookings.c.id == booking_id, bookings.c.property_id == property_id)
    row = (await conn.execute(_locked(statement, conn, bookings))).one_or_none()
    if row is None:
        return None
    return StoredBooking(view_from_row(row), row.room_type_id, row.rate_plan_id)


async def guests_and_nights(
    conn: AsyncConnection, booking_id: UUID
) -> tuple[list[Guest], dict[date, Decimal | None]]:
    """The booking's guests (in order) and the price of each of its nights."""
    guest_rows = await conn.execute(
        select(booking_guests)
        .where(booking_guests.c.booking_id == booking_id)
        .order_by(booking_guests.c.position)
    )
    night_rows = await conn.execute(
        select(booking_nights.c.night, booking_nights.c.amount).where(
            booking_nights.c.booking_id == booking_id
        )
    )
    nights = {row.night: None if row.amount is None else Decimal(row.amount) for row in night_rows}
    return [guest_from_row(row) for row in guest_rows], nights


_ROOM = select(
    rooms.c.id,
    rooms.c.number,
    rooms.c.room_type_id,
    room_types.c.code.label("room_type_code"),
    rooms.c.occupancy,
    rooms.c.housekeeping,
    rooms.c.out_of_order,
    rooms.c.active,
).join(room_types, room_types.c.id == rooms.c.room_type_id)


def _room(row: Any) -> RoomState:
    return RoomState(
        row.id,
        row.number,
        row.room_type_id,
        row.room_type_code,
        Occupancy(row.occupancy),
        Housekeeping(row.housekeeping),
        row.out_of_order,
        row.active,
    )


async def room(
    conn: AsyncConnection, property_id: int, number: str, *, lock: bool = True
) -> RoomState | None:
    """The room with this number in the property (locked unless told not to), or None."""
    statement = _ROOM.where(rooms.c.property_id == property_id, rooms.c.number == number)
    if lock:
        statement = _locked(statement, conn, rooms)
    row = (await conn.execute(statement)).one_or_none()
    return None if row is None else _room(row)


async def rooms_of(conn: AsyncConnection, property_id: int) -> list[RoomState]:
    """Every room of the property, by number."""
    statement = _ROOM.where(rooms.c.property_id == property_id).order_by(rooms.c.number)
    return [_room(row) for row in await conn.execute(statement)]


async def set_room(
    conn: AsyncConnection,
    room_id: int,
    *,
    occupancy: Occupancy | None = None,
    housekeeping: Housekeeping | None = None,
) -> None:
    """Set a room's occupancy and/or housekeeping status."""
    values: dict[str, str] = {}
    if occupancy is not None:
        values["occupancy"] = occupancy.value
    if housekeeping is not None:
        values["housekeeping"] = housekeeping.value
    if values:
        await conn.execute(update(rooms).where(rooms.c.id == room_id).values(**values))


async def out_of_order_between(conn: AsyncConnection, room_id: int, first: date, last: date) -> bool:
    """True when an out-of-order range of this room covers any night of [first, last]."""
    statement = select(out_of_order.c.id).where(
        out_of_order.c.room_id == room_id,
        out_of_order.c.first_night <= last,
        out_of_order.c.last_night >= first,
    )
    return (await conn.execute(statement.limit(1))).first() is not None


_STAY = (
    select(
        stays.c.id,
        stays.c.booking_id,
        bookings.c.confirmation,
        stays.c.room_id,
        rooms.c.number.label("room"),
        room_types.c.code.label("room_type_code"),
        stays.c.status,
        bookings.c.arrival,
        bookings.c.departure,
        stays.c.checked_in_on,
        stays.c.checked_in_at,
        stays.c.checked_out_at,
        booking_profiles.c.guest_profile_id,
        booking_profiles.c.company_profile_id,
    )
    .join(bookings, bookings.c.id == stays.c.booking_id)
    .join(rooms, rooms.c.id == stays.c.room_id)
    .join(room_types, room_types.c.id == rooms.c.room_type_id)
    .outerjoin(booking_profiles, booking_profiles.c.booking_id == stays.c.booking_id)
)


def _stay(row: Any) -> StoredStay:
    return StoredStay(
        row.id,
        row.booking_id,
        row.confirmation,
        row.room_id,
        row.room,
        row.room_type_code,
        StayStatus(row.status),
        row.arrival,
        row.departure,
        row.checked_in_on,
        row.checked_in_at,
        row.checked_out_at,
        row.guest_profile_id,
        row.company_profile_id,
    )


async def stay(
    conn: AsyncConnection, property_id: int, stay_id: UUID, *, lock: bool = True
) -> StoredStay | None:
    """The stay with this id in the property (locked unless told not to), or None."""
    statement = _STAY.where(stays.c.id == stay_id, stays.c.property_id == property_id)
    if lock:
        statement = _locked(statement, conn, stays)
    row = (await conn.execute(statement)).one_or_none()
    return None if row is None else _stay(row)


async def stay_of_booking(conn: AsyncConnection, booking_id: UUID) -> StoredStay | None:
    """The stay of this booking, if it was checked in."""
    row = (await conn.execute(_STAY.where(stays.c.booking_id == booking_id))).one_or_none()
    return None if row is None else _stay(row)


async def stays_of(
    conn: AsyncConnection, property_id: int, status: StayStatus | None, *, limit: int, offset: int
) -> list[StoredStay]:
    """The property's stays (of one status, if given), newest check-in first."""
    statement = _STAY.where(stays.c.property_id == property_id)
    if status is not None:
        statement = statement.where(stays.c.status == status.value)
    statement = statement.order_by(stays.c.checked_in_at.desc(), stays.c.id).limit(limit).offset(offset)
    return [_stay(row) for row in await conn.execute(statement)]


async def add_stay(
    conn: AsyncConnection,
    *,
    stay_id: UUID,
    property_id: int,
    booking_id: UUID,
    room_id: int,
    on: date,
    at: datetime,
) -> None:
    """Insert a stay in house; raises RoomTaken when the booking already has one (a concurrent check-in)."""
    values = {
        "id": stay_id,
        "property_id": property_id,
        "booking_id": booking_id,
        "room_id": room_id,
        "status": StayStatus.IN_HOUSE.value,
        "checked_in_on": on,
        "checked_in_at": at,
        "updated_at": at,
    }
    try:
        await conn.execute(insert(stays).values(**values))
    except IntegrityError as err:
        raise RoomTaken(f"booking {booking_id} is already checked in") from err


async def update_stay(conn: AsyncConnection, stay_id: UUID, at: datetime, **values: Any) -> None:
    """Change a stay's room or status."""
    await conn.execute(update(stays).where(stays.c.id == stay_id).values(updated_at=at, **values))


async def hold_nights(conn: AsyncConnection, stay_id: UUID, room_id: int, nights: Sequence[date]) -> None:
    """Hold the room for these nights; raises RoomTaken when another stay holds any of them."""
    if not nights:
        return
    rows = [{"room_id": room_id, "night": night, "stay_id": stay_id} for night in sorted(nights)]
    try:
        await conn.execute(insert(room_nights), rows)
    except IntegrityError as err:
        raise RoomTaken(f"room {room_id} is held by another stay on one of {len(rows)} nights") from err


async def release_nights(conn: AsyncConnection, stay_id: UUID, *, from_night: date) -> None:
    """Give up the stay's room nights from this night on."""
    await conn.execute(
        delete(room_nights).where(room_nights.c.stay_id == stay_id, room_nights.c.night >= from_night)
    )


async def held_nights(conn: AsyncConnection, stay_id: UUID) -> list[tuple[int, date]]:
    """The (room id, night)s the stay holds, in order."""
    statement = (
        select(room_nights.c.room_id, room_nights.c.night)
        .where(room_nights.c.stay_id == stay_id)
        .order_by(room_nights.c.night)
    )
    return [(row.room_id, row.night) for row in await conn.execute(statement)]


_PROFILES = select(booking_profiles).where(booking_profiles.c.booking_id == bindparam("booking_id"))


async def profiles_of(conn: AsyncConnection, booking_id: UUID) -> tuple[UUID | None, UUID | None]:
    """The (guest, company) profile ids the booking is linked to."""
    row = (await conn.execute(_PROFILES, {"booking_id": booking_id})).one_or_none()
    return (None, None) if row is None else (row.guest_profile_id, row.company_profile_id)
