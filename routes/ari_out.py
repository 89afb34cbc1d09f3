"""The ARI distributor: `ari.changed.v1` -> each channel's pending set -> a sender per channel.

The route marks the changed cells pending for every channel that receives them, in the
transaction of the delivery (routes/ari_pending.py: last write wins, a set of keys). A sender per
channel (`AriDistributor`) takes what is pending, reads the current values and sends them through
the channel's `OutboundClient` (rate limits, in-flight cap, breaker, timeout: routes/outbound),
urgent close-outs first (routes/ari_send.py). One process at a time sends to a channel: it holds
the channel's lease (routes/ari_state.py), so the channel's limits hold across processes and a
failing channel waits on its own task without slowing any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.ari import ARI_CHANGED_V1, AriChanged
from canonical.base import utcnow
from canonical.envelope import Envelope
from routes import ari_metrics, ari_pending, ari_state
from routes.ari_channels import AriChannel, ari_channels, changed_keys
from routes.ari_letters import ARI_OUT_CONSUMER
from routes.ari_pending import PendingKey
from routes.ari_send import Round, send_round
from routes.outbound.client import OutboundClient
from routes.outbound.registry import OutboundClients
from routes.partners import PartnerDirectory, PartnerRecord, load_partners
from routes.policy import DeliveryPolicy, RetryPolicy
from routes.table import BatchItemFailed, DeliveryContext, Route
from routes.tasks import cancel_and_wait

log = logging.getLogger("hotelhub.ari")

# Marking is a few statements in the hub's own database: a failure is the database's, retried soon.
ARI_POLICY = DeliveryPolicy(retry=RetryPolicy(delays_s=(1.0, 5.0, 30.0)))
Nudge = Callable[[Iterable[str]], None]
_NUDGES = "hotelhub.ari_nudges"


def _after_commit(conn: AsyncConnection, nudge: Nudge, channels: list[str]) -> None:
    """Wake the senders once the marks are committed (at once when there is no transaction)."""
    sync = conn.sync_connection
    if sync is None or not conn.in_transaction():
        nudge(channels)
        return
    waiting: list[tuple[Nudge, list[str]]] = sync.info.setdefault(_NUDGES, [])
    if not event.contains(sync, "commit", _committed):
        event.listen(sync, "commit", _committed)
        event.listen(sync, "rollback", _rolled_back)
    waiting.append((nudge, channels))


def _committed(conn: Connection) -> None:
    for nudge, channels in conn.info.pop(_NUDGES, []):
        nudge(channels)


def _rolled_back(conn: Connection) -> None:
    conn.info.pop(_NUDGES, None)


async def mark_changed(conn: AsyncConnection, *changes: AriChanged) -> list[str]:
    """Mark the changes' cells pending for every channel that receives them; the channels marked.

    The partners are read once, and each channel's keys are written together (a key named by
    several changes once), so a batch of changes costs a few statements per channel.
    """
    grouped: dict[tuple[str, bool], set[PendingKey]] = {}
    for channel in ari_channels(await load_partners(conn)):
        for change in changes:
            entry = channel.property_mapping(change.property)
            if entry is not None:
                grouped.setdefault((channel.id, change.urgent), set()).update(changed_keys(change, entry))
    # a key marked urgent stays urgent until sent, whatever marks it after (the flag is or-ed)
    for (channel_id, urgent), keys in sorted(grouped.items(), key=lambda item: item[0][1]):
        if keys:
            await ari_pending.mark(conn, channel_id, sorted(keys), urgent=urgent)
    return sorted({channel_id for (channel_id, _), keys in grouped.items() if keys})


def make_ari_route(nudge: Nudge | None = None) -> Route:
    """The route consuming `ari.changed.v1`: marks the cells pending, then wakes their senders."""

    async def handle(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        marked = await mark_changed(ctx.conn, envelope.payload)
        if marked and nudge is not None:
            _after_commit(ctx.conn, nudge, marked)

    async def handle_batch(items: list[tuple[Envelope[Any], DeliveryContext]]) -> None:
        conn = items[0][1].conn
        try:
            marked = await mark_changed(conn, *(envelope.payload for envelope, _ in items))
        except Exception as err:
            raise BatchItemFailed(None, err) from err  # one by one, to find the one at fault
        if marked and nudge is not None:
            _after_commit(conn, nudge, marked)

    return Route(
        ARI_CHANGED_V1,
        ARI_OUT_CONSUMER,
        handle,
        ARI_POLICY,
        "the ARI distributor marks the changed cells pending for every channel that receives them",
        handle_batch,
    )


class AriDistributor:
    """A sender per channel: sends what is pending within the channel's policy, waits when it fails."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        reader: AsyncEngine,
        directory: PartnerDirectory,
        clients: OutboundClients,
        secrets: Mapping[str, str],
        tick_s: float = 1.0,
        lease_s: float = 30.0,
        batch: int = 20_000,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.engine, self.reader, self.directory, self.clients = engine, reader, directory, clients
        self.secrets = secrets  # the process environment: outbound passwords by variable name
        self.tick_s, self.lease_s, self.batch, self.sleep = tick_s, lease_s, batch, sleep
        self.owner = uuid.uuid4().hex[:16]
        self._wake: dict[str, asyncio.Event] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._supervisor: asyncio.Task[None] | None = None
        self._any = asyncio.Event()
        # each channel's breaker as this process last saw it (closed, half_open, open)
        self.breakers: dict[str, str] = {}

    def nudge(self, channels: Iterable[str]) -> None:
        """Cells of these channels were marked: their senders look now rather than at the next tick."""
        for channel in channels:
            self._wake.setdefault(channel, asyncio.Event()).set()
        self._any.set()

    # one round, and a drain (tests, resync)
    async def round(self, channel_id: str, keep: Callable[[], Awaitable[bool]] | None = None) -> Round:
        """One send round of one channel (`keep` renews the caller's lease; none: the caller is alone)."""
        record = await self.directory.get(channel_id)
        if record is None or not ari_channels([record]):
            return Round("idle")
        client = self.clients.for_partner(record)
        try:
            return await self._send(record, client, keep)
        finally:
            if client.breaker is not None:
                self.breakers[channel_id] = client.breaker.state.name.lower()

    async def _send(
        self, record: PartnerRecord, client: OutboundClient, keep: Callable[[], Awaitable[bool]] | None
    ) -> Round:
        channel_id = record.id
        result = await send_round(
            AriChannel(record),
            client,
            engine=self.engine,
            reader=self.reader,
            secrets=self.secrets,
            limit=self.batch,
            keep=keep,
        )
        await self.observe(channel_id)
        return result

    async def observe(self, channel_id: str) -> ari_pending.PendingStatus:
        """Read a channel's pending cells and oldest change into the metrics."""
        async with self.reader.connect() as conn:
            pending = await ari_pending.status(conn, channel_id)
        ari_metrics.PENDING.labels(channel_id).set(pending.cells)
        age = 0.0
        if pending.oldest is not None:
            age = max(0.0, (utcnow() - pending.oldest).total_seconds())
        ari_metrics.OLDEST.labels(channel_id).set(age)
        return pending

    async def drain(self, channel_id: str, *, max_rounds: int = 10_000) -> list[Round]:
        """Send until nothing is pending or the channel is paused, waiting what each failure asks."""
        rounds: list[Round] = []
        failures = 0
        for _ in range(max_rounds):
            result = await self.round(channel_id)
            rounds.append(result)
            if result.outcome in ("idle", "paused"):
                return rounds
            if result.outcome == "ok":
                failures = 0
                continue
            await self.sleep(await self._delay(channel_id, result, failures))
            failures += 1
        return rounds

    async def _delay(self, channel_id: str, result: Round, failures: int) -> float:
        if result.retry_after_s is not None:
            return result.retry_after_s
        record = await self.directory.get(channel_id)
        delays = record.policy.retry.delays_s if record is not None else (self.tick_s,)
        return delays[min(failures, len(delays) - 1)] if delays else self.tick_s

    # the background senders
    def start(self) -> None:
        """Start the senders in this event loop (one task per channel, kept in step with the partners)."""
        self._supervisor = asyncio.create_task(self._supervise(), name="ari-distributor")

    async def stop(self) -> None:
        """Stop every sender (a call in flight is abandoned, its cells stay pending); give up the leases."""
        await cancel_and_wait(self._supervisor)
        self._supervisor = None
        for channel, task in list(self._tasks.items()):
            await cancel_and_wait(task)
            try:
                async with self.engine.begin() as conn:
                    await ari_state.release(conn, channel, self.owner)
            except Exception:
                log.warning("channel %s: could not give up its lease", channel, exc_info=True)
        self._tasks.clear()

    async def _supervise(self) -> None:
        while True:
            try:
                async with self.reader.connect() as conn:
                    wanted = {c.id for c in ari_channels(await load_partners(conn))}
            except Exception:
                log.warning("ARI distributor: cannot read the partners; trying again", exc_info=True)
                wanted = set(self._tasks)
            for channel in wanted - set(self._tasks):
                self._tasks[channel] = asyncio.create_task(self._run(channel), name=f"ari-{channel}")
            for channel in set(self._tasks) - wanted:
                await cancel_and_wait(self._tasks.pop(channel))
            self._any.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._any.wait(), timeout=self.tick_s * 5)

    async def _wait(self, channel: str, seconds: float) -> None:
        wake = self._wake.setdefault(channel, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=seconds)
        wake.clear()

    async def _lease(self, channel: str) -> bool:
        async with self.engine.begin() as conn:
            return await ari_state.lease(conn, channel, self.owner, for_s=self.lease_s)

    async def _run(self, channel: str) -> None:
        failures = 0

        async def keep() -> bool:
            return await self._lease(channel)

        while True:
            try:
                async with self.reader.connect() as conn:
                    work = await ari_pending.has_work(conn, channel)
                if not work:  # an idle channel costs one read a tick, no write
                    await self._wait(channel, self.tick_s)
                    continue
                if not await self._lease(channel):
                    await self._wait(channel, self.tick_s * 5)
                    continue
                result = await self.round(channel, keep)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("channel %s: ARI send round failed; its cells stay pending", channel)
                await self.sleep(self.tick_s)
                continue
            if result.outcome == "ok":
                failures = 0
            elif result.outcome == "idle":
                await self._wait(channel, self.tick_s)
            else:
                # a failure's wait is not cut short by new changes: the channel asked for it
                await self.sleep(await self._delay(channel, result, failures))
                failures += 1
