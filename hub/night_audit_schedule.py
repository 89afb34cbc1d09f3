"""The night audit's scheduler: closes each property's business date at its local audit time.

A business date D is due at the audit time on D + 1 (local): from 03:00 on the 5th the 4th may
close. Each round reads every property's business date and audit time in one statement and closes
what is due, one day after another (a hub down for two nights catches up). Several processes may
run it: a close takes the property's row lock and a day closed already is only answered, so a
day closes once. A property without a business date is left alone: its first close is the
operator's (`hotelhub audit close --date D`), which starts its business days.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from prometheus_client import Counter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from canonical.errors import PermanentError
from hub.audit_close import close_day, outcome_line
from pms_core.adapters.tables import properties
from pms_core.audit_settings import audit_times
from routes.table import RoutingTable
from routes.tasks import cancel_and_wait

log = logging.getLogger("hotelhub.night_audit")

TICK_S = 60.0
CLOSES = Counter(
    "hotelhub_night_audit_closes_total",
    "Business dates the scheduler closed (closed) or found refused (refused: the day stays open)",
    ["property", "outcome"],
)
MAX_DAYS_A_ROUND = 31  # a property far behind catches up a month a round, and others get their turn


def due_through(now: datetime, timezone: str, audit_time: time) -> date:
    """The latest business date whose audit time has come at `now` in the property's time zone."""
    local = now.astimezone(ZoneInfo(timezone))
    passed = (local.hour, local.minute, local.second) >= (audit_time.hour, audit_time.minute, 0)
    return local.date() - timedelta(days=1 if passed else 2)


@dataclass
class NightAuditSchedule:
    """Closes every due business date each `tick_s`, until stopped; `clock` is the time it judges by."""

    engine: AsyncEngine
    table: RoutingTable
    clock: Callable[[], datetime] = utcnow
    tick_s: float = TICK_S
    on_commit: Callable[[], None] | None = None
    _refused: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    async def run_once(self) -> list[str]:
        """One round: close what is due; one line per day closed."""
        async with self.engine.connect() as conn:
            times = await audit_times(conn)
            rows = await conn.execute(select(properties.c.code, properties.c.business_date))
            dates = {row.code: row.business_date for row in rows}
        lines = []
        for code in sorted(times):
            timezone, at = times[code]
            current = dates.get(code)
            due = due_through(self.clock(), timezone, at)
            for _ in range(MAX_DAYS_A_ROUND):
                if current is None or current > due:
                    break
                line = await self._close(code, current)
                if line is None:
                    break
                lines.append(line)
                current += timedelta(days=1)
        return lines

    async def _close(self, code: str, day: date) -> str | None:
        try:
            outcome, written = await close_day(self.engine, self.table, code, day, clock=self.clock)
        except PermanentError as err:
            # Said once until it changes: the day stays open and is tried again every round.
            CLOSES.labels(code, "refused").inc()
            if self._refused.get(code) != str(err):
                self._refused[code] = str(err)
                log.error("night audit refused: %s", err)
            return None
        self._refused.pop(code, None)
        if outcome.closed_now:
            CLOSES.labels(code, "closed").inc()
        if written and self.on_commit is not None:
            self.on_commit()
        line = outcome_line(outcome)
        log.info("night audit: %s", line)
        return line

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # the database may be away for a while: try again next round
                log.exception("night audit round failed")
            await asyncio.sleep(self.tick_s)

    def start(self) -> None:
        """Start the periodic task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="hotelhub-night-audit")

    async def stop(self) -> None:
        """Stop the periodic task (a close in progress is cancelled and rolls back)."""
        task, self._task = self._task, None
        await cancel_and_wait(task)
