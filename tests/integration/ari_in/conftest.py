"""ARI in and availability requests at the OTA door, on a real database (SQLite file and PostgreSQL).

The configuration is tests/fixtures/ota_ari/ari_in.yaml: the demo hotel, OTA One, a revenue system
(`revmax`, kind rms) and an external PMS (`extpms`, kind pms).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from door_hub import door_hub
from services import BOTH_DATABASES, fresh_database

from hub.app import create_app
from hub.bootstrap import Hub

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ota_ari"
ARI_IN_CONFIG = FIXTURES / "ari_in.yaml"
if str(FIXTURES) not in sys.path:
    sys.path.insert(0, str(FIXTURES))


@pytest.fixture(params=BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a database of its own on the local PostgreSQL."""
    with fresh_database(request.param, tmp_path, "ari-in.db") as url:
        yield url


@pytest.fixture
async def door(database_url: str, tmp_path: Path) -> AsyncIterator[Hub]:
    """A hub with the ARI-in configuration whose journal runs (nothing consumes)."""
    async with door_hub(database_url, tmp_path, ARI_IN_CONFIG) as hub:
        yield hub


@pytest.fixture
async def client(door: Hub) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the hub's whole app (POST /ota answered by the door, the API behind it)."""
    app = create_app(hub=door)
    app.state.hub = door
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as http:
        yield http
