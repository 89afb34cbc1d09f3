"""OpenTravel 2015A booking messages as a partner writes them: OTA_HotelResNotifRQ and OTA_CancelRQ.

Shapes follow what AlpineBits partners and OTAs send: per-night rates, a primary guest profile,
a card guarantee in the 2015A child form (CardNumber/PlainText, SeriesCode/PlainText) and the
partner's own hotel, room and rate codes. Everything is built from frozen specs, so the same spec
always gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from lxml import etree

from connectors.ota.settings import OTA_NS, SOAP11_NS, WSS_PASSWORD_TEXT, WSSE_NS

ResStatus = Literal["Commit", "Modify", "Cancel"]
MESSAGE_VERSION = "1.000"
# Test card numbers only: the simulator never holds a real card.
TEST_CARD = "4111111111111111"
TEST_CVV = "737"


@dataclass(frozen=True)
class GuestSpec:
    """The booker as the partner knows them."""

    given_name: str
    surname: str
    email: str
    phone: str
    language: str
    address_line: str
    city: str
    postal_code: str
    country_code: str


@dataclass(frozen=True)
class StaySpec:
    """One room for a span of nights, in the partner's codes, at one nightly price."""

    room_code: str
    rate_code: str
    arrival: date
    departure: date
    adults: int
    child_ages: tuple[int, ...]
    nightly: Decimal

    @property
    def nights(self) -> list[date]:
        """Every night of the stay (arrival up to the night before departure)."""
        return [self.arrival + timedelta(days=i) for i in range((self.departure - self.arrival).days)]

    @property
    def total(self) -> Decimal:
        """The stay's price after tax."""
        return self.nightly * len(self.nights)


@dataclass(frozen=True)
class ReservationSpec:
    """A partner's reservation at one revision: what every message about it is built from."""

    reservation_id: str
    partner_name: str
    hotel_code: str
    currency: str
    stays: tuple[StaySpec, ...]
    guest: GuestSpec
    created_at: datetime
    modified_at: datetime
    comment: str | None = None
    card: bool = True

    @property
    def total(self) -> Decimal:
        """The reservation's price after tax."""
        return sum((stay.total for stay in self.stays), Decimal(0))

    def revised(self, stays: tuple[StaySpec, ...], at: datetime) -> ReservationSpec:
        """The same reservation at a later revision with other stays."""
        return replace(self, stays=stays, modified_at=at)


