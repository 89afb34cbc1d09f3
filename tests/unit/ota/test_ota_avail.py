"""Availability answers: a stay is offered only where every restriction and a room allow it, priced per guests."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

import pytest
from ota_ari_cells import availability_cells, night, rate_cells

from canonical.ari import RateCell, Rates, Restrictions
from connectors.ota.avail import AvailQuery, offers

NOW = datetime.combine(night(-10), time(9, 0))  # the property's local time


def _query(nights: int = 3, **changes: object) -> AvailQuery:
    base = AvailQuery("H1", "P1", night(0), night(nights), adults=2)
    return base.__class__(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def _open(count: int = 5) -> list[RateCell]:
    return [
        c.model_copy(update={"restrictions": Restrictions()})
        for c in rate_cells([2] * count)  # amount 102, 1 guest 92, 2 guests 102
    ]


def _with(cells: list[RateCell], offset: int, **restrictions: object) -> list[RateCell]:
    changed = cells[offset].model_copy(update={"restrictions": Restrictions(**restrictions)})  # type: ignore[arg-type]
    return [*cells[:offset], changed, *cells[offset + 1 :]]


ROOMS = availability_cells([1] * 5)


def test_given_open_nights_and_rooms_when_asked_then_offered_with_nightly_and_total() -> None:
    (offer,) = offers(_query(), _open(), ROOMS, local_now=NOW)
    assert (offer.room_type, offer.rate_plan, offer.nightly) == ("DBL", "BAR", (Decimal(102),) * 3)
    assert offer.total == Decimal(306)


@pytest.mark.parametrize(
    ("offset", "restrictions", "why"),
    [
        (1, {"closed": True}, "a stop-sell night inside the stay"),
        (0, {"closed_to_arrival": True}, "arrival on a night closed to arrival"),
        (3, {"closed_to_departure": True}, "departure on a day closed to departure"),
        (0, {"min_los": 4}, "shorter than the arrival night's minimum stay"),
        (0, {"max_los": 2}, "longer than the arrival night's maximum stay"),
        (2, {"min_los_through": 5}, "shorter than a night's minimum stay through"),
        (1, {"max_los_through": 2}, "longer than a night's maximum stay through"),
        (0, {"min_advance_days": 11}, "booked later than the booking window allows"),
        (0, {"max_advance_days": 9}, "booked earlier than the booking window allows"),
    ],
)
def test_given_a_restriction_the_stay_breaks_when_asked_then_not_offered(
    offset: int, restrictions: dict[str, object], why: str
) -> None:
    assert offers(_query(), _with(_open(), offset, **restrictions), ROOMS, local_now=NOW) == [], why


@pytest.mark.parametrize(
    ("offset", "restrictions"),
    [
        (3, {"closed": True}),  # the departure day is not a night of the stay
        (1, {"closed_to_arrival": True}),
        (1, {"closed_to_departure": True}),
        (0, {"min_los": 3, "max_los": 3, "min_advance_days": 10, "max_advance_days": 10}),
    ],
)
def test_given_a_restriction_the_stay_keeps_when_asked_then_offered(
    offset: int, restrictions: dict[str, object]
) -> None:
    assert len(offers(_query(), _with(_open(), offset, **restrictions), ROOMS, local_now=NOW)) == 1


def test_given_a_night_without_a_room_left_when_asked_then_not_offered() -> None:
    rooms = availability_cells([1, 0, 1, 1, 1])
    assert offers(_query(), _open(), rooms, local_now=NOW) == []


def test_given_a_night_without_a_rate_when_asked_then_not_offered() -> None:
    assert offers(_query(), _open()[:2], ROOMS, local_now=NOW) == []


def test_given_filters_when_asked_then_only_those_room_types_and_plans() -> None:
    cells = _open() + [c.model_copy(update={"rate_plan": "NRF"}) for c in _open()]
    assert {
        o.rate_plan for o in offers(_query(rate_plans=frozenset({"NRF"})), cells, ROOMS, local_now=NOW)
    } == {"NRF"}
    assert offers(_query(room_types=frozenset({"SGL"})), cells, ROOMS, local_now=NOW) == []


def test_given_more_adults_than_priced_and_children_when_asked_then_extras_added() -> None:
    rates = Rates(
        by_occupancy=((1, Decimal(80)), (2, Decimal(100))), extra_adult=Decimal(30), extra_child=Decimal(15)
    )
    cells = [c.model_copy(update={"rates": rates}) for c in _open()]
    (offer,) = offers(_query(nights=1, adults=3, children=2), cells, ROOMS, local_now=NOW)
    assert offer.nightly == (Decimal(160),)  # 100 for two, 30 for the third adult, 15 per child


def test_given_no_amount_for_the_guests_when_asked_then_not_offered() -> None:
    rates = Rates(by_occupancy=((1, Decimal(80)),))
    cells = [c.model_copy(update={"rates": rates}) for c in _open()]
    assert offers(_query(adults=2), cells, ROOMS, local_now=NOW) == []
