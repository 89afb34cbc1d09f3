"""Alembic migrations build exactly the schema the code declares, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from services import postgres_database

from hub.schema import alembic_config, upgrade


def _check(url: str) -> None:
    upgrade(url)
    command.check(alembic_config(url))  # raises when the models and the migrations disagree
    command.downgrade(alembic_config(url), "base")
    upgrade(url)


def test_given_an_empty_sqlite_file_when_migrated_then_the_schema_matches_the_code(tmp_path: Path) -> None:
    _check(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")


@pytest.mark.services
def test_given_an_empty_postgresql_database_when_migrated_then_the_schema_matches_the_code() -> None:
    with postgres_database() as url:
        _check(url)
