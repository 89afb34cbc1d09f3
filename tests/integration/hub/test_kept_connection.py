"""A writer's kept connection: reused while busy, handed back when idle or after a failure."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from routes.kept import KeptConnection


async def _backend_id(conn: AsyncConnection) -> object:
    if conn.dialect.name == "postgresql":
        return (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    return id(await conn.get_raw_connection())


def _count_checkouts(engine: AsyncEngine) -> list[object]:
    checkouts: list[object] = []
    event.listen(engine.sync_engine.pool, "checkout", lambda *args: checkouts.append(args[0]))
    return checkouts


async def test_given_transactions_in_a_row_when_kept_then_one_checkout_and_each_commits(
    engine: AsyncEngine,
) -> None:
    kept = KeptConnection(engine)
    backends = []
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE kept_probe (n INTEGER)"))
    checkouts = _count_checkouts(engine)

    for n in range(5):
        async with kept.begin() as conn:
            backends.append(await _backend_id(conn))
            await conn.execute(text("INSERT INTO kept_probe VALUES (:n)"), {"n": n})

    assert len(set(backends)) == 1
    assert len(checkouts) == 1
    await kept.release()
    async with engine.connect() as conn:  # another connection sees every commit
        assert (await conn.execute(text("SELECT count(*) FROM kept_probe"))).scalar_one() == 5


async def test_given_a_kept_connection_idle_longer_than_allowed_when_used_then_a_fresh_checkout(
    engine: AsyncEngine,
) -> None:
    kept = KeptConnection(engine, idle_s=0.05)
    checkouts = _count_checkouts(engine)
    async with kept.begin() as conn:
        await conn.execute(text("SELECT 1"))
    await asyncio.sleep(0.1)
    async with kept.begin() as conn:
        await conn.execute(text("SELECT 1"))

    assert len(checkouts) == 2
    await kept.release()


async def test_given_a_transaction_that_fails_when_the_next_one_runs_then_nothing_of_it_stays(
    engine: AsyncEngine,
) -> None:
    kept = KeptConnection(engine)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE kept_probe (n INTEGER)"))
    checkouts = _count_checkouts(engine)

    with pytest.raises(RuntimeError):
        async with kept.begin() as conn:
            await conn.execute(text("INSERT INTO kept_probe VALUES (1)"))
            raise RuntimeError("handler failed")
    async with kept.begin() as conn:
        await conn.execute(text("INSERT INTO kept_probe VALUES (2)"))
    await kept.release()

    assert len(checkouts) == 2  # the failed one went back to the pool
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT n FROM kept_probe"))).scalars().all() == [2]


# SQLite allows one writer at a time: nothing runs beside the holder there.
@pytest.mark.services
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_given_the_kept_connection_in_use_when_another_task_begins_then_it_gets_its_own(
    engine: AsyncEngine,
) -> None:
    kept = KeptConnection(engine)
    inside = asyncio.Event()
    release = asyncio.Event()
    seen: list[object] = []

    async def holder() -> None:
        async with kept.begin() as conn:
            seen.append(await _backend_id(conn))
            inside.set()
            await release.wait()

    task = asyncio.create_task(holder())
    await inside.wait()
    async with kept.begin() as conn:
        seen.append(await _backend_id(conn))
    release.set()
    await task

    assert len(set(seen)) == 2
    await kept.release()


@pytest.mark.services
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_given_the_server_dropped_the_kept_connection_when_used_then_one_failure_then_fresh(
    engine: AsyncEngine,
) -> None:
    kept = KeptConnection(engine)
    async with kept.begin() as conn:
        pid = await _backend_id(conn)
    async with engine.connect() as other:
        await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    with pytest.raises(DBAPIError):
        async with kept.begin() as conn:
            await conn.execute(text("SELECT 1"))
    async with kept.begin() as conn:
        assert await _backend_id(conn) != pid
    await kept.release()


@pytest.mark.services
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_given_autocommit_when_a_statement_runs_then_it_is_committed_without_a_transaction(
    engine: AsyncEngine,
) -> None:
    kept = KeptConnection(engine, autocommit=True)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE kept_probe (n INTEGER)"))
    conn = await kept.connection()
    await conn.exec_driver_sql("INSERT INTO kept_probe VALUES (1)")
    async with engine.connect() as other:
        assert (await other.execute(text("SELECT count(*) FROM kept_probe"))).scalar_one() == 1
    await kept.release()
