"""Availability, rates and inventory (ARI): the values a channel shows, the changes that set them.

A *cell* is one night of one room type (availability) or of one (room type, rate plan) pair
(rates and restrictions). `SetAri` is what the operator, a revenue system or an external PMS asks
for; the PMS core applies it and emits `AriChanged` for the nights that changed, in the same
transaction. `AriChanged` carries the nights only, never the values: whoever sends them reads the
values as they are when it sends, so the last write always wins.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from canonical.base import Code, Frozen

ARI_CHANGED_V1 = "ari.changed.v1"

MAX_SPAN_DAYS = 3 * 366  # one SetAri patch covers at most three years of nights
Amount = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=3)]
Nights = Annotated[int, Field(ge=1, le=999)]
Days = Annotated[int, Field(ge=0, le=999)]
Guests = Annotated[int, Field(ge=1, le=50)]


class Weekday(IntEnum):
    """ISO weekday numbers less one, as `date.weekday()` gives them (Monday 0)."""

    MON = 0
    TUE = 1
    WED = 2
    THU = 3
    FRI = 4
    SAT = 5
    SUN = 6


EVERY_DAY = frozenset(Weekday)


class AriKind(StrEnum):
    """What part of a cell changed: channels receive each kind in its own message."""

    AVAILABILITY = "availability"  # rooms left to sell (OTA_HotelInvCountNotifRQ)
    RATES = "rates"  # amounts (OTA_HotelRateAmountNotifRQ)
    RESTRICTIONS = "restrictions"  # stop-sell, CTA/CTD, length of stay (OTA_HotelAvailNotifRQ)


class Restrictions(Frozen):
    """The terms one rate plan of one room type sells a night on; None means no such restriction."""

    closed: bool = False  # stop-sell
    closed_to_arrival: bool = False
    closed_to_departure: bool = False
    min_los: Nights | None = None  # length of stay, for stays arriving this night
    max_los: Nights | None = None
    min_los_through: Nights | None = None  # length of stay, for stays that include this night
    max_los_through: Nights | None = None
    min_advance_days: Days | None = None  # booking window: days between booking and arrival
    max_advance_days: Days | None = None
    same_day_cutoff: time | None = None  # local time after which this night cannot be booked the same day


class Rates(Frozen):
    """What one rate plan of one room type sells one night at (in the property's currency)."""

    amount: Amount | None = None  # the nightly amount, whatever the occupancy
    by_occupancy: tuple[tuple[Guests, Amount], ...] = ()  # (guests, amount), ascending by guests
    extra_adult: Amount | None = None
    extra_child: Amount | None = None

    @model_validator(mode="after")
    def _occupancies_ascend_once(self) -> Rates:
        guests = [count for count, _ in self.by_occupancy]
        if guests != sorted(set(guests)):
            raise ValueError("by_occupancy: each number of guests once, in ascending order")
        return self

    def for_guests(self, guests: int) -> Decimal | None:
        """The amount for this many guests: its own, else the nightly amount, else None."""
        for count, amount in self.by_occupancy:
            if count == guests:
                return amount
        return self.amount


class RateCell(Frozen):
    """One night of one (room type, rate plan): its rates and restrictions, as resolved for sale."""

    room_type: Code
    rate_plan: Code
    night: date
    rates: Rates = Rates()
    restrictions: Restrictions = Restrictions()


class AvailabilityCell(Frozen):
    """One night of one room type: rooms left to sell (physical - out of order - sold, never below 0)."""

    room_type: Code
    night: date
    available: Annotated[int, Field(ge=0)]


class RatesPatch(Frozen):
    """Rates to set; a field left None keeps its value."""

    amount: Amount | None = None
    by_occupancy: tuple[tuple[Guests, Amount], ...] | None = None
    extra_adult: Amount | None = None
    extra_child: Amount | None = None


class RestrictionsPatch(Frozen):
    """Restrictions to set; a field left None keeps its value (`AriPatch.clear` unsets one)."""

    closed: bool | None = None
    closed_to_arrival: bool | None = None
    closed_to_departure: bool | None = None
    min_los: Nights | None = None
    max_los: Nights | None = None
    min_los_through: Nights | None = None
    max_los_through: Nights | None = None
    min_advance_days: Days | None = None
    max_advance_days: Days | None = None
    same_day_cutoff: time | None = None


CLEARABLE = frozenset(
    {"amount", "by_occupancy", "extra_adult", "extra_child"}
    | {name for name, field in Restrictions.model_fields.items() if field.default is None}
)


class AriPatch(Frozen):
    """Set some fields over a range of nights (both ends included), on the weekdays given.

    A field left None keeps its value; a field named in `clear` goes back to unset. Rates and
    restrictions belong to a rate plan; a patch without one sets them for every rate plan that
    sells the room type.
    """

    room_type: Code
    rate_plan: Code | None = None
    first_night: date
    last_night: date
    weekdays: frozenset[Weekday] = EVERY_DAY
    rates: RatesPatch | None = None
    restrictions: RestrictionsPatch | None = None
    clear: frozenset[str] = frozenset()

    @model_validator(mode="after")
    def _a_range_of_nights(self) -> AriPatch:
        if self.last_night < self.first_night:
            raise ValueError("last_night is before first_night")
        if (self.last_night - self.first_night).days >= MAX_SPAN_DAYS:
            raise ValueError(f"a patch covers at most {MAX_SPAN_DAYS} nights")
        if not self.weekdays:
            raise ValueError("weekdays: at least one")
        if unknown := self.clear - CLEARABLE:
            raise ValueError(f"clear: not a field that can be unset: {', '.join(sorted(unknown))}")
        if self.rates is None and self.restrictions is None and not self.clear:
            raise ValueError("a patch sets rates or restrictions, or clears a field")
        return self

    def nights(self) -> list[date]:
        """Every night of the range that falls on one of the weekdays."""
        span = (self.last_night - self.first_night).days + 1
        nights = (date.fromordinal(self.first_night.toordinal() + i) for i in range(span))
        return [night for night in nights if night.weekday() in self.weekdays]


class SetAri(Frozen):
    """Change rates and restrictions of one property: many patches, applied in order, in one transaction."""

    property: Code
    patches: tuple[AriPatch, ...] = Field(min_length=1, max_length=10_000)
    source: Code = "operator"  # who asked: the operator, or the id of a revenue-system / PMS partner


class AriChanged(Frozen):
    """Event: these nights of this room type (and rate plan) changed; read the values when sending.

    `rate_plan` None: the room type's availability changed (for every plan that sells it).
    `urgent`: a close-out after an overbooking, sent ahead of everything else pending.
    """

    property: Code
    room_type: Code
    rate_plan: Code | None = None
    first_night: date
    last_night: date
    kinds: frozenset[AriKind]
    urgent: bool = False

    @model_validator(mode="after")
    def _a_range_of_nights(self) -> AriChanged:
        if self.last_night < self.first_night:
            raise ValueError("last_night is before first_night")
        if not self.kinds:
            raise ValueError("kinds: at least one")
        return self


class SetRoomCounts(Frozen):
    """Set rooms left to sell per (room type, night) as an external PMS that owns inventory counts them.

    The core keeps its own sold and out-of-order counts and makes the night's rooms in service
    follow, so that rooms left equals the count sent; bookings it takes afterwards still count.
    """

    property: Code
    counts: tuple[AvailabilityCell, ...] = Field(min_length=1, max_length=100_000)
    source: Code  # the id of the PMS partner that sent them
