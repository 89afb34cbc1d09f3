"""OTA_CancelRQ -> a CANCEL BookingReceived: which UniqueID, which hotel, which cancel types."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ota_unit_builders import cancel_rq

from canonical.booking import BookingAction, BookingReceived
from connectors.ota.errors import (
    MissingField,
    NotCommitted,
    UnknownHotel,
    UnsupportedAction,
    UnsupportedMessage,
)
from connectors.ota.translate import PartnerCodes, PropertyCodes

Translate = Callable[..., list[BookingReceived]]

HOTEL_IN_VERIFICATION = (
    '<Verification><TPA_Extensions><BasicPropertyInfo HotelCode="H2"/></TPA_Extensions></Verification>'
)


@pytest.fixture
def two_hotels(codes: PartnerCodes) -> PartnerCodes:
    """The partner's code map with a second hotel H2 -> P2."""
    second = PropertyCodes(hub_property="P2", currency="CHF", room_types={}, rate_plans={})
    return PartnerCodes(hotels={**codes.hotels, "H2": second})


@pytest.mark.parametrize("cancel_type", ["Commit", "Cancel", "CommitOverrideEdits", None])
def test_given_cancel_rq_when_translated_then_cancel_of_the_reservation(
    translate: Translate, cancel_type: str | None
) -> None:
    (booking,) = translate(cancel_rq(cancel_type=cancel_type))
    assert booking.action is BookingAction.CANCEL
    assert booking.partner_reservation_id == "R-1001"
    assert booking.property_code == "P1"
    assert booking.confirmation == "HH-R-1001"
    assert booking.partner_revision == "Cancel@2030-02-01T08:00:00+00:00"
    assert booking.room_stays == ()


def test_given_several_unique_ids_when_translated_then_reservation_type_wins(
    translate: Translate,
) -> None:
    ids = '<UniqueID Type="10" ID="OURS-1"/><UniqueID Type="14" ID="THEIRS-1"/>'
    assert translate(cancel_rq(unique_ids=ids))[0].partner_reservation_id == "THEIRS-1"


def test_given_only_our_confirmation_when_translated_then_passed_on_as_sent(
    translate: Translate,
) -> None:
    ids = '<UniqueID Type="10" ID="HH-77" ID_Context="hotelhub"/>'
    assert translate(cancel_rq(unique_ids=ids))[0].partner_reservation_id == "HH-77"


def test_given_hotel_in_verification_when_translated_then_that_property(
    translate: Translate, two_hotels: PartnerCodes
) -> None:
    (booking,) = translate(cancel_rq(verification=HOTEL_IN_VERIFICATION), two_hotels)
    assert booking.property_code == "P2"


def test_given_no_hotel_and_several_partner_hotels_when_translated_then_missing_field(
    translate: Translate, two_hotels: PartnerCodes
) -> None:
    with pytest.raises(MissingField, match="HotelCode"):
        translate(cancel_rq(), two_hotels)


def test_given_unknown_hotel_when_translated_then_unknown_hotel(translate: Translate) -> None:
    with pytest.raises(UnknownHotel):
        translate(cancel_rq(verification=HOTEL_IN_VERIFICATION))


def test_given_no_timestamp_when_translated_then_content_revision(translate: Translate) -> None:
    (booking,) = translate(cancel_rq(timestamp=None))
    assert booking.partner_revision.startswith("Cancel#sha256:")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (cancel_rq(sector="1"), UnsupportedMessage),
        (
            cancel_rq(unique_ids='<UniqueID Type="14" ID="X"><CompanyName TravelSector="1"/></UniqueID>'),
            UnsupportedMessage,
        ),
        (cancel_rq(cancel_type="Ignore"), NotCommitted),
        (cancel_rq(cancel_type="Initiate"), NotCommitted),
        (cancel_rq(cancel_type="Quote"), NotCommitted),
        (cancel_rq(cancel_type="Book"), UnsupportedAction),
        (cancel_rq(unique_ids=""), MissingField),
    ],
    ids=["air_sector", "air_record", "ignore", "initiate", "quote", "book", "no_unique_id"],
)
def test_given_cancel_the_hub_cannot_act_on_when_translated_then_refused(
    translate: Translate, body: bytes, error: type[Exception]
) -> None:
    with pytest.raises(error):
        translate(body)
