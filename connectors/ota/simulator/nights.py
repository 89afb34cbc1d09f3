"""The nights an OTA element applies to: Start and End both included, then its weekday flags.

OTA's DOW_PatternGroup (Mon, Tue, Weds, Thur, Fri, Sat, Sun): an element naming none of the seven
applies to every day; an element naming any applies only to the days it sets true ("true" or "1").
"""

from __future__ import annotations

from datetime import date, timedelta

from lxml import etree

WEEKDAY_ATTRIBUTES = ("Mon", "Tue", "Weds", "Thur", "Fri", "Sat", "Sun")  # date.weekday() order
MAX_SPAN_DAYS = 3 * 366 + 1
_TRUE = frozenset({"true", "1"})


class NightsError(ValueError):
    """A range the simulator cannot apply: a missing or unreadable date, End before Start, too long."""


def _day(value: str, attribute: str) -> date:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError as err:
        raise NightsError(f"{attribute}={value!r} is not a date") from err


def span(element: etree._Element, *, required: bool) -> tuple[date, date] | None:
    """The element's (Start, End) as dates, or None when it has neither and none is required."""
    start, end = element.get("Start"), element.get("End")
    if start is None and end is None and not required:
        return None
    if start is None or end is None:
        raise NightsError(f"{etree.QName(element).localname} needs both Start and End")
    first, last = _day(start, "Start"), _day(end, "End")
    if last < first:
        raise NightsError(f"End {last} is before Start {first}")
    if (last - first).days >= MAX_SPAN_DAYS:
        raise NightsError(f"{first}..{last} spans more than {MAX_SPAN_DAYS} days")
    return first, last


def weekdays(element: etree._Element) -> frozenset[int]:
    """The weekdays (Monday 0) an element applies to, by its DOW flags."""
    named = [attribute for attribute in WEEKDAY_ATTRIBUTES if element.get(attribute) is not None]
    if not named:
        return frozenset(range(7))
    return frozenset(
        index
        for index, attribute in enumerate(WEEKDAY_ATTRIBUTES)
        if (element.get(attribute) or "").strip().lower() in _TRUE
    )


def nights(control: etree._Element, inner: etree._Element | None = None) -> list[date]:
    """The nights of a StatusApplicationControl, narrowed by an inner element's own range and flags."""
    first, last = span(control, required=True) or (date.min, date.min)
    days = weekdays(control)
    if inner is not None:
        own = span(inner, required=False)
        if own is not None:
            first, last = max(first, own[0]), min(last, own[1])
        days = days & weekdays(inner)
    count = (last - first).days + 1
    return [
        night
        for night in (first + timedelta(days=i) for i in range(max(count, 0)))
        if night.weekday() in days
    ]
