"""Faults on RabbitMQ + PostgreSQL with the hub's own processes: a killed worker, a restarted broker."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from ota_builders import OTAONE, commit, reservation, stay
from ota_schemas import assert_ota_valid_where_known
from processes import HubProcesses, configured_processes
from services import broker_idle, postgres_database, rabbit_vhost
from sqlalchemy import text

from hub.db import create_engine
from hub.demo.partners import parse_answer

pytestmark = pytest.mark.services


@pytest.fixture
def services() -> Iterator[tuple[str, str]]:
    """A fresh PostgreSQL database and RabbitMQ vhost."""
    with postgres_database() as database_url, rabbit_vhost() as broker_url:
        yield database_url, broker_url


@pytest.fixture
async def processes(tmp_path: Path, services: tuple[str, str]) -> AsyncIterator[HubProcesses]:
    """The database migrated and configured, and the hub's processes to run on it."""
    async with configured_processes(tmp_path, *services) as hub:
        yield hub


async def _scalar(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


async def _wait(check: object, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def _booking_message_id(url: str) -> str:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            sql = "SELECT message_id FROM outbox WHERE message_type = 'booking.received.v1'"
            return str((await conn.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


async def _consumed_and_acked(processes: HubProcesses, message_id: str) -> bool:
    """The message's inbox row is committed, the outbox is published and the broker holds nothing,
    ready or unacknowledged: the redelivery was consumed and acknowledged."""
    url = processes.database_url
    inbox = f"SELECT count(*) FROM inbox WHERE message_id = '{message_id}' AND consumer = 'pms.bookings'"
    return (
        await _scalar(url, inbox) == 1
        and await _scalar(url, "SELECT count(*) FROM outbox WHERE status = 'pending'") == 0
        and await broker_idle(processes.broker_url)
    )


async def _push_and_lose_the_worker(processes: HubProcesses, reservation_id: str, **fault: str) -> str:
    """Push one booking to a worker that kills itself at `fault`; the booking's message id."""
    processes.start_serve()
    processes.start_worker(**fault)
    async with httpx.AsyncClient(base_url=processes.base_url, timeout=10) as http:
        response = await http.post("/ota", content=commit(reservation(reservation_id)), auth=OTAONE)
        assert_ota_valid_where_known(response.content)
    assert parse_answer(response.content).success
    assert processes.worker is not None
    code = await asyncio.to_thread(processes.worker.wait, 30)
    assert code == -9, f"the worker should have killed itself ({fault}): {processes.logs('worker')}"
    return await _booking_message_id(processes.database_url)


async def test_given_a_worker_killed_between_commit_and_ack_when_restarted_then_exactly_one_booking(
    processes: HubProcesses,
) -> None:
    message_id = await _push_and_lose_the_worker(
        processes, "KILL-1", HUB_FAULT_KILL_AFTER_COMMIT="booking.received.v1"
    )
    url = processes.database_url
    assert await _scalar(url, "SELECT count(*) FROM bookings") == 1  # committed before the kill
    assert not await broker_idle(processes.broker_url)  # never acknowledged: the broker still has it

    processes.start_worker()  # no fault: the unacknowledged message comes back
    await _wait(lambda: _consumed_and_acked(processes, message_id), 60, "the redelivery to be acked")
    assert await _scalar(url, "SELECT count(*) FROM bookings") == 1
    assert await _scalar(url, "SELECT count(*) FROM inbox WHERE consumer = 'pms.bookings'") == 1
    assert await _scalar(url, "SELECT count(*) FROM dead_letters") == 0


async def test_given_a_worker_killed_after_taking_a_delivery_before_commit_when_restarted_then_booked_once(
    processes: HubProcesses,
) -> None:
    message_id = await _push_and_lose_the_worker(
        processes, "KILL-2", HUB_FAULT_KILL_BEFORE_COMMIT="booking.received.v1"
    )
    url = processes.database_url
    assert await _scalar(url, "SELECT count(*) FROM bookings") == 0  # died before its commit
    assert await _scalar(url, "SELECT count(*) FROM inbox WHERE consumer = 'pms.bookings'") == 0

    processes.start_worker()  # no fault: the message the dead worker held is delivered again
    await _wait(lambda: _consumed_and_acked(processes, message_id), 60, "the redelivery to be acked")
    assert await _scalar(url, "SELECT count(*) FROM bookings") == 1
    assert await _scalar(url, "SELECT count(DISTINCT partner_reservation_id) FROM bookings") == 1
    assert await _scalar(url, "SELECT count(*) FROM dead_letters") == 0


def _restart_rabbitmq() -> None:
    """Stop the RabbitMQ node and start it again, as an operator or a crash would.

    A full node restart, not `stop_app`/`start_app`: on RabbitMQ 3.10 the latter leaves the
    at-least-once dead-letter supervisor of quorum queues stopped, breaking every later queue.
    """
    ctl, server = shutil.which("rabbitmqctl"), shutil.which("rabbitmq-server")
    diagnostics = shutil.which("rabbitmq-diagnostics")
    assert ctl and server and diagnostics, "rabbitmqctl and rabbitmq-server are needed to restart the broker"
    subprocess.run([ctl, "-q", "stop"], check=True, timeout=120)
    subprocess.run([server, "-detached"], check=True, timeout=60)
    deadline = time.monotonic() + 120
    while subprocess.run([diagnostics, "-q", "ping"], capture_output=True, timeout=30).returncode != 0:
        assert time.monotonic() < deadline, "RabbitMQ did not come back within 120 s"
        time.sleep(0.5)
    subprocess.run([ctl, "-q", "await_startup"], check=True, timeout=120)


async def test_given_500_pushes_when_rabbitmq_restarts_midway_then_none_lost_and_none_doubled(
    processes: HubProcesses,
) -> None:
    processes.start_serve()
    processes.start_worker()
    count, sent = 500, 0
    restarted = asyncio.Event()

    async def push(http: httpx.AsyncClient, queue: asyncio.Queue[int]) -> None:
        nonlocal sent
        while not queue.empty():
            n = queue.get_nowait()
            spec = reservation(f"RST-{n:04d}", stay("DZSTD" if n % 2 else "DZSUP", nights=1 + n % 3))
            response = await http.post("/ota", content=commit(spec), auth=OTAONE)
            assert_ota_valid_where_known(response.content)
            assert parse_answer(response.content).success, response.text
            sent += 1
            if sent == count // 3 and not restarted.is_set():
                restarted.set()

    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)
    async with httpx.AsyncClient(base_url=processes.base_url, timeout=30) as http:
        pushers = asyncio.gather(*(push(http, queue) for _ in range(8)))
        await restarted.wait()
        await asyncio.to_thread(_restart_rabbitmq)
        await pushers
    assert sent == count

    url = processes.database_url

    async def all_booked() -> bool:
        # and everything consumed and acknowledged, so no redelivery can still double one
        return (
            await _scalar(url, "SELECT count(*) FROM bookings") >= count
            and await _scalar(url, "SELECT count(*) FROM outbox WHERE status = 'pending'") == 0
            and await broker_idle(processes.broker_url)
        )

    try:
        await _wait(all_booked, 120, f"{count} bookings after the broker restart")
    except AssertionError as err:
        booked = await _scalar(url, "SELECT count(*) FROM bookings")
        pending = await _scalar(url, "SELECT count(*) FROM outbox WHERE status = 'pending'")
        raise AssertionError(
            f"{err}: {booked} booked, {pending} outbox rows pending; exit codes: serve "
            f"{processes.serve and processes.serve.poll()}, worker {processes.worker and processes.worker.poll()}\n"
            f"worker log:\n{processes.logs('worker')}\nserve log:\n{processes.logs('serve')}"
        ) from err
    assert await _scalar(url, "SELECT count(*) FROM bookings") == count
    assert await _scalar(url, "SELECT count(DISTINCT partner_reservation_id) FROM bookings") == count
    assert await _scalar(url, "SELECT count(*) FROM dead_letters") == 0
    assert processes.worker is not None and processes.worker.poll() is None, processes.logs("worker")
