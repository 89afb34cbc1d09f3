"""What a kept OTA message is about, for support staff: its name, hotel, reservation and stay dates.

Read from a message the hub already accepted at the door (parsed safely, cards tokenised); best
effort: a field the message does not carry, or carries in a shape translation would refuse, is None.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lxml import etree

from connectors.ota import codec
from connectors.ota.errors import MalformedMessage
from connectors.ota.fields import text_of

# UniqueID types a partner names its own reservation with: 14 reservation, 15 cancellation.
_RESERVATION_TYPES = ("14", "15")


@dataclass(frozen=True)
class OtaSummary:
    """The facts of one OTA message a person looks for first."""

    message_name: str | None = None
    hotel_code: str | None = None
    reservation_id: str | None = None
    arrival: date | None = None
    departure: date | None = None


def summarise(body: str, *, max_bytes: int = 4 * 1024 * 1024) -> OtaSummary:
    """The summary of an OTA message body (plain or SOAP); an empty one if it does not parse."""
    try:
        request = codec.read_request(body.encode(), max_bytes=max_bytes)
    except MalformedMessage:
        return OtaSummary()
    root = request.root
    starts: list[date] = []
    ends: list[date] = []
    for span in root.iter("{*}TimeSpan"):
        _add_date(starts, span.get("Start"))
        _add_date(ends, span.get("End"))
    return OtaSummary(
        message_name=request.message_name,
        hotel_code=_first_attribute(root, ("{*}BasicPropertyInfo", "{*}HotelRef"), "HotelCode"),
        reservation_id=_reservation_id(root),
        arrival=min(starts) if starts else None,
        departure=max(ends) if ends else None,
    )


def pretty(body: str) -> str:
    """The message indented for reading; as it was when it does not parse."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=True
    )
    try:
        root = etree.fromstring(body.encode(), parser)
    except (etree.XMLSyntaxError, ValueError):
        return body
    return etree.tostring(root, pretty_print=True, encoding="unicode")


def _first_attribute(root: etree._Element, tags: tuple[str, ...], name: str) -> str | None:
    for element in root.iter(*tags):
        value = text_of(element.get(name))
        if value:
            return value
    return None


def _reservation_id(root: etree._Element) -> str | None:
    for unique in root.iter("{*}UniqueID"):
        value = text_of(unique.get("ID"))
        if value and unique.get("Type") in _RESERVATION_TYPES:
            return value
    return _first_attribute(root, ("{*}HotelReservationID",), "ResID_Value")


def _add_date(found: list[date], raw: str | None) -> None:
    value = text_of(raw)
    if not value:
        return
    try:
        found.append(date.fromisoformat(value[:10]))
    except ValueError:
        return
