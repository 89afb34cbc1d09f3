"""One OTA HotelReservation's content -> canonical room stays, guarantee and totals (hub codes)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from lxml import etree

from canonical.base import Money
from canonical.booking import CardRef, Guarantee, RoomStay, TaxBasis
from canonical.cards import card_ref_from
from connectors.ota.cards import CardSlot
from connectors.ota.codes import PropertyCodes, hub_rate_plan, hub_room_type
from connectors.ota.elements import Children
from connectors.ota.errors import InvalidDate, InvalidField, MissingField, UntokenisedCard
from connectors.ota.fields import read_amount, read_count, read_currency, read_date, text_of
from connectors.ota.pricing import money_of, pick_amount, stay_prices
from connectors.ota.profiles import comments, guest_count
from connectors.ota.settings import MAX_STAY_NIGHTS

_NIGHTS_DURATION = re.compile(r"P(\d{1,4})[ND]")
_MAX_UNITS = 9


def money(element: etree._Element | None, *, currency: str) -> Money | None:
    """A Total-like element's amount (AfterTax preferred) as Money, or None."""
    return taxed_money(element, currency=currency)[0]


def taxed_money(
    element: etree._Element | None, *, currency: str, prefer: TaxBasis | None = None
) -> tuple[Money | None, TaxBasis | None]:
    """A Total-like element's amount as Money with its tax basis (`prefer`ring one), or (None, None)."""
    if element is None:
        return None, None
    picked = pick_amount(element, default_currency=currency, prefer=prefer)
    if picked is None:
        return None, None
    return money_of(str(picked[0]), picked[1]), picked[2]


def card_ref(card: etree._Element) -> CardRef | None:
    """A tokenised PaymentCard as a CardRef; a card still holding a PAN or CVV is a programming error."""
    slot = CardSlot(card)
    if slot.pan is not None or slot.has_cvv:
        raise UntokenisedCard("a payment card still holds a card number or CVV: tokenise first")
    token, mask = slot.token, slot.mask
    brand, expiry, holder = slot.brand, slot.expiry, slot.holder_name
    if not any((token, mask, brand, expiry, holder)):
        return None
    return card_ref_from(token=token, mask=mask, brand=brand, expiry=expiry, holder_name=holder)


def guarantee(parent: Children, *, currency: str) -> Guarantee | None:
    """Guarantee (code, type, first accepted card) and DepositPayments of a RoomStay or ResGlobalInfo."""
    element = parent.first("Guarantee")
    deposit_el = parent.first_under("DepositPayments", "GuaranteePayment", "AmountPercent")
    deposit = None
    if deposit_el is not None:
        amount = read_amount(
            deposit_el.get("Amount"), field="Amount", decimal_places=deposit_el.get("DecimalPlaces")
        )
        if amount is not None:
            deposit_currency = read_currency(deposit_el.get("CurrencyCode"), default=currency)
            deposit = Money(amount=amount, currency=deposit_currency)
    if element is None and deposit is None:
        return None
    card = None
    code = gtype = None
    if element is not None:
        code, gtype = text_of(element.get("GuaranteeCode")), text_of(element.get("GuaranteeType"))
        accepted = Children(element, parent.namespace).first_under(
            "GuaranteesAccepted", "GuaranteeAccepted", "PaymentCard"
        )
        card = card_ref(accepted) if accepted is not None else None
    if not any((code, gtype, card, deposit)):
        return None
    return Guarantee(guarantee_code=code, guarantee_type=gtype, card=card, deposit=deposit)


def stay_dates(stay: Children, fallback: etree._Element | None) -> tuple[date, date]:
    """Arrival and departure from TimeSpan@Start/@End (or @Duration "P3N"), else ResGlobalInfo's."""
    span = stay.first("TimeSpan")
    if span is None:
        span = fallback
    if span is None:
        raise MissingField("RoomStay has no TimeSpan", tag="TimeSpan")
    arrival = read_date(span.get("Start"), field="Start")
    end = text_of(span.get("End"))
    if end is not None:
        departure = read_date(end, field="End")
    else:
        duration = _NIGHTS_DURATION.fullmatch(text_of(span.get("Duration")) or "")
        if duration is None:
            raise MissingField("TimeSpan has neither End nor a Duration in nights", tag="End")
        departure = arrival + timedelta(days=int(duration.group(1)))
    if departure <= arrival:
        raise InvalidDate(f"TimeSpan End {departure} is not after Start {arrival}", tag="End")
    if (departure - arrival).days > MAX_STAY_NIGHTS:
        raise InvalidField(f"a stay of more than {MAX_STAY_NIGHTS} nights is refused", tag="End")
    return arrival, departure


def _stay_code(stay: Children, holder: tuple[str, str], attribute: str) -> str:
    for element in stay.under(*holder):
        code = text_of(element.get(attribute))
        if code:
            return code
    for room_rate in stay.under("RoomRates", "RoomRate"):
        code = text_of(room_rate.get(attribute))
        if code:
            return code
    raise MissingField(f"RoomStay has no {attribute}", tag=attribute)


def room_stays(
    stay: Children,
    codes: PropertyCodes,
    *,
    hotel_code: str,
    span_fallback: etree._Element | None,
) -> list[RoomStay]:
    """One RoomStay element -> one canonical RoomStay per room (RoomType@NumberOfUnits rooms)."""
    room_type = hub_room_type(
        codes, _stay_code(stay, ("RoomTypes", "RoomType"), "RoomTypeCode"), hotel_code=hotel_code
    )
    rate_plan = hub_rate_plan(
        codes, _stay_code(stay, ("RatePlans", "RatePlan"), "RatePlanCode"), hotel_code=hotel_code
    )
    arrival, departure = stay_dates(stay, span_fallback)
    prices = stay_prices(stay, arrival=arrival, departure=departure, currency=codes.currency)
    room_type_el = stay.first_under("RoomTypes", "RoomType")
    units = 1
    if room_type_el is not None:
        units = read_count(room_type_el.get("NumberOfUnits"), field="NumberOfUnits", default=1)
    if not 1 <= units <= _MAX_UNITS:
        raise InvalidField(f"NumberOfUnits {units} is out of range 1..{_MAX_UNITS}", tag="NumberOfUnits")
    total = basis = None
    if units == 1:
        # a RoomStay Total covers all its units; split it and the sum could drift, so drop it
        total, basis = taxed_money(stay.first("Total"), currency=codes.currency, prefer=prices.basis)
        if prices.basis is not None and basis is not prices.basis:
            # a gross Total beside net rates (or the reverse) cannot be stored under one basis:
            # the core then sums the nights instead
            total = None
    one = RoomStay(
        room_type_code=room_type,
        rate_plan_code=rate_plan,
        arrival=arrival,
        departure=departure,
        guests=guest_count(stay),
        nightly=prices.nightly,
        total=total,
        # the rates say whether tax is in; without rates, the Total the nights are priced from does
        tax_basis=prices.basis or basis,
        guarantee=guarantee(stay, currency=codes.currency),
        comments=comments(stay),
    )
    return [one] * units
