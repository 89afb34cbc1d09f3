"""The pull channel: returns the reservations not yet acknowledged, each with its ResStatus, records
every acknowledgement (confirmation number or refusal) and stops returning what was acknowledged."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest
from ari_messages import notif_report, plain, read_rq
from lxml import etree

from connectors.ota.simulator import PullChannel
from hub.demo.messages import GuestSpec, ReservationSpec, StaySpec, hotel_res_notif

OTA = "{http://www.opentravel.org/OTA/2003/05}"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"hub:secret").decode()}
AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
GUEST = GuestSpec("Anna", "Huber", "anna@example.org", "+43 1 234", "de", "Ring 1", "Wien", "1010", "AT")


def reservation(
    reservation_id: str, status: str = "Commit", *, hotel: str = "H1", nightly: str = "90"
) -> etree._Element:
    stay = StaySpec("DBL", "BAR", date(2026, 5, 1), date(2026, 5, 3), 2, (), Decimal(nightly))
    spec = ReservationSpec(reservation_id, "Channel", hotel, "EUR", (stay,), GUEST, AT, AT, card=False)
    message = hotel_res_notif(spec, status, echo_token="x")  # type: ignore[arg-type]
    return message.find(f"{OTA}HotelReservations/{OTA}HotelReservation")


@pytest.fixture
def channel() -> PullChannel:
    return PullChannel(username="hub", password="secret")


@pytest.fixture
async def http(channel: PullChannel) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=channel.app), base_url="http://channel"
    ) as client:
        yield client


async def read(http: httpx.AsyncClient, hotel: str = "H1") -> list[tuple[str, str]]:
    answer = await http.post("/ota", content=plain(read_rq(hotel)), headers=AUTH)
    root = etree.fromstring(answer.content)
    assert root.tag == f"{OTA}OTA_ResRetrieveRS" and root.find(f"{OTA}Success") is not None
    return [
        (held.find(f"{OTA}UniqueID").get("ID"), held.get("ResStatus"))
        for held in root.iterfind(f"{OTA}ReservationsList/{OTA}HotelReservation")
    ]


async def test_given_new_modified_and_cancelled_reservations_when_read_then_each_is_returned_with_its_status(
    channel: PullChannel, http: httpx.AsyncClient
) -> None:
    for reservation_id in ("R1", "R2", "R3"):
        channel.add(reservation(reservation_id))
    channel.add(reservation("R4", "Modify"))
    channel.add(reservation("R5", "Cancel"))
    channel.add(reservation("R9", hotel="H2"))
    expected = [("R1", "Commit"), ("R2", "Commit"), ("R3", "Commit"), ("R4", "Modify"), ("R5", "Cancel")]
    assert await read(http) == expected
    assert await read(http) == expected  # nothing acknowledged yet: all returned again
    assert channel.reads == 2


async def test_given_acknowledgements_and_a_refusal_when_reported_then_recorded_and_no_longer_returned(
    channel: PullChannel, http: httpx.AsyncClient
) -> None:
    for reservation_id in ("R1", "R2", "R3"):
        channel.add(reservation(reservation_id))
    await read(http)
    report = notif_report([("R1", "HUB-1"), ("R2", "HUB-2")], [("R3", "450", "Unknown room type")])
    answer = await http.post("/ota", content=plain(report), headers=AUTH)
    root = etree.fromstring(answer.content)
    assert (root.tag, root.find(f"{OTA}Success") is not None) == (f"{OTA}OTA_NotifReportRS", True)
    assert await read(http) == []
    assert [
        (ack.reservation_id, ack.confirmation, ack.error_code, ack.error_text) for ack in channel.acks
    ] == [
        ("R1", "HUB-1", None, None),
        ("R2", "HUB-2", None, None),
        ("R3", None, "450", "Unknown room type"),
    ]
    assert (await http.get("/_state")).json()["pending"] == []


async def test_given_an_acknowledged_reservation_when_a_new_revision_arrives_then_it_is_returned_again(
    channel: PullChannel, http: httpx.AsyncClient
) -> None:
    channel.add(reservation("R1"))
    await read(http)
    await http.post("/ota", content=plain(notif_report([("R1", "HUB-1")])), headers=AUTH)
    channel.add(reservation("R1", "Modify", nightly="95"))
    assert await read(http) == [("R1", "Modify")]


async def test_given_a_revision_added_after_the_read_when_the_old_one_is_acknowledged_then_the_new_one_stays_pending(
    channel: PullChannel, http: httpx.AsyncClient
) -> None:
    channel.add(reservation("R1"))
    await read(http)
    channel.add(reservation("R1", "Cancel"))
    await http.post("/ota", content=plain(notif_report([("R1", "HUB-1")])), headers=AUTH)
    assert channel.pending() == ["R1"]
    assert channel.acks[-1].known is False
    assert await read(http) == [("R1", "Cancel")]


async def test_given_an_acknowledgement_of_an_unknown_reservation_when_reported_then_a_warning_names_it(
    channel: PullChannel, http: httpx.AsyncClient
) -> None:
    answer = await http.post("/ota", content=plain(notif_report([("NOPE", "HUB-1")])), headers=AUTH)
    (warning,) = etree.fromstring(answer.content).iterfind(f"{OTA}Warnings/{OTA}Warning")
    assert warning.get("RecordID") == "NOPE"
    assert channel.acks[-1].known is False


async def test_given_told_to_time_out_or_fail_when_read_then_it_answers_so_and_returns_nothing(
    channel: PullChannel, http: httpx.AsyncClient
) -> None:
    channel.add(reservation("R1"))
    channel.behave(answer="timeout", hold_s=0)
    assert (await http.post("/ota", content=plain(read_rq("H1")), headers=AUTH)).status_code == 504
    channel.behave(answer="server_error")
    assert (await http.post("/ota", content=plain(read_rq("H1")), headers=AUTH)).status_code == 500
    assert (channel.reads, dict(channel.returned)) == (0, {})


async def test_given_reservations_posted_to_the_control_api_when_read_then_they_are_returned(
    http: httpx.AsyncClient,
) -> None:
    added = await http.post("/_reservations", content=etree.tostring(reservation("R7")))
    assert added.json() == {"added": ["R7"]}
    assert await read(http) == [("R7", "Commit")]
