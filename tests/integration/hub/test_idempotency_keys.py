"""Idempotency keys on SQLite and PostgreSQL: a second claimant waits for the first; expired keys are purged."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from hub.housekeeping import Housekeeping
from routes.idempotency import HeldKey, KeyScope, attach, claim, purge_expired
from routes.tables import idempotency_keys

SCOPE = KeyScope(caller="operator", property_code="ALPINA", key="retry-0001")
TTL = timedelta(hours=24)


async def _claim_alone(engine: AsyncEngine, fingerprint: str = "f1", ttl: timedelta = TTL) -> HeldKey | None:
    async with engine.begin() as conn:
        return await claim(conn, SCOPE, fingerprint, now=utcnow(), ttl=ttl)


async def _still_waiting(task: asyncio.Task[HeldKey | None]) -> bool:
    await asyncio.sleep(0.5)
    return not task.done()


async def test_given_a_key_claimed_by_an_open_transaction_when_claimed_again_then_waits_and_finds_its_booking(
    engine: AsyncEngine,
) -> None:
    booking_id = uuid4()
    async with engine.begin() as first:
        assert await claim(first, SCOPE, "f1", now=utcnow(), ttl=TTL) is None
        second = asyncio.create_task(_claim_alone(engine))
        assert await _still_waiting(second)
        await attach(first, SCOPE, booking_id)

    held = await second
    assert held is not None and (held.fingerprint, held.booking_id) == ("f1", booking_id)


async def test_given_a_key_claimed_by_a_transaction_that_rolls_back_when_claimed_again_then_taken(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as first:
        await first.begin()
        assert await claim(first, SCOPE, "f1", now=utcnow(), ttl=TTL) is None
        second = asyncio.create_task(_claim_alone(engine, "f2"))
        assert await _still_waiting(second)
        await first.rollback()

    assert await second is None
    held = await _claim_alone(engine, "f3")
    assert held is not None and (held.fingerprint, held.booking_id) == ("f2", None)


async def test_given_an_expired_key_when_claimed_then_replaced_with_the_new_fingerprint(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as conn:
        assert await claim(conn, SCOPE, "f1", now=utcnow() - TTL, ttl=TTL) is None
        await attach(conn, SCOPE, uuid4())

    assert await _claim_alone(engine, "f2") is None
    held = await _claim_alone(engine, "f3")
    assert held is not None and (held.fingerprint, held.booking_id) == ("f2", None)


async def test_given_a_ttl_of_zero_when_a_key_is_claimed_again_then_it_is_always_free(
    engine: AsyncEngine,
) -> None:
    assert await _claim_alone(engine, "f1", ttl=timedelta(0)) is None
    assert await _claim_alone(engine, "f2", ttl=timedelta(0)) is None


async def _keys(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(idempotency_keys.c.idempotency_key))).scalars())


async def _claim_at(engine: AsyncEngine, key: str, when: datetime) -> None:
    async with engine.begin() as conn:
        await claim(conn, KeyScope("operator", "ALPINA", key), "f", now=when, ttl=TTL)
        await attach(conn, KeyScope("operator", "ALPINA", key), uuid4())


async def test_given_keys_old_and_new_when_purged_then_only_those_past_the_ttl_are_deleted(
    engine: AsyncEngine,
) -> None:
    now = utcnow()
    await _claim_at(engine, "old", now - TTL - timedelta(minutes=1))
    await _claim_at(engine, "fresh", now - TTL + timedelta(minutes=1))
    async with engine.begin() as conn:
        assert await purge_expired(conn, now=now, ttl=TTL) == 1
    assert await _keys(engine) == ["fresh"]


async def test_given_an_expired_key_when_an_api_process_starts_its_upkeep_then_the_key_is_gone(
    engine: AsyncEngine,
) -> None:
    await _claim_at(engine, "old", utcnow() - TTL - timedelta(hours=1))
    await _claim_at(engine, "fresh", utcnow())
    upkeep = Housekeeping(engine, idempotency_ttl=TTL, every_s=0.05)
    upkeep.start()
    try:
        for _ in range(100):
            if await _keys(engine) == ["fresh"]:
                break
            await asyncio.sleep(0.05)
    finally:
        await upkeep.stop()
    assert await _keys(engine) == ["fresh"]
