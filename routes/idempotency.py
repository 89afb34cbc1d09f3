"""Idempotency keys of the REST API: a caller's key, claimed in the transaction of the booking it makes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from routes.tables import idempotency_keys as keys


@dataclass(frozen=True)
class KeyScope:
    """Whose key it is: the caller ("operator" or "partner:<id>"), the property, and the key itself."""

    caller: str
    property_code: str
    key: str


@dataclass(frozen=True)
class HeldKey:
    """A live key already taken: the fingerprint of its request and its booking (None: not written yet)."""

    fingerprint: str
    booking_id: UUID | None
    created_at: datetime


def _is(scope: KeyScope) -> ColumnElement[bool]:
    return and_(
        keys.c.caller == scope.caller,
        keys.c.property_code == scope.property_code,
        keys.c.idempotency_key == scope.key,
    )


async def claim(
    conn: AsyncConnection, scope: KeyScope, fingerprint: str, *, now: datetime, ttl: timedelta
) -> HeldKey | None:
    """Take the key in the caller's transaction: None when taken (new, or replacing an expired
    key), else the live key that holds it.

    The claim is undone with the transaction, so a booking that fails keeps no key. On PostgreSQL
    the insert waits while another transaction holds the same key, then either takes it (that one
    rolled back) or finds it committed; on SQLite, BEGIN IMMEDIATE already serialises writers.
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    values = {
        "caller": scope.caller,
        "property_code": scope.property_code,
        "idempotency_key": scope.key,
        "fingerprint": fingerprint,
        "booking_id": None,
        "created_at": now,
    }
    stmt = dialect.insert(keys).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[keys.c.caller, keys.c.property_code, keys.c.idempotency_key],
        set_={"fingerprint": fingerprint, "booking_id": None, "created_at": now},
        where=keys.c.created_at <= now - ttl,
    ).returning(keys.c.created_at)
    if (await conn.execute(stmt)).first() is not None:
        return None
    row = (
        await conn.execute(select(keys.c.fingerprint, keys.c.booking_id, keys.c.created_at).where(_is(scope)))
    ).one()
    return HeldKey(fingerprint=row.fingerprint, booking_id=row.booking_id, created_at=row.created_at)


async def attach(conn: AsyncConnection, scope: KeyScope, booking_id: UUID) -> None:
    """Record the booking a claimed key made, in the transaction that made it."""
    await conn.execute(update(keys).where(_is(scope)).values(booking_id=booking_id))


async def purge_expired(conn: AsyncConnection, *, now: datetime, ttl: timedelta) -> int:
    """Delete keys past their TTL (a later request with one of them would replace it anyway); count them."""
    result = await conn.execute(delete(keys).where(keys.c.created_at <= now - ttl))
    return int(result.rowcount or 0)
