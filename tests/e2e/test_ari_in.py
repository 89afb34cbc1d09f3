"""ARI in and availability requests through a running hub, on both transports.

A revenue system (`revmax`, kind rms) and an external PMS (`extpms`, kind pms) of the test
configuration tests/fixtures/ota_ari/ari_in.yaml send OTA notifications to POST /ota; the operator
reads the result back with GET /api/v1/properties/ALPINA/ari, and an OTA asks for availability.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from harness import REPO, RunningHub, ota_codes, running_hub

FIXTURES = REPO / "tests" / "fixtures" / "ota_ari"
if str(FIXTURES) not in sys.path:
    sys.path.insert(0, str(FIXTURES))

from ari_messages import Count, Rate, Restriction, avail_notif, inv_notif, plain, rate_notif, soap11  # noqa: E402

REVMAX = ("revmax", "otatwo-secret")
EXTPMS = ("extpms", "otatwo-secret")
OTAONE = ("otaone", "otaone-secret")
NIGHT = date(2031, 5, 4)
OTA_NS = "http://www.opentravel.org/OTA/2003/05"


@pytest.fixture
async def ari_hub(transport: tuple[str, str, str | None], tmp_path: Path) -> AsyncIterator[RunningHub]:
    """A running hub with the ARI-in test configuration applied."""
    mode, database_url, broker_url = transport
    async with running_hub(mode, database_url, broker_url, tmp_path, config=FIXTURES / "ari_in.yaml") as hub:
        yield hub


async def view(hub: RunningHub, last: date = NIGHT) -> dict[str, list[dict[str, object]]]:
    """GET …/ari of the demo hotel from NIGHT to `last`."""
    found = await hub.api(
        "/api/v1/properties/ALPINA/ari", **{"from": NIGHT.isoformat(), "to": last.isoformat()}
    )
    return dict(found)


def rate_cell(shown: dict[str, list[dict[str, object]]], room: str, plan: str) -> dict[str, object]:
    """The (room, plan) cell of NIGHT."""
    return next(
        c
        for c in shown["rates"]
        if (c["room_type"], c["rate_plan"], c["night"]) == (room, plan, NIGHT.isoformat())
    )


def avail_rq(room: str) -> bytes:
    """OTA One asks for two nights from NIGHT for two adults in one of its room types."""
    return (
        f'<OTA_HotelAvailRQ xmlns="{OTA_NS}" EchoToken="e2e" TimeStamp="2031-01-01T10:00:00Z" Version="1.000">'
        "<AvailRequestSegments><AvailRequestSegment>"
        '<StayDateRange Start="2031-05-04" End="2031-05-06"/>'
        f'<RoomStayCandidates><RoomStayCandidate RoomTypeCode="{room}" Quantity="1"><GuestCounts>'
        '<GuestCount AgeQualifyingCode="10" Count="2"/></GuestCounts></RoomStayCandidate></RoomStayCandidates>'
        '<HotelSearchCriteria><Criterion><HotelRef HotelCode="ALP-4711"/></Criterion></HotelSearchCriteria>'
        "</AvailRequestSegment></AvailRequestSegments></OTA_HotelAvailRQ>"
    ).encode()


async def test_given_a_revenue_system_when_it_sends_rates_and_restrictions_then_the_api_shows_them(
    ari_hub: RunningHub,
) -> None:
    rates = rate_notif("RM-ALPINA", [Rate("RM-DBL", "RM-BAR", NIGHT, NIGHT, {None: "211.00", 2: "205.00"})])
    answer = await ari_hub.push(plain(rates), REVMAX)
    assert answer.status_code == 200 and b"<Success/>" in answer.content
    closing = avail_notif("RM-ALPINA", [Restriction("RM-DBL", "RM-NREF", NIGHT, NIGHT, status="Close")])
    answer = await ari_hub.push(soap11(closing, username="revmax", password="otatwo-secret"), None)
    assert answer.status_code == 200 and b"<Success/>" in answer.content
    shown = await view(ari_hub)
    bar = rate_cell(shown, "DBL", "BAR")["rates"]
    assert isinstance(bar, dict) and Decimal(str(bar["amount"])) == Decimal("211.00")
    nref = rate_cell(shown, "DBL", "NREF")["restrictions"]
    assert isinstance(nref, dict) and nref["closed"] is True


async def test_given_an_unknown_room_code_or_an_ota_sender_when_ari_arrives_then_refused_and_nothing_changes(
    ari_hub: RunningHub,
) -> None:
    before = await view(ari_hub)
    unknown = rate_notif("RM-ALPINA", [Rate("RM-NOPE", "RM-BAR", NIGHT, NIGHT, {None: "1.00"})])
    assert ota_codes(await ari_hub.push(plain(unknown), REVMAX)) == (("3", "402"),)
    from_ota = rate_notif("ALP-4711", [Rate("DZSTD", "FLEX1", NIGHT, NIGHT, {None: "1.00"})])
    assert ota_codes(await ari_hub.push(plain(from_ota), OTAONE)) == (("6", "497"),)
    counts_from_rms = inv_notif("RM-ALPINA", [Count("RM-DBL", NIGHT, NIGHT, 0)])
    assert ota_codes(await ari_hub.push(plain(counts_from_rms), REVMAX)) == (("6", "497"),)
    assert await view(ari_hub) == before


async def test_given_an_external_pms_when_it_sends_room_counts_then_rooms_left_and_availability_answers_follow(
    ari_hub: RunningHub,
) -> None:
    offered = await ari_hub.push(avail_rq("DZSTD"), OTAONE)
    assert offered.content.count(b"<RoomStay>") == 2  # FLEX1 and NRF1
    counts = inv_notif("PMS-1", [Count("D", NIGHT, NIGHT, 0), Count("S", NIGHT, NIGHT, 2)])
    assert b"<Success/>" in (await ari_hub.push(plain(counts), EXTPMS)).content
    left = {(c["room_type"], c["night"]): c["available"] for c in (await view(ari_hub))["availability"]}
    assert (left[("DBL", NIGHT.isoformat())], left[("DSUP", NIGHT.isoformat())]) == (0, 2)
    sold_out = await ari_hub.push(avail_rq("DZSTD"), OTAONE)
    assert b"<Success/>" in sold_out.content and b"<RoomStay>" not in sold_out.content
    assert (await ari_hub.push(avail_rq("DZSUP"), OTAONE)).content.count(b"<RoomStay>") == 2
