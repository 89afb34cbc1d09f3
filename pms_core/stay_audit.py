"""What the night audit asks of stays: the in-house nights of a business date, and the no-shows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.stay import StayStatus
from pms_core.adapters import catalog
from pms_core.adapters import stays as store
from pms_core.adapters.stay_tables import booking_profiles, room_nights, stays
from pms_core.adapters.tables import booking_nights, bookings, rate_plans, room_types, rooms
from pms_core.stay_handlers import no_show
from pms_core.stay_views import InHouseNight
from pms_core.stays import ARRIVING
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import BookingView


async def in_house_nights(
    conn: AsyncConnection, property_code: str, business_date: date
) -> list[InHouseNight]:
    """Every in-house stay holding a room on the night of `business_date`, with that night's price.

    Ordered by room number; raises UnknownProperty.
    """
    prop = await catalog.property_by_code(conn, property_code)
    statement = (
        select(
            stays.c.id.label("stay_id"),
            stays.c.booking_id,
            bookings.c.confirmation,
            rooms.c.number.label("room"),
            room_types.c.code.label("room_type_code"),
            rate_plans.c.code.label("rate_plan_code"),
            booking_nights.c.amount,
            bookings.c.currency,
            booking_profiles.c.guest_profile_id,
            booking_profiles.c.company_profile_id,
        )
        .join(room_nights, and_(room_nights.c.stay_id == stays.c.id, room_nights.c.night == business_date))
        .join(rooms, rooms.c.id == room_nights.c.room_id)
        .join(bookings, bookings.c.id == stays.c.booking_id)
        .join(room_types, room_types.c.id == bookings.c.room_type_id)
        .join(rate_plans, rate_plans.c.id == bookings.c.rate_plan_id)
        .outerjoin(
            booking_nights,
            and_(booking_nights.c.booking_id == bookings.c.id, booking_nights.c.night == business_date),
        )
        .outerjoin(booking_profiles, booking_profiles.c.booking_id == bookings.c.id)
        .where(stays.c.property_id == prop.id, stays.c.status == StayStatus.IN_HOUSE.value)
        .order_by(rooms.c.number)
    )
    return [
        InHouseNight(
            property_code=prop.code,
            business_date=business_date,
            stay_id=row.stay_id,
            booking_id=row.booking_id,
            confirmation=row.confirmation,
            room=row.room,
            room_type_code=row.room_type_code,
            rate_plan_code=row.rate_plan_code,
            amount=None if row.amount is None else Decimal(row.amount),
            currency=row.currency,
            guest_profile_id=row.guest_profile_id,
            company_profile_id=row.company_profile_id,
        )
        for row in await conn.execute(statement)
    ]


async def mark_no_shows(uow: PmsUnitOfWork, property_code: str, business_date: date) -> list[BookingView]:
    """Mark every booking due by `business_date` and not checked in a no-show; their nights are released.

    Each raises booking.no_show.v1 (and, through the booking-change path, booking.modified.v1 and
    availability ari.changed.v1). Returns the bookings marked, by arrival and confirmation.
    """
    setup = await uow.catalog.property(uow.conn, property_code)
    due = (
        select(bookings.c.id)
        .where(
            bookings.c.property_id == setup.prop.id,
            bookings.c.status.in_([status.value for status in ARRIVING]),
            bookings.c.arrival <= business_date,
        )
        .order_by(bookings.c.arrival, bookings.c.confirmation, bookings.c.stay_index)
    )
    marked: list[BookingView] = []
    for booking_id in (await uow.conn.execute(due)).scalars().all():
        stored = await store.booking(uow.conn, setup.prop.id, booking_id)
        if stored is not None and stored.view.status in ARRIVING:
            marked.append(await no_show(uow, setup, stored, business_date))
    return marked
