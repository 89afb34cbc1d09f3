"""Taking turns at a channel: how long a lease lasts, and nudges that always follow the last commit."""

from __future__ import annotations

import asyncio

import pytest
from faststream.rabbit import RabbitBroker

from routes.ari_state import LEASE_MARGIN_S, lease_seconds
from routes.policy import DeliveryPolicy, RateLimit
from routes.rabbit.channel_queues import ChannelQueues, channel_queue


def test_given_a_policy_when_its_lease_is_asked_then_it_outlasts_one_call_and_its_rate_limit_waits() -> None:
    policy = DeliveryPolicy(
        timeout_s=20,
        rate_limit=RateLimit(max_rate=2, period_s=1),
        rate_limit_per_property=RateLimit(max_rate=1, period_s=2),
        rate_limit_per_kind={"rates": RateLimit(max_rate=4, period_s=1)},
    )
    assert lease_seconds(policy) == pytest.approx(20 + 0.5 + 2 + 0.25 + LEASE_MARGIN_S)
    slow = DeliveryPolicy(timeout_s=300)
    assert lease_seconds(slow) > slow.timeout_s  # a slow channel never loses it mid-call


def test_given_a_channel_id_when_its_queue_is_named_then_it_stands_apart_from_the_route_queues() -> None:
    queue = channel_queue("ota one/x", prefix="hub")
    assert queue.name == "hub.ari-send.ota_one_x"
    assert (queue.arguments or {})["x-single-active-consumer"] is True


class _Recording(ChannelQueues):
    """Channel queues whose publishes are recorded and held until released."""

    def __init__(self) -> None:
        super().__init__(RabbitBroker("amqp://unused/"))
        self.published: list[str] = []
        self.release = asyncio.Event()

    async def _publish_one(self, channel: str) -> None:
        self.published.append(channel)
        await self.release.wait()
        self.release.clear()


async def test_given_a_nudge_in_flight_when_more_commits_nudge_then_one_more_follows_it() -> None:
    queues = _Recording()
    queues.nudge(["otaone"])
    await asyncio.sleep(0)
    queues.nudge(["otaone"])  # committed while the first is on its way: it may be read already
    queues.nudge(["otaone"])
    queues.nudge(["otatwo"])
    await asyncio.sleep(0)
    assert sorted(queues.published) == ["otaone", "otatwo"]
    for _ in range(3):
        queues.release.set()
        await asyncio.sleep(0.01)
    assert sorted(queues.published) == ["otaone", "otaone", "otatwo"]
