"""Use cases of the booking half: a partner's booking message, and a direct booking."""

from __future__ import annotations

from uuid import uuid4

from canonical.base import Money
from canonical.booking import (
    BOOKING_CREATED_V1,
    BookingAction,
    BookingCreated,
    BookingReceived,
    BookingStatus,
    CreateBooking,
)
from pms_core.adapters import bookings as store
from pms_core.adapters import catalog, inventory
from pms_core.errors import (
    BookingNotYetKnown,
    NoRate,
    OccupancyExceeded,
    PropertyMismatch,
    RatePlanNotSold,
    SoldOut,
)
from pms_core.model import (
    RevisionOrder,
    compare_revisions,
    latest_revision,
    new_confirmation,
    price_nights,
    stay_nights,
    stay_total,
)
from pms_core.reservations import event_fields, move_inventory, plan_changes, record_change
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import BookingOutcome, BookingView, OutcomeKind


async def handle_booking_received(msg: BookingReceived, uow: PmsUnitOfWork) -> BookingOutcome:
    """Create, modify or cancel a partner's reservation, once per partner revision.

    Raises BookingNotYetKnown for a modify/cancel before its create, and PermanentError
    subclasses for codes the property does not have.
    """
    conn, revision = uow.conn, msg.partner_revision
    setup = await uow.catalog.property(conn, msg.property_code)
    prop = setup.prop
    existing = await store.reservation_bookings(conn, msg.partner_id, msg.partner_reservation_id, revision)
    if not existing and msg.action is BookingAction.CANCEL:
        # Some channels cancel by quoting the hub's confirmation number instead of their own id.
        existing = await store.confirmation_bookings(
            conn, msg.partner_id, msg.partner_reservation_id, revision
        )
        if existing and existing[0].view.partner_reservation_id:
            msg = msg.model_copy(
                update={"partner_reservation_id": existing[0].view.partner_reservation_id}
            )
    if not existing and msg.action is not BookingAction.COMMIT:
        raise BookingNotYetKnown(msg.partner_id, msg.partner_reservation_id)
    if existing:
        if existing[0].view.property_code != prop.code:
            raise PropertyMismatch(msg.partner_reservation_id, existing[0].view.property_code, prop.code)
        skip = _skip_reason(msg, existing)
        if skip is not None:
            kind, reason = skip
            return _outcome(msg, kind, reason, [stored.view for stored in existing])

    changes = await plan_changes(uow, setup, msg, existing)
    oversold = await move_inventory(uow, setup, changes)
    afters = [await record_change(uow, prop, change, oversold) for change in changes]
    action = msg.action.value
    return _outcome(
        msg,
        OutcomeKind.APPLIED,
        f"{action} applied to {len(changes)} room stay(s)",
        afters,
        overbooked=any(change.taken & oversold for change in changes),
    )


async def create_direct_booking(cmd: CreateBooking, uow: PmsUnitOfWork) -> BookingView:
    """Book one room through the PMS API; never oversells, even under concurrent requests.

    Raises SoldOut when any night has no room left (the caller must roll back), and
    UnknownProperty/UnknownRoomType/UnknownRatePlan/RatePlanNotSold/NoRate/OccupancyExceeded.
    """
    conn = uow.conn
    setup = await uow.catalog.property(conn, cmd.property_code)
    prop = setup.prop
    room_type = await uow.catalog.room_type(conn, setup, cmd.room_type_code)
    rate_plan = await uow.catalog.rate_plan(conn, setup, cmd.rate_plan_code)
    sold, rate = await catalog.default_rate(conn, rate_plan, room_type)
    if not sold:
        raise RatePlanNotSold(prop.code, rate_plan.code, room_type.code)
    if rate is None:
        raise NoRate(prop.code, rate_plan.code, room_type.code)
    headcount = cmd.occupancy.adults + cmd.occupancy.children
    if headcount > room_type.max_occupancy:
        raise OccupancyExceeded(room_type.code, headcount, room_type.max_occupancy)

    nights = stay_nights(cmd.arrival, cmd.departure)
    physical = setup.physical.get(room_type.id, 0)
    if not await inventory.take_if_available(conn, prop.id, room_type.id, nights, physical):
        raise SoldOut(prop.code, room_type.code, cmd.arrival, cmd.departure)

    amounts = price_nights(nights, default_rate=rate)
    total = stay_total(amounts)
    now = uow.now()
    view = BookingView(
        id=uuid4(),
        property_code=prop.code,
        confirmation=new_confirmation(),
        stay_index=0,
        room_type_code=room_type.code,
        rate_plan_code=rate_plan.code,
        arrival=cmd.arrival,
        departure=cmd.departure,
        adults=cmd.occupancy.adults,
        children=cmd.occupancy.children,
        child_ages=cmd.occupancy.child_ages,
        status=BookingStatus.CONFIRMED,
        total=None if total is None else Money(amount=total, currency=prop.currency),
        currency=prop.currency,
        guarantee=cmd.guarantee,
        comments=cmd.comments,
        revision=1,
        created_at=now,
        updated_at=now,
    )
    await store.insert_booking(conn, view, prop.id, room_type.id, rate_plan.id)
    await store.replace_details(conn, view.id, cmd.guests, list(zip(nights, amounts, strict=True)), new=True)
    await store.add_revision(conn, view, "created", message_id=uow.message_id, at=now)
    uow.collect(BOOKING_CREATED_V1, BookingCreated(**event_fields(view)))
    return view


def _skip_reason(msg: BookingReceived, existing: list[store.StoredBooking]) -> tuple[OutcomeKind, str] | None:
    if any(stored.revision_applied for stored in existing):
        return OutcomeKind.DUPLICATE, f"revision {msg.partner_revision!r} was already applied"
    if msg.action is BookingAction.CANCEL and all(
        stored.view.status is BookingStatus.CANCELLED for stored in existing
    ):
        return OutcomeKind.DUPLICATE, "the reservation is already cancelled"
    latest = latest_revision(stored.view.partner_revision for stored in existing)
    order = compare_revisions(msg.partner_revision, latest)
    if order is RevisionOrder.SAME:
        return OutcomeKind.DUPLICATE, f"revision {msg.partner_revision!r} was already applied"
    if order is RevisionOrder.OLDER:
        return (
            OutcomeKind.STALE,
            f"revision {msg.partner_revision!r} is older than applied revision {latest!r}: ignored",
        )
    return None


def _outcome(
    msg: BookingReceived,
    kind: OutcomeKind,
    reason: str,
    views: list[BookingView],
    *,
    overbooked: bool = False,
) -> BookingOutcome:
    return BookingOutcome(
        kind=kind,
        action=msg.action,
        partner_id=msg.partner_id,
        partner_reservation_id=msg.partner_reservation_id,
        partner_revision=msg.partner_revision,
        reason=reason,
        bookings=tuple(views),
        overbooked=overbooked,
    )
