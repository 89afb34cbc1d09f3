"""Per-date inventory: rows created lazily, moved by exact deltas, decremented conditionally.

Inventory moves are one `INSERT … ON CONFLICT DO UPDATE … RETURNING` (SQLite ≥ 3.35 and
PostgreSQL): it creates the missing rows, adds the deltas and reports which nights are now
oversold, in one statement. Rows go in (room type id, date) order, which is the order
PostgreSQL locks them in, so concurrent writers cannot deadlock on each other's nights.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Insert,
    and_,
    bindparam,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from pms_core.adapters.bulk import UnnestInsert
from pms_core.adapters.tables import inventory, rooms
from pms_core.errors import InventoryMismatch
from pms_core.model import Night

_OVERSOLD = (inventory.c.sold > inventory.c.physical - inventory.c.out_of_order).label("oversold")
_CAPACITY = (inventory.c.physical - inventory.c.out_of_order).label("capacity")
_LEVEL = (inventory.c.room_type_id, inventory.c.stay_date, inventory.c.sold, _CAPACITY)
_KEY = ["room_type_id", "stay_date"]

Level = tuple[int, int]  # (rooms sold, rooms there are to sell) of one night
Stock = tuple[int, int]  # (property id, rooms in service) of one room type


def _moves(dialect: Any) -> Insert:
    # A new row starts at the delta; an existing one adds it (the CHECK refuses a negative sold).
    stmt = dialect.insert(inventory)
    return stmt.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=_KEY, set_={"sold": inventory.c.sold + stmt.excluded.sold}
    ).returning(*_LEVEL)


def _takes(dialect: Any) -> Insert:
    # Sell one more only where one is left; a row the WHERE refuses is not returned.
    stmt = dialect.insert(inventory)
    return stmt.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=_KEY,
        set_={"sold": inventory.c.sold + 1},
        where=inventory.c.physical - inventory.c.out_of_order - inventory.c.sold >= 1,
    ).returning(inventory.c.stay_date, _OVERSOLD)


_MOVE = {"postgresql": _moves(postgresql), "sqlite": _moves(sqlite)}
# PostgreSQL: the same upsert with one array per column, so its text is the same for any number of
# nights and it is prepared once per connection (the multi-row VALUES above is new text for every
# count of nights: a round trip to prepare it and a fresh plan nearly every batch).
_PG_MOVE = UnnestInsert(
    inventory,
    suffix="ON CONFLICT (room_type_id, stay_date) DO UPDATE SET sold = inventory.sold + excluded.sold "
    "RETURNING room_type_id, stay_date, sold, physical - out_of_order AS capacity",
)
_TAKE = {"postgresql": _takes(postgresql), "sqlite": _takes(sqlite)}
_RELEASE = (
    update(inventory)
    .where(tuple_(inventory.c.room_type_id, inventory.c.stay_date).in_(bindparam("nights", expanding=True)))
    .values(sold=inventory.c.sold + bindparam("delta"))
    .returning(*_LEVEL)
)
_OVERSOLD_AMONG = select(inventory.c.room_type_id, inventory.c.stay_date).where(
    and_(
        tuple_(inventory.c.room_type_id, inventory.c.stay_date).in_(bindparam("nights", expanding=True)),
        inventory.c.sold > inventory.c.physical - inventory.c.out_of_order,
    )
)
_PHYSICAL = (
    select(rooms.c.room_type_id, func.count())
    .where(rooms.c.room_type_id.in_(bindparam("ids", expanding=True)), rooms.c.active.is_(True))
    .group_by(rooms.c.room_type_id)
)


async def physical_counts(conn: AsyncConnection, room_type_ids: Iterable[int]) -> dict[int, int]:
    """The number of rooms in service (not taken out of the config) per room type."""
    ids = sorted(set(room_type_ids))
    counts = {room_type_id: 0 for room_type_id in ids}
    if not ids:
        return counts
    for room_type_id, count in await conn.execute(_PHYSICAL, {"ids": ids}):
        counts[room_type_id] = count
    return counts


def _row(night: Night, stock: Stock, sold: int) -> dict[str, Any]:
    room_type_id, stay_date = night
    property_id, physical = stock
    return {
        "property_id": property_id,
        "room_type_id": room_type_id,
        "stay_date": stay_date,
        "physical": physical,
        "out_of_order": 0,
        "sold": sold,
    }


async def move(
    conn: AsyncConnection, deltas: Mapping[Night, int], stock: Mapping[int, Stock]
) -> dict[Night, Level]:
    """Add each night's delta to its sold count, unconditionally (a partner's push is kept).

    Every night given is written, a delta of 0 too (its row is then locked and read); missing
    rows are created with the rooms `stock` gives their room type. Returns each night's level
    afterwards. Raises InventoryMismatch when a release finds no room sold to release: data was
    changed behind the core's back.
    """
    nights = sorted(deltas)
    if not nights:
        return {}
    # Takes and releases both go through the upsert, so PostgreSQL locks every row in one order.
    # A release adds 0 there and is subtracted next: the proposed row of an upsert must pass the
    # sold >= 0 CHECK even when it meets an existing row.
    rows = [_row(night, stock[night[0]], max(deltas[night], 0)) for night in nights]
    if conn.dialect.name == "postgresql":
        result = await _PG_MOVE.on_postgresql(conn, rows)
    else:
        result = await conn.execute(_MOVE[conn.dialect.name], rows)
    levels = {(row.room_type_id, row.stay_date): (row.sold, row.capacity) for row in result}
    releases: dict[int, list[Night]] = defaultdict(list)
    for night in nights:
        if deltas[night] < 0:
            releases[deltas[night]].append(night)
    for delta, released in releases.items():
        try:
            found = (await conn.execute(_RELEASE, {"delta": delta, "nights": released})).all()
        except IntegrityError as err:
            raise InventoryMismatch(f"{len(released)} nights to release by {-delta}: {err.orig}") from err
        if len(found) != len(released):
            raise InventoryMismatch(f"{len(released)} nights to release, {len(found)} inventory rows found")
        levels.update({(row.room_type_id, row.stay_date): (row.sold, row.capacity) for row in found})
    return levels


async def take_if_available(
    conn: AsyncConnection, room_type_id: int, dates: Sequence[date], stock: Stock
) -> bool:
    """Sell one room on every date only where one is left; False if any date had none.

    A False leaves some dates decremented: the caller must roll back. On PostgreSQL
    (READ COMMITTED) ON CONFLICT DO UPDATE re-checks its WHERE on the row it locked; on
    SQLite BEGIN IMMEDIATE serialises the whole transaction.
    """
    rows = [_row((room_type_id, stay_date), stock, 1) for stay_date in sorted(set(dates))]
    result = (await conn.execute(_TAKE[conn.dialect.name], rows)).all()
    # A row created by this statement sells its first room even when the type has none.
    return len(result) == len(rows) and not any(row.oversold for row in result)


async def oversold(conn: AsyncConnection, nights: Iterable[Night]) -> set[Night]:
    """Those of these nights whose sold count exceeds the rooms available."""
    wanted = sorted(set(nights))
    if not wanted:
        return set()
    result = await conn.execute(_OVERSOLD_AMONG, {"nights": wanted})
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


async def last_stored_night(conn: AsyncConnection, room_type_ids: Iterable[int]) -> date | None:
    """The latest night any of these room types has an inventory row for (None: no row)."""
    ids = sorted(set(room_type_ids))
    if not ids:
        return None
    stmt = select(func.max(inventory.c.stay_date)).where(inventory.c.room_type_id.in_(ids))
    found: date | None = (await conn.execute(stmt)).scalar_one_or_none()
    return found
