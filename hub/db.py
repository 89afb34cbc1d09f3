"""Database engines: SQLite (embedded, WAL + BEGIN IMMEDIATE) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def is_sqlite(url: str) -> bool:
    """True for an embedded SQLite URL."""
    return url.startswith("sqlite")


def create_engine(url: str, *, pool_size: int = 20, read_only: bool = False) -> AsyncEngine:
    """Create the async engine for a database URL, with the settings each backend needs.

    SQLite ignores SELECT ... FOR UPDATE, so every writing transaction starts with BEGIN IMMEDIATE:
    writers are serialised and a conditional decrement of inventory cannot oversell. A read-only
    engine starts a deferred transaction instead: under WAL it reads a snapshot and never waits
    for a writer (nor makes one wait), so reads made while a write is open cannot deadlock.
    """
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            isolation_level=None,
            connect_args={"timeout": 30, "check_same_thread": False},
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
