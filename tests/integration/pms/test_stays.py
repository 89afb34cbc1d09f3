"""Stays on SQLite and PostgreSQL: check-in to check-out with housekeeping, inventory and events."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from pms_builders import ARRIVAL, HOTEL, a_direct_booking, a_reservation, a_stay
from stay_driver import StayDriver

from canonical.ari import ARI_CHANGED_V1
from canonical.booking import BOOKING_CANCELLED_V1, BOOKING_MODIFIED_V1, BookingAction, BookingStatus, Guest
from canonical.folio import FOLIO_OPENED_V1, FolioOpened
from canonical.profile import GuestDetails
from canonical.stay import (
    BOOKING_NO_SHOW_V1,
    STAY_CHECKED_IN_V1,
    STAY_CHECKED_OUT_V1,
    STAY_EXTENDED_V1,
    STAY_MOVED_V1,
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
    StayStatus,
)
from pms_core.adapters import stays as store
from pms_core.errors import GuestArrived, SoldOut
from pms_core.profiles import create_guest, merge_guests
from pms_core.stay_audit import in_house_nights, mark_no_shows
from pms_core.stay_errors import RoomNotReady, RoomOccupied, StayConflict
from pms_core.stay_handlers import (
    handle_cancel_stay,
    handle_check_in,
    handle_check_out,
    handle_depart_early,
    handle_extend_stay,
    handle_mark_no_show,
    handle_move_room,
)
from pms_core.stay_views import StayView
from pms_core.unit_of_work import PmsUnitOfWork

D0, D1, D2, D3 = (ARRIVAL + timedelta(days=offset) for offset in range(4))


async def test_given_a_clean_room_when_checked_in_then_in_house_occupied_profiled_and_announced(
    desk: StayDriver,
) -> None:
    booking = await desk.pms.book(a_direct_booking("DBL", nights=2))
    desk.forget_events()

    stay = await desk.run(handle_check_in, CheckIn(property_code=HOTEL, booking_id=booking.id, room="101"))

    assert stay.status is StayStatus.IN_HOUSE and stay.room == "101" and stay.checked_in_on == D0
    room = await desk.room("101")
    assert room.occupancy is Occupancy.OCCUPIED and room.stay_id == stay.id
    assert await desk.held() == [("101", D0), ("101", D1)]
    detail = await desk.pms.booking(booking.id)
    assert detail is not None and detail.status is BookingStatus.IN_HOUSE
    assert detail.revisions[-1].action == "checked_in"
    # the booking's guest folio is opened for the stay before the stay is announced
    [(opened_key, opened), (key, event)] = desk.pms.events
    assert opened_key == FOLIO_OPENED_V1 and isinstance(opened, FolioOpened) and opened.stay_id == stay.id
    assert key == STAY_CHECKED_IN_V1 and isinstance(event, StayCheckedIn)
    assert (event.stay_id, event.booking_id, event.room, event.departure) == (stay.id, booking.id, "101", D2)
    assert event.guest_profile_id is not None and event.guest_profile_id == stay.guest_profile_id
    assert await desk.pms.available("DBL", D0, D1) == [2, 2]  # a check-in moves no inventory


async def test_given_a_dirty_room_when_checked_in_then_refused_and_nothing_kept(desk: StayDriver) -> None:
    booking = await desk.pms.book(a_direct_booking("DBL"))
    await desk.set_room("101", housekeeping="dirty")

    with pytest.raises(RoomNotReady, match="dirty"):
        await desk.run(handle_check_in, CheckIn(property_code=HOTEL, booking_id=booking.id, room="101"))

    assert await desk.held() == []
    assert (await desk.room("101")).occupancy is Occupancy.VACANT
    detail = await desk.pms.booking(booking.id)
    assert detail is not None and detail.status is BookingStatus.CONFIRMED


async def test_given_two_bookings_when_checked_in_to_one_room_at_once_then_exactly_one_succeeds(
    desk: StayDriver,
) -> None:
    first = await desk.pms.book(a_direct_booking("DBL"))
    second = await desk.pms.book(a_direct_booking("DBL"))

    results = await asyncio.gather(
        *(
            desk.run(handle_check_in, CheckIn(property_code=HOTEL, booking_id=b.id, room="102"))
            for b in (first, second)
        ),
        return_exceptions=True,
    )

    stays = [r for r in results if isinstance(r, StayView)]
    refusals = [r for r in results if isinstance(r, RoomOccupied)]
    assert len(stays) == 1 and len(refusals) == 1, results
    assert await desk.held() == [("102", D0), ("102", D1)]
    statuses = {b.status for b in await desk.pms.bookings()}
    assert statuses == {BookingStatus.IN_HOUSE, BookingStatus.CONFIRMED}


async def test_given_a_held_room_night_when_another_stay_holds_it_then_the_unique_key_refuses(
    desk: StayDriver,
) -> None:
    # the guarantee under the room lock: whatever a writer read, the second hold of a night fails
    stay = await desk.booked_and_checked_in("103")
    other = await desk.booked_and_checked_in("101")

    async with desk.engine.begin() as conn:
        room = await store.room(conn, 1, "103", lock=False)
        assert room is not None
        with pytest.raises(store.RoomTaken):
            await store.hold_nights(conn, other.id, room.id, [D1])
    assert ("103", D1) in await desk.held() and stay.room == "103"


async def test_given_an_in_house_stay_when_moved_then_the_old_room_is_dirty_and_the_nights_follow(
    desk: StayDriver,
) -> None:
    stay = await desk.booked_and_checked_in("101")
    desk.forget_events()

    moved = await desk.run(handle_move_room, MoveRoom(property_code=HOTEL, stay_id=stay.id, room="102"))

    assert moved.room == "102"
    old, new = await desk.room("101"), await desk.room("102")
    assert (old.occupancy, old.housekeeping) == (Occupancy.VACANT, Housekeeping.DIRTY)
    assert new.occupancy is Occupancy.OCCUPIED and new.stay_id == stay.id
    assert await desk.held() == [("102", D0), ("102", D1)]
    assert desk.routing_keys() == [STAY_MOVED_V1]


async def test_given_an_in_house_stay_when_moved_to_another_type_then_its_inventory_moves(
    desk: StayDriver,
) -> None:
    stay = await desk.booked_and_checked_in("101")
    desk.forget_events()

    await desk.run(handle_move_room, MoveRoom(property_code=HOTEL, stay_id=stay.id, room="201"))

    assert await desk.pms.available("DBL", D0, D1) == [3, 3]
    assert await desk.pms.available("SGL", D0, D1) == [0, 0]
    assert BOOKING_MODIFIED_V1 in desk.routing_keys() and ARI_CHANGED_V1 in desk.routing_keys()
    assert desk.routing_keys()[-1] == STAY_MOVED_V1


async def test_given_an_in_house_stay_when_extended_then_a_night_more_is_sold_priced_and_held(
    desk: StayDriver,
) -> None:
    stay = await desk.booked_and_checked_in("101")
    desk.forget_events()

    extended = await desk.run(
        handle_extend_stay, ExtendStay(property_code=HOTEL, stay_id=stay.id, departure=D3)
    )

    assert extended.departure == D3
    assert await desk.pms.available("DBL", D0, D1, D2) == [2, 2, 2]
    assert await desk.held() == [("101", D0), ("101", D1), ("101", D2)]
    detail = await desk.pms.booking(stay.booking_id)
    assert detail is not None and [n.amount for n in detail.nights] == [Decimal("120.00")] * 3
    assert detail.total is not None and detail.total.amount == Decimal("360.00")
    assert desk.routing_keys() == [ARI_CHANGED_V1, BOOKING_MODIFIED_V1, STAY_EXTENDED_V1]


async def test_given_a_night_sold_out_when_extended_into_it_then_refused_and_nothing_kept(
    desk: StayDriver,
) -> None:
    booking = await desk.pms.book(a_direct_booking("SGL", nights=1))
    stay = await desk.run(handle_check_in, CheckIn(property_code=HOTEL, booking_id=booking.id, room="201"))
    await desk.pms.book(a_direct_booking("SGL", arrival=D1, nights=1))  # the last SGL on D1

    with pytest.raises(SoldOut):
        await desk.run(handle_extend_stay, ExtendStay(property_code=HOTEL, stay_id=stay.id, departure=D2))

    assert await desk.pms.available("SGL", D0, D1) == [0, 0]
    assert await desk.held() == [("201", D0)]


async def test_given_an_in_house_stay_when_departing_early_then_nights_left_are_released_and_room_dirty(
    desk: StayDriver,
) -> None:
    stay = await desk.booked_and_checked_in("101", nights=3)
    await desk.business_date(D1)
    desk.forget_events()

    left = await desk.run(handle_depart_early, DepartEarly(property_code=HOTEL, stay_id=stay.id))

    assert left.status is StayStatus.CHECKED_OUT and left.departure == D1
    assert await desk.pms.available("DBL", D0, D1, D2) == [2, 3, 3]
    room = await desk.room("101")
    assert (room.occupancy, room.housekeeping, room.stay_id) == (Occupancy.VACANT, Housekeeping.DIRTY, None)
    assert await desk.held() == [("101", D0)]
    assert desk.routing_keys() == [ARI_CHANGED_V1, BOOKING_MODIFIED_V1, STAY_CHECKED_OUT_V1]
    event = desk.pms.events[-1][1]
    assert isinstance(event, StayCheckedOut) and event.early_departure and event.previous_departure == D3


async def test_given_the_departure_date_when_checked_out_then_room_dirty_and_booking_checked_out(
    desk: StayDriver,
) -> None:
    stay = await desk.booked_and_checked_in("101", nights=1)
    with pytest.raises(StayConflict, match="early departure"):
        await desk.run(handle_check_out, CheckOut(property_code=HOTEL, stay_id=stay.id))
    await desk.business_date(D1)
    desk.forget_events()

    out = await desk.run(handle_check_out, CheckOut(property_code=HOTEL, stay_id=stay.id))

    assert out.status is StayStatus.CHECKED_OUT and out.checked_out_at is not None
    assert (await desk.room("101")).housekeeping is Housekeeping.DIRTY
    detail = await desk.pms.booking(stay.booking_id)
    assert detail is not None and detail.status is BookingStatus.CHECKED_OUT
    assert desk.routing_keys() == [STAY_CHECKED_OUT_V1]
    assert await desk.pms.available("DBL", D0) == [2]  # the night slept stays sold


async def test_given_a_guest_who_never_came_when_marked_no_show_then_every_night_is_released(
    desk: StayDriver,
) -> None:
    booking = await desk.pms.book(a_direct_booking("DBL", nights=2))
    desk.forget_events()

    marked = await desk.run(handle_mark_no_show, MarkNoShow(property_code=HOTEL, booking_id=booking.id))

    assert marked.status is BookingStatus.NO_SHOW
    assert await desk.pms.available("DBL", D0, D1) == [3, 3]
    assert desk.routing_keys() == [ARI_CHANGED_V1, BOOKING_MODIFIED_V1, BOOKING_NO_SHOW_V1]


async def test_given_a_booking_not_checked_in_when_its_stay_is_cancelled_then_released(
    desk: StayDriver,
) -> None:
    booking = await desk.pms.book(a_direct_booking("DBL", nights=2))
    desk.forget_events()

    cancelled = await desk.run(handle_cancel_stay, CancelStay(property_code=HOTEL, booking_id=booking.id))

    assert cancelled.status is BookingStatus.CANCELLED
    assert await desk.pms.available("DBL", D0, D1) == [3, 3]
    assert desk.routing_keys() == [ARI_CHANGED_V1, BOOKING_CANCELLED_V1]
    stay = await desk.booked_and_checked_in("101")
    with pytest.raises(StayConflict, match="in_house"):
        await desk.run(handle_cancel_stay, CancelStay(property_code=HOTEL, booking_id=stay.booking_id))


async def test_given_a_night_audit_when_it_asks_then_in_house_nights_priced_and_no_shows_marked(
    desk: StayDriver,
) -> None:
    stay = await desk.booked_and_checked_in("102")
    missing = await desk.pms.book(a_direct_booking("DBL", nights=1))

    async with desk.engine.begin() as conn:
        nights = await in_house_nights(conn, HOTEL, D0)
        marked = await mark_no_shows(PmsUnitOfWork(conn), HOTEL, D0)

    [night] = nights
    assert (night.stay_id, night.booking_id, night.room) == (stay.id, stay.booking_id, "102")
    assert night.amount == Decimal("120.00") and night.currency == "EUR"
    assert [view.id for view in marked] == [missing.id]
    assert await desk.pms.available("DBL", D0) == [2]


async def test_given_two_bookings_of_one_email_when_checked_in_then_one_guest_profile_and_merge_moves_them(
    desk: StayDriver,
) -> None:
    guest = (Guest(given_name="Ann", surname="Smith", email="Ann@Example.org", primary=True),)
    first = await desk.pms.book(a_direct_booking("DBL").model_copy(update={"guests": guest}))
    second = await desk.pms.book(a_direct_booking("DBL").model_copy(update={"guests": guest}))
    one = await desk.run(handle_check_in, CheckIn(property_code=HOTEL, booking_id=first.id, room="101"))
    two = await desk.run(handle_check_in, CheckIn(property_code=HOTEL, booking_id=second.id, room="102"))
    async with desk.engine.begin() as conn:
        typed = await create_guest(PmsUnitOfWork(conn), GuestDetails(surname="Smith", phone="+43 1"))

    async with desk.engine.begin() as conn:
        kept = await merge_guests(PmsUnitOfWork(conn), typed.id, one.guest_profile_id)  # type: ignore[arg-type]

    assert one.guest_profile_id is not None and one.guest_profile_id == two.guest_profile_id
    assert (kept.id, kept.email, kept.phone) == (typed.id, "ann@example.org", "+43 1")
    async with desk.engine.connect() as conn:
        nights = await in_house_nights(conn, HOTEL, D0)
    assert {night.guest_profile_id for night in nights} == {typed.id}
    with pytest.raises(StayConflict, match="merged into"):
        async with desk.engine.begin() as conn:
            await merge_guests(PmsUnitOfWork(conn), typed.id, one.guest_profile_id)  # type: ignore[arg-type]


@pytest.mark.parametrize("action", [BookingAction.CANCEL, BookingAction.MODIFY])
async def test_given_a_partner_booking_in_house_when_the_partner_changes_it_then_refused_and_the_stay_kept(
    desk: StayDriver, action: BookingAction
) -> None:
    await desk.pms.receive(a_reservation("INHOUSE-1", stays=(a_stay(arrival=D0, nights=2),)))
    (booking,) = await desk.pms.bookings(partner_reservation_id="INHOUSE-1")
    stay = await desk.run(handle_check_in, CheckIn(property_code=HOTEL, booking_id=booking.id, room="101"))
    left = await desk.pms.available("DBL", D0, D0 + timedelta(days=1))
    stays = () if action is BookingAction.CANCEL else (a_stay(arrival=D0, nights=4),)

    with pytest.raises(GuestArrived, match="in_house"):
        await desk.pms.receive(a_reservation("INHOUSE-1", action=action, rev=1, stays=stays))

    (after,) = await desk.pms.bookings(partner_reservation_id="INHOUSE-1")
    assert (after.status, after.departure) == (BookingStatus.IN_HOUSE, booking.departure)
    assert await desk.pms.available("DBL", D0, D0 + timedelta(days=1)) == left
    async with desk.engine.connect() as conn:
        assert [n.stay_id for n in await in_house_nights(conn, HOTEL, D0)] == [stay.id]
