"""The night audit's scheduler on SQLite and PostgreSQL: a day closes at its audit time, a hub
that was down catches up, two schedulers at once close each day once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from harness import DEMO_CONFIG, apply_file
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.revenue import REVENUE_DAY_CLOSED_V1
from hub.ari_outbox import offline_table
from hub.night_audit_schedule import NightAuditSchedule
from pms_core.adapters.day_close_tables import day_closes
from pms_core.adapters.tables import properties
from routes.tables import outbox

D0 = date(2031, 6, 1)
# ALPINA is in Europe/Rome (UTC+2 in June); the demo leaves its audit time at 03:00.
BEFORE_AUDIT = datetime(2031, 6, 2, 0, 59, tzinfo=UTC)  # 02:59 in Rome on D0 + 1
AT_AUDIT = datetime(2031, 6, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
async def alpina(engine: AsyncEngine, database_url: str) -> AsyncEngine:
    """The demo configuration applied, ALPINA on business date D0."""
    await apply_file(database_url, DEMO_CONFIG)
    async with engine.begin() as conn:
        await conn.execute(update(properties).where(properties.c.code == "ALPINA").values(business_date=D0))
    return engine


def _schedule(engine: AsyncEngine, now: datetime) -> NightAuditSchedule:
    return NightAuditSchedule(engine, offline_table(engine), clock=lambda: now)


async def _state(engine: AsyncEngine) -> tuple[date, list[date], int]:
    async with engine.connect() as conn:
        current = (
            await conn.execute(select(properties.c.business_date).where(properties.c.code == "ALPINA"))
        ).scalar_one()
        closed = list(
            (
                await conn.execute(select(day_closes.c.business_date).order_by(day_closes.c.business_date))
            ).scalars()
        )
        events = (
            await conn.execute(
                select(func.count()).select_from(outbox).where(outbox.c.message_type == REVENUE_DAY_CLOSED_V1)
            )
        ).scalar_one()
    return current, closed, int(events)


async def test_given_a_business_date_when_its_audit_time_comes_then_it_closes_and_not_a_minute_before(
    alpina: AsyncEngine,
) -> None:
    early = await _schedule(alpina, BEFORE_AUDIT).run_once()
    assert early == [] and await _state(alpina) == (D0, [], 0)

    closed = await _schedule(alpina, AT_AUDIT).run_once()

    assert len(closed) == 1 and "2031-06-01 closed" in closed[0]
    assert await _state(alpina) == (D0 + timedelta(days=1), [D0], 1)


async def test_given_a_hub_down_two_nights_when_two_schedulers_start_at_once_then_each_day_closes_once(
    alpina: AsyncEngine,
) -> None:
    later = AT_AUDIT + timedelta(days=1)

    rounds = await asyncio.gather(_schedule(alpina, later).run_once(), _schedule(alpina, later).run_once())

    assert await _state(alpina) == (D0 + timedelta(days=2), [D0, D0 + timedelta(days=1)], 2)
    closed_lines = [line for lines in rounds for line in lines if " closed:" in line]
    assert len(closed_lines) == 2
