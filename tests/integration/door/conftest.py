"""The OTA door on a real database: SQLite file and PostgreSQL, with the demo configuration applied."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from harness import DEMO_CONFIG, apply_file
from services import postgres_database

from hub.bootstrap import Hub, build_hub
from hub.schema import upgrade_async
from hub.settings import HubSettings


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a database of its own on the local PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'door.db'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture
async def door(database_url: str, tmp_path: Path) -> AsyncIterator[Hub]:
    """A hub whose ingress journal is running (nothing consumes): the door and nothing behind it."""
    await upgrade_async(database_url)
    await apply_file(database_url, DEMO_CONFIG)
    hub = build_hub(
        HubSettings(database_url=database_url, card_vault_key_file=tmp_path / "vault.key", log_json=False)
    )
    await hub.journal.start()
    try:
        yield hub
    finally:
        await hub.journal.stop()
        await hub.engine.dispose()
        if hub.reader is not hub.engine:
            await hub.reader.dispose()
