"""A rate limit holds where the partner counts: calls that reach it late (a new connection's
handshake, a busy loop) never put one too many into a window there. On virtual time."""

from __future__ import annotations

import asyncio

import httpx
from outbound_fakes import Channel, run_on_virtual_time

from routes.outbound.client import build_outbound
from routes.policy import DeliveryPolicy, RateLimit

BODY = b"<OTA_HotelInvCountNotifRQ/>"
LATE_S = 0.15  # how late the first call of the burst reaches the partner


def _busiest(times: list[float], window_s: float = 1.0) -> int:
    """The most times in any window (t - window_s, t]."""
    return max(sum(1 for s in times if t - window_s < s <= t) for t in times)


def _arrivals(policy: DeliveryPolicy, calls: int, *, late: set[int]) -> list[float]:
    """Send `calls` calls one after another; the ones numbered in `late` reach the partner LATE_S
    after they left; when (loop time) each reached it."""

    async def main() -> list[float]:
        loop = asyncio.get_running_loop()
        seen: list[float] = []

        async def partner(request: httpx.Request) -> httpx.Response:
            if int(request.headers["X-Call"]) in late:
                await asyncio.sleep(LATE_S)
            seen.append(loop.time())
            return httpx.Response(200)

        client = build_outbound(Channel(), policy, transport=httpx.MockTransport(partner))
        for number in range(calls):
            await client.send("POST", content=BODY, headers={"X-Call": str(number)})
        return seen

    return run_on_virtual_time(main)


def test_given_the_first_call_arrives_late_when_a_burst_follows_then_no_second_holds_more_than_the_limit() -> (
    None
):
    policy = DeliveryPolicy(rate_limit=RateLimit(max_rate=4, period_s=1.0))
    times = _arrivals(policy, 12, late={0})
    assert _busiest(times) == 4


def test_given_calls_late_now_and_then_when_sent_at_the_limit_then_the_partner_never_sees_more() -> None:
    policy = DeliveryPolicy(rate_limit=RateLimit(max_rate=3, period_s=1.0))
    times = _arrivals(policy, 20, late={0, 4, 5, 11, 17})
    assert _busiest(times) <= 3
