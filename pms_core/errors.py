"""Errors the PMS core raises, each on the branch of the hub's tree that tells delivery what to do.

TransientError
 +-- BookingNotYetKnown     a modify/cancel arrived before its create: retry, then dead-letter
 +-- ConcurrentBookingChange  another transaction wrote the same reservation first
PermanentError
 +-- UnknownProperty        no property with that code
 +-- UnknownRoomType        no (active) room type with that code in the property
 +-- UnknownRatePlan        no (active) rate plan with that code in the property
 +-- RatePlanNotSold        the rate plan is not sold for that room type
 +-- NoRate                 a direct booking found no rate to charge
 +-- OccupancyExceeded      more guests than the room type holds (direct bookings)
 +-- SoldOut                a direct booking found a night with no room left
 +-- InventoryMismatch      inventory rows disagree with the bookings that hold them
 +-- PropertyMismatch       the reservation is held in another property
 +-- AriRefused             an ARI change the property cannot take (a derived plan's field, no plan)
 +-- UnknownRoom            no room with that number / no out-of-order range with that id
"""

from __future__ import annotations

from datetime import date

from canonical.errors import PermanentError, TransientError


class BookingNotYetKnown(TransientError):
    """A modification or cancellation names a reservation the core has not seen yet."""

    def __init__(self, partner_id: str, partner_reservation_id: str) -> None:
        super().__init__(f"reservation {partner_reservation_id!r} of partner {partner_id!r} is not known yet")
        self.partner_id = partner_id
        self.partner_reservation_id = partner_reservation_id


class UnknownProperty(PermanentError):
    """No property with this code."""

    def __init__(self, property_code: str) -> None:
        super().__init__(f"unknown property {property_code!r}")
        self.property_code = property_code


class UnknownRoomType(PermanentError):
    """No active room type with this code in the property."""

    def __init__(self, property_code: str, room_type_code: str) -> None:
        super().__init__(f"unknown room type {room_type_code!r} in property {property_code!r}")
        self.property_code = property_code
        self.room_type_code = room_type_code


class UnknownRatePlan(PermanentError):
    """No active rate plan with this code in the property."""

    def __init__(self, property_code: str, rate_plan_code: str) -> None:
        super().__init__(f"unknown rate plan {rate_plan_code!r} in property {property_code!r}")
        self.property_code = property_code
        self.rate_plan_code = rate_plan_code


class RatePlanNotSold(PermanentError):
    """The rate plan exists but is not sold for this room type."""

    def __init__(self, property_code: str, rate_plan_code: str, room_type_code: str) -> None:
        super().__init__(
            f"rate plan {rate_plan_code!r} is not sold for room type {room_type_code!r}"
            f" in property {property_code!r}"
        )
        self.property_code = property_code
        self.rate_plan_code = rate_plan_code
        self.room_type_code = room_type_code


class NoRate(PermanentError):
    """A direct booking found no default rate to charge for the room type and rate plan."""

    def __init__(self, property_code: str, rate_plan_code: str, room_type_code: str) -> None:
        super().__init__(
            f"no rate for room type {room_type_code!r} on rate plan {rate_plan_code!r}"
            f" in property {property_code!r}"
        )
        self.property_code = property_code


class GuestArrived(PermanentError):
    """A partner's modification or cancellation of a reservation whose guest has arrived (in house,
    checked out) or did not come (no-show): not applied; the front desk changes the stay."""

    def __init__(self, partner_id: str, reservation_id: str, confirmation: str, status: str) -> None:
        super().__init__(
            f"partner {partner_id!r} reservation {reservation_id!r}: booking {confirmation} is {status};"
            " a channel's change after arrival is not applied (extend, shorten or check out at the"
            " front desk, then replay or discard this message)"
        )
        self.partner_id = partner_id
        self.reservation_id = reservation_id


class StayRestricted(PermanentError):
    """A direct booking breaks a restriction of its rate plan (closed, length of stay, booking window)."""

    def __init__(self, property_code: str, rate_plan_code: str, room_type_code: str, reason: str) -> None:
        super().__init__(
            f"room type {room_type_code!r} on rate plan {rate_plan_code!r} in property"
            f" {property_code!r} cannot be sold for this stay: {reason}"
        )
        self.property_code = property_code
        self.reason = reason


class OccupancyExceeded(PermanentError):
    """More guests than the room type holds."""

    def __init__(self, room_type_code: str, guests: int, max_occupancy: int) -> None:
        super().__init__(f"room type {room_type_code!r} holds {max_occupancy} guests, {guests} asked")
        self.room_type_code = room_type_code


class SoldOut(PermanentError):
    """A direct booking found at least one night with no room left; nothing was booked."""

    def __init__(self, property_code: str, room_type_code: str, arrival: date, departure: date) -> None:
        super().__init__(
            f"room type {room_type_code!r} in property {property_code!r} is sold out"
            f" for at least one night from {arrival.isoformat()} to {departure.isoformat()}"
        )
        self.property_code = property_code
        self.room_type_code = room_type_code
        self.arrival = arrival
        self.departure = departure


class InventoryMismatch(PermanentError):
    """Releasing nights found fewer inventory rows than the booking holds: data was changed."""


class ConcurrentBookingChange(TransientError):
    """Another transaction wrote the same reservation first: retry and it will see that write."""


class PropertyMismatch(PermanentError):
    """A partner's reservation is held in another property than the message names."""

    def __init__(self, partner_reservation_id: str, held_in: str, named: str) -> None:
        super().__init__(
            f"reservation {partner_reservation_id!r} belongs to property {held_in!r}, not {named!r}"
        )


class InvalidDefinition(PermanentError):
    """A property definition that cannot be applied as written."""

    def __init__(self, property_code: str, problem: str) -> None:
        super().__init__(f"property {property_code!r}: {problem}")
        self.property_code = property_code


class AriRefused(PermanentError):
    """An ARI change that cannot be applied as asked; nothing of the request was applied."""

    def __init__(self, property_code: str, problem: str) -> None:
        super().__init__(f"property {property_code!r}: {problem}")
        self.property_code = property_code


class UnknownRoom(PermanentError):
    """No room with this number, or no out-of-order range with this id, in the property."""

    def __init__(self, property_code: str, what: str) -> None:
        super().__init__(f"{what} not found in property {property_code!r}")
        self.property_code = property_code
