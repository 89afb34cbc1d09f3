"""Each pulled partner's poll state, shared by every process: last success and error, the overdue alarm,
the metrics that show them, and the lock that lets one process at a time poll a partner.

The alarm is raised by the one UPDATE that finds the partner overdue and not yet alarmed, and
cleared by the one that finds it alarmed, so two processes watching the same partner still write
one ERROR line when it falls behind and one INFO line when it catches up.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import Counter, Gauge
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from routes.partners import PartnerRecord
from routes.tables import pull_state

log = logging.getLogger("hotelhub.pull")

POLLS = Counter(
    "hotelhub_pull_polls_total", "Booking-pull polls, by partner and outcome", ["partner", "outcome"]
)
PULLED = Counter(
    "hotelhub_pull_reservations_total",
    "Reservations pulled, by partner and outcome (accepted, refused)",
    ["partner", "outcome"],
)
LAST_SUCCESS = Gauge(
    "hotelhub_pull_last_success_timestamp_seconds", "When a partner was last polled successfully", ["partner"]
)
OVERDUE = Gauge(
    "hotelhub_pull_overdue",
    "1 while a pulled partner has not been polled successfully within its window",
    ["partner"],
)

# The first key of PostgreSQL's two-key advisory locks that let one process poll a partner.
_LOCK_SPACE = int.from_bytes(b"pull", "big")
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:space, :key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:space, :key)")
# SQLite: one process serves the hub, so a lock per partner in that process is enough.
_LOCAL_LOCKS: dict[str, asyncio.Lock] = {}


@dataclass(frozen=True)
class PullStatus:
    """What the console and `hotelhub pull status` show of one pulled partner."""

    partner_id: str
    interval_s: float
    alarm_after_s: float
    watched_since: datetime | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    overdue_since: datetime | None
    reservations_pulled: int
    paused_reason: str | None

    @property
    def overdue(self) -> bool:
        """The alarm is raised."""
        return self.overdue_since is not None


def _key(partner_id: str) -> int:
    value = zlib.crc32(partner_id.encode())
    return value - (1 << 32) if value >= 1 << 31 else value  # the lock key is a signed int4


@asynccontextmanager
async def poll_lock(engine: AsyncEngine, partner_id: str) -> AsyncIterator[bool]:
    """Hold the partner's poll lock while the block runs; yields False (and holds nothing) when another
    poller has it. On PostgreSQL a session advisory lock: a process that dies releases it with its
    connection, so a crash never leaves a partner unpolled."""
    if engine.dialect.name != "postgresql":
        lock = _LOCAL_LOCKS.setdefault(partner_id, asyncio.Lock())
        if lock.locked():
            yield False
            return
        async with lock:
            yield True
        return
    params = {"space": _LOCK_SPACE, "key": _key(partner_id)}
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        got = bool((await conn.execute(_TRY_LOCK, params)).scalar())
        try:
            yield got
        finally:
            if got:
                await conn.execute(_UNLOCK, params)


async def watched(conn: AsyncConnection, partner_id: str, now: datetime) -> None:
    """Start watching a partner (its alarm window counts from now until a poll succeeds)."""
    found = await conn.execute(select(pull_state.c.partner_id).where(pull_state.c.partner_id == partner_id))
    if found.first() is None:
        await conn.execute(
            insert(pull_state).values(partner_id=partner_id, watched_since=now, reservations_pulled=0)
        )


async def last_attempt(conn: AsyncConnection, partner_id: str) -> datetime | None:
    """When any process last started polling this partner."""
    row = await conn.execute(
        select(pull_state.c.last_attempt_at).where(pull_state.c.partner_id == partner_id)
    )
    return row.scalar()


async def attempted(conn: AsyncConnection, partner_id: str, now: datetime) -> None:
    """A poll starts now."""
    await watched(conn, partner_id, now)
    await conn.execute(
        update(pull_state).where(pull_state.c.partner_id == partner_id).values(last_attempt_at=now)
    )


async def succeeded(conn: AsyncConnection, partner_id: str, now: datetime, pulled: int) -> None:
    """A poll succeeded: record it and clear the alarm (one INFO line when it was raised)."""
    row = await conn.execute(select(pull_state.c.overdue_since).where(pull_state.c.partner_id == partner_id))
    since = row.scalar()
    if since is not None:
        cleared = await conn.execute(
            update(pull_state)
            .where(pull_state.c.partner_id == partner_id, pull_state.c.overdue_since.is_not(None))
            .values(overdue_since=None)
        )
        since = since if cleared.rowcount == 1 else None  # another process cleared it and said so
    await conn.execute(
        update(pull_state)
        .where(pull_state.c.partner_id == partner_id)
        .values(last_success_at=now, reservations_pulled=pull_state.c.reservations_pulled + pulled)
    )
    LAST_SUCCESS.labels(partner_id).set(now.timestamp())
    OVERDUE.labels(partner_id).set(0)
    if since is not None:
        log.info(
            "partner %s polled again: bookings flow (overdue since %s)",
            partner_id,
            f"{since:%Y-%m-%d %H:%M:%S} UTC",
            extra={"event": "pull_recovered", "partner": partner_id},
        )


async def failed(conn: AsyncConnection, partner_id: str, now: datetime, error: str) -> None:
    """A poll failed with `error` (one line, no card data: the hub's own error texts)."""
    await conn.execute(
        update(pull_state)
        .where(pull_state.c.partner_id == partner_id)
        .values(last_error_at=now, last_error=error[:2000])
    )


async def check_overdue(conn: AsyncConnection, record: PartnerRecord, now: datetime) -> bool:
    """Raise the partner's alarm when no poll succeeded within its window; True (and one ERROR line)
    only for the check that raised it. The gauge follows the stored state in every process."""
    assert record.pull is not None
    await watched(conn, record.id, now)
    deadline = now - timedelta(seconds=record.pull.alarm_after_s)
    baseline = func.coalesce(pull_state.c.last_success_at, pull_state.c.watched_since)
    raised = await conn.execute(
        update(pull_state)
        .where(
            pull_state.c.partner_id == record.id, pull_state.c.overdue_since.is_(None), baseline < deadline
        )
        .values(overdue_since=now)
        .returning(pull_state.c.last_success_at, pull_state.c.watched_since)
    )
    row = raised.first()
    if row is None:
        state = await conn.execute(
            select(pull_state.c.overdue_since).where(pull_state.c.partner_id == record.id)
        )
        OVERDUE.labels(record.id).set(0 if state.scalar() is None else 1)
        return False
    OVERDUE.labels(record.id).set(1)
    since = row.last_success_at or row.watched_since
    what = (
        "last polled successfully"
        if row.last_success_at is not None
        else "watched, never polled successfully,"
    )
    log.error(
        "partner %s overdue: %s since %s, over its %s s window; its bookings are not reaching the hub",
        record.id,
        what,
        f"{since:%Y-%m-%d %H:%M:%S} UTC",
        f"{record.pull.alarm_after_s:g}",
        extra={"event": "pull_overdue", "partner": record.id, "since": since.isoformat()},
    )
    return True


async def statuses(conn: AsyncConnection, records: list[PartnerRecord]) -> list[PullStatus]:
    """The poll state of each pulled partner among `records` (unpolled ones with empty fields)."""
    rows = {row.partner_id: row for row in await conn.execute(select(pull_state))}
    found = []
    for record in records:
        if record.pull is None:
            continue
        row = rows.get(record.id)
        found.append(
            PullStatus(
                partner_id=record.id,
                interval_s=record.pull.interval_s,
                alarm_after_s=record.pull.alarm_after_s,
                watched_since=row.watched_since if row else None,
                last_attempt_at=row.last_attempt_at if row else None,
                last_success_at=row.last_success_at if row else None,
                last_error_at=row.last_error_at if row else None,
                last_error=row.last_error if row else None,
                overdue_since=row.overdue_since if row else None,
                reservations_pulled=row.reservations_pulled if row else 0,
                paused_reason=(record.paused_reason or "paused") if record.paused_at is not None else None,
            )
        )
    return found
