"""Domain rules of stays in plain Python: who may check in where and when, moves, extensions, departures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from canonical.booking import BookingStatus
from canonical.stay import Housekeeping, Occupancy, StayStatus
from pms_core.model import stay_nights
from pms_core.stay_errors import RoomNotReady, RoomOccupied, StayConflict, StayInvalid

ARRIVING = (BookingStatus.CONFIRMED, BookingStatus.MODIFIED)  # booked, not yet arrived
READY = (Housekeeping.CLEAN, Housekeeping.INSPECTED)
MAX_STAY_NIGHTS = 366  # an extension beyond is a new booking


def check_arrival(status: BookingStatus, arrival: date, departure: date, today: date) -> None:
    """Refuse a check-in of a booking that is not expected today (StayConflict)."""
    if status is BookingStatus.IN_HOUSE:
        raise StayConflict("the booking is already checked in")
    if status not in ARRIVING:
        raise StayConflict(f"a booking that is {status.value} cannot be checked in")
    if today < arrival:
        raise StayConflict(
            f"the booking arrives on {arrival.isoformat()}, the business date is {today.isoformat()}"
        )
    if today >= departure:
        raise StayConflict(f"the booking departed on {departure.isoformat()}: mark it a no-show")


def check_room_ready(
    number: str, occupancy: Occupancy, housekeeping: Housekeeping, *, out_of_order: bool, active: bool
) -> None:
    """Refuse a room not to give now: occupied (RoomOccupied), dirty or out of order (RoomNotReady)."""
    if not active:
        raise RoomNotReady(f"room {number} is out of service")
    if out_of_order:
        raise RoomNotReady(f"room {number} is out of order")
    if occupancy is Occupancy.OCCUPIED:
        raise RoomOccupied(f"room {number} is occupied")
    if housekeeping not in READY:
        raise RoomNotReady(f"room {number} is {housekeeping.value}: it must be clean or inspected")


def nights_from(today: date, departure: date) -> list[date]:
    """The nights a stay still holds its room from the business date on (none on the departure date)."""
    return stay_nights(today, departure) if today < departure else []


def check_in_house(status: StayStatus) -> None:
    """Refuse a change to a stay whose guest has left (StayConflict)."""
    if status is not StayStatus.IN_HOUSE:
        raise StayConflict("the guest has checked out")


def check_extension(arrival: date, departure: date, wanted: date, today: date) -> None:
    """Refuse an extension not later than the booked departure, or past MAX_STAY_NIGHTS (StayInvalid)."""
    if (wanted - arrival).days > MAX_STAY_NIGHTS:
        raise StayInvalid(f"a stay lasts at most {MAX_STAY_NIGHTS} nights")
    if wanted <= departure:
        raise StayInvalid(f"an extension departs after {departure.isoformat()}; {wanted.isoformat()} is not")
    if wanted <= today:
        raise StayInvalid(f"the new departure {wanted.isoformat()} is not after the business date")


def early_departure(arrival: date, departure: date, today: date) -> date:
    """The departure date of a guest leaving early today: today, but at least one night after arrival."""
    if today >= departure:
        raise StayConflict(f"the stay departs on {departure.isoformat()}: check it out")
    return max(today, arrival + timedelta(days=1))


def check_departure_due(departure: date, today: date) -> None:
    """Refuse a check-out before the departure date: that is an early departure (StayConflict)."""
    if today < departure:
        raise StayConflict(
            f"the stay departs on {departure.isoformat()}, the business date is {today.isoformat()}:"
            " use early departure"
        )


def check_no_show(status: BookingStatus, arrival: date, today: date) -> None:
    """Refuse a no-show of a booking that is not arriving, or whose arrival date has not come."""
    if status not in ARRIVING:
        raise StayConflict(f"a booking that is {status.value} cannot be a no-show")
    if today < arrival:
        raise StayConflict(f"the booking arrives on {arrival.isoformat()}: not a no-show yet")


def check_cancellable(status: BookingStatus) -> None:
    """Refuse cancelling a stay that has begun or ended (StayConflict)."""
    if status not in ARRIVING:
        raise StayConflict(f"a booking that is {status.value} cannot be cancelled")


def price_new_nights(
    nights: Sequence[date], known: Mapping[date, Decimal | None], offered: Mapping[date, Decimal | None]
) -> list[Decimal | None]:
    """Each night's price: the booked one, else what the rate plan sells it for, else the last booked one."""
    booked = [amount for _, amount in sorted(known.items()) if amount is not None]
    fallback = booked[-1] if booked else None
    amounts: list[Decimal | None] = []
    for night in nights:
        if night in known:
            amounts.append(known[night])
        elif offered.get(night) is not None:
            amounts.append(offered[night])
        else:
            amounts.append(fallback)
    return amounts
