"""The ARI distributor: `ari.changed.v1` -> each channel's pending set -> a sender per channel.

The route marks the changed cells pending for every channel that receives them, in the
transaction of the delivery (routes/ari_pending.py: last write wins, a set of keys). A sender per
channel (`AriDistributor`) takes what is pending, reads the current values and sends them through
the channel's `OutboundClient` (rate limits, in-flight cap, breaker, timeout: routes/outbound),
urgent close-outs first (routes/ari_send.py). One process at a time sends to a channel, so the
channel's limits hold across processes, and a failing channel waits on its own task without
slowing any other. Embedded, the process runs every channel's sender; on RabbitMQ a channel's
sender runs only in the process that has its turn, the single active consumer of the channel's
queue (`SendTurns`, routes/rabbit/channel_queues.py), and the marks' nudges go through that
queue. Either way a sender also holds the channel's lease (routes/ari_state.py: why, there).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from routes import ari_metrics, ari_pending, ari_state
from routes.ari_channels import AriChannel, ari_channels
from routes.ari_marks import ARI_POLICY, Nudge, make_ari_route, mark_changed
from routes.ari_send import Round, send_round
from routes.outbound.client import OutboundClient
from routes.outbound.registry import OutboundClients
from routes.partners import PartnerDirectory, PartnerRecord, load_partners
from routes.policy import DeliveryPolicy
from routes.tasks import cancel_and_wait

# the marking side lives in routes/ari_marks.py; these names stay importable from here
__all__ = ["ARI_POLICY", "AriDistributor", "Nudge", "SendTurns", "make_ari_route", "mark_changed"]

log = logging.getLogger("hotelhub.ari")


class SendTurns(Protocol):
    """Whose turn it is to send to a channel when several processes could (RabbitMQ: its queue)."""

    def nudge(self, channels: Iterable[str]) -> None:
        """Tell the channels' senders, in whichever process has their turn, that cells are pending."""

    async def follow(self, channels: Collection[str]) -> None:
        """Stand in line for these channels' turns, and leave the others'."""

    def busy(self, channel: str) -> None:
        """A round starts: keep the turn so that, should this process die, the next takes it at once."""

    async def rest(self, channel: str) -> None:
        """Nothing to send now (idle, or waiting on the channel)."""

    async def close(self) -> None:
        """Leave every line; the turns held go to the next process."""


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
        lease_s: float | None = None,
        sweep_s: float = 10.0,
        batch: int = 20_000,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.engine, self.reader, self.directory, self.clients = engine, reader, directory, clients
        self.secrets = secrets  # the process environment: outbound passwords by variable name
        # lease_s None: each channel's lease lasts what its policy needs (ari_state.lease_seconds)
        self.tick_s, self.lease_s, self.batch, self.sleep = tick_s, lease_s, batch, sleep
        self.sweep_s = sweep_s
        self.turns: SendTurns | None = None
        self._running = False
        self._chores: set[asyncio.Task[None]] = set()
        # which process holds a channel's lease, as an operator finds it: host, pid, and a nonce
        self.owner = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake: dict[str, asyncio.Event] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._supervisor: asyncio.Task[None] | None = None
        self._any = asyncio.Event()
        # each channel's breaker as this process last saw it (closed, half_open, open)
        self.breakers: dict[str, str] = {}

    def nudge(self, channels: Iterable[str]) -> None:
        """Cells of these channels were marked: their senders look now rather than at the next tick."""
        if self.turns is not None:
            self.turns.nudge(channels)
            return
        for channel in channels:
            self._wake.setdefault(channel, asyncio.Event()).set()
        self._any.set()

    def use(self, turns: SendTurns) -> None:
        """Take turns with other processes (before `start`): a channel's sender runs here only while
        this process has the channel's turn (`turn`), and nudges go to whichever process has it."""
        self.turns = turns

    def turn(self, channel: str) -> None:
        """This process has the channel's turn now: its sender runs here (and looks at once)."""
        self._wake.setdefault(channel, asyncio.Event()).set()
        if self._running and channel not in self._tasks:
            self._tasks[channel] = asyncio.create_task(self._run(channel), name=f"ari-{channel}")

    def lost(self) -> None:
        """Every turn of this process went back (broker channel closed): stop its senders."""
        if self._running:
            chore = asyncio.get_running_loop().create_task(self._stop_senders())
            self._chores.add(chore)
            chore.add_done_callback(self._chores.discard)

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
        self._running = True
        self._supervisor = asyncio.create_task(self._supervise(), name="ari-distributor")

    async def stop(self) -> None:
        """Stop every sender (a call in flight is abandoned, its cells stay pending); give up the
        leases, then the turns (the next process takes them at once)."""
        self._running = False
        await cancel_and_wait(self._supervisor)
        self._supervisor = None
        for chore in list(self._chores):
            await cancel_and_wait(chore)
        await self._stop_senders()
        if self.turns is not None:
            await self.turns.close()

    async def _stop_senders(self) -> None:
        for channel, task in list(self._tasks.items()):
            await cancel_and_wait(task)
            if self._tasks.get(channel) is task:
                del self._tasks[channel]
            try:
                async with self.engine.begin() as conn:
                    await ari_state.release(conn, channel, self.owner)
            except Exception:
                log.warning("channel %s: could not give up its lease", channel, exc_info=True)

    async def _supervise(self) -> None:
        swept = -float("inf")
        loop = asyncio.get_running_loop()
        while True:
            try:
                async with self.reader.connect() as conn:
                    wanted = {c.id for c in ari_channels(await load_partners(conn))}
            except Exception:
                log.warning("ARI distributor: cannot read the partners; trying again", exc_info=True)
                wanted = set(self._tasks)
            if self.turns is None:
                for channel in wanted - set(self._tasks):
                    self._tasks[channel] = asyncio.create_task(self._run(channel), name=f"ari-{channel}")
            for channel in set(self._tasks) - wanted:
                await cancel_and_wait(self._tasks.pop(channel))
            if self.turns is not None:
                try:
                    await self.turns.follow(wanted)
                    if loop.time() - swept >= self.sweep_s:
                        swept = loop.time()
                        await self._sweep(wanted - set(self._tasks))
                except Exception:
                    log.warning("ARI distributor: cannot take turns; trying again", exc_info=True)
            self._any.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._any.wait(), timeout=self.tick_s * 5)

    async def _wait(self, channel: str, seconds: float) -> None:
        wake = self._wake.setdefault(channel, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=seconds)
        wake.clear()

    async def _sweep(self, channels: Collection[str]) -> None:
        """Nudge the channels that have cells pending and whose turn is elsewhere (a backstop: a
        nudge lost with a process, or a turn taken over while its sender was idle)."""
        pending = []
        async with self.reader.connect() as conn:
            for channel in sorted(channels):
                if await ari_pending.has_work(conn, channel):
                    pending.append(channel)
        if pending and self.turns is not None:
            self.turns.nudge(pending)

    async def _keeper(self, channel: str) -> ari_state.Lease:
        for_s = self.lease_s
        if for_s is None:
            record = await self.directory.get(channel)
            for_s = ari_state.lease_seconds(record.policy if record is not None else DeliveryPolicy())
        return ari_state.Lease(self.engine, channel, self.owner, for_s)

    def _busy(self, channel: str) -> None:
        if self.turns is not None:
            self.turns.busy(channel)

    async def _rest(self, channel: str) -> None:
        if self.turns is not None:
            await self.turns.rest(channel)

    async def _run(self, channel: str) -> None:
        failures = 0
        idle = self.tick_s
        while True:
            try:
                async with self.reader.connect() as conn:
                    work = await ari_pending.has_work(conn, channel)
                if not work:  # an idle channel costs one read a wait, no write; a nudge wakes it
                    await self._rest(channel)
                    await self._wait(channel, idle)
                    idle = min(self.tick_s * 5, idle * 2)
                    continue
                idle = self.tick_s
                # renewed with each answer from here on (send_round), and stops the round once lost
                keep = await self._keeper(channel)
                if not await keep():
                    await self._rest(channel)
                    # with a turn, this process alone waits for the lease (one left by a dead one)
                    await self._wait(channel, self.tick_s if self.turns else self.tick_s * 5)
                    continue
                self._busy(channel)
                result = await self.round(channel, keep)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("channel %s: ARI send round failed; its cells stay pending", channel)
                await self._rest(channel)
                await self.sleep(self.tick_s)
                continue
            if result.outcome == "ok":
                failures = 0
                continue
            await self._rest(channel)
            if result.outcome == "idle":
                await self._wait(channel, self.tick_s)
            else:
                # a failure's wait is not cut short by new changes: the channel asked for it
                await self.sleep(await self._delay(channel, result, failures))
                failures += 1
