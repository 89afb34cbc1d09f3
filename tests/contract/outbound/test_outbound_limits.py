"""Rate limits and the in-flight cap through the seam, on virtual time: counts per window, never durations."""

from __future__ import annotations

import asyncio

import httpx
from outbound_fakes import Channel, run_on_virtual_time

from routes.outbound.client import build_outbound
from routes.policy import DeliveryPolicy, RateLimit

BODY = b"<OTA_HotelInvCountNotifRQ/>"


def _most_in_any_window(times: list[float], window_s: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + window_s) for i, start in enumerate(times))


def _arrivals(policy: DeliveryPolicy, calls: list[dict[str, str]]) -> list[tuple[float, httpx.Request]]:
    """Send every call at once; return when (loop time) each request reached the partner."""

    async def main() -> list[tuple[float, httpx.Request]]:
        loop = asyncio.get_running_loop()
        seen: list[tuple[float, httpx.Request]] = []

        def partner(request: httpx.Request) -> httpx.Response:
            seen.append((loop.time(), request))
            return httpx.Response(200)

        client = build_outbound(Channel(), policy, transport=httpx.MockTransport(partner))
        await asyncio.gather(*(client.send("POST", content=BODY, **call) for call in calls))  # type: ignore[arg-type]
        return seen

    return run_on_virtual_time(main)


def test_given_limit_of_4_a_second_when_40_calls_at_once_then_never_more_than_4_in_any_second() -> None:
    policy = DeliveryPolicy(rate_limit=RateLimit(max_rate=4, period_s=1.0))
    seen = _arrivals(policy, [{}] * 40)
    times = [t for t, _ in seen]
    assert len(times) == 40
    assert _most_in_any_window(times, 1.0) == 4


def test_given_limit_per_property_when_two_properties_call_at_once_then_each_held_to_its_own_limit() -> None:
    policy = DeliveryPolicy(rate_limit_per_property=RateLimit(max_rate=2, period_s=1.0))
    calls = [{"property_code": "ALPINE"}, {"property_code": "SEASIDE"}] * 10
    for call in calls:
        call["headers"] = {"X-Property": call["property_code"]}  # type: ignore[assignment]
    seen = _arrivals(policy, calls)
    by_property: dict[str, list[float]] = {}
    for t, request in seen:
        by_property.setdefault(request.headers["X-Property"], []).append(t)
    assert {code: _most_in_any_window(ts, 1.0) for code, ts in by_property.items()} == {
        "ALPINE": 2,
        "SEASIDE": 2,
    }
    # the two properties do not share one limit: together they reach 4 in a second
    assert _most_in_any_window([t for t, _ in seen], 1.0) == 4


def test_given_limit_per_kind_when_rates_and_availability_at_once_then_counted_apart() -> None:
    policy = DeliveryPolicy(
        rate_limit_per_kind={
            "rate": RateLimit(max_rate=3, period_s=1.0),
            "availability": RateLimit(max_rate=1),
        }
    )
    calls = [{"kind": "rate"}] * 9 + [{"kind": "availability"}] * 3
    for call in calls:
        call["headers"] = {"X-Kind": call["kind"]}  # type: ignore[assignment]
    seen = _arrivals(policy, calls)
    per_kind: dict[str, list[float]] = {}
    for t, request in seen:
        per_kind.setdefault(request.headers["X-Kind"], []).append(t)
    assert {kind: len(times) for kind, times in per_kind.items()} == {"rate": 9, "availability": 3}
    assert _most_in_any_window(per_kind["rate"], 1.0) == 3
    assert _most_in_any_window(per_kind["availability"], 1.0) == 1


def test_given_max_in_flight_1_when_20_calls_at_once_then_never_two_at_the_partner() -> None:
    async def main() -> tuple[int, int]:
        inside = most = done = 0

        async def partner(request: httpx.Request) -> httpx.Response:
            nonlocal inside, most, done
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.05)  # the answer takes a while: others would enter meanwhile
            inside -= 1
            done += 1
            return httpx.Response(200)

        client = build_outbound(
            Channel(), DeliveryPolicy(max_in_flight=1), transport=httpx.MockTransport(partner)
        )
        await asyncio.gather(*(client.send("POST", content=BODY) for _ in range(20)))
        return most, done

    assert run_on_virtual_time(main) == (1, 20)


def test_given_no_in_flight_cap_when_20_calls_at_once_then_they_overlap() -> None:
    # The counterpart of the test above: the handler does see overlap when nothing caps it.
    async def main() -> int:
        inside = most = 0

        async def partner(request: httpx.Request) -> httpx.Response:
            nonlocal inside, most
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.05)
            inside -= 1
            return httpx.Response(200)

        client = build_outbound(Channel(), DeliveryPolicy(), transport=httpx.MockTransport(partner))
        await asyncio.gather(*(client.send("POST", content=BODY) for _ in range(20)))
        return most

    assert run_on_virtual_time(main) == 20
