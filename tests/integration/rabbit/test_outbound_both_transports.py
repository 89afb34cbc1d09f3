"""The same route policy on both transports: in-process retries, and a configuration failure that
pauses the partner once, keeps its messages waiting without calling it, and resumes on a change."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from rabbit_harness import (
    FlakyHandler,
    booking_envelope,
    dead_letter_rows,
    effect_count,
    eventually,
    harness_metadata,
    outbox_rows,
    put_in_outbox,
    record_effect,
    settings_for,
    table_with,
)
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from canonical.envelope import Envelope
from hub.db import create_engine
from pms_core.adapters.tables import metadata as pms_metadata
from routes import metrics
from routes.embedded import EmbeddedDispatcher
from routes.outbound.registry import OutboundClients
from routes.partners import PartnerDirectory, PartnerSpec, upsert_partner
from routes.policy import BreakerPolicy, DeliveryPolicy, RetryPolicy
from routes.rabbit.transport import RabbitTransport
from routes.table import DeliveryContext, RoutingTable
from routes.tables import metadata as routes_metadata
from routes.tables import outbox, partners

# No delayed redelivery within a test's patience: only in-process retries can get a message through.
IN_PROCESS_ONLY = DeliveryPolicy(
    retry=RetryPolicy(in_process_attempts=3, in_process_wait_s=0.01, delays_s=(60.0,))
)
# Short tiers, so on RabbitMQ a waiting message comes back often: each time it must not call.
QUICK_TIERS = DeliveryPolicy(
    retry=RetryPolicy(in_process_attempts=2, in_process_wait_s=0.01, delays_s=(0.2, 0.3))
)
CHANNEL = PartnerSpec(
    id="chan",
    kind="ota",
    name="Channel",
    grants=frozenset({"ALPINE"}),
    outbound_url="https://chan.example/ari",
)


@dataclass
class Run:
    """One transport over the test's database: start it on a table, and get due work done."""

    engine: AsyncEngine
    reader: AsyncEngine
    running: Callable[[RoutingTable], AbstractAsyncContextManager[Callable[[], Awaitable[None]]]]
    kind: str


@pytest.fixture(params=["embedded", pytest.param("rabbit", marks=pytest.mark.services)])
def transport_kind(request: pytest.FixtureRequest) -> str:
    """Which transport runs the test body."""
    return str(request.param)


@pytest.fixture
def urls(transport_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str | None, str]:
    """(broker URL or None, database URL): a SQLite file, or a vhost and a PostgreSQL database."""
    if transport_kind == "embedded":
        return None, f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    broker_url, database_url = request.getfixturevalue("service_urls")
    return broker_url, database_url


@pytest.fixture
async def run(transport_kind: str, urls: tuple[str | None, str]) -> AsyncIterator[Run]:
    """The embedded dispatcher on SQLite, or the RabbitMQ transport on its vhost and PostgreSQL."""
    broker_url, database_url = urls
    engine = create_engine(database_url)
    reader = create_engine(database_url, read_only=True) if broker_url is None else engine
    async with engine.begin() as conn:
        for md in (routes_metadata, pms_metadata, harness_metadata):
            await conn.run_sync(md.create_all)

    @asynccontextmanager
    async def embedded(table: RoutingTable) -> AsyncIterator[Callable[[], Awaitable[None]]]:
        dispatcher = EmbeddedDispatcher(engine, table)

        async def work() -> None:
            await dispatcher.drain()

        yield work

    @asynccontextmanager
    async def rabbit(table: RoutingTable) -> AsyncIterator[Callable[[], Awaitable[None]]]:
        assert broker_url is not None
        transport = RabbitTransport(settings_for(broker_url, database_url), engine, table)
        async with transport:

            async def work() -> None:
                transport.notify()

            yield work

    try:
        yield Run(engine, reader, embedded if broker_url is None else rabbit, transport_kind)
    finally:
        if reader is not engine:
            await reader.dispose()
        await engine.dispose()


async def test_given_handler_failing_twice_when_delivered_then_three_calls_in_process_and_no_dead_letter(
    run: Run,
) -> None:
    handler = FlakyHandler(failures=2)
    envelope = booking_envelope()
    async with run.running(table_with(handler, policy=IN_PROCESS_ONLY)) as work:
        await put_in_outbox(run.engine, envelope)

        async def handled() -> bool:
            await work()
            return await effect_count(run.engine, str(envelope.message_id)) == 1

        await eventually(handled)
    assert handler.calls[str(envelope.message_id)] == 3
    assert not await dead_letter_rows(run.engine)
    if run.kind == "embedded":
        assert [(r["status"], r["attempts"]) for r in await outbox_rows(run.engine)] == [("done", 0)]


class _Partner:
    """The channel at its HTTP boundary: refuses our credentials until told otherwise; counts calls."""

    def __init__(self) -> None:
        self.accepting = False
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.accepting:
            return httpx.Response(200, text="<OTA_HotelAvailNotifRS><Success/></OTA_HotelAvailNotifRS>")
        return httpx.Response(401, text="<Errors><Error Type='4' Code='497'>bad credentials</Error></Errors>")


