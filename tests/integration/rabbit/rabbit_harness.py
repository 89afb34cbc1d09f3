"""Builders for the RabbitMQ transport tests: booking envelopes, test handlers, small routing tables."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import Money, utcnow
from canonical.booking import (
    BOOKING_RECEIVED_V1,
    BookingAction,
    BookingReceived,
    GuestCount,
    RoomStay,
)
from canonical.envelope import Envelope
from canonical.errors import PermanentError, TransientError
from hub.settings import HubSettings
from routes.outbox import add_to_outbox, outbox_values
from routes.policy import DeliveryPolicy, RetryPolicy
from routes.table import DeliveryContext, Route, RoutingTable
from routes.tables import dead_letters, outbox

harness_metadata = MetaData()

# No unique key on purpose: a second effect of one message would show up as a second row.
effects = Table(
    "test_effects",
    harness_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(36), nullable=False),
    Column("consumer", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

FAST_RETRY = DeliveryPolicy(
    retry=RetryPolicy(in_process_attempts=2, in_process_wait_s=0.01, delays_s=(0.2, 0.3))
)


async def rabbitmqctl(*args: str) -> None:
    """Run a rabbitmqctl command (vhosts, forced disconnects); RuntimeError when it fails."""
    proc = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "--quiet", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {(err or out).decode()[:500]}")


@dataclass(frozen=True)
class Services:
    """The test's own vhost and database."""

    vhost: str
    broker_url: str
    database_url: str
    engine: AsyncEngine

    async def close_connections(self) -> None:
        """Make the broker drop every client connection of this vhost (a network blip)."""
        await rabbitmqctl("close_all_connections", "--vhost", self.vhost, "connection loss test")


def booking_envelope(reservation: str | None = None) -> Envelope[BookingReceived]:
    """A valid booking.received.v1 envelope for one room stay."""
    reservation = reservation or f"R-{uuid4().hex[:8]}"
    payload = BookingReceived(
        partner_id="otaone",
        partner_reservation_id=reservation,
        partner_revision="1",
        confirmation=f"HH-{reservation}",
        action=BookingAction.COMMIT,
        property_code="ALPINE",
        room_stays=(
            RoomStay(
                room_type_code="DBL",
                rate_plan_code="BAR",
                arrival=date(2031, 7, 1),
                departure=date(2031, 7, 3),
                guests=GuestCount(adults=2),
                total=Money(amount=Decimal("240.00"), currency="EUR"),
            ),
        ),
    )
    return Envelope[BookingReceived](
        message_type=BOOKING_RECEIVED_V1,
        correlation_id=f"corr-{reservation}",
        property_code="ALPINE",
        payload=payload,
    )


async def record_effect(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
    """The effect every test handler has once it succeeds: one row per handled message."""
    await ctx.conn.execute(
        insert(effects).values(message_id=str(envelope.message_id), consumer="pms", at=utcnow())
    )


@dataclass
class FlakyHandler:
    """Raises TransientError for the first `failures` calls of each message, then records the effect."""

    failures: int
    calls: dict[str, int] = field(default_factory=dict)

    async def __call__(self, envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        seen = self.calls[str(envelope.message_id)] = self.calls.get(str(envelope.message_id), 0) + 1
        if seen <= self.failures:
            raise TransientError(f"partner busy (call {seen})")
        await record_effect(envelope, ctx)


@dataclass
class SwitchHandler:
    """Rejects every message permanently until switched on, then records the effect."""

    accepting: bool = False
    calls: int = 0

    async def __call__(self, envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        self.calls += 1
        if not self.accepting:
            raise PermanentError("room type DBL is not mapped for partner otaone")
        await record_effect(envelope, ctx)


class RejectOne:
    """Records every booking except one reservation, which it rejects; counts calls per reservation."""

    def __init__(self, rejected: str) -> None:
        self.rejected = rejected
        self.calls: dict[str, int] = {}

    async def __call__(self, envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        reservation = envelope.payload.partner_reservation_id
        self.calls[reservation] = self.calls.get(reservation, 0) + 1
        if reservation == self.rejected:
            raise PermanentError("rate plan BAR is closed for this partner")
        await record_effect(envelope, ctx)


@dataclass
class SlowHandler:
    """Takes its time, so a stop can arrive while messages are in flight."""

    seconds: float
    started: asyncio.Event = field(default_factory=asyncio.Event)
    started_ids: list[str] = field(default_factory=list)

    async def __call__(self, envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        self.started_ids.append(str(envelope.message_id))
        self.started.set()
        await asyncio.sleep(self.seconds)
        await record_effect(envelope, ctx)


Handler = Callable[[Envelope[Any], DeliveryContext], Awaitable[object]]


def table_with(handler: Handler, *, policy: DeliveryPolicy = FAST_RETRY) -> RoutingTable:
    """A routing table with one consumer (`pms`) of booking.received.v1."""
    return RoutingTable([Route(BOOKING_RECEIVED_V1, "pms", handler, policy, "test consumer")])


def settings_for(broker_url: str, database_url: str, **overrides: Any) -> HubSettings:
    """Hub settings pointing at the test's own vhost and database, tuned for quick tests."""
    values: dict[str, Any] = {
        "broker_url": broker_url,
        "database_url": database_url,
        "relay_idle_ms": 10.0,
        "rabbit_prefetch": 32,
        "rabbit_delivery_limit": 5,
    }
    values.update(overrides)
    return HubSettings(**values)


async def put_in_outbox(engine: AsyncEngine, *envelopes: Envelope[Any], consumer: str | None = None) -> None:
    """Commit outbox rows as a state change would."""
    async with engine.begin() as conn:
        await add_to_outbox(conn, [outbox_values(e, consumer=consumer) for e in envelopes])


async def effect_count(engine: AsyncEngine, message_id: str | None = None) -> int:
    """How many effects were committed (for one message, or in all)."""
    stmt = select(func.count()).select_from(effects)
    if message_id:
        stmt = stmt.where(effects.c.message_id == message_id)
    async with engine.connect() as conn:
        return int((await conn.execute(stmt)).scalar_one())


async def outbox_rows(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Every outbox row, oldest first."""
    async with engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(select(outbox).order_by(outbox.c.id))]


async def dead_letter_rows(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Every dead letter, oldest first."""
    async with engine.connect() as conn:
        stmt = select(dead_letters).order_by(dead_letters.c.id)
        return [dict(r._mapping) for r in await conn.execute(stmt)]


async def queue_counts(broker_url: str, queue: str) -> tuple[int, int]:
    """(messages ready, consumers) of a queue, as the broker reports them on a passive declare."""
    connection = await aio_pika.connect(broker_url)
    async with connection:
        declared = await (await connection.channel()).declare_queue(queue, passive=True)
        result = declared.declaration_result
        return int(result.message_count or 0), int(result.consumer_count or 0)


async def next_message(queue: AbstractQueue, *, within_s: float = 5.0) -> AbstractIncomingMessage:
    """The next message a consumer gets from `queue` (basic.get is refused by single-active-consumer
    quorum queues, so tests consume like the hub does)."""
    received: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
    tag = await queue.consume(received.put)
    try:
        return await asyncio.wait_for(received.get(), timeout=within_s)
    finally:
        await queue.cancel(tag)


async def eventually(check: Callable[[], Awaitable[bool]], *, within_s: float = 10.0) -> None:
    """Wait until `check` holds; fail with a timeout otherwise."""
    deadline = time.monotonic() + within_s
    while True:
        if await check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within_s} s")
        await asyncio.sleep(0.05)
