"""Consume side of the RabbitMQ transport: group commit, then ack; failures to retry tiers or dead letters.

Deliveries from every consumer queue are gathered into batches; each batch runs in ONE database
transaction (routes.group: optimistic, then one savepoint per delivery when one fails) and
is committed once. Only then
is each message acknowledged, so a crash between commit and ack means a redelivery, which the
inbox turns into a duplicate with no second effect.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from aio_pika.abc import AbstractIncomingMessage
from faststream.rabbit import RabbitBroker
from sqlalchemy.ext.asyncio import AsyncEngine
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from canonical.base import utcnow
from routes.delivery import Delivery, Outcome, Verdict, deliver_one, error_name
from routes.group import deliver_group
from routes.kept import KeptConnection
from routes.pauses import pause_partner
from routes.rabbit.headers import attempts_of, dead_letter_headers, first_failed_of, retry_headers
from routes.rabbit.publishing import Confirm, publish_confirmed
from routes.rabbit.topology import Topology
from routes.retry import Step, next_step, retry_in_process
from routes.table import Route

log = logging.getLogger("hotelhub.rabbit.consumer")

SETTLED = (Verdict.DONE, Verdict.DUPLICATE)
# An ack or nack is one frame; one that has no answer in this time went to a channel that is gone
# (the broker redelivers what that channel held, and the inbox makes it a duplicate). Waiting on it
# longer would hold the batch slot, and with it every later delivery of this worker.
SETTLE_TIMEOUT_S = 5.0


@dataclass
class _Held:
    """A message taken from a queue and not yet acknowledged."""

    delivery: Delivery
    message: AbstractIncomingMessage


class GroupCommit:
    """Runs deliveries in shared transactions and settles each message after the commit."""

    def __init__(
        self,
        engine: AsyncEngine,
        broker: RabbitBroker,
        topology: Topology,
        *,
        batch_max: int = 64,
        batch_wait_s: float = 0.002,
        batches_in_flight: int = 1,
        kill_after_commit: str | None = None,
        kill_before_commit: str | None = None,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        # What the handlers emitted is in the outbox now: wake the relay instead of leaving it to a poll.
        self.on_commit = on_commit
        self._database = KeptConnection(engine)
        self.broker = broker
        self.topology = topology
        self.batch_max = batch_max
        self.batch_wait_s = batch_wait_s
        self.kill_after_commit = kill_after_commit
        self.kill_before_commit = kill_before_commit
        self._slots = asyncio.Semaphore(batches_in_flight)
        self._queue: asyncio.Queue[_Held | None] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._closed = False

    def start(self) -> None:
        """Start gathering batches."""
        if self._loop_task is None:
            self._closed = False
            self._loop_task = asyncio.create_task(self._run(), name="hotelhub-group-commit")

    def take(self, route: Route, message: AbstractIncomingMessage) -> None:
        """Hand over one delivery (never waits); it is acknowledged after its batch commits."""
        headers = dict(message.headers or {})
        body = message.body.decode("utf-8", errors="replace")
        held = _Held(Delivery(route, body, attempts_of(headers), headers), message)
        if self._closed:
            # Arrived after stop() drained the batches: leave it to another worker.
            self._spawn(self._nack(held))
            return
        self._queue.put_nowait(held)

    async def stop(self) -> None:
        """Finish every message handed over so far, then return."""
        self._closed = True
        if self._loop_task is not None:
            self._queue.put_nowait(None)
            await self._loop_task
            self._loop_task = None
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._database.release()

    async def _run(self) -> None:
        while True:
            first = await self._queue.get()
            if first is None:
                return
            # Waiting for a free slot lets the next batch fill up while the previous commits.
            await self._slots.acquire()
            batch = [first]
            stop = self._take_ready(batch)
            if not stop and len(batch) < self.batch_max and self.batch_wait_s > 0:
                await asyncio.sleep(self.batch_wait_s)
                stop = self._take_ready(batch)
            self._spawn(self._flush(batch), release_slot=True)
            if stop:
                return

    def _take_ready(self, batch: list[_Held]) -> bool:
        """Move queued messages into the batch; True when the stop marker was reached."""
        while len(batch) < self.batch_max and not self._queue.empty():
            item = self._queue.get_nowait()
            if item is None:
                return True
            batch.append(item)
        return False

    def _spawn(self, coro: Coroutine[Any, Any, None], *, release_slot: bool = False) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)

        def _done(t: asyncio.Task[None]) -> None:
            self._tasks.discard(t)
            if release_slot:
                self._slots.release()
            if not t.cancelled() and t.exception() is not None:
                log.error("settling a batch failed", exc_info=t.exception())

        task.add_done_callback(_done)

    async def _commit(self, deliveries: list[Delivery]) -> list[Outcome]:
        # A failed commit leaves nothing behind; the whole batch is simply run again.
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(5),
            wait=wait_exponential(multiplier=0.1, max=2.0),
            retry=retry_if_exception_type(Exception),
            reraise=True,
        ):
            with attempt:
                outcomes = await deliver_group(self._database, deliveries)
        return outcomes

    async def _flush(self, batch: list[_Held]) -> None:
        if self.kill_before_commit and any(
            h.delivery.route.message_type == self.kill_before_commit for h in batch
        ):
            _die("fault injection: killing the worker after taking a delivery, before commit")
        try:
            outcomes = await self._commit([h.delivery for h in batch])
        except Exception:
            log.exception("batch of %d could not be committed; messages go back to the queue", len(batch))
            await asyncio.gather(*(self._nack(h) for h in batch))
            return
        if self.on_commit is not None:
            self.on_commit()
        self._kill_if_asked(zip((h.delivery for h in batch), outcomes, strict=True))
        settled = []
        for held, outcome in zip(batch, outcomes, strict=True):
            if outcome.verdict in SETTLED:
                settled.append(held)
            else:
                self._spawn(self._settle_failure(held, outcome))
        # Queued in one loop turn, the acks leave in one socket write (routes/rabbit/wire.py).
        try:
            async with asyncio.timeout(SETTLE_TIMEOUT_S):
                await asyncio.gather(*(self._ack(held) for held in settled))
        except TimeoutError:
            log.warning("%d acks had no answer in time; those messages will be redelivered", len(settled))

    def _kill_if_asked(self, results: Iterable[tuple[Delivery, Outcome]]) -> None:
        if self.kill_after_commit and any(
            o.verdict is Verdict.DONE and d.route.message_type == self.kill_after_commit for d, o in results
        ):
            _die("fault injection: killing the worker after commit, before ack")

    async def _ack(self, held: _Held) -> None:
        try:
            await held.message.ack()
        except Exception as err:  # channel gone: the broker redelivers, the inbox makes it a duplicate
            log.warning("ack failed; the message will be redelivered", extra={"error": repr(err)})

    async def _ack_in_time(self, held: _Held) -> None:
        try:
            async with asyncio.timeout(SETTLE_TIMEOUT_S):
                await self._ack(held)
        except TimeoutError:
            log.warning("ack had no answer in time; the message will be redelivered")

    async def _nack(self, held: _Held) -> None:
        try:
            async with asyncio.timeout(SETTLE_TIMEOUT_S):
                await held.message.nack(requeue=True)
        except Exception as err:
            log.warning("nack failed; the message will be redelivered", extra={"error": repr(err)})

    async def _deliver_alone(self, delivery: Delivery) -> Outcome:
        try:
            # Takes a batch slot: a retry never runs beside a batch of this process, so the two
            # cannot deadlock on the same rows.
            async with self._slots, self._database.begin() as conn:
                outcome = await deliver_one(conn, delivery)
        except Exception as err:  # the commit itself failed: nothing happened, try again later
            outcome = Outcome(Verdict.RETRY, error_name(err), str(err) or error_name(err))
        self._kill_if_asked([(delivery, outcome)])
        return outcome

    async def _pause(self, partner_id: str, reason: str) -> None:
        try:
            async with self._slots, self._database.begin() as conn:
                await pause_partner(conn, partner_id, reason)
        except Exception:  # the message still waits; the next failure pauses the partner
            log.exception("pausing partner %s failed", partner_id)

    async def _settle_failure(self, held: _Held, outcome: Outcome) -> None:
        """Short retries here; then a delayed retry through a TTL queue, or the dead-letter exchange."""
        delivery = held.delivery
        route = delivery.route
        if outcome.verdict is Verdict.RETRY:
            outcome = await retry_in_process(self._deliver_alone, delivery, outcome)
            if outcome.verdict in SETTLED:
                await self._ack_in_time(held)
                return
        if outcome.verdict is Verdict.PAUSE and outcome.pause_partner:
            await self._pause(outcome.pause_partner, outcome.error_text)
        step = next_step(route, outcome, delivery.attempts)
        attempts = step.attempts
        first_failed = first_failed_of(delivery.headers) or utcnow()
        message = held.message
        message_id = message.message_id or outcome.message_id or str(uuid4())
        if step.step is not Step.DEAD:
            target = self.topology.consumers[route.consumer].retry_queue(
                tier_for(route.policy.retry.delays_s, step.delay_s)
            )
            headers = retry_headers(
                delivery.headers,
                attempts=attempts,
                first_failed_at=first_failed,
                error=f"{outcome.error_class}: {outcome.error_text}",
            )
            confirm = await publish_confirmed(
                self.broker, message.body, exchange=None, routing_key=target.name, message_id=message_id,
                correlation_id=message.correlation_id, message_type=message.type, headers=headers,
            )  # fmt: skip
        else:
            headers = dead_letter_headers(
                delivery.headers,
                consumer=route.consumer,
                attempts=attempts,
                first_failed_at=first_failed,
                error_class=outcome.error_class,
                error_text=outcome.error_text,
            )
            confirm = await publish_confirmed(
                self.broker, message.body, exchange=self.topology.dead_letter, routing_key=route.consumer,
                message_id=message_id, correlation_id=message.correlation_id, message_type=message.type,
                headers=headers,
            )  # fmt: skip
        if confirm is Confirm.SENT:
            await self._ack_in_time(held)
        else:
            # Not safely parked elsewhere: give it back; the quorum delivery limit bounds the loop.
            log.warning("retry/dead-letter copy not confirmed (%s); requeueing", confirm.value)
            await self._nack(held)


def tier_for(tiers: tuple[float, ...], wanted_s: float) -> float:
    """The retry queue's delay for a wanted one: the shortest tier at least as long, else the longest."""
    longer = [tier for tier in tiers if tier >= wanted_s]
    return min(longer) if longer else max(tiers)


def _die(why: str) -> None:
    """SIGKILL this process: no clean-up, no ack, no nack, as a crash leaves it."""
    log.critical(why)
    os.kill(os.getpid(), signal.SIGKILL)
