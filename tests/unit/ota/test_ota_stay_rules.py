"""A careless partner's booking: a stay already over is refused; too many guests or another
currency is kept with a warning on the stay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from ota_unit_builders import cancel_rq, res_notif, reservation, room_stay

from canonical.booking import BookingAction, BookingReceived, WarningKind
from connectors.ota.codec import read_request
from connectors.ota.errors import PastStay
from connectors.ota.responses import error_response
from connectors.ota.translate import PartnerCodes, PropertyCodes, translate_booking

# late in the evening of 4 May 2030 in UTC: already 5 May in Auckland, still 4 May in Honolulu
NOW = datetime(2030, 5, 4, 23, 30, tzinfo=UTC)


def codes(timezone: str = "UTC", max_double: int = 2, currency: str = "EUR") -> PartnerCodes:
    """Hotel H1 -> P1 in `timezone`, whose DOUBLE holds `max_double` guests."""
    return PartnerCodes(
        hotels={
            "H1": PropertyCodes(
                hub_property="P1",
                currency=currency,
                room_types={"DBL": "DOUBLE"},
                rate_plans={"BAR": "FLEX"},
                timezone=timezone,
                max_occupancy={"DOUBLE": max_double},
            )
        }
    )


def translate(
    body: bytes, partner_codes: PartnerCodes | None = None, now: datetime = NOW
) -> list[BookingReceived]:
    """Translate at `now` for partner p1."""
    return translate_booking(
        read_request(body, max_bytes=100_000),
        partner_codes or codes(),
        partner_id="p1",
        confirmation_for=lambda res_id: f"HH-{res_id}",
        now=now,
    )


def booking_of(start: str, end: str, status: str = "Commit", **stay: str) -> bytes:
    """One reservation of one stay from `start` to `end`, without rates (the Total prices it)."""
    return res_notif(reservation(status=status, stays=(room_stay(start=start, end=end, rates="", **stay),)))


Translate = Callable[..., list[BookingReceived]]


@pytest.mark.parametrize(("start", "end"), [("2030-04-28", "2030-05-03"), ("2030-05-01", "2030-05-02")])
def test_given_a_new_booking_that_departed_before_today_when_translated_then_refused_3_122(
    start: str, end: str
) -> None:
    with pytest.raises(PastStay) as caught:
        translate(booking_of(start, end))
    assert (caught.value.ota_type, caught.value.ota_code) == (3, 122)
    assert caught.value.tag == "End" and "today (2030-05-04" in caught.value.message
    answer = error_response(read_request(booking_of(start, end), max_bytes=100_000), [caught.value])
    assert b'Type="3" Code="122" ShortText="End date has passed"' in answer


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2030-05-03", "2030-05-04"),
        ("2030-05-03", "2030-05-06"),
        ("2030-05-04", "2030-05-05"),
        ("2030-04-20", "2030-05-04"),
    ],
    ids=["arrived_yesterday_leaves_today", "arrived_yesterday_stays_on", "arrives_today", "leaves_today"],
)
def test_given_a_new_booking_still_running_when_translated_then_accepted(start: str, end: str) -> None:
    (booking,) = translate(booking_of(start, end))
    assert booking.action is BookingAction.COMMIT


def test_given_the_property_time_zone_when_judged_then_its_today_counts_not_utc() -> None:
    leaves_4_may = booking_of("2030-05-03", "2030-05-04")
    assert translate(leaves_4_may, codes("Pacific/Honolulu"))  # still 4 May there
    with pytest.raises(PastStay):
        translate(leaves_4_may, codes("Pacific/Auckland"))  # 5 May there: the guest left yesterday


@pytest.mark.parametrize("status", ["Modify", "Cancel"])
def test_given_a_modification_or_cancellation_of_a_past_stay_when_translated_then_accepted(
    status: str,
) -> None:
    (booking,) = translate(booking_of("2030-04-01", "2030-04-03", status=status))
    assert booking.action is (BookingAction.MODIFY if status == "Modify" else BookingAction.CANCEL)


def test_given_a_cancel_rq_long_after_the_stay_when_translated_then_accepted() -> None:
    (booking,) = translate(cancel_rq(), now=datetime(2031, 1, 1, tzinfo=UTC))
    assert booking.action is BookingAction.CANCEL


def test_given_more_guests_than_the_room_type_holds_when_translated_then_kept_with_a_warning() -> None:
    three = (
        '<GuestCount AgeQualifyingCode="10" Count="2"/><GuestCount AgeQualifyingCode="8" Count="1" Age="7"/>'
    )
    (booking,) = translate(booking_of("2030-06-01", "2030-06-03", guest_counts=three))
    (stay,) = booking.room_stays
    (warning,) = stay.warnings
    assert warning.kind is WarningKind.OCCUPANCY_EXCEEDED
    assert warning.detail == "3 guests in room type DOUBLE, which holds 2"


def test_given_amounts_in_another_currency_when_translated_then_kept_with_a_warning() -> None:
    total = '<Total AmountAfterTax="300.00" CurrencyCode="CHF"/>'
    (booking,) = translate(booking_of("2030-06-01", "2030-06-03", total=total))
    (stay,) = booking.room_stays
    assert stay.total is not None and stay.total.currency == "CHF"
    (warning,) = stay.warnings
    assert warning.kind is WarningKind.CURRENCY_MISMATCH
    assert warning.detail == "amounts in CHF; the property sells in EUR"


def test_given_a_booking_that_fits_when_translated_then_no_warning() -> None:
    (booking,) = translate(booking_of("2030-06-01", "2030-06-03"))
    assert booking.room_stays[0].warnings == ()


def test_given_the_same_push_with_a_warning_when_translated_twice_then_the_same_content_revision() -> None:
    three = '<GuestCount AgeQualifyingCode="10" Count="3"/>'
    body = res_notif(
        reservation(
            create=None,
            stays=(room_stay(start="2030-06-01", end="2030-06-03", rates="", guest_counts=three),),
        )
    )
    first, second = translate(body, codes(max_double=2)), translate(body, codes(max_double=4))
    assert first[0].room_stays[0].warnings and not second[0].room_stays[0].warnings
    # a warning is the hub's finding, not what the partner sent: a re-push is the same revision
    assert first[0].partner_revision == second[0].partner_revision
