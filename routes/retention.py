"""Retention: finished outbox rows, inbox records and raw partner messages past their keep time.

Every accepted push leaves a raw message, an outbox row and an inbox record behind; without a
purge those tables grow with every booking for ever. Rows go in short batches (each its own
transaction, locked rows skipped), so a purge never holds up the door or the consumers.

What each keep time guards:
- a finished outbox row (sent, done, unrouted, dead) is history only: the message left, or lies in
  `dead_letters` with its own copy;
- an inbox record is what turns a redelivery into a duplicate: keep it longer than any message can
  wait in a queue or a retry tier, or a very late redelivery would take effect twice;
- a raw partner message (card numbers already tokenised) is what support staff search when a partner
  asks about a push; a dead letter keeps its own copy, so replay never depends on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Delete, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from routes.tables import inbound_messages, inbox, outbox

FINISHED = ("sent", "done", "unrouted", "dead")
BATCH = 5000


@dataclass(frozen=True)
class KeepTimes:
    """How long each kind of row is kept; None keeps it for ever."""

    finished_outbox: timedelta | None = timedelta(days=7)
    inbox: timedelta | None = timedelta(days=30)
    inbound_messages: timedelta | None = timedelta(days=90)


def _finished_outbox(before: datetime, limit: int) -> Delete:
    # (status, available_at) leads ix_outbox_due: a finished row was due before it was finished
    due = (
        select(outbox.c.id)
        .where(outbox.c.status.in_(FINISHED), outbox.c.available_at < before)
        .where((outbox.c.sent_at < before) | outbox.c.sent_at.is_(None))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return delete(outbox).where(outbox.c.id.in_(due))


def _inbox(before: datetime, limit: int) -> Delete:
    old = (
        select(inbox.c.message_id, inbox.c.consumer)
        .where(inbox.c.processed_at < before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return delete(inbox).where(tuple_(inbox.c.message_id, inbox.c.consumer).in_(old))


def _inbound_messages(before: datetime, limit: int) -> Delete:
    old = (
        select(inbound_messages.c.id)
        .where(inbound_messages.c.received_at < before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return delete(inbound_messages).where(inbound_messages.c.id.in_(old))


_PURGES: dict[str, tuple[str, Callable[[datetime, int], Delete]]] = {
    "outbox": ("finished_outbox", _finished_outbox),
    "inbox": ("inbox", _inbox),
    "inbound_messages": ("inbound_messages", _inbound_messages),
}


async def purge(engine: AsyncEngine, keep: KeepTimes, *, now: datetime, batch: int = BATCH) -> dict[str, int]:
    """Delete every row past its keep time, `batch` rows per transaction; rows deleted per table."""
    deleted: dict[str, int] = {}
    for table, (field, statement) in _PURGES.items():
        kept_for: timedelta | None = getattr(keep, field)
        if kept_for is None:
            continue
        total = 0
        while True:
            async with engine.begin() as conn:
                result: Any = await conn.execute(statement(now - kept_for, batch))
            count = int(result.rowcount or 0)
            total += count
            if count < batch:
                break
        deleted[table] = total
    return deleted
