"""Conformance samples are years old: translated at their own day they book, at today's clock a
new booking among them is refused as a past stay (the rule is not loosened for them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from ota_conformance import assert_answer_valid, load, sent_at, translate

from canonical.booking import BookingAction
from connectors.ota.errors import PastStay
from connectors.ota.responses import error_response
from connectors.payments.vault import LocalCardVault

ALPINEBITS = "alpinebits-noi-opendatahub/alpinebits-xml/impl/src/test/resources/examples"
AB_PUSH_2024 = f"{ALPINEBITS}/v_2024_10/GuestRequests-Push-OTA_HotelResNotifRQ.xml"
AB_PUSH_2018 = f"{ALPINEBITS}/v_2018_10/GuestRequests-OTA_HotelResNotifRQ-reservation-push.xml"
CANCEL_2011B = "opentravel-specs/OTA1.0/OTA2011B/OpenTravel2011B_XML/OTA_CancelRQ3.xml"


@pytest.mark.parametrize("relative", [AB_PUSH_2024, AB_PUSH_2018], ids=["2024-10", "2018-10"])
async def test_given_an_old_booking_sample_when_translated_at_its_day_then_booked_and_at_today_refused(
    conformance: Path,
    vault: LocalCardVault,
    ota_2015a_schema: Callable[[str], etree.XMLSchema],
    relative: str,
) -> None:
    req = await load(relative, vault)
    (booking,) = translate(req)
    assert booking.action is BookingAction.COMMIT
    assert booking.room_stays[0].departure >= sent_at(req).date()
    with pytest.raises(PastStay) as caught:
        translate(req, now=datetime.now(UTC))
    assert (caught.value.ota_type, caught.value.ota_code) == (3, 122)
    assert_answer_valid(error_response(req, [caught.value]), ota_2015a_schema)


async def test_given_an_old_cancellation_sample_when_translated_at_today_then_still_a_cancellation(
    conformance: Path, vault: LocalCardVault
) -> None:
    req = await load(CANCEL_2011B, vault)
    (booking,) = translate(req, now=datetime.now(UTC))
    assert booking.action is BookingAction.CANCEL
