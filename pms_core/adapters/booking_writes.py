"""Writing bookings: rows gathered first, then one statement per table however many bookings changed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import BindParameter, bindparam, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.booking import Guarantee, Guest
from pms_core.adapters.bookings import GUEST_FIELDS
from pms_core.adapters.bulk import UnnestInsert
from pms_core.adapters.tables import booking_guests, booking_nights, booking_revisions, bookings
from pms_core.errors import ConcurrentBookingChange
from pms_core.views import BookingView

# Built once: SQLAlchemy then finds each compiled statement by a cache key it has already computed;
# new rows go out as one statement per table (pms_core.adapters.bulk).
_INSERT_BOOKINGS = UnnestInsert(bookings)
_UPDATE_BOOKINGS = update(bookings).where(bookings.c.id == bindparam("booking_id"))
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
_DELETE_GUESTS = delete(booking_guests).where(booking_guests.c.booking_id.in_(_IDS))
_DELETE_NIGHTS = delete(booking_nights).where(booking_nights.c.booking_id.in_(_IDS))
_INSERT_GUESTS = UnnestInsert(booking_guests)
_INSERT_NIGHTS = UnnestInsert(booking_nights)
_INSERT_REVISIONS = UnnestInsert(booking_revisions)


def _guarantee_json(guarantee: Guarantee | None) -> dict[str, Any] | None:
    # All of the card reference (brand, BIN, last four, expiry, holder, token), as the revision
    # snapshot keeps it: the canonical CardRef has no PAN or CVV to leave out.
    if guarantee is None:
        return None
    return guarantee.model_dump(mode="json", exclude_none=True)


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
        "warnings": [warning.model_dump(mode="json") for warning in view.warnings],
        "total_amount": None if view.total is None else view.total.amount,
        "tax_basis": None if view.tax_basis is None else view.tax_basis.value,
        "currency": view.currency,
        "guarantee": _guarantee_json(view.guarantee),
        "comments": list(view.comments),
        "revision": view.revision,
        "partner_revision": view.partner_revision,
        "updated_at": view.updated_at,
    }


class BookingWrites:
    """Booking rows waiting to be written: new and changed bookings, their details and revisions.

    Gather, then flush() once: bookings go before the rows that refer to them. Each booking may
    appear once (new or changed).
    """

    def __init__(self) -> None:
        self._new: list[dict[str, Any]] = []
        self._changed: list[dict[str, Any]] = []
        self._replaced: list[UUID] = []
        self._guests: list[dict[str, Any]] = []
        self._nights: list[dict[str, Any]] = []
        self._revisions: list[dict[str, Any]] = []

    def booking(
        self, view: BookingView, property_id: int, room_type_id: int, rate_plan_id: int, *, new: bool
    ) -> None:
        """Insert (`new`) or overwrite the booking's row with the view's values."""
        values = _values(view, room_type_id, rate_plan_id)
        if new:
            values.update(id=view.id, property_id=property_id, created_at=view.created_at)
            self._new.append(values)
        else:
            values["booking_id"] = view.id
            self._changed.append(values)

    def details(
        self,
        booking_id: UUID,
        guests: Sequence[Guest],
        nights: Sequence[tuple[date, Decimal | None]],
        *,
        new: bool,
    ) -> None:
        """Replace the booking's guests and nightly prices (`new`: it has none yet to delete)."""
        if not new:
            self._replaced.append(booking_id)
        self._guests += [
            {
                "booking_id": booking_id,
                "position": position,
                "is_primary": guest.primary,
                **{name: getattr(guest, name) for name in GUEST_FIELDS},
            }
            for position, guest in enumerate(guests)
        ]
        self._nights += [
            {"booking_id": booking_id, "night": night, "amount": amount} for night, amount in nights
        ]

    def revision(self, view: BookingView, action: str, *, message_id: str | None, at: datetime) -> None:
        """Record the booking as it now is, with what changed it."""
        self._revisions.append(
            {
                "booking_id": view.id,
                "revision": view.revision,
                "action": action,
                "partner_revision": view.partner_revision,
                "message_id": message_id,
                "snapshot": view.model_dump(mode="json"),
                "created_at": at,
            }
        )

    async def flush(self, conn: AsyncConnection) -> None:
        """Write everything gathered, one statement per table; a unique clash on a new booking
        (a concurrent writer of the same reservation or confirmation) raises ConcurrentBookingChange."""
        if self._new:
            try:
                await _INSERT_BOOKINGS.execute(conn, self._new)
            except IntegrityError as err:
                # The transaction is lost either way; a retry will find that writer's booking.
                clashing = ", ".join(f"{row['confirmation']}/{row['stay_index']}" for row in self._new[:5])
                raise ConcurrentBookingChange(f"booking {clashing} clashes with a concurrent write") from err
        if self._changed:
            await conn.execute(_UPDATE_BOOKINGS, self._changed)
        if self._replaced:
            await conn.execute(_DELETE_GUESTS, {"ids": self._replaced})
            await conn.execute(_DELETE_NIGHTS, {"ids": self._replaced})
        for statement, rows in (
            (_INSERT_GUESTS, self._guests),
            (_INSERT_NIGHTS, self._nights),
            (_INSERT_REVISIONS, self._revisions),
        ):
            await statement.execute(conn, rows)
