"""Whether a stay can be sold on one (room type, rate plan), and at what: the restrictions and rates
of its nights read the same way by every door that sells (availability requests, direct bookings).

A stay arrives on `arrival` and leaves on `departure`; its nights are arrival .. departure - 1. The
arrival night's terms hold for the stay (closed to arrival, min/max length of stay on arrival, the
booking window, the same-day cut-off), the departure day's `closed_to_departure` holds for leaving,
and every night's own terms hold while the stay includes it (closed, min/max length of stay through).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from canonical.ari import RateCell, Rates, Restrictions


def stay_nights(arrival: date, departure: date) -> list[date]:
    """The nights of a stay: every date from arrival up to, not including, departure."""
    if departure <= arrival:
        raise ValueError("departure must be after arrival")
    return [arrival + timedelta(days=i) for i in range((departure - arrival).days)]


def nightly_amount(rates: Rates, adults: int, children: int) -> Decimal | None:
    """One night's amount for the party: the occupancy's amount, extra adults past the largest listed
    occupancy and extra children added; None when the night has no amount for them."""
    base = rates.for_guests(adults)
    listed = [count for count, _ in rates.by_occupancy]
    if listed and adults > listed[-1] and rates.extra_adult is not None:
        base = rates.by_occupancy[-1][1] + rates.extra_adult * (adults - listed[-1])
    if base is None:
        return None
    if children and rates.extra_child is not None:
        base += rates.extra_child * children
    return base


@dataclass(frozen=True)
class StayPrice:
    """A stay that can be sold: the amount of each of its nights, in order."""

    nightly: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        """The stay's amount."""
        return sum(self.nightly, Decimal(0))


@dataclass(frozen=True)
class Unsellable:
    """Why a stay cannot be sold: the first restriction it breaks, or a night without an amount."""

    reason: str
    no_rate: bool = False  # a night has no amount (for this party), rather than a restriction


def price_stay(
    stay: Mapping[date, RateCell],
    arrival: date,
    departure: date,
    *,
    adults: int,
    children: int,
    local_now: datetime,
) -> StayPrice | Unsellable:
    """The stay's price when every restriction allows it, else the first reason it cannot be sold.

    `stay` holds the cells of one room type and rate plan by night (the departure day's too, when
    known); `local_now` is the property's local time, for the booking window and same-day cut-off.
    """
    nights = stay_nights(arrival, departure)
    missing = next((night for night in nights if night not in stay), None)
    if missing is not None:
        return Unsellable(f"no rate for the night of {missing.isoformat()}", no_rate=True)
    refused = _arrival_refusal(stay[arrival].restrictions, arrival, len(nights), local_now)
    if refused is not None:
        return Unsellable(refused)
    length = len(nights)
    leaving = stay.get(departure)
    if leaving is not None and leaving.restrictions.closed_to_departure:
        return Unsellable(f"closed to departure on {departure.isoformat()}")
    amounts: list[Decimal] = []
    for night in nights:
        held = stay[night].restrictions
        if held.closed:
            return Unsellable(f"closed on {night.isoformat()}")
        if held.min_los_through is not None and length < held.min_los_through:
            return Unsellable(f"a stay through {night.isoformat()} is at least {held.min_los_through} nights")
        if held.max_los_through is not None and length > held.max_los_through:
            return Unsellable(f"a stay through {night.isoformat()} is at most {held.max_los_through} nights")
        amount = nightly_amount(stay[night].rates, adults, children)
        if amount is None:
            reason = f"no rate for {adults} adult(s) and {children} child(ren) on {night.isoformat()}"
            return Unsellable(reason, no_rate=True)
        amounts.append(amount)
    return StayPrice(tuple(amounts))


def _arrival_refusal(first: Restrictions, arrival: date, length: int, local_now: datetime) -> str | None:
    """Why the arrival night's terms refuse the stay, or None."""
    lead = (arrival - local_now.date()).days
    if first.closed_to_arrival:
        return f"closed to arrival on {arrival.isoformat()}"
    if first.min_los is not None and length < first.min_los:
        return f"a stay arriving on {arrival.isoformat()} is at least {first.min_los} nights"
    if first.max_los is not None and length > first.max_los:
        return f"a stay arriving on {arrival.isoformat()} is at most {first.max_los} nights"
    if first.min_advance_days is not None and lead < first.min_advance_days:
        return (
            f"a stay arriving on {arrival.isoformat()} is booked at least {first.min_advance_days} days ahead"
        )
    if first.max_advance_days is not None and lead > first.max_advance_days:
        return (
            f"a stay arriving on {arrival.isoformat()} is booked at most {first.max_advance_days} days ahead"
        )
    cutoff = first.same_day_cutoff
    if lead == 0 and cutoff is not None and local_now.time() >= cutoff:
        return f"same-day bookings for {arrival.isoformat()} closed at {cutoff.isoformat('minutes')}"
    return None
