"""Recording planned stay changes: inventory moved, booking rows staged, events collected."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from canonical.ari import ARI_CHANGED_V1
from canonical.booking import (
    BOOKING_CANCELLED_V1,
    BOOKING_CREATED_V1,
    BOOKING_MODIFIED_V1,
    BOOKING_OVERBOOKED_V1,
    BookingCancelled,
    BookingCreated,
    BookingModified,
    BookingOverbooked,
    BookingStatus,
)
from pms_core.adapters import inventory
from pms_core.adapters.booking_writes import BookingWrites
from pms_core.adapters.catalog import PropertyCatalog, PropertyRef
from pms_core.ari_cells import availability_events
from pms_core.model import Night, is_live
from pms_core.reservations import StayChange
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import BookingView


def net_deltas(changes: list[StayChange]) -> Counter[Night]:
    """How many rooms each night gains (or, negative, gives up) through these changes."""
    # Net over the whole reservation: releasing old nights and taking new ones in one pass
    # leaves every inventory row exactly where the bookings say it should be.
    deltas: Counter[Night] = Counter()
    for change in changes:
        deltas.subtract(change.old_nights)
        deltas.update(change.new_nights)
    return deltas


def held_nights(changes: list[StayChange]) -> set[Night]:
    """The nights these changes hold afterwards."""
    return {night for change in changes for night in change.new_nights}


async def move_inventory(uow: PmsUnitOfWork, setup: PropertyCatalog, changes: list[StayChange]) -> set[Night]:
    """Release the nights the changes give up and take the ones they gain, unconditionally;
    return the nights the changes hold afterwards that are oversold."""
    moved = {night: delta for night, delta in net_deltas(changes).items() if delta}
    stock = await uow.catalog.stock(uow.conn, setup, {room_type_id for room_type_id, _ in moved})
    levels = await inventory.move(uow.conn, moved, stock)
    if uow.ari_events:
        collect_availability(uow, [setup], moved, levels)
    held = held_nights(changes)
    oversold = {night for night, (sold, capacity) in levels.items() if night in held and sold > capacity}
    # Nights held before and after (net delta 0) did not move: only a modification has them.
    return oversold | await inventory.oversold(uow.conn, held - set(moved))


def collect_availability(
    uow: PmsUnitOfWork,
    setups: Iterable[PropertyCatalog],
    moved: Mapping[Night, int],
    levels: Mapping[Night, inventory.Level],
) -> None:
    """Collect an availability `ari.changed.v1` per run of moved nights whose rooms left changed.

    A night this change oversold is announced as urgent even though its rooms left stay 0: the
    channel sold a room the hotel did not have, so every channel must show it closed before anything
    else pending is sent (a channel may still hold an older count).
    """
    names = {ref.id: (setup.prop.code, ref.code) for setup in setups for ref in setup.room_types.values()}
    changed: dict[int, list[date]] = {}
    oversold: dict[int, list[date]] = {}
    for night, delta in moved.items():
        if not delta or night not in levels:
            continue
        sold, capacity = levels[night]
        if delta > 0 and sold > capacity:
            oversold.setdefault(night[0], []).append(night[1])
        elif max(capacity - sold, 0) != max(capacity - sold + delta, 0):
            changed.setdefault(night[0], []).append(night[1])
    for urgent, runs in ((True, oversold), (False, changed)):
        for room_type_id, nights in sorted(runs.items()):
            property_code, type_code = names[room_type_id]
            for event in availability_events(property_code, type_code, nights, urgent=urgent):
                uow.collect(ARI_CHANGED_V1, event)


def stage_change(
    uow: PmsUnitOfWork, prop: PropertyRef, change: StayChange, oversold: set[Night], writes: BookingWrites
) -> BookingView:
    """Settle one changed booking (overbooked or not), stage its rows and revision, collect its events."""
    before = change.before
    newly = sorted(change.taken & oversold)
    retained = set(change.new_nights) & set(change.old_nights)
    kept = before is not None and before.overbooked and bool(retained & oversold)
    overbooked = bool(newly) or kept
    if not is_live(change.after.status):
        overbooked = change.after.overbooked
    after = change.after.model_copy(update={"overbooked": overbooked})

    writes.booking(after, prop.id, change.room_type_id, change.rate_plan_id, new=before is None)
    if change.guests is not None:
        nights = [(night, amount) for (_, night), amount in change.prices]
        writes.details(after.id, change.guests, nights, new=before is None)

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
    writes.revision(after, action, message_id=uow.message_id, at=uow.now())
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
        "tax_basis": view.tax_basis,
        "revision": view.revision,
    }