def _el(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{OTA_NS}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def _root(name: str, echo_token: str, at: datetime, **attrs: str) -> etree._Element:
    return etree.Element(
        f"{{{OTA_NS}}}{name}",
        {
            "EchoToken": echo_token,
            "TimeStamp": at.isoformat(timespec="seconds"),
            "Version": MESSAGE_VERSION,
            **attrs,
        },
        nsmap={None: OTA_NS},  # type: ignore[dict-item]  # lxml's default namespace key is None
    )


def _pos(root: etree._Element, spec: ReservationSpec) -> None:
    source = _el(_el(root, "POS"), "Source")
    _el(source, "RequestorID", Type="22", ID=spec.partner_name.upper().replace(" ", ""))
    channel = _el(source, "BookingChannel", Type="7", Primary="true")
    _el(channel, "CompanyName", spec.partner_name)


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _room_stay(parent: etree._Element, spec: ReservationSpec, stay: StaySpec) -> None:
    room_stay = _el(parent, "RoomStay")
    _el(_el(room_stay, "RoomTypes"), "RoomType", RoomTypeCode=stay.room_code)
    _el(_el(room_stay, "RatePlans"), "RatePlan", RatePlanCode=stay.rate_code)
    room_rate = _el(
        _el(room_stay, "RoomRates"),
        "RoomRate",
        RoomTypeCode=stay.room_code,
        RatePlanCode=stay.rate_code,
        NumberOfUnits="1",
    )
    rates = _el(room_rate, "Rates")
    for night in stay.nights:
        rate = _el(
            rates,
            "Rate",
            EffectiveDate=night.isoformat(),
            ExpireDate=(night + timedelta(days=1)).isoformat(),
            RateTimeUnit="Day",
            UnitMultiplier="1",
        )
        _el(rate, "Base", AmountAfterTax=_money(stay.nightly), CurrencyCode=spec.currency)
    counts = _el(room_stay, "GuestCounts")
    _el(counts, "GuestCount", AgeQualifyingCode="10", Count=str(stay.adults))
    for age in stay.child_ages:
        _el(counts, "GuestCount", AgeQualifyingCode="8", Age=str(age), Count="1")
    _el(room_stay, "TimeSpan", Start=stay.arrival.isoformat(), End=stay.departure.isoformat())
    _el(room_stay, "Total", AmountAfterTax=_money(stay.total), CurrencyCode=spec.currency)


def _res_guest(parent: etree._Element, guest: GuestSpec) -> None:
    res_guest = _el(_el(parent, "ResGuests"), "ResGuest", ResGuestRPH="1", PrimaryIndicator="true")
    profile = _el(_el(_el(res_guest, "Profiles"), "ProfileInfo"), "Profile", ProfileType="1")
    customer = _el(profile, "Customer", Language=guest.language)
    name = _el(customer, "PersonName")
    _el(name, "GivenName", guest.given_name)
    _el(name, "Surname", guest.surname)
    _el(customer, "Telephone", PhoneTechType="1", PhoneNumber=guest.phone)
    _el(customer, "Email", guest.email)
    address = _el(customer, "Address")
    _el(address, "AddressLine", guest.address_line)
    _el(address, "CityName", guest.city)
    _el(address, "PostalCode", guest.postal_code)
    _el(address, "CountryName", Code=guest.country_code)


def _guarantee(parent: etree._Element, spec: ReservationSpec) -> None:
    guarantee = _el(parent, "Guarantee", GuaranteeCode="CC", GuaranteeType="CC/DC/Voucher")
    accepted = _el(_el(guarantee, "GuaranteesAccepted"), "GuaranteeAccepted")
    expiry = f"12{(spec.created_at.year + 3) % 100:02d}"
    card = _el(accepted, "PaymentCard", CardCode="VI", ExpireDate=expiry)
    _el(card, "CardHolderName", f"{spec.guest.given_name} {spec.guest.surname}")
    _el(_el(card, "CardNumber"), "PlainText", TEST_CARD)
    _el(_el(card, "SeriesCode"), "PlainText", TEST_CVV)


def _global_info(parent: etree._Element, spec: ReservationSpec) -> None:
    info = _el(parent, "ResGlobalInfo")
    if spec.comment:
        comment = _el(_el(info, "Comments"), "Comment", GuestViewable="true")
        _el(comment, "Text", spec.comment)
    if spec.card:
        _guarantee(info, spec)
    _el(info, "Total", AmountAfterTax=_money(spec.total), CurrencyCode=spec.currency)
    _el(
        _el(info, "HotelReservationIDs"),
        "HotelReservationID",
        ResID_Type="14",
        ResID_Value=spec.reservation_id,
        ResID_Source=spec.partner_name,
    )
    _el(info, "BasicPropertyInfo", HotelCode=spec.hotel_code)


def hotel_res_notif(spec: ReservationSpec, status: ResStatus, *, echo_token: str) -> etree._Element:
    """An OTA_HotelResNotifRQ carrying one reservation at the spec's revision."""
    root = _root("OTA_HotelResNotifRQ", echo_token, spec.modified_at, ResStatus=status)
    _pos(root, spec)
    reservation = _el(
        _el(root, "HotelReservations"),
        "HotelReservation",
        CreateDateTime=spec.created_at.isoformat(timespec="seconds"),
        LastModifyDateTime=spec.modified_at.isoformat(timespec="seconds"),
        ResStatus=status,
    )
    _el(reservation, "UniqueID", Type="14", ID=spec.reservation_id)
    if spec.stays:
        stays = _el(reservation, "RoomStays")
        for stay in spec.stays:
            _room_stay(stays, spec, stay)
    _res_guest(reservation, spec.guest)
    _global_info(reservation, spec)
    return root


def cancel_rq(spec: ReservationSpec, *, echo_token: str) -> etree._Element:
    """An OTA_CancelRQ for the whole reservation, naming the hotel as hotel channels do."""
    root = _root("OTA_CancelRQ", echo_token, spec.modified_at, CancelType="Commit", TravelSector="3")
    _pos(root, spec)
    unique = _el(root, "UniqueID", Type="14", ID=spec.reservation_id)
    _el(unique, "CompanyName", spec.partner_name)
    verification = _el(root, "Verification")
    name = _el(verification, "PersonName")
    _el(name, "GivenName", spec.guest.given_name)
    _el(name, "Surname", spec.guest.surname)
    _el(verification, "Email", spec.guest.email)
    _el(verification, "Vendor", Code=spec.hotel_code, CodeContext="HotelCode")
    if spec.stays:
        first = min(stay.arrival for stay in spec.stays)
        last = max(stay.departure for stay in spec.stays)
        _el(verification, "ReservationTimeSpan", Start=first.isoformat(), End=last.isoformat())
    # Hotel channels (SynXis style) also name the property in a BasicPropertyInfo extension.
    _el(_el(verification, "TPA_Extensions"), "BasicPropertyInfo", HotelCode=spec.hotel_code)
    return root


def plain(message: etree._Element) -> bytes:
    """The message as a UTF-8 XML document."""
    return bytes(etree.tostring(message, xml_declaration=True, encoding="UTF-8"))


def soap11(message: etree._Element, *, username: str, password: str) -> bytes:
    """The message in a SOAP 1.1 envelope with a WS-Security UsernameToken (PasswordText)."""
    envelope = etree.Element(f"{{{SOAP11_NS}}}Envelope", nsmap={"soap": SOAP11_NS, "wsse": WSSE_NS})
    security = etree.SubElement(
        etree.SubElement(envelope, f"{{{SOAP11_NS}}}Header"),
        f"{{{WSSE_NS}}}Security",
        {f"{{{SOAP11_NS}}}mustUnderstand": "1"},
    )
    token = etree.SubElement(security, f"{{{WSSE_NS}}}UsernameToken")
    etree.SubElement(token, f"{{{WSSE_NS}}}Username").text = username
    etree.SubElement(token, f"{{{WSSE_NS}}}Password", Type=WSS_PASSWORD_TEXT).text = password
    body = etree.SubElement(envelope, f"{{{SOAP11_NS}}}Body")
    body.append(etree.fromstring(plain(message)))
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))
