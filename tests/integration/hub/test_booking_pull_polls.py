"""Booking pull against the simulated pull channel, at the partner's HTTP boundary, on SQLite and
PostgreSQL: reservations journaled before they are acknowledged, a lost acknowledgement made up for,
refusals acknowledged and dead-lettered, the overdue alarm on an injected clock, and a 401 pausing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from harness import apply_file
from ota_schemas import OTA_2015A, require_conformance
from prometheus_client import REGISTRY
from pull_builders import (
    HUB_LOGIN,
    HUB_PASSWORD,
    PARTNER,
    PASSWORD_ENV,
    acks_by_reservation,
    held,
    pull_config,
)
from sqlalchemy import select

from canonical.base import utcnow
from connectors.ota.simulator import PullChannel, SchemaFolder
from hub.bootstrap import Hub, build_hub
from hub.settings import HubSettings
from routes import deadletters
from routes.booking_pull import BookingPull
from routes.confirmations import confirmation_for
from routes.tables import inbound_messages, outbox, partners


class Clock:
    """The hub's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


class Transport(httpx.AsyncBaseTransport):
    """The seam's transport into the channel's app, with a hook that sees (and may fail) each request."""

    def __init__(self, channel: PullChannel) -> None:
        self.inner = httpx.ASGITransport(app=channel.app)
        self.before: Callable[[bytes], object] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        if self.before is not None:
            result = self.before(body)
            if hasattr(result, "__await__"):
                await result
        return await self.inner.handle_async_request(request)


@dataclass
class Pulled:
    """A hub built on the channel's transport (scheduler not started: the test polls)."""

    hub: Hub
    pull: BookingPull
    channel: PullChannel
    transport: Transport
    clock: Clock


@pytest.fixture
async def pulled(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Pulled]:
    require_conformance()
    monkeypatch.setenv(PASSWORD_ENV, HUB_PASSWORD)
    channel = PullChannel(username=HUB_LOGIN, password=HUB_PASSWORD, schemas=SchemaFolder(OTA_2015A))
    await apply_file(database_url, pull_config(tmp_path, "http://channel", timeout_s=0.5))
    settings = HubSettings(
        database_url=database_url, card_vault_key_file=tmp_path / "vault.key", mapping_cache_seconds=0
    )
    clock = Clock()
    transport = Transport(channel)
    hub = build_hub(settings, clock=clock, http_transport=transport)
    assert hub.booking_pull is not None
    await hub.journal.start()
    try:
        yield Pulled(hub, hub.booking_pull, channel, transport, clock)
    finally:
        await hub.stop()


async def _booking_rows(hub: Hub) -> dict[str, int]:
    """booking.received.v1 outbox rows per partner reservation id."""
    async with hub.engine.connect() as conn:
        rows = (
            await conn.execute(select(outbox.c.body).where(outbox.c.message_type == "booking.received.v1"))
        ).all()
    found: dict[str, int] = {}
    for (body,) in rows:
        for reservation_id in ("R1", "R2", "R3", "R4", "R5", "BAD1"):
            if f'"partner_reservation_id":"{reservation_id}"' in body:
                found[reservation_id] = found.get(reservation_id, 0) + 1
    return found


async def test_given_a_channel_holding_reservations_when_polled_then_each_is_committed_before_it_is_acknowledged(
    pulled: Pulled,
) -> None:
    for n in (1, 2, 3):
        pulled.channel.add(held(f"R{n}"))
    seen_at_ack: list[dict[str, int]] = []

    async def before(body: bytes) -> None:
        if b"OTA_NotifReportRQ" in body:
            seen_at_ack.append(await _booking_rows(pulled.hub))

    pulled.transport.before = before
    result = await pulled.pull.poll(PARTNER)

    assert (result.outcome, result.accepted, result.refused) == ("ok", 3, 0)
    assert seen_at_ack == [{"R1": 1, "R2": 1, "R3": 1}]  # every outbox row was committed when the ack left
    assert acks_by_reservation(pulled.channel) == {
        f"R{n}": [(confirmation_for(PARTNER, f"R{n}"), None)] for n in (1, 2, 3)
    }
    assert pulled.channel.pending() == []
    async with pulled.hub.engine.connect() as conn:
        bodies = [b for (b,) in await conn.execute(select(inbound_messages.c.body))]
    assert len(bodies) == 3 and not any("4111111111111111" in body for body in bodies)


