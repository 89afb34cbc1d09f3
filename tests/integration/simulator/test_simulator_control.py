"""ChannelControl: a simulator in another process told and read through its control API over HTTP."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
from ari_messages import Count, inv_notif, plain, read_rq
from lxml import etree

from connectors.ota.simulator import ChannelControl, PullChannel, PushChannel, serving
from hub.demo.messages import GuestSpec, ReservationSpec, StaySpec, hotel_res_notif

AUTH = {"Authorization": "Basic " + base64.b64encode(b"hub:secret").decode()}
NIGHT = date(2026, 5, 1)


async def test_given_a_push_channel_when_told_over_http_then_it_fails_as_told_and_reports_its_counts() -> (
    None
):
    channel = PushChannel(username="hub", password="secret")
    async with serving(channel.app) as url, httpx.AsyncClient(base_url=url) as http:
        control = ChannelControl(url)
        try:
            assert (await control.behave(answer="server_error", every_other=True))["every_other"] is True
            for count in (1, 2):
                await http.post(
                    "/ota", content=plain(inv_notif("H1", [Count("DBL", NIGHT, NIGHT, count)])), headers=AUTH
                )
            assert (await control.state())["H1"]["availability"] == {"DBL": {"2026-05-01": 2}}
            assert (await control.stats())["calls"] == {"OTA_HotelInvCountNotifRQ": 2}
            assert [call["status"] for call in await control.calls()] == [500, 200]
            await control.reset()
            assert await control.state() == {}
        finally:
            await control.aclose()


async def test_given_a_pull_channel_when_reservations_are_added_over_http_then_a_read_returns_them() -> None:
    at = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    guest = GuestSpec("Anna", "Huber", "anna@example.org", "+43 1 234", "de", "Ring 1", "Wien", "1010", "AT")
    stay = StaySpec("DBL", "BAR", NIGHT, date(2026, 5, 3), 2, (), Decimal(90))
    spec = ReservationSpec("R1", "Channel", "H1", "EUR", (stay,), guest, at, at, card=False)
    channel = PullChannel(username="hub", password="secret")
    async with serving(channel.app) as url, httpx.AsyncClient(base_url=url) as http:
        control = ChannelControl(url)
        try:
            assert await control.add_reservations(
                etree.tostring(hotel_res_notif(spec, "Commit", echo_token="x"))
            ) == ["R1"]
            answer = await http.post("/ota", content=plain(read_rq("H1")), headers=AUTH)
            assert b'ID="R1"' in answer.content
            assert (await control.state())["pending"] == [
                {"reservation_id": "R1", "hotel": "H1", "status": "Commit"}
            ]
        finally:
            await control.aclose()
