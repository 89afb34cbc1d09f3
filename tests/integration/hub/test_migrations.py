"""Alembic migrations build exactly the schema the code declares, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic import command
from services import postgres_database
from sqlalchemy import insert, make_url, text

from canonical.base import utcnow
from hub.db import create_engine
from hub.schema import alembic_config, upgrade
from routes.tables import outbox


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


@pytest.mark.services
def test_given_postgresql_when_migrated_then_message_bodies_are_stored_with_lz4_if_built_with_it() -> None:
    with postgres_database() as url:
        upgrade(url)

        async def stored() -> tuple[bool, set[str], str | None]:
            engine = create_engine(url, pool_size=1)
            try:
                async with engine.begin() as conn:
                    built_with = await conn.execute(
                        text(
                            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
                        )
                    )
                    available = bool(built_with.scalar())  # no row at all before PostgreSQL 14
                    lz4 = await conn.execute(
                        text(
                            "SELECT attrelid::regclass::text || '.' || attname FROM pg_attribute "
                            "WHERE attcompression = 'l' AND attrelid::regclass::text = ANY(:tables)"
                        ),
                        {"tables": ["inbound_messages", "outbox", "dead_letters", "booking_revisions"]},
                    )
                    await conn.execute(
                        insert(outbox).values(
                            message_id="m", message_type="t", body="<OTA/>" * 2000, headers={},
                            correlation_id="c", created_at=utcnow(), available_at=utcnow(),
                        )
                    )  # fmt: skip
                    method = await conn.execute(text("SELECT pg_column_compression(body) FROM outbox"))
                    return available, set(lz4.scalars()), method.scalar_one()
            finally:
                await engine.dispose()

        available, columns, method = asyncio.run(stored())

    if not available:  # the migration leaves such a server's default alone
        assert columns == set()
        return
    assert columns == {
        "inbound_messages.body",
        "outbox.body",
        "dead_letters.body",
        "booking_revisions.snapshot",
    }
    assert method == "lz4"


@pytest.mark.services
def test_given_a_url_with_escaped_characters_when_migrated_then_it_connects_as_written() -> None:
    with postgres_database() as url:
        # a password with an "@" is written "%40" (the test server does not ask for it)
        written = make_url(url).set(password="p@ss").render_as_string(hide_password=False)
        assert "%40" in written
        upgrade(written)
        command.check(alembic_config(written))
