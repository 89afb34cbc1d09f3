"""Front desk under load: check-ins, folio postings and check-outs from concurrent clients through
`hotelhub serve`'s REST API; p50/p95/p99 per call, by kind, as JSON.

    python -m bench.front_desk [--mode postgres|embedded] [--clients 50] [--arrivals 400]
                               [--rooms 1000] [--url postgresql+asyncpg://...]

postgres: a fresh database on the server of --url (dropped afterwards); embedded: a fresh SQLite
file. Either way the property (bench/stays.py's: 10 room types, VAT 10 % inclusive and a city tax
per person-night) is seeded with, on its business date: `--arrivals` confirmed bookings arriving
today, each with a primary guest and a vacant clean room of its type set aside for it, and as many
guests in house leaving today, each with its open folio. Then one `hotelhub serve` runs as a user
runs it (bearer token, log level WARNING) and `--clients` front-desk clients share the work: client
k takes every k-th arrival and departure and, for each, checks the arrival in to the room set aside
(`check_in`), posts one or two charges to the departing guest's folio (`post`), and checks that
guest out (`check_out`). A check-in and a check-out of one guest cannot both fall on one business
date (a check-out is due on the departure date, a check-in the day before it at the latest), hence
an arrival and a departure per turn, as a front desk's day mixes them. No two clients ever ask
for the same room, so a `409 room-occupied` is a fault, counted under `errors`, never hidden;
`--contend` gives every check-in a room of its type that another client also asks for, to measure
the refusals on purpose.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import insert, select

from bench.ingest import (
    Sampler,
    dump_logs,
    free_port,
    hub_setting,
    machine,
    postgres_database,
    start,
    wait_ready,
)
from bench.stays import DAY, DEFAULT_URL, HOTEL, booking_row, nights_of, seed_in_house, seed_property
from connectors.payments.vault import generate_key
from hub.db import create_engine
from hub.schema import upgrade_async
from pms_core.adapters.bulk import UnnestInsert
from pms_core.adapters.tables import booking_guests, booking_nights, bookings, rooms

# `hotelhub serve` under cProfile, with the time and count of each SQL statement, from the start
# on; SIGUSR1 writes the profile and PATH.sql.json.
PROFILED = """
import cProfile, json, signal, sys, time
from collections import defaultdict
from sqlalchemy import event
from sqlalchemy.engine import Engine
from hub.cli import app
profile = cProfile.Profile()
spent = defaultdict(lambda: [0, 0.0])  # statement: [times run, seconds from execute to its rows]

@event.listens_for(Engine, "before_cursor_execute")
def _before(conn, cursor, statement, parameters, context, executemany):
    conn.info.setdefault("started", []).append(time.perf_counter())

@event.listens_for(Engine, "after_cursor_execute")
def _after(conn, cursor, statement, parameters, context, executemany):
    took = time.perf_counter() - conn.info["started"].pop()
    entry = spent[" ".join(statement.split())[:160]]
    entry[0] += 1
    entry[1] += took

def _dump(*_):
    profile.disable()
    profile.dump_stats({path!r})
    top = sorted(spent.items(), key=lambda item: -item[1][1])
    with open({path!r} + ".sql.json", "w") as out:
        json.dump([dict(sql=k, runs=n, seconds=round(t, 3)) for k, (n, t) in top], out, indent=1)

