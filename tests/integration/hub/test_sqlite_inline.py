"""The embedded writer's SQLite driver: statements in place, a busy write lock waited for without blocking."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import create_engine
from hub.sqlite_inline import InlineConnection


@pytest.fixture
async def writer(tmp_path: Path) -> AsyncEngine:
    """A writing engine on a fresh SQLite file with one table."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT)"))
    yield engine
    await engine.dispose()


async def test_given_a_file_database_when_a_writing_engine_connects_then_it_uses_the_inline_driver(
    writer: AsyncEngine,
) -> None:
    async with writer.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, InlineConnection)
        busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one()
        mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
    assert (busy, mode) == (0, "wal")


async def test_given_rows_when_written_and_read_then_insert_many_select_and_rowcount_behave_as_a_dbapi(
    writer: AsyncEngine,
) -> None:
    async with writer.begin() as conn:
        await conn.execute(
            text("INSERT INTO t (n, v) VALUES (:n, :v)"), [{"n": i, "v": f"v{i}"} for i in range(5)]
        )
        updated = await conn.execute(text("UPDATE t SET v = 'x' WHERE n < 3"))
        assert updated.rowcount == 3
    async with writer.connect() as conn:
        rows = (await conn.execute(text("SELECT n, v FROM t ORDER BY n"))).all()
    assert [tuple(r) for r in rows] == [(0, "x"), (1, "x"), (2, "x"), (3, "v3"), (4, "v4")]


async def test_given_a_failed_transaction_when_rolled_back_then_nothing_of_it_stays(
    writer: AsyncEngine,
) -> None:
    with pytest.raises(OperationalError):
        async with writer.begin() as conn:
            await conn.execute(text("INSERT INTO t (n, v) VALUES (1, 'a')"))
            await conn.execute(text("INSERT INTO nowhere VALUES (1)"))
    async with writer.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0


async def test_given_the_write_lock_is_held_when_another_writer_begins_then_it_waits_without_blocking_the_loop(
    writer: AsyncEngine,
) -> None:
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.005)

    ticking = asyncio.create_task(ticker())
    async with writer.begin() as holder:
        await holder.execute(text("INSERT INTO t (n, v) VALUES (1, 'first')"))

        async def second() -> None:
            async with writer.begin() as conn:
                await conn.execute(text("INSERT INTO t (n, v) VALUES (2, 'second')"))

        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.3)  # the holder keeps the lock across awaits, as a batch does
        assert not waiting.done()
        ticks_while_held = ticks
    await asyncio.wait_for(waiting, 5)
    stop.set()
    await ticking
    # the loop kept running (about 60 ticks in 0.3 s) while the second writer waited
    assert ticks_while_held >= 20
    async with writer.connect() as conn:
        assert (await conn.execute(text("SELECT v FROM t ORDER BY n"))).scalars().all() == ["first", "second"]


async def test_given_the_lock_is_held_past_the_timeout_when_another_writer_begins_then_it_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locked.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("CREATE TABLE t (n INTEGER)")
    other.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    conn = InlineConnection(str(path), timeout_s=0.2)
    try:
        cursor = conn.cursor()
        started = asyncio.get_running_loop().time()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await cursor.execute("BEGIN IMMEDIATE")
        assert 0.15 <= asyncio.get_running_loop().time() - started < 2
        other.execute("COMMIT")
        await cursor.execute("BEGIN IMMEDIATE")
        await cursor.execute("INSERT INTO t VALUES (1)")
        await conn.commit()
    finally:
        await conn.close()
        other.close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM t").fetchone() == (1,)


async def test_given_a_read_only_engine_when_it_connects_then_it_keeps_aiosqlite(tmp_path: Path) -> None:
    reader = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}", read_only=True)
    try:
        async with reader.connect() as conn:
            raw = await conn.get_raw_connection()
            assert not isinstance(raw.driver_connection, InlineConnection)
    finally:
        await reader.dispose()
