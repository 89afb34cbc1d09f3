"""The hub's whole database schema, and migrating a database to it with Alembic."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

from pms_core.adapters.tables import metadata as pms_metadata
from routes.tables import metadata as routes_metadata

target_metadata: list[MetaData] = [pms_metadata, routes_metadata]
MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the hub's migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Alembic keeps options in a ConfigParser, which reads "%" as interpolation: a URL with an
    # escaped character (a password's "%40", a socket path's "%2F") must have it doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database to `revision` (blocking; runs its own event loop)."""
    command.upgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """Migrate from inside a running event loop (Alembic's env starts its own loop in a thread)."""
    await asyncio.to_thread(upgrade, database_url, revision)
