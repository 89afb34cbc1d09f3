"""A stay's changes to its booking: new nights, another room type, a new status.

Nights and room types change through the booking-change path every booking change takes
(reservations.StayChange, recording.move_inventory and stage_change): inventory, revisions,
booking events and `ari.changed.v1` as for a partner's modification.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from canonical.base import Money
from canonical.booking import BookingStatus
from canonical.errors import PermanentError
from pms_core.adapters import stays as store
from pms_core.adapters.booking_writes import BookingWrites
from pms_core.adapters.bookings import StoredBooking
from pms_core.adapters.catalog import PropertyCatalog, PropertyRef, RoomTypeRef
from pms_core.ari import rate_cells
from pms_core.errors import SoldOut
from pms_core.model import CENT, is_live, stay_nights, stay_total
from pms_core.recording import move_inventory, stage_change
from pms_core.reservations import StayChange
from pms_core.stays import price_new_nights
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import BookingView


async def _offered(
    uow: PmsUnitOfWork, view: BookingView, room_type: str, nights: list[date]
) -> dict[date, Decimal | None]:
    """What the booking's rate plan sells these nights for (nothing where it sells none)."""
    if not nights:
        return {}
    try:
        cells = await rate_cells(
            uow.conn,
            view.property_code,
            min(nights),
            max(nights),
            room_types=[room_type],
            rate_plans=[view.rate_plan_code],
        )
    except PermanentError:
        return {}  # a plan or type withdrawn since: the booked price carries on
    return {
        cell.night: None if cell.rates.amount is None else cell.rates.amount.quantize(CENT)
        for cell in cells
        if cell.night in nights
    }


async def change_booking(
    uow: PmsUnitOfWork,
    setup: PropertyCatalog,
    stored: StoredBooking,
    *,
    departure: date | None = None,
    room_type: RoomTypeRef | None = None,
    status: BookingStatus | None = None,
) -> StoredBooking:
    """Change a booking's departure, room type or status through the booking-change path.

    Raises SoldOut (the caller rolls back) when a night it newly takes has no room left.
    """
    before = stored.view
    type_ref = room_type or next(t for t in setup.room_types.values() if t.id == stored.room_type_id)
    new_departure = departure or before.departure
    guests, known = await store.guests_and_nights(uow.conn, before.id)
    # an upgrade keeps the prices agreed; only nights the booking did not have are priced anew
    dates = stay_nights(before.arrival, new_departure)
    offered = await _offered(uow, before, type_ref.code, [night for night in dates if night not in known])
    amounts = price_new_nights(dates, known, offered)
    total = stay_total(amounts)
    after = before.model_copy(
        update={
            "room_type_code": type_ref.code,
            "departure": new_departure,
            "status": status or before.status,
            "revision": before.revision + 1,
            "updated_at": uow.now(),
            "total": before.total if total is None else Money(amount=total, currency=before.currency),
        }
    )
    old = [(stored.room_type_id, night) for night in stay_nights(before.arrival, before.departure)]
    prices = [((type_ref.id, night), amount) for night, amount in zip(dates, amounts, strict=True)]
    change = StayChange(
        before,
        after,
        type_ref.id,
        stored.rate_plan_id,
        tuple(guests),
        prices,
        old if is_live(before.status) else [],
    )
    oversold = await move_inventory(uow, setup, [change])
    if change.taken & oversold:
        raise SoldOut(setup.prop.code, type_ref.code, before.arrival, new_departure)
    writes = BookingWrites()
    view = stage_change(uow, setup.prop, change, oversold, writes)
    await writes.flush(uow.conn)
    return StoredBooking(view, type_ref.id, stored.rate_plan_id)


async def set_status(
    uow: PmsUnitOfWork, prop: PropertyRef, stored: StoredBooking, status: BookingStatus, action: str
) -> StoredBooking:
    """A status change that moves no night (check-in, check-out): the booking row and its revision."""
    view = stored.view.model_copy(
        update={"status": status, "revision": stored.view.revision + 1, "updated_at": uow.now()}
    )
    writes = BookingWrites()
    writes.booking(view, prop.id, stored.room_type_id, stored.rate_plan_id, new=False)
    writes.revision(view, action, message_id=uow.message_id, at=uow.now())
    await writes.flush(uow.conn)
    return StoredBooking(view, stored.room_type_id, stored.rate_plan_id)


async def retype(
    uow: PmsUnitOfWork, prop: PropertyRef, stored: StoredBooking, room: store.RoomState
) -> StoredBooking:
    """The booking moved to the room's type if it is another (an upgrade takes that type's inventory)."""
    if room.room_type_id == stored.room_type_id:
        return stored
    # Only a change of type needs the property's room types and rate plans.
    setup = await uow.catalog.property(uow.conn, prop.code)
    target = next(t for t in setup.room_types.values() if t.id == room.room_type_id)
    return await change_booking(uow, setup, stored, room_type=target)
