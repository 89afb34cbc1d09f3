"""Builders of resolved ARI cells for the OTA ARI tests: grids of rate and availability cells."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from canonical.ari import AvailabilityCell, RateCell, Rates, Restrictions

FIRST_NIGHT = date(2031, 3, 1)


def night(offset: int) -> date:
    """The night `offset` nights after FIRST_NIGHT."""
    return FIRST_NIGHT + timedelta(days=offset)


def rate_cells(
    values: Sequence[int], *, room_type: str = "DBL", rate_plan: str = "BAR", start: int = 0
) -> list[RateCell]:
    """One cell a night from `start`; value v sets amount 100+v, min_los v%3+1 and closed when v%4==0."""
    return [
        RateCell(
            room_type=room_type,
            rate_plan=rate_plan,
            night=night(start + i),
            rates=Rates(amount=Decimal(100 + v), by_occupancy=((1, Decimal(90 + v)), (2, Decimal(100 + v)))),
            restrictions=Restrictions(closed=v % 4 == 0, min_los=v % 3 + 1, closed_to_arrival=v % 2 == 1),
        )
        for i, v in enumerate(values)
    ]


def availability_cells(
    values: Sequence[int], *, room_type: str = "DBL", start: int = 0
) -> list[AvailabilityCell]:
    """One availability cell a night from `start`, rooms left as given."""
    return [
        AvailabilityCell(room_type=room_type, night=night(start + i), available=v)
        for i, v in enumerate(values)
    ]
