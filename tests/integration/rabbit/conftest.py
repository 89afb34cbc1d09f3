"""Per-test RabbitMQ vhost and PostgreSQL database for the RabbitMQ transport tests (tests/services.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import pytest
from rabbit_harness import Services, harness_metadata
from services import postgres_database, rabbit_vhost
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import create_engine
from pms_core.adapters.tables import metadata as pms_metadata
from routes.tables import metadata as routes_metadata


async def _create_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for md in (routes_metadata, pms_metadata, harness_metadata):
            await conn.run_sync(md.create_all)


@pytest.fixture
def service_urls() -> Iterator[tuple[str, str]]:
    """(AMQP URL of a fresh vhost, URL of a fresh PostgreSQL database), both removed afterwards."""
    with rabbit_vhost() as broker_url, postgres_database() as database_url:
        yield broker_url, database_url


@pytest.fixture
async def services(service_urls: tuple[str, str]) -> AsyncIterator[Services]:
    """The test's own vhost and database, with the hub's tables created."""
    broker_url, database_url = service_urls
    engine = create_engine(database_url, pool_size=10)
    try:
        await _create_tables(engine)
        yield Services(urlsplit(broker_url).path.lstrip("/"), broker_url, database_url, engine)
    finally:
        await engine.dispose()
