"""Reading and writing booking rows: the booking, its guests, nightly prices and revisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, bindparam, delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import Money
from canonical.booking import BookingStatus, Guarantee, Guest
from pms_core.adapters.tables import (
    booking_guests,
    booking_nights,
    booking_revisions,
    bookings,
    properties,
    rate_plans,
    room_types,
)
from pms_core.errors import ConcurrentBookingChange
from pms_core.views import BookingView

_GUEST_FIELDS = (
    "given_name",
    "surname",
    "name_prefix",
    "email",
    "phone",
    "address_line",
    "city",
    "postal_code",
    "country_code",
    "language",
)


def booking_select() -> Select[Any]:
    """SELECT of bookings with the codes their views show."""
    return (
        select(
            bookings,
            properties.c.code.label("property_code"),
            room_types.c.code.label("room_type_code"),
            rate_plans.c.code.label("rate_plan_code"),
        )
        .join(properties, properties.c.id == bookings.c.property_id)
        .join(room_types, room_types.c.id == bookings.c.room_type_id)
        .join(rate_plans, rate_plans.c.id == bookings.c.rate_plan_id)
    )


def view_from_row(row: Row[Any]) -> BookingView:
    """Build the view of one booking row from booking_select()."""
    total = None
    if row.total_amount is not None:
        total = Money(amount=Decimal(row.total_amount), currency=row.currency)
    guarantee = None if row.guarantee is None else Guarantee.model_validate(row.guarantee)
    return BookingView(
        id=row.id,
        property_code=row.property_code,
        confirmation=row.confirmation,
        stay_index=row.stay_index,
        partner_id=row.partner_id,
        partner_reservation_id=row.partner_reservation_id,
        room_type_code=row.room_type_code,
        rate_plan_code=row.rate_plan_code,
        arrival=row.arrival,
        departure=row.departure,
        adults=row.adults,
        children=row.children,
        child_ages=tuple(row.child_ages),
        status=BookingStatus(row.status),
        overbooked=row.overbooked,
        total=total,
        currency=row.currency,
        guarantee=guarantee,
        comments=tuple(row.comments),
        revision=row.revision,
        partner_revision=row.partner_revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@dataclass(frozen=True, slots=True)
class StoredBooking:
    """A booking's view with the ids of its room type and rate plan."""

    view: BookingView
    room_type_id: int
    rate_plan_id: int
    revision_applied: bool = False  # the partner revision looked up with it is in its history


# Built once: SQLAlchemy then finds each compiled statement by a cache key it has already computed.
_REVISION_APPLIED = (
    exists()
    .where(
        booking_revisions.c.booking_id == bookings.c.id,
        booking_revisions.c.partner_revision == bindparam("partner_revision"),
    )
    .label("revision_applied")
)
_BY_RESERVATION = (
    booking_select()
    .add_columns(_REVISION_APPLIED)
    .where(
        bookings.c.partner_id == bindparam("partner_id"),
        bookings.c.partner_reservation_id == bindparam("reference"),
    )
    .order_by(bookings.c.stay_index)
)
_BY_CONFIRMATION = (
    booking_select()
    .add_columns(_REVISION_APPLIED)
    .where(
        bookings.c.partner_id == bindparam("partner_id"),
        bookings.c.confirmation == bindparam("reference"),
    )
    .order_by(bookings.c.stay_index)
)
# PostgreSQL locks the stays against concurrent changes; SQLite's BEGIN IMMEDIATE already did.
_LOOKUPS = {
    ("sqlite", False): _BY_RESERVATION,
    ("sqlite", True): _BY_CONFIRMATION,
    ("postgresql", False): _BY_RESERVATION.with_for_update(of=bookings),
    ("postgresql", True): _BY_CONFIRMATION.with_for_update(of=bookings),
}
_INSERT_BOOKING = insert(bookings)
_UPDATE_BOOKING = update(bookings).where(bookings.c.id == bindparam("booking_id"))
_DELETE_GUESTS = delete(booking_guests).where(booking_guests.c.booking_id == bindparam("booking_id"))
_DELETE_NIGHTS = delete(booking_nights).where(booking_nights.c.booking_id == bindparam("booking_id"))
_INSERT_GUESTS = insert(booking_guests)
_INSERT_NIGHTS = insert(booking_nights)
_INSERT_REVISION = insert(booking_revisions)
_REVISION_OF = (
    select(booking_revisions.c.id)
    .where(
        booking_revisions.c.booking_id.in_(bindparam("ids", expanding=True)),
        booking_revisions.c.partner_revision == bindparam("partner_revision"),
    )
    .limit(1)
)


async def _stored(
    conn: AsyncConnection,
    by_confirmation: bool,
    partner_id: str,
    reference: str,
    partner_revision: str | None,
) -> list[StoredBooking]:
    statement = _LOOKUPS[(conn.dialect.name, by_confirmation)]
    params = {"partner_id": partner_id, "reference": reference, "partner_revision": partner_revision}
    return [
        StoredBooking(view_from_row(row), row.room_type_id, row.rate_plan_id, bool(row.revision_applied))
        for row in (await conn.execute(statement, params)).all()
    ]


