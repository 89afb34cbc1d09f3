"""A booking kept with warnings is answered Success plus OTA Warnings, valid against the 2015A schema."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from lxml import etree
from ota_conformance import assert_answer_valid, load, permissive_codes, translate

from canonical.booking import WarningKind
from connectors.ota.responses import success_response
from connectors.ota.translate import PartnerCodes
from connectors.payments.vault import LocalCardVault

AB_PUSH_2024 = (
    "alpinebits-noi-opendatahub/alpinebits-xml/impl/src/test/resources/examples/v_2024_10/"
    "GuestRequests-Push-OTA_HotelResNotifRQ.xml"
)


async def test_given_a_sample_for_a_smaller_room_in_another_currency_when_answered_then_valid_warnings(
    conformance: Path, vault: LocalCardVault, ota_2015a_schema: Callable[[str], etree.XMLSchema]
) -> None:
    req = await load(AB_PUSH_2024, vault)
    sample = permissive_codes(req)
    # the sample's 4 guests in a room for 2, and a property that sells in CHF (the sample is in EUR)
    hotels = {
        code: replace(prop, currency="CHF", max_occupancy={"bigsuite": 2})
        for code, prop in sample.hotels.items()
    }
    (booking,) = translate(req, PartnerCodes(hotels=hotels))
    kinds = [w.kind for w in booking.room_stays[0].warnings]
    assert kinds == [WarningKind.OCCUPANCY_EXCEEDED, WarningKind.CURRENCY_MISMATCH]
    warned = [(booking.partner_reservation_id, w) for w in booking.room_stays[0].warnings]
    raw = success_response(req, [(booking.partner_reservation_id, booking.confirmation)], warned)
    assert_answer_valid(raw, ota_2015a_schema)
    assert b'<Success/><Warnings><Warning Type="3" Code="119"' in raw
    assert b'Code="558"' in raw and b'RecordID="6b34fe24ac2ff810"' in raw
    assert b"4 guests in room type bigsuite, which holds 2</Warning>" in raw
