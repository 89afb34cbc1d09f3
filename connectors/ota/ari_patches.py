"""Pieces of inbound ARI shared by the three notifications: date spans, room codes, patches, the result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from lxml import etree
from pydantic import ValidationError

from canonical.ari import EVERY_DAY, MAX_SPAN_DAYS, AriPatch, AvailabilityCell, SetAri, Weekday
from connectors.ota.codes import PropertyCodes
from connectors.ota.errors import InvalidDate, InvalidField, MissingField, UnsupportedAction
from connectors.ota.fields import read_date, text_of

_WEEKDAYS = {
    "Mon": Weekday.MON,
    "Tue": Weekday.TUE,
    "Weds": Weekday.WED,
    "Thur": Weekday.THU,
    "Fri": Weekday.FRI,
    "Sat": Weekday.SAT,
    "Sun": Weekday.SUN,
}


@dataclass(frozen=True)
class Span:
    """Nights first..last (both included) on the given weekdays, as a StatusApplicationControl says."""

    first: date
    last: date
    weekdays: frozenset[Weekday] = EVERY_DAY

    def nights(self) -> list[date]:
        """Every night of the span on one of its weekdays."""
        count = (self.last - self.first).days + 1
        every = (self.first + timedelta(days=i) for i in range(count))
        return [night for night in every if night.weekday() in self.weekdays]


def read_span(element: etree._Element, *, weekdays_from: etree._Element | None = None) -> Span:
    """Start/End of an element (End absent: the Start night alone), with the weekday flags set true.

    OTA's End is the last night the value applies to (AlpineBits and OpenTravel samples alike).
    """
    first = read_date(element.get("Start"), field="Start")
    last = read_date(element.get("End"), field="End") if text_of(element.get("End")) else first
    if last < first:
        raise InvalidDate(f"End {last} is before Start {first}", tag="End")
    if (last - first).days >= MAX_SPAN_DAYS:
        raise InvalidDate(f"{first}..{last} is longer than {MAX_SPAN_DAYS} nights", tag="End")
    flags = weekdays_from if weekdays_from is not None else element
    given = {day: text_of(flags.get(name)) for name, day in _WEEKDAYS.items()}
    if all(value is None for value in given.values()):
        return Span(first, last)
    chosen = frozenset(day for day, value in given.items() if value in ("true", "1"))
    if not chosen:
        raise InvalidField("the weekday flags select no day", tag="Mon")
    return Span(first, last, chosen)


def room_code(control: etree._Element) -> str:
    """The partner room type of a StatusApplicationControl: InvTypeCode, else InvCode (OTA usage).

    With both, AlpineBits means one distinct room (InvCode) of a category: the hub sells room
    types, so a distinct room is refused.
    """
    type_code = text_of(control.get("InvTypeCode"))
    room = text_of(control.get("InvCode"))
    if type_code and room:
        raise UnsupportedAction(
            f"InvCode {room!r} names a distinct room: the hub takes room categories (InvTypeCode) only",
            tag="InvCode",
        )
    code = type_code or room
    if code is None:
        raise MissingField("StatusApplicationControl has no InvTypeCode", tag="InvTypeCode")
    return code


@dataclass(frozen=True)
class InboundAri:
    """What one inbound notification asks for: patches for the core, room counts, and notes."""

    hotel_code: str
    property: str
    set_ari: SetAri | None
    availability: tuple[AvailabilityCell, ...] = ()
    complete_set: bool = False
    notes: tuple[str, ...] = ()  # read but not applied: answered as Warnings


def set_ari(prop: PropertyCodes, patches: Sequence[AriPatch], source: str) -> SetAri | None:
    """The SetAri of the patches (None when there are none); a canonical refusal as InvalidField."""
    if not patches:
        return None
    try:
        return SetAri(property=prop.hub_property, patches=tuple(patches), source=source)
    except ValidationError as err:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in err.errors(include_url=False, include_input=False)
        )
        raise InvalidField(f"the ARI does not form a valid change: {reasons}") from err


def patch(span: Span, room_type: str, rate_plan: str | None, **fields: object) -> AriPatch:
    """An AriPatch over a span; a value the canonical model refuses becomes InvalidField."""
    try:
        return AriPatch(
            room_type=room_type,
            rate_plan=rate_plan,
            first_night=span.first,
            last_night=span.last,
            weekdays=span.weekdays,
            **fields,
        )
    except ValidationError as err:
        reasons = "; ".join(e["msg"] for e in err.errors(include_url=False, include_input=False))
        raise InvalidField(f"{span.first}..{span.last}: {reasons}") from err
