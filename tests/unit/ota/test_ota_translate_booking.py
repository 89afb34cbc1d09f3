"""OTA_HotelResNotifRQ -> BookingReceived: actions, ids, revisions, stays, guests, cards, leniency."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from ota_unit_builders import (
    NA_CARD,
    NOW,
    TOKEN_CARD,
    guarantee,
    res_notif,
    reservation,
    room_stay,
)

from canonical.booking import BookingAction, BookingReceived
from connectors.ota.codec import OtaRequest, read_request
from connectors.ota.translate import PartnerCodes, hotel_codes, translate_booking

Translate = Callable[..., list[BookingReceived]]
Parse = Callable[[bytes], OtaRequest]


def test_given_commit_booking_when_translated_then_mapped_to_hub_codes(translate: Translate) -> None:
    (booking,) = translate(res_notif())
    assert booking.action is BookingAction.COMMIT
    assert (booking.partner_id, booking.partner_reservation_id) == ("p1", "R-1001")
    assert booking.confirmation == "HH-R-1001"
    assert booking.property_code == "P1"
    (stay,) = booking.room_stays
    assert (stay.room_type_code, stay.rate_plan_code) == ("DOUBLE", "FLEX")
    assert (stay.arrival, stay.departure) == (date(2030, 5, 1), date(2030, 5, 4))
    assert stay.guests.adults == 2
    assert booking.partner_created_at == datetime(2030, 1, 10, 10, tzinfo=UTC)
    assert booking.guests[0].surname == "Lovelace" and booking.guests[0].primary


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("Commit", BookingAction.COMMIT),
        ("Book", BookingAction.COMMIT),
        ("Reserved", BookingAction.COMMIT),
        ("Modify", BookingAction.MODIFY),
        ("Modified", BookingAction.MODIFY),
        ("Cancel", BookingAction.CANCEL),
        ("Cancelled", BookingAction.CANCEL),
        (None, BookingAction.COMMIT),
    ],
)
def test_given_res_status_when_translated_then_action(
    translate: Translate, status: str | None, action: BookingAction
) -> None:
    (booking,) = translate(res_notif(reservation(status=status)))
    assert booking.action is action


def test_given_status_on_root_only_when_translated_then_root_status_used(translate: Translate) -> None:
    (booking,) = translate(res_notif(reservation(status=None), root_status="Modify"))
    assert booking.action is BookingAction.MODIFY


def test_given_cancel_with_unmapped_room_when_translated_then_cancel_without_stays(
    translate: Translate,
) -> None:
    stay = room_stay(room_type="GONE", rate_plan="GONE")
    (booking,) = translate(res_notif(reservation(status="Cancel", stays=(stay,))))
    assert booking.action is BookingAction.CANCEL and booking.room_stays == ()


def test_given_cancellation_unique_id_type_15_when_cancelled_then_used(translate: Translate) -> None:
    body = res_notif(reservation(status="Cancelled", res_id=None)).replace(
        b"<RoomStays>", b'<UniqueID Type="15" ID="X-9"/><RoomStays>'
    )
    (booking,) = translate(body)
    assert booking.partner_reservation_id == "X-9"


def test_given_id_of_senders_type_when_no_unique_id_then_hotel_reservation_id(
    translate: Translate,
) -> None:
    ids = (
        '<HotelReservationIDs><HotelReservationID ResID_Type="10" ResID_Value="HOTEL-1"/>'
        '<HotelReservationID ResID_Type="13" ResID_Value="BROKER-7"/></HotelReservationIDs>'
    )
    pos = '<POS><Source><RequestorID Type="13" ID="473"/></Source></POS>'
    (booking,) = translate(res_notif(reservation(res_id=None, global_info=ids), pos=pos))
    assert booking.partner_reservation_id == "BROKER-7"


def test_given_several_reservations_when_translated_then_one_booking_each(translate: Translate) -> None:
    bookings = translate(res_notif(reservation(res_id="A"), reservation(res_id="B", status="Modify")))
    assert [(b.partner_reservation_id, b.action) for b in bookings] == [
        ("A", BookingAction.COMMIT),
        ("B", BookingAction.MODIFY),
    ]


def test_given_several_room_stays_and_units_when_translated_then_one_stay_per_room(
    translate: Translate,
) -> None:
    stays = (room_stay(), room_stay(room_type="SGL", units=' NumberOfUnits="2"'))
    (booking,) = translate(res_notif(reservation(stays=stays)))
    assert [s.room_type_code for s in booking.room_stays] == ["DOUBLE", "SINGLE", "SINGLE"]
    assert booking.room_stays[1].total is None and booking.room_stays[0].total is not None


@pytest.mark.parametrize(
    ("modify", "create", "timestamp", "expected"),
    [
        ("2030-01-12T09:00:00+01:00", "2030-01-10T10:00:00Z", None, "Modify@2030-01-12T08:00:00+00:00"),
        (None, "2030-01-10 10:00:00", "2030-01-11T00:00:00Z", "Modify@2030-01-10T10:00:00+00:00"),
        (None, None, "2030-01-11T00:00:00Z", "Modify@2030-01-11T00:00:00+00:00"),
    ],
    ids=["last_modify", "create_with_space_no_zone", "request_timestamp"],
)
def test_given_timestamps_when_translated_then_revision_from_the_most_specific(
    translate: Translate, modify: str | None, create: str | None, timestamp: str | None, expected: str
) -> None:
    body = res_notif(reservation(status="Modify", modify=modify, create=create), timestamp=timestamp)
    (booking,) = translate(body)
    assert booking.partner_revision == expected


def test_given_no_timestamps_when_translated_then_revision_is_content_hash(translate: Translate) -> None:
    first = translate(res_notif(reservation(create=None)))[0].partner_revision
    again = translate(res_notif(reservation(create=None)))[0].partner_revision
    changed = translate(res_notif(reservation(create=None, stays=(room_stay(end="2030-05-05"),))))
    assert first.startswith("Commit#sha256:") and first == again
    assert changed[0].partner_revision != first


def test_given_per_night_rates_when_translated_then_one_price_per_night(translate: Translate) -> None:
    rates = "".join(
        f'<Rate EffectiveDate="2030-05-0{day}" ExpireDate="2030-05-0{day}">'
        f'<Base AmountAfterTax="{amount}" CurrencyCode="EUR"/></Rate>'
        for day, amount in ((1, "100.00"), (2, "110.00"), (3, "120.00"))
    )
    (booking,) = translate(res_notif(reservation(stays=(room_stay(rates=rates),))))
    assert [(p.night.day, p.price.amount) for p in booking.room_stays[0].nightly] == [
        (1, Decimal("100.00")),
        (2, Decimal("110.00")),
        (3, Decimal("120.00")),
    ]


def test_given_one_rate_for_the_period_when_translated_then_expanded_after_tax(
    translate: Translate,
) -> None:
    (booking,) = translate(res_notif())
    nightly = booking.room_stays[0].nightly
    assert [p.night for p in nightly] == [date(2030, 5, d) for d in (1, 2, 3)]
    assert {p.price.amount for p in nightly} == {Decimal("100.00")}  # AfterTax preferred
    assert {p.price.currency for p in nightly} == {"EUR"}


def test_given_inclusive_expire_dates_when_translated_then_read_inclusively(
    translate: Translate,
) -> None:
    rates = (
        '<Rate EffectiveDate="2030-05-01" ExpireDate="2030-05-02"><Base AmountAfterTax="80"/></Rate>'
        '<Rate EffectiveDate="2030-05-03" ExpireDate="2030-05-03"><Base AmountAfterTax="95"/></Rate>'
    )
    (booking,) = translate(res_notif(reservation(stays=(room_stay(rates=rates),))))
    assert [p.price.amount for p in booking.room_stays[0].nightly] == [80, 80, 95]


def test_given_unit_multiplier_when_translated_then_amount_spread_to_the_cent(
    translate: Translate,
) -> None:
    rates = '<Rate UnitMultiplier="3" RateTimeUnit="Day"><Base AmountBeforeTax="100.00"/></Rate>'
    (booking,) = translate(res_notif(reservation(stays=(room_stay(rates=rates),))))
    amounts = [p.price.amount for p in booking.room_stays[0].nightly]
    assert amounts == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(amounts) == Decimal("100.00")
    assert booking.room_stays[0].nightly[0].price.currency == "EUR"  # the property's currency


def test_given_full_duration_rate_when_translated_then_spread_over_the_nights(
    translate: Translate,
) -> None:
    rates = '<Rate RateTimeUnit="FullDuration"><Base AmountAfterTax="300" CurrencyCode="USD"/></Rate>'
    (booking,) = translate(res_notif(reservation(stays=(room_stay(rates=rates),))))
    assert [p.price.amount for p in booking.room_stays[0].nightly] == [100, 100, 100]


def test_given_decimal_places_without_point_when_translated_then_minor_units(
    translate: Translate,
) -> None:
    rates = '<Rate><Base AmountAfterTax="8500" DecimalPlaces="2"/></Rate>'
    (booking,) = translate(res_notif(reservation(stays=(room_stay(rates=rates),))))
    assert booking.room_stays[0].nightly[0].price.amount == Decimal("85.00")


def test_given_guest_counts_by_code_and_age_when_translated_then_adults_children_ages(
    translate: Translate,
) -> None:
    counts = (
        '<GuestCount AgeQualifyingCode="10" Count="2"/><GuestCount AgeQualifyingCode="8" Count="1" Age="7"/>'
        '<GuestCount Count="1" Age="4"/><GuestCount Count="1" Age="19"/><GuestCount AgeQualifyingCode="8"/>'
        '<GuestCount AgeQualifyingCode="10" Count="0"/>'
    )
    (booking,) = translate(res_notif(reservation(stays=(room_stay(guest_counts=counts),))))
    guests = booking.room_stays[0].guests
    assert (guests.adults, guests.children, guests.child_ages) == (3, 3, (7, 4))


def test_given_comments_and_loose_order_when_translated_then_read_and_unknowns_ignored(
    translate: Translate,
) -> None:
    global_info = (
        '<BasicPropertyInfo HotelCode="H1"/><Comments><Comment Name="customer comment"><Text>\n'
        "   Late arrival\n   about 23:00\n</Text></Comment></Comments><VendorGossip x='1'/>"
        '<Total AmountAfterTax="300.00" AmountBeforeTax="270.00" CurrencyCode="EUR"/>'
        '<HotelReservationIDs><HotelReservationID ResID_Type="14" ResID_Value="Z"/></HotelReservationIDs>'
    )
    stay = room_stay(extra="<Comments><Comment><Text>quiet room</Text></Comment></Comments><Junk/>")
    (booking,) = translate(res_notif(reservation(stays=(stay,), global_info=global_info)))
    assert booking.comments == ("customer comment: Late arrival\nabout 23:00",)
    assert booking.room_stays[0].comments == ("quiet room",)
    assert booking.total is not None and booking.total.amount == Decimal("300.00")


def test_given_tokenised_card_in_stay_guarantee_when_translated_then_card_ref(
    translate: Translate,
) -> None:
    (booking,) = translate(res_notif(reservation(stays=(room_stay(extra=guarantee(TOKEN_CARD)),))))
    stay_guarantee = booking.room_stays[0].guarantee
    assert stay_guarantee is not None and stay_guarantee.card is not None
    card = stay_guarantee.card
    assert (card.brand, card.bin, card.last4, card.expiry, card.token) == (
        "VI",
        "411111",
        "1111",
        "09/31",
        "tok123",
    )
    assert stay_guarantee.guarantee_code == "CC"


def test_given_global_guarantee_and_deposit_when_translated_then_booking_guarantee(
    translate: Translate,
) -> None:
    global_info = guarantee(TOKEN_CARD) + (
        '<DepositPayments><GuaranteePayment><AmountPercent Amount="50.00" CurrencyCode="EUR"/>'
        "</GuaranteePayment></DepositPayments>"
    )
    (booking,) = translate(res_notif(reservation(global_info=global_info)))
    assert booking.guarantee is not None and booking.guarantee.card is not None
    assert booking.guarantee.deposit is not None
    assert booking.guarantee.deposit.amount == Decimal("50.00")


def test_given_na_card_values_when_translated_then_no_card_ref(translate: Translate) -> None:
    (booking,) = translate(res_notif(reservation(stays=(room_stay(extra=guarantee(NA_CARD)),))))
    assert booking.room_stays[0].guarantee is not None
    assert booking.room_stays[0].guarantee.card is None


def test_given_unqualified_message_when_translated_then_same_booking(translate: Translate) -> None:
    (booking,) = translate(res_notif(namespace=None))
    assert booking.room_stays[0].room_type_code == "DOUBLE"


def test_given_no_hotel_code_and_one_partner_hotel_when_translated_then_that_hotel(
    translate: Translate, parse: Parse, codes: PartnerCodes
) -> None:
    body = res_notif(reservation(stays=(room_stay(hotel=None),)))
    assert hotel_codes(parse(body)) == []
    assert hotel_codes(parse(body), codes) == ["H1"]
    assert translate(body)[0].property_code == "P1"


def test_given_hotels_in_message_when_listed_then_document_order_without_repeats(parse: Parse) -> None:
    stays = (room_stay(hotel="H2"), room_stay(hotel="H1"), room_stay(hotel="H2"))
    body = res_notif(reservation(stays=stays[:1]), reservation(stays=stays[1:]))
    assert hotel_codes(parse(body)) == ["H2", "H1"]


def test_given_translation_when_done_then_confirmation_asked_once_per_booking(
    codes: PartnerCodes,
) -> None:
    asked: list[str] = []

    def confirm(partner_res_id: str) -> str:
        asked.append(partner_res_id)
        return f"C-{partner_res_id}"

    req = read_request(res_notif(reservation(res_id="A"), reservation(res_id="B")), max_bytes=10_000)
    bookings = translate_booking(req, codes, partner_id="p1", confirmation_for=confirm, now=NOW)
    assert asked == ["A", "B"]
    assert [b.confirmation for b in bookings] == ["C-A", "C-B"]
