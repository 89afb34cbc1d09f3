"""Strict where it matters: dates, amounts, codes, ids and card data; each refusal with its EWT/ERR."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ota_unit_builders import ATTRIBUTE_CARD, NOW, guarantee, res_notif, reservation, room_stay

from canonical.booking import BookingReceived
from canonical.errors import PermanentError
from connectors.ota.codec import read_request
from connectors.ota.errors import (
    InvalidDate,
    InvalidField,
    MissingField,
    OtaError,
    UnknownHotel,
    UnmappedRatePlan,
    UnmappedRoomType,
    UnsupportedAction,
    UnsupportedMessage,
    UntokenisedCard,
)
from connectors.ota.translate import PartnerCodes, translate_booking

Translate = Callable[..., list[BookingReceived]]


def booking(**stay: Any) -> bytes:
    """A one-stay booking with the room stay's fields overridden."""
    return res_notif(reservation(stays=(room_stay(**stay),)))


def rate(amount: str) -> str:
    """One Rate for the whole stay with an AmountAfterTax as given."""
    return f'<Rate><Base AmountAfterTax="{amount}"/></Rate>'


def dated_rate(effective: str, expire: str, basis: str = "AmountAfterTax") -> str:
    """One Rate from `effective` to `expire` (May 2030 days) with an amount of 1."""
    return (
        f'<Rate EffectiveDate="2030-05-{effective}" ExpireDate="2030-05-{expire}"><Base {basis}="1"/></Rate>'
    )


REFUSALS = {
    "invalid_calendar_date": (booking(start="2030-02-30"), InvalidDate, (3, 15)),
    "not_a_date": (booking(end="05/04/2030"), InvalidDate, (3, 15)),
    "end_before_start": (booking(start="2030-05-04", end="2030-05-01"), InvalidDate, (3, 15)),
    "stay_over_a_year": (booking(end="2032-05-04"), InvalidField, (3, 320)),
    "amount_with_comma": (booking(rates=rate("12,50")), InvalidField, (3, 320)),
    "negative_amount": (booking(rates=rate("-1.00")), InvalidField, (3, 320)),
    "amount_nan": (booking(rates=rate("NaN")), InvalidField, (3, 320)),
    "amount_infinity": (booking(rates=rate("Infinity")), InvalidField, (3, 320)),
    "bad_currency": (
        booking(rates='<Rate><Base AmountAfterTax="1" CurrencyCode="Euro"/></Rate>'),
        InvalidField,
        (3, 320),
    ),
    "bad_guest_count": (booking(guest_counts='<GuestCount Count="two"/>'), InvalidField, (3, 320)),
    "rates_leave_a_gap": (
        booking(rates=dated_rate("01", "02") + dated_rate("05", "06")),
        InvalidField,
        (3, 320),
    ),
    "rates_mix_tax_basis": (
        booking(rates=dated_rate("01", "02") + dated_rate("02", "04", "AmountBeforeTax")),
        InvalidField,
        (3, 320),
    ),
    "unknown_rate_time_unit": (
        booking(rates='<Rate RateTimeUnit="Month"><Base AmountAfterTax="1"/></Rate>'),
        InvalidField,
        (3, 320),
    ),
    "unmapped_hotel": (booking(hotel="H9"), UnknownHotel, (3, 392)),
    "unmapped_room_type": (booking(room_type="SUITE"), UnmappedRoomType, (3, 402)),
    "unmapped_rate_plan": (booking(rate_plan="NRF"), UnmappedRatePlan, (3, 436)),
    "no_room_type": (booking(room_type=None), MissingField, (10, 321)),
    "no_rate_plan": (booking(rate_plan=None), MissingField, (10, 321)),
    "no_reservation_id": (res_notif(reservation(res_id=None)), MissingField, (10, 321)),
    "reservation_id_over_32": (res_notif(reservation(res_id="R" * 33)), InvalidField, (3, 320)),
    "commit_without_room_stays": (res_notif(reservation(stays=())), MissingField, (10, 321)),
    "no_hotel_reservation": (
        res_notif(reservation())
        .replace(b"<HotelReservations>", b"<X>")
        .replace(b"</HotelReservations>", b"</X>"),
        MissingField,
        (10, 321),
    ),
    "status_initiate": (res_notif(reservation(status="Initiate")), UnsupportedAction, (3, 356)),
    "status_requested": (res_notif(reservation(status="Requested")), UnsupportedAction, (3, 356)),
    "bad_create_date_time": (res_notif(reservation(create="yesterday")), InvalidDate, (3, 15)),
    "two_hotels_in_one_reservation": (
        res_notif(reservation(stays=(room_stay(), room_stay(hotel="H2")))),
        InvalidField,
        (3, 320),
    ),
    "unsupported_message": (res_notif(name="OTA_HotelAvailNotifRQ"), UnsupportedMessage, (2, 450)),
}


@pytest.mark.parametrize(("body", "error", "pair"), list(REFUSALS.values()), ids=list(REFUSALS))
def test_given_invalid_booking_when_translated_then_refused_with_ota_codes(
    translate: Translate, body: bytes, error: type[OtaError], pair: tuple[int, int]
) -> None:
    with pytest.raises(error) as caught:
        translate(body)
    assert (caught.value.ota_type, caught.value.ota_code) == pair
    assert isinstance(caught.value, PermanentError)
    assert caught.value.message


@pytest.mark.parametrize(
    ("stay", "error", "code"),
    [
        ({"hotel": "H9"}, UnknownHotel, "H9"),
        ({"room_type": "SUITE"}, UnmappedRoomType, "SUITE"),
        ({"rate_plan": "NRF"}, UnmappedRatePlan, "NRF"),
    ],
)
def test_given_unmapped_code_when_refused_then_message_names_the_code(
    translate: Translate, stay: dict[str, str], error: type[OtaError], code: str
) -> None:
    with pytest.raises(error) as caught:
        translate(booking(**stay))
    assert code in caught.value.message
    assert getattr(caught.value, "code") == code


def test_given_card_not_tokenised_when_translated_then_programming_error(translate: Translate) -> None:
    with pytest.raises(UntokenisedCard):
        translate(booking(extra=guarantee(ATTRIBUTE_CARD)))


def test_given_refused_reservation_when_translated_then_no_confirmation_consumed(
    codes: PartnerCodes,
) -> None:
    asked: list[str] = []
    body = res_notif(reservation(res_id="A"), reservation(res_id="B", stays=(room_stay(room_type="X"),)))
    with pytest.raises(UnmappedRoomType):
        translate_booking(
            read_request(body, max_bytes=100_000),
            codes,
            partner_id="p1",
            confirmation_for=asked.append,  # type: ignore[arg-type]
            now=NOW,
        )
    assert asked == []
