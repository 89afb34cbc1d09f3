"""The outbox claim on SQLite and PostgreSQL: due rows, earliest due first, read through the due index."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from routes.outbox import claim_due, claim_statement
from routes.tables import outbox


def _row(status: str, due_in_s: float, label: str) -> dict[str, object]:
    now = utcnow()
    return {
        "message_id": str(uuid4()),
        "message_type": "booking.received.v1",
        "consumer": None,
        "body": label,
        "headers": {},
        "correlation_id": label,
        "status": status,
        "attempts": 0,
        "created_at": now,
        "available_at": now + timedelta(seconds=due_in_s),
    }


async def test_given_sent_pending_and_later_rows_when_claimed_then_only_due_rows_earliest_due_first(
    engine: AsyncEngine,
) -> None:
    rows = [
        _row("pending", -5, "due-second"),
        _row("sent", -60, "sent-long-ago"),
        _row("pending", -30, "due-first"),  # a retry rescheduled earlier than the row before it
        _row("pending", 300, "not-due-yet"),
        _row("pending", -1, "due-third"),
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(outbox), rows)
    async with engine.begin() as conn:
        claimed = await claim_due(conn, limit=10)
    assert [row["body"] for row in claimed] == ["due-first", "due-second", "due-third"]


async def test_given_many_sent_rows_when_the_claim_is_planned_then_it_reads_the_due_index(
    engine: AsyncEngine,
) -> None:
    # Ordered by id alone, the claim walked every sent row ahead of the pending ones.
    sent = [_row("sent", -3600, f"sent-{n}") for n in range(3000)]
    async with engine.begin() as conn:
        await conn.execute(insert(outbox), sent)
        await conn.execute(insert(outbox), [_row("pending", -1, "due")])
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
        claim = claim_statement(engine.dialect.name, limit=256, now=utcnow()).compile(
            dialect=engine.dialect, compile_kwargs={"literal_binds": True}
        )
        explain = "EXPLAIN" if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN"
        plan = "\n".join(str(row[-1]) for row in await conn.execute(text(f"{explain} {claim}")))
    assert "ix_outbox_due" in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