@dataclass
class _SendToChannel:
    """A route handler that sends each message to the channel through the outbound seam."""

    directory: PartnerDirectory
    clients: OutboundClients
    calls: int = 0
    sent: list[str] = field(default_factory=list)

    async def __call__(self, envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        self.calls += 1
        record = await self.directory.get(CHANNEL.id)
        assert record is not None
        await self.clients.for_partner(record).send("POST", content=b"<OTA_HotelAvailNotifRQ/>")
        await record_effect(envelope, ctx)


async def _paused_at(engine: AsyncEngine) -> object:
    from sqlalchemy import select

    async with engine.connect() as conn:
        return await conn.scalar(select(partners.c.paused_at).where(partners.c.id == CHANNEL.id))


async def _make_due(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(outbox).where(outbox.c.status == "pending").values(available_at=utcnow()))


async def test_given_credentials_refused_when_three_messages_delivered_then_paused_once_waiting_and_resumed_by_a_change(
    run: Run, partner_alerts: list[str]
) -> None:
    async with run.engine.begin() as conn:
        await upsert_partner(conn, CHANNEL)
    partner = _Partner()
    directory = PartnerDirectory(run.reader, ttl_s=0)
    clients = OutboundClients(transport=httpx.MockTransport(partner))
    handler = _SendToChannel(directory, clients)
    envelopes = [booking_envelope() for _ in range(3)]
    try:
        async with run.running(table_with(handler, policy=QUICK_TIERS)) as work:
            await put_in_outbox(run.engine, *envelopes)

            async def every_message_tried() -> bool:
                await work()
                return handler.calls >= 3 and await _paused_at(run.engine) is not None

            await eventually(every_message_tried)
            # Tried again (RabbitMQ: back from the retry queue; embedded: due again): still no call.
            await _make_due(run.engine)
            before = handler.calls

            async def tried_again() -> bool:
                await work()
                return handler.calls >= before + 3

            await eventually(tried_again)
            assert partner.requests == 1
            assert len(partner_alerts) == 1 and "partner chan paused" in partner_alerts[0]
            assert metrics.PARTNER_PAUSED.labels(CHANNEL.id)._value.get() == 1
            assert not await dead_letter_rows(run.engine)
            assert await effect_count(run.engine) == 0

            # The operator fixes the credentials: the apply changes the partner and resumes it.
            partner.accepting = True
            async with run.engine.begin() as conn:
                outcome = await upsert_partner(
                    conn, PartnerSpec(**{**CHANNEL.__dict__, "name": "Channel (new key)"})
                )
            assert "resumed" in outcome
            await _make_due(run.engine)

            async def delivered() -> bool:
                await work()
                return await effect_count(run.engine) == 3

            await eventually(delivered)
    finally:
        await clients.aclose()
        await directory.close()
    assert partner.requests == 4
    assert len(partner_alerts) == 1
    assert await _paused_at(run.engine) is None
    assert metrics.PARTNER_PAUSED.labels(CHANNEL.id)._value.get() == 0
    assert not await dead_letter_rows(run.engine)


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_given_partner_down_when_breaker_opens_then_message_waits_without_calls_and_is_delivered_after_the_probe(
    run: Run,
) -> None:
    down = DeliveryPolicy(
        retry=RetryPolicy(in_process_attempts=3, in_process_wait_s=0.01, delays_s=(0.2, 0.3)),
        breaker=BreakerPolicy(failure_threshold=2, open_s=600.0),
    )
    async with run.engine.begin() as conn:
        await upsert_partner(conn, PartnerSpec(**{**CHANNEL.__dict__, "policy": down}))
    calls = {"up": False, "requests": 0}

    def partner(request: httpx.Request) -> httpx.Response:
        calls["requests"] += 1
        return httpx.Response(200 if calls["up"] else 503)

    clock = _Clock()
    directory = PartnerDirectory(run.reader, ttl_s=0)
    clients = OutboundClients(transport=httpx.MockTransport(partner), clock=clock)
    handler = _SendToChannel(directory, clients)
    envelope = booking_envelope()
    try:
        async with run.running(table_with(handler, policy=down)) as work:
            await put_in_outbox(run.engine, envelope)

            async def refused_while_open() -> bool:
                await work()
                await _make_due(run.engine)
                return handler.calls >= 6  # two failed calls, then four not made

            await eventually(refused_while_open)
            assert calls["requests"] == 2
            assert not await dead_letter_rows(run.engine)
            if run.kind == "embedded":
                assert [(r["status"], r["attempts"]) for r in await outbox_rows(run.engine)] == [
                    ("pending", 0)
                ]

            calls["up"] = True
            clock.now += 600.0  # open_s passed: the next call is the probe

            async def delivered() -> bool:
                await work()
                await _make_due(run.engine)
                return await effect_count(run.engine, str(envelope.message_id)) == 1

            await eventually(delivered)
    finally:
        await clients.aclose()
        await directory.close()
    assert calls["requests"] == 3
    assert not await dead_letter_rows(run.engine)
