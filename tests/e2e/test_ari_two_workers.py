"""ARI sending spread over two `hotelhub worker` processes on RabbitMQ + PostgreSQL.

Each channel has its own queue with a single active consumer; only that worker sends to the
channel, so the channel's limits hold however many workers run, and when it dies the other takes
over. Two push-channel simulators, each its own process (so that nothing of the test delays what
they see arrive), record every request's arrival:
OTA One is limited to `ONE_RATE` requests a second for the partner, OTA Two to `TWO_RATE` a second
per property with at most one request in flight (and answers slowly, so overlapping calls show).
The operator puts rates through `hotelhub serve`, enough that each channel needs many messages.
The processes start once for the module (start-up is most of the time); the takeover test, which
kills a worker, runs last. The workers and simulators run ahead of other work on the machine where
it lets them (`ahead`): what is measured is the time between the hub's calls, and on a machine
busy with other things, waiting for a CPU would add its own jitter to every arrival.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import yaml
from harness import DEMO_CONFIG, PASSWORDS
from processes import HubProcesses
from services import postgres_database, rabbit_vhost
from sqlalchemy import text

from connectors.ota.simulator import ChannelControl
from hub.config import load_config
from hub.config_apply import apply_config
from hub.db import create_engine
from hub.schema import upgrade_async

pytestmark = pytest.mark.services

SIM_PASSWORD_ENV = "HUB_TEST_SIM_PASSWORD"
SIM_PASSWORD = "sim-secret"
ENVIRON = PASSWORDS | {SIM_PASSWORD_ENV: SIM_PASSWORD}
ONE_RATE = 4  # OTA One: requests a second, for the whole partner
TWO_RATE = 3  # OTA Two: requests a second for each property, one at a time
TWO_LATENCY_S = 0.1
T = TypeVar("T")
SIMULATOR = [sys.executable, "-m", "connectors.ota.simulator", "push", "--username", "hub"]
FIRST = date(2031, 3, 1)
NIGHTS = 8
# examples/mappings/ota/*.yaml: each channel's hotel code and codes of the room and plan changed
ONE = ("ALP-4711", "DZSUP", "NRF1")
TWO = ("100872", "10087202", "5502")


def config(tmp_path: Path, one_url: str, two_url: str) -> Path:
    """The demo configuration with both channels on simulators, limited as the module says."""
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    partners = {partner["id"]: partner for partner in data["partners"]}
    for partner, url in ((partners["otaone"], one_url), (partners["otatwo"], two_url)):
        partner["mapping"] = str(DEMO_CONFIG.parent / partner["mapping"])
        outbound = partner["outbound"]
        outbound["url"] = url
        outbound["credentials"] = {"username": "hub", "password_env": SIM_PASSWORD_ENV}
        policy = outbound["policy"]
        policy["max_message_bytes"] = 1024  # many small messages: the limits bind
        policy["retry"] = {"delays_s": [0.2]}
        policy["timeout_s"] = 1  # the lease a killed worker leaves lasts about this plus 5 s
        policy.pop("breaker")
    partners["otaone"]["outbound"]["policy"]["rate_limit"] = {"max_rate": ONE_RATE, "period_s": 1}
    two = partners["otatwo"]["outbound"]["policy"]
    two["rate_limit"] = {"max_rate": 1000, "period_s": 1}
    two["rate_limit_per_property"] = {"max_rate": TWO_RATE, "period_s": 1}
    two["max_in_flight"] = 1
    path = tmp_path / "hub.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def ahead(pid: int) -> None:
    """Let a process under test run before other work of the machine, where that is allowed."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, -10)


