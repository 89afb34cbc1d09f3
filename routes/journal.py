"""Group commit at ingress: many accepted messages share one transaction, each waits for it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from routes import deadletters
from routes.outbox import add_to_outbox
from routes.tables import inbound_messages

log = logging.getLogger("hotelhub.journal")


@dataclass
class JournalEntry:
    """What one partner message leaves behind: its raw record, outbox rows, maybe a dead letter."""

    inbound: dict[str, Any]
    outbox_rows: list[dict[str, Any]] = field(default_factory=list)
    dead_letter: deadletters.NewDeadLetter | None = None


class IngressJournal:
    """Writes journal entries in batches: up to `batch_max` entries, waiting at most `wait_ms`.

    A partner is answered only after its entry is committed, so an accepted message is durable;
    batching turns a thousand small transactions a second into a few dozen larger ones.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        batch_max: int = 128,
        wait_ms: float = 2.0,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.batch_max = batch_max
        self.wait_s = wait_ms / 1000
        self.on_commit = on_commit
        self._queue: asyncio.Queue[tuple[JournalEntry, asyncio.Future[None]] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the writer task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="ingress-journal")

    async def stop(self) -> None:
        """Write what is queued, then stop the writer."""
        if self._task is None:
            return
        await self._queue.put(None)
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def write(self, entry: JournalEntry) -> None:
        """Queue an entry and return once it is committed (raise if the commit failed)."""
        if self._task is None:
            raise RuntimeError("journal is not started")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._queue.put((entry, future))
        await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        closing = False
        while not closing:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            deadline = loop.time() + self.wait_s
            while len(batch) < self.batch_max:
                try:
                    item = self._queue.get_nowait()
                except asyncio.QueueEmpty:
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        break
                    try:
                        item = await asyncio.wait_for(self._queue.get(), remaining)
                    except TimeoutError:
                        break
                if item is None:
                    closing = True
                    break
                batch.append(item)
            await self._commit(batch)

    async def _commit(self, batch: list[tuple[JournalEntry, asyncio.Future[None]]]) -> None:
        entries = [entry for entry, _ in batch]
        try:
            async with self.engine.begin() as conn:
                await conn.execute(insert(inbound_messages), [e.inbound for e in entries])
                await add_to_outbox(conn, [row for e in entries for row in e.outbox_rows])
                for e in entries:
                    if e.dead_letter is not None:
                        await deadletters.record(conn, e.dead_letter)
        except Exception as err:
            log.exception("journal commit of %d entries failed", len(batch))
            for _, future in batch:
                if not future.done():
                    future.set_exception(err)
            return
        for _, future in batch:
            if not future.done():
                future.set_result(None)
        if self.on_commit is not None:
            self.on_commit()
