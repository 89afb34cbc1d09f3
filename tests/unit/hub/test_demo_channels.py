"""The demo's channel checks: a channel differing from the core, or never shown a changed cell, is a
problem; one endpoint sends reads to the pull channel and notifications to the push channel."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from canonical.ari import RateCell, Rates, Restrictions
from connectors.ota.simulator import PullChannel, PushChannel
from hub.demo.channels import SharedDoor, message_name
from hub.demo.convergence import CoreCells, compare, expected_rate
from mappings.model import PropertyMapping
from routes.ari_policy import AvailabilityRules

NIGHT = date(2031, 5, 2)
CODES = PropertyMapping(
    property="ALPINA", hotel_code="H1", room_types={"DZ": "DBL"}, rate_plans={"FLEX": "BAR"}
)
AUTH = {"Authorization": "Basic " + base64.b64encode(b"hub:secret").decode()}
OTA = "http://www.opentravel.org/OTA/2003/05"


def _core(amount: str, available: int) -> CoreCells:
    cell = RateCell(
        room_type="DBL",
        rate_plan="BAR",
        night=NIGHT,
        rates=Rates(amount=Decimal(amount)),
        restrictions=Restrictions(min_los=2),
    )
    return CoreCells(rates={("DBL", "BAR", NIGHT): cell}, available={("DBL", NIGHT): available})


def _shown(amount: str, available: int) -> dict[str, Any]:
    cell = _core(amount, available).rates[("DBL", "BAR", NIGHT)]
    return {
        "availability": {"DZ": {NIGHT: available}},
        "rates": {"DZ": {"FLEX": {NIGHT: expected_rate(cell, "EUR")}}},
        "restrictions": {"DZ": {"FLEX": {NIGHT: cell.restrictions.model_dump(exclude={"same_day_cutoff"})}}},
    }


def test_given_a_channel_showing_the_core_when_compared_then_no_problem_and_every_cell_counted() -> None:
    verdict = compare("otaone", _shown("180.00", 3), CODES, _core("180.00", 3), currency="EUR")

    assert verdict.problems == []
    assert verdict.compared == {"availability": 1, "rates": 1, "restrictions": 1}


def test_given_a_stale_rate_and_count_when_compared_then_each_is_a_problem() -> None:
    verdict = compare("otaone", _shown("170.00", 4), CODES, _core("180.00", 3), currency="EUR")

    assert len(verdict.problems) == 2
    assert any("rooms left DZ" in p for p in verdict.problems)
    assert any("rates DZ/FLEX" in p for p in verdict.problems)


def test_given_a_changed_cell_the_channel_never_got_when_compared_then_it_is_a_problem() -> None:
    verdict = compare(
        "otaone",
        {"availability": {}, "rates": {}, "restrictions": {}},
        CODES,
        _core("180.00", 3),
        currency="EUR",
        must_show=[("rates", "DBL", "BAR", NIGHT)],
    )

    assert verdict.problems == [f"otaone rates DZ/FLEX {NIGHT}: changed, never shown"]


def _read_rq() -> bytes:
    return (
        f'<OTA_ReadRQ xmlns="{OTA}" EchoToken="e1" TimeStamp="2031-05-01T10:00:00Z" Version="1.000">'
        '<ReadRequests><HotelReadRequest HotelCode="H1"><SelectionCriteria SelectionType="Undelivered"/>'
        "</HotelReadRequest></ReadRequests></OTA_ReadRQ>"
    ).encode()


def _inv_notif() -> bytes:
    return (
        f'<OTA_HotelInvCountNotifRQ xmlns="{OTA}" EchoToken="e2" TimeStamp="2031-05-01T10:00:00Z" '
        'Version="1.000"><Inventories HotelCode="H1"><Inventory>'
        f'<StatusApplicationControl Start="{NIGHT}" End="{NIGHT}" InvTypeCode="DZ"/>'
        '<InvCounts><InvCount CountType="2" Count="5"/></InvCounts></Inventory></Inventories>'
        "</OTA_HotelInvCountNotifRQ>"
    ).encode()


async def test_given_one_endpoint_when_a_read_and_a_notification_arrive_then_each_reaches_its_channel() -> (
    None
):
    push, pull = (
        PushChannel(username="hub", password="secret"),
        PullChannel(username="hub", password="secret"),
    )
    transport = httpx.ASGITransport(app=SharedDoor(push, pull))
    async with httpx.AsyncClient(transport=transport, base_url="http://channel") as http:
        read = await http.post("/ota", content=_read_rq(), headers=AUTH)
        notif = await http.post("/ota", content=_inv_notif(), headers=AUTH)

    assert read.status_code == 200 and message_name(read.content) == "OTA_ResRetrieveRS"
    assert notif.status_code == 200 and message_name(notif.content) == "OTA_HotelInvCountNotifRS"
    assert pull.reads == 1
    assert push.state() == {"H1": {"availability": {"DZ": {NIGHT: 5}}, "rates": {}, "restrictions": {}}}


def test_given_a_channel_holding_a_room_back_when_compared_then_it_must_show_one_fewer() -> None:
    held_back = AvailabilityRules(hold_back=1)

    fewer = compare(
        "otatwo", _shown("180.00", 2), CODES, _core("180.00", 3), currency="EUR", shown_rooms=held_back.shown
    )
    all_rooms = compare(
        "otatwo", _shown("180.00", 3), CODES, _core("180.00", 3), currency="EUR", shown_rooms=held_back.shown
    )

    assert fewer.problems == []
    assert len(all_rooms.problems) == 1 and "rooms left DZ" in all_rooms.problems[0]
