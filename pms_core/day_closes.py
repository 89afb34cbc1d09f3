"""A property's closed business days as the night audit froze them: what the finance ERP reads."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.revenue import DayClosed
from pms_core.adapters.day_close_tables import day_closes
from pms_core.adapters.tables import properties
from pms_core.errors import UnknownProperty


async def _property_id(conn: AsyncConnection, property_code: str) -> int:
    found = (await conn.execute(select(properties.c.id).where(properties.c.code == property_code))).first()
    if found is None:
        raise UnknownProperty(property_code)
    return int(found.id)


async def closed_day(conn: AsyncConnection, property_code: str, business_date: date) -> DayClosed | None:
    """The property's closed day of `business_date`, or None while it is open; UnknownProperty."""
    property_id = await _property_id(conn, property_code)
    row = (
        await conn.execute(
            select(day_closes.c.day).where(
                day_closes.c.property_id == property_id, day_closes.c.business_date == business_date
            )
        )
    ).first()
    return None if row is None else DayClosed.model_validate(row.day)


async def closed_days(conn: AsyncConnection, property_code: str, first: date, last: date) -> list[DayClosed]:
    """The property's closed days from `first` to `last` (both included), by date; UnknownProperty."""
    property_id = await _property_id(conn, property_code)
    rows = await conn.execute(
        select(day_closes.c.day)
        .where(
            day_closes.c.property_id == property_id,
            day_closes.c.business_date >= first,
            day_closes.c.business_date <= last,
        )
        .order_by(day_closes.c.business_date)
    )
    return [DayClosed.model_validate(row.day) for row in rows]


async def last_closed(conn: AsyncConnection, property_id: int, before: date) -> DayClosed | None:
    """The property's latest closed day before `before`, or None (its first close)."""
    row = (
        await conn.execute(
            select(day_closes.c.day)
            .where(day_closes.c.property_id == property_id, day_closes.c.business_date < before)
            .order_by(day_closes.c.business_date.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else DayClosed.model_validate(row.day)


async def store_closed_day(conn: AsyncConnection, property_id: int, day: DayClosed) -> None:
    """Store a closed day (once: the key refuses a second close of the same date)."""
    await conn.execute(
        insert(day_closes).values(
            property_id=property_id,
            business_date=day.business_date,
            closed_at=day.closed_at,
            day=day.model_dump(mode="json"),
        )
    )
