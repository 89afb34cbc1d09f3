"""The items of the three ARI notifications, read into changes the push channel can apply or refuse.

An item is one AvailStatusMessage, RateAmountMessage or Inventory. Reading is strict where a channel
would be: a range it cannot apply, a restriction kind it does not know or a missing code makes that
item an error (answered with its position as RecordID), never a silent guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from connectors.ota.simulator.nights import NightsError, nights
from connectors.ota.simulator.wire import Issue, ota

AVAIL_NOTIF = "OTA_HotelAvailNotifRQ"
RATE_AMOUNT_NOTIF = "OTA_HotelRateAmountNotifRQ"
INV_COUNT_NOTIF = "OTA_HotelInvCountNotifRQ"
ARI_MESSAGES = frozenset({AVAIL_NOTIF, RATE_AMOUNT_NOTIF, INV_COUNT_NOTIF})
ALL = "*"  # a restriction sent without a rate plan applies to the room type as a whole
_HOLDERS = {
    AVAIL_NOTIF: ("AvailStatusMessages", "AvailStatusMessage"),
    RATE_AMOUNT_NOTIF: ("RateAmountMessages", "RateAmountMessage"),
    INV_COUNT_NOTIF: ("Inventories", "Inventory"),
}
_STATUS_FIELDS = {"Master": "closed", "Arrival": "closed_to_arrival", "Departure": "closed_to_departure"}
_LOS_FIELDS = {
    "SetMinLOS": ("min", True),
    "MinLOS": ("min", True),
    "SetMaxLOS": ("max", True),
    "MaxLOS": ("max", True),
    "RemoveMinLOS": ("min", False),
    "RemoveMaxLOS": ("max", False),
    "SetForwardMinStay": ("min_through", True),
    "SetForwardMaxStay": ("max_through", True),
    "RemoveForwardMinStay": ("min_through", False),
    "RemoveForwardMaxStay": ("max_through", False),
}
_ADULT, _CHILD = "10", "8"  # OTA Age Qualifying Codes
_DAYS = re.compile(r"P(\d{1,4})D")


class ItemError(ValueError):
    """An item the channel refuses, with the OTA error type and code it answers."""

    def __init__(self, text: str, *, type_: str = "3", code: str = "450") -> None:
        super().__init__(text)
        self.type, self.code = type_, code


@dataclass(frozen=True)
class RateValue:
    """What one Rate says about a night: amounts by guests, the any-occupancy amount, extras."""

    amount: Decimal | None = None
    by_guests: tuple[tuple[int, Decimal], ...] = ()
    extra_adult: Decimal | None = None
    extra_child: Decimal | None = None
    currency: str | None = None


@dataclass
class Item:
    """One item of a message: where it applies and what it sets, or why it is refused."""

    message: str
    index: int  # 1-based position among its siblings
    hotel: str
    room_type: str = ""
    rate_plan: str | None = None
    locator: str | None = None
    restrictions: dict[str, bool | int | None] = field(default_factory=dict)
    available: tuple[str, int] | None = None  # ("set" | "adjust", count)
    rates: list[tuple[list[date], RateValue]] = field(default_factory=list)
    nights: list[date] = field(default_factory=list)
    error: Issue | None = None

    @property
    def node_list(self) -> str:
        """An XPath to the item in its message."""
        holder, tag = _HOLDERS[self.message]
        return f"/{self.message}/{holder}/{tag}[{self.index}]"

    @property
    def record_id(self) -> str:
        """What an Error about this item names: its LocatorID when it has one, else its position."""
        return self.locator or str(self.index)

    def refuse(self, issue: Issue) -> None:
        """Mark the item refused with this issue, naming the item."""
        self.error = Issue(issue.type, issue.code, issue.text, self.record_id, self.node_list)


def read_items(message: etree._Element) -> list[Item]:
    """Every item of an ARI notification, each either readable or carrying its error."""
    name = etree.QName(message).localname
    holder_name, tag = _HOLDERS[name]
    holder = message.find(ota(holder_name))
    if holder is None:
        return []
    hotel = holder.get("HotelCode") or ""
    found: list[Item] = []
    for index, element in enumerate(holder.findall(ota(tag)), start=1):
        item = Item(name, index, hotel, locator=element.get("LocatorID"))
        try:
            _read(item, element)
        except (ItemError, NightsError, ValueError) as err:
            type_, code = (err.type, err.code) if isinstance(err, ItemError) else ("3", "450")
            item.refuse(Issue(type_, code, str(err)))
        found.append(item)
    return found


def _read(item: Item, element: etree._Element) -> None:
    if not item.hotel:
        raise ItemError("HotelCode missing", type_="10", code="321")
    control = element.find(ota("StatusApplicationControl"))
    if control is None:
        raise ItemError("StatusApplicationControl missing", type_="10", code="321")
    item.room_type = control.get("InvTypeCode") or control.get("InvCode") or ""
    if not item.room_type:
        raise ItemError("InvTypeCode missing", type_="10", code="321")
    item.rate_plan = control.get("RatePlanCode")
    item.nights = nights(control)
    if item.message == AVAIL_NOTIF:
        _read_restrictions(item, element)
    elif item.message == INV_COUNT_NOTIF:
        _read_counts(item, element)
    else:
        if not item.rate_plan:
            raise ItemError("RatePlanCode missing", type_="10", code="321")
        _read_rates(item, control, element)


def _read_restrictions(item: Item, element: etree._Element) -> None:
    status = element.find(ota("RestrictionStatus"))
    if status is not None:
        value, kind = status.get("Status"), status.get("Restriction") or "Master"
        if value in ("Open", "Close"):
            if kind not in _STATUS_FIELDS:
                raise ItemError(f"Restriction {kind} is not supported", type_="2")
            item.restrictions[_STATUS_FIELDS[kind]] = value == "Close"
        elif value == "ClosedOnArrival":
            item.restrictions["closed_to_arrival"] = True
        elif value == "RemoveCloseOnly":
            item.restrictions["closed"] = False
        elif value is not None:
            raise ItemError(f"Status {value} is not supported", type_="2")
        for attribute, name in (
            ("MinAdvancedBookingOffset", "min_advance_days"),
            ("MaxAdvancedBookingOffset", "max_advance_days"),
        ):
            offset = status.get(attribute)
            if offset is not None:
                item.restrictions[name] = _days(offset, attribute)
    stays = element.find(ota("LengthsOfStay"))
    if stays is not None:
        arrival_based = (stays.get("ArrivalDateBased") or "true").lower() not in ("false", "0")
        for stay in stays.findall(ota("LengthOfStay")):
            _read_stay(item, stay, arrival_based)
    limit = element.get("BookingLimit")
    if limit is not None and element.get("BookingLimitMessageType") in (None, "SetLimit"):
        item.available = ("set", int(limit))


def _days(duration: str, attribute: str) -> int:
    """A booking offset in whole days, from an xs:duration of days only (P7D)."""
    found = _DAYS.fullmatch(duration.strip())
    if found is None:
        raise ItemError(f"{attribute}={duration!r}: only whole days (P<n>D) are supported", type_="2")
    return int(found.group(1))


def _read_stay(item: Item, stay: etree._Element, arrival_based: bool) -> None:
    kind = stay.get("MinMaxMessageType") or ""
    if kind not in _LOS_FIELDS:
        raise ItemError(f"MinMaxMessageType {kind or '(none)'} is not supported", type_="2")
    if (stay.get("TimeUnit") or "Day") != "Day":
        raise ItemError(f"TimeUnit {stay.get('TimeUnit')} is not supported; only Day")
    which, setting = _LOS_FIELDS[kind]
    if which in ("min", "max"):
        which = f"{which}_los" if arrival_based else f"{which}_los_through"
    else:
        which = f"{which.split('_')[0]}_los_through"
    value: int | None = None
    if setting:
        try:
            value = int(stay.get("Time") or "")
        except ValueError as err:
            raise ItemError(f"{kind} needs a whole number of days in Time", type_="10", code="321") from err
        value = value or None  # a length of stay of 0 means none
    item.restrictions[which] = value


def _read_counts(item: Item, element: etree._Element) -> None:
    if element.find(ota("InvCounts")) is None:  # as AlpineBits FreeRooms reads it: nothing left to sell
        item.available = ("set", 0)
    for count in element.findall(f"{ota('InvCounts')}/{ota('InvCount')}"):
        if count.get("CountType") not in (None, "2"):  # 2: available rooms; other counts are not shown
            continue
        try:
            number = int(count.get("Count") or "")
        except ValueError as err:
            raise ItemError("InvCount needs a Count", type_="10", code="321") from err
        action = "adjust" if count.get("ActionType") == "Adjustment" else "set"
        if action == "set" and number < 0:
            raise ItemError(f"Count {number} is below zero")
        item.available = (action, number)


def _money(value: str | None, what: str) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation as err:
        raise ItemError(f"{what} {value!r} is not an amount", type_="10", code="321") from err
    if not amount.is_finite() or amount < 0:
        raise ItemError(f"{what} {value!r} is not an amount", type_="10", code="321")
    return amount


def _read_rates(item: Item, control: etree._Element, element: etree._Element) -> None:
    for rate in element.findall(f"{ota('Rates')}/{ota('Rate')}"):
        amount: Decimal | None = None
        by_guests: dict[int, Decimal] = {}
        for base in rate.findall(f"{ota('BaseByGuestAmts')}/{ota('BaseByGuestAmt')}"):
            value = _money(base.get("AmountAfterTax") or base.get("AmountBeforeTax"), "BaseByGuestAmt")
            if value is None:
                raise ItemError("BaseByGuestAmt needs an amount", type_="10", code="321")
            guests = base.get("NumberOfGuests")
            if guests is None:
                amount = value
            else:
                by_guests[int(guests)] = value
        extras: dict[str, Decimal | None] = {}
        for extra in rate.findall(f"{ota('AdditionalGuestAmounts')}/{ota('AdditionalGuestAmount')}"):
            code = extra.get("AgeQualifyingCode")
            if code not in (_ADULT, _CHILD):
                raise ItemError(f"AdditionalGuestAmount for age code {code} is not supported", type_="2")
            extras["extra_adult" if code == _ADULT else "extra_child"] = _money(extra.get("Amount"), "Amount")
        rate_value = RateValue(
            amount=amount,
            by_guests=tuple(sorted(by_guests.items())),
            currency=rate.get("CurrencyCode"),
            **extras,
        )
        item.rates.append((nights(control, rate), rate_value))
