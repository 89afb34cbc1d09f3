"""Use cases of rooms out of order: take a room out for a range of nights, put it back, list.

Each room keeps its own ranges, so putting one back is exact; the inventory rows' out-of-order
count of a night is the number of distinct rooms of the type with a range covering it, so
overlapping ranges of one room count once. Every night whose availability moves raises an
availability `ari.changed.v1` in the same transaction.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.ari import ARI_CHANGED_V1, MAX_SPAN_DAYS, AriChanged
from pms_core.adapters import catalog
from pms_core.adapters import out_of_order as store
from pms_core.adapters.ari import lock_property
from pms_core.adapters.catalog import PropertyCatalog
from pms_core.ari_cells import availability_events
from pms_core.errors import AriRefused, UnknownRoom
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import OutOfOrderView

MAX_REASON = 200


async def take_out_of_order(
    uow: PmsUnitOfWork, property_code: str, room: str, first: date, last: date, reason: str
) -> OutOfOrderView:
    """Take one room out of inventory for [first, last]; raises UnknownProperty, UnknownRoom, AriRefused."""
    if last < first:
        raise AriRefused(property_code, "the last night is before the first")
    if (last - first).days >= MAX_SPAN_DAYS:
        raise AriRefused(
            property_code, f"a room goes out of order for at most {MAX_SPAN_DAYS} nights at a time"
        )
    if not reason.strip() or len(reason) > MAX_REASON:
        raise AriRefused(property_code, f"a reason of 1 to {MAX_REASON} characters is needed")
    setup = await uow.catalog.property(uow.conn, property_code)
    await lock_property(uow.conn, setup.prop.id)
    found = await store.find_room(uow.conn, setup.prop.id, room)
    if found is None:
        raise UnknownRoom(setup.prop.code, f"room {room!r}")
    range_id = await store.add_range(
        uow.conn, setup.prop.id, found.id, first, last, reason.strip(), uow.now()
    )
    await _recount(uow, setup, found.room_type_id, first, last)
    stored = await store.ranges(uow.conn, setup.prop.id)
    return _view(setup.prop.code, next(r for r in stored if r.id == range_id))


async def put_back(uow: PmsUnitOfWork, property_code: str, range_id: int) -> OutOfOrderView:
    """Put a room back into inventory for the nights of one range; raises UnknownRoom for no such id."""
    setup = await uow.catalog.property(uow.conn, property_code)
    await lock_property(uow.conn, setup.prop.id)
    removed = await store.remove_range(uow.conn, setup.prop.id, range_id)
    if removed is None:
        raise UnknownRoom(setup.prop.code, f"out-of-order range {range_id}")
    await _recount(uow, setup, removed.room_type_id, removed.first_night, removed.last_night)
    return _view(setup.prop.code, removed)


async def list_out_of_order(conn: AsyncConnection, property_code: str) -> list[OutOfOrderView]:
    """Every out-of-order range of the property, by first night and room; raises UnknownProperty."""
    prop = await catalog.property_by_code(conn, property_code)
    return [_view(prop.code, stored) for stored in await store.ranges(conn, prop.id)]


async def recount_out_of_order(
    conn: AsyncConnection, property_code: str, room_type_ids: list[int], from_date: date
) -> list[AriChanged]:
    """Recount these room types' out-of-order nights from `from_date` (rooms moved or withdrawn).

    Returns the availability events of the nights that moved; called by a property set-up.
    """
    uow = PmsUnitOfWork(conn)
    setup = await uow.catalog.property(conn, property_code)
    await lock_property(conn, setup.prop.id)
    stored = await store.ranges(conn, setup.prop.id)
    last = max((r.last_night for r in stored), default=None)
    if last is None or last < from_date:
        return []
    for room_type_id in room_type_ids:
        await _recount(uow, setup, room_type_id, from_date, last)
    return [event for _, event in uow.events if isinstance(event, AriChanged)]


async def _recount(
    uow: PmsUnitOfWork, setup: PropertyCatalog, room_type_id: int, first: date, last: date
) -> None:
    """Make the type's out-of-order counts on [first, last] match its rooms' ranges; collect events."""
    conn = uow.conn
    out: dict[date, set[int]] = {}
    for room_id, start, end in await store.covering(conn, room_type_id, first, last):
        night = max(start, first)
        while night <= min(end, last):
            out.setdefault(night, set()).add(room_id)
            night += timedelta(days=1)
    stock = await uow.catalog.stock(conn, setup, [room_type_id])
    property_id, physical = stock[room_type_id]
    current = await store.levels(conn, room_type_id, first, last)
    rows: list[dict[str, Any]] = []
    moved: list[date] = []
    night = first
    while night <= last:
        count = len(out.get(night, ()))
        rooms, before, sold = current.get(night, (physical, 0, 0))
        if count != before:
            rows.append(
                {
                    "property_id": property_id,
                    "room_type_id": room_type_id,
                    "stay_date": night,
                    "physical": rooms,
                    "out_of_order": count,
                    "sold": sold,
                }
            )
            if max(rooms - before - sold, 0) != max(rooms - count - sold, 0):
                moved.append(night)
        night += timedelta(days=1)
    await store.set_counts(conn, rows)
    type_code = next(ref.code for ref in setup.room_types.values() if ref.id == room_type_id)
    for event in availability_events(setup.prop.code, type_code, moved):
        uow.collect(ARI_CHANGED_V1, event)


def _view(property_code: str, stored: store.StoredRange) -> OutOfOrderView:
    return OutOfOrderView(
        id=stored.id,
        property_code=property_code,
        room=stored.room,
        room_type_code=stored.room_type,
        first_night=stored.first_night,
        last_night=stored.last_night,
        reason=stored.reason,
        created_at=stored.created_at,
    )
