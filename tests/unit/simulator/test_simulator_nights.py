"""Which nights an OTA range applies to: Start and End included, weekday flags as OTA defines them."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from connectors.ota.simulator.nights import NightsError, nights

MONDAY = date(2026, 5, 4)


def control(**attrs: str) -> etree._Element:
    return etree.Element("StatusApplicationControl", attrs)


def test_given_no_flags_when_read_then_every_night_from_start_to_end_inclusive() -> None:
    assert nights(control(Start="2026-05-04", End="2026-05-06")) == [
        date(2026, 5, 4),
        date(2026, 5, 5),
        date(2026, 5, 6),
    ]


def test_given_a_one_night_range_when_read_then_that_night() -> None:
    assert nights(control(Start="2026-05-04", End="2026-05-04")) == [MONDAY]


@pytest.mark.parametrize(
    ("flags", "weekdays"),
    [
        ({"Mon": "true"}, [0]),
        ({"Weds": "1", "Thur": "true"}, [2, 3]),
        ({"Sat": "true", "Sun": "true", "Fri": "false"}, [5, 6]),
        ({"Tue": "false"}, []),
        ({name: "true" for name in ("Mon", "Tue", "Weds", "Thur", "Fri", "Sat", "Sun")}, list(range(7))),
    ],
)
def test_given_weekday_flags_when_read_then_only_the_days_set_true(
    flags: dict[str, str], weekdays: list[int]
) -> None:
    found = nights(control(Start="2026-05-04", End="2026-05-17", **flags))
    assert sorted({night.weekday() for night in found}) == weekdays
    assert len(found) == 2 * len(weekdays)


def test_given_date_times_when_read_then_their_dates_are_taken() -> None:
    assert nights(control(Start="2026-05-04T00:00:00", End="2026-05-05T23:59:59+02:00")) == [
        MONDAY,
        date(2026, 5, 5),
    ]


def test_given_an_inner_range_and_flags_when_read_then_both_narrow_the_outer_one() -> None:
    inner = etree.Element("Rate", {"Start": "2026-05-06", "End": "2026-05-30", "Fri": "true"})
    assert nights(control(Start="2026-05-04", End="2026-05-10"), inner) == [date(2026, 5, 8)]


@pytest.mark.parametrize(
    "attrs",
    [
        {"Start": "2026-05-04"},
        {"Start": "2026-05-05", "End": "2026-05-04"},
        {"Start": "x", "End": "2026-05-04"},
        {"Start": "2026-01-01", "End": "2030-01-01"},
    ],
)
def test_given_a_range_that_cannot_apply_when_read_then_a_nights_error(attrs: dict[str, str]) -> None:
    with pytest.raises(NightsError):
        nights(control(**attrs))
