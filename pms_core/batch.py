"""A batch of partner booking messages in one transaction, with a few statements for all of them.

handle_booking_batch does what handle_booking_received would do for each message in turn, in
the same transaction, but reads every reservation of the batch in one statement, moves the
inventory of the whole batch in one upsert (rows locked in one order), and writes bookings,
guests, nights and revisions with one statement per table. Messages that touch a reservation an
earlier message of the batch changed start a new segment, which reads again after the earlier
ones were written: each message sees exactly what it would have seen on its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from uuid import UUID

from canonical.booking import BookingAction, BookingReceived
from pms_core.adapters import bookings as store
from pms_core.adapters import inventory
from pms_core.adapters.booking_writes import BookingWrites
from pms_core.adapters.catalog import PropertyCatalog
from pms_core.model import Night
from pms_core.recording import collect_availability, held_nights, net_deltas, stage_change
from pms_core.reservations import StayChange, applied, plan_changes, quoting_confirmation, screen
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import BookingOutcome

Key = tuple[str, str]  # (partner id, reservation id or confirmation number)
Items = Sequence[tuple[BookingReceived, PmsUnitOfWork]]


class BookingBatchFailed(Exception):
    """The batch could not be handled as a whole: the caller must roll back everything it did.

    `index` is the message that failed and `error` what handle_booking_received raises for it once
    the messages before it are applied; `index` is None when writing several messages failed
    together (a concurrent write, a database error): then no message is known to be at fault.
    """

    def __init__(self, index: int | None, error: Exception) -> None:
        super().__init__(f"booking batch failed at message {index}: {error}")
        self.index = index
        self.error = error


@dataclass
class _Planned:
    """One message whose stay changes are planned, waiting for the inventory of its segment."""

    index: int
    msg: BookingReceived
    uow: PmsUnitOfWork
    setup: PropertyCatalog
    changes: list[StayChange]
    deltas: Counter[Night]
    held: set[Night]


async def handle_booking_batch(items: Items) -> list[BookingOutcome]:
    """Handle each message as handle_booking_received would, in order, in the caller's transaction.

    Every unit of work must hold the same connection; each collects its own message's events and
    records its own message id. Returns one outcome per message. Raises BookingBatchFailed on any
    failure, after which the events collected so far mean nothing.
    """
    outcomes: list[BookingOutcome] = []
    while len(outcomes) < len(items):
        outcomes += await _segment(items, len(outcomes))
    return outcomes


async def _segment(items: Items, start: int) -> list[BookingOutcome]:
    """Plan messages from `start` until one depends on an earlier one, then record them together."""
    conn = items[start][1].conn
    rest = [msg for msg, _ in items[start:]]
    keys = [(msg.partner_id, msg.partner_reservation_id) for msg in rest]
    cancels = [key for key, msg in zip(keys, rest, strict=True) if msg.action is BookingAction.CANCEL]
    try:
        found = await store.many_reservations(conn, keys, cancels)
        applied_pairs = await store.applied_revisions(
            conn, [stored.view.id for stored in found], [msg.partner_revision for msg in rest]
        )
    except Exception as err:
        raise BookingBatchFailed(None, err) from err
    by_reservation: dict[Key, list[store.StoredBooking]] = defaultdict(list)
    by_confirmation: dict[Key, list[store.StoredBooking]] = defaultdict(list)
    for stored in sorted(found, key=lambda stored: stored.view.stay_index):
        partner = stored.view.partner_id or ""
        by_reservation[(partner, stored.view.partner_reservation_id or "")].append(stored)
        by_confirmation[(partner, stored.view.confirmation)].append(stored)

    touched_keys: set[Key] = set()
    touched_confirmations: set[Key] = set()
    touched_ids: set[UUID] = set()
    results: list[BookingOutcome | _Planned] = []
    for index in range(start, len(items)):
        msg, uow = items[index]
        key = (msg.partner_id, msg.partner_reservation_id)
        stays = by_reservation.get(key, [])
        quoted = not stays and msg.action is BookingAction.CANCEL
        if quoted:
            stays = by_confirmation.get(key, [])
        if (
            key in touched_keys
            or (quoted and key in touched_confirmations)
            or any(stored.view.id in touched_ids for stored in stays)
        ):
            break  # it must see what the earlier messages write: next segment
        existing = [
            replace(stored, revision_applied=(stored.view.id, msg.partner_revision) in applied_pairs)
            for stored in stays
        ]
        try:
            setup = await uow.catalog.property(conn, msg.property_code)
            if quoted:
                msg = quoting_confirmation(msg, existing)
            skipped = screen(msg, setup.prop, existing)
            if skipped is not None:
                results.append(skipped)
                continue
            changes = await plan_changes(uow, setup, msg, existing)
        except Exception as err:
            raise BookingBatchFailed(index, err) from err
        touched_keys |= {key, (msg.partner_id, msg.partner_reservation_id)}
        touched_confirmations |= {(msg.partner_id, change.after.confirmation) for change in changes}
        touched_ids |= {change.after.id for change in changes}
        results.append(_Planned(index, msg, uow, setup, changes, net_deltas(changes), held_nights(changes)))
    return await _record(results)


async def _record(results: list[BookingOutcome | _Planned]) -> list[BookingOutcome]:
    """Move the segment's inventory at once, replay it message by message, write all rows at once."""
    planned = [result for result in results if isinstance(result, _Planned)]
    if not planned:
        return [result for result in results if isinstance(result, BookingOutcome)]
    conn = planned[0].uow.conn
    # Counter.update keeps a night whose deltas net out to 0: it is still locked and read.
    net: Counter[Night] = Counter()
    stock: dict[int, tuple[int, int]] = {}
    held = set().union(*(plan.held for plan in planned))
    try:
        for plan in planned:
            moved = {night: delta for night, delta in plan.deltas.items() if delta}
            net.update(moved)
            room_types = {room_type_id for room_type_id, _ in moved}
            stock |= await plan.uow.catalog.stock(conn, plan.setup, room_types)
        levels = await inventory.move(conn, net, stock)
        if planned[0].uow.ari_events:
            # The segment commits as one: its first message carries the segment's availability events.
            collect_availability(
                planned[0].uow, {id(p.setup): p.setup for p in planned}.values(), net, levels
            )
        # Nights the segment holds but does not move keep their level throughout the segment.
        still_oversold = await inventory.oversold(conn, held - set(net))
    except Exception as err:
        raise BookingBatchFailed(None, err) from err

    # Replay the segment in message order from the levels before it, as if one message at a time.
    running = {night: sold - net[night] for night, (sold, _) in levels.items()}
    writes = BookingWrites()
    outcomes: list[BookingOutcome] = []
    for result in results:
        if isinstance(result, BookingOutcome):
            outcomes.append(result)
            continue
        for night, delta in result.deltas.items():
            if delta:
                running[night] += delta
        oversold = {
            night
            for night in result.held
            if (running[night] > levels[night][1] if night in running else night in still_oversold)
        }
        try:
            prop = result.setup.prop
            afters = [stage_change(result.uow, prop, change, oversold, writes) for change in result.changes]
        except Exception as err:
            raise BookingBatchFailed(result.index, err) from err
        outcomes.append(applied(result.msg, result.changes, afters, oversold))
    try:
        await writes.flush(conn)
    except Exception as err:
        raise BookingBatchFailed(None, err) from err
    return outcomes
