"""Embedded transport: the outbox table is the queue, an in-process dispatcher runs the routes."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.base import utcnow
from routes import deadletters
from routes.delivery import Delivery, Outcome, Verdict, deliver_one
from routes.group import BatchFailed, deliver_all_or_nothing
from routes.kept import KeptConnection
from routes.outbox import add_to_outbox, claim_due, mark, reschedule
from routes.pauses import pause_partner
from routes.retry import Step, next_step, retry_in_process
from routes.table import Route, RoutingTable

log = logging.getLogger("hotelhub.embedded")
_SETTLED = (Verdict.DONE, Verdict.DUPLICATE)


class EmbeddedDispatcher:
    """Claims due outbox rows in batches and delivers each to its consumer in one transaction.

    The handler's effect, its inbox row, the messages it emits and the row's new status commit
    together, so a crash at any point leaves each message either done once or still pending.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        table: RoutingTable,
        *,
        batch: int = 64,
        idle_s: float = 0.05,
        idle_max_s: float = 0.5,
    ) -> None:
        self.engine = engine
        self._database = KeptConnection(engine)
        self.table = table
        self.batch = batch
        # an empty poll doubles the next wait, from idle_s up to idle_max_s: an idle hub polls
        # twice a second, not twenty times; a commit in this process wakes it at once (notify),
        # so only rows written elsewhere or falling due later wait up to idle_max_s
        self.idle_s = idle_s
        self.idle_max_s = max(idle_s, idle_max_s)
        self._wake = asyncio.Event()
        self._stopping = False

    def notify(self) -> None:
        """Wake the dispatcher now: new rows were committed."""
        self._wake.set()

    async def run_once(self) -> int:
        """Deliver one batch of due rows in one transaction; return how many rows were taken."""
        async with self._database.begin() as conn:
            rows = await claim_due(conn, limit=self.batch)
            work: list[tuple[dict[str, Any], Route]] = []
            for row in rows:
                route = await self._route_of(conn, row)
                if route is not None:
                    work.append((row, route))
            deliveries = [Delivery(r, row["body"], row["attempts"], row["headers"]) for row, r in work]
            outcomes = await self._deliver(conn, deliveries)
            for index, outcome in enumerate(outcomes):
                if outcome.verdict is Verdict.RETRY:
                    # The same in-process retries as on RabbitMQ, each in its own savepoint.
                    outcomes[index] = await retry_in_process(
                        lambda d: deliver_one(conn, d), deliveries[index], outcome
                    )
            done = [row["id"] for (row, _), o in zip(work, outcomes, strict=True) if o.verdict in _SETTLED]
            await mark(conn, done, "done")
            for (row, route), outcome in zip(work, outcomes, strict=True):
                if outcome.verdict not in _SETTLED:
                    await self._settle(conn, row, route, outcome)
        return len(rows)

    @staticmethod
    async def _deliver(conn: AsyncConnection, deliveries: list[Delivery]) -> list[Outcome]:
        """The whole batch without savepoints first; on a failure, again with one savepoint each."""
        try:
            async with conn.begin_nested():
                return await deliver_all_or_nothing(conn, deliveries)
        except BatchFailed as failed:
            known = failed
        return [
            known.outcome if index == known.index else await deliver_one(conn, delivery)
            for index, delivery in enumerate(deliveries)
        ]

    async def _route_of(self, conn: AsyncConnection, row: dict[str, Any]) -> Route | None:
        """The one route a row goes to; unrouted and fanned-out rows are settled here (None)."""
        routes = (
            [self.table.consumer(row["consumer"])]
            if row["consumer"]
            else self.table.for_type(row["message_type"])
        )
        if not routes:
            log.info("no consumer for %s; row %s kept as unrouted", row["message_type"], row["id"])
            await mark(conn, [row["id"]], "unrouted")
            return None
        if len(routes) > 1:
            # Fan out into one row per consumer, so each retries and dead-letters on its own.
            copies = []
            for route in routes:
                copy = {k: v for k, v in row.items() if k != "id"}
                copy["consumer"] = route.consumer
                copies.append(copy)
            await add_to_outbox(conn, copies)
            await mark(conn, [row["id"]], "done")
            return None
        return routes[0]

    async def _settle(
        self, conn: AsyncConnection, row: dict[str, Any], route: Route, outcome: Outcome
    ) -> None:
        first_failed: datetime = row["first_failed_at"] or utcnow()
        if outcome.verdict is Verdict.PAUSE and outcome.pause_partner:
            await pause_partner(conn, outcome.pause_partner, outcome.error_text)
        step = next_step(route, outcome, row["attempts"])
        attempts = step.attempts
        if step.step is not Step.DEAD:
            await reschedule(
                conn,
                row["id"],
                consumer=route.consumer,
                attempts=attempts,
                delay_s=step.delay_s,
                error=f"{outcome.error_class}: {outcome.error_text}",
                first_failed_at=first_failed,
            )
            return
        await deadletters.record(
            conn,
            deadletters.NewDeadLetter(
                message_id=outcome.message_id or row["message_id"],
                message_type=row["message_type"],
                consumer=route.consumer,
                correlation_id=outcome.correlation_id or row["correlation_id"],
                body=row["body"],
                headers=row["headers"],
                error_class=outcome.error_class,
                error_text=outcome.error_text,
                attempts=attempts,
                first_failed_at=first_failed,
                partner_id=outcome.partner_id,
                property_code=outcome.property_code,
            ),
        )
        await mark(conn, [row["id"]], "dead")

    async def run(self) -> None:
        """Deliver until stopped; sleep while nothing is due, wake early on notify()."""
        wait = self.idle_s
        try:
            while not self._stopping:
                try:
                    taken = await self.run_once()
                except Exception:
                    log.exception("dispatcher batch failed; rows stay pending and are retried")
                    taken = 0
                    await asyncio.sleep(min(1.0, self.idle_s * 10))
                if taken:
                    wait = self.idle_s
                    continue
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=wait)
                    wait = self.idle_s
                except TimeoutError:
                    wait = min(self.idle_max_s, wait * 2)
        finally:
            await self._database.release()

    def stop(self) -> None:
        """Finish the batch in hand, then return from run()."""
        self._stopping = True
        self._wake.set()

    async def drain(self, *, max_batches: int = 10_000) -> int:
        """Deliver until nothing is due now (tests, demo); return the rows taken."""
        total = 0
        try:
            for _ in range(max_batches):
                taken = await self.run_once()
                total += taken
                if taken == 0:
                    break
        finally:
            await self._database.release()
        return total


class EmbeddedTransport:
    """The embedded dispatcher as a `routes.transport.Transport`: a task of the hub's own process."""

    def __init__(self, dispatcher: EmbeddedDispatcher) -> None:
        self.dispatcher = dispatcher
        self._task: asyncio.Task[None] | None = None

    async def start(self, *, consume: bool = True, relay: bool = True) -> None:
        """Run the dispatcher when asked to consume (the outbox is its own relay)."""
        if consume and self._task is None:
            self._task = asyncio.create_task(self.dispatcher.run(), name="dispatcher")

    async def stop(self) -> None:
        """Let the batch in hand finish, then return."""
        if self._task is not None:
            self.dispatcher.stop()
            await self._task
            self._task = None

    def notify(self) -> None:
        """Wake the dispatcher: new rows were committed."""
        self.dispatcher.notify()

    @property
    def ready(self) -> bool:
        """Running, or not asked to run (a process that only writes the outbox)."""
        return self._task is None or not self._task.done()
