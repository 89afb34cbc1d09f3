"""The outbox: messages committed with the state change that caused them, published later."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Select, any_, bindparam, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import utcnow
from canonical.envelope import Envelope
from pms_core.adapters.bulk import UnnestInsert
from routes.tables import outbox


def outbox_values(
    envelope: Envelope[Any],
    *,
    consumer: str | None = None,
    headers: dict[str, Any] | None = None,
    now: datetime | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """The row that carries one envelope (pending, due now)."""
    at = now or utcnow()
    return {
        "message_id": str(envelope.message_id),
        "message_type": envelope.message_type,
        "consumer": consumer,
        "body": body if body is not None else envelope.model_dump_json(),
        "headers": headers or {},
        "correlation_id": envelope.correlation_id,
        "status": "pending",
        "attempts": 0,
        "created_at": at,
        "available_at": at,
    }


_INSERT = UnnestInsert(outbox)


async def add_to_outbox(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert outbox rows in the caller's transaction (one statement however many)."""
    await _INSERT.execute(conn, rows)


async def claim_due(
    conn: AsyncConnection, *, limit: int, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Pending rows that are due, earliest due first, locked for this transaction where the backend can."""
    result = await conn.execute(claim_statement(conn.dialect.name, limit=limit, now=now or utcnow()))
    return [dict(row._mapping) for row in result]


def claim_statement(dialect_name: str, *, limit: int, now: datetime) -> Select[Any]:
    """The claim: ix_outbox_due's own order (status, available_at, id), so it reads `limit` entries.

    Ordered by id alone it walked the primary key past every row ever sent: 11 ms a claim at
    40,000 sent rows on PostgreSQL, and growing with the table.
    """
    stmt = (
        select(outbox)
        .where(outbox.c.status == "pending", outbox.c.available_at <= now)
        .order_by(outbox.c.available_at, outbox.c.id)
        .limit(limit)
    )
    if dialect_name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return stmt


# PostgreSQL: the ids as one array, so the statement's text does not change with their number
_MARK_PG = (
    update(outbox)
    .where(outbox.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger))))
    .values(status=bindparam("new_status"), sent_at=bindparam("at"))
)


async def mark(conn: AsyncConnection, ids: Sequence[int], status: str) -> None:
    """Set the status of outbox rows (done, sent, dead, unrouted)."""
    if not ids:
        return
    if conn.dialect.name == "postgresql":
        await conn.execute(_MARK_PG, {"ids": list(ids), "new_status": status, "at": utcnow()})
    else:
        await conn.execute(
            update(outbox).where(outbox.c.id.in_(list(ids))).values(status=status, sent_at=utcnow())
        )


async def reschedule(
    conn: AsyncConnection,
    row_id: int,
    *,
    consumer: str,
    attempts: int,
    delay_s: float,
    error: str,
    first_failed_at: datetime,
) -> None:
    """Put a failed row back for one consumer, due after its retry delay."""
    await conn.execute(
        update(outbox)
        .where(outbox.c.id == row_id)
        .values(
            consumer=consumer,
            attempts=attempts,
            available_at=utcnow() + timedelta(seconds=delay_s),
            last_error=error[:2000],
            first_failed_at=first_failed_at,
        )
    )


async def pending_count(conn: AsyncConnection) -> int:
    """How many rows still wait to be delivered or published."""
    from sqlalchemy import func

    result = await conn.execute(select(func.count()).select_from(outbox).where(outbox.c.status == "pending"))
    return int(result.scalar_one())


async def postpone(conn: AsyncConnection, ids: Sequence[int], *, delay_s: float, error: str) -> None:
    """Keep rows pending but not due for `delay_s`, counting the attempt (a refused publish)."""
    if ids:
        await conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(ids)))
            .values(
                attempts=outbox.c.attempts + 1,
                available_at=utcnow() + timedelta(seconds=delay_s),
                last_error=error[:2000],
            )
        )
