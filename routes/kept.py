"""A database connection kept between transactions that follow each other closely.

Every checkout from SQLAlchemy's pool pings the server first (on asyncpg BEGIN and ROLLBACK: three
round trips counting the answer); under load the pings of the ingress journal, the group commit and
the relay were as many round trips as their real statements. Each of them runs one transaction
at a time, so each keeps one connection while busy and hands it back once idle: the next burst
then starts from a pinged one, and a server restart between bursts costs no transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# How long a kept connection may sit unused before it goes back to the pool.
KEEP_IDLE_S = 1.0


class Transactions(Protocol):
    """Where a writer's transactions come from: an AsyncEngine, or a KeptConnection."""

    def begin(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        ...


class KeptConnection:
    """One engine connection for one writer, reused while it is busy.

    `autocommit` (PostgreSQL only) puts the connection in AUTOCOMMIT: for a writer whose every
    statement is atomic on its own. A transaction that fails hands the connection back, so the
    next one starts on a pinged connection. Used by one task at a time; a caller that finds it in
    use gets a pooled connection instead (see `begin`).
    """

    def __init__(self, engine: AsyncEngine, *, autocommit: bool = False, idle_s: float = KEEP_IDLE_S) -> None:
        self.engine = engine
        self.autocommit = autocommit
        self.idle_s = idle_s
        self._conn: AsyncConnection | None = None
        self._used_at = float("-inf")
        self._busy = asyncio.Lock()

    async def connection(self) -> AsyncConnection:
        """The kept connection: the same one while used at least every `idle_s`, else a fresh one."""
        now = time.monotonic()
        if self._conn is not None and (now - self._used_at > self.idle_s or self._conn.invalidated):
            await self.release()
        if self._conn is None:
            self._conn = await self.engine.connect()
            if self.autocommit and self.engine.dialect.name == "postgresql":
                await self._conn.execution_options(isolation_level="AUTOCOMMIT")
        self._used_at = now
        return self._conn

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """A transaction on the kept connection (a pooled one while it is in use): commit or roll back."""
        if self._busy.locked():
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._busy:
            conn = await self.connection()
            try:
                async with conn.begin():
                    yield conn
            except BaseException:
                await self.release()
                raise
            self._used_at = time.monotonic()

    async def release(self) -> None:
        """Hand the connection back to the pool (a broken one is simply dropped)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
