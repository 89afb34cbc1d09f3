"""Read models the PMS core returns: bookings, their history, availability, property set-up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field

from canonical.ari import AriChanged
from canonical.base import AwareDatetime, Code, CurrencyCode, Frozen, Money
from canonical.booking import BookingAction, BookingStatus, BookingWarning, Guarantee, Guest, TaxBasis


class BookingView(Frozen):
    """One room stay as the core holds it now."""

    id: UUID
    property_code: Code
    confirmation: Code
    stay_index: Annotated[int, Field(ge=0)]
    partner_id: str | None = None  # None: a direct booking
    partner_reservation_id: str | None = None
    room_type_code: Code
    rate_plan_code: Code
    arrival: date
    departure: date
    adults: int
    children: int
    child_ages: tuple[int, ...] = ()
    status: BookingStatus
    overbooked: bool = False
    # what the partner sent that does not fit the property (too many guests, another currency), kept
    warnings: tuple[BookingWarning, ...] = ()
    total: Money | None = None
    tax_basis: TaxBasis | None = None  # of `total` and the nights; None: the partner sent no amounts
    currency: CurrencyCode
    guarantee: Guarantee | None = None
    comments: tuple[str, ...] = ()
    revision: int
    partner_revision: str | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class NightView(Frozen):
    """The price of one night of a booking (None when the partner sent none)."""

    night: date
    amount: Decimal | None = None


class RevisionView(Frozen):
    """One entry of a booking's history: what changed it and how it looked afterwards."""

    revision: int
    action: str
    partner_revision: str | None = None
    message_id: str | None = None
    snapshot: BookingView
    created_at: AwareDatetime


class BookingDetail(BookingView):
    """A booking with its guests, nightly prices and revision history."""

    guests: tuple[Guest, ...] = ()
    nights: tuple[NightView, ...] = ()
    revisions: tuple[RevisionView, ...] = ()


class AvailabilityRow(Frozen):
    """Inventory of one room type on one date; `available` is negative when overbooked."""

    room_type_code: Code
    stay_date: date
    physical: int
    out_of_order: int
    sold: int
    available: int


class OutcomeKind(StrEnum):
    """What the core did with a partner's booking message."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    STALE = "stale"


class BookingOutcome(Frozen):
    """The result of handling a partner's booking message."""

    kind: OutcomeKind
    action: BookingAction
    partner_id: Code
    partner_reservation_id: str
    partner_revision: str
    reason: str
    bookings: tuple[BookingView, ...] = ()
    overbooked: bool = False


class RoomView(Frozen):
    """A physical room and its status."""

    number: str
    occupancy: str
    housekeeping: str
    out_of_order: bool
    active: bool


class RoomTypeView(Frozen):
    """A room type with its rooms."""

    code: Code
    name: str
    max_occupancy: int
    active: bool
    rooms: tuple[RoomView, ...] = ()


class RateView(Frozen):
    """The default nightly rate of one room type on a rate plan."""

    room_type_code: Code
    default_rate: Decimal | None = None


class RatePlanView(Frozen):
    """A rate plan and the room types it sells."""

    code: Code
    name: str
    active: bool
    rates: tuple[RateView, ...] = ()


class PropertyView(Frozen):
    """A property with its room types and rate plans."""

    code: Code
    name: str
    timezone: str
    currency: CurrencyCode
    business_date: date | None = None
    room_types: tuple[RoomTypeView, ...] = ()
    rate_plans: tuple[RatePlanView, ...] = ()


class ApplyReport(Frozen):
    """What applying a property definition changed; `changed` is False for a no-op re-apply."""

    property_code: Code
    created: bool
    changed: bool
    changes: tuple[str, ...] = ()
    # Room types whose physical count changed: their availability must be sent to channels again.
    inventory_changed: tuple[str, ...] = ()
    # Availability ari.changed.v1 of those room types (and of out-of-order counts that followed a
    # room to another type), from the business date on: written to the outbox when routed.
    ari_changes: tuple[AriChanged, ...] = ()


class OutOfOrderView(Frozen):
    """One room out of order over a range of nights (both ends included)."""

    id: int
    property_code: Code
    room: str
    room_type_code: Code
    first_night: date
    last_night: date
    reason: str
    created_at: AwareDatetime
