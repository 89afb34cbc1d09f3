"""A small local OTA partner: invents reservations in its own codes and pushes them over HTTP.

This is the only fake partner the hub's tests and demo use, and it sits at the HTTP boundary:
the hub sees real requests with real credentials, plain XML with HTTP Basic or SOAP 1.1 with a
WS-Security UsernameToken, exactly as a channel would send them. Everything it invents comes from
a seeded random generator, so a seed always gives the same messages.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import httpx
from lxml import etree

from connectors.ota.settings import OTA_NS, SOAP11_NS, SOAP12_NS
from hub.demo.messages import (
    GuestSpec,
    ReservationSpec,
    ResStatus,
    StaySpec,
    cancel_rq,
    hotel_res_notif,
    plain,
    soap11,
)

_GIVEN = (
    "Anna",
    "Lukas",
    "Giulia",
    "Marco",
    "Sophie",
    "Jonas",
    "Chiara",
    "Matteo",
    "Lena",
    "Felix",
    "Emma",
    "Paul",
    "Sara",
    "Tobias",
    "Elena",
    "David",
    "Laura",
    "Simon",
    "Marie",
    "Andrea",
)
_SURNAMES = (
    "Huber",
    "Rossi",
    "Gruber",
    "Bianchi",
    "Müller",
    "Ferrari",
    "Wagner",
    "Esposito",
    "Pichler",
    "Romano",
    "Mayr",
    "Colombo",
    "Hofer",
    "Ricci",
    "Steiner",
    "Marino",
)
_CITIES = (
    ("München", "80331", "DE", "de"),
    ("Milano", "20121", "IT", "it"),
    ("Wien", "1010", "AT", "de"),
    ("Zürich", "8001", "CH", "de"),
    ("Verona", "37121", "IT", "it"),
    ("London", "EC1A 1BB", "GB", "en"),
    ("Amsterdam", "1012 AB", "NL", "en"),
    ("Bolzano", "39100", "IT", "it"),
)
_STREETS = ("Hauptstraße", "Via Roma", "Bahnhofstraße", "Corso Italia", "High Street", "Dorfweg")
_COMMENTS = (
    "Late arrival around 22:00, please keep the room.",
    "Quiet room away from the lift, please.",
    "Celebrating our anniversary.",
    "Travelling with a small dog.",
    "Gluten-free breakfast, please.",
    None,
    None,
    None,
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class AnswerError:
    """One OTA Error of an answer: EWT type, ERR code and its text."""

    type: str
    code: str
    text: str


@dataclass(frozen=True)
class PartnerAnswer:
    """What the hub answered, as a partner reads it."""

    message_name: str
    success: bool
    references: tuple[str, ...]
    errors: tuple[AnswerError, ...]

    @property
    def error_codes(self) -> tuple[str, ...]:
        """The ERR codes of the answer's errors."""
        return tuple(error.code for error in self.errors)


def parse_answer(body: bytes) -> PartnerAnswer:
    """Read an OTA answer (plain or in a SOAP envelope): success, references and errors."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        unreadable = AnswerError("", "", body[:200].decode(errors="replace"))
        return PartnerAnswer("unreadable", False, (), (unreadable,))
    if etree.QName(root).namespace in (SOAP11_NS, SOAP12_NS):
        body_el = root.find(f"{{{etree.QName(root).namespace}}}Body")
        children = [c for c in (body_el if body_el is not None else []) if isinstance(c.tag, str)]
        if not children:
            return PartnerAnswer("empty", False, (), ())
        root = children[0]
    references: list[str] = []
    for unique in root.iter(f"{{{OTA_NS}}}UniqueID"):
        if unique.get("ID"):
            references.append(unique.get("ID", ""))
    for res_id in root.iter(f"{{{OTA_NS}}}HotelReservationID"):
        if res_id.get("ResID_Value"):
            references.append(res_id.get("ResID_Value", ""))
    errors = tuple(
        AnswerError(
            error.get("Type", ""), error.get("Code", ""), (error.text or error.get("ShortText") or "").strip()
        )
        for error in root.iter(f"{{{OTA_NS}}}Error")
    )
    success = root.find(f"{{{OTA_NS}}}Success") is not None and not errors
    return PartnerAnswer(etree.QName(root).localname, success, tuple(references), errors)


@dataclass(frozen=True)
class StayRequest:
    """A stay in the hub's codes, before a partner translates it into its own."""

    room_type: str
    rate_plan: str
    arrival: date
    departure: date
    adults: int
    child_ages: tuple[int, ...] = ()


