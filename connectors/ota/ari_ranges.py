"""Resolved ARI cells -> ranges: contiguous nights with equal values become one range, per key.

A range is always a run of consecutive nights, so it goes out as `StatusApplicationControl
Start/End` with no weekday flags: a channel never has to read a weekday mask to know which
nights a value covers. A weekly pattern (weekends dearer) costs one range per run; that is the
fewest ranges contiguous runs allow, and it keeps every range readable on its own.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from canonical.ari import AvailabilityCell, RateCell, Rates, Restrictions

V = TypeVar("V", bound=Hashable)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class AriRange(Generic[V]):
    """One value over the nights first..last (both included) of one room type (and rate plan)."""

    room_type: str
    rate_plan: str | None
    first: date
    last: date
    value: V

    @property
    def nights(self) -> int:
        """How many cells (nights) the range covers."""
        return (self.last - self.first).days + 1

    def split(self, nights: int) -> list[AriRange[V]]:
        """The same value in consecutive pieces of at most `nights` nights."""
        pieces: list[AriRange[V]] = []
        start = self.first
        while start <= self.last:
            end = min(self.last, start + timedelta(days=nights - 1))
            pieces.append(AriRange(self.room_type, self.rate_plan, start, end, self.value))
            start = end + _DAY
        return pieces


def _runs(cells: Iterable[tuple[tuple[str, str | None], date, V]]) -> list[AriRange[V]]:
    """Sort by (key, night) once, then one pass: a new range where the key, value or night breaks."""
    ordered = sorted(cells, key=lambda cell: (cell[0][0], cell[0][1] or "", cell[1]))
    ranges: list[AriRange[V]] = []
    current: AriRange[V] | None = None
    for (room_type, rate_plan), night, value in ordered:
        if (
            current is not None
            and current.room_type == room_type
            and current.rate_plan == rate_plan
            and current.value == value
            and current.last + _DAY == night
        ):
            current = AriRange(room_type, rate_plan, current.first, night, value)
        else:
            same_key = current is not None and (current.room_type, current.rate_plan) == (
                room_type,
                rate_plan,
            )
            if same_key and current is not None and current.last >= night:
                raise ValueError(f"night {night} of {room_type}/{rate_plan} given twice")
            if current is not None:
                ranges.append(current)
            current = AriRange(room_type, rate_plan, night, night, value)
    if current is not None:
        ranges.append(current)
    return ranges


def rate_ranges(cells: Iterable[RateCell]) -> list[AriRange[Rates]]:
    """Rates of (room type, rate plan) cells merged into ranges.

    Linear in the cells when they come in (room type, rate plan, night) order, as the core reads
    them (the sort finds one run); any other order costs one sort first.
    """
    return _runs(((cell.room_type, cell.rate_plan), cell.night, cell.rates) for cell in cells)


def restriction_ranges(cells: Iterable[RateCell]) -> list[AriRange[Restrictions]]:
    """Restrictions of (room type, rate plan) cells merged into ranges."""
    return _runs(((cell.room_type, cell.rate_plan), cell.night, cell.restrictions) for cell in cells)


def availability_ranges(cells: Iterable[AvailabilityCell]) -> list[AriRange[int]]:
    """Rooms left of room-type cells merged into ranges."""
    return _runs(((cell.room_type, None), cell.night, cell.available) for cell in cells)
