"""A property's night-audit settings as stored: audit time and no-show fees by rate plan."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.night_audit import DEFAULT_AUDIT_TIME, AuditSettings, NoShowFee
from pms_core.adapters.day_close_tables import audit_settings
from pms_core.adapters.tables import properties
from pms_core.errors import UnknownProperty


async def _property_id(conn: AsyncConnection, code: str) -> int:
    row = (await conn.execute(select(properties.c.id).where(properties.c.code == code))).first()
    if row is None:
        raise UnknownProperty(code)
    return int(row.id)


async def settings_of(conn: AsyncConnection, property_code: str) -> AuditSettings:
    """The property's audit settings (the defaults until the configuration gives some)."""
    property_id = await _property_id(conn, property_code)
    row = (
        await conn.execute(
            select(audit_settings.c.audit_time, audit_settings.c.no_show_fees).where(
                audit_settings.c.property_id == property_id
            )
        )
    ).first()
    if row is None:
        return AuditSettings(property_code=property_code)
    return AuditSettings(
        property_code=property_code,
        audit_time=time.fromisoformat(row.audit_time),
        no_show_fees={plan: NoShowFee.model_validate(fee) for plan, fee in row.no_show_fees.items()},
    )


async def audit_times(conn: AsyncConnection) -> dict[str, tuple[str, time]]:
    """Every property's (time zone, local audit time), by property code."""
    rows = await conn.execute(
        select(properties.c.code, properties.c.timezone, audit_settings.c.audit_time).select_from(
            properties.outerjoin(audit_settings, audit_settings.c.property_id == properties.c.id)
        )
    )
    return {
        row.code: (
            row.timezone,
            DEFAULT_AUDIT_TIME if row.audit_time is None else time.fromisoformat(row.audit_time),
        )
        for row in rows
    }


async def apply_audit_settings(conn: AsyncConnection, wanted: AuditSettings, at: datetime) -> bool:
    """Make the stored settings those of the configuration; whether they changed."""
    if await settings_of(conn, wanted.property_code) == wanted:
        return False
    property_id = await _property_id(conn, wanted.property_code)
    await conn.execute(delete(audit_settings).where(audit_settings.c.property_id == property_id))
    await conn.execute(
        insert(audit_settings).values(
            property_id=property_id,
            audit_time=wanted.audit_time.strftime("%H:%M"),
            no_show_fees={
                plan: fee.model_dump(mode="json") for plan, fee in sorted(wanted.no_show_fees.items())
            },
            updated_at=at,
        )
    )
    return True
