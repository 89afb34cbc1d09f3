"""A SQLite driver for SQLAlchemy's aiosqlite dialect that runs each call on the event loop's thread.

aiosqlite runs every call on a thread of its own: a statement costs four thread hand-offs (cursor,
execute, fetch, close), each with an event-loop wake-up and a GIL hand-over, which measured more
than SQLite's own work on the embedded hub's hot path. Here the calls run in place: a SQLite
statement on a local file takes tens of microseconds, less than the hand-off it replaces.

The one call that can wait is taking the write lock (`BEGIN IMMEDIATE`) while another connection
holds it. Waiting inside SQLite would block the event loop, and with it the holder when that holder
lives in the same process: so the connection's own busy timeout is 0, and a busy lock is waited
for here with `asyncio.sleep`, until the configured timeout. Only a statement that had no effect is
tried again: one that starts a transaction, or any statement while no transaction is open.

Statements running in place never give the loop a turn by themselves, so a long batch (a dispatcher
group of bookings) would hold up the door for its whole length: every few milliseconds of such
work, a statement first lets the loop run what is waiting.

The driver objects mimic the part of aiosqlite's API that SQLAlchemy's dialect calls.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

_SQLITE_BUSY = 5
_FIRST_WAIT_S = 0.0005
_LONGEST_WAIT_S = 0.02
# Longest run of in-place statements before the loop gets a turn.
_YIELD_EVERY_S = 0.005
_T = TypeVar("_T")


class _Turns:
    """When in-place statements last let the event loop run (one clock for every connection)."""

    last = 0.0


async def _give_the_loop_a_turn() -> None:
    now = time.perf_counter()
    if now - _Turns.last > _YIELD_EVERY_S:
        _Turns.last = now
        await asyncio.sleep(0)


def _is_busy(err: sqlite3.OperationalError) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == _SQLITE_BUSY)
    return "database is locked" in str(err)


class _Calls:
    """Stands for aiosqlite's call queue: SQLAlchemy hands it (future, function) for a few settings."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        """Run the function now and settle its future."""
        future, function = item
        try:
            future.set_result(function())
        except BaseException as err:  # handed to whoever awaits the future
            future.set_exception(err)


class InlineCursor:
    """A sqlite3 cursor behind aiosqlite's awaitable cursor API."""

    def __init__(self, connection: InlineConnection) -> None:
        self._owner = connection
        self._cursor = connection._open().cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        """The column description of the last statement."""
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement."""
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """Row id of the last inserted row."""
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        """Rows per fetchmany by default."""
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        """Run one statement, waiting (without blocking the loop) for a busy write lock."""
        await self._owner._call(self._cursor.execute, sql, parameters, retry_busy=True)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        """Run one statement for many parameter sets."""
        rows = parameters if isinstance(parameters, list) else list(parameters)
        await self._owner._call(self._cursor.executemany, sql, rows, retry_busy=True)
        return self

    async def fetchone(self) -> Any:
        """The next row, or None."""
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """The next rows."""
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        """The remaining rows."""
        return self._cursor.fetchall()

    async def close(self) -> None:
        """Close the cursor."""
        self._cursor.close()


class InlineConnection:
    """A sqlite3 connection behind aiosqlite's connection API, used from the event loop's thread."""

    def __init__(self, database: str, *, timeout_s: float) -> None:
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            database, timeout=0, isolation_level=None, check_same_thread=False
        )
        self._timeout_s = timeout_s
        self._tx = _Calls()

    @property
    def _connection(self) -> sqlite3.Connection | None:
        # SQLAlchemy checks aiosqlite's `_connection` to tell an open connection from a closed one
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("Connection closed")
        return self._conn

    async def _call(self, function: Callable[..., _T], *args: Any, retry_busy: bool = False) -> _T:
        await _give_the_loop_a_turn()
        conn = self._open()
        deadline: float | None = None
        wait = _FIRST_WAIT_S
        while True:
            idle = not conn.in_transaction
            try:
                return function(*args)
            except sqlite3.OperationalError as err:
                # A busy statement outside a transaction (BEGIN IMMEDIATE among them) did nothing.
                if not (retry_busy and idle and not conn.in_transaction and _is_busy(err)):
                    raise
            loop = asyncio.get_running_loop()
            now = loop.time()
            if deadline is None:
                deadline = now + self._timeout_s
            elif now >= deadline:
                raise sqlite3.OperationalError("database is locked")
            await asyncio.sleep(min(wait, deadline - now))
            wait = min(wait * 2, _LONGEST_WAIT_S)

    def cursor(self) -> InlineCursor:
        """A new cursor (an async context manager, as aiosqlite's)."""
        return InlineCursor(self)

    async def commit(self) -> None:
        """Commit the open transaction."""
        self._open().commit()

    async def rollback(self) -> None:
        """Roll back the open transaction."""
        self._open().rollback()

    async def close(self) -> None:
        """Close the connection (again is fine)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def stop(self) -> None:
        """Close at once (SQLAlchemy's terminate)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        """Register a SQL function."""
        self._open().create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        """sqlite3's isolation level (None: the hub issues BEGIN itself)."""
        return self._open().isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._open().isolation_level = value  # type: ignore[assignment]


def inline_creator(database: str, *, timeout_s: float) -> Callable[[], Any]:
    """An `async_creator` for `create_async_engine`: opens an InlineConnection on `database`."""

    async def create() -> InlineConnection:
        return InlineConnection(database, timeout_s=timeout_s)

    return create
