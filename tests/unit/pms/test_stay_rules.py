"""Rules of stays, housekeeping and guest profiles, without a database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from canonical.base import Money
from canonical.booking import BookingStatus, Guest
from canonical.profile import CompanyDetails, GuestDetails
from canonical.stay import Housekeeping, Occupancy, StayStatus
from pms_core.housekeeping import housekeeping_change
from pms_core.profiles import guest_details
from pms_core.stay_errors import RoomNotReady, RoomOccupied, StayConflict, StayInvalid
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
    price_new_nights,
)

D0 = date(2031, 6, 1)
D1, D2, D3 = (D0 + timedelta(days=n) for n in (1, 2, 3))


@pytest.mark.parametrize("status", [BookingStatus.CONFIRMED, BookingStatus.MODIFIED])
def test_given_a_booking_due_today_when_checked_in_then_allowed(status: BookingStatus) -> None:
    check_arrival(status, D0, D2, D0)
    check_arrival(status, D0, D2, D1)  # a day late still comes in


@pytest.mark.parametrize(
    ("status", "today", "reason"),
    [
        (BookingStatus.IN_HOUSE, D0, "already checked in"),
        (BookingStatus.CANCELLED, D0, "cancelled cannot"),
        (BookingStatus.NO_SHOW, D0, "no_show cannot"),
        (BookingStatus.CHECKED_OUT, D0, "checked_out cannot"),
        (BookingStatus.CONFIRMED, D0 - timedelta(days=1), "arrives on 2031-06-01"),
        (BookingStatus.CONFIRMED, D2, "no-show"),
    ],
)
def test_given_a_booking_not_due_when_checked_in_then_refused(
    status: BookingStatus, today: date, reason: str
) -> None:
    with pytest.raises(StayConflict, match=reason):
        check_arrival(status, D0, D2, today)


@pytest.mark.parametrize(
    ("occupancy", "housekeeping", "out_of_order", "active", "refusal"),
    [
        (Occupancy.OCCUPIED, Housekeeping.CLEAN, False, True, RoomOccupied),
        (Occupancy.VACANT, Housekeeping.DIRTY, False, True, RoomNotReady),
        (Occupancy.VACANT, Housekeeping.CLEAN, True, True, RoomNotReady),
        (Occupancy.VACANT, Housekeeping.INSPECTED, False, False, RoomNotReady),
    ],
)
def test_given_a_room_not_ready_when_given_to_a_guest_then_refused(
    occupancy: Occupancy, housekeeping: Housekeeping, out_of_order: bool, active: bool, refusal: type
) -> None:
    with pytest.raises(refusal, match="room 101"):
        check_room_ready("101", occupancy, housekeeping, out_of_order=out_of_order, active=active)


@pytest.mark.parametrize("housekeeping", [Housekeeping.CLEAN, Housekeeping.INSPECTED])
def test_given_a_vacant_clean_or_inspected_room_when_given_then_allowed(housekeeping: Housekeeping) -> None:
    check_room_ready("101", Occupancy.VACANT, housekeeping, out_of_order=False, active=True)


def test_given_a_stay_when_its_nights_from_today_are_asked_then_none_on_the_departure_date() -> None:
    assert nights_from(D0, D2) == [D0, D1]
    assert nights_from(D1, D2) == [D1]
    assert nights_from(D2, D2) == []


def test_given_a_checked_out_stay_when_changed_then_refused() -> None:
    check_in_house(StayStatus.IN_HOUSE)
    with pytest.raises(StayConflict, match="checked out"):
        check_in_house(StayStatus.CHECKED_OUT)


def test_given_an_extension_when_not_later_than_the_departure_then_invalid() -> None:
    check_extension(D0, D2, D3, D0)
    with pytest.raises(StayInvalid, match="after 2031-06-03"):
        check_extension(D0, D2, D2, D0)
    with pytest.raises(StayInvalid, match="business date"):
        check_extension(D0, D0, D1, D1)
    with pytest.raises(StayInvalid, match="at most 366 nights"):
        check_extension(D0, D2, D0 + timedelta(days=367), D0)


def test_given_an_early_departure_when_dated_then_today_but_one_night_at_least() -> None:
    assert early_departure(D0, D3, D1) == D1
    assert early_departure(D0, D3, D0) == D1  # leaving on the day of arrival still had the night
    with pytest.raises(StayConflict, match="check it out"):
        early_departure(D0, D2, D2)


def test_given_a_check_out_before_the_departure_when_asked_then_refused_as_early_departure() -> None:
    check_departure_due(D2, D2)
    check_departure_due(D2, D3)  # a late check-out is still a check-out
    with pytest.raises(StayConflict, match="early departure"):
        check_departure_due(D2, D1)


def test_given_no_shows_and_cancellations_when_asked_then_only_arriving_bookings_qualify() -> None:
    check_no_show(BookingStatus.CONFIRMED, D0, D0)
    with pytest.raises(StayConflict, match="not a no-show yet"):
        check_no_show(BookingStatus.CONFIRMED, D1, D0)
    with pytest.raises(StayConflict, match="in_house"):
        check_no_show(BookingStatus.IN_HOUSE, D0, D0)
    check_cancellable(BookingStatus.MODIFIED)
    with pytest.raises(StayConflict, match="in_house"):
        check_cancellable(BookingStatus.IN_HOUSE)


def test_given_new_nights_when_priced_then_booked_first_then_offered_then_the_last_booked() -> None:
    known = {D0: Decimal("100.00"), D1: Decimal("110.00")}

    amounts = price_new_nights([D0, D1, D2, D3], known, {D2: Decimal("130.00"), D3: None})

    assert amounts == [Decimal("100.00"), Decimal("110.00"), Decimal("130.00"), Decimal("110.00")]
    assert price_new_nights([D0], {}, {}) == [None]


def test_given_housekeeping_when_changed_then_an_inspection_follows_a_cleaning_of_a_vacant_room() -> None:
    assert (
        housekeeping_change(Housekeeping.CLEAN, Housekeeping.INSPECTED, Occupancy.VACANT)
        is Housekeeping.INSPECTED
    )
    assert (
        housekeeping_change(Housekeeping.INSPECTED, Housekeeping.DIRTY, Occupancy.OCCUPIED)
        is Housekeeping.DIRTY
    )
    with pytest.raises(StayConflict, match="cleaned before"):
        housekeeping_change(Housekeeping.DIRTY, Housekeeping.INSPECTED, Occupancy.VACANT)
    with pytest.raises(StayConflict, match="occupied"):
        housekeeping_change(Housekeeping.CLEAN, Housekeeping.INSPECTED, Occupancy.OCCUPIED)


def test_given_booking_guests_when_profiled_then_the_primary_named_one_is_taken() -> None:
    guests = [
        Guest(given_name="Kid"),
        Guest(),  # nobody named
        Guest(surname="Smith", email="ann@example.org", phone="+43", primary=True),
    ]

    details = guest_details(guests)

    assert details is not None and (details.surname, details.email, details.phone) == (
        "Smith",
        "ann@example.org",
        "+43",
    )
    assert guest_details([Guest(), Guest(phone="+1")]) is None


@pytest.mark.parametrize("amount", ["-1", "10000000000", "1.001"])
def test_given_a_credit_limit_out_of_bounds_when_a_company_is_described_then_refused(amount: str) -> None:
    with pytest.raises(ValidationError, match="credit limit"):
        CompanyDetails(name="Acme", credit_limit=Money(amount=Decimal(amount), currency="EUR"))


def test_given_a_guest_without_name_or_email_when_described_then_refused() -> None:
    assert CompanyDetails(name="Acme", credit_limit=Money(amount=Decimal("5000.00"), currency="EUR"))
    with pytest.raises(ValidationError, match="name or an email"):
        GuestDetails(phone="+43")
