"""Look-ups of a property's set-up by code: property, room types, rate plans, default rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from pms_core.adapters.tables import properties, rate_plan_room_types, rate_plans, room_types, rooms
from pms_core.errors import UnknownProperty


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


@dataclass(frozen=True, slots=True)
class PropertyCatalog:
    """A property's whole set-up, read at once: room types and rate plans by code, room counts."""

    prop: PropertyRef
    room_types: dict[str, RoomTypeRef]  # withdrawn ones too: stored bookings still name them
    rate_plans: dict[str, RatePlanRef]
    physical: dict[int, int]  # rooms in service per room type id

    @property
    def stock(self) -> dict[int, tuple[int, int]]:
        """(property id, rooms in service) per room type id, as inventory rows are made from."""
        return {room_type_id: (self.prop.id, count) for room_type_id, count in self.physical.items()}

    def room_type(self, code: str) -> RoomTypeRef | None:
        """The active room type with this code, or None."""
        found = self.room_types.get(code)
        return found if found is not None and found.active else None

    def rate_plan(self, code: str) -> RatePlanRef | None:
        """The active rate plan with this code, or None."""
        found = self.rate_plans.get(code)
        return found if found is not None and found.active else None


# Built once: SQLAlchemy then finds each compiled statement by a cache key it has already computed.
_PROPERTY = select(
    properties.c.id,
    properties.c.code,
    properties.c.name,
    properties.c.currency,
    properties.c.timezone,
    properties.c.business_date,
).where(properties.c.code == bindparam("code"))
_IN_SERVICE = (
    select(func.count())
    .where(rooms.c.room_type_id == room_types.c.id, rooms.c.active.is_(True))
    .correlate(room_types)
    .scalar_subquery()
)
_ROOM_TYPES = select(
    room_types.c.id,
    room_types.c.code,
    room_types.c.max_occupancy,
    room_types.c.active,
    _IN_SERVICE.label("physical"),
).where(room_types.c.property_id == bindparam("property_id"))
_RATE_PLANS = select(rate_plans.c.id, rate_plans.c.code, rate_plans.c.active).where(
    rate_plans.c.property_id == bindparam("property_id")
)
_DEFAULT_RATE = select(rate_plan_room_types.c.default_rate).where(
    rate_plan_room_types.c.rate_plan_id == bindparam("rate_plan_id"),
    rate_plan_room_types.c.room_type_id == bindparam("room_type_id"),
)


async def find_property(conn: AsyncConnection, code: str) -> PropertyRef | None:
    """The property with this code, or None."""
    row = (await conn.execute(_PROPERTY, {"code": code})).one_or_none()
    if row is None:
        return None
    return PropertyRef(row.id, row.code, row.name, row.currency, row.timezone, row.business_date)


async def property_by_code(conn: AsyncConnection, code: str) -> PropertyRef:
    """The property with this code; raises UnknownProperty."""
    found = await find_property(conn, code)
    if found is None:
        raise UnknownProperty(code)
    return found


async def load_catalog(conn: AsyncConnection, code: str) -> PropertyCatalog:
    """The property's whole set-up in three statements; raises UnknownProperty."""
    prop = await property_by_code(conn, code)
    by_property = {"property_id": prop.id}
    types = (await conn.execute(_ROOM_TYPES, by_property)).all()
    plans = (await conn.execute(_RATE_PLANS, by_property)).all()
    return PropertyCatalog(
        prop,
        {row.code: RoomTypeRef(row.id, row.code, row.max_occupancy, row.active) for row in types},
        {row.code: RatePlanRef(row.id, row.code, row.active) for row in plans},
        {row.id: row.physical for row in types},
    )


async def default_rate(
    conn: AsyncConnection, rate_plan: RatePlanRef, room_type: RoomTypeRef
) -> tuple[bool, Decimal | None]:
    """Whether the rate plan sells the room type, and its default nightly rate if any."""
    row = (
        await conn.execute(_DEFAULT_RATE, {"rate_plan_id": rate_plan.id, "room_type_id": room_type.id})
    ).one_or_none()
    if row is None:
        return False, None
    rate: Decimal | None = row.default_rate
    return True, rate
