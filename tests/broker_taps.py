"""Taps on the hub's RabbitMQ exchanges: queues of a test's own that receive a copy of what the hub
publishes, so a test reads what the broker carried without taking anything from the hub's queues.

Their names start with `test.`, which services.broker_idle leaves out of its count.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue

from routes.rabbit.topology import DEFAULT_PREFIX

TAP_PREFIX = "test.tap."


@contextlib.asynccontextmanager
async def broker_taps(
    broker_url: str, consumers: Iterable[str], *, prefix: str = DEFAULT_PREFIX
) -> AsyncIterator[dict[str, AbstractQueue]]:
    """Queues of the test's own bound beside the hub's, "events", "direct" and "dead-letter": a copy
    of every message published to the events exchange (new rows for every route), to the direct
    exchange for these consumers (replays, and retries coming back from their TTL queues) and to the
    dead-letter exchange. Deleted afterwards."""
    connection = await aio_pika.connect(broker_url)
    try:
        channel = await connection.channel()
        taps: dict[str, AbstractQueue] = {}
        bindings = {
            "events": [("#", f"{prefix}.events")],
            "direct": [(consumer, f"{prefix}.direct") for consumer in consumers],
            "dead-letter": [("", f"{prefix}.dead-letter")],
        }
        for name, keys in bindings.items():
            queue = await channel.declare_queue(f"{TAP_PREFIX}{name}", durable=False)
            for key, exchange in keys:
                await queue.bind(exchange, routing_key=key)
            taps[name] = queue
        yield taps
        for queue in taps.values():
            await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()


async def drain(queue: AbstractQueue, *, within_s: float = 10.0) -> list[AbstractIncomingMessage]:
    """Every message in `queue`: as many as the broker counts in it, read with a consumer and
    acknowledged (the queue is the test's own)."""
    await queue.declare()  # refreshes the message count
    count = int(queue.declaration_result.message_count or 0)
    got: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
    tag = await queue.consume(got.put)
    taken: list[AbstractIncomingMessage] = []
    try:
        async with asyncio.timeout(within_s):
            while len(taken) < count:
                message = await got.get()
                taken.append(message)
                await message.ack()
    finally:
        await queue.cancel(tag)
    return taken
