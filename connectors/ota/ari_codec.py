"""ARI ranges -> the items of OTA_HotelAvailNotifRQ, OTA_HotelRateAmountNotifRQ and OTA_HotelInvCountNotifRQ.

Restriction mapping (docs/channels.md, "What channels receive"):

    closed             RestrictionStatus Status Close / Open (no Restriction attribute: the master)
    closed_to_arrival  an AvailStatusMessage of its own: RestrictionStatus Restriction=Arrival
    closed_to_departure an AvailStatusMessage of its own: RestrictionStatus Restriction=Departure
    min_los / max_los  LengthOfStay MinMaxMessageType SetMinLOS / SetMaxLOS (stays arriving that night)
    min/max_los_through LengthOfStay SetForwardMinStay / SetForwardMaxStay (stays through that night;
                       the AlpineBits reading of the 2015A "forward" types)
    unset LOS          RemoveMinLOS / RemoveMaxLOS / RemoveForwardMinStay / RemoveForwardMaxStay
    min/max_advance    RestrictionStatus MinAdvancedBookingOffset / MaxAdvancedBookingOffset (P<n>D)

RestrictionStatus occurs once per AvailStatusMessage, so CTA and CTD each take an item of their own.
A restriction type the channel does not accept is never written.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from lxml import etree

from canonical.ari import Rates, Restrictions
from connectors.ota.ari_ranges import AriRange
from connectors.ota.settings import DEFAULT_VERSION, OTA_NS

_NSMAP: dict[str | None, str] = {None: OTA_NS}
ADULT_AQC = "10"  # OpenTravel Age Qualifying Code list: 10 adult, 8 child
CHILD_AQC = "8"
AVAILABLE_COUNT_TYPE = "2"  # OpenTravel Inventory Count Type list: 2 = available (AlpineBits: bookable)
COMPLETE_SET_ID = {"Type": "16", "ID": "1", "Instance": "CompleteSet"}  # AlpineBits; OTA UniqueID Type 16


class RestrictionType(StrEnum):
    """A restriction a channel may accept; the values are the canonical `Restrictions` field names."""

    CLOSED = "closed"
    CLOSED_TO_ARRIVAL = "closed_to_arrival"
    CLOSED_TO_DEPARTURE = "closed_to_departure"
    MIN_LOS = "min_los"
    MAX_LOS = "max_los"
    MIN_LOS_THROUGH = "min_los_through"
    MAX_LOS_THROUGH = "max_los_through"
    MIN_ADVANCE_DAYS = "min_advance_days"
    MAX_ADVANCE_DAYS = "max_advance_days"


ALL_RESTRICTIONS = frozenset(RestrictionType)
LOS_MESSAGE_TYPES = {
    RestrictionType.MIN_LOS: ("SetMinLOS", "RemoveMinLOS"),
    RestrictionType.MAX_LOS: ("SetMaxLOS", "RemoveMaxLOS"),
    RestrictionType.MIN_LOS_THROUGH: ("SetForwardMinStay", "RemoveForwardMinStay"),
    RestrictionType.MAX_LOS_THROUGH: ("SetForwardMaxStay", "RemoveForwardMaxStay"),
}


@dataclass(frozen=True)
class Header:
    """What every outbound message carries at its root: EchoToken, TimeStamp and Version."""

    echo_token: str
    timestamp: datetime
    version: str = DEFAULT_VERSION


@dataclass(frozen=True)
class Target:
    """The partner codes one item goes out under (a hub code may stand for several of them)."""

    room_type: str
    rate_plan: str | None = None


def root(message_name: str, header: Header, *, version_only: bool = False) -> etree._Element:
    """An empty OTA message element with its standard payload attributes (`version_only`: just the
    Version, as AlpineBits FreeRooms declares its root)."""
    element = etree.Element(f"{{{OTA_NS}}}{message_name}", nsmap=_NSMAP)  # type: ignore[arg-type]
    if not version_only:
        element.set("EchoToken", header.echo_token)
        element.set("TimeStamp", header.timestamp.isoformat(timespec="seconds"))
    element.set("Version", header.version)
    return element


def complete_set_id(message: etree._Element) -> None:
    """Mark a message an AlpineBits complete set: `UniqueID Type=16 ID=1 Instance=CompleteSet` first."""
    message.insert(0, _new("UniqueID", **COMPLETE_SET_ID))


def _sub(parent: etree._Element, name: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{OTA_NS}}}{name}", attributes)


def _new(name: str, **attributes: str) -> etree._Element:
    return etree.Element(f"{{{OTA_NS}}}{name}", attributes, nsmap=_NSMAP)  # type: ignore[arg-type]


def _control(parent: etree._Element, first: date, last: date, target: Target) -> None:
    attributes = {"Start": first.isoformat(), "End": last.isoformat(), "InvTypeCode": target.room_type}
    if target.rate_plan is not None:
        attributes["RatePlanCode"] = target.rate_plan
    _sub(parent, "StatusApplicationControl", **attributes)


def _money(amount: Decimal) -> str:
    return format(amount.normalize(), "f") if amount == amount.to_integral() else format(amount, "f")


def restriction_items(
    span: AriRange[Restrictions], target: Target, accepted: Collection[RestrictionType]
) -> list[etree._Element]:
    """The AvailStatusMessages that set one range's restrictions (only the accepted types)."""
    value = span.value
    items: list[etree._Element] = []
    los = [kind for kind in LOS_MESSAGE_TYPES if kind in accepted]
    advance = [
        kind
        for kind in (RestrictionType.MIN_ADVANCE_DAYS, RestrictionType.MAX_ADVANCE_DAYS)
        if kind in accepted
    ]
    if los or advance or RestrictionType.CLOSED in accepted:
        item = _new("AvailStatusMessage")
        _control(item, span.first, span.last, target)
        if los:
            stays = _sub(item, "LengthsOfStay")
            for kind in los:
                nights: int | None = getattr(value, kind.value)
                set_type, remove_type = LOS_MESSAGE_TYPES[kind]
                if nights is None:
                    _sub(stays, "LengthOfStay", MinMaxMessageType=remove_type)
                else:
                    _sub(stays, "LengthOfStay", Time=str(nights), TimeUnit="Day", MinMaxMessageType=set_type)
        status: dict[str, str] = {}
        if RestrictionType.CLOSED in accepted:
            status["Status"] = "Close" if value.closed else "Open"
        if RestrictionType.MIN_ADVANCE_DAYS in advance and value.min_advance_days is not None:
            status["MinAdvancedBookingOffset"] = f"P{value.min_advance_days}D"
        if RestrictionType.MAX_ADVANCE_DAYS in advance and value.max_advance_days is not None:
            status["MaxAdvancedBookingOffset"] = f"P{value.max_advance_days}D"
        if status:
            _sub(item, "RestrictionStatus", **status)
        if len(item) > 1:
            items.append(item)
    for kind, restriction, closed in (
        (RestrictionType.CLOSED_TO_ARRIVAL, "Arrival", value.closed_to_arrival),
        (RestrictionType.CLOSED_TO_DEPARTURE, "Departure", value.closed_to_departure),
    ):
        if kind in accepted:
            item = _new("AvailStatusMessage")
            _control(item, span.first, span.last, target)
            _sub(item, "RestrictionStatus", Restriction=restriction, Status="Close" if closed else "Open")
            items.append(item)
    return items


