"""One queue per ARI channel on RabbitMQ: its single active consumer is the one process sending to it.

    <prefix>.ari-send.<channel>   durable quorum queue, single active consumer, no dead-letter exchange

The queue carries nudges (a small message: the channel has pending cells), published after the
marks commit (routes/ari_out.py). What is pending lives in the database (ari_pending), never in
the queue, so a nudge is only a wake-up: any one is as good as another, and a lost one costs a
sweep's delay (a standby process nudges a channel it sees cells pending for), never a cell.

Every worker consumes every channel's queue; RabbitMQ delivers to one consumer at a time and
promotes the next when that one goes away. A process learns it is a channel's active consumer
from its first delivery and from then on runs the channel's sender (`on_turn`); it stops every
sender it runs when its channel closes (`on_lost`: connection lost, broker restart). While a
sender is sending it keeps the latest nudge unacknowledged (`busy` ... `rest`): if the process
dies mid-round, the broker hands that nudge to the promoted consumer, which drains what is left
at once. Idle or waiting on a failing channel it holds nothing, so a queue is empty at rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Callable, Collection, Iterable
from typing import Any
from uuid import uuid4

from aio_pika.abc import (
    AbstractChannel,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
    ConsumerTag,
)
from aiormq.exceptions import ChannelPreconditionFailed
from faststream.rabbit import QueueType, RabbitBroker, RabbitQueue

from routes.rabbit.publishing import Confirm, ConfirmChannel
from routes.rabbit.topology import DEFAULT_PREFIX, TopologyMismatch

log = logging.getLogger("hotelhub.rabbit.channels")

# <prefix>.ari-send.<channel id>: apart from the route queues (<prefix>.q.<consumer>)
CHANNEL_QUEUE = "{prefix}.ari-send.{channel}"
# Nudges are interchangeable: a queue nobody reads keeps the newest few, dropping the oldest.
MAX_NUDGES = 100
NUDGE_TYPE = "ari.nudge.v1"
PREFETCH = 20
# A cancel or close with no answer in this time went to a connection that is gone (or going):
# the broker hands back what it held either way, and stopping must not wait for a reconnect.
CLOSE_TIMEOUT_S = 5.0
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]")


def channel_queue(channel: str, *, prefix: str = DEFAULT_PREFIX) -> RabbitQueue:
    """The queue of one ARI channel: quorum, single active consumer, bounded, never dead-lettered."""
    return RabbitQueue(
        CHANNEL_QUEUE.format(prefix=prefix, channel=_UNSAFE.sub("_", channel)),
        QueueType.QUORUM,
        arguments={
            # One consumer at a time receives a channel's nudges: that process alone sends to it,
            # so the channel's rate limit and in-flight cap hold across processes.
            "x-single-active-consumer": True,
            "x-max-length": MAX_NUDGES,
            "x-overflow": "drop-head",
        },
    )


class ChannelQueues:
    """Declares, consumes and nudges the channels' queues on the broker's robust connection."""

    def __init__(
        self,
        broker: RabbitBroker,
        *,
        prefix: str = DEFAULT_PREFIX,
        on_turn: Callable[[str], None] = lambda channel: None,
        on_lost: Callable[[], None] = lambda: None,
        prefetch: int = PREFETCH,
    ) -> None:
        self.broker, self.prefix, self.prefetch = broker, prefix, prefetch
        self.on_turn, self.on_lost = on_turn, on_lost
        self._publisher = ConfirmChannel(broker)
        self._channel: AbstractChannel | None = None
        self._declared: set[str] = set()
        self._consumers: dict[str, tuple[AbstractQueue, ConsumerTag]] = {}
        self._busy: set[str] = set()
        self._held: dict[str, AbstractIncomingMessage] = {}
        self._publishing: set[str] = set()
        self._again: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False

    @property
    def ready(self) -> bool:
        """Consuming: the AMQP channel of the channel queues is open (for /readyz)."""
        return self._channel is not None and not self._channel.is_closed and not self._closing

    def queue_name(self, channel: str) -> str:
        """The name of a channel's queue."""
        return channel_queue(channel, prefix=self.prefix).name

    async def start(self, connection: AbstractRobustConnection) -> None:
        """Open the channel that declares and consumes (robust: restored with its consumers)."""
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=self.prefetch)
        channel.close_callbacks.add(self._channel_closed)
        self._channel = channel

    async def _declare(self, channel: str) -> AbstractQueue:
        assert self._channel is not None, "start() first"
        queue = channel_queue(channel, prefix=self.prefix)
        try:
            declared = await self._channel.declare_queue(queue.name, durable=True, arguments=queue.arguments)
        except ChannelPreconditionFailed as err:
            raise TopologyMismatch(
                f"queue {queue.name!r} exists with other arguments than {queue.arguments!r}. "
                "Drain and delete the queue, then start again."
            ) from err
        self._declared.add(channel)
        return declared

    # the consuming side
    async def follow(self, channels: Collection[str]) -> None:
        """Stand in line for these channels' turns (consume their queues) and leave the others'."""
        if self._closing:
            return
        for channel in sorted(set(channels) - set(self._consumers)):
            queue = await self._declare(channel)
            tag = await queue.consume(self._consumer(channel), no_ack=False)
            self._consumers[channel] = (queue, tag)
        for channel in sorted(set(self._consumers) - set(channels)):
            await self._cancel(channel)

    def _consumer(self, channel: str) -> Callable[[AbstractIncomingMessage], Any]:
        async def consume(message: AbstractIncomingMessage) -> None:
            if self._closing:
                return  # left unacknowledged: it goes back to the queue when the channel closes
            if channel in self._busy:
                # the newest nudge is the one held: the older one is answered for
                older = self._held.get(channel)
                self._held[channel] = message
                if older is not None:
                    await _ack(older)
            else:
                await _ack(message)
            self.on_turn(channel)

        return consume

    def busy(self, channel: str) -> None:
        """A round starts: hold the channel's nudges until `rest`, so a crash hands one on."""
        self._busy.add(channel)

    async def rest(self, channel: str) -> None:
        """Nothing to send now (idle, or waiting on the channel): let the held nudge go."""
        self._busy.discard(channel)
        held = self._held.pop(channel, None)
        if held is not None:
            await _ack(held)

    async def _cancel(self, channel: str) -> None:
        queue, tag = self._consumers.pop(channel)
        self._busy.discard(channel)
        self._held.pop(channel, None)  # goes back to the queue once the consumer is cancelled
        if self._channel is None or self._channel.is_closed:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(queue.cancel(tag), CLOSE_TIMEOUT_S)

    def _channel_closed(self, *_: Any) -> None:
        # every unacknowledged nudge went back to its queue, and the turns with it
        self._held.clear()
        self._busy.clear()
        if not self._closing:
            log.warning("ARI channel queues: the broker channel closed; the senders stop until a turn")
            self.on_lost()

    # the publishing side
    def nudge(self, channels: Iterable[str]) -> None:
        """Tell the channels' active senders, wherever they run, that cells are pending (never waits)."""
        loop = asyncio.get_running_loop()
        for channel in channels:
            if channel in self._publishing:
                self._again.add(channel)  # one more after the one in flight: it may be read already
                continue
            self._publishing.add(channel)
            task = loop.create_task(self._publish(channel), name=f"ari-nudge-{channel}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _publish(self, channel: str) -> None:
        try:
            while True:
                self._again.discard(channel)
                await self._publish_one(channel)
                if channel not in self._again:
                    return
        finally:
            self._publishing.discard(channel)

    async def _publish_one(self, channel: str) -> None:
        try:
            if channel not in self._declared:
                await self._declare(channel)
            confirm = await self._publisher.publish(
                json.dumps({"channel": channel}).encode(),
                exchange="",
                routing_key=self.queue_name(channel),
                message_id=uuid4().hex,
                message_type=NUDGE_TYPE,
            )
        except Exception as err:
            confirm = Confirm.FAILED
            log.debug("nudge of %s failed: %r", channel, err)
        if confirm is not Confirm.SENT:
            # the cells are in the database: a sweep nudges the channel again
            log.warning(
                "ARI nudge of channel %s not confirmed (%s); a sweep nudges it again", channel, confirm
            )

    async def close(self) -> None:
        """Stop consuming and close (held nudges go back to their queues, to the next consumer)."""
        self._closing = True
        for task in list(self._tasks):
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(task), timeout=5)
        for name in list(self._consumers):
            await self._cancel(name)
        channel, self._channel = self._channel, None
        if channel is not None and not channel.is_closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(channel.close(), CLOSE_TIMEOUT_S)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._publisher.close(), CLOSE_TIMEOUT_S)


async def _ack(message: AbstractIncomingMessage) -> None:
    # a channel closed meanwhile has handed the message back to its queue already
    with contextlib.suppress(Exception):
        await message.ack()
