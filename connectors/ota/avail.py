"""OTA_HotelAvailRQ -> an availability query in hub codes; resolved cells -> OTA_HotelAvailRS, pure.

A (room type, rate plan) is offered for a stay only when every night has a rate for the guests,
at least one room left and no stop-sell; the arrival night is not closed to arrival and its
length-of-stay limits hold; every night's "through" limits hold; the departure day is not closed
to departure; and the booking window (min/max advance days, counted from `today`) admits the
arrival. The nightly amount is the rate for that many adults (the nightly amount when no
per-occupancy one is set; the highest occupancy plus `extra_adult` per adult above it), plus
`extra_child` per child.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from canonical.ari import AvailabilityCell, RateCell
from canonical.selling import StayPrice, price_stay, stay_nights
from connectors.ota.ari_codec import ADULT_AQC, CHILD_AQC, Header, root
from connectors.ota.codec import OtaRequest
from connectors.ota.codes import PartnerCodes, hub_rate_plan, hub_room_type
from connectors.ota.elements import Children
from connectors.ota.errors import InvalidDate, MissingField, UnsupportedMessage
from connectors.ota.fields import read_count, read_date, text_of
from connectors.ota.settings import HOTEL_AVAIL_RQ, HOTEL_AVAIL_RS, MAX_STAY_NIGHTS, OTA_NS

_INFANT_AQC = "7"


@dataclass(frozen=True)
class AvailQuery:
    """One stay asked for, in hub codes: property, dates, guests, optional room type / rate plan filters."""

    hotel_code: str
    property: str
    arrival: date
    departure: date
    adults: int
    children: int = 0
    room_types: frozenset[str] = frozenset()  # empty: every room type
    rate_plans: frozenset[str] = frozenset()  # empty: every rate plan

    def nights(self) -> list[date]:
        """The nights of the stay, arrival to the night before departure."""
        return stay_nights(self.arrival, self.departure)


@dataclass(frozen=True)
class Offer:
    """One room type and rate plan the stay can be sold at, its nightly amounts and its total."""

    room_type: str
    rate_plan: str
    nightly: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        """The stay's total amount."""
        return sum(self.nightly, Decimal(0))


def read_avail_query(req: OtaRequest, codes: PartnerCodes) -> AvailQuery:
    """The query of an OTA_HotelAvailRQ (its first AvailRequestSegment), codes mapped to the hub's."""
    if req.message_name != HOTEL_AVAIL_RQ:
        raise UnsupportedMessage(f"{req.message_name} is not an availability request")
    message = Children(req.root, req.namespace)
    segment = message.first_under("AvailRequestSegments", "AvailRequestSegment")
    if segment is None:
        raise MissingField("no AvailRequestSegment", tag="AvailRequestSegment")
    part = Children(segment, req.namespace)
    ref = part.first_under("HotelSearchCriteria", "Criterion", "HotelRef")
    hotel = text_of(ref.get("HotelCode")) if ref is not None else None
    hotel = hotel or codes.only_hotel()
    if hotel is None:
        raise MissingField("no HotelRef HotelCode, and the partner has several hotels", tag="HotelCode")
    prop = codes.property_for(hotel)
    stay = part.first("StayDateRange")
    if stay is None:
        raise MissingField("no StayDateRange", tag="StayDateRange")
    arrival = read_date(stay.get("Start"), field="Start")
    departure = read_date(stay.get("End"), field="End")
    if departure <= arrival:
        raise InvalidDate("StayDateRange End must be after Start", tag="End")
    if (departure - arrival).days > MAX_STAY_NIGHTS:
        raise InvalidDate(f"a stay is at most {MAX_STAY_NIGHTS} nights", tag="End")
    adults = children = 0
    rooms: set[str] = set()
    candidates = part.under("RoomStayCandidates", "RoomStayCandidate")
    for candidate in candidates:
        if (room := text_of(candidate.get("RoomTypeCode"))) is not None:
            rooms.add(hub_room_type(prop, room, hotel_code=hotel))
    for count in candidates[0].iterfind("{*}GuestCounts/{*}GuestCount") if candidates else ():
        number = read_count(count.get("Count"), field="Count", default=1)
        code = text_of(count.get("AgeQualifyingCode")) or ADULT_AQC
        if code in (CHILD_AQC, _INFANT_AQC):
            children += number
        else:
            adults += number
    plans = {
        hub_rate_plan(prop, plan, hotel_code=hotel)
        for candidate in part.under("RatePlanCandidates", "RatePlanCandidate")
        if (plan := text_of(candidate.get("RatePlanCode"))) is not None
    }
    return AvailQuery(
        hotel,
        prop.hub_property,
        arrival,
        departure,
        max(adults, 1),
        children,
        frozenset(rooms),
        frozenset(plans),
    )


