"""What the simulators count: the busiest one-second window (fed through an injected clock) and
requests in flight at once."""

from __future__ import annotations

import asyncio
import base64
from datetime import date

import httpx
import pytest
from ari_messages import Count, Rate, inv_notif, plain, rate_notif

from connectors.ota.simulator import PushChannel
from connectors.ota.simulator.counters import busiest

AUTH = {"Authorization": "Basic " + base64.b64encode(b"hub:secret").decode()}
NIGHT = date(2026, 5, 1)


class Clock:
    """A clock the test sets by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        ([], 0),
        ([5.0], 1),
        # Six requests across a calendar-second boundary: 3 + 3 per calendar second, 6 in one window.
        ([0.6, 0.7, 0.8, 1.1, 1.2, 1.3], 6),
        # Exactly one second apart falls in two windows (t - 1 s, t].
        ([0.0, 1.0, 2.0, 3.0], 1),
        ([0.0, 0.999, 1.0, 1.5, 1.998, 2.5], 4),
        ([0.0, 0.1, 0.2, 5.0, 5.0, 5.0, 5.0], 4),
    ],
)
def test_given_arrival_times_when_counted_then_the_true_busiest_one_second_window(
    times: list[float], expected: int
) -> None:
    assert busiest(times) == expected


async def test_given_requests_at_set_times_when_counted_then_the_maximum_is_kept_per_hotel_and_kind() -> None:
    clock = Clock()
    channel = PushChannel(username="hub", password="secret", clock=clock)
    rates = plain(rate_notif("H1", [Rate("DBL", "BAR", NIGHT, NIGHT, {None: "90"})]))
    counts = {hotel: plain(inv_notif(hotel, [Count("DBL", NIGHT, NIGHT, 3)])) for hotel in ("H1", "H2")}
    schedule = [
        (0.1, rates),
        (0.2, counts["H1"]),
        (0.3, counts["H2"]),
        (0.9, counts["H1"]),
        (1.05, counts["H1"]),
    ]
    schedule += [(1.25, counts["H2"]), (3.0, rates)]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=channel.app), base_url="http://channel"
    ) as http:
        for at, body in schedule:
            clock.now = at
            assert (await http.post("/ota", content=body, headers=AUTH)).status_code == 200
    counters = channel.counters
    assert counters.calls == {"OTA_HotelRateAmountNotifRQ": 2, "OTA_HotelInvCountNotifRQ": 5}
    assert counters.max_per_second() == 5  # 0.1, 0.2, 0.3, 0.9, 1.05
    assert counters.max_per_second(hotel="H1") == 4  # 0.1, 0.2, 0.9, 1.05
    assert counters.max_per_second(hotel="H1", message="OTA_HotelInvCountNotifRQ") == 3
    assert counters.max_per_second(hotel="H2") == 2  # 0.3, 1.25
    assert counters.max_per_second(message="OTA_HotelRateAmountNotifRQ") == 1
    assert channel.stats()["max_per_second"]["H1"]["OTA_HotelInvCountNotifRQ"] == 3
    assert counters.max_per_second(hotel="H1", window_s=60) == 5
    assert channel.stats(window_s=60)["max_per_window"]["*"] == {
        "*": 7,
        "OTA_HotelRateAmountNotifRQ": 2,
        "OTA_HotelInvCountNotifRQ": 5,
    }


@pytest.mark.parametrize(
    ("times", "window_s", "expected"),
    [
        # Ten calls a minute, evenly spread, never eleven in any minute; one more squeezed in is.
        ([6.0 * n for n in range(30)], 60.0, 10),
        ([6.0 * n for n in range(30)] + [6.0 * 29 + 1], 60.0, 11),
        ([0.0, 30.0, 59.9, 60.0, 90.0], 60.0, 3),
    ],
)
def test_given_arrival_times_when_counted_over_a_minute_then_the_busiest_minute(
    times: list[float], window_s: float, expected: int
) -> None:
    assert busiest(times, window_s) == expected


async def test_given_requests_held_at_the_door_when_three_are_sent_at_once_then_in_flight_max_is_three() -> (
    None
):
    channel = PushChannel(username="hub", password="secret")
    body = plain(inv_notif("H1", [Count("DBL", NIGHT, NIGHT, 3)]))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=channel.app), base_url="http://channel"
    ) as http:
        await http.post("/ota", content=body, headers=AUTH)
        assert channel.counters.in_flight_max == 1
        channel.pause()
        sent = [asyncio.create_task(http.post("/ota", content=body, headers=AUTH)) for _ in range(3)]
        for _ in range(1000):
            if channel.counters.in_flight == 3:
                break
            await asyncio.sleep(0.001)
        channel.resume()
        answers = await asyncio.gather(*sent)
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert (channel.counters.in_flight_max, channel.counters.in_flight) == (3, 0)


async def test_given_requests_one_after_another_when_counted_then_in_flight_max_stays_one() -> None:
    channel = PushChannel(username="hub", password="secret")
    body = plain(inv_notif("H1", [Count("DBL", NIGHT, NIGHT, 3)]))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=channel.app), base_url="http://channel"
    ) as http:
        for _ in range(5):
            await http.post("/ota", content=body, headers=AUTH)
    assert channel.counters.in_flight_max == 1
    assert channel.counters.calls["OTA_HotelInvCountNotifRQ"] == 5
