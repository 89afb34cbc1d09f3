"""The push channel answers as it is told: Success, Warnings, partial Errors, 500, 429, 401 or an OTA
auth error, every other call failing; and only what it accepted is folded in."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from ari_messages import Count, Rate, Restriction, avail_notif, inv_notif, plain, rate_notif
from lxml import etree

from connectors.ota.simulator import PushChannel

OTA = "{http://www.opentravel.org/OTA/2003/05}"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"hub:secret").decode()}
NIGHT = date(2026, 5, 1)
COUNT = plain(inv_notif("H1", [Count("DBL", NIGHT, NIGHT, 3)], echo_token="echo-42"))


@pytest.fixture
def channel() -> PushChannel:
    return PushChannel(username="hub", password="secret")


@pytest.fixture
async def http(channel: PushChannel) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=channel.app), base_url="http://channel"
    ) as client:
        yield client


def ota(answer: httpx.Response) -> etree._Element:
    return etree.fromstring(answer.content)


def shown(channel: PushChannel) -> dict:
    return channel.state().get("H1", {}).get("availability", {})


async def test_given_a_healthy_channel_when_a_count_arrives_then_success_with_the_echo_token_and_it_is_shown(
    channel: PushChannel, http: httpx.AsyncClient
) -> None:
    answer = await http.post("/ota", content=COUNT, headers=AUTH)
    root = ota(answer)
    assert (answer.status_code, root.tag, root.get("EchoToken")) == (
        200,
        f"{OTA}OTA_HotelInvCountNotifRS",
        "echo-42",
    )
    assert root.find(f"{OTA}Success") is not None
    assert shown(channel) == {"DBL": {NIGHT: 3}}
    assert (await http.get("/_state")).json() == {
        "H1": {"availability": {"DBL": {"2026-05-01": 3}}, "rates": {}, "restrictions": {}}
    }
    (call,) = channel.calls
    assert (call.message, call.items, call.cells, call.size, call.outcome) == (
        "OTA_HotelInvCountNotifRQ",
        1,
        1,
        len(COUNT),
        "applied",
    )


async def test_given_told_server_error_when_called_then_500_and_nothing_shown(
    channel: PushChannel, http: httpx.AsyncClient
) -> None:
    channel.behave(answer="server_error")
    answer = await http.post("/ota", content=COUNT, headers=AUTH)
    assert answer.status_code == 500
    assert shown(channel) == {}


async def test_given_told_rate_limited_when_called_then_429_with_retry_after_and_nothing_shown(
    channel: PushChannel, http: httpx.AsyncClient
) -> None:
    channel.behave(answer="rate_limited", retry_after_s=7)
    answer = await http.post("/ota", content=COUNT, headers=AUTH)
    assert (answer.status_code, answer.headers["retry-after"]) == (429, "7")
    assert shown(channel) == {}


@pytest.mark.parametrize(
    "headers", [AUTH, {}, {"Authorization": "Basic " + base64.b64encode(b"hub:wrong").decode()}]
)
async def test_given_told_unauthorized_or_wrong_credentials_when_called_then_401_and_nothing_shown(
    channel: PushChannel, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    if headers is AUTH:
        channel.behave(answer="unauthorized")
    answer = await http.post("/ota", content=COUNT, headers=headers)
    assert (answer.status_code, answer.headers["www-authenticate"].split()[0]) == (401, "Basic")
    assert shown(channel) == {}
    assert channel.calls[-1].outcome == "unauthorized"


async def test_given_ota_auth_errors_configured_when_credentials_are_wrong_then_ota_errors_4_497(
    channel: PushChannel, http: httpx.AsyncClient
) -> None:
    channel.behave(auth_failure="ota")
    answer = await http.post("/ota", content=COUNT, headers={})
    (error,) = ota(answer).iterfind(f"{OTA}Errors/{OTA}Error")
    assert (answer.status_code, error.get("Type"), error.get("Code")) == (200, "4", "497")
    assert shown(channel) == {}


async def test_given_told_warnings_when_called_then_success_with_warnings_and_it_is_shown(
    channel: PushChannel, http: httpx.AsyncClient
) -> None:
    channel.behave(answer="warnings", warning_text="Rate below floor")
    root = ota(await http.post("/ota", content=COUNT, headers=AUTH))
    assert root.find(f"{OTA}Success") is not None
    assert [warning.text for warning in root.iterfind(f"{OTA}Warnings/{OTA}Warning")] == ["Rate below floor"]
    assert shown(channel) == {"DBL": {NIGHT: 3}}


async def test_given_told_partial_errors_for_a_rate_plan_when_called_then_errors_name_those_items_and_the_rest_is_shown(
    channel: PushChannel, http: httpx.AsyncClient
) -> None:
    channel.behave(
        answer="partial_errors", error_items=[{"rate_plan": "NRF", "code": "402", "text": "Unknown plan"}]
    )
    message = rate_notif(
        "H1",
        [
            Rate("DBL", "BAR", NIGHT, NIGHT, {None: "90"}),
            Rate("DBL", "NRF", NIGHT, NIGHT, {None: "80"}),
            Rate("SGL", "BAR", NIGHT, NIGHT, {None: "70"}),
        ],
    )
    root = ota(await http.post("/ota", content=plain(message), headers=AUTH))
    errors = list(root.iterfind(f"{OTA}Errors/{OTA}Error"))
    assert [(error.get("RecordID"), error.get("Code"), error.text) for error in errors] == [
        ("2", "402", "Unknown plan")
    ]
    assert errors[0].get("NodeList") == "/OTA_HotelRateAmountNotifRQ/RateAmountMessages/RateAmountMessage[2]"
    rates = channel.state()["H1"]["rates"]
    assert {(room, plan) for room, plans in rates.items() for plan in plans} == {
        ("DBL", "BAR"),
        ("SGL", "BAR"),
    }
    assert channel.calls[-1].outcome == "partial_errors"


async def test_given_told_to_fail_every_other_call_when_four_arrive_then_the_first_and_third_fail(
    channel: PushChannel, http: httpx.AsyncClient
) -> None:
    channel.behave(answer="server_error", every_other=True)
    bodies = [plain(inv_notif("H1", [Count("DBL", NIGHT, NIGHT, n)])) for n in (1, 2, 3, 4)]
    statuses = [(await http.post("/ota", content=body, headers=AUTH)).status_code for body in bodies]
    assert statuses == [500, 200, 500, 200]
    assert shown(channel) == {"DBL": {NIGHT: 4}}


async def test_given_the_control_api_when_told_over_http_then_the_next_call_answers_so(
    channel: PushChannel, http: httpx.AsyncClient
) -> None:
    told = await http.post("/_control", json={"answer": "rate_limited", "retry_after_s": 3})
    assert told.json()["answer"] == "rate_limited"
    answer = await http.post("/ota", content=COUNT, headers=AUTH)
    assert (answer.status_code, answer.headers["retry-after"]) == (429, "3")
    stats = (await http.get("/_stats")).json()
    assert stats["calls"] == {"OTA_HotelInvCountNotifRQ": 1}
    assert stats["max_per_second"]["H1"]["*"] == 1
    await http.post("/_reset")
    assert (await http.get("/_control")).json()["answer"] == "success"
    assert (await http.get("/_calls")).json() == []


async def test_given_a_behaviour_that_does_not_exist_when_told_then_422_and_nothing_changes(
    channel: PushChannel, http: httpx.AsyncClient
) -> None:
    answer = await http.post("/_control", json={"answer": "explode"})
    assert answer.status_code == 422
    assert channel.behaviour.answer == "success"


async def test_given_a_body_that_is_not_ota_when_sent_then_400_with_ota_error_rs_and_it_is_counted(
    channel: PushChannel, http: httpx.AsyncClient
) -> None:
    answer = await http.post("/ota", content=b"<not-ota/>", headers=AUTH)
    assert (answer.status_code, ota(answer).tag, ota(answer).get("ErrorCode")) == (
        400,
        f"{OTA}OTA_ErrorRS",
        "Malformed",
    )
    assert (channel.counters.calls, channel.calls[-1].outcome) == ({"?": 1}, "unreadable")


async def test_given_a_message_the_channel_does_not_take_when_sent_then_errors_type_2(
    http: httpx.AsyncClient,
) -> None:
    body = b'<OTA_PingRQ xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0"/>'
    error = ota(await http.post("/ota", content=body, headers=AUTH)).find(f"{OTA}Errors/{OTA}Error")
    assert error is not None and error.get("Type") == "2"


async def test_given_restrictions_rates_and_counts_when_posted_then_the_json_state_holds_each(
    http: httpx.AsyncClient,
) -> None:
    for message in (
        avail_notif("H1", [Restriction("DBL", "BAR", NIGHT, NIGHT, status="Close", restriction="Arrival")]),
        rate_notif("H1", [Rate("DBL", "BAR", NIGHT, NIGHT, {2: "100.50"}, extra_child="12")]),
        inv_notif("H1", [Count("DBL", NIGHT, NIGHT, 2)]),
    ):
        assert (await http.post("/ota", content=plain(message), headers=AUTH)).status_code == 200
    state = (await http.get("/_state")).json()["H1"]
    assert state["availability"] == {"DBL": {"2026-05-01": 2}}
    assert state["rates"]["DBL"]["BAR"]["2026-05-01"] == {
        "amount": None,
        "by_guests": {"2": "100.50"},
        "extra_adult": None,
        "extra_child": "12",
        "currency": "EUR",
    }
    assert state["restrictions"]["DBL"]["BAR"]["2026-05-01"]["closed_to_arrival"] is True
