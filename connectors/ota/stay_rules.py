"""What the door checks a translated booking against the property: past stays, occupancy, currency.

A new booking that departs before today in the property's time zone is refused (PastStay, 3/122):
the guest has gone (a re-sent Commit of a reservation the hub holds already is taken, and the core
answers it as the duplicate it is). Arriving yesterday is fine (a booking made after midnight for the night
that is still running), and modifications and cancellations of past stays are always taken.
More guests than the room type holds, or amounts in another currency than the property's, are
kept (the channel has sold it) with a BookingWarning on the stay, answered as OTA Warnings.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from canonical.base import Money
from canonical.booking import BookingAction, BookingReceived, BookingWarning, RoomStay, WarningKind
from connectors.ota.codes import PartnerCodes, PropertyCodes
from connectors.ota.errors import PastStay


def property_today(now: datetime, timezone: str) -> date:
    """The calendar day `now` falls on at the property (UTC when its time zone is unknown)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def checked(
    bookings: list[BookingReceived],
    codes: PartnerCodes,
    *,
    now: datetime,
    known: frozenset[str] = frozenset(),
) -> list[BookingReceived]:
    """The bookings with their stays' warnings; raises PastStay for a new booking already over
    (a Commit of a reservation in `known`, which the hub holds already, is a re-send: taken)."""
    by_property = {prop.hub_property: prop for prop in codes.hotels.values()}
    result = []
    for booking in bookings:
        prop = by_property.get(booking.property_code)
        if prop is None or not booking.room_stays:
            result.append(booking)
            continue
        if booking.action is BookingAction.COMMIT and booking.partner_reservation_id not in known:
            _refuse_past(booking, prop, now)
        lone_total = booking.total if len(booking.room_stays) == 1 else None
        stays = tuple(
            _with_warnings(stay, prop, (lone_total, _deposit(booking))) for stay in booking.room_stays
        )
        result.append(
            booking if stays == booking.room_stays else booking.model_copy(update={"room_stays": stays})
        )
    return result


def _refuse_past(booking: BookingReceived, prop: PropertyCodes, now: datetime) -> None:
    today = property_today(now, prop.timezone)
    for stay in booking.room_stays:
        if stay.departure < today:
            raise PastStay(
                f"reservation {booking.partner_reservation_id}: the stay {stay.arrival} to {stay.departure} "
                f"ended before today ({today}, {prop.timezone}); a new booking must depart today or later",
                reservation_id=booking.partner_reservation_id,
                tag="End",
            )


def _deposit(booking: BookingReceived) -> Money | None:
    return booking.guarantee.deposit if booking.guarantee is not None else None


def _with_warnings(stay: RoomStay, prop: PropertyCodes, shared: Iterable[Money | None]) -> RoomStay:
    found: list[BookingWarning] = []
    most = prop.max_occupancy.get(stay.room_type_code)
    guests = stay.guests.adults + stay.guests.children
    if most is not None and guests > most:
        found.append(
            BookingWarning(
                kind=WarningKind.OCCUPANCY_EXCEEDED,
                detail=f"{guests} guests in room type {stay.room_type_code}, which holds {most}",
            )
        )
    amounts = [stay.total, *(night.price for night in stay.nightly), *shared]
    if stay.guarantee is not None:
        amounts.append(stay.guarantee.deposit)
    foreign = sorted({money.currency for money in amounts if money is not None} - {prop.currency})
    if foreign:
        found.append(
            BookingWarning(
                kind=WarningKind.CURRENCY_MISMATCH,
                detail=f"amounts in {', '.join(foreign)}; the property sells in {prop.currency}",
            )
        )
    return stay.model_copy(update={"warnings": tuple(found)}) if found else stay
