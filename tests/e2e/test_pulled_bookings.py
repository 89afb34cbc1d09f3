"""Booking pull end to end, on both transports, the simulated pull channel as the partner: reservations
polled by the hub's scheduler reach the core once and are acknowledged once; a hub killed between
accepting and acknowledging makes up for it after its restart; two pollers never poll one channel at once."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from harness import apply_file, running_hub
from ota_schemas import OTA_2015A, require_conformance
from processes import HOTELHUB, HubProcesses
from pull_builders import (
    HUB_LOGIN,
    HUB_PASSWORD,
    PARTNER,
    PASSWORD_ENV,
    PROPERTY,
    acks_by_reservation,
    held,
    pull_config,
)
from services import postgres_database
from sqlalchemy import text

from connectors.ota.simulator import PullChannel, SchemaFolder, serving
from hub.db import create_engine
from hub.schema import upgrade_async
from routes import deadletters
from routes.confirmations import confirmation_for

BOOKINGS = f"/api/v1/properties/{PROPERTY}/bookings"


@pytest.fixture
async def channel() -> AsyncIterator[tuple[PullChannel, str]]:
    """The pull channel, served on a free port: (channel, base URL)."""
    require_conformance()
    sim = PullChannel(username=HUB_LOGIN, password=HUB_PASSWORD, schemas=SchemaFolder(OTA_2015A))
    async with serving(sim.app) as url:
        yield sim, url


async def _until(check: Callable[[], Awaitable[bool] | bool], what: str, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        result = check()
        if await result if isinstance(result, Awaitable) else result:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


async def _bookings(http: httpx.AsyncClient) -> dict[str, list[dict[str, Any]]]:
    response = await http.get(BOOKINGS, params={"partner": PARTNER})
    response.raise_for_status()
    found: dict[str, list[dict[str, Any]]] = {}
    for booking in response.json():
        found.setdefault(booking["partner_reservation_id"], []).append(booking)
    return found


async def test_given_a_channel_holding_new_modified_and_cancelled_reservations_when_pulled_then_each_applied_and_acknowledged_once(
    transport: tuple[str, str, str | None],
    tmp_path: Path,
    channel: tuple[PullChannel, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim, url = channel
    monkeypatch.setenv(PASSWORD_ENV, HUB_PASSWORD)
    mode, database_url, broker_url = transport
    config = pull_config(tmp_path, url)
    sim.add(held("R4"))
    sim.add(held("R5"))
    async with running_hub(
        mode, database_url, broker_url, tmp_path, config=config, pull_tick_seconds=0.05
    ) as hub:

        async def booked(*ids: str) -> bool:
            return set(ids) <= set(await _bookings(hub.http)) and await hub.settled()

        await _until(lambda: booked("R4", "R5"), "R4 and R5 booked")
        for n in (1, 2, 3):
            sim.add(held(f"R{n}"))
        sim.add(held("R4", "Modify", room="DZSUP", revision=5))
        sim.add(held("R5", "Cancel", revision=5))

        async def applied() -> bool:
            found = await _bookings(hub.http)
            return (
                sim.pending() == []
                and await hub.settled()
                and {"R1", "R2", "R3"} <= set(found)
                and found["R4"][0]["room_type_code"] == "DSUP"
                and found["R5"][0]["status"] == "cancelled"
            )

        await _until(applied, "every reservation applied and acknowledged")
        found = await _bookings(hub.http)
        await _after_a_poll(sim)
        pulled = await hub.api(f"/api/v1/partners/{PARTNER}/pull-status")

    assert {res_id: len(bookings) for res_id, bookings in found.items()} == {f"R{n}": 1 for n in range(1, 6)}
    assert [found[f"R{n}"][0]["status"] for n in (1, 2, 3)] == ["confirmed"] * 3
    confirmed = {f"R{n}": (confirmation_for(PARTNER, f"R{n}"), None) for n in range(1, 6)}
    # R4 and R5 twice: their first revision in the first poll, the modification and cancellation next
    assert acks_by_reservation(sim) == {
        res_id: [confirmed[res_id]] * (2 if res_id in ("R4", "R5") else 1) for res_id in confirmed
    }
    assert sim.returned == {"R1": 1, "R2": 1, "R3": 1, "R4": 2, "R5": 2}
    assert pulled["reservations_pulled"] == 7 and pulled["overdue"] is False and pulled["last_success_at"]


async def _after_a_poll(sim: PullChannel) -> None:
    """Wait for the next read: whatever the hub does after it has seen an empty channel."""
    reads = sim.reads
    await _until(lambda: sim.reads > reads + 1, "two more polls")


async def _scalar(database_url: str, sql: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


def _start_poller(processes: HubProcesses, **extra: str) -> None:
    if processes.broker_url:
        processes.start_worker(**extra)
    else:
        processes.start_serve(**extra)


async def test_given_the_hub_killed_between_accepting_and_acknowledging_when_restarted_then_each_applied_once_and_acknowledged(
    transport: tuple[str, str, str | None], tmp_path: Path, channel: tuple[PullChannel, str]
) -> None:
    sim, url = channel
    _, database_url, broker_url = transport
    await upgrade_async(database_url)
    await apply_file(database_url, pull_config(tmp_path, url))
    for n in (1, 2, 3):
        sim.add(held(f"R{n}"))
    processes = HubProcesses(tmp_path, database_url, broker_url or "")
    common = {PASSWORD_ENV: HUB_PASSWORD, "HUB_PULL_TICK_SECONDS": "0.05", "HUB_LOG_LEVEL": "INFO"}
    try:
        if broker_url:
            processes.start_serve(**common)
        _start_poller(processes, HUB_FAULT_KILL_BEFORE_PULL_ACK="true", **common)
        killed = processes.worker if broker_url else processes.serve
        assert killed is not None
        await _until(lambda: killed.poll() is not None, "the poller to die before acknowledging")
        assert killed.returncode == -signal.SIGKILL
        journaled = "SELECT count(*) FROM inbound_messages WHERE outcome = 'accepted'"
        assert await _scalar(database_url, journaled) == 3
        assert sim.acks == [] and sim.pending() == ["R1", "R2", "R3"]

        _start_poller(processes, **common)
        await _until(lambda: sim.pending() == [], "the reservations acknowledged after the restart")
        async with httpx.AsyncClient(base_url=processes.base_url, timeout=10) as http:

            async def three() -> bool:
                pending = "SELECT count(*) FROM outbox WHERE status = 'pending'"
                return len(await _bookings(http)) == 3 and await _scalar(database_url, pending) == 0

            await _until(three, "three bookings in the core")
            found = await _bookings(http)
    finally:
        await asyncio.to_thread(processes.stop)
    assert {res_id: len(bookings) for res_id, bookings in found.items()} == {"R1": 1, "R2": 1, "R3": 1}
    assert acks_by_reservation(sim) == {
        f"R{n}": [(confirmation_for(PARTNER, f"R{n}"), None)] for n in (1, 2, 3)
    }
    assert sim.returned == {"R1": 2, "R2": 2, "R3": 2}
    assert await _scalar(database_url, journaled) == 6  # each revision journaled twice, booked once


@pytest.fixture
def postgresql() -> Iterator[str]:
    """A PostgreSQL database of the test's own."""
    with postgres_database() as database_url:
        yield database_url


