"""Reading booking rows: one reservation's stays (locked for a change), views, guests."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, String, Uuid, any_, bindparam, exists, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import Money
from canonical.booking import BookingStatus, BookingWarning, Guarantee, Guest, TaxBasis
from pms_core.adapters.tables import (
    booking_revisions,
    bookings,
    properties,
    rate_plans,
    room_types,
)
from pms_core.views import BookingView

GUEST_FIELDS = (
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
        warnings=tuple(BookingWarning.model_validate(warning) for warning in row.warnings or ()),
        total=total,
        tax_basis=None if row.tax_basis is None else TaxBasis(row.tax_basis),
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
# the order rows are locked in: the same in every writer, so they cannot deadlock on each other
_RESERVATION_ORDER = (bookings.c.partner_id, bookings.c.partner_reservation_id, bookings.c.stay_index)
_OF_RESERVATIONS = (
    booking_select()
    .where(
        or_(
            tuple_(bookings.c.partner_id, bookings.c.partner_reservation_id).in_(
                bindparam("reservations", expanding=True)
            ),
            tuple_(bookings.c.partner_id, bookings.c.confirmation).in_(
                bindparam("confirmations", expanding=True)
            ),
        )
    )
    .order_by(*_RESERVATION_ORDER)
)
_APPLIED_REVISIONS = select(booking_revisions.c.booking_id, booking_revisions.c.partner_revision).where(
    booking_revisions.c.booking_id.in_(bindparam("ids", expanding=True)),
    booking_revisions.c.partner_revision.in_(bindparam("revisions", expanding=True)),
)


# PostgreSQL: the same look-ups with one array per column instead of a list of literals, so their
# text is the same for any batch size and each is prepared once per connection.
def _pairs(first: str, second: str) -> Select[Any]:
    pairs = (
        func.unnest(bindparam(first, type_=ARRAY(String)), bindparam(second, type_=ARRAY(String)))
        .table_valued("a", "b")
        .render_derived()
    )
    return select(pairs.c.a, pairs.c.b)


_OF_RESERVATIONS_LOCKED = _OF_RESERVATIONS.with_for_update(of=bookings)
# Reservations only (no cancellation quoting a confirmation: nearly every batch), as a semi-join on
# the pairs: an OR of two such joins would leave the planner nothing but a scan of every booking.
_OF_RESERVATIONS_ONLY_LOCKED = (
    booking_select()
    .where(
        tuple_(bookings.c.partner_id, bookings.c.partner_reservation_id).in_(
            _pairs("reservation_partners", "reservation_ids")
        )
    )
    .order_by(*_RESERVATION_ORDER)
    .with_for_update(of=bookings)
)
_APPLIED_REVISIONS_PG = select(booking_revisions.c.booking_id, booking_revisions.c.partner_revision).where(
    booking_revisions.c.booking_id == any_(bindparam("ids", type_=ARRAY(Uuid))),
    booking_revisions.c.partner_revision == any_(bindparam("revisions", type_=ARRAY(String))),
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


async def many_reservations(
    conn: AsyncConnection,
    reservations: Collection[tuple[str, str]],
    confirmations: Collection[tuple[str, str]],
) -> list[StoredBooking]:
    """Every stay of these (partner, reservation id)s and (partner, confirmation)s, locked, at once."""
    wanted, quoted = sorted(set(reservations)), sorted(set(confirmations))
    statement: Select[Any] = _OF_RESERVATIONS
    params: dict[str, Any] = {"reservations": wanted, "confirmations": quoted}
    if conn.dialect.name == "postgresql" and not quoted:
        statement = _OF_RESERVATIONS_ONLY_LOCKED
        params = {
            "reservation_partners": [partner for partner, _ in wanted],
            "reservation_ids": [reference for _, reference in wanted],
        }
    elif conn.dialect.name == "postgresql":
        statement = _OF_RESERVATIONS_LOCKED
    return [
        StoredBooking(view_from_row(row), row.room_type_id, row.rate_plan_id)
        for row in (await conn.execute(statement, params)).all()
    ]


async def applied_revisions(
    conn: AsyncConnection, booking_ids: Collection[UUID], partner_revisions: Collection[str]
) -> set[tuple[UUID, str]]:
    """The (booking id, partner revision) pairs among these that are in the bookings' histories."""
    if not booking_ids or not partner_revisions:
        return set()
    params = {"ids": sorted(set(booking_ids)), "revisions": sorted(set(partner_revisions))}
    statement = _APPLIED_REVISIONS_PG if conn.dialect.name == "postgresql" else _APPLIED_REVISIONS
    return {(row.booking_id, row.partner_revision) for row in await conn.execute(statement, params)}


def guest_from_row(row: Row[Any]) -> Guest:
    """Build a guest from a booking_guests row."""
    return Guest(primary=row.is_primary, **{name: getattr(row, name) for name in GUEST_FIELDS})
