"""Every third-party OTA_HotelResNotifRQ / OTA_CancelRQ sample is translated or refused as expected.

Cards in each sample go through the local vault first; afterwards no PAN or CVV may remain in the tree.
The code map is permissive (each code of the sample mapped to itself) so these tests are about parsing;
a few tests below drop one code on purpose to check ERR 392 / 402 / 436.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from ota_conformance import (
    SAMPLE_HOTEL,
    assert_answer_valid,
    discover,
    load,
    permissive_codes,
    translate,
)

from canonical.booking import BookingAction, TaxBasis
from connectors.ota.errors import (
    MissingField,
    NotCommitted,
    OtaError,
    UnknownHotel,
    UnmappedRatePlan,
    UnmappedRoomType,
    UnsupportedMessage,
)
from connectors.ota.responses import error_response, success_response
from connectors.ota.translate import PartnerCodes, PropertyCodes
from connectors.payments.vault import LocalCardVault

OTA_2011B = "opentravel-specs/OTA1.0/OTA2011B/OpenTravel2011B_XML"
ALPINEBITS = "alpinebits-noi-opendatahub/alpinebits-xml/impl/src/test/resources/examples"
AB_PUSH_2018 = f"{ALPINEBITS}/v_2018_10/GuestRequests-OTA_HotelResNotifRQ-reservation-push.xml"
AB_PUSH_2024 = f"{ALPINEBITS}/v_2024_10/GuestRequests-Push-OTA_HotelResNotifRQ.xml"
AB_STATUS_2024 = f"{ALPINEBITS}/v_2024_10/GuestRequests-Push-OTA_HotelResNotifRQ-StatusUpdate.xml"


@dataclass(frozen=True)
class Booked:
    """The sample translates: these actions for these partner reservation ids."""

    actions: tuple[BookingAction, ...]
    ids: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Refused:
    """The sample is refused with this error, EWT/ERR pair, and a message naming `mentions`."""

    error: type[OtaError]
    pair: tuple[int, int]
    mentions: str
    why: str


COMMIT, CANCEL = BookingAction.COMMIT, BookingAction.CANCEL
AIR = "an airline record (UniqueID/CompanyName TravelSector 1), not a hotel reservation"
AB_RESERVATION = "AlpineBits push: ResStatus Reserved, UniqueID Type 14, card in the RoomStay guarantee"
AB_STATUS = (
    "AlpineBits status update: a Reserved HotelReservation with only a UniqueID carries no stay "
    "to book (its Cancelled sibling alone translates, see below)"
)

EXPECTED: dict[str, Booked | Refused] = {
    f"{OTA_2011B}/OTA_HotelResNotifRQ.xml": Refused(
        MissingField,
        (10, 321),
        "RoomTypeCode",
        "the RoomStay books a rate plan but names no room type",
    ),
    f"{OTA_2011B}/OTA_HotelResNotifRQ_Disability.xml": Refused(
        MissingField,
        (10, 321),
        "RoomTypeCode",
        "the RoomType describes amenities only, with no RoomTypeCode",
    ),
    f"{OTA_2011B}/OTA_HotelResNotifRQ2.xml": Refused(
        MissingField,
        (10, 321),
        "reservation id",
        "a hotel's billing instruction: no UniqueID and no HotelReservationID at all",
    ),
    f"{OTA_2011B}/OTA_HotelResNotifRQ3.xml": Refused(
        MissingField,
        (10, 321),
        "reservation id",
        "a hotel's billing instruction: only the hotel's confirmation (ResID_Type 40), sent by the hotel",
    ),
    f"{OTA_2011B}/OTA_CancelRQ.xml": Refused(UnsupportedMessage, (2, 450), "travel sector", AIR),
    f"{OTA_2011B}/OTA_CancelRQ2.xml": Refused(UnsupportedMessage, (2, 450), "travel sector", AIR),
    f"{OTA_2011B}/OTA_CancelRQEntireAirlineRes.xml": Refused(
        UnsupportedMessage, (2, 450), "travel sector", AIR
    ),
    f"{OTA_2011B}/OTA_CancelRQ3.xml": Booked(
        (CANCEL,), ("301877540",), "UniqueID Type 14; no hotel named, the partner's only hotel is used"
    ),
    f"{OTA_2011B}/OTA_CancelRQ_ForumHotelCancelSample.xml": Refused(
        NotCommitted,
        (3, 356),
        "Initiate",
        "the hotel cancel sample: CancelType Initiate only starts a two-phase cancellation (the door "
        "answers Success, Status Pending, and cancels nothing)",
    ),
    f"{OTA_2011B}/OTA_CancelRQ_GolfUC1.xml": Booked(
        (CANCEL,),
        ("999999",),
        "a golf tee-time cancel that names no sector: at the door it is indistinguishable from a hotel "
        "cancel; the PMS core will not find the reservation",
    ),
    AB_PUSH_2018: Booked((COMMIT,), ("6b34fe24ac2ff810",), AB_RESERVATION),
    f"{ALPINEBITS}/v_2020_10/GuestRequests-OTA_HotelResNotifRQ-reservation-push.xml": Booked(
        (COMMIT,), ("6b34fe24ac2ff810",), AB_RESERVATION
    ),
    f"{ALPINEBITS}/v_2022_10/GuestRequests-Push-OTA_HotelResNotifRQ.xml": Booked(
        (COMMIT,), ("6b34fe24ac2ff810",), AB_RESERVATION
    ),
    AB_PUSH_2024: Booked((COMMIT,), ("6b34fe24ac2ff810",), AB_RESERVATION),
    f"{ALPINEBITS}/v_2022_10/GuestRequests-Push-OTA_HotelResNotifRQ-StatusUpdate.xml": Refused(
        MissingField, (10, 321), "without RoomStays", AB_STATUS
    ),
    AB_STATUS_2024: Refused(MissingField, (10, 321), "without RoomStays", AB_STATUS),
}


def test_given_conformance_folder_when_scanned_then_every_sample_is_in_the_table(
    conformance: Path,
) -> None:
    found = discover(conformance)
    assert found - EXPECTED.keys() == set(), "new samples: add them to EXPECTED with their outcome"
    assert EXPECTED.keys() - found == set(), "samples in EXPECTED that are no longer there"


def sample_id(relative: str) -> str:
    """A short test id: the sample's folder and file name."""
    folder, name = relative.rsplit("/", 2)[-2:]
    return f"{folder}/{name}"


