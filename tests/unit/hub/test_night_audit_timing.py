"""When a business date is due for its night audit: at the audit time of the next local day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from hub.night_audit_schedule import due_through


@pytest.mark.parametrize(
    ("now", "timezone", "audit_time", "due"),
    [
        (datetime(2031, 6, 5, 0, 59, tzinfo=UTC), "Europe/Rome", time(3, 0), date(2031, 6, 3)),  # 02:59 local
        (datetime(2031, 6, 5, 1, 0, tzinfo=UTC), "Europe/Rome", time(3, 0), date(2031, 6, 4)),  # 03:00 local
        (
            datetime(2031, 6, 5, 1, 0, tzinfo=UTC),
            "America/New_York",
            time(3, 0),
            date(2031, 6, 3),
        ),  # 21:00 the day before
        (
            datetime(2031, 6, 5, 23, 30, tzinfo=UTC),
            "Asia/Tokyo",
            time(0, 0),
            date(2031, 6, 5),
        ),  # 08:30 on the 6th
        # the night clocks go back in Vienna (03:00 CEST is 02:00 CET): due once 03:00 local has come
        (datetime(2031, 10, 26, 1, 59, tzinfo=UTC), "Europe/Vienna", time(3, 0), date(2031, 10, 24)),
        (datetime(2031, 10, 26, 2, 0, tzinfo=UTC), "Europe/Vienna", time(3, 0), date(2031, 10, 25)),
    ],
)
def test_given_a_time_and_a_property_when_asked_then_the_last_business_date_due_is_the_day_before_its_audit(
    now: datetime, timezone: str, audit_time: time, due: date
) -> None:
    assert due_through(now, timezone, audit_time) == due
