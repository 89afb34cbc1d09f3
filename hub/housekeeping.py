"""Periodic upkeep of an API process: expired idempotency keys and rows past their retention go."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from hub.settings import HubSettings
from routes import retention
from routes.idempotency import purge_expired
from routes.tasks import cancel_and_wait

log = logging.getLogger("hotelhub.housekeeping")

EVERY_S = 3600.0

PURGED = Counter("hotelhub_purged_rows_total", "Rows deleted by housekeeping, by table", ["table"])


@dataclass
class Housekeeping:
    """Runs the upkeep once at start, then every `every_s` seconds, until stopped.

    Several API processes may run it at once: each purge batch skips rows another one holds.
    """

    engine: AsyncEngine
    idempotency_ttl: timedelta
    keep: retention.KeepTimes = field(default_factory=retention.KeepTimes)
    every_s: float = EVERY_S
    _task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    @classmethod
    def for_settings(cls, engine: AsyncEngine, settings: HubSettings) -> Housekeeping:
        """The upkeep these settings ask for (idempotency TTL, keep times)."""
        return cls(
            engine,
            idempotency_ttl=timedelta(hours=settings.idempotency_ttl_hours),
            keep=settings.keep_times,
        )

    async def run_once(self) -> dict[str, int]:
        """One round of upkeep; returns the rows deleted per table."""
        now = utcnow()
        async with self.engine.begin() as conn:
            keys = await purge_expired(conn, now=now, ttl=self.idempotency_ttl)
        deleted = {"idempotency_keys": keys, **await retention.purge(self.engine, self.keep, now=now)}
        for table, count in deleted.items():
            if count:
                PURGED.labels(table).inc(count)
        if any(deleted.values()):
            log.info("housekeeping deleted rows past their keep time", extra={"deleted": deleted})
        return deleted

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # the database may be away for a while: try again next round
                log.exception("housekeeping round failed")
            await asyncio.sleep(self.every_s)

    def start(self) -> None:
        """Start the periodic task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="hotelhub-housekeeping")

    async def stop(self) -> None:
        """Stop the periodic task (a round in progress is cancelled; each batch is one transaction)."""
        task, self._task = self._task, None
        await cancel_and_wait(task)
