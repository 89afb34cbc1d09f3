"""The changes one partner message makes to a reservation's stays: plan, move inventory, record."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import uuid4

from canonical.base import Money
from canonical.booking import (
    BOOKING_CANCELLED_V1,
    BOOKING_CREATED_V1,
    BOOKING_MODIFIED_V1,
    BOOKING_OVERBOOKED_V1,
    BookingAction,
    BookingCancelled,
    BookingCreated,
    BookingModified,
    BookingOverbooked,
    BookingReceived,
    BookingStatus,
    Guest,
    RoomStay,
)
from pms_core.adapters import bookings as store
from pms_core.adapters import inventory
from pms_core.adapters.catalog import PropertyCatalog, PropertyRef
from pms_core.model import (
    Night,
    StayStep,
    is_live,
    night_moves,
    plan_stays,
    price_nights,
    stay_nights,
    stay_total,
)
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import BookingView


@dataclass
class StayChange:
    """One booking before and after a message, with the inventory it holds on either side."""

    before: BookingView | None
    after: BookingView
    room_type_id: int
    rate_plan_id: int
    guests: tuple[Guest, ...] | None = None  # None: keep the stored guests and nights
    prices: list[tuple[Night, Decimal | None]] = field(default_factory=list)
    old_nights: list[Night] = field(default_factory=list)

    @property
    def new_nights(self) -> list[Night]:
        """The nights this booking holds afterwards (none once cancelled)."""
        if not is_live(self.after.status):
            return []
        return [night for night, _ in self.prices]

    @property
    def taken(self) -> set[Night]:
        """Nights newly held by this booking."""
        _, taken = night_moves(self.old_nights, self.new_nights)
        return set(taken)


async def plan_changes(
    uow: PmsUnitOfWork,
    setup: PropertyCatalog,
    msg: BookingReceived,
    existing: list[store.StoredBooking],
) -> list[StayChange]:
    """Work out, stay by stay, what the message does; raises on unknown codes before any write."""
    by_index = {stored.view.stay_index: stored for stored in existing}
    if msg.action is BookingAction.CANCEL:
        steps = [
            (index, StayStep.CANCEL)
            for index, s in sorted(by_index.items())
            if s.view.status is not BookingStatus.CANCELLED
        ]
    else:
        statuses = {index: s.view.status for index, s in by_index.items()}
        plan = plan_stays(statuses, len(msg.room_stays))
        steps = [(p.stay_index, p.step) for p in plan if p.step is not StayStep.KEEP_CANCELLED]
    confirmation = existing[0].view.confirmation if existing else msg.confirmation
    changes: list[StayChange] = []
    for index, step in steps:
        stored = by_index.get(index)
        if step is StayStep.CANCEL:
            assert stored is not None
            changes.append(_cancellation(uow, msg, stored))
            continue
        stay = msg.room_stays[index]
        changes.append(await _stay_change(uow, setup, msg, stay, index, stored, confirmation))
    return changes


def _cancellation(uow: PmsUnitOfWork, msg: BookingReceived, stored: store.StoredBooking) -> StayChange:
    before = stored.view
    old = _nights(stored.room_type_id, before) if is_live(before.status) else []
    after = before.model_copy(
        update={
            "status": BookingStatus.CANCELLED,
            "revision": before.revision + 1,
            "partner_revision": msg.partner_revision,
            "updated_at": uow.now(),
        }
    )
    return StayChange(before, after, stored.room_type_id, stored.rate_plan_id, old_nights=old)


async def _stay_change(
    uow: PmsUnitOfWork,
    setup: PropertyCatalog,
    msg: BookingReceived,
    stay: RoomStay,
    index: int,
    stored: store.StoredBooking | None,
    confirmation: str,
) -> StayChange:
    prop = setup.prop
    room_type = await uow.catalog.room_type(uow.conn, setup, stay.room_type_code)
    rate_plan = await uow.catalog.rate_plan(uow.conn, setup, stay.rate_plan_code)
    dates = stay_nights(stay.arrival, stay.departure)
    given = stay.total or (msg.total if len(msg.room_stays) == 1 else None)
    amounts = price_nights(dates, nightly=stay.nightly, total=None if given is None else given.amount)
    total = stay_total(amounts, given=None if given is None else given.amount)
    currency = next(
        (m.currency for m in (given, *(n.price for n in stay.nightly)) if m is not None),
        prop.currency,
    )
    now = uow.now()
    draft = BookingView(
        id=uuid4(),
        property_code=prop.code,
        confirmation=confirmation,
        stay_index=index,
        partner_id=msg.partner_id,
        partner_reservation_id=msg.partner_reservation_id,
        room_type_code=room_type.code,
        rate_plan_code=rate_plan.code,
        arrival=stay.arrival,
        departure=stay.departure,
        adults=stay.guests.adults,
        children=stay.guests.children,
        child_ages=stay.guests.child_ages,
        status=BookingStatus.CONFIRMED,
        total=None if total is None else Money(amount=total, currency=currency),
        currency=currency,
        guarantee=stay.guarantee or msg.guarantee,
        comments=(*msg.comments, *stay.comments),
        revision=1,
        partner_revision=msg.partner_revision,
        created_at=now,
        updated_at=now,
    )
    prices = [((room_type.id, night), amount) for night, amount in zip(dates, amounts, strict=True)]
    if stored is None:
        return StayChange(None, draft, room_type.id, rate_plan.id, msg.guests, prices)
    before = stored.view
    old = _nights(stored.room_type_id, before) if is_live(before.status) else []
    after = draft.model_copy(
        update={
            "id": before.id,
            "confirmation": before.confirmation,
            "created_at": before.created_at,
            "status": _status_after_modify(before.status),
            "revision": before.revision + 1,
        }
    )
    return StayChange(before, after, room_type.id, rate_plan.id, msg.guests, prices, old)


def _status_after_modify(status: BookingStatus) -> BookingStatus:
    # A guest in house, checked out or gone missing stays so; a partner's change does not undo it.
    if status in (BookingStatus.CONFIRMED, BookingStatus.MODIFIED, BookingStatus.CANCELLED):
        return BookingStatus.MODIFIED
    return status


def _nights(room_type_id: int, view: BookingView) -> list[Night]:
    return [(room_type_id, night) for night in stay_nights(view.arrival, view.departure)]


async def move_inventory(uow: PmsUnitOfWork, setup: PropertyCatalog, changes: list[StayChange]) -> set[Night]:
    """Release the nights the changes give up and take the ones they gain, unconditionally;
    return the nights the changes hold afterwards that are oversold."""
    # Net deltas over the whole reservation: releasing old nights and taking new ones in one
    # pass leaves every inventory row exactly where the bookings say it should be.
    deltas: Counter[Night] = Counter()
    for change in changes:
        deltas.subtract(change.old_nights)
        deltas.update(change.new_nights)
    held = {night for change in changes for night in change.new_nights}
    oversold = await inventory.move(uow.conn, setup.prop.id, deltas, setup.physical)
    # Nights held before and after (net delta 0) did not move: only a modification has them.
    unmoved = {night for night in held if not deltas[night]}
    return (oversold & held) | await inventory.oversold(uow.conn, unmoved)


async def record_change(
    uow: PmsUnitOfWork, prop: PropertyRef, change: StayChange, oversold: set[Night]
) -> BookingView:
    """Write one changed booking with its revision, and collect its events."""
    before, conn = change.before, uow.conn
    newly = sorted(change.taken & oversold)
    retained = set(change.new_nights) & set(change.old_nights)
    kept = before is not None and before.overbooked and bool(retained & oversold)
    overbooked = bool(newly) or kept
    if not is_live(change.after.status):
        overbooked = change.after.overbooked
    after = change.after.model_copy(update={"overbooked": overbooked})

    if before is None:
        await store.insert_booking(conn, after, prop.id, change.room_type_id, change.rate_plan_id)
    else:
        await store.update_booking(conn, after, change.room_type_id, change.rate_plan_id)
    if change.guests is not None:
        nights = [(night, amount) for (_, night), amount in change.prices]
        await store.replace_details(conn, after.id, change.guests, nights, new=before is None)

    fields = event_fields(after)
    if before is None:
        action = "created"
        uow.collect(BOOKING_CREATED_V1, BookingCreated(**fields))
    elif after.status is BookingStatus.CANCELLED and before.status is not BookingStatus.CANCELLED:
        action = "cancelled"
        uow.collect(BOOKING_CANCELLED_V1, BookingCancelled(**fields))
    else:
        action = "modified"
        previous = {
            "previous_room_type_code": before.room_type_code,
            "previous_arrival": before.arrival,
            "previous_departure": before.departure,
            "previous_status": before.status,
        }
        uow.collect(BOOKING_MODIFIED_V1, BookingModified(**fields, **previous))
    await store.add_revision(conn, after, action, message_id=uow.message_id, at=uow.now())
    if newly:
        uow.collect(
            BOOKING_OVERBOOKED_V1,
            BookingOverbooked(
                booking_id=after.id,
                property_code=prop.code,
                confirmation=after.confirmation,
                partner_id=after.partner_id,
                room_type_code=after.room_type_code,
                nights=tuple(night for _, night in newly),
            ),
        )
    return after


def event_fields(view: BookingView) -> dict[str, Any]:
    """The fields every booking lifecycle event copies from the booking."""
    return {
        "booking_id": view.id,
        "property_code": view.property_code,
        "confirmation": view.confirmation,
        "stay_index": view.stay_index,
        "partner_id": view.partner_id,
        "partner_reservation_id": view.partner_reservation_id,
        "room_type_code": view.room_type_code,
        "rate_plan_code": view.rate_plan_code,
        "arrival": view.arrival,
        "departure": view.departure,
        "status": view.status,
        "overbooked": view.overbooked,
        "total": view.total,
        "revision": view.revision,
    }
