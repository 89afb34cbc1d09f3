"""Read models of stays and rooms: a stay, a room's status, a night the night audit charges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from canonical.base import AwareDatetime, Code, CurrencyCode, Frozen
from canonical.stay import Housekeeping, Occupancy, StayStatus


class StayView(Frozen):
    """One stay: which booking, which room, since when, until when."""

    id: UUID
    property_code: Code
    booking_id: UUID
    confirmation: Code
    room: Code
    room_type_code: Code
    status: StayStatus
    arrival: date
    departure: date
    checked_in_on: date
    checked_in_at: AwareDatetime
    checked_out_at: AwareDatetime | None = None
    guest_profile_id: UUID | None = None
    company_profile_id: UUID | None = None


class RoomStatusView(Frozen):
    """A room's status: occupancy, housekeeping, out of order, and the stay in it."""

    number: Code
    room_type_code: Code
    occupancy: Occupancy
    housekeeping: Housekeeping
    out_of_order: bool
    active: bool
    stay_id: UUID | None = None


class InHouseNight(Frozen):
    """One night of an in-house stay on a business date, with the price the booking gives it."""

    property_code: Code
    business_date: date
    stay_id: UUID
    booking_id: UUID
    confirmation: Code
    room: Code
    room_type_code: Code
    rate_plan_code: Code
    amount: Decimal | None = None  # None: the booking has no price for the night
    currency: CurrencyCode
    guest_profile_id: UUID | None = None
    company_profile_id: UUID | None = None
