"""ARI distribution: full sync to rate-limited channels, a storm of changes, cost of one change.

    python -m bench.ari [--part full|storm|cost|all] [--scale 1.0] [--max-cells 100] [--seed 7]

Prints JSON; asserts no timing. The hub runs in this process on the embedded transport (SQLite); the
channel simulators (connectors/ota/simulator) in a process of their own on 127.0.0.1 (bench/ari_channels.py).
Figures are explained in bench/README.md ("bench/ari.py").
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import cProfile
import json
import math
import random
import statistics
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.ari_setup import (
    HOTEL,
    Shape,
    Simulators,
    apply_set_ari,
    clear_pending,
    nothing_pending,
    pending_cells,
    set_calendar,
    settled,
    start_hub,
    write_config,
)
from bench.ingest import machine

_KIND = {
    "OTA_HotelRateAmountNotifRQ": "rates",
    "OTA_HotelAvailNotifRQ": "restrictions",
    "OTA_HotelInvCountNotifRQ": "availability",
}


def _q(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)], 3)


async def _drained(hub: Any, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await nothing_pending(hub):
            return True
        await asyncio.sleep(0.05)  # drain times come from the channels' arrival times, not this poll
    return False


def _first_night() -> date:
    from canonical.base import utcnow

    return utcnow().date()


async def full_sync(shape: Shape, nights: int, folder: Path, profile: Path | None = None) -> dict[str, Any]:
    """Resync every channel over `nights` nights; messages vs the minimum, drain vs the rate bound
    (`profile`: the drain alone profiled into that file, for pstats)."""
    from routes.ari_resync import mark_resync

    sims = Simulators(shape.channels)
    hub = await start_hub(folder, write_config(folder, shape, sims.urls))
    try:
        first = _first_night()
        last = first + timedelta(days=nights - 1)
        await set_calendar(hub, shape, first, nights)
        await clear_pending(hub)
        marked = 0
        async with hub.engine.begin() as conn:
            for i in range(1, shape.channels + 1):
                marked += (await mark_resync(conn, f"ch{i:02d}", first, last)).cells
        sims.command("reset")
        started = time.time()
        cpu0 = time.process_time()
        profiler = cProfile.Profile() if profile is not None else None
        if profiler is not None:
            profiler.enable()
        hub.ari.start()
        bound = shape.room_types * (1 + 2 * shape.rate_plans) * nights / shape.max_cells / shape.rate_per_s
        drained = await _drained(hub, timeout_s=min(900.0, 60 + 10 * bound))
        left = await pending_cells(hub)
        done = time.time()
        cpu = time.process_time() - cpu0
        if profiler is not None and profile is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        reports = sims.dump(folder)
    finally:
        await hub.stop()
        sims.close()
    channels = []
    for report in reports:
        calls = report["calls"]
        cells: Counter[str] = Counter()
        sent_bytes: Counter[str] = Counter()
        for call in calls:
            cells[_KIND.get(call["message"], call["message"])] += call["cells"]
            sent_bytes[_KIND.get(call["message"], call["message"])] += call["bytes"]
        max_bytes = 1024 * 1024  # the policy's max_message_bytes (no outbound.ari.max_bytes set)
        minimum = sum(
            max(math.ceil(cells[k] / shape.max_cells), math.ceil(sent_bytes[k] / max_bytes)) for k in cells
        )
        drain_s = (max(c["at"] for c in calls) - started) if calls else None
        bound_s = len(calls) / shape.rate_per_s
        channels.append(
            {
                "messages": len(calls),
                "min_messages": minimum,
                "cells_sent": dict(cells),
                "outcomes": dict(Counter(c["outcome"] for c in calls)),
                "drain_s": round(drain_s, 2) if drain_s is not None else None,
                "bound_s": round(bound_s, 2),
                "drain_over_bound": round(drain_s / bound_s, 3) if drain_s and bound_s else None,
                "max_per_second": report["stats"]["max_per_second"].get("*", {}).get("*"),
            }
        )
    ratios = [c["drain_over_bound"] for c in channels if c["drain_over_bound"] is not None]
    return {
        "cells_in_core": {
            "rates_and_restrictions": 2 * nights * shape.room_types * shape.rate_plans,
            "availability": nights * shape.room_types,
        },
        "pending_marked": marked,
        "drained": drained,
        "pending_left": left,  # cells still pending when the bench stopped waiting (drained: 0)
        "wall_s": round(done - started, 2),
        "hub_cpu_s": round(cpu, 2),
        "messages_total": sum(c["messages"] for c in channels),
        "min_messages_total": sum(c["min_messages"] for c in channels),
        "drain_over_bound_max": max(ratios) if ratios else None,
        "drain_over_bound_median": statistics.median(ratios) if ratios else None,
        "target": "drain <= 1.1 x messages / rate limit",
        "channels": channels,
    }


async def storm(
    shape: Shape,
    changes: int,
    window_s: float,
    batch: int,
    seed: int,
    folder: Path,
    max_storm_s: float = 60.0,
) -> dict[str, Any]:
    """`changes` random rate changes over `window_s` through handle_set_ari; change-to-delivery per cell."""
    from canonical.ari import AriPatch, RatesPatch, SetAri

    rng = random.Random(seed)
    nights = 365
    sims = Simulators(shape.channels)
    hub = await start_hub(folder, write_config(folder, shape, sims.urls))
    try:
        first = _first_night()
        await set_calendar(hub, shape, first, nights)
        await clear_pending(hub)
        hub.ari.start()
        await _drained(hub, 30)
        sims.command("reset")
        sims.command("record")
        types, plans = shape.types(), shape.plans()
        batches = []
        for _ in range(0, changes, batch):
            cells = [
                (rng.choice(types), rng.choice(plans), first + timedelta(days=rng.randrange(nights)))
                for _ in range(batch)
            ]
            amounts = [f"{rng.randrange(5_000, 30_000) / 100:.2f}" for _ in cells]
            patches = tuple(
                AriPatch(room_type=t, rate_plan=p, first_night=n, last_night=n, rates=RatesPatch(amount=a))
                for (t, p, n), a in zip(cells, amounts, strict=True)
            )
            batches.append((SetAri(property=HOTEL, patches=patches), cells, amounts))
        changed_at: dict[tuple[str, str, date], list[float]] = defaultdict(list)
        final: dict[tuple[str, str, date], str] = {}
        interval = window_s / len(batches)
        cpu0 = time.process_time()
        started = time.time()
        really = 0
        sent = 0
        for i, (cmd, cells, amounts) in enumerate(batches):
            if time.time() - started > max_storm_s:
                break  # bounded in time: a hub slower than the storm says so in `changes_sent`
            sent += len(cells)
            await asyncio.sleep(max(0.0, started + i * interval - time.time()))
            outcome = await apply_set_ari(hub, cmd)
            really += outcome.cells
            at = time.time()
            for cell, amount in zip(cells, amounts, strict=True):
                changed_at[cell].append(at)
                final[cell] = amount
        storm_s = time.time() - started
        drained = await _drained(hub, max_storm_s * 3)
        cpu = time.process_time() - cpu0
        reports = sims.dump(folder)
    finally:
        await hub.stop()
        sims.close()
    per_change: list[float] = []
    per_cell: list[float] = []
    missing = 0
    messages = []
    for report in reports:
        receipts = report["receipts"]
        messages.append(len(report["calls"]))
        for (t, p, n), times in changed_at.items():
            got = receipts.get(f"{t}|{p}|{n.isoformat()}", [])
            if not got or got[-1] < times[-1]:
                missing += 1
                continue
            per_cell.append(got[-1] - times[-1])
            for at in times:
                j = bisect.bisect_left(got, at)
                per_change.append(got[j] - at)
    return {
        "changes_asked": changes,
        "changes_sent": sent,
        "cells_really_changed": really,
        "distinct_cells": len(changed_at),
        "storm_s": round(storm_s, 2),
        "drained": drained,
        "change_to_delivery_s": {
            "per_cell_last_change": {
                "p50": _q(per_cell, 0.5),
                "p99": _q(per_cell, 0.99),
                "max": _q(per_cell, 1.0),
            },
            "per_change_first_receipt": {
                "p50": _q(per_change, 0.5),
                "p99": _q(per_change, 0.99),
                "max": _q(per_change, 1.0),
            },
            "cells_without_a_receipt_after_their_last_change": missing,
        },
        "target": "p99 change-to-delivery <= 2 s",
        "messages_per_channel": messages,
        "hub_cpu_s": round(cpu, 2),
        "hub_cpu_ms_per_change": round(1000 * cpu / max(sent, 1), 3),
    }


class Statements:
    """Counts the statements the hub's engines execute."""

    def __init__(self, *engines: Any) -> None:
        self.count = 0
        for engine in {id(e): e for e in engines}.values():
            event.listen(engine.sync_engine, "before_cursor_execute", self._one)

    def _one(self, *args: Any) -> None:
        self.count += 1


