"""Group delivery on a real SQLite file: one transaction per batch, savepoints only when one fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from rabbit_harness import (
    RejectOne,
    booking_envelope,
    effect_count,
    harness_metadata,
    outbox_rows,
    record_effect,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.booking import BOOKING_RECEIVED_V1
from canonical.envelope import Envelope
from hub.db import create_engine
from routes.delivery import Delivery, Verdict
from routes.group import deliver_group
from routes.table import DeliveryContext, Route
from routes.tables import metadata


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A fresh SQLite file with the delivery tables and the test effects table."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.run_sync(harness_metadata.create_all)
    yield engine
    await engine.dispose()


async def emit_confirmation(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
    """Records the effect and emits a follow-up message into the outbox."""
    await record_effect(envelope, ctx)
    ctx.emit(BOOKING_RECEIVED_V1, envelope.payload)


def _deliveries(route: Route, envelopes: list[Envelope[Any]]) -> list[Delivery]:
    return [Delivery(route, e.model_dump_json()) for e in envelopes]


async def test_given_batch_without_failures_when_delivered_then_all_done_and_emitted_to_outbox(
    engine: AsyncEngine,
) -> None:
    route = Route(BOOKING_RECEIVED_V1, "pms", emit_confirmation)
    envelopes = [booking_envelope() for _ in range(5)]

    outcomes = await deliver_group(engine, _deliveries(route, envelopes))

    assert [o.verdict for o in outcomes] == [Verdict.DONE] * 5
    assert [o.message_id for o in outcomes] == [str(e.message_id) for e in envelopes]
    assert await effect_count(engine) == 5
    emitted = await outbox_rows(engine)
    assert sorted(r["correlation_id"] for r in emitted) == sorted(e.correlation_id for e in envelopes)


async def test_given_same_message_twice_in_one_batch_when_delivered_then_second_is_duplicate(
    engine: AsyncEngine,
) -> None:
    route = Route(BOOKING_RECEIVED_V1, "pms", record_effect)
    envelope = booking_envelope()

    outcomes = await deliver_group(engine, _deliveries(route, [envelope, envelope]))
    again = await deliver_group(engine, _deliveries(route, [envelope]))

    assert [o.verdict for o in outcomes] == [Verdict.DONE, Verdict.DUPLICATE]
    assert [o.verdict for o in again] == [Verdict.DUPLICATE]
    assert await effect_count(engine) == 1


async def test_given_one_failure_in_batch_when_delivered_then_others_commit_and_failed_handler_ran_once(
    engine: AsyncEngine,
) -> None:
    handler = RejectOne(rejected="R-BAD")
    route = Route(BOOKING_RECEIVED_V1, "pms", handler)
    envelopes = [booking_envelope(f"R-{i}") for i in range(3)]
    envelopes.insert(2, booking_envelope("R-BAD"))

    outcomes = await deliver_group(engine, _deliveries(route, envelopes))

    assert [o.verdict for o in outcomes] == [Verdict.DONE, Verdict.DONE, Verdict.DEAD, Verdict.DONE]
    assert outcomes[2].error_class == "canonical.errors.PermanentError"
    assert handler.calls["R-BAD"] == 1
    assert await effect_count(engine) == 3
    for envelope in envelopes:
        expected = 0 if envelope.payload.partner_reservation_id == "R-BAD" else 1
        assert await effect_count(engine, str(envelope.message_id)) == expected


async def test_given_malformed_body_in_batch_when_delivered_then_dead_and_the_rest_done(
    engine: AsyncEngine,
) -> None:
    route = Route(BOOKING_RECEIVED_V1, "pms", record_effect)
    good = booking_envelope()
    deliveries = [Delivery(route, '{"message_type": "booking.received.v1"}'), *_deliveries(route, [good])]

    outcomes = await deliver_group(engine, deliveries)

    assert [o.verdict for o in outcomes] == [Verdict.DEAD, Verdict.DONE]
    assert "ValidationError" in outcomes[0].error_class
    assert await effect_count(engine, str(good.message_id)) == 1