async def test_given_the_acknowledgement_lost_when_polled_again_then_the_same_revisions_are_acknowledged_once(
    pulled: Pulled,
) -> None:
    for n in (1, 2):
        pulled.channel.add(held(f"R{n}"))

    def lose_acks(body: bytes) -> None:
        if b"OTA_NotifReportRQ" in body:
            raise httpx.ConnectError("connection reset by the test")

    pulled.transport.before = lose_acks
    first = await pulled.pull.poll(PARTNER)
    assert first.outcome == "failed" and "ConnectError" in (first.error or "")
    assert pulled.channel.acks == [] and pulled.channel.pending() == ["R1", "R2"]
    assert await _booking_rows(pulled.hub) == {"R1": 1, "R2": 1}

    pulled.transport.before = None
    pulled.clock.now += timedelta(minutes=1)
    second = await pulled.pull.poll(PARTNER)

    assert second.outcome == "ok"
    assert acks_by_reservation(pulled.channel) == {
        f"R{n}": [(confirmation_for(PARTNER, f"R{n}"), None)] for n in (1, 2)
    }
    assert pulled.channel.returned == {"R1": 2, "R2": 2}
    # the same revision journaled twice; the core books it once (keyed by partner, reservation, revision)
    assert await _booking_rows(pulled.hub) == {"R1": 2, "R2": 2}


async def test_given_an_unmapped_room_when_pulled_then_acknowledged_with_its_error_and_dead_lettered(
    pulled: Pulled,
) -> None:
    pulled.channel.add(held("R1"))
    pulled.channel.add(held("BAD1", room="DZPANO"))

    result = await pulled.pull.poll(PARTNER)

    assert (result.outcome, result.accepted, result.refused) == ("ok", 1, 1)
    acks = acks_by_reservation(pulled.channel)
    assert acks["R1"] == [(confirmation_for(PARTNER, "R1"), None)]
    assert acks["BAD1"] == [(None, "402")]
    assert pulled.channel.pending() == []
    assert await _booking_rows(pulled.hub) == {"R1": 1}
    async with pulled.hub.engine.connect() as conn:
        letters = await deadletters.list_letters(conn, status="open")
    assert [(letter["consumer"], letter["partner_reservation_id"]) for letter in letters] == [
        ("ota.translate", "BAD1")
    ]


def _overdue_gauge() -> float | None:
    return REGISTRY.get_sample_value("hotelhub_pull_overdue", {"partner": PARTNER})


