"""Look-ups of a property's set-up by code: property, room types, rate plans, default rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from pms_core.adapters.tables import properties, rate_plan_room_types, rate_plans, room_types
from pms_core.errors import UnknownProperty, UnknownRatePlan, UnknownRoomType


@dataclass(frozen=True, slots=True)
class PropertyRef:
    """A property's id and the settings bookings need."""

    id: int
    code: str
    name: str
    currency: str
    timezone: str
    business_date: date | None


@dataclass(frozen=True, slots=True)
class RoomTypeRef:
    """A room type's id, code and capacity."""

    id: int
    code: str
    max_occupancy: int
    active: bool


@dataclass(frozen=True, slots=True)
class RatePlanRef:
    """A rate plan's id and code."""

    id: int
    code: str
    active: bool


async def find_property(conn: AsyncConnection, code: str) -> PropertyRef | None:
    """The property with this code, or None."""
    row = (
        await conn.execute(
            select(
                properties.c.id,
                properties.c.code,
                properties.c.name,
                properties.c.currency,
                properties.c.timezone,
                properties.c.business_date,
            ).where(properties.c.code == code)
        )
    ).one_or_none()
    if row is None:
        return None
    return PropertyRef(row.id, row.code, row.name, row.currency, row.timezone, row.business_date)


async def property_by_code(conn: AsyncConnection, code: str) -> PropertyRef:
    """The property with this code; raises UnknownProperty."""
    found = await find_property(conn, code)
    if found is None:
        raise UnknownProperty(code)
    return found


async def room_type_by_code(conn: AsyncConnection, prop: PropertyRef, code: str) -> RoomTypeRef:
    """The active room type with this code in the property; raises UnknownRoomType."""
    row = (
        await conn.execute(
            select(room_types.c.id, room_types.c.code, room_types.c.max_occupancy, room_types.c.active).where(
                room_types.c.property_id == prop.id, room_types.c.code == code
            )
        )
    ).one_or_none()
    if row is None or not row.active:
        raise UnknownRoomType(prop.code, code)
    return RoomTypeRef(row.id, row.code, row.max_occupancy, row.active)


async def rate_plan_by_code(conn: AsyncConnection, prop: PropertyRef, code: str) -> RatePlanRef:
    """The active rate plan with this code in the property; raises UnknownRatePlan."""
    row = (
        await conn.execute(
            select(rate_plans.c.id, rate_plans.c.code, rate_plans.c.active).where(
                rate_plans.c.property_id == prop.id, rate_plans.c.code == code
            )
        )
    ).one_or_none()
    if row is None or not row.active:
        raise UnknownRatePlan(prop.code, code)
    return RatePlanRef(row.id, row.code, row.active)


async def default_rate(
    conn: AsyncConnection, rate_plan: RatePlanRef, room_type: RoomTypeRef
) -> tuple[bool, Decimal | None]:
    """Whether the rate plan sells the room type, and its default nightly rate if any."""
    row = (
        await conn.execute(
            select(rate_plan_room_types.c.default_rate).where(
                and_(
                    rate_plan_room_types.c.rate_plan_id == rate_plan.id,
                    rate_plan_room_types.c.room_type_id == room_type.id,
                )
            )
        )
    ).one_or_none()
    if row is None:
        return False, None
    rate: Decimal | None = row.default_rate
    return True, rate
