"""The OTA door on a real database: SQLite file and PostgreSQL, with the demo configuration applied."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from door_hub import door_hub
from harness import DEMO_CONFIG
from services import BOTH_DATABASES, fresh_database

from hub.bootstrap import Hub


@pytest.fixture(params=BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a database of its own on the local PostgreSQL."""
    with fresh_database(request.param, tmp_path, "door.db") as url:
        yield url


@pytest.fixture
async def door(database_url: str, tmp_path: Path) -> AsyncIterator[Hub]:
    """A hub whose ingress journal is running (nothing consumes): the door and nothing behind it."""
    async with door_hub(database_url, tmp_path, DEMO_CONFIG) as hub:
        yield hub
