"""The embedded hub killed mid-run: every push it answered with Success is booked once after a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from harness import DEMO_CONFIG, apply_file
from ota_builders import OTAONE, commit, reservation, stay
from ota_schemas import assert_ota_valid_where_known
from processes import HubProcesses
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import create_engine
from hub.demo.partners import parse_answer
from hub.schema import upgrade_async

COUNT = 300
KILL_AFTER = 100


@pytest.fixture
async def processes(tmp_path: Path) -> AsyncIterator[HubProcesses]:
    """A migrated, configured SQLite file and an embedded `hotelhub serve` to run on it."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    await upgrade_async(database_url)
    await apply_file(database_url, DEMO_CONFIG)
    hub = HubProcesses(tmp_path, database_url, broker_url="")
    try:
        yield hub
    finally:
        await asyncio.to_thread(hub.stop)


async def _pending_in(url: str) -> int:
    return await _scalar(url, "SELECT count(*) FROM outbox WHERE status = 'pending'")


async def _pending(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        sql = "SELECT count(*) FROM outbox WHERE status = 'pending'"
        return int((await conn.execute(text(sql))).scalar_one())


async def _scalar(url: str, sql: str) -> int:
    engine = create_engine(url, read_only=True)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


async def test_given_the_embedded_hub_is_killed_midway_when_restarted_then_every_accepted_push_is_booked_once(
    processes: HubProcesses,
) -> None:
    processes.start_serve()
    accepted: set[str] = set()
    unanswered: list[str] = []
    killed = asyncio.Event()

    async def push(http: httpx.AsyncClient, queue: asyncio.Queue[int]) -> None:
        while not queue.empty():
            n = queue.get_nowait()
            reservation_id = f"CRASH-{n:04d}"
            spec = reservation(reservation_id, stay("DZSTD" if n % 2 else "DZSUP", nights=1 + n % 3))
            try:
                response = await http.post("/ota", content=commit(spec), auth=OTAONE)
            except httpx.TransportError:
                unanswered.append(reservation_id)  # no answer: the partner will push it again
                continue
            assert_ota_valid_where_known(response.content)
            assert parse_answer(response.content).success, response.text
            accepted.add(reservation_id)

    async def kill_with_work_queued() -> None:
        # SIGKILL (no draining, no clean shutdown) once enough is accepted AND some of it is still
        # waiting in the outbox, so the restarted hub has accepted work to pick up.
        engine = create_engine(processes.database_url, read_only=True)
        try:
            while len(accepted) < KILL_AFTER or await _pending(engine) == 0:
                await asyncio.sleep(0.002)
        finally:
            await engine.dispose()
        assert processes.serve is not None
        processes.serve.kill()
        killed.set()

    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(COUNT):
        queue.put_nowait(n)
    async with httpx.AsyncClient(base_url=processes.base_url, timeout=10) as http:
        killer = asyncio.create_task(kill_with_work_queued())
        await asyncio.gather(*(push(http, queue) for _ in range(8)))
    assert killed.is_set(), "the hub kept up with every push: nothing was queued to kill it over"
    await killer
    accepted_before_restart = set(accepted)

    assert processes.serve is not None
    processes.serve.wait()
    await asyncio.to_thread(processes.start_serve)
    retry: asyncio.Queue[int] = asyncio.Queue()
    for reservation_id in unanswered:
        retry.put_nowait(int(reservation_id.removeprefix("CRASH-")))
    unanswered.clear()
    async with httpx.AsyncClient(base_url=processes.base_url, timeout=10) as http:
        await asyncio.gather(*(push(http, retry) for _ in range(4)))
    assert not unanswered and len(accepted) == COUNT

    url = processes.database_url
    deadline = asyncio.get_running_loop().time() + 60
    # until all are booked and nothing is pending: every accepted message has been delivered (a row
    # leaves `pending` in the transaction of its effect), so nothing can still double a booking
    while await _scalar(url, "SELECT count(*) FROM bookings") < COUNT or await _pending_in(url):
        assert asyncio.get_running_loop().time() < deadline, processes.logs("serve")
        await asyncio.sleep(0.2)
    assert await _scalar(url, "SELECT count(*) FROM bookings") == COUNT
    assert await _scalar(url, "SELECT count(DISTINCT partner_reservation_id) FROM bookings") == COUNT
    # A push committed just before the kill but never answered was pushed again: two accepted messages,
    # each delivered once (inbox), one booking (same reservation and revision).
    messages = await _scalar(url, "SELECT count(*) FROM outbox WHERE message_type = 'booking.received.v1'")
    assert messages >= COUNT
    assert await _scalar(url, "SELECT count(*) FROM inbox WHERE consumer = 'pms.bookings'") == messages
    assert await _scalar(url, "SELECT count(*) FROM outbox WHERE status <> 'done'") == 0
    assert await _scalar(url, "SELECT count(*) FROM dead_letters") == 0
    assert len(accepted_before_restart) >= KILL_AFTER