async def test_given_a_silent_channel_when_its_window_passes_then_one_alarm_cleared_by_the_next_good_poll(
    pulled: Pulled, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hotelhub.pull")

    def silent(body: bytes) -> None:
        raise httpx.ReadTimeout("no answer")  # what the client sees of a channel that never answers

    pulled.transport.before = silent
    assert (await pulled.pull.poll(PARTNER)).outcome == "failed"
    assert await pulled.pull.watch() == []  # within the window: no alarm yet

    pulled.clock.now += timedelta(minutes=16)
    assert await pulled.pull.watch() == [PARTNER]
    assert await pulled.pull.watch() == []  # raised once
    alarms = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(alarms) == 1 and PARTNER in alarms[0].getMessage() and "since" in alarms[0].getMessage()
    assert _overdue_gauge() == 1
    (status,) = await pulled.pull.statuses()
    assert status.overdue and status.last_success_at is None and "ReadTimeout" in (status.last_error or "")

    pulled.transport.before = None
    pulled.clock.now += timedelta(minutes=1)
    assert (await pulled.pull.poll(PARTNER)).outcome == "ok"
    recovered = [r for r in caplog.records if getattr(r, "event", None) == "pull_recovered"]
    assert len(recovered) == 1 and recovered[0].levelno == logging.INFO
    assert _overdue_gauge() == 0
    assert await pulled.pull.watch() == []
    (status,) = await pulled.pull.statuses()
    assert not status.overdue and status.last_success_at == pulled.clock.now


@pytest.mark.parametrize("auth_failure", ["http", "ota"])  # HTTP 401, or OTA Errors 4/497 in a 200
async def test_given_the_channel_refuses_the_hubs_credentials_when_polled_then_paused_once_and_not_called_again(
    pulled: Pulled, caplog: pytest.LogCaptureFixture, auth_failure: str
) -> None:
    caplog.set_level(logging.ERROR, logger="hotelhub.partners")
    pulled.channel.add(held("R1"))
    pulled.channel.behave(answer="unauthorized", auth_failure=auth_failure)

    first = await pulled.pull.poll(PARTNER)
    for _ in range(3):
        pulled.clock.now += timedelta(minutes=1)
        assert (await pulled.pull.poll(PARTNER)).outcome == "paused"

    assert first.outcome == "paused"
    assert len(pulled.channel.calls) == 1  # no storm: one call, then none while paused
    assert len([r for r in caplog.records if "paused" in r.getMessage()]) == 1
    async with pulled.hub.engine.connect() as conn:
        paused_at = (
            await conn.execute(select(partners.c.paused_at).where(partners.c.id == PARTNER))
        ).scalar()
    assert paused_at is not None
    assert pulled.channel.pending() == ["R1"]


async def test_given_a_polled_partner_when_the_operator_asks_then_its_pull_status_and_partners_are_refused(
    pulled: Pulled,
) -> None:
    from hub.app import create_app

    pulled.channel.add(held("R1"))
    assert (await pulled.pull.poll(PARTNER)).outcome == "ok"
    app = create_app(hub=pulled.hub)
    app.state.hub = pulled.hub  # the lifespan that would set it does not run under ASGITransport
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as http:
        status = await http.get(f"/api/v1/partners/{PARTNER}/pull-status")
        as_partner = await http.get(
            f"/api/v1/partners/{PARTNER}/pull-status", auth=("otaone", "otaone-secret")
        )
        unknown = await http.get("/api/v1/partners/nobody/pull-status")

    assert status.status_code == 200, status.text
    body = status.json()
    assert (body["partner"], body["reservations_pulled"], body["overdue"], body["paused"]) == (
        PARTNER,
        1,
        False,
        None,
    )
    assert datetime.fromisoformat(body["last_success_at"]) == pulled.clock.now
    assert as_partner.status_code == 403 and as_partner.json()["title"] == "Operator only"
    assert unknown.status_code == 404


async def test_given_a_hub_started_an_hour_after_its_last_poll_when_its_first_poll_succeeds_then_no_alarm(
    pulled: Pulled, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="hotelhub.pull")
    assert (await pulled.pull.poll(PARTNER)).outcome == "ok"
    pulled.clock.now += timedelta(hours=1)  # the hub was stopped for an hour
    pulled.pull.tick_s = 0.01
    pulled.pull.start()
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while (
            pulled.channel.reads < 2 or (await pulled.pull.statuses())[0].last_success_at != pulled.clock.now
        ):
            assert asyncio.get_running_loop().time() < deadline, "the scheduler's first poll"
            await asyncio.sleep(0.01)
    finally:
        await pulled.pull.stop()

    assert await pulled.pull.watch() == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_given_a_channel_taking_soap_when_polled_then_read_and_acknowledged_inside_ws_security_envelopes(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_conformance()
    monkeypatch.setenv(PASSWORD_ENV, HUB_PASSWORD)
    # A SOAP channel refuses anything but an envelope whose UsernameToken holds the hub's login.
    channel = PullChannel(
        username=HUB_LOGIN, password=HUB_PASSWORD, soap=True, schemas=SchemaFolder(OTA_2015A)
    )
    await apply_file(database_url, pull_config(tmp_path, "http://channel", envelope="soap11"))
    settings = HubSettings(
        database_url=database_url, card_vault_key_file=tmp_path / "vault.key", mapping_cache_seconds=0
    )
    seen: list[bytes] = []
    transport = Transport(channel)
    transport.before = seen.append
    hub = build_hub(settings, http_transport=transport)
    assert hub.booking_pull is not None
    await hub.journal.start()
    try:
        channel.add(held("R1"))
        channel.add(held("R2"))
        result = await hub.booking_pull.poll(PARTNER)
        assert (result.outcome, result.accepted, result.refused) == ("ok", 2, 0), result
        assert acks_by_reservation(channel) == {
            r: [(confirmation_for(PARTNER, r), None)] for r in ("R1", "R2")
        }
        assert channel.pending() == []
        assert len(seen) == 2 and all(b"schemas.xmlsoap.org/soap/envelope" in body for body in seen)
    finally:
        await hub.stop()
