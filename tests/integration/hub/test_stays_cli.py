"""`hotelhub stay` and `hotelhub room` as the front desk uses them; a refusal is one line."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest
from harness import DEMO_CONFIG, PASSWORDS
from sqlalchemy import select, update
from typer.testing import CliRunner

from canonical.booking import CreateBooking, Guest, GuestCount
from canonical.stay import STAY_CHECKED_IN_V1, STAY_CHECKED_OUT_V1, STAY_MOVED_V1
from hub.cli import app
from hub.db import create_engine
from pms_core.adapters.tables import properties
from pms_core.handlers import create_direct_booking
from pms_core.unit_of_work import PmsUnitOfWork
from routes.tables import outbox

runner = CliRunner()
TODAY = date(2031, 6, 1)


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite hub database with the demo configuration, ALPINA on business date TODAY."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    for key, value in {"HUB_DATABASE_URL": database, **PASSWORDS}.items():
        monkeypatch.setenv(key, value)
    applied = runner.invoke(app, ["config", "apply", str(DEMO_CONFIG)])
    assert applied.exit_code == 0, applied.output
    return database


async def _book(url: str) -> str:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(update(properties).values(business_date=TODAY))
            view = await create_direct_booking(
                CreateBooking(
                    property_code="ALPINA",
                    room_type_code="DBL",
                    rate_plan_code="BAR",
                    arrival=TODAY,
                    departure=TODAY + timedelta(days=2),
                    occupancy=GuestCount(adults=1),
                    guests=(Guest(surname="Lee", primary=True),),
                ),
                PmsUnitOfWork(conn),
            )
        return str(view.id)
    finally:
        await engine.dispose()


async def _outbox(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(select(outbox.c.message_type).order_by(outbox.c.id))).scalars())
    finally:
        await engine.dispose()


def test_given_a_booking_when_checked_in_moved_and_out_early_then_rooms_show_it_and_events_go_out(
    url: str,
) -> None:
    booking = asyncio.run(_book(url))
    where = ["--property", "ALPINA"]

    dirty = runner.invoke(app, ["room", "housekeeping", *where, "--room", "101", "--status", "dirty"])
    refused = runner.invoke(app, ["stay", "check-in", *where, "--booking", booking, "--room", "101"])
    checked_in = runner.invoke(app, ["stay", "check-in", *where, "--booking", booking, "--room", "102"])
    listed = runner.invoke(app, ["stay", "list", *where])
    moved = runner.invoke(app, ["stay", "move", *where, "--booking", booking, "--room", "103"])
    status = runner.invoke(app, ["room", "status", *where])
    out = runner.invoke(app, ["stay", "check-out", *where, "--booking", booking, "--early"])
    after = runner.invoke(app, ["room", "status", *where, "--room", "103"])

    assert dirty.exit_code == 0, dirty.output
    assert refused.exit_code == 1 and refused.output.strip() == (
        "room 101 is dirty: it must be clean or inspected"
    )
    assert checked_in.exit_code == 0 and "in_house room 102" in checked_in.output, checked_in.output
    assert listed.exit_code == 0 and "102" in listed.output
    assert moved.exit_code == 0 and "room 103" in moved.output, moved.output
    assert "occupied" in next(line for line in status.output.splitlines() if " 103 " in line)
    assert out.exit_code == 0 and "checked_out" in out.output, out.output
    assert "vacant" in after.output and "dirty" in after.output
    types = asyncio.run(_outbox(url))
    assert [t for t in types if t.startswith("stay.")] == [
        STAY_CHECKED_IN_V1,
        STAY_MOVED_V1,
        STAY_CHECKED_OUT_V1,
    ]