def rate_item(span: AriRange[Rates], target: Target, currency: str) -> etree._Element | None:
    """The RateAmountMessage that sets one range's amounts; None when the range holds no amount."""
    value = span.value
    if value.amount is None and not value.by_occupancy:
        return None
    item = _new("RateAmountMessage")
    _control(item, span.first, span.last, target)
    rate = _sub(_sub(item, "Rates"), "Rate", CurrencyCode=currency)
    amounts = _sub(rate, "BaseByGuestAmts")
    for guests, amount in value.by_occupancy:
        _sub(
            amounts,
            "BaseByGuestAmt",
            AmountAfterTax=_money(amount),
            CurrencyCode=currency,
            NumberOfGuests=str(guests),
            AgeQualifyingCode=ADULT_AQC,
        )
    if value.amount is not None and not value.by_occupancy:
        _sub(amounts, "BaseByGuestAmt", AmountAfterTax=_money(value.amount), CurrencyCode=currency)
    extras = [
        (code, extra) for code, extra in ((ADULT_AQC, value.extra_adult), (CHILD_AQC, value.extra_child))
    ]
    if any(extra is not None for _, extra in extras):
        additional = _sub(rate, "AdditionalGuestAmounts")
        for code, extra in extras:
            if extra is not None:
                _sub(
                    additional,
                    "AdditionalGuestAmount",
                    AgeQualifyingCode=code,
                    Amount=_money(extra),
                    CurrencyCode=currency,
                )
    return item


def inventory_item(span: AriRange[int], target: Target) -> etree._Element:
    """The Inventory that sets one range's rooms left (InvCount CountType 2)."""
    item = _new("Inventory")
    _control(item, span.first, span.last, Target(target.room_type))
    _sub(_sub(item, "InvCounts"), "InvCount", CountType=AVAILABLE_COUNT_TYPE, Count=str(span.value))
    return item


def reset_item() -> etree._Element:
    """An empty Inventory: in a complete set, no room of the hotel is free (AlpineBits reset)."""
    return _new("Inventory")


def booking_limit_item(span: AriRange[int], target: Target) -> etree._Element:
    """Rooms left as an AvailStatusMessage BookingLimit, for channels taking them with restrictions."""
    item = _new("AvailStatusMessage", BookingLimit=str(span.value), BookingLimitMessageType="SetLimit")
    _control(item, span.first, span.last, Target(target.room_type))
    return item
