"""The terms a stay is sold on: the same-day cut-off at the property's local time, and reasons named."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from canonical.ari import RateCell, Rates, Restrictions
from canonical.selling import StayPrice, Unsellable, price_stay

ARRIVAL = date(2031, 5, 1)


def _stay(cutoff: time | None = None, amount: str | None = "100.00") -> dict[date, RateCell]:
    rates = Rates(amount=None if amount is None else amount)
    terms = Restrictions(same_day_cutoff=cutoff)
    return {
        ARRIVAL + timedelta(days=i): RateCell(
            room_type="DBL",
            rate_plan="BAR",
            night=ARRIVAL + timedelta(days=i),
            rates=rates,
            restrictions=terms,
        )
        for i in range(3)
    }


@pytest.mark.parametrize(
    ("local_now", "sold"),
    [
        (datetime.combine(ARRIVAL, time(17, 59)), True),  # the same day, before the cut-off
        (datetime.combine(ARRIVAL, time(18, 0)), False),  # the same day, at the cut-off
        (datetime.combine(ARRIVAL - timedelta(days=1), time(23, 0)), True),  # the day before: no cut-off
    ],
)
def test_given_a_same_day_cutoff_when_priced_then_sold_only_before_it_on_the_day(
    local_now: datetime, sold: bool
) -> None:
    price = price_stay(
        _stay(cutoff=time(18, 0)),
        ARRIVAL,
        ARRIVAL + timedelta(days=2),
        adults=2,
        children=0,
        local_now=local_now,
    )
    assert isinstance(price, StayPrice) is sold
    if not sold:
        assert isinstance(price, Unsellable) and "closed at 18:00" in price.reason


def test_given_a_night_without_an_amount_when_priced_then_unsellable_for_want_of_a_rate() -> None:
    price = price_stay(
        _stay(amount=None),
        ARRIVAL,
        ARRIVAL + timedelta(days=2),
        adults=2,
        children=0,
        local_now=datetime.combine(ARRIVAL - timedelta(days=3), time(9)),
    )
    assert isinstance(price, Unsellable) and price.no_rate
