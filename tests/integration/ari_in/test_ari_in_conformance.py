"""Third-party ARI notifications (AlpineBits FreeRooms, OpenTravel samples) pushed through the real door.

Each example is sent by the external PMS (`extpms`, kind pms) under its hotel code, and is applied
(OTA `Success`, `Warnings` for what was read but not applied) or refused with the OTA error of the
rule it breaks, as tests/contract/ota/test_ari_inbound_conformance.py expects of the translation;
the OpenTravel rate sample is in USD and the demo hotel sells in EUR, so the door refuses it for that.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from harness import ota_codes
from ota_schemas import require_conformance
from sqlalchemy import select
from test_ari_in_door import EXTPMS, push

from connectors.ota import errors
from hub.bootstrap import Hub
from routes.tables import inbound_messages

AB = "alpinebits-noi-opendatahub/alpinebits-xml/impl/src/test/resources/examples"
RULES = (
    "alpinebits-noi-opendatahub/alpinebits-validation/impl/src/test/resources/examples/v_2024_10/freerooms"
)
OTA = "opentravel-specs/OTA1.0/OTA2011B/OpenTravel2011B_XML"

APPLIED = "applied"
# example -> "applied" (with this many Warnings), or the error class it is refused with
EXAMPLES: dict[str, tuple[str, int] | type[errors.OtaError]] = {
    f"{AB}/v_2024_10/FreeRooms-OTA_HotelInvCountNotifRQ.xml": (APPLIED, 0),
    f"{AB}/v_2024_10/FreeRooms-OTA_HotelInvCountNotifRQ-delta.xml": (APPLIED, 0),
    f"{AB}/v_2024_10/FreeRooms-OTA_HotelInvCountNotifRQ-closing_seasons.xml": (APPLIED, 0),
    f"{AB}/v_2024_10/FreeRooms-OTA_HotelInvCountNotifRQ-empty.xml": (APPLIED, 1),  # names no night
    f"{RULES}/HotelAvailNotifRQ_ok_delta-and-categories.xml": (APPLIED, 0),
    f"{RULES}/HotelAvailNotifRQ_ok_complete-set-and-categories.xml": (APPLIED, 0),
    f"{RULES}/HotelAvailNotifRQ_support_out-of-order.xml": (APPLIED, 1),
    f"{RULES}/HotelAvailNotifRQ_ok_delta-and-rooms.xml": errors.UnsupportedAction,
    f"{RULES}/HotelAvailNotifRQ_err_categories-and-rooms-mixed.xml": errors.UnsupportedAction,
    f"{RULES}/HotelAvailNotifRQ_err_closing-seasons-must-not-overlap.xml": errors.InvalidField,
    f"{RULES}/HotelAvailNotifRQ_err_no-hotelcode.xml": errors.MissingField,
    f"{RULES}/HotelAvailNotifRQ_err_no-uniqueid-and-reset.xml": errors.InvalidField,
    "alpinebits-developers-kit/files/samples-contrib/FreeRooms-Categories-PartialSet.xml": (APPLIED, 0),
    f"{OTA}/OTA_HotelRateAmountNotifRQ.xml": errors.InvalidField,  # USD at a EUR hotel
    f"{OTA}/OTA_HotelAvailNotifRQ.xml": errors.UnsupportedAction,
    f"{OTA}/OTA_HotelAvailNotifRQ6.xml": errors.UnsupportedAction,
    f"{OTA}/OTA_HotelInvCountNotifRQ.xml": errors.UnsupportedAction,
}


@pytest.mark.parametrize("relative", list(EXAMPLES))
async def test_given_a_conformance_example_from_a_pms_when_pushed_then_applied_or_refused_as_it_means(
    door: Hub, client: httpx.AsyncClient, relative: str
) -> None:
    body = re.sub(
        rb'HotelCode="[^"]*"', b'HotelCode="PMS-1"', (require_conformance() / relative).read_bytes()
    )
    response = await push(client, body, EXTPMS)
    assert response.status_code == 200
    async with door.engine.connect() as conn:
        outcomes = (await conn.execute(select(inbound_messages.c.outcome))).scalars().all()
    expected = EXAMPLES[relative]
    if isinstance(expected, tuple):
        assert b"<Success/>" in response.content, response.text
        assert response.content.count(b"<Warning ") == expected[1]
        assert outcomes == (["no-change"] if expected[1] and "empty" in relative else ["applied"])
        return
    assert ota_codes(response) == ((str(expected.ota_type), str(expected.ota_code)),), response.text
    assert outcomes == ["refused"]


def test_given_the_examples_when_listed_then_each_exists() -> None:
    root: Path = require_conformance()
    assert all((root / relative).is_file() for relative in EXAMPLES)
