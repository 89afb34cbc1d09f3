"""Alembic environment: runs migrations over the hub's async engine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from hub.db import create_engine
from hub.schema import target_metadata

config = context.config


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        # SQLite's DDL is transactional too: one transaction (the engine begins it IMMEDIATE, so
        # it holds the write lock) reads the current revision and runs every step, so two
        # processes migrating a new file at once go one after the other, the second finding
        # nothing to do (with Alembic's default, each step commits alone and both run them).
        transactional_ddl=True if sqlite else None,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_online())
