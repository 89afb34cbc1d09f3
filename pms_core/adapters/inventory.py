"""Per-date inventory: rows created lazily, moved by exact deltas, decremented conditionally."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Insert, Table, and_, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from pms_core.adapters.tables import inventory, rooms
from pms_core.errors import InventoryMismatch
from pms_core.model import Night


def upsert_insert(conn: AsyncConnection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that supports ON CONFLICT for the connection's backend."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def physical_counts(conn: AsyncConnection, room_type_ids: Iterable[int]) -> dict[int, int]:
    """The number of rooms in service (not taken out of the config) per room type."""
    ids = sorted(set(room_type_ids))
    counts = {room_type_id: 0 for room_type_id in ids}
    if not ids:
        return counts
    result = await conn.execute(
        select(rooms.c.room_type_id, func.count())
        .where(rooms.c.room_type_id.in_(ids), rooms.c.active.is_(True))
        .group_by(rooms.c.room_type_id)
    )
    for room_type_id, count in result:
        counts[room_type_id] = count
    return counts


async def ensure_rows(conn: AsyncConnection, property_id: int, nights: Iterable[Night]) -> None:
    """Create the inventory rows these nights need; existing rows are left as they are."""
    wanted = sorted(set(nights))
    if not wanted:
        return
    # Most nights already have a row: look first, because an INSERT that meets a row another
    # transaction is updating waits for that transaction on PostgreSQL.
    present = (
        await conn.execute(
            select(func.count()).where(tuple_(inventory.c.room_type_id, inventory.c.stay_date).in_(wanted))
        )
    ).scalar_one()
    if present == len(wanted):
        return
    physical = await physical_counts(conn, (room_type_id for room_type_id, _ in wanted))
    statement: Insert = (
        upsert_insert(conn, inventory)
        .values(
            [
                {
                    "property_id": property_id,
                    "room_type_id": room_type_id,
                    "stay_date": stay_date,
                    "physical": physical[room_type_id],
                    "out_of_order": 0,
                    "sold": 0,
                }
                for room_type_id, stay_date in wanted
            ]
        )
        .on_conflict_do_nothing(index_elements=["room_type_id", "stay_date"])
    )
    await conn.execute(statement)


async def lock_rows(conn: AsyncConnection, nights: Iterable[Night]) -> None:
    """Lock inventory rows in one fixed order so concurrent writers cannot deadlock.

    SQLite needs nothing: BEGIN IMMEDIATE already serialises writers.
    """
    wanted = sorted(set(nights))
    if not wanted or conn.dialect.name != "postgresql":
        return
    await conn.execute(
        select(inventory.c.id)
        .where(tuple_(inventory.c.room_type_id, inventory.c.stay_date).in_(wanted))
        .order_by(inventory.c.room_type_id, inventory.c.stay_date)
        .with_for_update()
    )


async def apply_deltas(conn: AsyncConnection, deltas: Counter[Night]) -> None:
    """Add each night's delta to its sold count, unconditionally (a partner's push is kept).

    Rows must exist (ensure_rows); a missing row means the data was changed behind our back.
    """
    groups: dict[tuple[int, int], list[date]] = defaultdict(list)
    for (room_type_id, stay_date), delta in sorted(deltas.items()):
        if delta:
            groups[(room_type_id, delta)].append(stay_date)
    for (room_type_id, delta), dates in groups.items():
        result = await conn.execute(
            update(inventory)
            .where(inventory.c.room_type_id == room_type_id, inventory.c.stay_date.in_(dates))
            .values(sold=inventory.c.sold + delta)
        )
        if result.rowcount != len(dates):
            raise InventoryMismatch(
                f"room type id {room_type_id}: {len(dates)} nights to move by {delta},"
                f" {result.rowcount} inventory rows found"
            )


async def take_if_available(
    conn: AsyncConnection, property_id: int, room_type_id: int, dates: Sequence[date]
) -> bool:
    """Sell one room on every date only where one is left; False if any date had none.

    A False leaves some dates decremented: the caller must roll back. On PostgreSQL
    (READ COMMITTED) the WHERE is re-checked after the row lock; on SQLite BEGIN IMMEDIATE
    serialises the whole transaction.
    """
    nights = [(room_type_id, stay_date) for stay_date in dates]
    await ensure_rows(conn, property_id, nights)
    await lock_rows(conn, nights)
    result = await conn.execute(
        update(inventory)
        .where(
            inventory.c.room_type_id == room_type_id,
            inventory.c.stay_date.in_(list(dates)),
            inventory.c.physical - inventory.c.out_of_order - inventory.c.sold >= 1,
        )
        .values(sold=inventory.c.sold + 1)
    )
    return result.rowcount == len(dates)


async def oversold(conn: AsyncConnection, nights: Iterable[Night]) -> set[Night]:
    """Those of these nights whose sold count exceeds the rooms available."""
    wanted = sorted(set(nights))
    if not wanted:
        return set()
    result = await conn.execute(
        select(inventory.c.room_type_id, inventory.c.stay_date).where(
            and_(
                tuple_(inventory.c.room_type_id, inventory.c.stay_date).in_(wanted),
                inventory.c.sold > inventory.c.physical - inventory.c.out_of_order,
            )
        )
    )
    return {(room_type_id, stay_date) for room_type_id, stay_date in result}


async def set_physical(conn: AsyncConnection, room_type_id: int, physical: int, *, from_date: date) -> None:
    """Make the physical count of a room type's inventory rows from `from_date` on follow its rooms."""
    await conn.execute(
        update(inventory)
        .where(
            inventory.c.room_type_id == room_type_id,
            inventory.c.stay_date >= from_date,
            inventory.c.physical != physical,
        )
        .values(physical=physical)
    )
