"""Intake: the route queues consumed on the hub broker's connection, bounded by prefetch, manual ack."""

from __future__ import annotations

import asyncio

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage
from rabbit_harness import Services, eventually, queue_counts, record_effect

from canonical.booking import BOOKING_RECEIVED_V1
from routes.rabbit.intake import Intake
from routes.rabbit.transport import hub_broker
from routes.table import Route

pytestmark = pytest.mark.services

QUEUE = "hotelhub.test.intake"
ROUTE = Route(BOOKING_RECEIVED_V1, "pms", record_effect)


async def _declare_and_fill(services: Services, count: int) -> None:
    connection = await aio_pika.connect(services.broker_url)
    async with connection:
        channel = await connection.channel()
        await channel.declare_queue(QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
        for n in range(count):
            await channel.default_exchange.publish(aio_pika.Message(f"m{n}".encode()), routing_key=QUEUE)


async def test_given_more_messages_than_prefetch_when_none_is_acked_then_only_prefetch_are_taken(
    services: Services,
) -> None:
    await _declare_and_fill(services, 10)
    taken: list[tuple[Route, AbstractIncomingMessage]] = []
    broker = hub_broker(services.broker_url)
    intake = Intake([(ROUTE, QUEUE)], prefetch=4, take=lambda route, message: taken.append((route, message)))
    assert not intake.ready
    try:
        await intake.start(await broker.connect())
        assert intake.ready

        async def four_taken() -> bool:
            return len(taken) == 4

        await eventually(four_taken)
        await asyncio.sleep(0.3)  # nothing beyond the prefetch arrives while these are unacked
        assert len(taken) == 4
        assert {route for route, _ in taken} == {ROUTE}
        assert [m.body for _, m in taken] == [b"m0", b"m1", b"m2", b"m3"]

        await asyncio.gather(*(message.ack() for _, message in taken))

        async def four_more_taken() -> bool:  # acked four, so four more may come
            return len(taken) == 8

        await eventually(four_more_taken)
        await asyncio.sleep(0.3)
        assert [m.body for _, m in taken[4:]] == [b"m4", b"m5", b"m6", b"m7"]
    finally:
        await intake.close()
        await broker.stop()
    assert not intake.ready


async def test_given_unacked_deliveries_when_closed_then_they_are_back_in_the_queue(
    services: Services,
) -> None:
    await _declare_and_fill(services, 6)
    taken: list[AbstractIncomingMessage] = []
    broker = hub_broker(services.broker_url)
    intake = Intake([(ROUTE, QUEUE)], prefetch=8, take=lambda _route, message: taken.append(message))
    try:
        await intake.start(await broker.connect())

        async def all_taken() -> bool:
            return len(taken) == 6

        await eventually(all_taken)
        await taken[0].ack()
        await intake.stop_consuming()
        assert not intake.ready
        await intake.close()
    finally:
        await broker.stop()

    async def five_back() -> bool:
        return (await queue_counts(services.broker_url, QUEUE))[0] == 5

    await eventually(five_back)


async def test_given_a_missing_queue_when_started_then_the_error_names_it_and_nothing_is_left_open(
    services: Services,
) -> None:
    broker = hub_broker(services.broker_url)
    intake = Intake([(ROUTE, "hotelhub.test.no-such-queue")], prefetch=4, take=lambda *_: None)
    try:
        with pytest.raises(aio_pika.exceptions.ChannelNotFoundEntity, match="no-such-queue"):
            await intake.start(await broker.connect())
        assert not intake.ready
    finally:
        await broker.stop()
