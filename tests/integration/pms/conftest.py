"""Fixtures for PMS core integration tests: the same tests on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from pms_driver import PmsDriver
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import create_engine
from pms_core.adapters.tables import metadata

PG_HOST = os.environ.get("HUB_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("HUB_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("HUB_TEST_PG_USER", "postgres")
# 2 x pool_size connections at most: enough for real contention, well under max_connections
# even with other suites running at the same time.
PG_POOL = 20


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _create_tables(url: str) -> None:
    engine = create_engine(url, pool_size=1)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test module's own, with the PMS tables; dropped afterwards."""
    if not _postgres_reachable():
        message = f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}"
        if os.environ.get("HUB_REQUIRE_SERVICES") == "1":
            pytest.fail(message + " and HUB_REQUIRE_SERVICES=1")
        pytest.skip(message + " (set HUB_REQUIRE_SERVICES=1 to make this a failure)")
    name = f"hh_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    try:
        asyncio.run(_create_tables(url))
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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
