"""Wire the hub together from settings: engine, partners, vault, journal, routing table, transport."""

from __future__ import annotations

import base64
import gc
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from connectors.payments.vault import LocalCardVault, decode_key, generate_key
from hub.db import create_engine, is_sqlite
from hub.housekeeping import Housekeeping
from hub.night_audit_schedule import NightAuditSchedule
from hub.settings import HubSettings, environment
from routes.ari_inbound import AriDoor
from routes.ari_out import AriDistributor, make_ari_route
from routes.booking_pull import BookingPull
from routes.codes import CodeBook
from routes.embedded import EmbeddedDispatcher, EmbeddedTransport
from routes.ingress import OtaIngress
from routes.journal import IngressJournal
from routes.login_guard import LoginGuard
from routes.outbound.registry import OutboundClients
from routes.partners import PartnerDirectory
from routes.payment_gateways import GatewayBook
from routes.payment_vault import GatewayCardVault
from routes.payments import PaymentFlow
from routes.table import RoutingTable
from routes.transport import Transport
from routes.wiring import build_routing_table

if TYPE_CHECKING:
    from routes.rabbit.channel_queues import ChannelQueues

log = logging.getLogger("hotelhub")


class VaultKeyError(ValueError):
    """The card vault key cannot be had; the message names the setting and what is wrong."""


def load_vault_key(settings: HubSettings) -> bytes:
    """The card vault key from settings, else from the key file (created 0600 on first use)."""
    if settings.card_vault_key is not None:
        try:
            return decode_key(settings.card_vault_key.get_secret_value())
        except ValueError as err:
            raise VaultKeyError(f"HUB_CARD_VAULT_KEY {err}") from None
    path: Path = settings.card_vault_key_file
    try:
        if not path.exists():
            _create_key_file(path)
        text = path.read_text()
    except OSError as err:
        raise VaultKeyError(f"HUB_CARD_VAULT_KEY_FILE={path}: {err.strerror or err}") from None
    try:
        return decode_key(text)
    except ValueError as err:
        raise VaultKeyError(f"HUB_CARD_VAULT_KEY_FILE={path}: the file {err}") from None


