"""e2e fixtures: the same test bodies run on the embedded transport and on RabbitMQ + PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from harness import RunningHub, running_hub
from services import postgres_database, rabbit_vhost


@pytest.fixture(params=["embedded", "rabbit"])
def transport(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, str | None]]:
    """(mode, database URL, broker URL) for each transport."""
    if request.param == "embedded":
        yield "embedded", f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", None
        return
    with postgres_database() as database_url, rabbit_vhost() as broker_url:
        yield "rabbit", database_url, broker_url


@pytest.fixture
async def hub(transport: tuple[str, str, str | None], tmp_path: Path) -> AsyncIterator[RunningHub]:
    """A running hub with the demo configuration applied."""
    mode, database_url, broker_url = transport
    async with running_hub(mode, database_url, broker_url, tmp_path) as running:
        yield running
