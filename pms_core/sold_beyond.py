"""Nights already sold beyond the rooms a new property definition would leave in a room type.

Rooms are not assigned to bookings ahead of arrival, so taking rooms out of a room type (or
withdrawing the type) strands nothing by itself; it does when a night of that type has more rooms
sold than would be left to sell. Read-only: `config check` asks it of a database, `config apply`
asks it just before applying, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import utcnow
from canonical.property import DefineProperty
from pms_core.adapters import catalog
from pms_core.adapters.inventory import physical_counts
from pms_core.adapters.tables import inventory, room_types
from pms_core.setup import business_day

NIGHTS_SHOWN = 10  # a report line names at most this many nights, then counts the rest


@dataclass(frozen=True)
class SoldBeyond:
    """A room type that would keep fewer rooms than some nights, from the business date on, have sold."""

    property_code: str
    room_type: str
    rooms_left: int  # 0: the definition withdraws the room type
    nights: tuple[tuple[date, int], ...]  # (night, rooms sold), in date order

    def describe(self) -> str:
        """One line: the room type, the rooms left, the nights and what they sold."""
        shown = ", ".join(f"{night.isoformat()} ({sold} sold)" for night, sold in self.nights[:NIGHTS_SHOWN])
        more = len(self.nights) - NIGHTS_SHOWN
        rest = f" and {more} more" if more > 0 else ""
        left = "is withdrawn" if self.rooms_left == 0 else f"keeps {self.rooms_left} room(s)"
        count = len(self.nights)
        return (
            f"room type {self.room_type} {left}, fewer than are sold on {count} night(s): "
            f"{shown}{rest}; those bookings stay and are overbooked"
        )


async def sold_beyond(
    conn: AsyncConnection, cmd: DefineProperty, *, now: datetime | None = None
) -> list[SoldBeyond]:
    """The room types `cmd` would shrink below what is already sold on a night; [] for a new property."""
    found = await catalog.find_property(conn, cmd.code)
    if found is None:
        return []
    existing = {
        code: type_id
        for type_id, code in await conn.execute(
            select(room_types.c.id, room_types.c.code).where(room_types.c.property_id == found.id)
        )
    }
    wanted = {room_type.code: len(room_type.rooms) for room_type in cmd.room_types}
    current = await physical_counts(conn, existing.values())
    from_date = business_day(found.business_date, cmd.timezone, now or utcnow())
    shrunk: list[SoldBeyond] = []
    for code, type_id in sorted(existing.items()):
        left = wanted.get(code, 0)
        if left >= current[type_id]:
            continue  # not shrunk by this definition: what it already had sold is no news
        rows = await conn.execute(
            select(inventory.c.stay_date, inventory.c.sold)
            .where(
                inventory.c.room_type_id == type_id,
                inventory.c.stay_date >= from_date,
                inventory.c.sold > 0,
                inventory.c.sold > left - inventory.c.out_of_order,
            )
            .order_by(inventory.c.stay_date)
        )
        nights = tuple((night, sold) for night, sold in rows)
        if nights:
            shrunk.append(SoldBeyond(cmd.code, code, left, nights))
    return shrunk
