"""The consume side's hot path: every route's queue consumed with aio-pika on the broker's connection.

FastStream runs a subscriber's handler through its full pipeline for each message — context
scopes, the logging middleware, parser and decoder, response publishing — and measured here that
costs about a quarter of consume throughput (bench/transport.py: plain FastStream subscribers reach
about 0.6 of a raw aio-pika loop). The hub's consumers need none of it: a delivery only goes into
the group commit (`routes/rabbit/consumer.py`), which decodes, handles, commits and settles it.
So the route queues are consumed here, on a robust channel of the FastStream broker's own robust
connection: aio-pika restores the channel's prefetch and these consumers after a reconnection,
exactly as it does for FastStream's subscribers. FastStream still owns the connection, publishing,
the dead-letter store's subscriber and the AsyncAPI document.

Stopping is in two steps: `stop_consuming` cancels the consumers (no new deliveries), and `close`
closes the channel only after the caller has settled what it holds, since closing a channel hands
every unacknowledged message back to its queue.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from aio_pika.abc import (
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustChannel,
    AbstractRobustConnection,
    ConsumerTag,
)

from routes.table import Route

log = logging.getLogger("hotelhub.rabbit.intake")

Take = Callable[[Route, AbstractIncomingMessage], None]


def _consumer(route: Route, take: Take) -> Callable[[AbstractIncomingMessage], Awaitable[None]]:
    """aio-pika's callback for one route's queue: hand the delivery over, never wait."""

    async def consume(message: AbstractIncomingMessage) -> None:
        take(route, message)

    return consume


class Intake:
    """Consumes each (route, queue name) pair on one channel with bounded prefetch, manual ack."""

    def __init__(self, queues: Sequence[tuple[Route, str]], *, prefetch: int, take: Take) -> None:
        self.queues = tuple(queues)
        self.prefetch = prefetch
        self.take = take
        self._channel: AbstractRobustChannel | None = None
        self._consumers: list[tuple[AbstractQueue, ConsumerTag]] = []

    async def start(self, connection: AbstractRobustConnection) -> None:
        """Open the channel and start every consumer (the queues must exist: declare the topology first)."""
        channel = await connection.channel()
        try:
            await channel.set_qos(prefetch_count=self.prefetch)
            for route, name in self.queues:
                queue = await channel.get_queue(name, ensure=True)
                tag = await queue.consume(_consumer(route, self.take), no_ack=False)
                self._consumers.append((queue, tag))
        except BaseException:
            self._consumers.clear()
            with contextlib.suppress(Exception):
                await channel.close()
            raise
        self._channel = channel

    async def stop_consuming(self) -> None:
        """Cancel every consumer: the broker sends no more deliveries (those in flight still arrive)."""
        consumers, self._consumers = self._consumers, []
        for queue, tag in consumers:
            if queue.channel.is_closed:
                continue
            try:
                await queue.cancel(tag)
            except Exception as err:  # channel lost meanwhile: its deliveries go back to the queue anyway
                log.warning("cancelling consumer %s failed", tag, extra={"error": repr(err)})

    async def close(self) -> None:
        """Close the channel; any message still unacknowledged goes back to its queue."""
        await self.stop_consuming()
        channel, self._channel = self._channel, None
        if channel is not None and not channel.is_closed:
            with contextlib.suppress(Exception):
                await channel.close()

    @property
    def ready(self) -> bool:
        """The channel is open and every queue has its consumer."""
        channel = self._channel
        return channel is not None and not channel.is_closed and len(self._consumers) == len(self.queues)
