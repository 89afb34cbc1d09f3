"""OTA_HotelAvailRQ at POST /ota: answered from the core's live cells, restrictions and rooms left honoured."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
from ari_messages import Count, Restriction, avail_notif, inv_notif, plain
from harness import ota_codes
from lxml import etree
from ota_schemas import ota_element
from test_ari_in_door import EXTPMS, OTAONE, REVMAX, push

from hub.bootstrap import Hub

OTA_NS = "http://www.opentravel.org/OTA/2003/05"
ARRIVAL = date(2031, 4, 6)
SECOND = date(2031, 4, 7)
DEPARTURE = date(2031, 4, 8)


def avail_rq(
    hotel: str,
    room: str | None = None,
    *,
    adults: int = 2,
    arrival: date = ARRIVAL,
    departure: date = DEPARTURE,
) -> bytes:
    """An OTA_HotelAvailRQ for one stay (optionally one room type), in the sender's codes."""
    candidate = f' RoomTypeCode="{room}"' if room else ""
    return (
        f'<OTA_HotelAvailRQ xmlns="{OTA_NS}" EchoToken="av-1" TimeStamp="2031-01-01T10:00:00Z" Version="1.000">'
        "<AvailRequestSegments><AvailRequestSegment>"
        f'<StayDateRange Start="{arrival.isoformat()}" End="{departure.isoformat()}"/>'
        f'<RoomStayCandidates><RoomStayCandidate{candidate} Quantity="1"><GuestCounts>'
        f'<GuestCount AgeQualifyingCode="10" Count="{adults}"/></GuestCounts></RoomStayCandidate>'
        "</RoomStayCandidates>"
        f'<HotelSearchCriteria><Criterion><HotelRef HotelCode="{hotel}"/></Criterion></HotelSearchCriteria>'
        "</AvailRequestSegment></AvailRequestSegments></OTA_HotelAvailRQ>"
    ).encode()


def offered(response: httpx.Response) -> dict[tuple[str, str], Decimal]:
    """(room type, rate plan) -> total of every RoomStay of an OTA_HotelAvailRS with Success."""
    answer = ota_element(response.content)
    assert etree.QName(answer).localname == "OTA_HotelAvailRS"
    assert answer.find(f"{{{OTA_NS}}}Success") is not None, response.text
    assert answer.get("EchoToken") == "av-1"
    found = {}
    for stay in answer.iterfind(f"{{{OTA_NS}}}RoomStays/{{{OTA_NS}}}RoomStay"):
        room = stay.find(f"{{{OTA_NS}}}RoomTypes/{{{OTA_NS}}}RoomType")
        plan = stay.find(f"{{{OTA_NS}}}RatePlans/{{{OTA_NS}}}RatePlan")
        total = stay.find(f"{{{OTA_NS}}}Total")
        assert room is not None and plan is not None and total is not None
        found[(room.get("RoomTypeCode", ""), plan.get("RatePlanCode", ""))] = Decimal(
            total.get("AmountAfterTax", "")
        )
    return found


async def restrict(client: httpx.AsyncClient, *items: Restriction) -> None:
    """The revenue system sets restrictions (in its codes)."""
    response = await push(client, plain(avail_notif("RM-ALPINA", items)), REVMAX)
    assert b"<Success/>" in response.content, response.text


async def test_given_open_default_rates_when_an_ota_asks_then_every_plan_is_offered_in_its_codes(
    door: Hub, client: httpx.AsyncClient
) -> None:
    response = await push(client, avail_rq("ALP-4711", "DZSTD"), OTAONE)
    assert offered(response) == {("DZSTD", "FLEX1"): Decimal("360.00"), ("DZSTD", "NRF1"): Decimal("324.00")}


async def test_given_a_stop_sell_on_a_night_when_asked_then_that_plan_is_not_offered(
    door: Hub, client: httpx.AsyncClient
) -> None:
    await restrict(client, Restriction("RM-DBL", "RM-BAR", SECOND, SECOND, status="Close"))
    assert set(offered(await push(client, avail_rq("ALP-4711", "DZSTD"), OTAONE))) == {("DZSTD", "NRF1")}


async def test_given_closed_to_arrival_when_asked_then_only_stays_arriving_another_day_are_offered(
    door: Hub, client: httpx.AsyncClient
) -> None:
    await restrict(client, Restriction("RM-DBL", None, SECOND, SECOND, status="Close", restriction="Arrival"))
    assert set(offered(await push(client, avail_rq("ALP-4711", "DZSTD"), OTAONE))) == {
        ("DZSTD", "FLEX1"),
        ("DZSTD", "NRF1"),
    }
    later = avail_rq("ALP-4711", "DZSTD", arrival=SECOND, departure=date(2031, 4, 9))
    assert offered(await push(client, later, OTAONE)) == {}


async def test_given_a_minimum_stay_when_a_shorter_stay_is_asked_then_not_offered(
    door: Hub, client: httpx.AsyncClient
) -> None:
    await restrict(client, Restriction("RM-DBL", "RM-NREF", ARRIVAL, ARRIVAL, stays=[("SetMinLOS", 3)]))
    assert set(offered(await push(client, avail_rq("ALP-4711", "DZSTD"), OTAONE))) == {("DZSTD", "FLEX1")}
    longer = avail_rq("ALP-4711", "DZSTD", departure=date(2031, 4, 9))
    assert set(offered(await push(client, longer, OTAONE))) == {("DZSTD", "FLEX1"), ("DZSTD", "NRF1")}


async def test_given_a_night_sold_out_when_asked_then_that_room_type_is_not_offered(
    door: Hub, client: httpx.AsyncClient
) -> None:
    sold_out = plain(inv_notif("PMS-1", [Count("D", SECOND, SECOND, 0)]))
    assert b"<Success/>" in (await push(client, sold_out, EXTPMS)).content
    assert offered(await push(client, avail_rq("ALP-4711", "DZSTD"), OTAONE)) == {}
    every_room = offered(await push(client, avail_rq("ALP-4711"), OTAONE))
    assert {room for room, _ in every_room} == {"DZSUP", "FAMZI", "JSUITE"}


async def test_given_a_revenue_system_when_it_asks_then_it_is_answered_in_its_own_codes(
    door: Hub, client: httpx.AsyncClient
) -> None:
    assert set(offered(await push(client, avail_rq("RM-ALPINA", "RM-JSU", adults=1), REVMAX))) == {
        ("RM-JSU", "RM-BAR"),
        ("RM-JSU", "RM-NREF"),
    }


async def test_given_an_unmapped_room_code_when_asked_then_3_402_in_the_availability_answer(
    door: Hub, client: httpx.AsyncClient
) -> None:
    response = await push(client, avail_rq("ALP-4711", "NOPE"), OTAONE)
    assert ota_codes(response) == (("3", "402"),)
    assert etree.QName(ota_element(response.content)).localname == "OTA_HotelAvailRS"


async def test_given_a_hotel_not_granted_when_asked_then_refused(
    door: Hub, client: httpx.AsyncClient
) -> None:
    response = await push(client, avail_rq("SOMEWHERE-ELSE", "DZSTD"), OTAONE)
    assert ota_codes(response) == (("3", "392"),)