async def cost(shape: Shape, nights: int, folder: Path) -> dict[str, Any]:
    """One rate change with `nights` nights stored: statements and CPU to mark it and to send it."""
    from canonical.ari import AriPatch, RatesPatch, SetAri

    sims = Simulators(shape.channels)
    hub = await start_hub(folder, write_config(folder, shape, sims.urls))
    try:
        first = _first_night()
        await set_calendar(hub, shape, first, nights)
        await clear_pending(hub)
        statements = Statements(hub.engine, hub.reader)
        ari = hub.ari
        # idle baseline: what the dispatcher's polling costs over a second with nothing to do
        s0, c0 = statements.count, time.process_time()
        await asyncio.sleep(1.0)
        idle_statements, idle_cpu = statements.count - s0, time.process_time() - c0
        # a first change builds each channel's outbound client (and its SSL context): not measured
        warm = AriPatch(
            room_type="R02",
            rate_plan="P2",
            first_night=first,
            last_night=first,
            rates=RatesPatch(amount="99.99"),
        )
        await apply_set_ari(hub, SetAri(property=HOTEL, patches=(warm,)))
        await settled(hub)
        for i in range(1, shape.channels + 1):
            await ari.drain(f"ch{i:02d}")
        sims.command("reset")
        night = first + timedelta(days=nights // 2)
        cmd = SetAri(
            property=HOTEL,
            patches=(
                AriPatch(
                    room_type="R01",
                    rate_plan="P1",
                    first_night=night,
                    last_night=night,
                    rates=RatesPatch(amount="123.45"),
                ),
            ),
        )
        s0, c0, w0 = statements.count, time.process_time(), time.monotonic()
        await apply_set_ari(hub, cmd)
        await settled(hub)
        mark = (statements.count - s0, time.process_time() - c0, time.monotonic() - w0)
        s0, c0, w0 = statements.count, time.process_time(), time.monotonic()
        for i in range(1, shape.channels + 1):
            await ari.drain(f"ch{i:02d}")
        send = (statements.count - s0, time.process_time() - c0, time.monotonic() - w0)
        reports = sims.dump(folder)
    finally:
        await hub.stop()
        sims.close()

    def net(taken: tuple[int, float, float]) -> dict[str, float]:
        # what the same wall time costs with nothing to do (the dispatcher's polling) taken out
        return {
            "statements": round(taken[0] - idle_statements * taken[2], 1),
            "cpu_ms": round(1000 * (taken[1] - idle_cpu * taken[2]), 2),
        }

    return {
        "nights_stored": nights,
        "mark_net_of_idle": net(mark),
        "send_net_of_idle": net(send),
        "cells_stored": 2 * nights * shape.room_types * shape.rate_plans + nights * shape.room_types,
        "idle_per_s": {"statements": idle_statements, "cpu_ms": round(1000 * idle_cpu, 2)},
        "mark": {
            "statements": mark[0],
            "cpu_ms": round(1000 * mark[1], 2),
            "wall_ms": round(1000 * mark[2], 1),
        },
        "send_to_all_channels": {
            "statements": send[0],
            "cpu_ms": round(1000 * send[1], 2),
            "wall_ms": round(1000 * send[2], 1),
            "messages": sum(len(r["calls"]) for r in reports),
            "cells": sum(c["cells"] for r in reports for c in r["calls"]),
        },
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """The parts asked for, each in a temporary folder of its own."""
    out: dict[str, Any] = {"scale": args.scale, "max_cells": args.max_cells, "mode": "embedded"}
    nights = max(7, round(365 * args.scale))
    parts = ("full", "storm", "cost") if args.part == "all" else (args.part,)
    for part in parts:
        with tempfile.TemporaryDirectory(prefix=f"hh-bench-ari-{part}-") as tmp:
            folder = Path(tmp)
            if part == "full":
                shape = Shape(max_cells=args.max_cells, rate_per_s=20.0)
                out["full_sync"] = {
                    "nights": nights,
                    "channels": shape.channels,
                    "rate_per_s": 20.0,
                } | await full_sync(shape, nights, folder, args.profile)
            elif part == "storm":
                shape = Shape(max_cells=args.max_cells, rate_per_s=10_000.0)
                changes = max(1_000, round(100_000 * args.scale))
                out["storm"] = await storm(shape, changes, 10.0, args.batch, args.seed, folder)
            else:
                out["cost_one_change"] = []
                for years in (1, 3):
                    with tempfile.TemporaryDirectory(prefix="hh-bench-ari-cost-") as sub:
                        shape = Shape(max_cells=args.max_cells)
                        out["cost_one_change"].append(await cost(shape, 365 * years, Path(sub)))
    out["machine"] = machine()
    out["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return out


def main() -> None:
    """Parse options, run, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("full", "storm", "cost", "all"), default="all")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="nights and changes times this (1: the full figures)"
    )
    parser.add_argument("--max-cells", type=int, default=100, help="the channels' outbound.ari.max_cells")
    parser.add_argument("--batch", type=int, default=1_000, help="changes per SetAri in the storm")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=Path, help="profile the full sync's drain into this file")
    out = asyncio.run(run(parser.parse_args()))
    out["commit"] = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