@dataclass
class Simulator:
    """A push-channel simulator process, asked through its control API."""

    url: str
    hotel: str
    room: str
    plan: str

    async def ask(self, what: Callable[[ChannelControl], Awaitable[T]]) -> T:
        """Call the control API (a client of the test's own event loop)."""
        control = ChannelControl(self.url)
        try:
            return await what(control)
        finally:
            await control.aclose()

    async def calls(self) -> list[dict[str, Any]]:
        """Every request it received, in arrival order."""
        return await self.ask(lambda control: control.calls())

    async def shows(self, amounts: dict[date, Decimal]) -> bool:
        """The channel shows `amounts` on the changed room and plan."""
        state = await self.ask(lambda control: control.state())
        shown = state.get(self.hotel, {}).get("rates", {}).get(self.room, {}).get(self.plan, {})
        return all(shown.get(n.isoformat(), {}).get("amount") == str(a) for n, a in amounts.items())


@contextmanager
def simulator(codes: tuple[str, str, str], *behaviour: str) -> Iterator[Simulator]:
    """A push-channel simulator process (told `behaviour` JSON at once); stopped afterwards."""
    process = subprocess.Popen(
        [*SIMULATOR, "--password-env", SIM_PASSWORD_ENV, "--max-lifetime", "300"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, SIM_PASSWORD_ENV: SIM_PASSWORD},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening on "), line
        ahead(process.pid)
        url = line.removeprefix("listening on ").strip()
        for told in behaviour:
            httpx.post(f"{url}/_control", content=told, timeout=10).raise_for_status()
        yield Simulator(url, *codes)
    finally:
        process.terminate()
        process.wait(30)


@dataclass
class TwoWorkers:
    """`hotelhub serve` and two workers (`a`, `b`), both channels on simulators."""

    a: HubProcesses
    b: HubProcesses
    one: Simulator
    two: Simulator
    database_url: str

    async def put_rates(self, base: str) -> dict[date, Decimal]:
        """Put nightly rates of two room types and both plans that differ from night to night;
        the amount each night now has."""
        last = FIRST + timedelta(NIGHTS - 1)
        span = {"from": FIRST.isoformat(), "to": last.isoformat()}
        odd, even = ["mon", "wed", "fri", "sun"], ["tue", "thu", "sat"]
        patches = [
            {
                "room_type": room,
                "rate_plan": plan,
                **span,
                "days": days,
                "rates": {"amount": f"{base}.{cents}"},
            }
            for room in ("DBL", "DSUP")
            for plan in ("BAR", "NREF")
            for days, cents in ((odd, "10"), (even, "20"))
        ]
        async with httpx.AsyncClient(base_url=self.a.base_url, timeout=30) as http:
            answer = await http.put("/api/v1/properties/ALPINA/ari", json={"patches": patches})
        assert answer.status_code == 200, answer.text
        nights = [FIRST + timedelta(d) for d in range(NIGHTS)]
        return {n: Decimal(f"{base}.{'10' if n.weekday() in (0, 2, 4, 6) else '20'}") for n in nights}

    async def query(self, sql: str) -> list[Any]:
        """Rows of one query on the hub's database."""
        engine = create_engine(self.database_url)
        try:
            async with engine.connect() as conn:
                return list(await conn.execute(text(sql)))
        finally:
            await engine.dispose()

    async def converged(self, amounts: dict[date, Decimal]) -> bool:
        """Both channels show `amounts` on the changed room and plan, and nothing is pending."""
        if not (await self.one.shows(amounts) and await self.two.shows(amounts)):
            return False
        return (await self.query("SELECT count(*) FROM ari_pending"))[0][0] == 0

    async def sender_of(self, channel: str) -> HubProcesses:
        """The worker holding the channel's lease (its owner is host:pid:nonce)."""
        rows = await self.query(f"SELECT owner FROM ari_channel_state WHERE channel = '{channel}'")
        pid = int(rows[0][0].split(":")[1])
        return next(w for w in (self.a, self.b) if w.worker is not None and w.worker.pid == pid)


async def eventually(check: Callable[[], Awaitable[bool]], *, what: str, timeout: float = 30.0) -> None:
    """Wait for an effect; fail naming it when it does not come."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def _configure(database_url: str, path: Path) -> None:
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    try:
        await apply_config(engine, load_config(path, ENVIRON), ENVIRON)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoWorkers]:
    """Both simulators, the database configured, then serve and both workers started together."""
    tmp_path = tmp_path_factory.mktemp("two-workers")
    with ExitStack() as stack:
        database_url = stack.enter_context(postgres_database())
        broker_url = stack.enter_context(rabbit_vhost())
        one = stack.enter_context(simulator(ONE))
        two = stack.enter_context(simulator(TWO, f'{{"latency_s": {TWO_LATENCY_S}}}'))
        asyncio.run(_configure(database_url, config(tmp_path, f"{one.url}/ota", f"{two.url}/ota")))
        (tmp_path / "b").mkdir()
        a = HubProcesses(tmp_path, database_url, broker_url)
        b = HubProcesses(tmp_path / "b", database_url, broker_url)
        stack.callback(a.stop)
        stack.callback(b.stop)
        with ThreadPoolExecutor(3) as starting:
            started = [
                starting.submit(a.start_serve),
                starting.submit(a.start_worker, **ENVIRON),
                starting.submit(b.start_worker, **ENVIRON),
            ]
            for future in started:
                future.result()
        for worker in (a.worker, b.worker):
            assert worker is not None
            ahead(worker.pid)
        yield TwoWorkers(a, b, one, two, database_url)


def busiest(calls: list[dict[str, Any]], window_s: float = 1.0) -> int:
    """The most requests that arrived in any window (t - window_s, t] (one ends at an arrival)."""
    times = [call["at"] for call in calls]
    return max((sum(1 for s in times if t - window_s < s <= t) for t in times), default=0)


async def assert_within_limits(hub: TwoWorkers) -> None:
    """Neither channel ever saw more than its limits allow, in any one-second window."""
    one, two = await hub.one.calls(), await hub.two.calls()
    assert busiest(one) <= ONE_RATE, [c["at"] for c in one]
    assert busiest([c for c in two if c["hotel"] == TWO[0]]) <= TWO_RATE, [c["at"] for c in two]
    stats = await hub.two.ask(lambda control: control.stats())
    assert stats["in_flight_max"] == 1, stats


async def test_given_two_workers_when_many_changes_go_out_then_no_channel_sees_more_than_its_limits(
    hub: TwoWorkers,
) -> None:
    amounts = await hub.put_rates("150")
    await eventually(lambda: hub.converged(amounts), what="both channels showing the new rates")
    one, two = await hub.one.calls(), await hub.two.calls()
    # the limits bound: each channel took seconds of messages, as fast as its limits let them go
    assert len(one) >= 3 * ONE_RATE and busiest(one) >= ONE_RATE - 1
    assert len(two) >= 3 * TWO_RATE and busiest(two) >= TWO_RATE - 1
    await assert_within_limits(hub)
    assert {c["outcome"] for c in [*one, *two]} == {"applied"}


async def test_given_two_workers_when_the_sending_one_is_killed_then_the_other_takes_over_and_converges(
    hub: TwoWorkers,
) -> None:
    before = len(await hub.one.calls())
    amounts = await hub.put_rates("170")

    async def sending() -> bool:
        return len(await hub.one.calls()) >= before + 3

    await eventually(sending, what="the new rates going out")
    sender = await hub.sender_of("otaone")
    assert sender.worker is not None
    sender.worker.kill()  # SIGKILL: no goodbye, its lease and its held nudges left behind
    await asyncio.to_thread(sender.worker.wait)
    killed = len(await hub.one.calls())
    await eventually(lambda: hub.converged(amounts), what="the other worker finishing the rates", timeout=40)
    assert len(await hub.one.calls()) > killed  # the survivor sent what the killed one had left
    survivor = hub.b if sender is hub.a else hub.a
    assert await hub.sender_of("otaone") is survivor
    await assert_within_limits(hub)
