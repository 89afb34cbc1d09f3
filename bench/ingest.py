"""Ingest benchmark: OTA_HotelResNotifRQ pushes over HTTP to `hotelhub serve`; prints JSON figures.

    python bench/ingest.py [--count 20000] [--concurrency 32] [--mode embedded|rabbit] [--client raw|httpx]
                           [--pin-door] [--timeline] [--hub-setting HUB_NAME=VALUE ...]

embedded: a fresh SQLite file, one `hotelhub serve` (ingress + embedded dispatcher).
rabbit:   HUB_BROKER_URL and a PostgreSQL HUB_DATABASE_URL name the servers; the bench creates its
          own database and vhost there, runs `hotelhub serve` and `hotelhub worker`, and drops both.
Figures: accepted/s and answer latency (p50/p99) at the door, booked/s end to end (until the last
booking is committed, polled from the database), peak RSS and CPU seconds per hub process, errors,
and the machine. --pin-door gives `serve` a core of its own (see docs/configuration.md#cpus);
--timeline adds answers and latency for each second. See bench/README.md for what was measured
and where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import psutil
import yaml
from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from connectors.payments.vault import generate_key
from hub.db import create_engine
from hub.demo.partners import SimulatedPartner
from hub.demo.scenario import Hotel, Planner
from hub.demo.stage import migrate
from hub.settings import HubSettings

ROOM_TYPES, ROOMS_PER_TYPE, WINDOW_DAYS = 12, 40, 365
PARTNER, PASSWORD_ENV, HOTEL_CODE = "benchota", "HUB_PARTNER_BENCHOTA_PASSWORD", "BENCH-1"


def write_config(folder: Path) -> Path:
    """A hotel big enough that inventory is never the bottleneck, and one OTA partner mapped to it."""
    rooms = [f"R{t:02d}" for t in range(1, ROOM_TYPES + 1)]
    config = {
        "version": 1,
        "properties": [
            {
                "code": "BENCH",
                "name": "Benchmark Hotel",
                "timezone": "Europe/Rome",
                "currency": "EUR",
                "room_types": [
                    {
                        "code": r,
                        "name": f"Room type {r}",
                        "max_occupancy": 3,
                        "rooms": [f"{r}-{n:03d}" for n in range(1, ROOMS_PER_TYPE + 1)],
                    }
                    for r in rooms
                ],
                "rate_plans": [
                    {
                        "code": "BAR",
                        "name": "Best available rate",
                        "room_types": rooms,
                        "default_rates": {r: "150.00" for r in rooms},
                    }
                ],
            }
        ],
        "partners": [
            {
                "id": PARTNER,
                "kind": "ota",
                "name": "Bench OTA",
                "properties": ["BENCH"],
                "credentials": {"username": PARTNER, "password_env": PASSWORD_ENV},
                "mapping": "mappings/benchota.yaml",
            }
        ],
    }
    mapping = {
        "partner": PARTNER,
        "properties": [
            {
                "property": "BENCH",
                "hotel_code": HOTEL_CODE,
                "room_types": {f"P{r}": r for r in rooms},
                "rate_plans": {"BAR1": "BAR"},
            }
        ],
    }
    (folder / "mappings").mkdir(parents=True, exist_ok=True)
    (folder / "mappings" / "benchota.yaml").write_text(yaml.safe_dump(mapping))
    (folder / "bench.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return folder / "bench.yaml"


def messages(count: int, seed: int, password: str) -> list[bytes]:
    """`count` new reservations from the partner simulator, spread over a year and every room type."""
    rooms = [f"R{t:02d}" for t in range(1, ROOM_TYPES + 1)]
    hotel = Hotel(
        physical=dict.fromkeys(rooms, ROOMS_PER_TYPE),
        max_occupancy=dict.fromkeys(rooms, 3),
        rate_plans=("BAR",),
        first_night=date.today() + timedelta(days=30),
        nights=WINDOW_DAYS,
    )
    planner = Planner(hotel, random.Random(seed))
    partner = SimulatedPartner(
        PARTNER,
        PARTNER,
        password,
        HOTEL_CODE,
        {r: f"P{r}" for r in rooms},
        {"BAR": "BAR1"},
        "http://unused",
        httpx.AsyncClient(),
        prices={("BAR", r): Decimal("150.00") for r in rooms},
    )
    now = datetime.now(UTC).replace(microsecond=0)
    out = []
    for number in range(count):
        stays = planner.stays(1)
        if stays is None:
            raise SystemExit("the bench hotel is full: raise ROOMS_PER_TYPE or WINDOW_DAYS")
        out.append(partner.notif(partner.reservation(planner.rng, number, stays, at=now), "Commit"))
    return out


class RawConnection:
    """A lean keep-alive HTTP/1.1 client for one connection: measured to cost far less CPU than httpx."""

    def __init__(self, host: str, port: int, auth: str) -> None:
        self.host, self.port = host, port
        self.head = (
            f"POST /ota HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: text/xml; charset=utf-8\r\n"
            f"Authorization: {auth}\r\nContent-Length: "
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        """Send one request and read its whole answer (reconnecting once if the server closed)."""
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(self.head + str(len(body)).encode() + b"\r\n\r\n" + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
        }
        answer = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.reader = self.writer = None
        return int(lines[0].split()[1]), answer


async def load(
    urls: list[str], bodies: list[bytes], concurrency: int, client: str, auth: str
) -> tuple[list[tuple[float, float]], Counter[str], float]:
    """Push every body with `concurrency` connections; return (answered at, latency) of each
    accepted push (seconds since the start), outcomes and wall time."""
    queue = iter(range(len(bodies)))
    latencies: list[tuple[float, float]] = []
    outcomes: Counter[str] = Counter()

    async def worker(index: int, http: httpx.AsyncClient | None) -> None:
        url = urls[index % len(urls)]
        parsed = httpx.URL(url)
        raw = RawConnection(parsed.host, parsed.port or 80, auth)
        for i in queue:
            started = time.perf_counter()
            try:
                if http is not None:
                    response = await http.post(
                        f"{url}/ota",
                        content=bodies[i],
                        headers={"Authorization": auth, "Content-Type": "text/xml"},
                    )
                    status, answer = response.status_code, response.content
                else:
                    status, answer = await raw.post(bodies[i])
            except (OSError, httpx.HTTPError, asyncio.IncompleteReadError) as err:
                outcomes[f"transport:{type(err).__name__}"] += 1
                raw.reader = raw.writer = None
                continue
            answered = time.perf_counter()
            latencies.append((answered - began, answered - started))
            outcomes["accepted" if status == 200 and b"<Success" in answer else f"http-{status}"] += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as http:
        began = time.perf_counter()
        await asyncio.gather(*(worker(i, http if client == "httpx" else None) for i in range(concurrency)))
        return latencies, outcomes, time.perf_counter() - began


async def booked(database_url: str, expected: int, timeout_s: float) -> tuple[int, float]:
    """Poll the bookings table until `expected` rows are committed; return (rows, when)."""
    engine = create_engine(database_url)
    deadline = time.perf_counter() + timeout_s
    try:
        while True:
            async with engine.connect() as conn:
                rows = int((await conn.execute(text("SELECT count(*) FROM bookings"))).scalar_one())
            if rows >= expected or time.perf_counter() > deadline:
                return rows, time.perf_counter()
            await asyncio.sleep(0.05)
    finally:
        await engine.dispose()


class Sampler:
    """Peak RSS and CPU seconds of the hub processes, sampled every 100 ms."""

    def __init__(self, procs: dict[str, subprocess.Popen[bytes]]) -> None:
        self.procs = {name: psutil.Process(p.pid) for name, p in procs.items()}
        self.peak: dict[str, int] = dict.fromkeys(self.procs, 0)
        self.cpu: dict[str, float] = dict.fromkeys(self.procs, 0.0)

    async def run(self) -> None:
        """Sample until cancelled."""
        while True:
            for name, proc in self.procs.items():
                with contextlib.suppress(psutil.Error):
                    self.peak[name] = max(self.peak[name], proc.memory_info().rss)
                    times = proc.cpu_times()
                    self.cpu[name] = times.user + times.system
            await asyncio.sleep(0.1)


SERVER_PROCESSES = {"postgres": "postgresql", "beam.smp": "rabbitmq"}
DOOR_CPU = 0


@contextlib.contextmanager
def door_on_its_own_core() -> Iterator[dict[str, object]]:
    """Keep core 0 for `serve`: this process, PostgreSQL and RabbitMQ (every thread) move to the
    other cores for the run, and are given every core back afterwards. The hub processes pin
    themselves (HUB_CPU_AFFINITY). Yields what was pinned, for the report."""
    every = set(range(os.cpu_count() or 1))
    others = every - {DOOR_CPU}
    if not others or not hasattr(os, "sched_setaffinity"):
        raise SystemExit("--pin-door needs Linux and at least two CPUs")
    moved: list[int] = []
    refused: list[str] = []
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] not in SERVER_PROCESSES:
            continue
        for thread in _threads(proc):
            try:
                os.sched_setaffinity(thread, others)
                moved.append(thread)
            except OSError as err:
                refused.append(f"{proc.info['name']}:{thread}: {err.strerror}")
    os.sched_setaffinity(0, others)
    try:
        yield {
            "serve_cpus": [DOOR_CPU],
            "everything_else_cpus": sorted(others),
            "server_threads_moved": len(moved),
            "refused": refused,
        }
    finally:
        os.sched_setaffinity(0, every)
        for thread in moved:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(thread, every)


def _threads(proc: psutil.Process) -> list[int]:
    try:
        return [thread.id for thread in proc.threads()]
    except psutil.Error:
        return []


def server_cpu() -> dict[int, tuple[str, float]]:
    """CPU seconds so far of every PostgreSQL and RabbitMQ process on this machine, by pid."""
    found: dict[int, tuple[str, float]] = {}
    for proc in psutil.process_iter(["name", "cpu_times"]):
        server = SERVER_PROCESSES.get(proc.info["name"] or "")
        if server and proc.info["cpu_times"] is not None:
            times = proc.info["cpu_times"]
            found[proc.pid] = (server, times.user + times.system)
    return found


def server_cpu_since(before: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds each server spent since `before` (processes started since count in full)."""
    spent: dict[str, float] = {}
    for pid, (server, now) in server_cpu().items():
        spent[server] = spent.get(server, 0.0) + now - (before[pid][1] if pid in before else 0.0)
    return {server: round(seconds, 2) for server, seconds in sorted(spent.items())}


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


