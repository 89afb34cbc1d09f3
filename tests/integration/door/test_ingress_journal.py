"""The ingress journal's group commit on SQLite and PostgreSQL: every entry stored, a bad one alone refused."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest
from door_rows import door_outbox_rows
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from canonical.base import utcnow
from hub.bootstrap import Hub
from routes.journal import IngressJournal, JournalEntry
from routes.tables import inbound_messages


def entry(number: int, *, message_id: str | None = None) -> JournalEntry:
    """An accepted push with one outbox row."""
    now = utcnow()
    return JournalEntry(
        inbound={
            "message_id": message_id or str(uuid4()),
            "partner_id": "otaone",
            "protocol": "ota",
            "message_name": "OTA_HotelResNotifRQ",
            "correlation_id": f"journal-{number}",
            "received_at": now,
            "body": f"<OTA_HotelResNotifRQ n='{number}'/>",
            "outcome": "accepted",
            "error": None,
            "references": [[f"R-{number}", "HHTEST"]],
        },
        outbox_rows=[
            {
                "message_id": str(uuid4()),
                "message_type": "booking.received.v1",
                "consumer": None,
                "body": "{}",
                "headers": {},
                "correlation_id": f"journal-{number}",
                "status": "pending",
                "attempts": 0,
                "created_at": now,
                "available_at": now,
            }
        ],
    )


async def counts(hub: Hub) -> tuple[int, int]:
    """Rows in inbound_messages and outbox."""
    async with hub.engine.connect() as conn:
        inbound = (await conn.execute(select(func.count()).select_from(inbound_messages))).scalar_one()
        queued = await door_outbox_rows(conn)
    return int(inbound), queued


async def test_given_many_concurrent_writers_when_committed_in_batches_then_every_entry_is_stored(
    door: Hub,
) -> None:
    journal = IngressJournal(door.engine, batch_max=16, wait_ms=1)
    await journal.start()
    try:
        await asyncio.gather(*(journal.write(entry(n)) for n in range(200)))
    finally:
        await journal.stop()
    assert await counts(door) == (200, 200)


async def test_given_one_entry_the_database_refuses_when_batched_then_only_that_writer_fails(
    door: Hub,
) -> None:
    taken = str(uuid4())
    await door.journal.write(entry(0, message_id=taken))
    journal = IngressJournal(door.engine, batch_max=64, wait_ms=20)
    await journal.start()
    try:
        results = await asyncio.gather(
            *(journal.write(entry(n, message_id=taken if n == 5 else None)) for n in range(1, 11)),
            return_exceptions=True,
        )
    finally:
        await journal.stop()
    failed = [n for n, result in enumerate(results, start=1) if isinstance(result, BaseException)]
    assert failed == [5]
    assert isinstance(results[4], IntegrityError)
    assert await counts(door) == (10, 10)


async def test_given_entries_queued_when_the_journal_stops_then_all_are_written_first(door: Hub) -> None:
    journal = IngressJournal(door.engine, batch_max=4, wait_ms=50)
    await journal.start()
    writes = [asyncio.create_task(journal.write(entry(n))) for n in range(30)]
    await asyncio.sleep(0)  # every write is queued before the journal is told to stop
    await journal.stop()
    await asyncio.gather(*writes)
    assert await counts(door) == (30, 30)


async def test_given_a_stopped_journal_when_written_then_refused() -> None:
    journal = IngressJournal(None, batch_max=4)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        await journal.write(entry(0))


# only a database server can drop a connection: PostgreSQL alone
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.services)], indirect=True
)
async def test_given_the_server_dropped_the_writers_connection_when_written_again_then_a_fresh_one_is_used(
    door: Hub,
) -> None:
    await door.journal.write(entry(1))
    async with door.engine.connect() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    # within the reuse window the dead connection fails one batch at most, then is replaced; an
    # entry whose batch failed is reported to its writer (who answers the partner 503), never lost
    try:
        await door.journal.write(entry(2))
        refused = False
    except DBAPIError:
        refused = True
    await door.journal.write(entry(3))
    async with door.engine.connect() as conn:
        stored = set((await conn.execute(select(inbound_messages.c.correlation_id))).scalars())
    assert stored == ({"journal-1", "journal-3"} if refused else {"journal-1", "journal-2", "journal-3"})
