"""Booking messages: what a partner sent (event) and what the PMS core did with it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, model_validator

from canonical.base import AwareDatetime, Code, Frozen, Money

BOOKING_RECEIVED_V1 = "booking.received.v1"
PARTNER_MESSAGE_RECEIVED_V1 = "partner.message.received.v1"


class BookingAction(StrEnum):
    """What the partner asks for: a new booking, a change, or a cancellation."""

    COMMIT = "commit"
    MODIFY = "modify"
    CANCEL = "cancel"


class TaxBasis(StrEnum):
    """Whether a stay's amounts include tax (gross, after tax) or not (net, before tax)."""

    AFTER_TAX = "after_tax"
    BEFORE_TAX = "before_tax"


class NightlyPrice(Frozen):
    """The price of one night of a room stay."""

    night: date
    price: Money


class GuestCount(Frozen):
    """Adults and the ages of children staying in one room."""

    adults: Annotated[int, Field(ge=0, le=99)] = 0
    children: Annotated[int, Field(ge=0, le=99)] = 0
    child_ages: tuple[Annotated[int, Field(ge=0, le=17)], ...] = ()


class Guest(Frozen):
    """A person named on the booking."""

    given_name: str | None = None
    surname: str | None = None
    name_prefix: str | None = None
    email: str | None = None
    phone: str | None = None
    address_line: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    language: str | None = None
    primary: bool = False


class CardRef(Frozen):
    """A payment card as the hub keeps it: vault token plus the parts safe to show. No PAN, no CVV."""

    brand: str | None = None
    bin: Annotated[str | None, Field(pattern=r"^\d{6}$")] = None
    last4: Annotated[str | None, Field(pattern=r"^\d{4}$")] = None
    expiry: Annotated[str | None, Field(pattern=r"^\d{2}/\d{2}$")] = None
    holder_name: str | None = None
    token: str | None = None


class Guarantee(Frozen):
    """How the booking is guaranteed: a card reference, a deposit, or a code only."""

    guarantee_code: str | None = None
    guarantee_type: str | None = None
    card: CardRef | None = None
    deposit: Money | None = None


class WarningKind(StrEnum):
    """Why a partner's booking was kept although it does not fit the property as configured."""

    OCCUPANCY_EXCEEDED = "occupancy_exceeded"  # more guests than the room type holds
    CURRENCY_MISMATCH = "currency_mismatch"  # amounts in a currency other than the property's


class BookingWarning(Frozen):
    """Something a channel sold that the hub kept (the channel has sold it) and staff should see."""

    kind: WarningKind
    detail: Annotated[str, Field(min_length=1, max_length=500)]


class RoomStay(Frozen):
    """One room for one span of nights, in the hub's codes."""

    room_type_code: Code
    rate_plan_code: Code
    arrival: date
    departure: date
    guests: GuestCount
    nightly: tuple[NightlyPrice, ...] = ()
    total: Money | None = None
    tax_basis: TaxBasis | None = None  # of `nightly` and `total`; None: unknown (no amounts sent)
    guarantee: Guarantee | None = None
    comments: tuple[str, ...] = ()
    warnings: tuple[BookingWarning, ...] = ()  # what the connector found amiss, kept anyway

    @model_validator(mode="after")
    def _dates_in_order(self) -> RoomStay:
        if self.departure <= self.arrival:
            raise ValueError("departure must be after arrival")
        return self


class BookingReceived(Frozen):
    """A partner sent a booking, a modification or a cancellation (already mapped to hub codes)."""

    partner_id: Code
    partner_reservation_id: Annotated[str, Field(min_length=1, max_length=128)]
    partner_revision: str
    confirmation: Code
    action: BookingAction
    property_code: Code
    partner_created_at: AwareDatetime | None = None
    room_stays: tuple[RoomStay, ...] = ()
    guests: tuple[Guest, ...] = ()
    guarantee: Guarantee | None = None
    comments: tuple[str, ...] = ()
    total: Money | None = None

    @model_validator(mode="after")
    def _stays_unless_cancel(self) -> BookingReceived:
        if self.action is not BookingAction.CANCEL and not self.room_stays:
            raise ValueError("a commit or modify needs at least one room stay")
        return self


class PartnerMessageReceived(Frozen):
    """A partner's wire message as received (card data already tokenised), kept for replay."""

    partner_id: Code
    protocol: Code
    message_name: Code
    body: str


# --- PMS core: direct booking command and booking lifecycle events -------------------------

BOOKING_CREATED_V1 = "booking.created.v1"
BOOKING_MODIFIED_V1 = "booking.modified.v1"
BOOKING_CANCELLED_V1 = "booking.cancelled.v1"
BOOKING_OVERBOOKED_V1 = "booking.overbooked.v1"


class BookingStatus(StrEnum):
    """Where one room stay stands in its life."""

    CONFIRMED = "confirmed"
    MODIFIED = "modified"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    IN_HOUSE = "in_house"
    CHECKED_OUT = "checked_out"


class CreateBooking(Frozen):
    """Book one room directly through the PMS API; refused when any night is sold out."""

    property_code: Code
    room_type_code: Code
    rate_plan_code: Code
    arrival: date
    departure: date
    occupancy: GuestCount
    guests: tuple[Guest, ...] = ()
    guarantee: Guarantee | None = None
    comments: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _dates_in_order(self) -> CreateBooking:
        if self.departure <= self.arrival:
            raise ValueError("departure must be after arrival")
        return self


class BookingChange(Frozen):
    """What every booking lifecycle event says about the room stay it concerns."""

    booking_id: UUID
    property_code: Code
    confirmation: Code
    stay_index: Annotated[int, Field(ge=0)]
    partner_id: Code | None = None  # None: a direct booking
    partner_reservation_id: str | None = None
    room_type_code: Code
    rate_plan_code: Code
    arrival: date
    departure: date
    status: BookingStatus
    overbooked: bool = False
    total: Money | None = None
    tax_basis: TaxBasis | None = None  # of `total`; None: unknown
    revision: Annotated[int, Field(ge=1)]


class BookingCreated(BookingChange):
    """A room stay was booked: its nights are now sold."""


class BookingModified(BookingChange):
    """A room stay changed; the previous room type and dates say which nights were released."""

    previous_room_type_code: Code
    previous_arrival: date
    previous_departure: date
    previous_status: BookingStatus


class BookingCancelled(BookingChange):
    """A room stay was cancelled: its nights are released."""


class BookingOverbooked(Frozen):
    """A partner's booking was kept on nights that had no room left: someone must act."""

    booking_id: UUID
    property_code: Code
    confirmation: Code
    partner_id: Code | None = None
    room_type_code: Code
    nights: tuple[date, ...]
