"""The hub's broker connection writes through CoalescingTransport, also after a reconnect."""

from __future__ import annotations

import asyncio

import aio_pika
from faststream.rabbit import RabbitBroker
from rabbit_harness import Services

from routes.rabbit.publishing import Confirm, ConfirmChannel
from routes.rabbit.transport import hub_broker
from routes.rabbit.wire import CoalescingTransport, HubRobustConnection

QUEUE = "hotelhub.test.wire"


async def _publish_and_read(services: Services, channel: ConfirmChannel, count: int) -> list[bytes]:
    bodies = [f"message {n}".encode() for n in range(count)]
    confirms = await asyncio.gather(
        *(
            channel.publish(body, exchange="", routing_key=QUEUE, message_id=f"wire-{n}-{id(bodies)}")
            for n, body in enumerate(bodies)
        )
    )
    assert set(confirms) == {Confirm.SENT}
    received: list[bytes] = []
    connection = await aio_pika.connect(services.broker_url)
    async with connection:
        queue = await (await connection.channel()).get_queue(QUEUE)
        while len(received) < count:
            message = await queue.get(timeout=5, fail=True)
            assert message is not None
            received.append(message.body)
            await message.ack()
    return received


async def _connected(broker: RabbitBroker) -> HubRobustConnection:
    """The hub broker's connection, with the test queue declared."""
    connection = await broker.connect()
    assert isinstance(connection, HubRobustConnection)
    setup = await connection.channel()
    await setup.declare_queue(QUEUE, durable=True)
    await setup.close()
    return connection


async def test_given_the_hub_broker_when_it_publishes_many_at_once_then_few_socket_writes_carry_them(
    services: Services,
) -> None:
    broker = hub_broker(services.broker_url)
    try:
        connection = await _connected(broker)
        transport = connection.wire.transport
        assert isinstance(transport, CoalescingTransport)
        channel = ConfirmChannel(broker)
        before = transport.writes

        received = await _publish_and_read(services, channel, 200)

        assert sorted(received) == sorted(f"message {n}".encode() for n in range(200))
        # 200 publishes in one loop turn went out in a write or two (the confirm channel opening aside), not 200
        assert transport.writes - before <= 5
        await channel.close()
    finally:
        await broker.stop()


async def test_given_the_broker_dropped_the_connection_when_reconnected_then_the_new_one_coalesces_too(
    services: Services,
) -> None:
    broker = hub_broker(services.broker_url, reconnect_interval_s=0.2)
    try:
        connection = await _connected(broker)
        first = connection.wire.transport
        channel = ConfirmChannel(broker)
        assert len(await _publish_and_read(services, channel, 5)) == 5

        await services.close_connections()
        async with asyncio.timeout(20):
            while connection.wire.transport is first or not connection.connected.is_set():
                await asyncio.sleep(0.05)

        assert isinstance(connection.wire.transport, CoalescingTransport)
        assert len(await _publish_and_read(services, channel, 20)) == 20
        await channel.close()
    finally:
        await broker.stop()
