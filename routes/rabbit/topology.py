"""RabbitMQ topology as plain values, derived from the routing table (docs/architecture.md).

    <prefix>.events        topic exchange, routing key = message type      (relay: rows for every consumer)
    <prefix>.direct        direct exchange, routing key = consumer name    (relay: replays; retry queues)
    <prefix>.dead-letter   fanout exchange                                 (dead-lettered copies, x-death)
    <prefix>.q.<consumer>  durable quorum queue per consumer, single active consumer, bound to both
                           exchanges
    <prefix>.q.<consumer>.retry.<ms>ms   one TTL queue per delay tier, dead-lettering back to .direct
    <prefix>.dead-letters  quorum queue on the dead-letter exchange, read by the dead-letter store
    <prefix>.ari-send.<channel>  one per ARI channel, not derived from the table: see channel_queues.py

A queue re-declared with other arguments fails with PRECONDITION_FAILED, so the retry queues carry
their delay in their name: changing a delay declares a new queue instead of clashing with the old.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange
from aiormq.exceptions import ChannelPreconditionFailed
from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.schemas.queue import QuorumQueueArgs
from faststream.specification import AsyncAPI

from routes.table import Route, RoutingTable, envelope_type

DEFAULT_PREFIX = "hotelhub"
DEFAULT_DELIVERY_LIMIT = 20


@dataclass(frozen=True)
class Binding:
    """A queue bound to an exchange under one routing key."""

    queue: str
    exchange: str
    routing_key: str


@dataclass(frozen=True)
class ConsumerQueues:
    """The queues of one consumer: where it reads, and its delayed-retry tiers by delay in seconds."""

    consumer: str
    message_type: str
    queue: RabbitQueue
    retry: dict[float, RabbitQueue]

    def retry_queue(self, delay_s: float) -> RabbitQueue:
        """The retry tier holding messages for `delay_s` seconds (KeyError when the policy has none)."""
        return self.retry[delay_s]


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


@dataclass(frozen=True)
class Topology:
    """Every exchange, queue and binding the hub needs for one routing table."""

    prefix: str
    events: RabbitExchange
    direct: RabbitExchange
    dead_letter: RabbitExchange
    dead_letters: RabbitQueue
    consumers: dict[str, ConsumerQueues]
    bindings: tuple[Binding, ...]

    @classmethod
    def from_table(
        cls,
        table: RoutingTable,
        *,
        prefix: str = DEFAULT_PREFIX,
        delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
    ) -> Topology:
        """Derive the topology of a routing table."""
        events = RabbitExchange(f"{prefix}.events", ExchangeType.TOPIC, durable=True)
        direct = RabbitExchange(f"{prefix}.direct", ExchangeType.DIRECT, durable=True)
        dead_letter = RabbitExchange(f"{prefix}.dead-letter", ExchangeType.FANOUT, durable=True)
        # No delivery limit and no dead-letter exchange here: this is the end of the line, and a
        # letter the store cannot take yet is requeued until it can, never dropped.
        dead_letters = RabbitQueue(
            f"{prefix}.dead-letters",
            QueueType.QUORUM,
            arguments={"x-overflow": "reject-publish"},
        )
        consumers: dict[str, ConsumerQueues] = {}
        bindings: list[Binding] = [Binding(dead_letters.name, dead_letter.name, "")]
        for route in table.routes:
            name = f"{prefix}.q.{route.consumer}"
            queue = RabbitQueue(
                name,
                QueueType.QUORUM,
                arguments={
                    # One process at a time consumes a route: its group commits never contend with
                    # another worker's for the same rows (deadlocks cost a second each on
                    # PostgreSQL), and the queue's order holds. Other workers stand by.
                    "x-single-active-consumer": True,
                    "x-delivery-limit": delivery_limit,
                    "x-dead-letter-exchange": dead_letter.name,
                    "x-dead-letter-strategy": "at-least-once",
                    "x-overflow": "reject-publish",
                },
            )
            retry = {
                delay: RabbitQueue(
                    f"{name}.retry.{_ms(delay)}ms",
                    QueueType.QUORUM,
                    arguments={
                        "x-message-ttl": _ms(delay),
                        "x-dead-letter-exchange": direct.name,
                        "x-dead-letter-routing-key": route.consumer,
                        "x-dead-letter-strategy": "at-least-once",
                        "x-overflow": "reject-publish",
                    },
                )
                for delay in sorted(set(route.policy.retry.delays_s))
            }
            consumers[route.consumer] = ConsumerQueues(route.consumer, route.message_type, queue, retry)
            bindings.append(Binding(name, events.name, route.message_type))
            bindings.append(Binding(name, direct.name, route.consumer))
        return cls(prefix, events, direct, dead_letter, dead_letters, consumers, tuple(bindings))

    @property
    def exchanges(self) -> tuple[RabbitExchange, ...]:
        """Every exchange, in declaration order."""
        return (self.events, self.direct, self.dead_letter)

    @property
    def queues(self) -> tuple[RabbitQueue, ...]:
        """Every queue, in declaration order."""
        found: list[RabbitQueue] = [self.dead_letters]
        for queues in self.consumers.values():
            found.append(queues.queue)
            found.extend(queues.retry.values())
        return tuple(found)

    def consumer_of_queue(self, queue_name: str) -> str | None:
        """The consumer reading a queue (its own queue or one of its retry tiers), None when not ours."""
        for queues in self.consumers.values():
            if queue_name == queues.queue.name or any(q.name == queue_name for q in queues.retry.values()):
                return queues.consumer
        return None


class TopologyMismatch(RuntimeError):
    """The broker holds a queue of the same name declared with other arguments."""


async def declare_topology(channel: AbstractChannel, topology: Topology) -> None:
    """Declare every exchange, queue and binding on a (robust) channel; idempotent.

    Declared through aio-pika on a channel of its own, so a robust connection re-declares all of it
    after a reconnect, and FastStream's subscribers can declare their queue again on their channel.
    """
    exchanges: dict[str, AbstractExchange] = {}
    for exchange in topology.exchanges:
        exchanges[exchange.name] = await channel.declare_exchange(
            exchange.name,
            aio_pika.ExchangeType(exchange.type.value),
            durable=exchange.durable,
            auto_delete=exchange.auto_delete,
        )
    queues = {}
    for queue in topology.queues:
        try:
            queues[queue.name] = await channel.declare_queue(
                queue.name, durable=queue.durable, arguments=queue.arguments
            )
        except ChannelPreconditionFailed as err:
            raise TopologyMismatch(
                f"queue {queue.name!r} exists with other arguments than {queue.arguments!r} "
                "(was rabbit_delivery_limit changed?). Drain and delete the queue, or move the "
                "setting into a RabbitMQ policy, then start again."
            ) from err
    for binding in topology.bindings:
        await queues[binding.queue].bind(exchanges[binding.exchange], routing_key=binding.routing_key)


# --- AsyncAPI export ------------------------------------------------------------------------


def _documented_handler(route: Route) -> Any:
    """A stand-in handler whose annotation tells FastStream the payload schema of the route."""

    async def handler(message: Any) -> None:
        """Documentation only; the transport consumes through its own group-commit path."""

    handler.__annotations__ = {"message": envelope_type(route.message_type), "return": None}
    handler.__name__ = f"consume_{route.consumer}"
    return handler


def asyncapi_document(
    table: RoutingTable,
    *,
    prefix: str = DEFAULT_PREFIX,
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
    url: str = "amqp://localhost:5672/",
    version: str = "1",
) -> dict[str, Any]:
    """Export the topology of a routing table as an AsyncAPI 3.0 document (JSON-ready dict).

    FastStream writes channels, operations and payload schemas; queue arguments and bindings,
    which AsyncAPI's AMQP binding cannot express, go under the `x-hotelhub-topology` extension.
    """
    topology = Topology.from_table(table, prefix=prefix, delivery_limit=delivery_limit)
    broker = RabbitBroker(url, apply_types=True, logger=None, description="hotelhub message bus")
    for route in table.routes:
        queue = topology.consumers[route.consumer].queue
        arguments = cast(
            "QuorumQueueArgs", {k: v for k, v in (queue.arguments or {}).items() if k != "x-queue-type"}
        )
        # The documented queue carries the binding key, so the operation shows the message type.
        bound = RabbitQueue(queue.name, QueueType.QUORUM, arguments=arguments, routing_key=route.message_type)
        broker.subscriber(
            bound,
            topology.events,
            title=f"{route.consumer}:{route.message_type}",
            description=route.description or f"{route.consumer} consumes {route.message_type}",
        )(_documented_handler(route))
        broker.publisher(
            exchange=topology.direct,
            routing_key=route.consumer,
            persist=True,
            title=f"direct:{route.consumer}",
            description=f"Replays and delayed retries for {route.consumer} only",
            schema=envelope_type(route.message_type),
        )
    for message_type in table.message_types:
        schema = envelope_type(message_type)
        broker.publisher(
            exchange=topology.events,
            routing_key=message_type,
            persist=True,
            title=f"publish:{message_type}",
            description=f"Outbox relay publishes {message_type} to every consumer",
            schema=schema,
        )
    broker.publisher(
        exchange=topology.dead_letter,
        persist=True,
        title="dead-letter",
        description="Dead-lettered copies with x-hotelhub-* headers; stored by the dead-letter store",
    )
    spec = AsyncAPI(broker, title="hotelhub", version=version, schema_version="3.0.0")
    document: dict[str, Any] = spec.to_specification().to_jsonable()
    document["x-hotelhub-topology"] = _topology_extension(topology, prefix)
    return document


def _topology_extension(topology: Topology, prefix: str) -> dict[str, Any]:
    from routes.rabbit.channel_queues import CHANNEL_QUEUE, NUDGE_TYPE, channel_queue

    template = channel_queue("CHANNEL", prefix=prefix)
    return {
        # one per ARI channel of the configuration, declared when a worker starts (not in the table)
        "channel_queues": {
            "name": CHANNEL_QUEUE.format(prefix=prefix, channel="{channel}"),
            "durable": template.durable,
            "arguments": {k: v for k, v in (template.arguments or {}).items() if k != "x-queue-type"},
            "message_type": NUDGE_TYPE,
            "description": "nudges for one ARI channel; its single active consumer is the one sender",
        },
        "exchanges": [
            {"name": e.name, "type": e.type.value, "durable": e.durable} for e in topology.exchanges
        ],
        "queues": [
            {"name": q.name, "durable": q.durable, "arguments": dict(q.arguments or {})}
            for q in topology.queues
        ],
        "bindings": [
            {"queue": b.queue, "exchange": b.exchange, "routing_key": b.routing_key}
            for b in topology.bindings
        ],
        "headers": {
            "x-hotelhub-attempts": "failed delivery rounds so far (retry copies and dead letters)",
            "x-hotelhub-first-failed-at": "ISO-8601 time of the first failure",
            "x-hotelhub-consumer": "consumer a dead letter was meant for",
            "x-hotelhub-error-class": "error class of a dead letter",
            "x-hotelhub-error-text": "error text of a dead letter",
        },
    }
