"""The read side: bookings, one booking's history, availability, property set-up."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.booking import BookingStatus
from pms_core.adapters import catalog
from pms_core.adapters import inventory as stock
from pms_core.adapters.bookings import booking_select, guest_from_row, view_from_row
from pms_core.adapters.tables import (
    booking_guests,
    booking_nights,
    booking_revisions,
    bookings,
    inventory,
    rate_plan_room_types,
    rate_plans,
    room_types,
    rooms,
)
from pms_core.views import (
    AvailabilityRow,
    BookingDetail,
    BookingView,
    NightView,
    PropertyView,
    RatePlanView,
    RateView,
    RevisionView,
    RoomTypeView,
    RoomView,
)

MAX_PAGE = 1000
# past any real list, and inside the 64-bit integers both databases take for OFFSET
MAX_OFFSET = 2**31 - 1
MAX_AVAILABILITY_DAYS = 731


async def property_exists(conn: AsyncConnection, property_code: str) -> bool:
    """True when a property with this code exists."""
    return await catalog.find_property(conn, property_code) is not None


async def get_property(conn: AsyncConnection, property_code: str) -> PropertyView:
    """The property with its room types, rooms and rate plans; raises UnknownProperty."""
    prop = await catalog.property_by_code(conn, property_code)
    types = (
        await conn.execute(
            select(room_types).where(room_types.c.property_id == prop.id).order_by(room_types.c.code)
        )
    ).all()
    room_rows = (
        await conn.execute(select(rooms).where(rooms.c.property_id == prop.id).order_by(rooms.c.number))
    ).all()
    plans = (
        await conn.execute(
            select(rate_plans).where(rate_plans.c.property_id == prop.id).order_by(rate_plans.c.code)
        )
    ).all()
    links = (
        await conn.execute(
            select(
                rate_plan_room_types.c.rate_plan_id, room_types.c.code, rate_plan_room_types.c.default_rate
            )
            .join(room_types, room_types.c.id == rate_plan_room_types.c.room_type_id)
            .where(room_types.c.property_id == prop.id)
            .order_by(room_types.c.code)
        )
    ).all()
    return PropertyView(
        code=prop.code,
        name=prop.name,
        timezone=prop.timezone,
        currency=prop.currency,
        business_date=prop.business_date,
        room_types=tuple(
            RoomTypeView(
                code=t.code,
                name=t.name,
                max_occupancy=t.max_occupancy,
                active=t.active,
                rooms=tuple(
                    RoomView(
                        number=r.number,
                        occupancy=r.occupancy,
                        housekeeping=r.housekeeping,
                        out_of_order=r.out_of_order,
                        active=r.active,
                    )
                    for r in room_rows
                    if r.room_type_id == t.id
                ),
            )
            for t in types
        ),
        rate_plans=tuple(
            RatePlanView(
                code=p.code,
                name=p.name,
                active=p.active,
                rates=tuple(
                    RateView(room_type_code=code, default_rate=_cents(rate))
                    for plan_id, code, rate in links
                    if plan_id == p.id
                ),
            )
            for p in plans
        ),
    )


async def list_bookings(
    conn: AsyncConnection,
    property_code: str,
    *,
    partner_id: str | None = None,
    partner_reservation_id: str | None = None,
    status: BookingStatus | None = None,
    stay_from: date | None = None,
    stay_to: date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[BookingView]:
    """A property's bookings, filtered; stay_from/stay_to keep stays with a night in [from, to).

    Ordered by arrival, confirmation and stay index; at most MAX_PAGE per page. Raises
    UnknownProperty.
    """
    prop = await catalog.property_by_code(conn, property_code)
    statement = booking_select().where(bookings.c.property_id == prop.id)
    if partner_id is not None:
        statement = statement.where(bookings.c.partner_id == partner_id)
    if partner_reservation_id is not None:
        statement = statement.where(bookings.c.partner_reservation_id == partner_reservation_id)
    if status is not None:
        statement = statement.where(bookings.c.status == status.value)
    if stay_from is not None:
        statement = statement.where(bookings.c.departure > stay_from)
    if stay_to is not None:
        statement = statement.where(bookings.c.arrival < stay_to)
    statement = (
        statement.order_by(bookings.c.arrival, bookings.c.confirmation, bookings.c.stay_index)
        .limit(max(0, min(limit, MAX_PAGE)))
        .offset(max(0, min(offset, MAX_OFFSET)))
    )
    return [view_from_row(row) for row in (await conn.execute(statement)).all()]


async def get_booking(conn: AsyncConnection, property_code: str, booking_id: UUID) -> BookingDetail | None:
    """One booking with guests, nightly prices and revisions; None if the property has no such
    booking. Raises UnknownProperty."""
    prop = await catalog.property_by_code(conn, property_code)
    row = (
        await conn.execute(
            booking_select().where(bookings.c.property_id == prop.id, bookings.c.id == booking_id)
        )
    ).one_or_none()
    if row is None:
        return None
    guests = (
        await conn.execute(
            select(booking_guests)
            .where(booking_guests.c.booking_id == booking_id)
            .order_by(booking_guests.c.position)
        )
    ).all()
    nights = (
        await conn.execute(
            select(booking_nights.c.night, booking_nights.c.amount)
            .where(booking_nights.c.booking_id == booking_id)
            .order_by(booking_nights.c.night)
        )
    ).all()
    revisions = (
        await conn.execute(
            select(booking_revisions)
            .where(booking_revisions.c.booking_id == booking_id)
            .order_by(booking_revisions.c.revision)
        )
    ).all()
    return BookingDetail(
        **view_from_row(row).model_dump(),
        guests=tuple(guest_from_row(guest) for guest in guests),
        nights=tuple(NightView(night=night, amount=_cents(amount)) for night, amount in nights),
        revisions=tuple(
            RevisionView(
                revision=rev.revision,
                action=rev.action,
                partner_revision=rev.partner_revision,
                message_id=rev.message_id,
                snapshot=BookingView.model_validate(rev.snapshot),
                created_at=rev.created_at,
            )
            for rev in revisions
        ),
    )


async def availability(
    conn: AsyncConnection, property_code: str, start: date, end: date
) -> list[AvailabilityRow]:
    """Per active room type and date in [start, end): physical, out of order, sold, available.

    Dates without an inventory row are computed from the room counts. Raises UnknownProperty,
    and ValueError for a range longer than MAX_AVAILABILITY_DAYS.
    """
    prop = await catalog.property_by_code(conn, property_code)
    days = (end - start).days
    if days > MAX_AVAILABILITY_DAYS:
        raise ValueError(f"at most {MAX_AVAILABILITY_DAYS} days at a time, {days} asked")
    if days <= 0:
        return []
    types = (
        await conn.execute(
            select(room_types.c.id, room_types.c.code)
            .where(room_types.c.property_id == prop.id, room_types.c.active.is_(True))
            .order_by(room_types.c.code)
        )
    ).all()
    physical = await stock.physical_counts(conn, (t.id for t in types))
    stored = {
        (row.room_type_id, row.stay_date): row
        for row in (
            await conn.execute(
                select(inventory).where(
                    inventory.c.property_id == prop.id,
                    inventory.c.stay_date >= start,
                    inventory.c.stay_date < end,
                )
            )
        ).all()
    }
    result: list[AvailabilityRow] = []
    for room_type in types:
        for offset in range(days):
            day = start + timedelta(days=offset)
            row = stored.get((room_type.id, day))
            counts = (
                (row.physical, row.out_of_order, row.sold)
                if row is not None
                else (physical[room_type.id], 0, 0)
            )
            result.append(
                AvailabilityRow(
                    room_type_code=room_type.code,
                    stay_date=day,
                    physical=counts[0],
                    out_of_order=counts[1],
                    sold=counts[2],
                    available=counts[0] - counts[1] - counts[2],
                )
            )
    return result


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))
