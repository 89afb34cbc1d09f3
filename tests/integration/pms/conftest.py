"""Fixtures for PMS core integration tests: the same tests on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pms_builders import ARRIVAL, a_property
from pms_driver import PmsDriver
from services import postgres_database
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from stay_driver import StayDriver

from hub.db import create_engine
from hub.schema import upgrade
from pms_core.adapters.tables import metadata

# 2 x pool_size connections at most: enough for real contention, well under max_connections
# even with other suites running at the same time.
PG_POOL = 20


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test module's own, migrated to the hub's schema; dropped afterwards."""
    with postgres_database() as url:
        upgrade(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database each test runs on: a SQLite file of its own, or the module's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'pms.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty PMS schema (created on SQLite, emptied on PostgreSQL)."""
    engine = create_engine(database_url, pool_size=PG_POOL)
    async with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            await conn.run_sync(metadata.create_all)
        else:
            names = ", ".join(table.name for table in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def pms(engine: AsyncEngine) -> PmsDriver:
    """The PMS core driven one transaction per call."""
    return PmsDriver(engine)


@pytest.fixture
async def desk(pms: PmsDriver) -> StayDriver:
    """A property (DBL 101-103 at 120.00, SGL 201 at 90.00) on business date ARRIVAL."""
    await pms.define(a_property())
    driver = StayDriver(pms)
    await driver.business_date(ARRIVAL)
    return driver
