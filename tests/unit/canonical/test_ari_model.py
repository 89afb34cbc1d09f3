"""The canonical ARI model: patches over nights and weekdays, rates by occupancy, the change event."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from canonical.ari import AriChanged, AriKind, AriPatch, Rates, RestrictionsPatch, Weekday


def test_given_a_weekday_mask_when_a_patch_lists_its_nights_then_only_those_weekdays() -> None:
    patch = AriPatch(
        room_type="DBL",
        first_night=date(2027, 1, 1),  # a Friday
        last_night=date(2027, 1, 10),
        weekdays=frozenset({Weekday.FRI, Weekday.SAT}),
        restrictions=RestrictionsPatch(min_los=2),
    )
    assert patch.nights() == [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 8), date(2027, 1, 9)]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"first_night": date(2027, 1, 2), "last_night": date(2027, 1, 1)}, "before first_night"),
        ({"last_night": date(2030, 1, 10)}, "at most"),
        ({"weekdays": frozenset()}, "at least one"),
        ({"clear": frozenset({"closed"})}, "not a field that can be unset: closed"),
        ({"restrictions": None}, "sets rates or restrictions"),
    ],
)
def test_given_a_malformed_patch_when_built_then_refused_naming_why(
    fields: dict[str, object], reason: str
) -> None:
    base: dict[str, object] = {
        "room_type": "DBL",
        "first_night": date(2027, 1, 1),
        "last_night": date(2027, 1, 10),
        "restrictions": RestrictionsPatch(closed=True),
    }
    with pytest.raises(ValidationError, match=reason):
        AriPatch.model_validate(base | fields)


def test_given_rates_by_occupancy_when_asked_for_guests_then_their_amount_else_the_nightly_one() -> None:
    rates = Rates(amount=Decimal("150"), by_occupancy=((1, Decimal("120")), (2, Decimal("150"))))
    assert rates.for_guests(1) == Decimal("120")
    assert rates.for_guests(3) == Decimal("150")
    assert Rates().for_guests(2) is None


def test_given_occupancies_out_of_order_when_built_then_refused() -> None:
    with pytest.raises(ValidationError, match="ascending"):
        Rates(by_occupancy=((2, Decimal("150")), (1, Decimal("120"))))


def test_given_an_event_without_kinds_or_backwards_when_built_then_refused() -> None:
    with pytest.raises(ValidationError, match="kinds"):
        AriChanged(
            property="P",
            room_type="DBL",
            first_night=date(2027, 1, 1),
            last_night=date(2027, 1, 1),
            kinds=frozenset(),
        )
    with pytest.raises(ValidationError, match="before"):
        AriChanged(
            property="P",
            room_type="DBL",
            first_night=date(2027, 1, 2),
            last_night=date(2027, 1, 1),
            kinds=frozenset({AriKind.RATES}),
        )
