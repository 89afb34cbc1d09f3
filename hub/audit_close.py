"""The night audit run by the hub: one close in one transaction, its events to the outbox with it.

The CLI, the REST API and the scheduler all close a day through `close_day`. The closed day
(revenue.day_closed.v1) and the stay events of its no-shows are always written (kept until a
route consumes them, as the finance ERP's will); the folio and availability events only where a
route consumes them, as every other change of the core does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.ari import ARI_CHANGED_V1
from canonical.base import utcnow
from canonical.envelope import Envelope
from canonical.night_audit import CloseDay
from canonical.revenue import REVENUE_DAY_CLOSED_V1
from canonical.stay import STAY_EVENT_TYPES
from pms_core.night_audit import CloseOutcome, handle_close_day
from pms_core.unit_of_work import PmsUnitOfWork
from routes.outbox import add_to_outbox, outbox_values
from routes.table import RoutingTable

KEPT = frozenset({REVENUE_DAY_CLOSED_V1, *STAY_EVENT_TYPES})


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
    async with engine.begin() as conn:
        uow = PmsUnitOfWork(conn, clock=clock, ari_events=bool(table.for_type(ARI_CHANGED_V1)))
        outcome = await handle_close_day(
            CloseDay(property_code=property_code, business_date=business_date), uow
        )
        correlation = correlation_id or str(uuid4())
        rows: list[dict[str, Any]] = [
            outbox_values(
                Envelope[Any](
                    message_type=key, correlation_id=correlation, property_code=property_code, payload=payload
                ),
                now=uow.now(),
            )
            for key, payload in uow.events
            if key in KEPT or table.for_type(key)
        ]
        await add_to_outbox(conn, rows)
    return outcome, len(rows)


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
