"""Per-test RabbitMQ vhost and PostgreSQL database for the RabbitMQ transport tests."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import pytest
from rabbit_harness import Services, harness_metadata, rabbitmqctl
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import create_engine
from routes.tables import metadata as routes_metadata

RABBIT_HOST, RABBIT_PORT = "127.0.0.1", 5672
PG_HOST, PG_PORT = "127.0.0.1", 5432


def _unavailable(reason: str) -> None:
    if os.environ.get("HUB_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (HUB_REQUIRE_SERVICES=1)")
    pytest.skip(f"{reason}; start it (or .ci/run) to run the RabbitMQ transport tests")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


async def _postgres(sql: str) -> None:
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _create_tables(engine: AsyncEngine) -> None:
    metadatas = [routes_metadata, harness_metadata]
    try:
        from pms_core.adapters.tables import metadata as pms_metadata

        metadatas.append(pms_metadata)
    except ImportError:  # the PMS core tables are not needed by these tests
        pass
    async with engine.begin() as conn:
        for md in metadatas:
            await conn.run_sync(md.create_all)


@pytest.fixture
async def services() -> AsyncIterator[Services]:
    """A fresh vhost (hh_<uuid>) and database (hh_<uuid>) for one test, removed afterwards."""
    if not _reachable(RABBIT_HOST, RABBIT_PORT) or shutil.which("rabbitmqctl") is None:
        _unavailable(f"RabbitMQ is not reachable at {RABBIT_HOST}:{RABBIT_PORT} with rabbitmqctl")
    if not _reachable(PG_HOST, PG_PORT):
        _unavailable(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}")
    name = f"hh_{uuid4().hex}"

    async def make_vhost() -> None:
        await rabbitmqctl("add_vhost", name)
        await rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")

    try:
        await asyncio.gather(make_vhost(), _postgres(f'CREATE DATABASE "{name}"'))
    except (RuntimeError, OSError, asyncpg.PostgresError) as err:
        _unavailable(f"could not create a test vhost/database: {err}")
    database_url = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    engine = create_engine(database_url, pool_size=10)
    try:
        await _create_tables(engine)
        yield Services(name, f"amqp://guest:guest@{RABBIT_HOST}:{RABBIT_PORT}/{name}", database_url, engine)
    finally:
        await engine.dispose()
        await asyncio.gather(
            rabbitmqctl("delete_vhost", name),
            _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'),
            return_exceptions=True,
        )
