"""Database engines: SQLite (embedded, WAL + BEGIN IMMEDIATE) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hub.sqlite_inline import inline_creator

SQLITE_TIMEOUT_S = 30.0


def is_sqlite(url: str) -> bool:
    """True for an embedded SQLite URL."""
    return url.startswith("sqlite")


def create_engine(url: str, *, pool_size: int = 20, read_only: bool = False) -> AsyncEngine:
    """Create the async engine for a database URL, with the settings each backend needs.

    SQLite ignores SELECT ... FOR UPDATE, so every writing transaction starts with BEGIN IMMEDIATE:
    writers are serialised and a conditional decrement of inventory cannot oversell. A read-only
    engine starts a deferred transaction instead: under WAL it reads a snapshot and never waits
    for a writer (nor makes one wait), so reads made while a write is open cannot deadlock.

    A writing engine on a SQLite file runs its statements on the event loop's thread
    (hub.sqlite_inline); a read-only one keeps aiosqlite's thread, so a long report never holds up
    the loop.
    """
    if is_sqlite(url):
        database = make_url(url).database or ""
        inline = not read_only and database not in ("", ":memory:") and "mode=memory" not in url
        engine = create_async_engine(
            url,
            isolation_level=None,
            connect_args={"timeout": SQLITE_TIMEOUT_S, "check_same_thread": False},
            **({"async_creator": inline_creator(database, timeout_s=SQLITE_TIMEOUT_S)} if inline else {}),
        )
        # the inline driver waits for a busy lock itself, without blocking the event loop
        busy_timeout_ms = 0 if inline else int(SQLITE_TIMEOUT_S * 1000)

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
