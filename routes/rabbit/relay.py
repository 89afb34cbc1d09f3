"""The outbox relay: publishes committed outbox rows to RabbitMQ, marking them sent only once confirmed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from faststream.rabbit import RabbitBroker, RabbitExchange
from sqlalchemy.ext.asyncio import AsyncEngine

from routes import metrics
from routes.kept import KeptConnection
from routes.outbox import claim_due, mark, postpone
from routes.rabbit.publishing import CONFIRM_TIMEOUT_S, Confirm, ConfirmChannel
from routes.rabbit.settings import RabbitSettings
from routes.rabbit.topology import DEFAULT_PREFIX, Topology
from routes.table import RoutingTable

log = logging.getLogger("hotelhub.rabbit.relay")

BOUNCE_DELAY_S = 5.0
MAX_BACKOFF_S = 5.0


class OutboxRelay:
    """Claims pending outbox rows, publishes them persistent + mandatory with confirms, marks them sent.

    Claim, publish and mark share one transaction: on PostgreSQL the claim is FOR UPDATE SKIP LOCKED,
    so several relays split the rows between them. A row is marked `sent` only after the broker's
    confirm; a returned (unroutable) or refused publish stays pending and is tried again later; a
    publish with no answer (broker down) stays pending and the relay backs off. Nothing is lost:
    at worst a row is published twice, and the consumers' inbox absorbs the copy.
    """

    def __init__(
        self,
        settings: RabbitSettings,
        engine: AsyncEngine,
        broker: RabbitBroker,
        table: RoutingTable,
        *,
        topology: Topology | None = None,
        prefix: str = DEFAULT_PREFIX,
        confirm_timeout_s: float = CONFIRM_TIMEOUT_S,
    ) -> None:
        self.engine = engine
        self._database = KeptConnection(engine)
        self.publisher = ConfirmChannel(broker)
        self.table = table
        self.topology = topology or Topology.from_table(
            table, prefix=prefix, delivery_limit=settings.rabbit_delivery_limit
        )
        self.batch = settings.relay_batch
        self.idle_s = settings.relay_idle_ms / 1000
        self.confirm_timeout_s = confirm_timeout_s
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def notify(self) -> None:
        """Wake the relay now: new rows were committed."""
        self._wake.set()

    def _target(self, row: dict[str, Any]) -> tuple[RabbitExchange, str] | None:
        consumer = row["consumer"]
        if consumer:
            return (self.topology.direct, consumer) if consumer in self.topology.consumers else None
        if not self.table.for_type(row["message_type"]):
            return None
        return self.topology.events, row["message_type"]

    async def run_once(self) -> tuple[int, int]:
        """Publish one batch of due rows; return (rows taken, publishes with no answer)."""
        async with self._database.begin() as conn:
            rows = await claim_due(conn, limit=self.batch)
            if not rows:
                return 0, 0
            unrouted: list[int] = []
            planned: list[tuple[dict[str, Any], RabbitExchange, str]] = []
            in_batch: set[str] = set()
            for row in rows:
                target = self._target(row)
                if target is None:
                    unrouted.append(row["id"])
                elif row["message_id"] not in in_batch:
                    # The client matches a returned message to its publish by message id, so one
                    # id is in flight once per batch; a second row with it waits for the next.
                    in_batch.add(row["message_id"])
                    planned.append((row, *target))
            confirms = await asyncio.gather(
                *(self._publish(row, exchange, key) for row, exchange, key in planned)
            )
            sent = [row["id"] for (row, _, _), c in zip(planned, confirms, strict=True) if c is Confirm.SENT]
            bounced = [
                row["id"]
                for (row, _, _), c in zip(planned, confirms, strict=True)
                if c in (Confirm.RETURNED, Confirm.NACKED)
            ]
            failed = sum(1 for c in confirms if c is Confirm.FAILED)
            await mark(conn, sent, "sent")
            await mark(conn, unrouted, "unrouted")
            await postpone(
                conn, bounced, delay_s=BOUNCE_DELAY_S, error="publish returned or refused by the broker"
            )
        for outcome in Confirm:
            count = sum(1 for c in confirms if c is outcome)
            if count:
                metrics.PUBLISHED.labels(outcome.value).inc(count)
        if unrouted:
            metrics.PUBLISHED.labels("unrouted").inc(len(unrouted))
            log.info("%d outbox rows have no consumer; kept as unrouted", len(unrouted))
        if bounced:
            log.warning("%d publishes returned or refused; rows stay pending", len(bounced))
        return len(rows), failed

    async def _publish(self, row: dict[str, Any], exchange: RabbitExchange, routing_key: str) -> Confirm:
        return await self.publisher.publish(
            row["body"].encode(),
            exchange=exchange.name,
            routing_key=routing_key,
            message_id=row["message_id"],
            correlation_id=row["correlation_id"],
            message_type=row["message_type"],
            headers=dict(row["headers"] or {}),
            confirm_timeout_s=self.confirm_timeout_s,
        )

    async def run(self) -> None:
        """Publish until stopped; back off while the broker or the database is away."""
        backoff = self.idle_s
        while not self._stopping:
            try:
                taken, failed = await self.run_once()
            except Exception:
                log.exception("relay batch failed; rows stay pending and are tried again")
                taken, failed = 0, 1
            if failed:
                backoff = min(MAX_BACKOFF_S, max(backoff * 2, 0.1))
                await self._sleep(backoff)
                continue
            backoff = self.idle_s
            if taken == 0:
                await self._sleep(self.idle_s)

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    def start(self) -> None:
        """Run the relay in a background task."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name="hotelhub-outbox-relay")

    async def stop(self) -> None:
        """Finish the batch in hand, then stop."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self._database.release()
        await self.publisher.close()
