"""ARI in from a revenue system or an external PMS: the three OTA notifications -> SetAri, pure.

Rules (docs/channels.md, "Inbound ARI"): HotelCode, room type and rate plan codes go through the
partner's code map (ERR 392 / 402 / 436); `StatusApplicationControl` Start/End with its weekday
flags is one `AriPatch`; restrictions read as ari_codec.py writes them (and ClosedOnArrival,
MinLOS, MaxLOS as sent by older systems); amounts are AmountAfterTax, else AmountBeforeTax, in the
property's currency. Room counts (OTA_HotelInvCountNotifRQ, BookingLimit) are not a SetAri: they
come back as `availability` cells (ari_freerooms.py), for the ARI-in flow to apply. Anything the
hub does not take is refused with its OTA error, never half applied.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree
from pydantic import ValidationError

from canonical.ari import AriPatch, AvailabilityCell, RatesPatch, RestrictionsPatch
from connectors.ota.ari_codec import ADULT_AQC, CHILD_AQC
from connectors.ota.ari_freerooms import inv_counts, is_complete_set
from connectors.ota.ari_patches import InboundAri, patch, read_span, room_code, set_ari
from connectors.ota.codec import OtaRequest
from connectors.ota.codes import PartnerCodes, PropertyCodes, hub_rate_plan, hub_room_type
from connectors.ota.errors import InvalidField, MissingField, UnsupportedAction, UnsupportedMessage
from connectors.ota.fields import read_amount, read_count, read_currency, text_of
from connectors.ota.settings import HOTEL_AVAIL_NOTIF_RQ, HOTEL_INV_COUNT_NOTIF_RQ, HOTEL_RATE_AMOUNT_NOTIF_RQ

# MinMaxMessageType -> (Restrictions field, set?)
_LOS = {
    "setminlos": ("min_los", True),
    "minlos": ("min_los", True),
    "removeminlos": ("min_los", False),
    "setmaxlos": ("max_los", True),
    "maxlos": ("max_los", True),
    "removemaxlos": ("max_los", False),
    "setforwardminstay": ("min_los_through", True),
    "removeforwardminstay": ("min_los_through", False),
    "setforwardmaxstay": ("max_los_through", True),
    "removeforwardmaxstay": ("max_los_through", False),
}
_RESTRICTION = {
    None: "closed",
    "master": "closed",
    "arrival": "closed_to_arrival",
    "departure": "closed_to_departure",
}


def translate_ari(req: OtaRequest, codes: PartnerCodes, *, source: str) -> InboundAri:
    """Translate an inbound ARI notification; raise the OtaRejected subclass of its first fault."""
    if req.message_name == HOTEL_INV_COUNT_NOTIF_RQ:
        return inv_counts(req, codes)
    if req.message_name == HOTEL_AVAIL_NOTIF_RQ:
        hotel, prop, container = _hotel(req, codes, "AvailStatusMessages")
        complete = is_complete_set(req)
        patches, counts = _avail_status(container, prop, hotel, complete=complete)
        return InboundAri(
            hotel, prop.hub_property, set_ari(prop, patches, source), tuple(counts), complete_set=complete
        )
    if req.message_name == HOTEL_RATE_AMOUNT_NOTIF_RQ:
        hotel, prop, container = _hotel(req, codes, "RateAmountMessages")
        return InboundAri(
            hotel, prop.hub_property, set_ari(prop, _rate_amounts(container, prop, hotel), source)
        )
    raise UnsupportedMessage(f"{req.message_name} is not an ARI notification")


def _hotel(req: OtaRequest, codes: PartnerCodes, container: str) -> tuple[str, PropertyCodes, etree._Element]:
    found = req.root.find(f"{{*}}{container}")
    if found is None:
        raise MissingField(f"no {container}", tag=container)
    hotel = text_of(found.get("HotelCode"))
    if hotel is None:
        raise MissingField(f"{container} has no HotelCode", tag="HotelCode")
    return hotel, codes.property_for(hotel), found


def _codes(control: etree._Element, prop: PropertyCodes, hotel: str) -> tuple[str, str | None]:
    room = hub_room_type(prop, room_code(control), hotel_code=hotel)
    plan_code = text_of(control.get("RatePlanCode"))
    return room, (hub_rate_plan(prop, plan_code, hotel_code=hotel) if plan_code else None)


def _avail_status(
    container: etree._Element, prop: PropertyCodes, hotel: str, *, complete: bool
) -> tuple[list[AriPatch], list[AvailabilityCell]]:
    patches: list[AriPatch] = []
    counts: list[AvailabilityCell] = []
    for position, message in enumerate(container.iterfind("{*}AvailStatusMessage"), start=1):
        control = message.find("{*}StatusApplicationControl")
        if control is None:
            if complete and len(message) == 0 and not message.attrib:
                continue  # AlpineBits: an empty message in a complete set resets (no room free)
            raise MissingField(f"AvailStatusMessage {position} has no StatusApplicationControl", tag="Start")
        _check_limit(message)
        span = read_span(control)
        room, plan = _codes(control, prop, hotel)
        values, clear = _restrictions(message, position)
        if message.get("BookingLimit") is not None:
            if plan is not None:
                raise UnsupportedAction(
                    "a BookingLimit per rate plan (an allotment) is not taken: counts are per room type",
                    tag="BookingLimit",
                )
            available = read_count(message.get("BookingLimit"), field="BookingLimit")
            counts.extend(
                AvailabilityCell(room_type=room, night=night, available=available) for night in span.nights()
            )
        elif not values and not clear:
            raise UnsupportedAction(
                f"AvailStatusMessage {position} sets nothing the hub takes "
                "(status, CTA/CTD, lengths of stay, booking window, BookingLimit)",
                tag="AvailStatusMessage",
            )
        if values or clear:
            restrictions = RestrictionsPatch(**values) if values else None
            patches.append(patch(span, room, plan, restrictions=restrictions, clear=frozenset(clear)))
    return patches, counts


def _check_limit(message: etree._Element) -> None:
    if message.get("BookingLimit") is None:
        return
    limit_type = text_of(message.get("BookingLimitMessageType"))
    if limit_type is None:
        raise MissingField("BookingLimit without BookingLimitMessageType", tag="BookingLimitMessageType")
    if limit_type != "SetLimit":
        raise UnsupportedAction(
            f"BookingLimitMessageType {limit_type}: the hub takes room counts as SetLimit only",
            tag="BookingLimitMessageType",
        )
    threshold = text_of(message.get("BookingThreshold"))
    limit = read_count(message.get("BookingLimit"), field="BookingLimit")
    if threshold is not None and read_count(threshold, field="BookingThreshold") > limit:
        raise InvalidField("BookingThreshold is above BookingLimit", tag="BookingThreshold")


def _restrictions(message: etree._Element, position: int) -> tuple[dict[str, object], set[str]]:
    values: dict[str, object] = {}
    clear: set[str] = set()
    status = message.find("{*}RestrictionStatus")
    if status is not None:
        kind = text_of(status.get("Restriction"))
        state = text_of(status.get("Status"))
        field = _RESTRICTION.get(kind.lower() if kind else None)
        if field is None:
            raise UnsupportedAction(f"Restriction {kind!r} is not taken", tag="Restriction")
        if state is not None:
            if state == "ClosedOnArrival":
                values["closed_to_arrival"] = True
            elif state in ("Open", "Close"):
                values[field] = state == "Close"
            else:
                raise UnsupportedAction(f"Status {state!r} is not taken (Open, Close)", tag="Status")
        for attribute, name in (
            ("MinAdvancedBookingOffset", "min_advance_days"),
            ("MaxAdvancedBookingOffset", "max_advance_days"),
        ):
            if (offset := text_of(status.get(attribute))) is not None:
                values[name] = _days(offset, attribute)
    for stay in message.iterfind("{*}LengthsOfStay/{*}LengthOfStay"):
        kind = text_of(stay.get("MinMaxMessageType")) or ""
        if kind.lower() not in _LOS:
            raise UnsupportedAction(
                f"MinMaxMessageType {kind or '(none)'!r} is not taken: send SetMinLOS, SetMaxLOS, "
                "SetForwardMinStay or SetForwardMaxStay",
                tag="MinMaxMessageType",
            )
        name, setting = _LOS[kind.lower()]
        if not setting:
            clear.add(name)
            continue
        unit = text_of(stay.get("TimeUnit")) or "Day"
        if unit != "Day":
            raise UnsupportedAction(f"TimeUnit {unit!r}: lengths of stay are in days", tag="TimeUnit")
        values[name] = read_count(stay.get("Time"), field="Time")
    return values, clear


def _days(offset: str, field: str) -> int:
    if offset.startswith("P") and offset.endswith("D") and offset[1:-1].isdigit():
        return int(offset[1:-1])
    raise InvalidField(f"{field} {offset!r} is not a number of days (P<n>D)", tag=field)


def _rate_amounts(container: etree._Element, prop: PropertyCodes, hotel: str) -> list[AriPatch]:
    patches: list[AriPatch] = []
    for position, message in enumerate(container.iterfind("{*}RateAmountMessage"), start=1):
        control = message.find("{*}StatusApplicationControl")
        if control is None:
            raise MissingField(f"RateAmountMessage {position} has no StatusApplicationControl", tag="Start")
        room, plan = _codes(control, prop, hotel)
        rates = message.findall("{*}Rates/{*}Rate")
        if not rates:
            raise MissingField(f"RateAmountMessage {position} has no Rate", tag="Rate")
        for rate in rates:
            # a Rate may carry its own Start/End (OpenTravel samples); else the control's apply
            span = read_span(rate if rate.get("Start") is not None else control, weekdays_from=control)
            currency = read_currency(rate.get("CurrencyCode"), default=prop.currency)
            patches.append(patch(span, room, plan, rates=_rates(rate, prop.currency, currency)))
    return patches


def _amount_of(element: etree._Element, currency: str, expected: str) -> Decimal | None:
    if read_currency(element.get("CurrencyCode"), default=currency) != expected:
        raise InvalidField(f"amounts must be in the property's currency {expected}", tag="CurrencyCode")
    for name in ("AmountAfterTax", "AmountBeforeTax", "Amount"):
        amount = read_amount(element.get(name), field=name, decimal_places=element.get("DecimalPlaces"))
        if amount is not None:
            return amount
    return None


def _rates(rate: etree._Element, expected: str, currency: str) -> RatesPatch:
    if currency != expected:
        raise InvalidField(f"amounts must be in the property's currency {expected}", tag="CurrencyCode")
    amount: Decimal | None = None
    by_guests: dict[int, Decimal] = {}
    for base in rate.iterfind("{*}BaseByGuestAmts/{*}BaseByGuestAmt"):
        value = _amount_of(base, currency, expected)
        if value is None:
            raise MissingField("BaseByGuestAmt without an amount", tag="AmountAfterTax")
        guests = text_of(base.get("NumberOfGuests"))
        if guests is None:
            amount = value
        else:
            by_guests[read_count(guests, field="NumberOfGuests")] = value
    extras: dict[str, Decimal] = {}
    for extra in rate.iterfind("{*}AdditionalGuestAmounts/{*}AdditionalGuestAmount"):
        code = text_of(extra.get("AgeQualifyingCode"))
        name = {ADULT_AQC: "extra_adult", CHILD_AQC: "extra_child"}.get(code or "")
        if name is None:
            raise UnsupportedAction(
                f"AdditionalGuestAmount AgeQualifyingCode {code!r}: 10 or 8", tag="AgeQualifyingCode"
            )
        if (value := _amount_of(extra, currency, expected)) is not None:
            extras[name] = value
    if amount is None and not by_guests and not extras:
        raise MissingField("Rate without BaseByGuestAmt or AdditionalGuestAmount", tag="BaseByGuestAmts")
    try:
        return RatesPatch(
            amount=amount,
            by_occupancy=tuple(sorted(by_guests.items())) or None,
            **extras,
        )
    except ValidationError as err:
        reasons = "; ".join(e["msg"] for e in err.errors(include_url=False, include_input=False))
        raise InvalidField(f"rates: {reasons}") from err
