"""RabbitMQ transport against a real broker and PostgreSQL: relay, consume, retry, dead letters."""

from __future__ import annotations

from typing import Any

import aio_pika
import pytest
from broker_taps import broker_taps, drain
from rabbit_harness import (
    FlakyHandler,
    RejectOne,
    Services,
    SwitchHandler,
    booking_envelope,
    dead_letter_rows,
    effect_count,
    eventually,
    next_message,
    outbox_rows,
    put_in_outbox,
    queue_counts,
    record_effect,
    settings_for,
    table_with,
)

from routes import deadletters
from routes.rabbit.transport import RabbitTransport
from routes.table import RoutingTable

pytestmark = pytest.mark.services


def _transport(services: Services, table: RoutingTable, **kwargs: Any) -> RabbitTransport:
    settings = settings_for(services.broker_url, services.database_url)
    return RabbitTransport(settings, services.engine, table, **kwargs)


async def test_given_pending_outbox_row_when_relay_runs_then_published_persistent_and_marked_sent(
    services: Services,
) -> None:
    envelope = booking_envelope()
    transport = _transport(services, table_with(record_effect), consume=False)
    async with transport:
        await put_in_outbox(services.engine, envelope)
        transport.notify()

        async def sent() -> bool:
            return [r["status"] for r in await outbox_rows(services.engine)] == ["sent"]

        await eventually(sent)
    connection = await aio_pika.connect(services.broker_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue("hotelhub.q.pms", passive=True)
        message = await next_message(queue)
        assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
        assert message.message_id == str(envelope.message_id)
        assert message.routing_key == "booking.received.v1"
        await message.ack()


async def test_given_published_booking_when_consumed_then_effect_committed_once_and_acked(
    services: Services,
) -> None:
    envelope = booking_envelope()
    transport = _transport(services, table_with(record_effect))
    async with transport:
        assert transport.ready
        await put_in_outbox(services.engine, envelope)
        transport.notify()

        async def handled() -> bool:
            return await effect_count(services.engine, str(envelope.message_id)) == 1

        await eventually(handled)
        await eventually(lambda: _empty(services.broker_url, "hotelhub.q.pms"))
    assert await effect_count(services.engine) == 1
    assert not await dead_letter_rows(services.engine)


async def _empty(broker_url: str, queue: str) -> bool:
    return (await queue_counts(broker_url, queue))[0] == 0


async def test_given_same_message_delivered_twice_when_consumed_then_no_second_effect(
    services: Services,
) -> None:
    envelope = booking_envelope()
    transport = _transport(services, table_with(record_effect))
    async with transport:
        # Two outbox rows with one message id: the broker delivers the same message twice.
        await put_in_outbox(services.engine, envelope)
        await put_in_outbox(services.engine, envelope)
        transport.notify()

        async def both_sent() -> bool:
            return [r["status"] for r in await outbox_rows(services.engine)] == ["sent", "sent"]

        await eventually(both_sent)
        await eventually(lambda: _empty(services.broker_url, "hotelhub.q.pms"))
    assert await effect_count(services.engine, str(envelope.message_id)) == 1


async def test_given_transient_failures_when_consumed_then_retried_via_retry_queue_and_succeeds(
    services: Services,
) -> None:
    # Two in-process attempts per delivery: calls 1-2 fail on the first delivery, call 3 fails on
    # the delayed redelivery, call 4 succeeds.
    handler = FlakyHandler(failures=3)
    envelope = booking_envelope()
    transport = _transport(services, table_with(handler))
    async with transport, broker_taps(services.broker_url, ["pms"]) as taps:
        await put_in_outbox(services.engine, envelope)
        transport.notify()

        async def handled() -> bool:
            return await effect_count(services.engine, str(envelope.message_id)) == 1

        await eventually(handled)
        came_back = await drain(taps["direct"])
    assert handler.calls[str(envelope.message_id)] == 4
    # the third call came back once, from the first (200 ms) retry queue
    assert len(came_back) == 1
    deaths = came_back[0].headers["x-death"]
    assert [(d["queue"], d["reason"]) for d in deaths] == [("hotelhub.q.pms.retry.200ms", "expired")]
    assert await effect_count(services.engine) == 1
    assert not await dead_letter_rows(services.engine)


async def test_given_transient_failure_forever_when_retries_run_out_then_dead_letter_with_attempts(
    services: Services,
) -> None:
    handler = FlakyHandler(failures=10_000)
    envelope = booking_envelope()
    transport = _transport(services, table_with(handler))
    async with transport:
        await put_in_outbox(services.engine, envelope)
        transport.notify()

        async def dead() -> bool:
            return len(await dead_letter_rows(services.engine)) == 1

        await eventually(dead)
    [letter] = await dead_letter_rows(services.engine)
    # One first delivery and two delayed redeliveries (delays 0.2 s and 0.3 s), each tried twice.
    assert letter["attempts"] == 3
    assert handler.calls[str(envelope.message_id)] == 6
    assert letter["consumer"] == "pms"
    assert letter["message_id"] == str(envelope.message_id)
    assert letter["error_class"] == "canonical.errors.TransientError"
    assert "partner busy" in letter["error_text"]
    assert letter["first_failed_at"] < letter["last_failed_at"]
    assert letter["status"] == "open"
    assert await effect_count(services.engine) == 0


async def test_given_permanent_failure_when_consumed_then_dead_letter_at_once(services: Services) -> None:
    handler = SwitchHandler()
    envelope = booking_envelope()
    transport = _transport(services, table_with(handler))
    async with transport:
        await put_in_outbox(services.engine, envelope)
        transport.notify()

        async def dead() -> bool:
            return len(await dead_letter_rows(services.engine)) == 1

        await eventually(dead)
    [letter] = await dead_letter_rows(services.engine)
    assert handler.calls == 1
    assert letter["attempts"] == 1
    assert letter["error_class"] == "canonical.errors.PermanentError"
    assert "not mapped" in letter["error_text"]
    assert letter["partner_id"] == "otaone"
    assert letter["property_code"] == "ALPINE"
    assert letter["correlation_id"] == envelope.correlation_id


async def test_given_dead_letter_when_replayed_then_delivered_to_its_consumer(services: Services) -> None:
    handler = SwitchHandler()
    envelope = booking_envelope()
    transport = _transport(services, table_with(handler))
    async with transport:
        await put_in_outbox(services.engine, envelope)
        transport.notify()

        async def dead() -> bool:
            return len(await dead_letter_rows(services.engine)) == 1

        await eventually(dead)
        [letter] = await dead_letter_rows(services.engine)
        handler.accepting = True  # staff fixed the mapping
        async with services.engine.begin() as conn:
            await deadletters.replay(conn, letter["id"], actor="ops@hotel")
        transport.notify()

        async def delivered() -> bool:
            return await effect_count(services.engine, str(envelope.message_id)) == 1

        await eventually(delivered)
    [letter] = await dead_letter_rows(services.engine)
    assert letter["status"] == "replayed"
    replay_row = (await outbox_rows(services.engine))[-1]
    assert replay_row["consumer"] == "pms"
    assert replay_row["status"] == "sent"


async def test_given_batch_with_one_rejected_booking_when_consumed_then_others_commit_once_and_one_dead_letter(
    services: Services,
) -> None:
    handler = RejectOne(rejected="R-BAD")
    envelopes = [booking_envelope(f"R-{i}") for i in range(9)]
    envelopes.insert(4, booking_envelope("R-BAD"))
    transport = _transport(services, table_with(handler))
    async with transport:
        await put_in_outbox(services.engine, *envelopes)
        transport.notify()

        async def settled() -> bool:
            dead = await dead_letter_rows(services.engine)
            return len(dead) == 1 and await effect_count(services.engine) == 9

        await eventually(settled)
    assert handler.calls["R-BAD"] == 1
    [letter] = await dead_letter_rows(services.engine)
    assert letter["message_id"] == str(envelopes[4].message_id)
    for envelope in envelopes:
        if envelope is not envelopes[4]:
            assert await effect_count(services.engine, str(envelope.message_id)) == 1
