"""bench/ari.py's stage: one property, N channels on simulators in a process of their own, a hub.

The hub runs in the bench's own process (embedded transport, SQLite), so its CPU is this process's;
the simulators run in another (bench/ari_channels.py), so theirs is not counted as the hub's.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
HOTEL = "BENCH"
SIM_PASSWORD_ENV = "BENCH_ARI_SIM_PASSWORD"
SIM_PASSWORD = "bench-secret"  # the simulators' password (bench/ari_channels.py)


@dataclass(frozen=True)
class Shape:
    """The calendar and the channels: sizes, limits."""

    room_types: int = 20
    rate_plans: int = 5
    channels: int = 10
    rate_per_s: float = 20.0
    max_cells: int = 100

    def types(self) -> list[str]:
        """Room type codes."""
        return [f"R{i:02d}" for i in range(1, self.room_types + 1)]

    def plans(self) -> list[str]:
        """Rate plan codes."""
        return [f"P{i}" for i in range(1, self.rate_plans + 1)]


def write_config(folder: Path, shape: Shape, urls: Sequence[str]) -> Path:
    """The hotel, and one OTA channel per simulator URL with an identity mapping."""
    prop = {
        "code": HOTEL,
        "name": "Bench Hotel",
        "timezone": "UTC",
        "currency": "EUR",
        "room_types": [
            {
                "code": t,
                "name": f"Room type {t}",
                "max_occupancy": 2,
                "rooms": [f"{t}-{n}" for n in range(10)],
            }
            for t in shape.types()
        ],
        "rate_plans": [
            {
                "code": p,
                "name": f"Rate plan {p}",
                "room_types": shape.types(),
                "default_rates": {t: "100.00" for t in shape.types()},
            }
            for p in shape.plans()
        ],
    }
    partners = []
    for i, url in enumerate(urls, 1):
        pid = f"ch{i:02d}"
        mapping = folder / f"{pid}.yaml"
        mapping.write_text(
            yaml.safe_dump(
                {
                    "partner": pid,
                    "properties": [
                        {
                            "property": HOTEL,
                            "hotel_code": HOTEL,
                            "room_types": {t: t for t in shape.types()},
                            "rate_plans": {p: p for p in shape.plans()},
                        }
                    ],
                }
            ),
            encoding="utf-8",
        )
        partners.append(
            {
                "id": pid,
                "kind": "ota",
                "name": f"Channel {i}",
                "properties": [HOTEL],
                "credentials": {"username": pid, "password_env": SIM_PASSWORD_ENV},
                "outbound": {
                    "url": f"{url}/ota",
                    "credentials": {"username": "hub", "password_env": SIM_PASSWORD_ENV},
                    "policy": {
                        "retry": {"delays_s": [0.5, 1, 5]},
                        "rate_limit": {"max_rate": shape.rate_per_s, "period_s": 1},
                        "timeout_s": 15,
                    },
                    "ari": {"max_cells": shape.max_cells},
                },
                "mapping": str(mapping),
            }
        )
    path = folder / "hub.yaml"
    path.write_text(
        yaml.safe_dump({"version": 1, "properties": [prop], "partners": partners}), encoding="utf-8"
    )
    return path


class Simulators:
    """The simulator process: start, command, read back."""

    def __init__(self, count: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.ari_channels", "--count", str(count)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.urls: list[str] = json.loads(self.proc.stdout.readline())

    def command(self, line: str) -> None:
        """Send one command and wait for its `ok`."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if answer != "ok":
            raise RuntimeError(f"simulators answered {answer!r} to {line!r}")

    def dump(self, folder: Path) -> list[dict[str, Any]]:
        """Every channel's calls, stats and receipts."""
        path = folder / f"dump-{time.monotonic_ns()}.json"
        self.command(f"dump {path}")
        data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        path.unlink()
        return data

    def close(self) -> None:
        """Stop the process (its own id only)."""
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def start_hub(folder: Path, config: Path) -> Any:
    """Migrate a fresh SQLite file, apply the configuration, build and start the hub, senders held."""
    from hub.bootstrap import build_hub
    from hub.config import load_config
    from hub.config_apply import apply_config
    from hub.db import create_engine
    from hub.schema import upgrade_async
    from hub.settings import HubSettings

    os.environ[SIM_PASSWORD_ENV] = SIM_PASSWORD  # the hub reads outbound passwords from its environment
    url = f"sqlite+aiosqlite:///{folder / 'hub.db'}"
    await upgrade_async(url)
    secrets = {SIM_PASSWORD_ENV: SIM_PASSWORD}
    engine = create_engine(url)
    try:
        await apply_config(engine, load_config(config, secrets), secrets)
    finally:
        await engine.dispose()
    hub = build_hub(
        HubSettings(
            database_url=url,
            card_vault_key_file=folder / "vault.key",
            log_json=False,
        )
    )
    ari, hub.ari = hub.ari, None
    await hub.start(consume=True, relay=True)
    hub.ari = ari
    return hub


