"""Partner booking messages: create, duplicates, modify, cancel, multi-room, overbooking."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from pms_builders import ARRIVAL, a_property, a_reservation, a_stay
from pms_driver import PmsDriver

from canonical.booking import (
    BOOKING_CANCELLED_V1,
    BOOKING_CREATED_V1,
    BOOKING_MODIFIED_V1,
    BOOKING_OVERBOOKED_V1,
    BookingAction,
    BookingOverbooked,
    BookingReceived,
    BookingStatus,
)
from canonical.errors import PermanentError
from pms_core.errors import (
    BookingNotYetKnown,
    ConcurrentBookingChange,
    UnknownProperty,
    UnknownRatePlan,
    UnknownRoomType,
)
from pms_core.views import BookingOutcome, OutcomeKind

D0, D1, D2, D3 = (ARRIVAL + timedelta(days=offset) for offset in range(4))


@pytest.fixture
async def hotel(pms: PmsDriver) -> PmsDriver:
    """A property with 3 DBL rooms and 1 SGL room."""
    await pms.define(a_property())
    return pms


async def test_given_new_reservation_when_received_then_one_booking_holds_its_nights(
    hotel: PmsDriver,
) -> None:
    outcome = await hotel.receive(a_reservation())

    assert outcome.kind is OutcomeKind.APPLIED
    [booking] = await hotel.bookings()
    assert (booking.status, booking.stay_index, booking.revision) == (BookingStatus.CONFIRMED, 0, 1)
    assert booking.total is not None and booking.total.amount == Decimal("200.00")
    assert await hotel.available("DBL", D0, D1, D2) == [2, 2, 3]
    assert hotel.event_keys() == [BOOKING_CREATED_V1]


async def test_given_same_message_twice_when_received_then_one_booking_and_duplicate_said(
    hotel: PmsDriver,
) -> None:
    message = a_reservation()
    await hotel.receive(message)

    again = await hotel.receive(message)

    assert again.kind is OutcomeKind.DUPLICATE
    assert len(await hotel.bookings()) == 1
    assert await hotel.available("DBL", D0, D1) == [2, 2]
    assert hotel.event_keys() == [BOOKING_CREATED_V1]


async def test_given_booking_when_modified_then_inventory_moves_exactly(hotel: PmsDriver) -> None:
    untouched = await hotel.availability()
    await hotel.receive(a_reservation(rev=0))

    outcome = await hotel.receive(
        a_reservation(action=BookingAction.MODIFY, rev=1, stays=(a_stay("SGL", arrival=D1, nights=2),))
    )

    assert outcome.kind is OutcomeKind.APPLIED
    assert await hotel.available("DBL", D0, D1, D2) == [3, 3, 3]
    assert await hotel.available("SGL", D0, D1, D2, D3) == [1, 0, 0, 1]
    [booking] = await hotel.bookings()
    assert (booking.room_type_code, booking.arrival, booking.status) == ("SGL", D1, BookingStatus.MODIFIED)
    assert booking.revision == 2

    await hotel.receive(a_reservation(action=BookingAction.CANCEL, rev=2))
    assert await hotel.availability() == untouched
    assert hotel.event_keys() == [BOOKING_CREATED_V1, BOOKING_MODIFIED_V1, BOOKING_CANCELLED_V1]


async def test_given_booking_when_cancelled_then_nights_released_and_second_cancel_is_duplicate(
    hotel: PmsDriver,
) -> None:
    untouched = await hotel.availability()
    await hotel.receive(a_reservation(rev=0))

    first = await hotel.receive(a_reservation(action=BookingAction.CANCEL, rev=1))
    second = await hotel.receive(a_reservation(action=BookingAction.CANCEL, rev=2))

    assert (first.kind, second.kind) == (OutcomeKind.APPLIED, OutcomeKind.DUPLICATE)
    assert await hotel.availability() == untouched
    [booking] = await hotel.bookings()
    assert booking.status is BookingStatus.CANCELLED


async def test_given_booking_when_a_cancel_quotes_the_hub_confirmation_then_it_is_cancelled(
    hotel: PmsDriver,
) -> None:
    untouched = await hotel.availability()
    await hotel.receive(a_reservation("R7", rev=0))

    outcome = await hotel.receive(a_reservation("HR7", action=BookingAction.CANCEL, rev=1))

    assert outcome.kind is OutcomeKind.APPLIED
    assert outcome.partner_reservation_id == "R7"
    assert await hotel.availability() == untouched


@pytest.mark.parametrize("action", [BookingAction.MODIFY, BookingAction.CANCEL])
async def test_given_no_booking_when_modify_or_cancel_arrives_then_not_yet_known(
    hotel: PmsDriver, action: BookingAction
) -> None:
    with pytest.raises(BookingNotYetKnown, match="R9"):
        await hotel.receive(a_reservation("R9", action=action, rev=1))

    assert await hotel.bookings() == []


async def test_given_newer_revision_applied_when_older_arrives_then_ignored_as_stale(
    hotel: PmsDriver,
) -> None:
    await hotel.receive(a_reservation(rev=0))
    await hotel.receive(a_reservation(action=BookingAction.MODIFY, rev=5, stays=(a_stay(nights=3),)))

    late = await hotel.receive(a_reservation(action=BookingAction.MODIFY, rev=3, stays=(a_stay(nights=1),)))

    assert late.kind is OutcomeKind.STALE
    [booking] = await hotel.bookings()
    assert booking.departure == D3
    assert await hotel.available("DBL", D0, D1, D2, D3) == [2, 2, 2, 3]


async def test_given_multi_room_reservation_when_received_then_one_booking_per_stay(hotel: PmsDriver) -> None:
    stays = (a_stay("DBL"), a_stay("DBL"), a_stay("SGL", nightly="80.00"))

    outcome = await hotel.receive(a_reservation(stays=stays))

    assert [b.stay_index for b in outcome.bookings] == [0, 1, 2]
    assert len({b.confirmation for b in outcome.bookings}) == 1
    assert await hotel.available("DBL", D0, D1) == [1, 1]
    assert await hotel.available("SGL", D0, D1) == [0, 0]


async def test_given_multi_room_reservation_when_rooms_dropped_and_added_then_exact_inventory(
    hotel: PmsDriver,
) -> None:
    untouched = await hotel.availability()
    await hotel.receive(a_reservation(rev=0, stays=(a_stay("DBL"), a_stay("SGL"))))

    await hotel.receive(a_reservation(action=BookingAction.MODIFY, rev=1, stays=(a_stay("DBL"),)))
    assert await hotel.available("SGL", D0, D1) == [1, 1]
    assert [b.status for b in await hotel.bookings()] == [BookingStatus.MODIFIED, BookingStatus.CANCELLED]

    three = (a_stay("DBL"), a_stay("DBL", arrival=D1), a_stay("DBL", arrival=D2, nights=1))
    await hotel.receive(a_reservation(action=BookingAction.MODIFY, rev=2, stays=three))
    assert await hotel.available("DBL", D0, D1, D2) == [2, 1, 1]
    assert await hotel.available("SGL", D0, D1) == [1, 1]
    assert len(await hotel.bookings(status=BookingStatus.CANCELLED)) == 0

    await hotel.receive(a_reservation(action=BookingAction.CANCEL, rev=3))
    assert await hotel.availability() == untouched


async def test_given_sold_out_night_when_partner_pushes_then_booking_kept_and_flagged(
    hotel: PmsDriver,
) -> None:
    await hotel.receive(a_reservation("R1", stays=(a_stay("SGL", nights=1),)))

    outcome = await hotel.receive(a_reservation("R2", stays=(a_stay("SGL", nights=2),)))

    assert outcome.kind is OutcomeKind.APPLIED and outcome.overbooked
    [booking] = await hotel.bookings(partner_reservation_id="R2")
    assert booking.overbooked and booking.status is BookingStatus.CONFIRMED
    assert await hotel.available("SGL", D0, D1) == [-1, 0]
    key, event = hotel.events[-1]
    assert key == BOOKING_OVERBOOKED_V1
    assert isinstance(event, BookingOverbooked)
    assert (event.room_type_code, event.nights) == ("SGL", (D0,))


async def test_given_overbooked_booking_when_moved_to_free_nights_then_flag_cleared(hotel: PmsDriver) -> None:
    await hotel.receive(a_reservation("R1", stays=(a_stay("SGL", nights=1),)))
    await hotel.receive(a_reservation("R2", rev=0, stays=(a_stay("SGL", nights=1),)))

    await hotel.receive(
        a_reservation("R2", action=BookingAction.MODIFY, rev=1, stays=(a_stay("SGL", arrival=D2, nights=1),))
    )

    [booking] = await hotel.bookings(partner_reservation_id="R2")
    assert not booking.overbooked
    assert await hotel.available("SGL", D0, D2) == [0, 0]


@pytest.mark.parametrize(
    ("message", "error", "code"),
    [
        (a_reservation(hotel="NOPE"), UnknownProperty, "NOPE"),
        (a_reservation(stays=(a_stay("SUITE"),)), UnknownRoomType, "SUITE"),
        (a_reservation(stays=(a_stay(rate_plan="NRF"),)), UnknownRatePlan, "NRF"),
    ],
)
async def test_given_unknown_code_when_received_then_permanent_error_names_it(
    hotel: PmsDriver, message: BookingReceived, error: type[PermanentError], code: str
) -> None:
    with pytest.raises(error, match=code):
        await hotel.receive(message)

    assert await hotel.bookings() == []


async def test_given_cancelled_reservation_when_commit_resent_with_newer_revision_then_reinstated(
    hotel: PmsDriver,
) -> None:
    await hotel.receive(a_reservation(rev=0))
    await hotel.receive(a_reservation(action=BookingAction.CANCEL, rev=1))

    outcome = await hotel.receive(a_reservation(rev=2, stays=(a_stay(nights=1),)))

    assert outcome.kind is OutcomeKind.APPLIED
    [booking] = await hotel.bookings()
    assert (booking.status, booking.revision, booking.departure) == (BookingStatus.MODIFIED, 3, D1)
    assert await hotel.available("DBL", D0, D1) == [2, 3]
    assert hotel.event_keys()[-1] == BOOKING_MODIFIED_V1


async def test_given_same_new_reservation_twice_at_once_when_received_then_one_booking_and_nights_sold_once(
    hotel: PmsDriver,
) -> None:
    message = a_reservation()

    results = await asyncio.gather(hotel.receive(message), hotel.receive(message), return_exceptions=True)

    applied = [r for r in results if isinstance(r, BookingOutcome) and r.kind is OutcomeKind.APPLIED]
    others = [r for r in results if r not in applied]
    assert len(applied) == 1
    # SQLite serialises the two (the second sees a duplicate); PostgreSQL lets the second run into
    # the first one's booking, which delivery retries as transient.
    [other] = others
    assert isinstance(other, ConcurrentBookingChange) or (
        isinstance(other, BookingOutcome) and other.kind is OutcomeKind.DUPLICATE
    )
    assert len(await hotel.bookings()) == 1
    assert await hotel.available("DBL", D0, D1) == [2, 2]