signal.signal(signal.SIGUSR1, _dump)
profile.enable()
sys.argv[0] = "hotelhub"
app()
"""
KINDS = ("check_in", "post", "check_out")
WARM_UP = 20  # turns before the clock starts: the hub's connections, prepared statements and caches


@dataclass(frozen=True)
class Turn:
    """One arrival to check in to its room and one departure to charge and check out."""

    booking_id: UUID
    room: str
    stay_id: UUID
    folio_id: UUID


async def seed(url: str, size: int, count: int, contend: bool) -> list[Turn]:
    """Migrate, seed the property with `count` arrivals and `count` departures; the turns, in order."""
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            prop_id, plan_id, all_rooms = await seed_property(conn, size)
            if 2 * count > len(all_rooms):
                raise SystemExit(f"{count} arrivals and {count} departures need {2 * count} rooms")
            number = {r.id: r.number for r in await conn.execute(select(rooms.c.id, rooms.c.number))}
            leaving, ready = all_rooms[:count], all_rooms[count : 2 * count]
            departures = await seed_in_house(
                conn, prop_id, plan_id, leaving, DAY - timedelta(days=2), DAY, prefix="D"
            )
            if contend:
                # Each arrival's room is also the next arrival of the same type's: pairs of clients race.
                ready = [ready[i - i % 2] for i in range(len(ready))]
            arrivals = [
                booking_row(prop_id, plan_id, type_id, f"A{n:06d}", DAY, DAY + timedelta(days=2), "confirmed")
                for n, (_, type_id) in enumerate(ready)
            ]
            await UnnestInsert(bookings).execute(conn, arrivals)
            await UnnestInsert(booking_nights).execute(conn, [n for b in arrivals for n in nights_of(b)])
            await conn.execute(insert(booking_guests), [_guest(n, b["id"]) for n, b in enumerate(arrivals)])
    finally:
        await engine.dispose()
    return [
        Turn(booking["id"], number[room_id], stay_id, folio_id)
        for booking, (room_id, _), (stay_id, folio_id) in zip(arrivals, ready, departures, strict=True)
    ]


def _guest(n: int, booking_id: UUID) -> dict[str, Any]:
    fields = ("name_prefix", "phone", "address_line", "city", "postal_code", "country_code", "language")
    return {
        "booking_id": booking_id,
        "position": 0,
        "given_name": "Guest",
        "surname": f"Arrival{n:05d}",
        "email": f"arrival{n:05d}@example.org",
        "is_primary": True,
        **dict.fromkeys(fields),
    }


class Desk:
    """The clients' shared record: latency by kind, outcomes by kind and status (409s by problem type)."""

    def __init__(self, http: httpx.AsyncClient, base: str) -> None:
        self.http, self.base = http, f"{base}/api/v1/properties/{HOTEL}"
        self.latency: dict[str, list[float]] = {kind: [] for kind in KINDS}
        self.errors: Counter[str] = Counter()
        self.recording = False

    async def call(self, kind: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """One POST; its latency counted under `kind` (refusals too); the answer when 2xx."""
        started = time.perf_counter()
        try:
            response = await self.http.post(self.base + path, json=body)
        except httpx.HTTPError as err:
            self.errors[f"{kind}:transport:{type(err).__name__}"] += 1
            return None
        elapsed = time.perf_counter() - started
        if not self.recording:
            return response.json() if response.is_success else None
        self.latency[kind].append(elapsed)
        if response.is_success:
            return dict(response.json())
        problem = response.json().get("type", "") if response.content else ""
        self.errors[f"{kind}:{response.status_code}:{str(problem).replace(':', '/').rsplit('/', 1)[-1]}"] += 1
        return None

    async def turn(self, turn: Turn, charges: int) -> None:
        """Check the arrival in, post to the departing guest's folio, check that guest out."""
        await self.call("check_in", f"/bookings/{turn.booking_id}/check-in", {"room": turn.room})
        for n in range(charges):
            charge = {"transaction_code": "ROOM", "unit_amount": f"{30 + 5 * n}.00", "persons": 2}
            await self.call("post", f"/folios/{turn.folio_id}/charges", charge)
        await self.call("check_out", f"/stays/{turn.stay_id}/check-out")


def _ms(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1) if ordered else None


def percentiles(values: list[float]) -> dict[str, Any]:
    """Calls, p50/p95/p99 and max in ms."""
    return {
        "calls": len(values),
        **{f"p{round(q * 100)}_ms": _ms(values, q) for q in (0.50, 0.95, 0.99)},
        "max_ms": _ms(values, 1.0),
    }


def start_serve(
    port: int, env: dict[str, str], folder: Path, profile: Path | None
) -> subprocess.Popen[bytes]:
    """`hotelhub serve` on the port, or the same under cProfile."""
    if profile is None:
        return start("serve", ["serve", "--port", str(port)], env, folder)
    log = (folder / "serve.log").open("wb")
    command = [sys.executable, "-c", PROFILED.format(path=str(profile.resolve())), "serve"]
    return subprocess.Popen([*command, "--port", str(port)], env=env, stdout=log, stderr=log)


async def run(args: argparse.Namespace, url: str, folder: Path) -> dict[str, Any]:
    """Seed, start the hub, drive the clients; the figures."""
    seeded = time.perf_counter()
    turns = await seed(url, args.rooms, WARM_UP + args.arrivals, args.contend)
    seeded = time.perf_counter() - seeded
    rng = random.Random(args.seed)
    charges = [rng.choice((1, 2)) for _ in turns]
    token = secrets.token_urlsafe(24)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_DATABASE_URL=url,
        HUB_API_TOKEN=token,
        HUB_LOG_LEVEL="WARNING",
        HUB_CARD_VAULT_KEY=base64.b64encode(generate_key()).decode(),
    )
    env.update(args.hub_setting)
    port = free_port()
    serve = start_serve(port, env, folder, args.profile)
    try:
        base = f"http://127.0.0.1:{port}"
        await wait_ready(base, serve)
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(limits=limits, timeout=60.0, headers=headers) as http:
            desk = Desk(http, base)
            for n in range(WARM_UP):
                await desk.turn(turns[n], charges[n])
            sampler = Sampler({"serve": serve})
            sampling = asyncio.create_task(sampler.run())
            await asyncio.sleep(0.15)
            cpu_before = dict(sampler.cpu)
            load_before = os.getloadavg()
            desk.recording = True
            started = time.perf_counter()

            async def client(k: int) -> None:
                for n in range(WARM_UP + k, len(turns), args.clients):
                    await desk.turn(turns[n], charges[n])

            await asyncio.gather(*(client(k) for k in range(args.clients)))
            wall = time.perf_counter() - started
            await asyncio.sleep(0.15)
            sampling.cancel()
            if args.profile:
                serve.send_signal(signal.SIGUSR1)
                await asyncio.sleep(3)
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=30)
        except Exception:
            serve.kill()
    every = [latency for kind in KINDS for latency in desk.latency[kind]]
    return {
        "mode": args.mode,
        "clients": args.clients,
        "rooms": args.rooms,
        "arrivals": args.arrivals,
        "departures": args.arrivals,
        "contend": args.contend,
        "calls_by_kind": {kind: len(desk.latency[kind]) for kind in KINDS},
        "by_kind": {kind: percentiles(desk.latency[kind]) for kind in KINDS},
        "overall": percentiles(every),
        "errors": dict(sorted(desk.errors.items())),
        "calls_per_s": round(len(every) / wall, 1),
        "seconds": {"load": round(wall, 2), "seed": round(seeded, 2)},
        "serve": {
            "cpu_seconds": round(sampler.cpu["serve"] - cpu_before["serve"], 2),
            "cpu_ms_per_call": round(
                (sampler.cpu["serve"] - cpu_before["serve"]) * 1000 / max(1, len(every)), 2
            ),
            "peak_rss_mb": round(sampler.peak["serve"] / 2**20, 1),
        },
        "load_average_before": [round(x, 2) for x in load_before],
        "machine": machine(),
    }


