"""Use cases of stays: check-in, room move, extension, early departure, check-out, no-show, cancellation.

A change of a booking's nights, room type or status goes through pms_core.stay_bookings, on the
path every booking change takes. Every use case locks the booking before the stay and the room.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date
from typing import Any
from uuid import UUID, uuid4

from canonical.booking import BookingStatus
from canonical.stay import (
    BOOKING_NO_SHOW_V1,
    STAY_CHECKED_IN_V1,
    STAY_CHECKED_OUT_V1,
    STAY_EXTENDED_V1,
    STAY_MOVED_V1,
    BookingNoShow,
    CancelStay,
    CheckIn,
    CheckOut,
    DepartEarly,
    ExtendStay,
    Housekeeping,
    MarkNoShow,
    MoveRoom,
    Occupancy,
    StayCheckedIn,
    StayCheckedOut,
    StayExtended,
    StayMoved,
    StayStatus,
)
from pms_core.adapters import stays as store
from pms_core.adapters.bookings import StoredBooking
from pms_core.adapters.catalog import PropertyCatalog, PropertyRef, property_by_code
from pms_core.adapters.folio_store import PropertyRef as FolioProperty
from pms_core.folio_handlers import stay_folio
from pms_core.profiles import ensure_guest_profile
from pms_core.setup import business_day
from pms_core.stay_bookings import change_booking, retype, set_status
from pms_core.stay_errors import RoomNotReady, RoomOccupied, StayConflict, StayInvalid, StayNotFound
from pms_core.stay_views import StayView
from pms_core.stays import (
    check_arrival,
    check_cancellable,
    check_departure_due,
    check_extension,
    check_in_house,
    check_no_show,
    check_room_ready,
    early_departure,
    nights_from,
)
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import BookingView


async def _property(uow: PmsUnitOfWork, code: str) -> tuple[PropertyRef, date]:
    # One statement: room types and rate plans are read only by a use case that changes nights or type.
    prop = await property_by_code(uow.conn, code)
    return prop, business_day(prop.business_date, prop.timezone, uow.now())


async def _catalog(uow: PmsUnitOfWork, code: str) -> tuple[PropertyCatalog, date]:
    setup = await uow.catalog.property(uow.conn, code)
    return setup, business_day(setup.prop.business_date, setup.prop.timezone, uow.now())


async def _booking(uow: PmsUnitOfWork, prop: PropertyRef, booking_id: UUID) -> StoredBooking:
    stored = await store.booking(uow.conn, prop.id, booking_id)
    if stored is None:
        raise StayNotFound(f"no booking {booking_id} in property {prop.code!r}")
    return stored


async def _stay(
    uow: PmsUnitOfWork, prop: PropertyRef, stay_id: UUID
) -> tuple[store.StoredStay, StoredBooking]:
    """The in-house stay and its booking, both locked (the booking first, as every stay writer does)."""
    found = await store.stay(uow.conn, prop.id, stay_id, lock=False)
    if found is None:
        raise StayNotFound(f"no stay {stay_id} in property {prop.code!r}")
    stored = await _booking(uow, prop, found.booking_id)
    locked = await store.stay(uow.conn, prop.id, stay_id)
    assert locked is not None
    check_in_house(locked.status)
    return locked, stored


async def _ready_room(
    uow: PmsUnitOfWork, prop: PropertyRef, number: str, nights: list[date]
) -> store.RoomState:
    room = await store.room(uow.conn, prop.id, number)
    if room is None:
        raise StayNotFound(f"no room {number!r} in property {prop.code!r}")
    check_room_ready(
        room.number, room.occupancy, room.housekeeping, out_of_order=room.out_of_order, active=room.active
    )
    if nights and await store.out_of_order_between(uow.conn, room.id, nights[0], nights[-1]):
        raise RoomNotReady(f"room {number} is out of order on a night of the stay")
    return room


async def _hold(
    uow: PmsUnitOfWork, stay_id: UUID, room: store.RoomState | int, nights: list[date], number: str
) -> None:
    room_id = room if isinstance(room, int) else room.id
    try:
        await store.hold_nights(uow.conn, stay_id, room_id, nights)
    except store.RoomTaken as err:
        raise RoomOccupied(f"room {number} is held by another stay on a night of this one") from err


async def _view(uow: PmsUnitOfWork, prop: PropertyRef, stay_id: UUID) -> StayView:
    found = await store.stay(uow.conn, prop.id, stay_id, lock=False)
    assert found is not None
    return stay_view(prop.code, found)


def stay_view(property_code: str, stay: store.StoredStay) -> StayView:
    """The read model of a stored stay."""
    return StayView(
        id=stay.id,
        property_code=property_code,
        booking_id=stay.booking_id,
        confirmation=stay.confirmation,
        room=stay.room,
        room_type_code=stay.room_type_code,
        status=stay.status,
        arrival=stay.arrival,
        departure=stay.departure,
        checked_in_on=stay.checked_in_on,
        checked_in_at=stay.checked_in_at,
        checked_out_at=stay.checked_out_at,
        guest_profile_id=stay.guest_profile_id,
        company_profile_id=stay.company_profile_id,
    )


def _fields(view: StayView) -> dict[str, Any]:
    return {
        "property_code": view.property_code,
        "booking_id": view.booking_id,
        "confirmation": view.confirmation,
        "stay_id": view.id,
        "room": view.room,
        "room_type_code": view.room_type_code,
        "arrival": view.arrival,
        "departure": view.departure,
        "guest_profile_id": view.guest_profile_id,
        "company_profile_id": view.company_profile_id,
    }


async def handle_check_in(cmd: CheckIn, uow: PmsUnitOfWork) -> StayView:
    """Check a booking's guest in to a vacant, clean or inspected room; one room holds one stay a night.

    Raises UnknownProperty, StayNotFound, StayConflict, RoomOccupied, RoomNotReady, SoldOut.
    """
    prop, today = await _property(uow, cmd.property_code)
    stored = await _booking(uow, prop, cmd.booking_id)
    check_arrival(stored.view.status, stored.view.arrival, stored.view.departure, today)
    nights = nights_from(today, stored.view.departure)
    room = await _ready_room(uow, prop, cmd.room, nights)
    stored = await retype(uow, prop, stored, room)
    stay_id = uuid4()
    try:
        await store.add_stay(
            uow.conn,
            stay_id=stay_id,
            property_id=prop.id,
            booking_id=stored.view.id,
            room_id=room.id,
            on=today,
            at=uow.now(),
        )
    except store.RoomTaken as err:
        raise StayConflict("the booking is already checked in") from err
    await _hold(uow, stay_id, room, nights, room.number)
    await store.set_room(uow.conn, room.id, occupancy=Occupancy.OCCUPIED)
    await set_status(uow, prop, stored, BookingStatus.IN_HOUSE, "checked_in")
    await ensure_guest_profile(uow, stored.view.id)
    # The guest folio exists and names the stay before anything is held or charged to it.
    folio_prop = FolioProperty(prop.id, prop.code, prop.currency, prop.timezone, prop.business_date)
    await stay_folio(uow, folio_prop, stored.view.id, stay_id)
    view = await _view(uow, prop, stay_id)
    uow.collect(STAY_CHECKED_IN_V1, StayCheckedIn(**_fields(view)))
    return view


async def handle_move_room(cmd: MoveRoom, uow: PmsUnitOfWork) -> StayView:
    """Move an in-house stay to another ready room from tonight on; the room left is vacant and dirty."""
    prop, today = await _property(uow, cmd.property_code)
    stay, stored = await _stay(uow, prop, cmd.stay_id)
    if cmd.room == stay.room:
        raise StayInvalid(f"the stay is already in room {cmd.room}")
    nights = nights_from(today, stored.view.departure)
    room = await _ready_room(uow, prop, cmd.room, nights)
    await retype(uow, prop, stored, room)
    await store.release_nights(uow.conn, stay.id, from_night=today)
    await _hold(uow, stay.id, room, nights, room.number)
    await store.update_stay(uow.conn, stay.id, uow.now(), room_id=room.id)
    await store.set_room(uow.conn, stay.room_id, occupancy=Occupancy.VACANT, housekeeping=Housekeeping.DIRTY)
    await store.set_room(uow.conn, room.id, occupancy=Occupancy.OCCUPIED)
    view = await _view(uow, prop, stay.id)
    moved = StayMoved(**_fields(view), previous_room=stay.room, previous_room_type_code=stay.room_type_code)
    uow.collect(STAY_MOVED_V1, moved)
    return view


async def handle_extend_stay(cmd: ExtendStay, uow: PmsUnitOfWork) -> StayView:
    """Keep an in-house guest until a later departure; raises SoldOut, RoomOccupied, StayInvalid."""
    setup, today = await _catalog(uow, cmd.property_code)
    stay, stored = await _stay(uow, setup.prop, cmd.stay_id)
    previous = stored.view.departure
    check_extension(stored.view.arrival, previous, cmd.departure, today)
    await change_booking(uow, setup, stored, departure=cmd.departure)
    await _hold(uow, stay.id, stay.room_id, nights_from(max(today, previous), cmd.departure), stay.room)
    await store.update_stay(uow.conn, stay.id, uow.now())
    view = await _view(uow, setup.prop, stay.id)
    uow.collect(STAY_EXTENDED_V1, StayExtended(**_fields(view), previous_departure=previous))
    return view


async def _leave(
    uow: PmsUnitOfWork,
    prop: PropertyRef,
    stay: store.StoredStay,
    stored: StoredBooking,
    today: date,
    previous: date,
) -> StayView:
    await store.release_nights(uow.conn, stay.id, from_night=today)
    now = uow.now()
    await store.update_stay(uow.conn, stay.id, now, status=StayStatus.CHECKED_OUT.value, checked_out_at=now)
    await store.set_room(uow.conn, stay.room_id, occupancy=Occupancy.VACANT, housekeeping=Housekeeping.DIRTY)
    left = await set_status(uow, prop, stored, BookingStatus.CHECKED_OUT, "checked_out")
    # The stay as written, not read again: the row was locked and only these columns changed
    # (the booking's dates come from the booking as changed here; its profiles were not touched).
    after = replace(
        stay,
        status=StayStatus.CHECKED_OUT,
        checked_out_at=now.astimezone(UTC),
        arrival=left.view.arrival,
        departure=left.view.departure,
    )
    view = stay_view(prop.code, after)
    early = view.departure < previous
    uow.collect(
        STAY_CHECKED_OUT_V1,
        StayCheckedOut(**_fields(view), early_departure=early, previous_departure=previous),
    )
    return view


async def handle_check_out(cmd: CheckOut, uow: PmsUnitOfWork) -> StayView:
    """Check a guest out on (or after) the departure date; the room is vacant and dirty."""
    prop, today = await _property(uow, cmd.property_code)
    stay, stored = await _stay(uow, prop, cmd.stay_id)
    check_departure_due(stored.view.departure, today)
    return await _leave(uow, prop, stay, stored, today, stored.view.departure)


async def handle_depart_early(cmd: DepartEarly, uow: PmsUnitOfWork) -> StayView:
    """Check a guest out before the booked departure: the nights left go back to inventory."""
    setup, today = await _catalog(uow, cmd.property_code)
    stay, stored = await _stay(uow, setup.prop, cmd.stay_id)
    previous = stored.view.departure
    departure = early_departure(stored.view.arrival, previous, today)
    if departure < previous:
        stored = await change_booking(uow, setup, stored, departure=departure)
    return await _leave(uow, setup.prop, stay, stored, today, previous)


async def no_show(
    uow: PmsUnitOfWork, setup: PropertyCatalog, stored: StoredBooking, today: date
) -> BookingView:
    """Mark one locked booking a no-show on business date `today`; every night it held is released."""
    check_no_show(stored.view.status, stored.view.arrival, today)
    changed = await change_booking(uow, setup, stored, status=BookingStatus.NO_SHOW)
    guest_id, company_id = await store.profiles_of(uow.conn, stored.view.id)
    view = changed.view
    event = BookingNoShow(
        property_code=setup.prop.code,
        booking_id=view.id,
        confirmation=view.confirmation,
        room_type_code=view.room_type_code,
        arrival=view.arrival,
        departure=view.departure,
        guest_profile_id=guest_id,
        company_profile_id=company_id,
    )
    uow.collect(BOOKING_NO_SHOW_V1, event)
    return view


async def handle_mark_no_show(cmd: MarkNoShow, uow: PmsUnitOfWork) -> BookingView:
    """Mark a booking whose guest did not arrive (on or after its arrival date) a no-show."""
    setup, today = await _catalog(uow, cmd.property_code)
    return await no_show(uow, setup, await _booking(uow, setup.prop, cmd.booking_id), today)


async def handle_cancel_stay(cmd: CancelStay, uow: PmsUnitOfWork) -> BookingView:
    """Cancel a booking not yet checked in; its nights go back to inventory (booking.cancelled.v1)."""
    setup, _ = await _catalog(uow, cmd.property_code)
    stored = await _booking(uow, setup.prop, cmd.booking_id)
    check_cancellable(stored.view.status)
    return (await change_booking(uow, setup, stored, status=BookingStatus.CANCELLED)).view
