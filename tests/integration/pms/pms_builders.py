"""Builders of PMS core commands and partner booking messages, with sensible defaults."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from canonical.base import Money
from canonical.booking import (
    BookingAction,
    BookingReceived,
    CardRef,
    CreateBooking,
    Guarantee,
    Guest,
    GuestCount,
    NightlyPrice,
    RoomStay,
    TaxBasis,
)
from canonical.property import DefineProperty, RatePlanDefinition, RoomTypeDefinition

HOTEL = "HOTEL1"
PARTNER = "OTA1"
ARRIVAL = date(2031, 6, 1)
CURRENCY = "EUR"

DEFAULT_ROOMS: dict[str, tuple[str, ...]] = {"DBL": ("101", "102", "103"), "SGL": ("201",)}
DEFAULT_RATES: dict[str, str] = {"DBL": "120.00", "SGL": "90.00"}


def a_property(
    code: str = HOTEL,
    *,
    rooms: dict[str, tuple[str, ...]] | None = None,
    rates: dict[str, str] | None = None,
    name: str = "Hotel One",
) -> DefineProperty:
    """A property with room types DBL (3 rooms) and SGL (1 room), sold on rate plan BAR."""
    rooms = DEFAULT_ROOMS if rooms is None else rooms
    rates = DEFAULT_RATES if rates is None else rates
    return DefineProperty(
        code=code,
        name=name,
        timezone="Europe/Vienna",
        currency=CURRENCY,
        room_types=tuple(
            RoomTypeDefinition(code=type_code, name=f"Room {type_code}", max_occupancy=3, rooms=numbers)
            for type_code, numbers in rooms.items()
        ),
        rate_plans=(
            RatePlanDefinition(
                code="BAR",
                name="Best available rate",
                room_types=tuple(rooms),
                default_rates={
                    type_code: Decimal(rate) for type_code, rate in rates.items() if type_code in rooms
                },
            ),
        ),
    )


def a_stay(
    room_type: str = "DBL",
    *,
    arrival: date = ARRIVAL,
    nights: int = 2,
    nightly: str | None = "100.00",
    rate_plan: str = "BAR",
    adults: int = 2,
    tax_basis: TaxBasis | None = None,
) -> RoomStay:
    """One room stay; `nightly` prices every night the same (None: no prices sent), on `tax_basis`."""
    dates = [arrival + timedelta(days=offset) for offset in range(nights)]
    prices: tuple[NightlyPrice, ...] = ()
    if nightly is not None:
        prices = tuple(
            NightlyPrice(night=night, price=Money(amount=Decimal(nightly), currency=CURRENCY))
            for night in dates
        )
    return RoomStay(
        room_type_code=room_type,
        rate_plan_code=rate_plan,
        arrival=arrival,
        departure=arrival + timedelta(days=nights),
        guests=GuestCount(adults=adults),
        nightly=prices,
        tax_basis=tax_basis,
    )


def revision(minute: int) -> str:
    """A partner revision: the partner's last-modified timestamp, `minute` minutes after 10:00."""
    return f"2031-01-01T10:{minute:02d}:00Z"


def a_card_guarantee() -> Guarantee:
    """A card guarantee as ingress leaves it: token and safe parts only, plus the holder's name."""
    return Guarantee(
        guarantee_code="CC",
        card=CardRef(
            brand="VI", bin="411111", last4="1111", expiry="12/30", holder_name="A J SMITH", token="tok_1"
        ),
    )


def a_reservation(
    reservation_id: str = "R1",
    *,
    action: BookingAction = BookingAction.COMMIT,
    rev: int = 0,
    stays: tuple[RoomStay, ...] | None = None,
    partner: str = PARTNER,
    hotel: str = HOTEL,
    confirmation: str | None = None,
) -> BookingReceived:
    """A partner's reservation message for one guest, by default one DBL room for two nights."""
    if stays is None:
        stays = () if action is BookingAction.CANCEL else (a_stay(),)
    return BookingReceived(
        partner_id=partner,
        partner_reservation_id=reservation_id,
        partner_revision=revision(rev),
        confirmation=confirmation or f"H{reservation_id}",
        action=action,
        property_code=hotel,
        room_stays=stays,
        guests=(Guest(given_name="Ann", surname="Smith", email="ann@example.org", primary=True),),
        guarantee=a_card_guarantee(),
        comments=("late arrival",),
    )


def a_direct_booking(
    room_type: str = "DBL",
    *,
    arrival: date = ARRIVAL,
    nights: int = 2,
    adults: int = 2,
    hotel: str = HOTEL,
) -> CreateBooking:
    """A direct booking through the PMS API."""
    return CreateBooking(
        property_code=hotel,
        room_type_code=room_type,
        rate_plan_code="BAR",
        arrival=arrival,
        departure=arrival + timedelta(days=nights),
        occupancy=GuestCount(adults=adults),
        guests=(Guest(given_name="Bo", surname="Lee", primary=True),),
    )