def offers(
    query: AvailQuery,
    cells: Sequence[RateCell],
    availability: Sequence[AvailabilityCell],
    *,
    local_now: datetime,
) -> list[Offer]:
    """What the stay can be sold at: each (room type, rate plan) with a room left every night whose
    cells honour every restriction (canonical/selling.py), at the property's local time `local_now`."""
    nights = query.nights()
    rooms_left = {(c.room_type, c.night): c.available for c in availability}
    by_key: dict[tuple[str, str], dict[date, RateCell]] = {}
    for cell in cells:
        by_key.setdefault((cell.room_type, cell.rate_plan), {})[cell.night] = cell
    found: list[Offer] = []
    for (room, plan), stay in sorted(by_key.items()):
        if (query.room_types and room not in query.room_types) or (
            query.rate_plans and plan not in query.rate_plans
        ):
            continue
        if any(rooms_left.get((room, night), 0) < 1 for night in nights):
            continue
        price = price_stay(
            stay,
            query.arrival,
            query.departure,
            adults=query.adults,
            children=query.children,
            local_now=local_now,
        )
        if isinstance(price, StayPrice):
            found.append(Offer(room, plan, price.nightly))
    return found


def avail_response(
    query: AvailQuery,
    found: Sequence[Offer],
    *,
    currency: str,
    header: Header,
    partner_room: Callable[[str], str],
    partner_plan: Callable[[str], str],
) -> etree._Element:
    """OTA_HotelAvailRS: Success and one RoomStay per offer (none when nothing can be sold)."""
    answer = root(HOTEL_AVAIL_RS, header)
    etree.SubElement(answer, f"{{{OTA_NS}}}Success")
    if not found:
        return answer
    stays = etree.SubElement(answer, f"{{{OTA_NS}}}RoomStays")
    for offer in found:
        room, plan = partner_room(offer.room_type), partner_plan(offer.rate_plan)
        stay = etree.SubElement(stays, f"{{{OTA_NS}}}RoomStay")
        types = etree.SubElement(stay, f"{{{OTA_NS}}}RoomTypes")
        etree.SubElement(types, f"{{{OTA_NS}}}RoomType", RoomTypeCode=room)
        plans = etree.SubElement(stay, f"{{{OTA_NS}}}RatePlans")
        etree.SubElement(plans, f"{{{OTA_NS}}}RatePlan", RatePlanCode=plan)
        room_rates = etree.SubElement(stay, f"{{{OTA_NS}}}RoomRates")
        room_rate = etree.SubElement(
            room_rates, f"{{{OTA_NS}}}RoomRate", RoomTypeCode=room, RatePlanCode=plan, NumberOfUnits="1"
        )
        rates = etree.SubElement(room_rate, f"{{{OTA_NS}}}Rates")
        for night, amount in zip(query.nights(), offer.nightly, strict=True):
            rate = etree.SubElement(
                rates,
                f"{{{OTA_NS}}}Rate",
                EffectiveDate=night.isoformat(),
                ExpireDate=night.isoformat(),  # a one-day rate: that night alone
                RateTimeUnit="Day",
                UnitMultiplier="1",
            )
            etree.SubElement(rate, f"{{{OTA_NS}}}Base", AmountAfterTax=str(amount), CurrencyCode=currency)
        counts = etree.SubElement(stay, f"{{{OTA_NS}}}GuestCounts")
        etree.SubElement(
            counts, f"{{{OTA_NS}}}GuestCount", AgeQualifyingCode=ADULT_AQC, Count=str(query.adults)
        )
        if query.children:
            etree.SubElement(
                counts, f"{{{OTA_NS}}}GuestCount", AgeQualifyingCode=CHILD_AQC, Count=str(query.children)
            )
        etree.SubElement(
            stay, f"{{{OTA_NS}}}TimeSpan", Start=query.arrival.isoformat(), End=query.departure.isoformat()
        )
        etree.SubElement(stay, f"{{{OTA_NS}}}Total", AmountAfterTax=str(offer.total), CurrencyCode=currency)
        etree.SubElement(stay, f"{{{OTA_NS}}}BasicPropertyInfo", HotelCode=query.hotel_code)
    return answer
