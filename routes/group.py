"""Group delivery: a batch of deliveries in one transaction, optimistic first, savepoints on failure.

The happy path runs the whole batch without savepoints and records the inbox with ONE insert:
on PostgreSQL a savepoint and its release cost as much as the inbox insert itself, and most
batches have no failure. When any delivery fails, the transaction rolls back and the batch runs
again through deliver_one (one savepoint each) — except the delivery that failed, whose outcome is
already known, so its handler is not called a second time for the same attempt. Handlers that ran
before the failure run again; that is the same as a crash before commit, which every handler
already tolerates (effects are transactional, external calls carry idempotency keys).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import utcnow
from canonical.envelope import Envelope
from pms_core.adapters.bulk import UnnestInsert
from routes import metrics
from routes.context import correlation_id
from routes.delivery import Delivery, Outcome, Verdict, deliver_one, note_failure
from routes.kept import Transactions
from routes.outbox import add_to_outbox, outbox_values
from routes.table import BatchItemFailed, DeliveryContext, Route
from routes.tables import inbox

log = logging.getLogger("hotelhub.delivery")


class BatchFailed(Exception):
    """One delivery of an optimistic batch failed; the transaction must roll back."""

    def __init__(self, index: int, outcome: Outcome) -> None:
        super().__init__(outcome.error_text)
        self.index = index
        self.outcome = outcome


_FIRST_SQLITE = (
    sqlite.insert(inbox)
    .on_conflict_do_nothing(index_elements=["message_id", "consumer"])
    .returning(inbox.c.message_id, inbox.c.consumer)
)
# PostgreSQL: one array per column, so the text (and its prepared statement) is the same for any
# batch size; SQLite takes SQLAlchemy's multi-row INSERT.
_FIRST_PG = UnnestInsert(
    inbox, suffix="ON CONFLICT (message_id, consumer) DO NOTHING RETURNING message_id, consumer"
)


async def _first_deliveries(conn: AsyncConnection, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Record (message_id, consumer) pairs in the inbox at once; return the ones not seen before."""
    now = utcnow()
    rows = [{"message_id": m, "consumer": c, "processed_at": now} for m, c in dict.fromkeys(keys)]
    if not rows:
        return set()
    if conn.dialect.name == "postgresql":
        result = await _FIRST_PG.on_postgresql(conn, rows)
    else:
        result = await conn.execute(_FIRST_SQLITE, rows)
    return {(row.message_id, row.consumer) for row in result}


def _failed(index: int, delivery: Delivery, outcome: Outcome, err: Exception) -> BatchFailed:
    note_failure(outcome, err)
    log.warning(
        "delivery failed",
        extra={
            "consumer": delivery.route.consumer,
            "message_id": outcome.message_id,
            "correlation_id": outcome.correlation_id,
            "verdict": outcome.verdict.value,
            "error": outcome.error_text[:500],
        },
    )
    metrics.MESSAGES.labels(delivery.route.consumer, outcome.verdict.value).inc()
    return BatchFailed(index, outcome)


async def deliver_all_or_nothing(conn: AsyncConnection, deliveries: Sequence[Delivery]) -> list[Outcome]:
    """Run every delivery in the caller's transaction without savepoints; BatchFailed on the first failure."""
    envelopes: list[Envelope[Any]] = []
    outcomes: list[Outcome] = []
    for index, delivery in enumerate(deliveries):
        outcome = Outcome(Verdict.DONE)
        outcomes.append(outcome)
        try:
            envelope = delivery.route.decode(delivery.body)
        except Exception as err:
            raise _failed(index, delivery, outcome, err) from err
        envelopes.append(envelope)
        outcome.message_id = str(envelope.message_id)
        outcome.correlation_id = envelope.correlation_id
        outcome.property_code = envelope.property_code
        outcome.partner_id = getattr(envelope.payload, "partner_id", None)
    keys = [(o.message_id, d.route.consumer) for o, d in zip(outcomes, deliveries, strict=True)]
    fresh = await _first_deliveries(conn, keys)
    todo: list[int] = []
    for index, (outcome, key) in enumerate(zip(outcomes, keys, strict=True)):
        if key not in fresh:
            outcome.verdict = Verdict.DUPLICATE
            continue
        fresh.discard(key)  # the same message twice in one batch: the second is a duplicate
        todo.append(index)
    # Consecutive deliveries of a route with a batch handler go to it together.
    start = 0
    while start < len(todo):
        route = deliveries[todo[start]].route
        end = start + 1
        if route.batch_handler is not None:
            while end < len(todo) and deliveries[todo[end]].route is route:
                end += 1
        await _run(conn, route, todo[start:end], deliveries, envelopes, outcomes)
        start = end
    for delivery, outcome in zip(deliveries, outcomes, strict=True):
        metrics.MESSAGES.labels(delivery.route.consumer, outcome.verdict.value).inc()
    return outcomes


async def _run(
    conn: AsyncConnection,
    route: Route,
    indexes: list[int],
    deliveries: Sequence[Delivery],
    envelopes: list[Envelope[Any]],
    outcomes: list[Outcome],
) -> None:
    """Run one delivery, or a run of one route's deliveries through its batch handler."""
    started = time.perf_counter()
    contexts = [DeliveryContext(conn=conn, envelope=envelopes[i]) for i in indexes]
    try:
        if route.batch_handler is not None and len(indexes) > 1:
            await route.batch_handler([(ctx.envelope, ctx) for ctx in contexts])
        else:
            correlation_id.set(contexts[0].envelope.correlation_id)
            await route.handler(contexts[0].envelope, contexts[0])
        await add_to_outbox(conn, [outbox_values(e) for ctx in contexts for e in ctx.emitted])
    except BatchItemFailed as failed:
        if failed.index is None:
            # No message is known to be at fault: none keeps this outcome, all run again one by one.
            raise _failed(-1, deliveries[indexes[0]], Outcome(Verdict.RETRY), failed.error) from failed
        at = indexes[failed.index]
        raise _failed(at, deliveries[at], outcomes[at], failed.error) from failed
    except Exception as err:
        at = indexes[0] if len(indexes) == 1 else -1
        outcome = outcomes[at] if at >= 0 else Outcome(Verdict.RETRY)
        raise _failed(at, deliveries[indexes[0]], outcome, err) from err
    elapsed = (time.perf_counter() - started) / len(indexes)
    for _ in indexes:
        metrics.HANDLER_SECONDS.labels(route.consumer).observe(elapsed)


async def deliver_group(database: Transactions, deliveries: Sequence[Delivery]) -> list[Outcome]:
    """Deliver a batch in one committed transaction and return each outcome (DB errors propagate)."""
    try:
        async with database.begin() as conn:
            return await deliver_all_or_nothing(conn, deliveries)
    except BatchFailed as failed:
        known = failed
    async with database.begin() as conn:
        return [
            known.outcome if index == known.index else await deliver_one(conn, delivery)
            for index, delivery in enumerate(deliveries)
        ]
