"""The pull channel: holds reservations, hands out the unacknowledged ones on `OTA_ReadRQ` in an
`OTA_ResRetrieveRS`, and records the acknowledgements of `OTA_NotifReportRQ`.

A reservation is returned until acknowledged at the revision last returned: a revision added after
the read that returned the previous one stays pending, as a channel would hand the new one out next.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from lxml import etree
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.ota.simulator.behaviour import ItemSelector
from connectors.ota.simulator.channel import Handled, SimulatedChannel
from connectors.ota.simulator.wire import Issue, Received, ota

READ_RQ = "OTA_ReadRQ"
NOTIF_REPORT_RQ = "OTA_NotifReportRQ"
_HOTEL_RESERVATION = "HotelReservation"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass
class Held:
    """One reservation the channel holds, at its latest revision."""

    reservation_id: str
    hotel: str
    status: str
    element: etree._Element
    version: int = 1
    delivered: int | None = None  # the revision last returned by a read
    acknowledged: bool = False


@dataclass(frozen=True)
class Ack:
    """One acknowledgement received: the hub's confirmation number, or the error it refused it with."""

    reservation_id: str
    at: float
    confirmation: str | None = None
    error_type: str | None = None
    error_code: str | None = None
    error_text: str | None = None
    known: bool = True  # False when the channel holds no such reservation, or never returned this revision


class PullChannel(SimulatedChannel):
    """A channel holding bookings for the hub to fetch and acknowledge."""

    accepts = frozenset({READ_RQ, NOTIF_REPORT_RQ})

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.reset_state()
        self.app.router.routes.append(Route("/_reservations", self._add_over_http, methods=["POST"]))

    async def _add_over_http(self, request: Request) -> Response:
        try:
            ids = self.add(await request.body())
        except (etree.XMLSyntaxError, ValueError) as err:
            return JSONResponse({"title": "Not a reservation", "detail": str(err)}, status_code=422)
        return JSONResponse({"added": ids})

    def add(self, reservation: etree._Element | bytes, *, hotel: str | None = None) -> list[str]:
        """Hold reservations: a HotelReservation element, or a message holding some; returns their ids."""
        element = etree.fromstring(reservation, _PARSER) if isinstance(reservation, bytes) else reservation
        found = (
            [element]
            if etree.QName(element).localname == _HOTEL_RESERVATION
            else list(element.iter(ota(_HOTEL_RESERVATION)))
        )
        ids = []
        for one in found:
            reservation_id = _reservation_id(one)
            previous = self.held.get(reservation_id)
            self.held[reservation_id] = Held(
                reservation_id,
                hotel or _hotel(one),
                one.get("ResStatus") or "Commit",
                copy.deepcopy(one),
                version=1 if previous is None else previous.version + 1,
            )
            ids.append(reservation_id)
        return ids

    def pending(self, hotel: str | None = None) -> list[str]:
        """The reservations a read would return now, in the order they were added."""
        return [
            held.reservation_id
            for held in self.held.values()
            if not held.acknowledged and (hotel is None or held.hotel == hotel)
        ]

    def hotel_of(self, message: etree._Element) -> str:
        """The hotel of a read (its first HotelReadRequest) or of an acknowledgement's first reservation."""
        request = message.find(f"{ota('ReadRequests')}/{ota('HotelReadRequest')}")
        if request is not None:
            return request.get("HotelCode") or ""
        return _hotel(message)

    def handle(self, received: Received, refuse: tuple[ItemSelector, ...]) -> Handled:
        """Answer a read with the pending reservations, or record an acknowledgement."""
        if received.name == READ_RQ:
            return self._read(received.message)
        return self._acknowledge(received.message)

    def _read(self, message: etree._Element) -> Handled:
        self.reads += 1
        requests = message.findall(f"{ota('ReadRequests')}/{ota('HotelReadRequest')}")
        hotels = {request.get("HotelCode") for request in requests} - {None}
        chosen = [
            held
            for held in self.held.values()
            if not held.acknowledged and (not hotels or held.hotel in hotels)
        ]
        if not chosen:
            return Handled()
        listing = etree.Element(ota("ReservationsList"))
        for held in chosen:
            listing.append(copy.deepcopy(held.element))
            held.delivered = held.version
            self.returned[held.reservation_id] += 1
        return Handled(body=(listing,), items=len(chosen))

    def _acknowledge(self, message: etree._Element) -> Handled:
        at = self.clock()
        warnings: list[Issue] = []
        path = "/".join(ota(name) for name in ("NotifDetails", "HotelNotifReport", "HotelReservations"))
        path += "/" + ota(_HOTEL_RESERVATION)
        for reservation in message.findall(path):
            try:
                reservation_id = _reservation_id(reservation)
            except ValueError as err:
                warnings.append(Issue("10", "321", str(err)))
                continue
            confirmation = _confirmation(reservation, reservation_id)
            warnings += self._record(Ack(reservation_id, at, confirmation=confirmation))
        for tag in ("Warnings/Warning", "Errors/Error"):
            holder, name = tag.split("/")
            for issue in message.findall(f"{ota(holder)}/{ota(name)}"):
                record = issue.get("RecordID")
                if record is None:
                    continue  # a message-level warning or error names no reservation
                ack = Ack(record, at, None, issue.get("Type"), issue.get("Code"), (issue.text or "").strip())
                warnings += self._record(ack)
        items = len(message.findall(path))
        return Handled(items=items, warnings=tuple(warnings))

    def _record(self, ack: Ack) -> list[Issue]:
        held = self.held.get(ack.reservation_id)
        known = held is not None and held.delivered == held.version
        self.acks.append(ack if known else Ack(**(asdict(ack) | {"known": False})))
        if held is None:
            return [Issue("3", "450", f"unknown reservation {ack.reservation_id}", ack.reservation_id)]
        if known:
            held.acknowledged = True
        return []

    def state(self) -> dict[str, Any]:
        """Pending reservations, acknowledgements received, reads answered."""
        return {
            "pending": [
                {"reservation_id": held.reservation_id, "hotel": held.hotel, "status": held.status}
                for held in self.held.values()
                if not held.acknowledged
            ],
            "acknowledged": [asdict(ack) for ack in self.acks],
            "returned": dict(self.returned),
            "reads": self.reads,
        }

    def reset_state(self) -> None:
        """Hold nothing; forget every acknowledgement."""
        self.held: dict[str, Held] = {}
        self.acks: list[Ack] = []
        self.returned: Counter[str] = Counter()
        self.reads = 0


def _reservation_id(reservation: etree._Element) -> str:
    unique = reservation.find(ota("UniqueID"))
    if unique is not None and unique.get("ID"):
        return unique.get("ID") or ""
    for reference in reservation.iter(ota("HotelReservationID")):
        if reference.get("ResID_Value"):
            return reference.get("ResID_Value") or ""
    raise ValueError("a HotelReservation without UniqueID or HotelReservationID")


def _confirmation(reservation: etree._Element, reservation_id: str) -> str | None:
    """The hub's number: a HotelReservationID other than the channel's own id (ResID_Type 10 first)."""
    others = [
        reference
        for reference in reservation.iter(ota("HotelReservationID"))
        if reference.get("ResID_Value") and reference.get("ResID_Value") != reservation_id
    ]
    others.sort(key=lambda reference: reference.get("ResID_Type") != "10")
    return others[0].get("ResID_Value") if others else None


def _hotel(reservation: etree._Element) -> str:
    for info in reservation.iter(ota("BasicPropertyInfo")):
        if info.get("HotelCode"):
            return info.get("HotelCode") or ""
    return ""
