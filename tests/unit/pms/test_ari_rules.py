"""ARI rules in plain Python: runs of changed nights, a value set back, derived amounts and their order."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from canonical.ari import AriKind, AriPatch, Rates, RatesPatch, Restrictions
from pms_core.ari_cells import Cell, availability_events, runs, updates_of
from pms_core.derived import Derivation, descendants, parents_first

D0 = date(2031, 3, 1)
RATES = frozenset({AriKind.RATES})
BOTH = frozenset({AriKind.RATES, AriKind.RESTRICTIONS})


def _night(offset: int) -> date:
    return D0 + timedelta(days=offset)


def test_given_nights_with_gaps_and_other_kinds_when_grouped_then_one_run_per_contiguous_same_kinds() -> None:
    nights = {_night(0): RATES, _night(1): RATES, _night(2): BOTH, _night(4): BOTH, _night(5): BOTH}

    assert runs(nights) == [
        (_night(0), _night(1), RATES),
        (_night(2), _night(2), BOTH),
        (_night(4), _night(5), BOTH),
    ]


def test_given_rooms_moved_on_some_nights_when_events_made_then_one_availability_event_per_run() -> None:
    events = availability_events("H", "DBL", [_night(3), _night(0), _night(1)])

    assert [(e.first_night, e.last_night, e.rate_plan, e.kinds) for e in events] == [
        (_night(0), _night(1), None, frozenset({AriKind.AVAILABILITY})),
        (_night(3), _night(3), None, frozenset({AriKind.AVAILABILITY})),
    ]


def test_given_a_cell_changed_then_set_back_when_asked_then_nothing_really_changed() -> None:
    cell = Cell(Rates(amount=Decimal(100)), Restrictions())
    up = updates_of(
        AriPatch(room_type="D", first_night=D0, last_night=D0, rates=RatesPatch(amount=Decimal(90)))
    )
    back = updates_of(
        AriPatch(room_type="D", first_night=D0, last_night=D0, rates=RatesPatch(amount=Decimal(100)))
    )

    cell.apply(up)
    assert cell.really_changed() == {"amount"}
    cell.apply(back)
    assert cell.really_changed() == set()


def test_given_a_percentage_when_adjusted_then_rounded_half_up_to_the_currency_minor_unit() -> None:
    minus_ten = Derivation(parent="BAR", percent=Decimal(-10))

    assert minus_ten.adjust(Decimal("99.99"), "EUR") == Decimal("89.99")  # 89.991
    assert minus_ten.adjust(Decimal("0.05"), "EUR") == Decimal("0.05")  # 0.045 half up
    assert minus_ten.adjust(Decimal(12345), "JPY") == Decimal(11111)  # 11110.5 half up, no minor unit
    assert minus_ten.adjust(Decimal("10.005"), "KWD") == Decimal("9.005")  # 9.0045, three places


def test_given_an_amount_off_when_adjusted_then_never_below_zero_and_extras_untouched() -> None:
    minus_fifteen = Derivation(parent="BAR", amount=Decimal(-15))
    rates = minus_fifteen.rates(
        Rates(amount=Decimal(10), by_occupancy=((2, Decimal(40)),), extra_child=Decimal(5)), "EUR"
    )

    assert (rates.amount, rates.by_occupancy, rates.extra_child) == (
        Decimal(0),
        ((2, Decimal(25)),),
        Decimal(5),
    )


def test_given_chained_and_cyclic_plans_when_ordered_then_parents_first_and_cycles_left_out() -> None:
    plans = {
        "BAR": None,
        "NREF": Derivation(parent="BAR"),
        "NREF_MOBILE": Derivation(parent="NREF"),
        "A": Derivation(parent="B"),
        "B": Derivation(parent="A"),
    }

    order = parents_first(plans)
    assert order.index("BAR") < order.index("NREF") < order.index("NREF_MOBILE")
    assert "A" not in order and "B" not in order
    assert descendants(plans, {"BAR"}) == {"NREF", "NREF_MOBILE"}
