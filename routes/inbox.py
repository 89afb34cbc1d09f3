"""The inbox: (message_id, consumer) recorded with the effect, so a redelivery has none."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import utcnow
from routes.tables import inbox


async def first_delivery(conn: AsyncConnection, message_id: str, consumer: str) -> bool:
    """Record the message for the consumer; False when it was recorded before (a duplicate)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(inbox)
        .values(message_id=message_id, consumer=consumer, processed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["message_id", "consumer"])
    )
    result = await conn.execute(stmt)
    return result.rowcount == 1