@pytest.mark.parametrize("relative", sorted(EXPECTED), ids=sample_id)
async def test_given_sample_when_tokenised_and_translated_then_expected_outcome_and_valid_answer(
    conformance: Path,
    vault: LocalCardVault,
    ota_2015a_schema: Callable[[str], etree.XMLSchema],
    relative: str,
) -> None:
    expected = EXPECTED[relative]
    req = await load(relative, vault)
    if isinstance(expected, Refused):
        with pytest.raises(expected.error) as caught:
            translate(req)
        assert (caught.value.ota_type, caught.value.ota_code) == expected.pair
        assert expected.mentions in caught.value.message
        assert_answer_valid(error_response(req, [caught.value]), ota_2015a_schema)
        return
    bookings = translate(req)
    assert tuple(b.action for b in bookings) == expected.actions
    assert tuple(b.partner_reservation_id for b in bookings) == expected.ids
    assert all(b.confirmation == f"HH-{b.partner_reservation_id}" for b in bookings)
    assert all(b.partner_revision for b in bookings)
    results = [(b.partner_reservation_id, b.confirmation) for b in bookings]
    assert_answer_valid(success_response(req, results), ota_2015a_schema)


async def test_given_alpinebits_push_when_translated_then_stay_guests_card_and_comments(
    conformance: Path, vault: LocalCardVault
) -> None:
    req = await load(AB_PUSH_2024, vault)
    (booking,) = translate(req)
    assert booking.property_code == "P-123"
    assert booking.partner_revision == "Reserved@2022-03-21T14:00:00+00:00"
    (stay,) = booking.room_stays
    assert (stay.room_type_code, stay.rate_plan_code) == ("bigsuite", "123456-xyz")
    assert (stay.arrival, stay.departure) == (date(2023, 1, 1), date(2023, 1, 12))
    assert (stay.guests.adults, stay.guests.children, stay.guests.child_ages) == (2, 2, (9, 3))
    assert stay.total is not None and (stay.total.amount, stay.total.currency) == (Decimal(299), "EUR")
    assert stay.tax_basis is TaxBasis.AFTER_TAX  # no rates: the stay Total's AmountAfterTax says so
    assert stay.guarantee is not None and stay.guarantee.card is not None
    card = stay.guarantee.card
    assert (card.brand, card.bin, card.last4, card.expiry) == ("VI", "444433", "1111", "12/26")
    assert card.token is not None and await vault.detokenize(card.token) == "4444333322221111"
    assert booking.guests[0].country_code == "DE" and booking.guests[0].language == "de"
    assert booking.comments[0] == "included services: Parkplatz, Schwimmbad, Skipass"
    assert booking.comments[1].startswith("customer comment: Sind Hunde erlaubt?")


