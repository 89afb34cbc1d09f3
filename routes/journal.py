"""Group commit at ingress: many accepted messages share one transaction, each waits for it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from pms_core.adapters.bulk import UnnestInsert
from routes import deadletters
from routes.kept import KeptConnection
from routes.tables import inbound_messages, outbox

log = logging.getLogger("hotelhub.journal")


_INBOUND = UnnestInsert(inbound_messages)
_OUTBOX = UnnestInsert(outbox, first=_INBOUND.parameter_count + 1)
# A batch's inbound rows and outbox rows in ONE PostgreSQL statement: one round trip, and atomic
# on its own (no BEGIN / COMMIT round trips around it).
_PG_BATCH = f"WITH inbound AS ({_INBOUND.sql}) {_OUTBOX.sql}"


@dataclass
class JournalEntry:
    """What one partner message leaves behind: its raw record, outbox rows, maybe a dead letter."""

    inbound: dict[str, Any]
    outbox_rows: list[dict[str, Any]] = field(default_factory=list)
    dead_letter: deadletters.NewDeadLetter | None = None


_Pending = tuple[JournalEntry, "asyncio.Future[None]"]


class IngressJournal:
    """Writes journal entries in batches: up to `batch_max` entries, waiting at most `wait_ms`.

    A partner is answered only after its entry is committed, so an accepted message is durable;
    batching turns a thousand small transactions a second into a few dozen larger ones. One batch
    commits at a time while the next one gathers; a batch the database refuses is written again
    entry by entry, so only the entry at fault fails.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        batch_max: int = 128,
        wait_ms: float = 0.0,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.batch_max = batch_max
        self.wait_s = wait_ms / 1000
        self.on_commit = on_commit
        self._queue: asyncio.Queue[_Pending | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        # one statement a batch needs no BEGIN / COMMIT round trips around it
        self._kept = KeptConnection(engine, autocommit=True)
        self._one_statement = False

    async def start(self) -> None:
        """Start the writer task."""
        if self._task is None:
            self._one_statement = self.engine.dialect.name == "postgresql"
            self._task = asyncio.create_task(self._run(), name="ingress-journal")

    async def stop(self) -> None:
        """Write what is queued, then stop the writer."""
        if self._task is None:
            return
        await self._queue.put(None)
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        await self._kept.release()

    async def write(self, entry: JournalEntry) -> None:
        """Queue an entry and return once it is committed (raise if the commit failed)."""
        if self._task is None:
            raise RuntimeError("journal is not started")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._queue.put((entry, future))
        await future

    async def _run(self) -> None:
        # One batch commits while the next one gathers: the writer never sits out a commit.
        committing: asyncio.Task[None] | None = None
        closing = False
        while not closing:
            batch, closing = await self._collect()
            if committing is not None:
                await committing
                # what queued up during that commit rides along now instead of waiting a round
                closing = self._top_up(batch) or closing
            if batch:
                committing = asyncio.create_task(self._commit(batch), name="ingress-journal-commit")
        if committing is not None:
            await committing

    async def _collect(self) -> tuple[list[_Pending], bool]:
        """The next batch (empty when told to close) and whether the writer must then close."""
        first = await self._queue.get()
        if first is None:
            return [], True
        loop = asyncio.get_running_loop()
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
                return batch, True
            batch.append(item)
        return batch, False

    def _top_up(self, batch: list[_Pending]) -> bool:
        """Add what is queued to `batch` (up to the cap); True when the close marker was met."""
        while len(batch) < self.batch_max:
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                return False
            if item is None:
                return True
            batch.append(item)
        return False

    async def _commit(self, batch: list[_Pending]) -> None:
        entries = [entry for entry, _ in batch]
        try:
            if self._one_statement and not any(e.dead_letter for e in entries):
                conn = await self._kept.connection()
                await conn.exec_driver_sql(_PG_BATCH, _batch_parameters(entries))
            elif self._one_statement:
                # the writer's connection autocommits: a batch with dead letters takes a pooled one
                async with self.engine.begin() as conn:
                    await _write_in_transaction(conn, entries)
            else:
                async with self._kept.begin() as conn:
                    await _write_in_transaction(conn, entries)
        except Exception as err:
            await self._kept.release()
            if len(batch) > 1 and _refused(err):
                # one entry the database refuses must not fail the partners it was batched with
                log.warning("journal batch of %d refused (%s); writing one by one", len(batch), err)
                for item in batch:
                    await self._commit([item])
                return
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


def _batch_parameters(entries: list[JournalEntry]) -> tuple[list[Any], ...]:
    """The column arrays `_PG_BATCH` takes: inbound rows, then outbox rows."""
    outbox_rows = [row for e in entries for row in e.outbox_rows]
    return (*_INBOUND.arrays([e.inbound for e in entries]), *_OUTBOX.arrays(outbox_rows))


async def _write_in_transaction(conn: AsyncConnection, entries: list[JournalEntry]) -> None:
    await _INBOUND.execute(conn, [e.inbound for e in entries])
    await _OUTBOX.execute(conn, [row for e in entries for row in e.outbox_rows])
    for e in entries:
        if e.dead_letter is not None:
            await deadletters.record(conn, e.dead_letter)


def _refused(err: Exception) -> bool:
    """The database answered with an error about the data; the connection itself is fine."""
    return isinstance(err, DBAPIError) and not err.connection_invalidated