def _create_key_file(path: Path) -> None:
    # Written under a temporary name, then linked into place: processes starting together (an API
    # and a worker on one volume) end up with the one complete key, never a half-written file.
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(generate_key()).decode())
        os.link(draft, path)
        log.warning("created card vault key file %s; back it up with the database", path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        draft.unlink(missing_ok=True)


@dataclass
class Hub:
    """Every long-lived part of a hub process."""

    settings: HubSettings
    engine: AsyncEngine
    # Reads that must never wait for (or block) a writer: a deferred-transaction engine on SQLite.
    reader: AsyncEngine
    directory: PartnerDirectory
    codes: CodeBook
    journal: IngressJournal
    ingress: OtaIngress
    table: RoutingTable
    dispatcher: EmbeddedDispatcher | None = None
    # The transport running the routing table once started (embedded or RabbitMQ); `rabbit` is it
    # on RabbitMQ, for callers that need the broker's parts.
    transport: Transport | None = None
    rabbit: object | None = None
    # Every partner's outbound HTTP client (routes/outbound), built on the hub's HTTP transport.
    outbound: OutboundClients = field(default_factory=OutboundClients)
    housekeeping: Housekeeping | None = None
    # Polls the pull-model channels (routes/booking_pull.py); runs where the hub consumes.
    booking_pull: BookingPull | None = None
    # Sends ARI to every channel (routes/ari_out.py); runs where the hub consumes.
    ari: AriDistributor | None = None
    # On RabbitMQ: the per-channel queues whose single active consumer sends to the channel.
    channel_queues: ChannelQueues | None = None
    # Closes each property's business date at its local audit time (hub/night_audit_schedule.py).
    night_audit: NightAuditSchedule | None = None
    # Holds, raises, captures, voids and refunds at the property's payment gateway (routes/payments.py).
    payments: PaymentFlow | None = None
    started: list[str] = field(default_factory=list)

    async def start(self, *, consume: bool = True, relay: bool = True, upkeep: bool = False) -> None:
        """Start the journal, the upkeep of an API process if asked, and the dispatcher (embedded)
        or broker parts (RabbitMQ) asked for."""
        await self.journal.start()
        self.started.append("journal")
        if upkeep:
            self.housekeeping = Housekeeping.for_settings(self.engine, self.settings)
            self.housekeeping.start()
            self.started.append("housekeeping")
        if consume and self.booking_pull is not None:
            self.booking_pull.start()
            self.started.append("booking-pull")
        if consume and self.night_audit is not None:
            self.night_audit.start()
            self.started.append("night-audit")
        if consume and self.ari is not None and self.settings.embedded:
            self.ari.start()
            self.started.append("ari-distributor")
        if self.settings.embedded:
            if consume and self.dispatcher is not None:
                self.transport = EmbeddedTransport(self.dispatcher)
                await self.transport.start(consume=consume, relay=relay)
                self.started.append("dispatcher")
            return
        from routes.rabbit.transport import RabbitTransport

        rabbit = RabbitTransport(self.settings, self.engine, self.table)
        await rabbit.start(consume=consume, relay=relay)
        self.transport = self.rabbit = rabbit
        self.started.append("rabbit")
        if self.ari is not None:
            # one queue per channel: its single active consumer sends to it (routes/rabbit/channel_queues.py)
            from routes.rabbit.channel_queues import ChannelQueues

            turns = ChannelQueues(
                rabbit.broker, prefix=rabbit.topology.prefix, on_turn=self.ari.turn, on_lost=self.ari.lost
            )
            await turns.start(await rabbit.broker.connect())
            self.ari.use(turns)
            self.channel_queues = turns
            if consume:
                self.ari.start()
                self.started.append("ari-distributor")

    async def stop(self) -> None:
        """Finish in-flight work and stop every part, then close the database."""
        if self.housekeeping is not None:
            await self.housekeeping.stop()
        if self.booking_pull is not None:
            await self.booking_pull.stop()
        if self.night_audit is not None:
            await self.night_audit.stop()
        if self.ari is not None:
            await self.ari.stop()
        if self.transport is not None:
            await self.transport.stop()
        await self.journal.stop()
        await self.outbound.aclose()
        await self.directory.close()
        await self.engine.dispose()
        if self.reader is not self.engine:
            await self.reader.dispose()

    def notify(self) -> None:
        """New outbox rows were committed: wake what delivers them (the dispatcher, or the RabbitMQ
        relay) rather than leave them to its next poll."""
        if self.transport is not None:
            self.transport.notify()
        elif self.dispatcher is not None:
            self.dispatcher.notify()

    async def ready(self) -> dict[str, bool]:
        """Readiness of each dependency: database, broker and consumers."""
        checks: dict[str, bool] = {}
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = True
        except Exception:
            checks["database"] = False
        if not self.settings.embedded:
            checks["broker"] = bool(self.transport is not None and self.transport.ready)
            if self.channel_queues is not None:
                checks["ari_channel_queues"] = self.channel_queues.ready
        return checks


def settle_heap() -> None:
    """Collect once, then freeze: what start-up built (app, schemas, SQL, partner directory) is never
    traversed by the collector again.

    A full collection walks every tracked object; in a started `serve` process that took 65-110 ms
    every couple of seconds under load, which was the whole tail of the answer latency. Called once
    by the long-running processes after start-up, never by tests that start many hubs in one process.
    """
    gc.collect()
    gc.freeze()


def build_hub(
    settings: HubSettings,
    *,
    clock: Callable[[], datetime] = utcnow,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> Hub:
    """Build (not start) a hub from settings.

    `clock` is the time the OTA door judges pushes by (a stay already over is refused): a test
    sets it to the day a recorded message was sent instead of patching the time.
    `http_transport` carries every call to a partner (tests hand in `httpx.MockTransport`).
    """
    engine = create_engine(settings.database_url)
    sqlite = is_sqlite(settings.database_url)
    reader = create_engine(settings.database_url, read_only=True) if sqlite else engine
    directory = PartnerDirectory(reader, ttl_s=settings.mapping_cache_seconds)
    codes = CodeBook(reader)
    outbound = OutboundClients(transport=http_transport)
    ari = AriDistributor(
        engine=engine, reader=reader, directory=directory, clients=outbound, secrets=environment()
    )
    # The flow reads gateways on the reader: on SQLite a delivery holds the write lock while it calls.
    payments = PaymentFlow(
        engine=engine,
        gateways=GatewayBook(engine=reader, directory=directory, clients=outbound, secrets=environment()),
    )
    table = build_routing_table(
        directory=directory,
        codes=codes,
        max_body_bytes=settings.max_body_bytes,
        retry_delays_s=tuple(settings.retry_delays_s) if settings.retry_delays_s else None,
        ari_routes=[make_ari_route(ari.nudge)],
        payments=payments,
    )
    dispatcher = (
        EmbeddedDispatcher(
            engine, table, batch=settings.dispatcher_batch, idle_s=settings.dispatcher_idle_ms / 1000
        )
        if settings.embedded
        else None
    )
    # The parts built before the hub wake its transport once it exists (either transport's).
    built: list[Hub] = []

    def committed() -> None:
        if built:
            built[0].notify()

    journal = IngressJournal(
        engine,
        batch_max=settings.ingress_batch_max,
        wait_ms=settings.ingress_batch_wait_ms,
        on_commit=committed,
    )
    ingress = OtaIngress(
        directory=directory,
        codes=codes,
        # A configured payment gateway tokenises the cards of pushed bookings; the local vault when none is.
        vault=GatewayCardVault(
            GatewayBook(engine=reader, directory=directory, clients=outbound, secrets=environment()),
            LocalCardVault(load_vault_key(settings)),
        ),
        journal=journal,
        max_body_bytes=settings.max_body_bytes,
        clock=clock,
        login_guard=LoginGuard(
            failures=settings.auth_failures_max, window_s=settings.auth_failure_window_seconds
        ),
        ari=AriDoor(engine, reader, table, on_commit=committed, clock=clock),
    )
    pull = BookingPull(
        engine=engine,
        directory=directory,
        codes=codes,
        ingress=ingress,
        clients=outbound,
        secrets=environment(),
        clock=clock,
        tick_s=settings.pull_tick_seconds,
        kill_before_ack=settings.fault_kill_before_pull_ack,
    )
    hub = Hub(
        settings,
        engine,
        reader,
        directory,
        codes,
        journal,
        ingress,
        table,
        dispatcher,
        outbound=outbound,
        booking_pull=pull,
        ari=ari,
        night_audit=NightAuditSchedule(engine, table, clock=clock, on_commit=committed),
        payments=payments,
    )
    built.append(hub)
    return hub
