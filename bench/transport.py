"""Consume throughput of the hub's RabbitMQ path against a raw aio-pika consume+ack loop; prints JSON.

Run from the repository root:
    .venv/bin/python -m bench.transport [--messages 20000] [--prefetch 64] [--rounds 3]

The same number of ~1 KB persistent messages in a quorum queue, same prefetch, for each of:
  raw        aio-pika consume + ack, nothing else
  hub        the hub's consume path (routes/rabbit/intake.py: aio-pika consumers on the hub broker's
             robust connection, manual ack) + envelope decode + no-op handler + ack
             (raw and hub alternate for --rounds rounds; the ratio is the median of the rounds')
  hub_inbox  the full RabbitTransport: group commit, inbox de-duplication, no-op handler, commit, ack
             (PostgreSQL when reachable at 127.0.0.1:5432, else a SQLite file in /tmp; the JSON says which)
Queues and exchanges get a unique name prefix and are deleted afterwards, as is the database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, cast
from uuid import uuid4

import aio_pika
import asyncpg
from aio_pika.abc import AbstractIncomingMessage
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.booking import BOOKING_RECEIVED_V1, BookingAction, BookingReceived
from canonical.envelope import Envelope
from hub.db import create_engine
from hub.settings import HubSettings
from routes.rabbit.intake import Intake
from routes.rabbit.publishing import APP_ID
from routes.rabbit.topology import Topology, declare_topology
from routes.rabbit.transport import RabbitTransport, hub_broker
from routes.table import DeliveryContext, Route, RoutingTable
from routes.tables import metadata


def _body(i: int) -> bytes:
    """A ~1 KB booking.received.v1 envelope (a cancellation padded with comments)."""
    payload = BookingReceived(
        partner_id="bench",
        partner_reservation_id=f"R{i}",
        partner_revision="1",
        confirmation=f"HH{i}",
        action=BookingAction.CANCEL,
        property_code="BENCH",
        comments=("x" * 700,),
    )
    envelope = Envelope[BookingReceived](
        message_type=BOOKING_RECEIVED_V1, correlation_id=f"c{i}", property_code="BENCH", payload=payload
    )
    return envelope.model_dump_json().encode()


async def _noop(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
    """The handler under test does nothing: the figure is the transport's own cost."""


async def _fill(url: str, queue: str, count: int, *, arguments: dict[str, Any] | None = None) -> None:
    """Publish `count` messages with the properties the outbox relay gives the hub's own messages."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await channel.declare_queue(queue, durable=True, arguments=arguments or {"x-queue-type": "quorum"})
        for start in range(0, count, 500):
            await asyncio.gather(
                *(
                    channel.default_exchange.publish(
                        aio_pika.Message(
                            _body(i),
                            message_id=str(uuid4()),
                            correlation_id=f"c{i}",
                            type=BOOKING_RECEIVED_V1,
                            app_id=APP_ID,
                            content_type="application/json",
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        ),
                        routing_key=queue,
                    )
                    for i in range(start, min(count, start + 500))
                )
            )


async def _raw(url: str, queue: str, count: int, prefetch: int) -> float:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=prefetch)
        declared = await channel.declare_queue(queue, passive=True)
        done, seen = asyncio.Event(), 0

        started = 0.0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal seen, started
            if not seen:
                started = time.perf_counter()
            await message.ack()
            seen += 1
            if seen == count:
                done.set()

        await declared.consume(on_message)
        await done.wait()
        return (count - 1) / (time.perf_counter() - started)


async def _hub(url: str, queue: str, count: int, prefetch: int, route: Route) -> float:
    """The hub's consume path (routes/rabbit/intake.py on the hub broker's connection): decode, no-op, ack."""
    broker = hub_broker(url)
    done, acked, started = asyncio.Event(), 0, 0.0
    acks: set[asyncio.Task[None]] = set()

    def counted(task: asyncio.Task[None]) -> None:
        nonlocal acked
        acks.discard(task)
        acked += 1
        if acked == count:
            done.set()

    async def handle(route: Route, message: AbstractIncomingMessage) -> None:
        envelope = route.decode(message.body)
        # no database in this loop: the handler is a no-op that never touches ctx.conn
        await route.handler(envelope, DeliveryContext(cast(AsyncConnection, None), envelope))
        await message.ack()

    def take(route: Route, message: AbstractIncomingMessage) -> None:
        nonlocal started
        if not started:
            started = time.perf_counter()
        ack = asyncio.create_task(handle(route, message))
        acks.add(ack)
        ack.add_done_callback(counted)

    intake = Intake([(route, queue)], prefetch=prefetch, take=take)
    await intake.start(await broker.connect())
    await done.wait()
    elapsed = time.perf_counter() - started
    await intake.close()
    await broker.stop()
    return (count - 1) / elapsed


async def _database() -> tuple[str, str, Any]:
    """A throwaway database: PostgreSQL when reachable, else a SQLite file. Returns (kind, url, drop)."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 5432), timeout=1):
        name = f"hh_bench_{uuid4().hex[:12]}"
        admin = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()

        async def drop_pg() -> None:
            conn = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()

        return "postgresql", f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", drop_pg
    path = Path(tempfile.gettempdir()) / f"hh_bench_{uuid4().hex[:12]}.db"

    async def drop_sqlite() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    return "sqlite", f"sqlite+aiosqlite:///{path}", drop_sqlite