@pytest.mark.services
async def test_given_two_processes_polling_one_channel_on_postgresql_then_never_both_at_once(
    tmp_path: Path, channel: tuple[PullChannel, str], postgresql: str
) -> None:
    sim, url = channel
    sim.add(held("R1"))
    database_url = postgresql
    await upgrade_async(database_url)
    await apply_file(database_url, pull_config(tmp_path, url))
    env = {
        **os.environ,
        PASSWORD_ENV: HUB_PASSWORD,
        "HUB_DATABASE_URL": database_url,
        "HUB_CARD_VAULT_KEY_FILE": str(tmp_path / "vault.key"),
    }
    sim.pause()  # every read is held at the channel's door until resume()

    async def pull_now() -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            HOTELHUB, "pull", "now", "--partner", PARTNER, env=env, stdout=-1, stderr=-1
        )
        out, err = await proc.communicate()
        return proc.returncode or 0, out.decode(), err.decode()

    first = asyncio.create_task(pull_now())
    await _until(lambda: sim.counters.in_flight == 1, "the first poller's read at the channel")
    second = await pull_now()  # runs while the first one's read is held
    sim.resume()
    done = await first

    assert second[0] == 1 and f"{PARTNER}: busy: another process is polling it now\n" in second[2]
    assert done[:2] == (0, f"{PARTNER}: polled: 1 accepted, 0 refused\n")
    assert sim.counters.in_flight_max == 1 and sim.reads == 1
    assert acks_by_reservation(sim) == {"R1": [(confirmation_for(PARTNER, "R1"), None)]}


async def test_given_a_pulled_reservation_with_an_unmapped_room_when_polled_then_acknowledged_with_its_error_and_dead_lettered(
    transport: tuple[str, str, str | None],
    tmp_path: Path,
    channel: tuple[PullChannel, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim, url = channel
    monkeypatch.setenv(PASSWORD_ENV, HUB_PASSWORD)
    mode, database_url, broker_url = transport
    sim.add(held("R1"))
    sim.add(held("BAD1", room="DZPANO"))
    async with running_hub(
        mode, database_url, broker_url, tmp_path, config=pull_config(tmp_path, url), pull_tick_seconds=0.05
    ) as hub:

        async def done() -> bool:
            return sim.pending() == [] and "R1" in await _bookings(hub.http) and await hub.settled()

        await _until(done, "R1 booked and both acknowledged")
        found = await _bookings(hub.http)
        async with hub.hub.engine.connect() as conn:
            # only the door's letters: ARI sent to this channel is not what this test is about
            letters = await deadletters.list_letters(conn, status="open", consumer="ota.translate")

    assert set(found) == {"R1"}
    assert acks_by_reservation(sim) == {
        "R1": [(confirmation_for(PARTNER, "R1"), None)],
        "BAD1": [(None, "402")],
    }
    assert [(letter["consumer"], letter["partner_reservation_id"]) for letter in letters] == [
        ("ota.translate", "BAD1")
    ]
