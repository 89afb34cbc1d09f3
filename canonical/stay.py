"""Stay lifecycle: commands of the front desk and the events a stay raises (check-in to check-out).

Every event names the property, booking, stay, room and dates, and the guest and company profiles
the booking is linked to, so door locks, payments and folios can act on it without a look-up.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from canonical.base import Code, Frozen

STAY_CHECKED_IN_V1 = "stay.checked_in.v1"
STAY_MOVED_V1 = "stay.moved.v1"
STAY_EXTENDED_V1 = "stay.extended.v1"
STAY_CHECKED_OUT_V1 = "stay.checked_out.v1"
BOOKING_NO_SHOW_V1 = "booking.no_show.v1"
STAY_EVENT_TYPES = (
    STAY_CHECKED_IN_V1,
    STAY_MOVED_V1,
    STAY_EXTENDED_V1,
    STAY_CHECKED_OUT_V1,
    BOOKING_NO_SHOW_V1,
)


class StayStatus(StrEnum):
    """Where a stay stands: the guest is in the house, or has left."""

    IN_HOUSE = "in_house"
    CHECKED_OUT = "checked_out"


class Housekeeping(StrEnum):
    """A room's cleanliness: dirty after a guest, clean, then inspected."""

    DIRTY = "dirty"
    CLEAN = "clean"
    INSPECTED = "inspected"


class Occupancy(StrEnum):
    """Whether a guest holds the room now."""

    VACANT = "vacant"
    OCCUPIED = "occupied"


# --- commands ---------------------------------------------------------------------------------


class CheckIn(Frozen):
    """Check the guest of a booking in to a room (vacant, and clean or inspected)."""

    property_code: Code
    booking_id: UUID
    room: Code


class MoveRoom(Frozen):
    """Move an in-house stay to another room from tonight on."""

    property_code: Code
    stay_id: UUID
    room: Code


class ExtendStay(Frozen):
    """Keep an in-house guest until a later departure date."""

    property_code: Code
    stay_id: UUID
    departure: date


class DepartEarly(Frozen):
    """Check an in-house guest out before the booked departure; the nights left are released."""

    property_code: Code
    stay_id: UUID


class CheckOut(Frozen):
    """Check an in-house guest out on (or after) the departure date."""

    property_code: Code
    stay_id: UUID


class MarkNoShow(Frozen):
    """Mark a booking whose guest did not arrive; its nights are released."""

    property_code: Code
    booking_id: UUID


class CancelStay(Frozen):
    """Cancel a booking not yet checked in; its nights are released."""

    property_code: Code
    booking_id: UUID


class SetHousekeeping(Frozen):
    """Set a room's housekeeping status (dirty, clean, inspected)."""

    property_code: Code
    room: Code
    status: Housekeeping


# --- events -----------------------------------------------------------------------------------


class StayEvent(Frozen):
    """What every stay event says about the stay it concerns (dates as booked after the change)."""

    property_code: Code
    booking_id: UUID
    confirmation: Code
    stay_id: UUID
    room: Code
    room_type_code: Code
    arrival: date
    departure: date
    guest_profile_id: UUID | None = None
    company_profile_id: UUID | None = None


class StayCheckedIn(StayEvent):
    """The guest was checked in to `room`: a key can be issued, a pre-authorisation taken."""


class StayMoved(StayEvent):
    """The stay moved from `previous_room` to `room`: re-key."""

    previous_room: Code
    previous_room_type_code: Code


class StayExtended(StayEvent):
    """The stay now departs later than `previous_departure`."""

    previous_departure: date


class StayCheckedOut(StayEvent):
    """The guest left `room` (now dirty); `early_departure`: before the booked `previous_departure`."""

    early_departure: bool = False
    previous_departure: date


class BookingNoShow(Frozen):
    """The guest of a booking did not arrive; its nights were released."""

    property_code: Code
    booking_id: UUID
    confirmation: Code
    room_type_code: Code
    arrival: date
    departure: date
    guest_profile_id: UUID | None = None
    company_profile_id: UUID | None = None