async def _hub_inbox(url: str, count: int, prefetch: int, table: RoutingTable, prefix: str) -> dict[str, Any]:
    kind, database_url, drop = await _database()
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        settings = HubSettings(broker_url=url, database_url=database_url, rabbit_prefetch=prefetch)
        topology = Topology.from_table(table, prefix=prefix)
        queue = topology.consumers["bench"].queue
        connection = await aio_pika.connect(url)
        async with connection:
            await declare_topology(await connection.channel(), topology)
        await _fill(url, queue.name, count, arguments=dict(queue.arguments or {}))
        handled = asyncio.Event()
        seen = 0

        async def counting(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
            nonlocal seen
            seen += 1
            if seen == count:
                handled.set()

        counted = RoutingTable([Route(BOOKING_RECEIVED_V1, "bench", counting)])
        transport = RabbitTransport(settings, engine, counted, prefix=prefix, relay=False)
        started = time.perf_counter()
        await transport.start()
        await handled.wait()
        await transport.stop()  # the last batch's acks are part of the work
        rate = count / (time.perf_counter() - started)
        return {"database": kind, "msg_per_s": round(rate)}
    finally:
        await engine.dispose()
        await drop()


async def _cleanup(url: str, prefix: str, queues: list[str], table: RoutingTable) -> None:
    topology = Topology.from_table(table, prefix=prefix)
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for name in [*queues, *(q.name for q in topology.queues)]:
            await channel.queue_delete(name)
        for exchange in topology.exchanges:
            await channel.exchange_delete(exchange.name)


async def main(url: str, count: int, prefetch: int, rounds: int) -> dict[str, Any]:
    """Run raw and hub consumers in alternating rounds, then the full transport; return the figures.

    Each round fills both queues, then consumes the raw one and at once the hub's: the two loops of
    a round run seconds apart, so the machine's drift in speed moves them alike. Rates are counted
    from each loop's first delivery to its last (connecting and declaring are not consuming).
    """
    prefix = f"hhbench_{uuid4().hex[:8]}"
    route = Route(BOOKING_RECEIVED_V1, "bench", _noop)
    table = RoutingTable([route])
    queues: list[str] = []
    raws: list[float] = []
    hubs: list[float] = []
    try:
        for n in range(rounds):
            raw_queue, hub_queue = f"{prefix}.raw{n}", f"{prefix}.hub{n}"
            queues += [raw_queue, hub_queue]
            await _fill(url, raw_queue, count)
            await _fill(url, hub_queue, count)
            raws.append(await _raw(url, raw_queue, count, prefetch))
            hubs.append(await _hub(url, hub_queue, count, prefetch, route))
        inbox = await _hub_inbox(url, count, prefetch, table, prefix)
    finally:
        await _cleanup(url, prefix, queues, table)
    ratios = sorted(hub / raw for raw, hub in zip(raws, hubs, strict=True))
    raw_rate = statistics.median(raws)
    return {
        "messages": count,
        "message_bytes": len(_body(0)),
        "prefetch": prefetch,
        "queue_type": "quorum",
        "rounds": rounds,
        "raw_msg_per_s": [round(rate) for rate in raws],
        "hub_msg_per_s": [round(rate) for rate in hubs],
        "ratio_per_round": [round(hub / raw, 2) for raw, hub in zip(raws, hubs, strict=True)],
        "ratio": round(statistics.median(ratios), 2),
        "hub_inbox_msg_per_s": inbox["msg_per_s"],
        "hub_inbox_database": inbox["database"],
        "inbox_ratio": round(inbox["msg_per_s"] / raw_rate, 2),
        "target_ratio": 0.6,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="amqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--prefetch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="raw/hub pairs; the ratio is their median")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.url, args.messages, args.prefetch, args.rounds)), indent=2))