def main() -> None:
    """Parse options, make the database, run, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--mode", choices=("postgres", "embedded"), default="postgres")
    parser.add_argument("--clients", type=int, default=50, help="concurrent front-desk clients")
    parser.add_argument("--arrivals", type=int, default=400, help="arrivals (and as many departures)")
    parser.add_argument(
        "--rooms", type=int, default=1000, help="rooms of the property (at least 2 x (arrivals + 20))"
    )
    parser.add_argument("--url", default=DEFAULT_URL, help="the PostgreSQL server (postgres mode)")
    parser.add_argument("--seed", type=int, default=2031, help="picks one or two charges a turn")
    parser.add_argument(
        "--contend", action="store_true", help="pairs of clients ask for the same room (409s on purpose)"
    )
    parser.add_argument(
        "--profile", type=Path, help="run serve under cProfile and write its profile here (slower)"
    )
    parser.add_argument(
        "--hub-setting",
        type=hub_setting,
        action="append",
        default=[],
        metavar="HUB_NAME=VALUE",
        help="a setting for `hotelhub serve` (repeatable)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotelhub-front-desk-") as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        if args.mode == "postgres":
            url = stack.enter_context(postgres_database(args.url))
        else:
            url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        try:
            report = asyncio.run(run(args, url, folder))
        except BaseException:
            dump_logs(folder)
            raise
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
