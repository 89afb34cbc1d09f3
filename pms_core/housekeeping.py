"""Room housekeeping: the rule of what a room may be set to, setting it, and every room's status."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.stay import Housekeeping, Occupancy, SetHousekeeping, StayStatus
from pms_core.adapters import catalog
from pms_core.adapters import stays as store
from pms_core.adapters.stay_tables import stays
from pms_core.stay_errors import StayConflict, StayNotFound
from pms_core.stay_views import RoomStatusView
from pms_core.unit_of_work import PmsUnitOfWork


def housekeeping_change(current: Housekeeping, wanted: Housekeeping, occupancy: Occupancy) -> Housekeeping:
    """The status a room may be set to: an inspection confirms a cleaning of a vacant room."""
    if wanted is Housekeeping.INSPECTED and current is Housekeeping.DIRTY:
        raise StayConflict("a dirty room is cleaned before it is inspected")
    if wanted is Housekeeping.INSPECTED and occupancy is Occupancy.OCCUPIED:
        raise StayConflict("an occupied room is inspected once its guest has left")
    return wanted


async def handle_set_housekeeping(cmd: SetHousekeeping, uow: PmsUnitOfWork) -> RoomStatusView:
    """Set a room's housekeeping status; raises UnknownProperty, StayNotFound, StayConflict."""
    setup = await uow.catalog.property(uow.conn, cmd.property_code)
    room = await store.room(uow.conn, setup.prop.id, cmd.room)
    if room is None:
        raise StayNotFound(f"no room {cmd.room!r} in property {cmd.property_code!r}")
    status = housekeeping_change(room.housekeeping, cmd.status, room.occupancy)
    await store.set_room(uow.conn, room.id, housekeeping=status)
    return (await room_statuses(uow.conn, cmd.property_code, number=cmd.room))[0]


async def room_statuses(
    conn: AsyncConnection, property_code: str, *, number: str | None = None
) -> list[RoomStatusView]:
    """Every room of the property (or the one numbered so) with its status and in-house stay."""
    prop = await catalog.property_by_code(conn, property_code)
    in_house = select(stays.c.room_id, stays.c.id).where(
        stays.c.property_id == prop.id, stays.c.status == StayStatus.IN_HOUSE.value
    )
    occupants = {room_id: stay_id for room_id, stay_id in await conn.execute(in_house)}
    found = [
        RoomStatusView(
            number=room.number,
            room_type_code=room.room_type_code,
            occupancy=room.occupancy,
            housekeeping=room.housekeeping,
            out_of_order=room.out_of_order,
            active=room.active,
            stay_id=occupants.get(room.id),
        )
        for room in await store.rooms_of(conn, prop.id)
        if number is None or room.number == number
    ]
    if number is not None and not found:
        raise StayNotFound(f"no room {number!r} in property {property_code!r}")
    return found
