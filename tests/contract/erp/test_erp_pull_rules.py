"""The ERP pull's HTTP rules as data: Accept negotiation, If-None-Match, and the ranges a pull takes."""

from __future__ import annotations

from datetime import date

import pytest

from hub.http_erp import entity_tag, negotiate, none_match
from routes.erp import DayRange, InvalidRange, day_range

D = date(2031, 6, 1)


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("text/csv", "text/csv"),
        ("text/*", "text/csv"),
        ("TEXT/CSV; charset=utf-8", "text/csv"),
        ("application/json;q=0.5, text/csv", "text/csv"),
        ("text/csv;q=0.9, application/json", "application/json"),
        ("text/csv;q=0, */*", "application/json"),
        ("application/json;q=0, */*;q=0.1", "text/csv"),
        ("text/html, application/xhtml+xml, */*;q=0.8", "application/json"),
        ("application/xml", None),
        ("text/html", None),
        ("*/*;q=0", None),
        ("text/csv;q=nonsense", None),
    ],
)
def test_given_an_accept_header_when_negotiated_then_the_preferred_offered_type_or_none(
    accept: str | None, served: str | None
) -> None:
    assert negotiate(accept) == served


def test_given_bodies_when_tagged_then_a_quoted_hash_that_changes_with_one_byte() -> None:
    tag = entity_tag(b"day")

    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 66
    assert tag == entity_tag(b"day") and tag != entity_tag(b"Day")


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("*", True),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ('"x","y"', False),
        ('"abcd"', False),
        ("abc", False),
    ],
)
def test_given_if_none_match_when_compared_with_the_tag_then_lists_weak_tags_and_star_count(
    header: str | None, matches: bool
) -> None:
    assert none_match(header, '"abc"') is matches


def test_given_one_date_or_a_range_of_up_to_92_days_when_read_then_the_days_both_ends_included() -> None:
    assert day_range(D, None, None) == DayRange(D, D)
    quarter = day_range(None, date(2031, 1, 1), date(2031, 4, 2))
    assert len(quarter.dates()) == 92 and quarter.dates()[-1] == date(2031, 4, 2)


@pytest.mark.parametrize(
    ("day", "first", "last", "reason"),
    [
        (D, D, D, "not both"),
        (None, None, None, "give date"),
        (None, D, None, "both from and to"),
        (None, D, date(2031, 5, 31), "before"),
        (None, date(2031, 1, 1), date(2031, 4, 3), "at most 92 days"),
    ],
)
def test_given_a_range_the_pull_does_not_take_when_read_then_refused_saying_why(
    day: date | None, first: date | None, last: date | None, reason: str
) -> None:
    with pytest.raises(InvalidRange, match=reason):
        day_range(day, first, last)