@contextlib.contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A fresh database on the server of `server_url`; yields its URL and drops it afterwards."""
    import asyncpg

    url = make_url(server_url)
    name = f"hh_bench_{uuid.uuid4().hex[:10]}"

    async def sql(statement: str) -> None:
        conn = await asyncpg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            database="postgres",
        )
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(sql(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def rabbit_vhost(broker_url: str) -> Iterator[str]:
    """A fresh vhost (rabbitmqctl) for the broker URL's user; yields its URL and deletes it afterwards."""
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        raise SystemExit("rabbit mode creates its own vhost with rabbitmqctl, which is not on PATH")
    parsed = httpx.URL(broker_url)
    name = f"hh_bench_{uuid.uuid4().hex[:10]}"
    subprocess.run([ctl, "-q", "add_vhost", name], check=True, capture_output=True)
    subprocess.run(
        [ctl, "-q", "set_permissions", "-p", name, parsed.username or "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )
    try:
        yield str(parsed.copy_with(path=f"/{name}"))
    finally:
        subprocess.run([ctl, "-q", "delete_vhost", name], check=False, capture_output=True)


def hub_command(*args: str) -> list[str]:
    """The `hotelhub` command of this environment."""
    script = Path(sys.executable).with_name("hotelhub")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "hub.cli", *args]


def start(name: str, args: list[str], env: dict[str, str], logs: Path) -> subprocess.Popen[bytes]:
    """Start one hub process with its output in a log file."""
    log = (logs / f"{name}.log").open("wb")
    return subprocess.Popen(hub_command(*args), env=env, stdout=log, stderr=subprocess.STDOUT)


async def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    """Wait until /readyz answers 200."""
    deadline = time.perf_counter() + timeout_s
    async with httpx.AsyncClient(timeout=2.0) as http:
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"hub process exited with {proc.returncode} during start-up")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{url}/readyz")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise SystemExit(f"{url} not ready after {timeout_s} s")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ms(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    return round(ordered[int(q * (len(ordered) - 1))] * 1000, 2) if ordered else None


