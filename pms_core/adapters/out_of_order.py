"""Out-of-order ranges per room, and the inventory rows' out-of-order counts they add up to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from pms_core.adapters.bulk import UnnestInsert
from pms_core.adapters.tables import inventory, out_of_order, room_types, rooms


@dataclass(frozen=True, slots=True)
class RoomRef:
    """An active room: id, number and its room type."""

    id: int
    number: str
    room_type_id: int


@dataclass(frozen=True, slots=True)
class StoredRange:
    """One stored out-of-order range, with its room's number and room type code."""

    id: int
    room: str
    room_type_id: int
    room_type: str
    first_night: date
    last_night: date
    reason: str
    created_at: datetime


_ROOM = select(rooms.c.id, rooms.c.number, rooms.c.room_type_id).where(
    rooms.c.property_id == bindparam("property_id"),
    rooms.c.number == bindparam("number"),
    rooms.c.active.is_(True),
)
_RANGES = (
    select(
        out_of_order.c.id,
        rooms.c.number.label("room"),
        rooms.c.room_type_id,
        room_types.c.code.label("room_type"),
        out_of_order.c.first_night,
        out_of_order.c.last_night,
        out_of_order.c.reason,
        out_of_order.c.created_at,
    )
    .join(rooms, rooms.c.id == out_of_order.c.room_id)
    .join(room_types, room_types.c.id == rooms.c.room_type_id)
    .where(out_of_order.c.property_id == bindparam("property_id"))
    .order_by(out_of_order.c.first_night, rooms.c.number, out_of_order.c.id)
)
# Only rooms in service count: a room taken out of the config is no longer physical inventory.
_COVERING = (
    select(out_of_order.c.room_id, out_of_order.c.first_night, out_of_order.c.last_night)
    .join(rooms, rooms.c.id == out_of_order.c.room_id)
    .where(
        rooms.c.room_type_id == bindparam("room_type_id"),
        rooms.c.active.is_(True),
        out_of_order.c.first_night <= bindparam("last"),
        out_of_order.c.last_night >= bindparam("first"),
    )
)
_LEVELS = select(
    inventory.c.stay_date, inventory.c.physical, inventory.c.out_of_order, inventory.c.sold
).where(
    inventory.c.room_type_id == bindparam("room_type_id"),
    inventory.c.stay_date >= bindparam("first"),
    inventory.c.stay_date <= bindparam("last"),
)
_PG_SET = UnnestInsert(
    inventory,
    suffix="ON CONFLICT (room_type_id, stay_date) DO UPDATE SET out_of_order = excluded.out_of_order",
)
_SQLITE_SET = sqlite.insert(inventory)
_SQLITE_SET = _SQLITE_SET.on_conflict_do_update(
    index_elements=["room_type_id", "stay_date"], set_={"out_of_order": _SQLITE_SET.excluded.out_of_order}
)


async def find_room(conn: AsyncConnection, property_id: int, number: str) -> RoomRef | None:
    """The active room with this number, or None."""
    row = (await conn.execute(_ROOM, {"property_id": property_id, "number": number})).one_or_none()
    return None if row is None else RoomRef(row.id, row.number, row.room_type_id)


async def add_range(
    conn: AsyncConnection, property_id: int, room_id: int, first: date, last: date, reason: str, at: datetime
) -> int:
    """Store a range; returns its id."""
    stmt = insert(out_of_order).values(
        property_id=property_id,
        room_id=room_id,
        first_night=first,
        last_night=last,
        reason=reason,
        created_at=at,
    )
    return int((await conn.execute(stmt.returning(out_of_order.c.id))).scalar_one())


async def ranges(conn: AsyncConnection, property_id: int) -> list[StoredRange]:
    """Every stored range of the property, by first night and room."""
    return [StoredRange(**row._mapping) for row in await conn.execute(_RANGES, {"property_id": property_id})]


async def remove_range(conn: AsyncConnection, property_id: int, range_id: int) -> StoredRange | None:
    """Delete one range and return it (None when the property has no range with that id)."""
    found = next((r for r in await ranges(conn, property_id) if r.id == range_id), None)
    if found is not None:
        await conn.execute(delete(out_of_order).where(out_of_order.c.id == range_id))
    return found


async def covering(
    conn: AsyncConnection, room_type_id: int, first: date, last: date
) -> list[tuple[int, date, date]]:
    """(room id, first, last) of every range of the type's rooms in service that meets [first, last]."""
    params = {"room_type_id": room_type_id, "first": first, "last": last}
    return [(row.room_id, row.first_night, row.last_night) for row in await conn.execute(_COVERING, params)]


async def levels(
    conn: AsyncConnection, room_type_id: int, first: date, last: date
) -> dict[date, tuple[int, int, int]]:
    """(physical, out of order, sold) of the room type's stored inventory rows in [first, last]."""
    params = {"room_type_id": room_type_id, "first": first, "last": last}
    return {
        row.stay_date: (row.physical, row.out_of_order, row.sold)
        for row in await conn.execute(_LEVELS, params)
    }


async def set_counts(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Write inventory rows' out-of-order counts (missing rows created): one statement."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        await _PG_SET.on_postgresql(conn, rows)
    else:
        await conn.execute(_SQLITE_SET, list(rows))
