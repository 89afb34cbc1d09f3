"""What the door wrote to the outbox: every row but the configuration's own availability announcements.

Since the hub routes `ari.changed.v1`, `config apply` announces each room type's availability to the
outbox; a test asking "did this push write anything?" counts the rows beside those.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.ari import ARI_CHANGED_V1
from routes.tables import outbox


async def door_outbox_rows(conn: AsyncConnection) -> int:
    """Outbox rows of every message type but `ari.changed.v1`."""
    query = select(func.count()).select_from(outbox).where(outbox.c.message_type != ARI_CHANGED_V1)
    return int((await conn.execute(query)).scalar_one())
