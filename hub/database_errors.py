"""A database the hub cannot use, said in one line that names HUB_DATABASE_URL and the reason."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from alembic.util import CommandError
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import create_engine

CONNECT_TIMEOUT_S = 15.0


class DatabaseUnusable(Exception):
    """HUB_DATABASE_URL names a database the hub cannot reach or migrate; `status` is the exit status."""

    def __init__(self, line: str, status: int) -> None:
        super().__init__(line)
        self.line = line
        self.status = status


def shown(url: str) -> str:
    """The URL as it may be printed: any password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a URL)"


def reason_of(err: BaseException) -> str:
    """The first line of what the driver said, without SQLAlchemy's wrapping."""
    cause = err.orig if isinstance(err, DBAPIError) and err.orig is not None else err
    text = str(cause).strip() or type(cause).__name__
    return " ".join(text.splitlines()[0].split())


def engine_for(url: str, *, read_only: bool = False) -> AsyncEngine:
    """The engine of HUB_DATABASE_URL; DatabaseUnusable (exit 2) when it is not a usable URL."""
    try:
        return create_engine(url, pool_size=2, read_only=read_only)
    except (ArgumentError, NoSuchModuleError, ValueError) as err:
        raise DatabaseUnusable(f"HUB_DATABASE_URL: not a database URL the hub can use: {err}", 2) from None


async def reach(engine: AsyncEngine) -> None:
    """Open and close one connection; DatabaseUnusable (exit 1) naming the reason if that fails."""
    url = engine.url.render_as_string(hide_password=False)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            async with engine.connect():
                pass
    except TimeoutError:
        line = f"HUB_DATABASE_URL: cannot reach {shown(url)}: no answer in {CONNECT_TIMEOUT_S:g} s"
        raise DatabaseUnusable(line, 1) from None
    except (DBAPIError, OSError) as err:
        raise DatabaseUnusable(f"HUB_DATABASE_URL: cannot reach {shown(url)}: {reason_of(err)}", 1) from None


@asynccontextmanager
async def migrating(url: str) -> AsyncIterator[None]:
    """Turn a failed migration into DatabaseUnusable (exit 1) naming the reason."""
    try:
        yield
    except (CommandError, DBAPIError, OSError) as err:
        line = f"HUB_DATABASE_URL: cannot migrate {shown(url)}: {reason_of(err)}"
        raise DatabaseUnusable(line, 1) from None


async def require_schema(url: str) -> None:
    """DatabaseUnusable (exit 1) unless the database has the hub's latest schema: one line on what to run.

    `serve` on PostgreSQL, `worker`, `dlq` and `db purge` check this first, so a database nobody
    migrated is a sentence naming the command to run, not a traceback per statement.
    """
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from hub.schema import alembic_config

    engine = engine_for(url)
    try:
        await reach(engine)
        async with engine.connect() as conn:
            current = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    finally:
        await engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    if current is None:
        line = (
            f"HUB_DATABASE_URL: {shown(url)} has no hotelhub schema yet: run `hotelhub db upgrade` "
            "(or `hotelhub config apply FILE`, which migrates first)"
        )
        raise DatabaseUnusable(line, 1)
    if current != head:
        line = (
            f"HUB_DATABASE_URL: {shown(url)} is at schema revision {current} and this hotelhub needs "
            f"{head}: run `hotelhub db upgrade`"
        )
        raise DatabaseUnusable(line, 1)
