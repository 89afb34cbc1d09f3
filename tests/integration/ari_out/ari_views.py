"""What a channel should show: the core's cells under the channel's codes, as the simulator folds them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from pms_core.ari import availability_cells, rate_cells

HOTEL = "ALP-4711"
ROOMS = {
    "DBL": "DZSTD",
    "DSUP": "DZSUP",
    "FAM": "FAMZI",
    "JSU": "JSUITE",
}  # examples/mappings/ota/otaone.yaml
PLANS = {"BAR": "FLEX1", "NREF": "NRF1"}
TWO_HOTEL = "100872"  # examples/mappings/ota/otatwo.yaml
TWO_ROOMS = {"DBL": "10087201", "DSUP": "10087202", "FAM": "10087203", "JSU": "10087204"}
TWO_PLANS = {"BAR": "5501", "NREF": "5502"}


async def core_view(
    engine: AsyncEngine,
    first: date,
    last: date,
    rooms_as: dict[str, str] = ROOMS,
    plans_as: dict[str, str] = PLANS,
) -> dict[str, Any]:
    """The core's availability, rates and restrictions of ALPINA over first..last under a channel's
    codes (OTA One's unless told)."""
    shown: dict[str, Any] = {"availability": {}, "rates": {}, "restrictions": {}}
    async with engine.connect() as conn:
        rooms = await availability_cells(conn, "ALPINA", first, last)
        cells = await rate_cells(conn, "ALPINA", first, last)
    for room in rooms:
        shown["availability"].setdefault(rooms_as[room.room_type], {})[room.night] = room.available
    for cell in cells:
        rates, room, plan = cell.rates, rooms_as[cell.room_type], plans_as[cell.rate_plan]
        shown["rates"].setdefault(room, {}).setdefault(plan, {})[cell.night] = {
            # a nightly amount goes out only when no per-occupancy amount does
            "amount": rates.amount if not rates.by_occupancy else None,
            "by_guests": dict(rates.by_occupancy),
            "extra_adult": rates.extra_adult,
            "extra_child": rates.extra_child,
            "currency": "EUR",
        }
        shown["restrictions"].setdefault(room, {}).setdefault(plan, {})[cell.night] = (
            cell.restrictions.model_dump(exclude={"same_day_cutoff"})
        )
    return shown


async def eventually(check: Callable[[], Awaitable[bool]], *, what: str, timeout: float = 30.0) -> None:
    """Wait for an effect; fail naming it when it does not come."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