async def settled(hub: Any) -> None:
    """Wait until the outbox has nothing pending (every change marked for its channels)."""
    while True:
        async with hub.engine.connect() as conn:
            pending = (
                await conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'pending'"))
            ).scalar()
        if not pending:
            return
        await asyncio.sleep(0.01)


async def nothing_pending(hub: Any) -> bool:
    """True when neither the outbox nor any channel has anything pending (two index probes: the
    bench polls this while the hub works, so it must cost the hub next to nothing)."""
    async with hub.engine.connect() as conn:
        outbox = (await conn.execute(text("SELECT 1 FROM outbox WHERE status = 'pending' LIMIT 1"))).first()
        if outbox is not None:
            return False
        return (await conn.execute(text("SELECT 1 FROM ari_pending LIMIT 1"))).first() is None


async def pending_cells(hub: Any) -> int:
    """Cells pending for any channel."""
    async with hub.engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM ari_pending"))).scalar() or 0)


async def clear_pending(hub: Any) -> None:
    """Forget what is pending (what `config apply` and the set-up announced): the bench starts clean."""
    await settled(hub)
    async with hub.engine.begin() as conn:
        await conn.execute(text("DELETE FROM ari_pending"))


async def set_calendar(hub: Any, shape: Shape, first: date, nights: int) -> None:
    """Store a calendar: per plan weekday and weekend amounts, a 2-night minimum on Fri and Sat."""
    from canonical.ari import AriPatch, RatesPatch, RestrictionsPatch, SetAri, Weekday

    last = first + timedelta(days=nights - 1)
    week = frozenset({Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU})
    weekend = frozenset({Weekday.FRI, Weekday.SAT, Weekday.SUN})
    patches = []
    for t_i, t in enumerate(shape.types()):
        for p_i, p in enumerate(shape.plans()):
            base = 100 + 5 * t_i + p_i
            for days, extra in ((week, 0), (weekend, 30)):
                rates = RatesPatch(amount=f"{base + extra}.00")
                patches.append(
                    AriPatch(
                        room_type=t,
                        rate_plan=p,
                        first_night=first,
                        last_night=last,
                        weekdays=days,
                        rates=rates,
                    )
                )
        patches.append(
            AriPatch(
                room_type=t,
                first_night=first,
                last_night=last,
                weekdays=frozenset({Weekday.FRI, Weekday.SAT}),
                restrictions=RestrictionsPatch(min_los=2),
            )
        )
    await apply_set_ari(hub, SetAri(property=HOTEL, patches=tuple(patches)))


async def apply_set_ari(hub: Any, cmd: Any) -> Any:
    """One SetAri through `handle_set_ari`, its events to the outbox in the same transaction (as the API)."""
    from hub.ari_outbox import write_routed
    from pms_core.ari import handle_set_ari
    from pms_core.unit_of_work import PmsUnitOfWork

    async with hub.engine.begin() as conn:
        uow = PmsUnitOfWork(conn)
        outcome = await handle_set_ari(cmd, uow)
        await write_routed(conn, hub.table, uow.events, property_code=HOTEL)
    if hub.dispatcher is not None:
        hub.dispatcher.notify()
    return outcome
