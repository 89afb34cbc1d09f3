"""One change of the PMS core made through the operator API, the same way every time.

The core's unit of work runs in one transaction; the events some route consumes are written to the
outbox in that transaction; after the commit the hub's transport is woken to deliver them at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from hub.ari_outbox import write_routed
from pms_core.unit_of_work import PmsUnitOfWork

if TYPE_CHECKING:
    from hub.bootstrap import Hub


@asynccontextmanager
async def core_change(
    hub: Hub, property_code: str, *, correlation_id: str | None = None
) -> AsyncIterator[PmsUnitOfWork]:
    """A unit of work whose routed events reach the outbox with the change, delivered after commit."""
    async with hub.engine.begin() as conn:
        uow = PmsUnitOfWork(conn)
        yield uow
        await write_routed(
            conn, hub.table, uow.events, property_code=property_code, correlation_id=correlation_id
        )
    hub.notify()
