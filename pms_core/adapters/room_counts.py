"""Rooms in service per inventory night, written so that rooms left follow an external PMS's count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from pms_core.adapters.bulk import UnnestInsert
from pms_core.adapters.tables import inventory

# Only `physical` is set on an existing row: sold and out-of-order counts stay the core's own, so a
# booking committed meanwhile is never overwritten.
_PG_SET = UnnestInsert(
    inventory,
    suffix="ON CONFLICT (room_type_id, stay_date) DO UPDATE SET physical = excluded.physical",
)
_SQLITE_SET = sqlite.insert(inventory)
_SQLITE_SET = _SQLITE_SET.on_conflict_do_update(
    index_elements=["room_type_id", "stay_date"], set_={"physical": _SQLITE_SET.excluded.physical}
)


async def set_physical_nights(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Write inventory rows' rooms in service night by night (missing rows created): one statement."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        await _PG_SET.on_postgresql(conn, rows)
    else:
        await conn.execute(_SQLITE_SET, list(rows))