async def test_given_status_update_cancellation_alone_when_translated_then_cancel(
    conformance: Path, vault: LocalCardVault
) -> None:
    req = await load(AB_STATUS_2024, vault)
    reserved = req.root.find("{*}HotelReservations/{*}HotelReservation")
    assert reserved is not None
    reserved.getparent().remove(reserved)  # type: ignore[union-attr]
    (booking,) = translate(req)
    assert (booking.action, booking.partner_reservation_id) == (CANCEL, "6b34fe24ac244444")
    assert booking.partner_revision == "Cancelled@2023-06-12T11:00:00+00:00"
    assert booking.property_code == f"P-{SAMPLE_HOTEL}"


async def test_given_2011b_sample_with_a_room_type_when_translated_then_priced_and_tokenised(
    conformance: Path, vault: LocalCardVault
) -> None:
    req = await load(f"{OTA_2011B}/OTA_HotelResNotifRQ.xml", vault)
    stay = req.root.find("{*}HotelReservations/{*}HotelReservation/{*}RoomStays/{*}RoomStay")
    assert stay is not None
    room_types = etree.Element(f"{{{etree.QName(stay).namespace}}}RoomTypes")
    etree.SubElement(room_types, f"{{{etree.QName(stay).namespace}}}RoomType", RoomTypeCode="KING")
    stay.insert(0, room_types)
    (booking,) = translate(req)
    assert (booking.partner_reservation_id, booking.property_code) == ("7865", "P-WASJW")
    assert booking.partner_revision == "Commit@2005-01-26T15:22:00+00:00"
    (canonical_stay,) = booking.room_stays
    assert [(p.night, p.price.amount) for p in canonical_stay.nightly] == [
        (date(2005, 10, 18), Decimal("280.00")),
        (date(2005, 10, 19), Decimal("280.00")),
    ]
    assert canonical_stay.tax_basis is TaxBasis.BEFORE_TAX  # Base AmountBeforeTax only
    assert canonical_stay.comments == ("non-smoking Room requested;king bed",)
    assert canonical_stay.guarantee is not None and canonical_stay.guarantee.card is not None
    card = canonical_stay.guarantee.card
    assert (card.brand, card.bin, card.last4, card.expiry) == ("VS", "411111", "1202", "12/05")
    assert card.token is not None and await vault.detokenize(card.token) == "4111111111111202"


@pytest.mark.parametrize(
    ("drop", "error", "pair", "code"),
    [
        ("hotel", UnknownHotel, (3, 392), "123"),
        ("room_type", UnmappedRoomType, (3, 402), "bigsuite"),
        ("rate_plan", UnmappedRatePlan, (3, 436), "123456-xyz"),
    ],
)
async def test_given_sample_with_a_code_left_unmapped_when_translated_then_refused_naming_it(
    conformance: Path,
    vault: LocalCardVault,
    drop: str,
    error: type[OtaError],
    pair: tuple[int, int],
    code: str,
) -> None:
    req = await load(AB_PUSH_2018, vault)
    full = permissive_codes(req).hotels["123"]
    prop = PropertyCodes(
        hub_property=full.hub_property,
        currency=full.currency,
        room_types={} if drop == "room_type" else full.room_types,
        rate_plans={} if drop == "rate_plan" else full.rate_plans,
    )
    hotels = {"OTHER": prop} if drop == "hotel" else {"123": prop}
    with pytest.raises(error) as caught:
        translate(req, PartnerCodes(hotels=hotels))
    assert (caught.value.ota_type, caught.value.ota_code) == pair
    assert code in caught.value.message