async def reservation_bookings(
    conn: AsyncConnection, partner_id: str, partner_reservation_id: str, partner_revision: str | None = None
) -> list[StoredBooking]:
    """All stays of a partner's reservation, by stay index, locked against concurrent changes.

    With a partner revision, each stay says whether that revision is already in its history.
    """
    return await _stored(conn, False, partner_id, partner_reservation_id, partner_revision)


async def confirmation_bookings(
    conn: AsyncConnection, partner_id: str, confirmation: str, partner_revision: str | None = None
) -> list[StoredBooking]:
    """All stays of a partner's reservation found by the hub's confirmation number, locked."""
    return await _stored(conn, True, partner_id, confirmation, partner_revision)


async def revision_applied(conn: AsyncConnection, booking_ids: Sequence[UUID], partner_revision: str) -> bool:
    """True when this partner revision was already applied to any of these bookings."""
    if not booking_ids:
        return False
    params = {"ids": list(booking_ids), "partner_revision": partner_revision}
    return (await conn.execute(_REVISION_OF, params)).first() is not None


def _guarantee_json(guarantee: Guarantee | None) -> dict[str, Any] | None:
    # Only what may be shown or charged through the vault: no holder name with the card.
    if guarantee is None:
        return None
    return guarantee.model_dump(mode="json", exclude={"card": {"holder_name"}}, exclude_none=True)


def _values(view: BookingView, room_type_id: int, rate_plan_id: int) -> dict[str, Any]:
    return {
        "confirmation": view.confirmation,
        "stay_index": view.stay_index,
        "partner_id": view.partner_id,
        "partner_reservation_id": view.partner_reservation_id,
        "room_type_id": room_type_id,
        "rate_plan_id": rate_plan_id,
        "arrival": view.arrival,
        "departure": view.departure,
        "adults": view.adults,
        "children": view.children,
        "child_ages": list(view.child_ages),
        "status": view.status.value,
        "overbooked": view.overbooked,
        "total_amount": None if view.total is None else view.total.amount,
        "currency": view.currency,
        "guarantee": _guarantee_json(view.guarantee),
        "comments": list(view.comments),
        "revision": view.revision,
        "partner_revision": view.partner_revision,
        "updated_at": view.updated_at,
    }


async def insert_booking(
    conn: AsyncConnection, view: BookingView, property_id: int, room_type_id: int, rate_plan_id: int
) -> None:
    """Insert a new booking row; a unique clash with a concurrent writer is worth a retry."""
    values = _values(view, room_type_id, rate_plan_id)
    values.update(id=view.id, property_id=property_id, created_at=view.created_at)
    try:
        await conn.execute(_INSERT_BOOKING, values)
    except IntegrityError as err:
        # Only a concurrent writer of the same reservation (or confirmation) gets here; the
        # transaction is lost either way, and a retry will find that writer's booking.
        raise ConcurrentBookingChange(
            f"booking {view.confirmation}/{view.stay_index} clashes with a concurrent write"
        ) from err


async def update_booking(
    conn: AsyncConnection, view: BookingView, room_type_id: int, rate_plan_id: int
) -> None:
    """Overwrite a booking row with the view's values."""
    await conn.execute(_UPDATE_BOOKING, {"booking_id": view.id, **_values(view, room_type_id, rate_plan_id)})


async def replace_details(
    conn: AsyncConnection,
    booking_id: UUID,
    guests: Sequence[Guest],
    nights: Sequence[tuple[date, Decimal | None]],
    *,
    new: bool = False,
) -> None:
    """Replace a booking's guests and nightly prices (`new`: it has none yet, nothing to delete)."""
    if not new:
        await conn.execute(_DELETE_GUESTS, {"booking_id": booking_id})
        await conn.execute(_DELETE_NIGHTS, {"booking_id": booking_id})
    if guests:
        await conn.execute(
            _INSERT_GUESTS,
            [
                {
                    "booking_id": booking_id,
                    "position": position,
                    "is_primary": guest.primary,
                    **{name: getattr(guest, name) for name in _GUEST_FIELDS},
                }
                for position, guest in enumerate(guests)
            ],
        )
    if nights:
        await conn.execute(
            _INSERT_NIGHTS,
            [{"booking_id": booking_id, "night": night, "amount": amount} for night, amount in nights],
        )


async def add_revision(
    conn: AsyncConnection,
    view: BookingView,
    action: str,
    *,
    message_id: str | None,
    at: datetime,
) -> None:
    """Record the booking as it now is, with what changed it."""
    await conn.execute(
        _INSERT_REVISION,
        {
            "booking_id": view.id,
            "revision": view.revision,
            "action": action,
            "partner_revision": view.partner_revision,
            "message_id": message_id,
            "snapshot": view.model_dump(mode="json"),
            "created_at": at,
        },
    )


def guest_from_row(row: Row[Any]) -> Guest:
    """Build a guest from a booking_guests row."""
    return Guest(primary=row.is_primary, **{name: getattr(row, name) for name in _GUEST_FIELDS})
