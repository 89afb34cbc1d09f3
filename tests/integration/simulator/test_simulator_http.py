"""The simulators on a real uvicorn server: SOAP 1.1 with WS-Security, a held request given up by its
client, every request checked against the OTA 2015A XSD, and answers that are 2015A-valid."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest
from ari_messages import (
    Count,
    Rate,
    Restriction,
    avail_notif,
    inv_notif,
    notif_report,
    plain,
    rate_notif,
    read_rq,
    soap11,
)
from lxml import etree
from ota_schemas import OTA_2015A, assert_ota_valid, ota_element, require_conformance

from connectors.ota.simulator import PullChannel, PushChannel, SchemaFolder, serving
from hub.demo.messages import GuestSpec, ReservationSpec, StaySpec, hotel_res_notif

OTA = "{http://www.opentravel.org/OTA/2003/05}"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"hub:secret").decode()}
NIGHT = date(2026, 5, 1)
MESSAGES = [
    avail_notif(
        "H1",
        [
            Restriction("DBL", "BAR", NIGHT, date(2026, 5, 31), days={"Sat": "true"}, status="Close"),
            Restriction(
                "DBL", "BAR", NIGHT, NIGHT, status="Open", restriction="Departure", stays=[("SetMinLOS", 2)]
            ),
            Restriction(
                "DBL", "BAR", NIGHT, NIGHT, stays=[("SetForwardMaxStay", 9)], arrival_based=False, locator=3
            ),
            Restriction("SGL", "BAR", NIGHT, NIGHT, status="Close", restriction="Arrival", min_advance="P1D"),
        ],
    ),
    rate_notif(
        "H1",
        [
            Rate(
                "DBL", "BAR", NIGHT, NIGHT, {None: "90", 1: "80", 2: "100"}, extra_adult="20", extra_child="5"
            )
        ],
    ),
    inv_notif("H1", [Count("DBL", NIGHT, NIGHT, 2), Count("SGL", NIGHT, NIGHT, None)], complete_set=True),
]


@pytest.fixture
def schemas() -> SchemaFolder:
    require_conformance()
    return SchemaFolder(OTA_2015A)


@pytest.fixture
async def soap_channel(schemas: SchemaFolder) -> AsyncIterator[tuple[PushChannel, httpx.AsyncClient]]:
    channel = PushChannel(username="hub", password="s3cret", soap=True, schemas=schemas)
    async with serving(channel.app) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        yield channel, http


@pytest.fixture
async def plain_channel(schemas: SchemaFolder) -> AsyncIterator[tuple[PushChannel, httpx.AsyncClient]]:
    channel = PushChannel(username="hub", password="secret", schemas=schemas)
    async with serving(channel.app) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        yield channel, http


@pytest.mark.parametrize(
    "message",
    [*MESSAGES, read_rq("H1"), notif_report([("R1", "HUB-1")], [("R2", "450", "Unable to process")])],
    ids=lambda message: etree.QName(message).localname,
)
def test_given_the_test_builders_when_a_message_is_built_then_it_is_valid_against_2015a(
    message: etree._Element,
) -> None:
    assert_ota_valid(plain(message))


async def test_given_a_soap_channel_when_a_notification_comes_with_its_username_token_then_a_valid_soap_success(
    soap_channel: tuple[PushChannel, httpx.AsyncClient],
) -> None:
    channel, http = soap_channel
    for message in MESSAGES:
        answer = await http.post("/ota", content=soap11(message, username="hub", password="s3cret"))
        assert answer.status_code == 200
        assert etree.fromstring(answer.content).tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
        assert ota_element(answer.content).find(f"{OTA}Success") is not None
        assert_ota_valid(answer.content)
    state = channel.state()["H1"]
    assert state["availability"] == {"DBL": {NIGHT: 2}, "SGL": {NIGHT: 0}}
    assert state["rates"]["DBL"]["BAR"][NIGHT]["by_guests"] == {1: Decimal(80), 2: Decimal(100)}
    assert state["restrictions"]["DBL"]["BAR"][NIGHT] == {
        "closed": False,
        "closed_to_arrival": False,
        "closed_to_departure": False,
        "min_los": 2,
        "max_los": None,
        "min_los_through": None,
        "max_los_through": 9,
        "min_advance_days": None,
        "max_advance_days": None,
    }
    assert (
        sum(cell["closed"] for cell in state["restrictions"]["DBL"]["BAR"].values()) == 5
    )  # May's Saturdays


async def test_given_a_soap_channel_when_the_password_is_wrong_or_basic_is_used_then_401_and_nothing_shown(
    soap_channel: tuple[PushChannel, httpx.AsyncClient],
) -> None:
    channel, http = soap_channel
    wrong = await http.post("/ota", content=soap11(MESSAGES[2], username="hub", password="guess"))
    basic = await http.post(
        "/ota",
        content=plain(MESSAGES[2]),
        headers={"Authorization": "Basic " + base64.b64encode(b"hub:s3cret").decode()},
    )
    assert (wrong.status_code, basic.status_code) == (401, 401)
    assert channel.state() == {}


async def test_given_a_message_invalid_against_2015a_when_received_then_ota_errors_and_nothing_shown(
    plain_channel: tuple[PushChannel, httpx.AsyncClient],
) -> None:
    channel, http = plain_channel
    message = inv_notif("H1", [Count("DBL", NIGHT, NIGHT, 2)])
    del message.attrib["Version"]  # required by OTA_PayloadStdAttributes
    answer = await http.post("/ota", content=plain(message), headers=AUTH)
    (error,) = ota_element(answer.content).iterfind(f"{OTA}Errors/{OTA}Error")
    assert (error.get("Type"), error.get("Code")) == ("10", "321")
    assert "Version" in error.text
    assert_ota_valid(answer.content)
    assert channel.state() == {}
    assert channel.calls[-1].outcome == "invalid"


async def test_given_validation_switched_off_when_an_invalid_message_arrives_then_it_is_folded(
    plain_channel: tuple[PushChannel, httpx.AsyncClient],
) -> None:
    channel, http = plain_channel
    await http.post("/_control", json={"validate_xsd": False})
    message = inv_notif("H1", [Count("DBL", NIGHT, NIGHT, 2)])
    del message.attrib["Version"]
    assert (await http.post("/ota", content=plain(message), headers=AUTH)).status_code == 200
    assert channel.state()["H1"]["availability"] == {"DBL": {NIGHT: 2}}


@pytest.mark.parametrize(
    "behaviour",
    [
        {"answer": "warnings"},
        {"answer": "partial_errors", "error_items": [{"room_type": "SGL"}]},
        {"answer": "unauthorized", "auth_failure": "ota"},
        {"answer": "server_error"},
        {"answer": "rate_limited"},
    ],
    ids=lambda behaviour: behaviour["answer"],
)
async def test_given_each_told_answer_when_it_carries_an_ota_body_then_that_body_is_valid_against_2015a(
    plain_channel: tuple[PushChannel, httpx.AsyncClient], behaviour: dict
) -> None:
    _, http = plain_channel
    await http.post("/_control", json=behaviour)
    answer = await http.post("/ota", content=plain(MESSAGES[2]), headers=AUTH)
    assert_ota_valid(answer.content)


async def test_given_told_to_time_out_when_the_client_gives_up_then_the_call_is_recorded_as_timed_out(
    plain_channel: tuple[PushChannel, httpx.AsyncClient],
) -> None:
    channel, http = plain_channel
    channel.behave(answer="timeout", hold_s=120)
    with pytest.raises(httpx.TimeoutException):
        await http.post("/ota", content=plain(MESSAGES[2]), headers=AUTH, timeout=0.3)
    for _ in range(400):  # the held request ends once the server sees the client gone
        if channel.calls:
            break
        await asyncio.sleep(0.025)
    assert [call.outcome for call in channel.calls] == ["timeout"]
    assert channel.counters.in_flight == 0
    assert channel.state() == {}


async def test_given_a_pull_channel_when_read_and_acknowledged_then_its_answers_are_valid_against_2015a(
    schemas: SchemaFolder,
) -> None:
    at = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    guest = GuestSpec("Anna", "Huber", "anna@example.org", "+43 1 234", "de", "Ring 1", "Wien", "1010", "AT")
    stay = StaySpec("DBL", "BAR", NIGHT, date(2026, 5, 3), 2, (7,), Decimal(90))
    channel = PullChannel(username="hub", password="secret", schemas=schemas)
    for reservation_id, status in (("R1", "Commit"), ("R2", "Modify"), ("R3", "Cancel")):
        spec = ReservationSpec(reservation_id, "Channel", "H1", "EUR", (stay,), guest, at, at, card=False)
        channel.add(hotel_res_notif(spec, status, echo_token="x"))
    async with serving(channel.app) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        read = await http.post("/ota", content=plain(read_rq("H1", echo_token="poll-1")), headers=AUTH)
        assert_ota_valid(read.content)
        assert ota_element(read.content).get("EchoToken") == "poll-1"
        assert len(ota_element(read.content).findall(f"{OTA}ReservationsList/{OTA}HotelReservation")) == 3
        report = notif_report([("R1", "HUB-1"), ("R2", "HUB-2")], [("R3", "450", "Unable to process")])
        acknowledged = await http.post("/ota", content=plain(report), headers=AUTH)
        assert_ota_valid(acknowledged.content)
        empty = await http.post("/ota", content=plain(read_rq("H1")), headers=AUTH)
        assert_ota_valid(empty.content)
    assert channel.pending() == []
    assert [call.outcome for call in channel.calls] == ["applied", "applied", "applied"]
