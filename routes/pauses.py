"""Partner pauses: a configuration failure holds a partner's messages, alerts once, and waits for a change.

The pause lives in the `partners` row (`paused_at`, `paused_reason`), so every process and every
restart sees it; the one UPDATE that finds the partner not yet paused is the one that alerts, so
two workers failing at once still raise one alert. `config apply` resumes a partner by changing it
(routes/partners.upsert_partner).
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import utcnow
from routes import metrics
from routes.tables import partners

log = logging.getLogger("hotelhub.partners")


async def pause_partner(conn: AsyncConnection, partner_id: str, reason: str) -> bool:
    """Pause a partner in the caller's transaction; True (and one ERROR line) only when it was not paused."""
    result = await conn.execute(
        update(partners)
        .where(partners.c.id == partner_id, partners.c.paused_at.is_(None))
        .values(paused_at=utcnow(), paused_reason=reason[:2000])
    )
    if result.rowcount != 1:
        return False
    metrics.PARTNER_PAUSED.labels(partner_id).set(1)
    log.error(
        "partner %s paused: %s; nothing is sent to it until its configuration changes (config apply)",
        partner_id,
        reason,
        extra={"partner": partner_id, "reason": reason},
    )
    return True


async def paused_reason(conn: AsyncConnection, partner_id: str) -> str | None:
    """Why a partner is paused, or None when it is not."""
    row = (
        await conn.execute(
            select(partners.c.paused_at, partners.c.paused_reason).where(partners.c.id == partner_id)
        )
    ).first()
    if row is None or row.paused_at is None:
        return None
    return row.paused_reason or "paused"
