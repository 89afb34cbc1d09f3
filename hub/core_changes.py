"""One change of the PMS core made through the operator API or the CLI, the same way every time.

The core's unit of work runs in one transaction; the events that go to the outbox (hub/ari_outbox.py:
routed, or kept for partners to come) are written in that transaction; after the commit, the hub's
transport is woken to deliver them at once (a CLI has no transport: the running hub's poll takes them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.ari import ARI_CHANGED_V1
from canonical.base import utcnow
from hub.ari_outbox import write_routed
from pms_core.unit_of_work import PmsUnitOfWork
from routes.table import RoutingTable

if TYPE_CHECKING:
    from hub.bootstrap import Hub


@asynccontextmanager
async def changing_in(
    conn: AsyncConnection,
    table: RoutingTable,
    property_code: str | None,
    *,
    correlation_id: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> AsyncIterator[PmsUnitOfWork]:
    """A unit of work in the caller's transaction, its events written to the outbox at the end of it.

    Bookings raise availability events only where a route consumes them (PmsUnitOfWork.ari_events).
    """
    uow = PmsUnitOfWork(conn, clock=clock, ari_events=bool(table.for_type(ARI_CHANGED_V1)))
    yield uow
    await write_routed(
        conn, table, uow.events, property_code=property_code, correlation_id=correlation_id, now=uow.now()
    )


@asynccontextmanager
async def changing(
    engine: AsyncEngine,
    table: RoutingTable,
    property_code: str | None,
    *,
    correlation_id: str | None = None,
    clock: Callable[[], datetime] = utcnow,
    on_commit: Callable[[], None] | None = None,
) -> AsyncIterator[PmsUnitOfWork]:
    """A change in a transaction of its own (changing_in); `on_commit` runs after the commit."""
    async with (
        engine.begin() as conn,
        changing_in(conn, table, property_code, correlation_id=correlation_id, clock=clock) as uow,
    ):
        yield uow
    if on_commit is not None:
        on_commit()


@asynccontextmanager
async def core_change(
    hub: Hub, property_code: str | None, *, correlation_id: str | None = None
) -> AsyncIterator[PmsUnitOfWork]:
    """A change through the running hub's API: its events to the outbox, its transport woken after."""
    async with changing(
        hub.engine, hub.table, property_code, correlation_id=correlation_id, on_commit=hub.notify
    ) as uow:
        yield uow
