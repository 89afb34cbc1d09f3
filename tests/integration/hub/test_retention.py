"""Retention on SQLite and PostgreSQL: what is past its keep time goes, in batches; nothing else does."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from canonical.base import utcnow
from hub.cli import app
from hub.housekeeping import PURGED, Housekeeping
from routes.retention import KeepTimes, purge
from routes.tables import inbound_messages, inbox, outbox

DAY = timedelta(days=1)
KEEP = KeepTimes(finished_outbox=7 * DAY, inbox=30 * DAY, inbound_messages=90 * DAY)


def _outbox_row(label: str, status: str, at: datetime) -> dict[str, object]:
    return {
        "message_id": str(uuid4()),
        "message_type": "booking.received.v1",
        "body": "{}",
        "headers": {},
        "correlation_id": label,
        "status": status,
        "attempts": 0,
        "created_at": at,
        "available_at": at,
        "sent_at": at if status == "sent" else None,
    }


def _inbound_row(label: str, at: datetime) -> dict[str, object]:
    return {
        "message_id": str(uuid4()),
        "partner_id": "otaone",
        "protocol": "ota",
        "message_name": "OTA_HotelResNotifRQ",
        "correlation_id": label,
        "received_at": at,
        "body": "<OTA_HotelResNotifRQ/>",
        "outcome": "accepted",
        "references": [],
    }


async def _fill(engine: AsyncEngine, now: datetime) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(outbox),
            [
                _outbox_row("old-sent", "sent", now - 8 * DAY),
                _outbox_row("old-done", "done", now - 8 * DAY),
                _outbox_row("old-unrouted", "unrouted", now - 8 * DAY),
                _outbox_row("old-dead", "dead", now - 9 * DAY),
                _outbox_row("old-pending", "pending", now - 60 * DAY),  # never sent: kept for ever
                _outbox_row("recent-sent", "sent", now - 6 * DAY),
            ],
        )
        await conn.execute(
            insert(inbox),
            [
                {"message_id": "m-old", "consumer": "pms.bookings", "processed_at": now - 31 * DAY},
                {"message_id": "m-recent", "consumer": "pms.bookings", "processed_at": now - 29 * DAY},
            ],
        )
        await conn.execute(
            insert(inbound_messages),
            [_inbound_row("raw-old", now - 91 * DAY), _inbound_row("raw-recent", now - 89 * DAY)],
        )


async def _left(engine: AsyncEngine) -> dict[str, list[str]]:
    async with engine.connect() as conn:
        return {
            "outbox": sorted((await conn.execute(select(outbox.c.correlation_id))).scalars()),
            "inbox": sorted((await conn.execute(select(inbox.c.message_id))).scalars()),
            "inbound_messages": sorted(
                (await conn.execute(select(inbound_messages.c.correlation_id))).scalars()
            ),
        }


async def test_given_rows_of_every_age_when_purged_then_only_those_past_their_keep_time_go(
    engine: AsyncEngine,
) -> None:
    now = utcnow()
    await _fill(engine, now)

    deleted = await purge(engine, KEEP, now=now)

    assert deleted == {"outbox": 4, "inbox": 1, "inbound_messages": 1}
    assert await _left(engine) == {
        "outbox": ["old-pending", "recent-sent"],
        "inbox": ["m-recent"],
        "inbound_messages": ["raw-recent"],
    }
    assert await purge(engine, KEEP, now=now) == {"outbox": 0, "inbox": 0, "inbound_messages": 0}


async def test_given_more_old_rows_than_a_batch_when_purged_then_every_batch_runs(
    engine: AsyncEngine,
) -> None:
    now = utcnow()
    async with engine.begin() as conn:
        await conn.execute(insert(outbox), [_outbox_row(f"s{n}", "sent", now - 8 * DAY) for n in range(7)])

    deleted = await purge(engine, KeepTimes(inbox=None, inbound_messages=None), now=now, batch=3)

    assert deleted == {"outbox": 7}
    assert (await _left(engine))["outbox"] == []


async def test_given_keep_for_ever_when_purged_then_nothing_goes(engine: AsyncEngine) -> None:
    now = utcnow()
    await _fill(engine, now)
    before = await _left(engine)

    assert await purge(engine, KeepTimes(None, None, None), now=now) == {}
    assert await _left(engine) == before


async def test_given_an_api_process_upkeep_when_it_runs_then_old_rows_go_and_are_counted(
    engine: AsyncEngine,
) -> None:
    now = utcnow()
    await _fill(engine, now)
    counted = PURGED.labels("outbox")._value.get()

    deleted = await Housekeeping(engine, idempotency_ttl=DAY, keep=KEEP).run_once()

    assert deleted == {"idempotency_keys": 0, "outbox": 4, "inbox": 1, "inbound_messages": 1}
    assert PURGED.labels("outbox")._value.get() == counted + 4


async def test_given_postgresql_or_sqlite_when_old_rows_are_looked_up_then_an_age_index_is_read(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            indexes = await conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'ix_%_at'")
            )
            found = {name: definition for name, definition in indexes}
            assert "USING brin (processed_at)" in found["ix_inbox_processed_at"]
            assert "USING brin (received_at)" in found["ix_inbound_messages_received_at"]
        else:
            plan = await conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT message_id FROM inbox WHERE processed_at < '2026-01-01'"
            )
            assert "ix_inbox_processed_at" in " ".join(str(row[-1]) for row in plan)


def test_given_the_cli_when_purge_runs_then_it_reports_each_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    monkeypatch.setenv("HUB_RETAIN_INBOUND_DAYS", "0")  # 0: raw messages are kept for ever
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0

    result = runner.invoke(app, ["db", "purge"])

    assert result.exit_code == 0, result.output
    assert "outbox: 0 deleted" in result.output and "inbox: 0 deleted" in result.output
    assert "inbound_messages" not in result.output