def timeline(answers: list[tuple[float, float]]) -> list[dict[str, object]]:
    """Answers per second of the run, with that second's p50/p99 latency and how many took > 50 ms."""
    seconds: dict[int, list[float]] = {}
    for at, latency in answers:
        seconds.setdefault(int(at), []).append(latency)
    return [
        {
            "second": second,
            "answered": len(latencies),
            "p50_ms": _ms(latencies, 0.50),
            "p99_ms": _ms(latencies, 0.99),
            "over_50_ms": sum(1 for latency in latencies if latency > 0.050),
        }
        for second, latencies in sorted(seconds.items())
    ]


async def bench(
    args: argparse.Namespace, database_url: str, broker_url: str | None, folder: Path
) -> dict[str, object]:
    """Set the hub up, run the load, wait for the bookings, and return the figures."""
    from hub.config import load_config
    from hub.config_apply import apply_config

    password = base64.urlsafe_b64encode(os.urandom(18)).decode()
    secrets = {PASSWORD_ENV: password}
    config = load_config(write_config(folder), secrets)
    await migrate(database_url)
    engine = create_engine(database_url)
    try:
        await apply_config(engine, config, secrets)
    finally:
        await engine.dispose()
    warm = min(200, max(1, args.count // 100))
    generated = time.perf_counter()
    bodies = messages(warm + args.count, args.seed, password)
    generated = time.perf_counter() - generated
    # The load generator's own collector must not stop its clock: a full collection of what the
    # set-up built (the simulator, SQLAlchemy, the bodies' makers) took 146 ms mid-run, and every
    # push in flight counted it as answer latency. Frozen, the collector never walks it again.
    gc.collect()
    gc.freeze()

    # The hub reads its settings from the environment; the bench's own HUB_ variables are not its.
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        secrets,
        HUB_DATABASE_URL=database_url,
        HUB_LOG_LEVEL="WARNING",
        HUB_CARD_VAULT_KEY=base64.b64encode(generate_key()).decode(),
    )
    if broker_url:
        env["HUB_BROKER_URL"] = broker_url
    env.update(args.hub_setting)
    serve_env, worker_env = dict(env), dict(env)
    if args.pin_door:
        others = ",".join(str(cpu) for cpu in range(os.cpu_count() or 1) if cpu != DOOR_CPU)
        serve_env["HUB_CPU_AFFINITY"], worker_env["HUB_CPU_AFFINITY"] = str(DOOR_CPU), others
    arranged = contextlib.ExitStack()
    procs: dict[str, subprocess.Popen[bytes]] = {}
    ports = [free_port() for _ in range(args.api_processes)]
    try:
        pinned = arranged.enter_context(door_on_its_own_core()) if args.pin_door else None
        for n, port in enumerate(ports):
            procs[f"serve-{n}"] = start(f"serve-{n}", ["serve", "--port", str(port)], serve_env, folder)
        ready_files = [folder / f"worker-{n}.ready" for n in range(args.workers if broker_url else 0)]
        for n, ready in enumerate(ready_files):
            # The heartbeat file appears once the worker is connected and consuming.
            procs[f"worker-{n}"] = start(
                f"worker-{n}", ["worker"], {**worker_env, "HUB_WORKER_HEARTBEAT_FILE": str(ready)}, folder
            )
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for n, url in enumerate(urls):
            await wait_ready(url, procs[f"serve-{n}"])
        deadline = time.perf_counter() + 60
        while not all(r.exists() for r in ready_files):
            if time.perf_counter() > deadline or any(p.poll() is not None for p in procs.values()):
                raise SystemExit("a worker did not start; see its log in " + str(folder))
            await asyncio.sleep(0.2)
        sampler = Sampler(procs)
        sampling = asyncio.create_task(sampler.run())
        auth = "Basic " + base64.b64encode(f"{PARTNER}:{password}".encode()).decode()
        await load(urls, bodies[:warm], min(args.concurrency, warm), args.client, auth)
        await booked(database_url, warm, 60)
        cpu_before = {k: v for k, v in sampler.cpu.items()}
        me = psutil.Process()
        my_cpu = sum(me.cpu_times()[:2])
        servers_before = server_cpu()
        started = time.perf_counter()
        answers, outcomes, wall = await load(urls, bodies[warm:], args.concurrency, args.client, auth)
        my_cpu = sum(me.cpu_times()[:2]) - my_cpu
        rows, done = await booked(database_url, warm + outcomes["accepted"], args.booked_timeout)
        # the servers' share of the work (rabbit mode; embedded uses neither)
        servers = server_cpu_since(servers_before) if broker_url else {}
        await asyncio.sleep(0.15)
        sampling.cancel()
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        arranged.close()
    accepted = outcomes["accepted"]
    latencies = [latency for _, latency in answers]
    figures: dict[str, object] = {
        "mode": args.mode,
        "client": args.client,
        "count": args.count,
        "concurrency": args.concurrency,
        "api_processes": args.api_processes,
        "workers": args.workers if broker_url else 0,
        "accepted": accepted,
        "accepted_per_s": round(accepted / wall, 1),
        "answer_latency_ms": {
            "p50": _ms(latencies, 0.50),
            "p99": _ms(latencies, 0.99),
            "max": _ms(latencies, 1.0),
        },
        "booked": rows - warm,
        "booked_per_s": round((rows - warm) / (done - started), 1),
        "seconds": {
            "load": round(wall, 2),
            "until_last_booking": round(done - started, 2),
            "generate_messages": round(generated, 2),
        },
        "errors": {k: v for k, v in outcomes.items() if k != "accepted"},
        "peak_rss_mb": {k: round(v / 2**20, 1) for k, v in sampler.peak.items()},
        "cpu_seconds": {
            **{k: round(v - cpu_before[k], 2) for k, v in sampler.cpu.items()},
            "load_generator": round(my_cpu, 2),
            # every process of the machine's servers, whoever they worked for: an idle machine is assumed
            **servers,
        },
        "machine": machine(),
    }
    if pinned is not None:
        figures["pinned"] = pinned
    if args.timeline:
        figures["timeline"] = timeline(answers)
    return figures


def main() -> None:
    """Parse options, create the database (and vhost), run the bench, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--mode", choices=("embedded", "rabbit"), default="embedded")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    parser.add_argument("--api-processes", type=int, default=1, help="`hotelhub serve` processes")
    parser.add_argument("--workers", type=int, default=1, help="`hotelhub worker` processes (rabbit)")
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--booked-timeout", type=float, default=600.0)
    parser.add_argument(
        "--timeline", action="store_true", help="add answers and latency for each second of the run"
    )
    parser.add_argument(
        "--pin-door",
        action="store_true",
        help="give `serve` core 0 alone: the worker, PostgreSQL, RabbitMQ and the load generator "
        "run on the other cores for the run (needs the right to set their CPU affinity)",
    )
    parser.add_argument(
        "--hub-setting",
        type=hub_setting,
        action="append",
        default=[],
        metavar="HUB_NAME=VALUE",
        help="a setting for the hub processes (repeatable), e.g. HUB_RABBIT_PREFETCH=128",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotelhub-bench-") as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        if args.mode == "rabbit":
            settings = HubSettings()
            if not settings.broker_url or not settings.database_url.startswith("postgresql"):
                raise SystemExit(
                    "rabbit mode needs HUB_BROKER_URL and a postgresql+asyncpg:// HUB_DATABASE_URL"
                )
            database_url = stack.enter_context(postgres_database(settings.database_url))
            broker_url: str | None = stack.enter_context(rabbit_vhost(settings.broker_url))
        else:
            database_url, broker_url = f"sqlite+aiosqlite:///{folder / 'bench.db'}", None
        try:
            report = asyncio.run(bench(args, database_url, broker_url, folder))
        except BaseException:
            dump_logs(folder)
            raise
    print(json.dumps(report, indent=2))


def dump_logs(folder: Path) -> None:
    """The last lines of every process log of a failed run, on stderr."""
    for log in sorted(folder.glob("*.log")):
        sys.stderr.write(
            f"--- {log.name} (last lines)\n" + "\n".join(log.read_text().splitlines()[-30:]) + "\n"
        )


def hub_setting(text: str) -> tuple[str, str]:
    """A `--hub-setting HUB_NAME=VALUE` argument."""
    name, sep, value = text.partition("=")
    if not sep or not name.startswith("HUB_"):
        raise argparse.ArgumentTypeError("expected HUB_NAME=VALUE")
    return name, value


if __name__ == "__main__":
    main()
