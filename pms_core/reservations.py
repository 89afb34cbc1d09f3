"""What one partner message does to a reservation: screen it, then plan the change of each stay."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from uuid import uuid4

from canonical.base import Money
from canonical.booking import (
    BookingAction,
    BookingReceived,
    BookingStatus,
    Guest,
    RoomStay,
)
from pms_core.adapters import bookings as store
from pms_core.adapters.catalog import PropertyCatalog, PropertyRef
from pms_core.errors import BookingNotYetKnown, GuestArrived, PropertyMismatch
from pms_core.model import (
    Night,
    RevisionOrder,
    StayStep,
    compare_revisions,
    is_live,
    latest_revision,
    night_moves,
    plan_stays,
    price_nights,
    stay_nights,
    stay_total,
)
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import BookingOutcome, BookingView, OutcomeKind


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
        tax_basis=stay.tax_basis,
        currency=currency,
        guarantee=stay.guarantee or msg.guarantee,
        comments=(*msg.comments, *stay.comments),
        warnings=stay.warnings,
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


def quoting_confirmation(msg: BookingReceived, existing: list[store.StoredBooking]) -> BookingReceived:
    """The message as if it named the partner's own reservation id, when it was found by the
    hub's confirmation number instead (some channels cancel that way)."""
    if existing and existing[0].view.partner_reservation_id:
        return msg.model_copy(update={"partner_reservation_id": existing[0].view.partner_reservation_id})
    return msg


def screen(
    msg: BookingReceived, prop: PropertyRef, existing: list[store.StoredBooking]
) -> BookingOutcome | None:
    """The outcome of a message that changes nothing (a duplicate or a stale revision), else None.

    Raises BookingNotYetKnown for a modify/cancel before its create, PropertyMismatch when the
    reservation is held in another property.
    """
    if not existing:
        if msg.action is not BookingAction.COMMIT:
            raise BookingNotYetKnown(msg.partner_id, msg.partner_reservation_id)
        return None
    if existing[0].view.property_code != prop.code:
        raise PropertyMismatch(msg.partner_reservation_id, existing[0].view.property_code, prop.code)
    skip = _skip_reason(msg, existing)
    if skip is None:
        arrived = next((s.view for s in existing if s.view.status in _ARRIVED), None)
        if arrived is not None:
            # the guest is (or was) in the room: moving its nights or freeing them would leave the
            # stay, its room nights and its folio behind, so the message waits for staff instead
            raise GuestArrived(
                msg.partner_id, msg.partner_reservation_id, arrived.confirmation, arrived.status.value
            )
        return None
    kind, reason = skip
    return outcome(msg, kind, reason, [stored.view for stored in existing])


_ARRIVED = frozenset({BookingStatus.IN_HOUSE, BookingStatus.CHECKED_OUT, BookingStatus.NO_SHOW})


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


def outcome(
    msg: BookingReceived,
    kind: OutcomeKind,
    reason: str,
    views: list[BookingView],
    *,
    overbooked: bool = False,
) -> BookingOutcome:
    """What the core did with a partner's message."""
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


def applied(
    msg: BookingReceived, changes: list[StayChange], afters: list[BookingView], oversold: set[Night]
) -> BookingOutcome:
    """The outcome of a message whose changes were made."""
    return outcome(
        msg,
        OutcomeKind.APPLIED,
        f"{msg.action.value} applied to {len(changes)} room stay(s)",
        afters,
        overbooked=any(change.taken & oversold for change in changes),
    )
