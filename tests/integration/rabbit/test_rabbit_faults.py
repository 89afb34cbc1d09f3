"""RabbitMQ transport under faults: unroutable publishes, connection loss, stop with work in flight,
RabbitMQ's own delivery limit."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from rabbit_harness import (
    Services,
    SlowHandler,
    booking_envelope,
    dead_letter_rows,
    effect_count,
    eventually,
    outbox_rows,
    put_in_outbox,
    queue_counts,
    record_effect,
    settings_for,
    table_with,
)
from services import broker_idle
from sqlalchemy import select

from routes import metrics
from routes.rabbit.relay import OutboxRelay
from routes.rabbit.topology import TopologyMismatch
from routes.rabbit.transport import RabbitTransport
from routes.table import RoutingTable
from routes.tables import inbox

pytestmark = pytest.mark.services

HERE = Path(__file__).resolve().parent


def _transport(services: Services, table: RoutingTable, **kwargs: Any) -> RabbitTransport:
    settings = settings_for(services.broker_url, services.database_url, **kwargs.pop("settings", {}))
    return RabbitTransport(settings, services.engine, table, **kwargs)


async def test_given_no_queue_bound_when_relay_publishes_then_row_stays_pending(services: Services) -> None:
    table = table_with(record_effect)
    transport = _transport(services, table, consume=False, relay=False)
    returned_before = metrics.PUBLISHED.labels("returned")._value.get()
    async with transport:
        connection = await aio_pika.connect(services.broker_url)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete("hotelhub.q.pms")  # the binding goes with it: nothing routes
        await put_in_outbox(services.engine, booking_envelope())
        relay = OutboxRelay(transport.settings, services.engine, transport.broker, table)

        taken, no_answer = await relay.run_once()
        await relay.stop()

    assert (taken, no_answer) == (1, 0)
    [row] = await outbox_rows(services.engine)
    assert row["status"] == "pending"
    assert row["attempts"] == 1
    assert row["sent_at"] is None
    assert "returned" in row["last_error"]
    assert metrics.PUBLISHED.labels("returned")._value.get() == returned_before + 1


async def test_given_broker_drops_connection_when_rows_keep_coming_then_relay_and_consumer_recover(
    services: Services,
) -> None:
    transport = _transport(services, table_with(record_effect))
    async with transport:
        first, later = booking_envelope(), [booking_envelope() for _ in range(5)]
        await put_in_outbox(services.engine, first)
        transport.notify()

        async def first_done() -> bool:
            return await effect_count(services.engine, str(first.message_id)) == 1

        await eventually(first_done)

        await services.close_connections()
        await put_in_outbox(services.engine, *later)
        transport.notify()

        async def all_done() -> bool:
            rows = await outbox_rows(services.engine)
            return all(r["status"] == "sent" for r in rows) and await effect_count(services.engine) == 6

        await eventually(all_done, within_s=20)

        async def ready() -> bool:
            return transport.ready

        await eventually(ready)
        # The consumer was restored once on the new connection, not doubled.
        assert (await queue_counts(services.broker_url, "hotelhub.q.pms"))[1] == 1
    for envelope in [first, *later]:
        assert await effect_count(services.engine, str(envelope.message_id)) == 1


async def test_given_messages_in_flight_when_stopped_then_in_flight_work_finishes_and_nothing_is_lost(
    services: Services,
) -> None:
    handler = SlowHandler(seconds=0.5)
    envelopes = [booking_envelope() for _ in range(20)]
    transport = _transport(services, table_with(handler), settings={"rabbit_prefetch": 4})
    await transport.start()
    await put_in_outbox(services.engine, *envelopes)
    transport.notify()
    await asyncio.wait_for(handler.started.wait(), timeout=10)

    await transport.stop()  # what SIGTERM does

    assert not transport.ready
    done = await effect_count(services.engine)
    started = set(handler.started_ids)
    # Every handler that had started finished and committed; the rest wait in the queue, unharmed.
    for message_id in started:
        assert await effect_count(services.engine, message_id) == 1
    assert done == len(started)
    assert 0 < done < len(envelopes)
    assert (await queue_counts(services.broker_url, "hotelhub.q.pms"))[0] == len(envelopes) - done


async def test_given_message_redelivered_past_delivery_limit_when_rabbitmq_dead_letters_it_then_stored(
    services: Services,
) -> None:
    envelope = booking_envelope()
    # Declare the topology without consuming, and let a rogue consumer requeue the message until
    # the quorum queue's delivery limit (2) makes RabbitMQ dead-letter it with x-death headers.
    declaring = _transport(
        services, table_with(record_effect), consume=False, settings={"rabbit_delivery_limit": 2}
    )
    async with declaring:
        await put_in_outbox(services.engine, envelope)
        declaring.notify()

        async def sent() -> bool:
            return [r["status"] for r in await outbox_rows(services.engine)] == ["sent"]

        await eventually(sent)
    connection = await aio_pika.connect(services.broker_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=1)
        queue = await channel.declare_queue("hotelhub.q.pms", passive=True)
        received: asyncio.Queue[aio_pika.abc.AbstractIncomingMessage] = asyncio.Queue()
        await queue.consume(received.put)
        for _ in range(3):  # first delivery and two redeliveries: the third return passes the limit
            message = await asyncio.wait_for(received.get(), timeout=5)
            await message.nack(requeue=True)

    store = _transport(services, table_with(record_effect), settings={"rabbit_delivery_limit": 2})
    async with store:

        async def stored() -> bool:
            return len(await dead_letter_rows(services.engine)) == 1

        await eventually(stored)
    [letter] = await dead_letter_rows(services.engine)
    assert letter["consumer"] == "pms"
    assert letter["error_class"] == "rabbitmq.delivery_limit"
    assert letter["message_id"] == str(envelope.message_id)
    assert "x-death" in letter["headers"]
    assert await effect_count(services.engine) == 0


async def _worker(services: Services, kill_after: str | None = None) -> asyncio.subprocess.Process:
    here, repo = HERE, HERE.parents[2]
    args = [str(here / "rabbit_worker.py"), services.broker_url, services.database_url]
    process = await asyncio.create_subprocess_exec(
        sys.executable, *args, *([kill_after] if kill_after else []),
        cwd=repo, env={**os.environ, "PYTHONPATH": f"{repo}{os.pathsep}{here}"},
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
    assert line.strip() == b"ready", line
    return process


async def _in_inbox(services: Services, message_id: str) -> bool:
    async with services.engine.connect() as conn:
        found = await conn.execute(select(inbox.c.message_id).where(inbox.c.message_id == message_id))
        return found.first() is not None


async def test_given_worker_killed_between_commit_and_ack_when_redelivered_then_no_second_effect(
    services: Services,
) -> None:
    first, second = booking_envelope(), booking_envelope()
    dying = await _worker(services, kill_after="booking.received.v1")
    await put_in_outbox(services.engine, first)
    assert await asyncio.wait_for(dying.wait(), timeout=20) == -signal.SIGKILL
    assert await effect_count(services.engine, str(first.message_id)) == 1  # committed, never acked

    worker = await _worker(services)
    try:
        await put_in_outbox(services.engine, second)

        async def both_consumed_and_acked() -> bool:
            # the redelivered first one is a duplicate for the inbox, and the broker holds nothing
            # of either: no message ready, none delivered and unacknowledged
            return (
                await effect_count(services.engine, str(second.message_id)) == 1
                and await _in_inbox(services, str(first.message_id))
                and await broker_idle(services.broker_url)
            )

        await eventually(both_consumed_and_acked, within_s=30)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(worker.wait(), timeout=30) == 0
    assert await effect_count(services.engine, str(first.message_id)) == 1
    assert not await dead_letter_rows(services.engine)


async def test_given_queues_declared_with_other_limit_when_started_then_topology_mismatch_names_queue(
    services: Services,
) -> None:
    async with _transport(services, table_with(record_effect), consume=False, relay=False):
        pass
    changed = _transport(services, table_with(record_effect), settings={"rabbit_delivery_limit": 7})

    with pytest.raises(TopologyMismatch, match=r"hotelhub\.q\.pms"):
        await changed.start()

    assert not changed.ready
