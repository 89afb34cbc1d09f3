"""Builders of OTA pushes for the demo hotel, in partner otaone's codes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hub.demo.messages import GuestSpec, ReservationSpec, StaySpec, cancel_rq, hotel_res_notif, plain

OTAONE = ("otaone", "otaone-secret")
OTATWO = ("otatwo-alpina", "otatwo-secret")
HOTEL = "ALP-4711"
ARRIVAL = date(2031, 2, 10)
T0 = datetime(2030, 12, 1, 9, 0, tzinfo=UTC)
GUEST = GuestSpec(
    given_name="Anna",
    surname="Huber",
    email="anna.huber@example.com",
    phone="+43 660 1234567",
    language="de",
    address_line="Hauptstraße 5",
    city="Wien",
    postal_code="1010",
    country_code="AT",
)
TEST_PAN = "4111111111111111"
TEST_CVV = "737"


def stay(room: str = "DZSTD", rate: str = "FLEX1", arrival: date = ARRIVAL, nights: int = 2) -> StaySpec:
    """One stay in otaone's codes."""
    return StaySpec(
        room_code=room,
        rate_code=rate,
        arrival=arrival,
        departure=arrival + timedelta(days=nights),
        adults=2,
        child_ages=(),
        nightly=Decimal("180.00"),
    )


def reservation(res_id: str, *stays: StaySpec, revision: int = 0) -> ReservationSpec:
    """A reservation of otaone at revision `revision` (later revisions are later timestamps)."""
    at = T0 + timedelta(minutes=revision)
    return ReservationSpec(
        reservation_id=res_id,
        partner_name="OTA One",
        hotel_code=HOTEL,
        currency="EUR",
        stays=stays or (stay(),),
        guest=GUEST,
        created_at=T0,
        modified_at=at,
        comment="Late arrival",
        card=True,
    )


def commit(spec: ReservationSpec) -> bytes:
    """OTA_HotelResNotifRQ ResStatus=Commit."""
    return plain(hotel_res_notif(spec, "Commit", echo_token=f"c-{spec.reservation_id}"))


def modify(spec: ReservationSpec) -> bytes:
    """OTA_HotelResNotifRQ ResStatus=Modify."""
    return plain(hotel_res_notif(spec, "Modify", echo_token=f"m-{spec.reservation_id}"))


def cancel(spec: ReservationSpec) -> bytes:
    """OTA_CancelRQ for the reservation."""
    return plain(cancel_rq(spec, echo_token=f"x-{spec.reservation_id}"))


def before_tax(body: bytes) -> bytes:
    """The same message with every amount sent as AmountBeforeTax (net) instead of AmountAfterTax."""
    return body.replace(b"AmountAfterTax=", b"AmountBeforeTax=")
