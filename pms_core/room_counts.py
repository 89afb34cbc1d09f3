"""Use case of room counts from an external PMS that owns inventory: rooms left follow its count.

The core's rooms left are physical - out of order - sold. An external PMS says how many rooms are
free; the core keeps its own sold and out-of-order counts (bookings the channels sell through the
hub still count) and sets the night's rooms in service to count + out of order + sold, so rooms
left equals the count the moment it is applied. Every night whose rooms left moved raises an
availability `ari.changed.v1` in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from canonical.ari import ARI_CHANGED_V1, SetRoomCounts
from pms_core.adapters import out_of_order as levels_store
from pms_core.adapters.ari import lock_property
from pms_core.adapters.room_counts import set_physical_nights
from pms_core.ari_cells import availability_events
from pms_core.unit_of_work import PmsUnitOfWork


@dataclass(frozen=True, slots=True)
class RoomCountsOutcome:
    """What a SetRoomCounts changed: nights whose rooms left moved, and the events raised."""

    nights: int
    events: int


async def handle_set_room_counts(cmd: SetRoomCounts, uow: PmsUnitOfWork) -> RoomCountsOutcome:
    """Make rooms left of each (room type, night) equal its count, in the caller's transaction.

    Raises UnknownProperty and UnknownRoomType; nothing is written then (the caller rolls back).
    A night given twice takes the last count.
    """
    conn = uow.conn
    setup = await uow.catalog.property(conn, cmd.property)
    await lock_property(conn, setup.prop.id)
    by_type: dict[str, dict[date, int]] = defaultdict(dict)
    for cell in cmd.counts:
        by_type[cell.room_type][cell.night] = cell.available
    moved_nights = 0
    events = 0
    for code in sorted(by_type):
        ref = await uow.catalog.room_type(conn, setup, code)
        counts = by_type[code]
        stock = await uow.catalog.stock(conn, setup, [ref.id])
        property_id, in_service = stock[ref.id]
        current = await levels_store.levels(conn, ref.id, min(counts), max(counts))
        rows: list[dict[str, Any]] = []
        moved: list[date] = []
        for night in sorted(counts):
            physical, out_of_order, sold = current.get(night, (in_service, 0, 0))
            wanted = counts[night] + out_of_order + sold
            if wanted == physical:
                continue
            rows.append(
                {
                    "property_id": property_id,
                    "room_type_id": ref.id,
                    "stay_date": night,
                    "physical": wanted,
                    "out_of_order": out_of_order,
                    "sold": sold,
                }
            )
            if max(physical - out_of_order - sold, 0) != counts[night]:
                moved.append(night)
        await set_physical_nights(conn, rows)
        moved_nights += len(moved)
        for event in availability_events(setup.prop.code, ref.code, moved):
            uow.collect(ARI_CHANGED_V1, event)
            events += 1
    return RoomCountsOutcome(moved_nights, events)