class SimulatedPartner:
    """One OTA partner pushing reservations to the hub's OTA door."""

    def __init__(
        self,
        partner_id: str,
        username: str,
        password: str,
        hotel_code: str,
        room_codes: Mapping[str, str],
        rate_codes: Mapping[str, str],
        base_url: str,
        client: httpx.AsyncClient,
        *,
        name: str | None = None,
        currency: str = "EUR",
        prices: Mapping[tuple[str, str], Decimal] | None = None,
    ) -> None:
        # room_codes / rate_codes: hub code -> this partner's code, as the partner's mapping says.
        self.partner_id = partner_id
        self.username = username
        self.password = password
        self.hotel_code = hotel_code
        self.room_codes = dict(room_codes)
        self.rate_codes = dict(rate_codes)
        self.base_url = base_url.rstrip("/")
        self.client = client
        self.name = name or partner_id
        self.currency = currency
        self.prices = dict(prices or {})
        self._echo = 0
        self._basic = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    def reservation(
        self, rng: random.Random, number: int, stays: list[StayRequest], *, at: datetime
    ) -> ReservationSpec:
        """A new reservation in this partner's codes, with an invented guest, made at `at`."""
        return ReservationSpec(
            reservation_id=f"{self.partner_id.upper()}-{rng.randrange(10**7, 10**8)}-{number:04d}",
            partner_name=self.name,
            hotel_code=self.hotel_code,
            currency=self.currency,
            stays=tuple(self.stay(rng, stay) for stay in stays),
            guest=self.guest(rng),
            created_at=at,
            modified_at=at,
            comment=rng.choice(_COMMENTS),
            card=rng.random() < 0.8,
        )

    def stay(self, rng: random.Random, stay: StayRequest, *, room_code: str | None = None) -> StaySpec:
        """A stay in this partner's codes; `room_code` overrides the mapped room code."""
        base = self.prices.get((stay.rate_plan, stay.room_type), Decimal("150.00"))
        # channels add their own markup and rounding; keep prices plausible but not all equal
        nightly = (base * Decimal(rng.choice(("1.00", "1.05", "1.10", "0.95")))).quantize(Decimal("0.01"))
        return StaySpec(
            room_code=room_code or self.room_codes[stay.room_type],
            rate_code=self.rate_codes[stay.rate_plan],
            arrival=stay.arrival,
            departure=stay.departure,
            adults=stay.adults,
            child_ages=stay.child_ages,
            nightly=nightly,
        )

    @staticmethod
    def guest(rng: random.Random) -> GuestSpec:
        """An invented booker with a plausible address."""
        given, surname = rng.choice(_GIVEN), rng.choice(_SURNAMES)
        city, postal_code, country, language = rng.choice(_CITIES)
        mailbox = f"{given}.{surname}".lower().replace("ü", "ue")
        return GuestSpec(
            given_name=given,
            surname=surname,
            email=f"{mailbox}@example.com",
            phone=f"+{rng.randrange(30, 50)} {rng.randrange(300, 399)} {rng.randrange(10**6, 10**7)}",
            language=language,
            address_line=f"{rng.choice(_STREETS)} {rng.randrange(1, 120)}",
            city=city,
            postal_code=postal_code,
            country_code=country,
        )

    def _token(self) -> str:
        self._echo += 1
        return f"{self.partner_id}-{self._echo:06d}"

    def notif(self, spec: ReservationSpec, status: ResStatus, *, soap: bool = False) -> bytes:
        """OTA_HotelResNotifRQ bytes for the spec: plain XML, or SOAP 1.1 carrying the credentials."""
        message = hotel_res_notif(spec, status, echo_token=self._token())
        return self._wrap(message, soap)

    def cancel(self, spec: ReservationSpec, *, soap: bool = False) -> bytes:
        """OTA_CancelRQ bytes for the spec's reservation."""
        return self._wrap(cancel_rq(spec, echo_token=self._token()), soap)

    def _wrap(self, message: etree._Element, soap: bool) -> bytes:
        if soap:
            return soap11(message, username=self.username, password=self.password)
        return plain(message)

    async def push(self, xml: bytes) -> tuple[int, PartnerAnswer]:
        """POST one message to the hub's OTA door; HTTP Basic unless the SOAP header carries a token."""
        is_soap = SOAP11_NS.encode() in xml[:600]
        headers = {"Content-Type": "text/xml; charset=utf-8"}
        if is_soap:
            headers["SOAPAction"] = '"http://www.opentravel.org/OTA/2003/05/Notif"'
        else:
            headers["Authorization"] = self._basic
        response = await self.client.post(f"{self.base_url}/ota", content=xml, headers=headers)
        return response.status_code, parse_answer(response.content)
