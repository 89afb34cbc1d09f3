"""Periodic upkeep of an API process: idempotency keys past their TTL are deleted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from routes.idempotency import purge_expired

log = logging.getLogger("hotelhub.housekeeping")

EVERY_S = 3600.0


class Housekeeping:
    """Runs the upkeep once at start, then every `every_s` seconds, until stopped."""

    def __init__(self, engine: AsyncEngine, *, idempotency_ttl: timedelta, every_s: float = EVERY_S) -> None:
        self.engine = engine
        self.idempotency_ttl = idempotency_ttl
        self.every_s = every_s
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        """One round of upkeep; returns how many idempotency keys were deleted."""
        async with self.engine.begin() as conn:
            purged = await purge_expired(conn, now=utcnow(), ttl=self.idempotency_ttl)
        if purged:
            log.info("deleted %d idempotency keys past their TTL", purged)
        return purged

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
        """Stop the periodic task (a round in progress is cancelled; it is one transaction)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
