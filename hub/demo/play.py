"""Playing the demo's scripts over HTTP, then checking that the hub holds exactly what was pushed."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import httpx
from rich.progress import Progress, TaskID

from hub.demo.partners import PartnerAnswer
from hub.demo.report import Tally
from hub.demo.scenario import Push, Reservation, Script

PER_PARTNER_CONCURRENCY = 6
Row = dict[str, Any]


def _judge(push: Push, status: int, answer: PartnerAnswer) -> str | None:
    """What is wrong with this answer, or None when it is what the partner should get."""
    res = push.reservation
    if push.expect_error is not None:
        if answer.success or push.expect_error not in answer.error_codes:
            return (
                f"{res.partner_id} {res.reservation_id}: expected OTA error {push.expect_error}, "
                f"got HTTP {status} {answer.error_codes or 'Success'}"
            )
        return None
    if status != 200 or not answer.success:
        texts = "; ".join(f"{e.type}/{e.code} {e.text}" for e in answer.errors)
        return f"{res.partner_id} {res.reservation_id} {push.step}: HTTP {status} {texts}"
    if push.step == "commit":
        res.references = answer.references
    elif push.step == "repush" and answer.references != res.references:
        return (
            f"{res.partner_id} {res.reservation_id}: a re-push was answered {answer.references}, "
            f"the first push {res.references}"
        )
    return None


async def _push(push: Push, script: Script, gate: asyncio.Semaphore, tally: Tally) -> None:
    async with gate:
        try:
            status, answer = await script.partner.push(push.message)
        except httpx.HTTPError as err:
            tally.problems.append(f"{script.partner.partner_id} {push.step}: {type(err).__name__}: {err}")
            tally.count(push.step, False)
            return
    tally.count(push.step, answer.success)
    problem = _judge(push, status, answer)
    if problem is not None:
        tally.problems.append(problem)


async def play(scripts: Sequence[Script], progress: Progress, tally: Tally) -> None:
    """Every partner plays its phases in order; partners run at the same time."""

    async def one(script: Script) -> None:
        task = progress.add_task(f"{script.partner.name} pushes", total=script.pushes)
        gate = asyncio.Semaphore(PER_PARTNER_CONCURRENCY)

        async def pushed(push: Push) -> None:
            await _push(push, script, gate, tally)
            progress.advance(task)

        for phase in script.phases:
            await asyncio.gather(*(pushed(push) for push in phase))

    await asyncio.gather(*(one(script) for script in scripts))


def accepted(scripts: Sequence[Script]) -> list[Reservation]:
    """The reservations the hub accepted (their first push was answered with a confirmation)."""
    return [res for script in scripts for res in script.reservations if res.references]


def _stay_keys(rows: Sequence[Row]) -> list[tuple[str, str, str]]:
    return sorted((r["room_type_code"], r["arrival"], r["departure"]) for r in rows)


def settled(res: Reservation, rows: Sequence[Row]) -> bool:
    """True when the hub's booking rows of this reservation show its latest revision."""
    if len(rows) != len(res.stays):
        return False
    if res.cancelled:
        return all(r["status"] == "cancelled" for r in rows)
    expected = sorted((s.room_type, s.arrival.isoformat(), s.departure.isoformat()) for s in res.stays)
    return all(r["status"] != "cancelled" for r in rows) and _stay_keys(rows) == expected


async def fetch_bookings(client: httpx.AsyncClient, base_url: str, property_code: str) -> list[Row]:
    """Every booking of the property through the PMS API."""
    rows: list[Row] = []
    while True:
        response = await client.get(
            f"{base_url}/api/v1/properties/{property_code}/bookings",
            params={"limit": 1000, "offset": len(rows)},
        )
        response.raise_for_status()
        page: list[Row] = response.json()
        rows.extend(page)
        if len(page) < 1000:
            return rows


async def await_bookings(
    client: httpx.AsyncClient,
    base_url: str,
    property_code: str,
    expected: Sequence[Reservation],
    progress: Progress,
    *,
    timeout_s: float,
) -> list[Row]:
    """Poll the PMS API until every accepted reservation is booked as last pushed, or time runs out."""
    task: TaskID = progress.add_task("hub books", total=len(expected))
    deadline = time.monotonic() + timeout_s
    while True:
        rows = await fetch_bookings(client, base_url, property_code)
        by_res: dict[tuple[str, str], list[Row]] = {}
        for row in rows:
            by_res.setdefault((row["partner_id"], row["partner_reservation_id"]), []).append(row)
        done = sum(settled(res, by_res.get((res.partner_id, res.reservation_id), [])) for res in expected)
        progress.update(task, completed=done)
        if done == len(expected) or time.monotonic() > deadline:
            return rows
        await asyncio.sleep(0.2)


def booking_problems(expected: Sequence[Reservation], rows: Sequence[Row]) -> list[str]:
    """Reservations the hub does not hold as last pushed, and bookings nobody pushed."""
    by_res: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        by_res.setdefault((row["partner_id"], row["partner_reservation_id"]), []).append(row)
    problems = [
        f"{res.partner_id} {res.reservation_id}: the hub holds "
        f"{[(r['status'], *k) for r, k in zip(found, _stay_keys(found), strict=True)]}, "
        f"expected {'cancelled' if res.cancelled else [(s.room_type, str(s.arrival)) for s in res.stays]}"
        for res in expected
        if not settled(res, found := by_res.get((res.partner_id, res.reservation_id), []))
    ]
    known = {(res.partner_id, res.reservation_id) for res in expected}
    problems += [f"unexpected booking {key[0]} {key[1]}" for key in by_res if key not in known]
    return problems


def expected_sold(expected: Sequence[Reservation]) -> Counter[tuple[str, date]]:
    """Rooms sold per (room type, night) by the reservations that are not cancelled."""
    sold: Counter[tuple[str, date]] = Counter()
    for res in expected:
        if res.cancelled:
            continue
        for stay in res.stays:
            for i in range((stay.departure - stay.arrival).days):
                sold[(stay.room_type, stay.arrival + timedelta(days=i))] += 1
    return sold


def availability_problems(
    cells: dict[tuple[str, date], dict[str, int]], sold: Counter[tuple[str, date]]
) -> list[str]:
    """Nights where the hub's sold count differs from what the partners booked."""
    return [
        f"{room} {night}: the hub has {cell['sold']} sold, the partners booked {sold[(room, night)]}"
        for (room, night), cell in sorted(cells.items())
        if cell["sold"] != sold[(room, night)]
    ]
