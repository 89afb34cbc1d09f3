"""The night audit run by the hub: one close in one transaction, its events to the outbox with it.

The CLI, the REST API and the scheduler all close a day through `close_day`. The closed day
(revenue.day_closed.v1) and the stay events of its no-shows are always written (kept until a
route consumes them, as the finance ERP's will); the folio and availability events only where a
route consumes them, as every other change of the core does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.base import utcnow
from canonical.night_audit import CloseDay
from hub.ari_outbox import is_written
from hub.core_changes import changing
from pms_core.night_audit import CloseOutcome, handle_close_day
from routes.table import RoutingTable


async def close_day(
    engine: AsyncEngine,
    table: RoutingTable,
    property_code: str,
    business_date: date | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    correlation_id: str | None = None,
) -> tuple[CloseOutcome, int]:
    """Close the property's business date (or answer it closed); the outcome and outbox rows written."""
    async with changing(engine, table, property_code, correlation_id=correlation_id, clock=clock) as uow:
        outcome = await handle_close_day(
            CloseDay(property_code=property_code, business_date=business_date), uow
        )
    return outcome, sum(is_written(table, key) for key, _ in uow.events)


def outcome_line(outcome: CloseOutcome) -> str:
    """One line saying what a close did."""
    day = outcome.day
    head = f"property {day.property_code}: {day.business_date.isoformat()}"
    if not outcome.closed_now:
        return f"{head} was closed at {day.closed_at.isoformat()} (nothing changed)"
    stats = day.statistics
    return (
        f"{head} closed: {outcome.charges_posted} room nights charged, {day.no_shows} no-shows"
        f" ({outcome.no_show_fees} fees), occupancy {stats.occupancy}, ADR {stats.adr} {day.currency};"
        f" business date now {(day.business_date + timedelta(days=1)).isoformat()}"
    )
