"""RabbitTransport: the RabbitMQ twin of the embedded dispatcher, run from the hub's own lifespan.

FastStream owns the connection (aio-pika robust connection), publishing and the dead-letter
store's subscriber. The route queues are consumed by `Intake` (routes/rabbit/intake.py) on a channel
of that connection with bounded prefetch and manual ack: each delivery goes straight into the group
commit, which settles it after its batch commits.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aio_pika.abc import AbstractChannel, AbstractRobustConnection
from faststream import AckPolicy
from faststream.rabbit import Channel, RabbitBroker, RabbitMessage
from sqlalchemy.ext.asyncio import AsyncEngine

from routes.rabbit.consumer import GroupCommit
from routes.rabbit.deadletter_store import DeadLetterStore
from routes.rabbit.intake import Intake
from routes.rabbit.publishing import APP_ID
from routes.rabbit.relay import OutboxRelay
from routes.rabbit.settings import RabbitSettings
from routes.rabbit.topology import DEFAULT_PREFIX, Topology, declare_topology
from routes.rabbit.wire import HubRobustConnection
from routes.table import RoutingTable

log = logging.getLogger("hotelhub.rabbit")


async def _raw(message: RabbitMessage) -> RabbitMessage:
    """FastStream decoder that hands the handler the message itself: body, headers, ack."""
    return message


def hub_broker(
    url: str, *, graceful_timeout_s: float = 30.0, reconnect_interval_s: float = 1.0
) -> RabbitBroker:
    """The FastStream broker as the hub configures it: raw messages to handlers, no per-message logs."""
    # Per-message logging costs about a quarter of consume throughput; the hub logs failures itself.
    broker = RabbitBroker(
        url,
        logger=None,
        apply_types=False,
        decoder=_raw,
        graceful_timeout=graceful_timeout_s,
        reconnect_interval=reconnect_interval_s,
        app_id=APP_ID,
    )
    # FastStream hands these keywords to aio_pika.connect_robust; it has no option of its own for
    # the connection class. tests/integration/rabbit/test_wire.py fails if this stops taking effect.
    broker._connection_kwargs["connection_class"] = HubRobustConnection
    return broker


class RabbitTransport:
    """Declares the topology, consumes every route's queue with group commit, and relays the outbox."""

    def __init__(
        self,
        settings: RabbitSettings,
        engine: AsyncEngine,
        table: RoutingTable,
        *,
        prefix: str = DEFAULT_PREFIX,
        consume: bool = True,
        relay: bool = True,
        batch_max: int | None = None,
        batch_wait_ms: float = 2.0,
        graceful_timeout_s: float = 30.0,
        reconnect_interval_s: float = 1.0,
    ) -> None:
        if not settings.broker_url:
            raise ValueError("the RabbitMQ transport needs a broker_url (amqp://...)")
        self.settings = settings
        self.engine = engine
        self.table = table
        self.topology = Topology.from_table(
            table, prefix=prefix, delivery_limit=settings.rabbit_delivery_limit
        )
        self.broker = hub_broker(
            settings.broker_url,
            graceful_timeout_s=graceful_timeout_s,
            reconnect_interval_s=reconnect_interval_s,
        )
        self.group_commit = GroupCommit(
            engine,
            self.broker,
            self.topology,
            batch_max=batch_max or settings.rabbit_prefetch,
            batch_wait_s=batch_wait_ms / 1000,
            kill_after_commit=settings.fault_kill_after_commit,
            kill_before_commit=settings.fault_kill_before_commit,
            on_commit=self.notify,
        )
        self.intake = Intake(
            [(route, self.topology.consumers[route.consumer].queue.name) for route in table.routes],
            prefetch=settings.rabbit_prefetch,
            take=self.group_commit.take,
        )
        self.dead_letter_store = DeadLetterStore(engine, self.topology)
        self.relay: OutboxRelay | None = None
        self._consume = consume
        self._relay = relay
        self._subscribed = False
        self._connection: AbstractRobustConnection | None = None
        self._topology_channel: AbstractChannel | None = None
        self._consuming = False

    def _subscribe(self) -> None:
        if self._subscribed:
            return
        self._subscribed = True
        self.broker.subscriber(
            self.topology.dead_letters,
            channel=Channel(prefetch_count=self.settings.rabbit_prefetch),
            ack_policy=AckPolicy.MANUAL,
            no_reply=True,
            title="dead-letter-store",
        )(self.dead_letter_store.handle)

    async def start(self, *, consume: bool | None = None, relay: bool | None = None) -> None:
        """Connect, declare the topology, attach the consumers, start the relay.

        `consume` / `relay` override the constructor's choice: an ingress process relays only,
        a worker consumes (and relays what its handlers emit). Raises TopologyMismatch when a
        queue exists with other arguments, and the connection error when the broker is away.
        """
        self._consume = self._consume if consume is None else consume
        self._relay = self._relay if relay is None else relay
        if self._consume:
            self._subscribe()
        if self._relay and self.relay is None:
            self.relay = OutboxRelay(
                self.settings, self.engine, self.broker, self.table, topology=self.topology
            )
        self._connection = await self.broker.connect()
        if self._consume:
            self.group_commit.start()  # before the first delivery can arrive
        try:
            self._topology_channel = await self._connection.channel()
            await declare_topology(self._topology_channel, self.topology)
            if self._consume:
                await self.intake.start(self._connection)
        except BaseException:
            await self.group_commit.stop()
            await self.broker.stop()
            self._connection = None
            raise
        await self.broker.start()
        self._consuming = self._consume
        if self.relay is not None:
            self.relay.start()
        log.info(
            "RabbitMQ transport started",
            extra={"consumers": len(self.table.routes), "prefix": self.topology.prefix},
        )

    async def stop(self) -> None:
        """SIGTERM path: stop consuming, finish the messages in hand, stop the relay, then close."""
        self._consuming = False
        await self.intake.stop_consuming()
        # The dead-letter store's stop waits (up to graceful_timeout) for its handler in flight.
        await asyncio.gather(*(subscriber.stop() for subscriber in self.broker.subscribers))
        # Every delivery taken so far is committed and acknowledged before the channel closes;
        # those arriving meanwhile are given back, as is whatever the channel still holds.
        await self.group_commit.stop()
        await self.intake.close()
        if self.relay is not None:
            await self.relay.stop()
        await self.broker.stop()
        self._connection = None
        self._topology_channel = None

    @property
    def ready(self) -> bool:
        """Connected to the broker and, when consuming, every consumer attached (for /readyz)."""
        connection = self._connection
        if connection is None or connection.is_closed or not connection.connected.is_set():
            return False
        if not self._consume:
            return True
        return (
            self._consuming
            and self.intake.ready
            and all(bool(getattr(s, "running", False)) for s in self.broker.subscribers)
        )

    def notify(self) -> None:
        """Wake the relay: new outbox rows were committed."""
        if self.relay is not None:
            self.relay.notify()

    async def __aenter__(self) -> RabbitTransport:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()
