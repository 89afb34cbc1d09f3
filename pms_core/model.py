"""Domain rules of bookings in plain Python: stay nights, prices, revision order, stay plans."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from canonical.booking import BookingStatus, NightlyPrice
from canonical.selling import stay_nights as stay_nights  # the core's name for it too

CENT = Decimal("0.01")
_BASE32 = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: read out over the phone


def price_nights(
    nights: Sequence[date],
    *,
    nightly: Iterable[NightlyPrice] = (),
    default_rate: Decimal | None = None,
    total: Decimal | None = None,
) -> list[Decimal | None]:
    """The amount of each night: the partner's nightly price, else the default rate, else the
    stay total spread evenly (leftover cents on the first night), else unknown (None)."""
    given = {price.night: price.price.amount for price in nightly}
    if given:
        return [given.get(night, default_rate) for night in nights]
    if default_rate is not None:
        return [default_rate for _ in nights]
    if total is not None and nights:
        share = (total / len(nights)).quantize(CENT, rounding="ROUND_DOWN")
        amounts = [share for _ in nights]
        amounts[0] = total - share * (len(nights) - 1)
        return list(amounts)
    return [None for _ in nights]


def stay_total(amounts: Sequence[Decimal | None], *, given: Decimal | None = None) -> Decimal | None:
    """The stay's total: what the partner said if it said so, else the sum of known night prices."""
    if given is not None:
        return given
    if not amounts or any(amount is None for amount in amounts):
        return None
    return sum((amount for amount in amounts if amount is not None), Decimal("0"))


class RevisionOrder(StrEnum):
    """How an incoming partner revision relates to the one already applied."""

    SAME = "same"
    NEWER = "newer"
    OLDER = "older"


def _as_instant(revision: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(revision.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    # A partner timestamp without an offset is taken as UTC, the common OTA convention.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _as_number(revision: str) -> int | None:
    text = revision.strip()
    return int(text) if text.isdigit() else None


_ACTION_RANK = {"commit": 0, "book": 0, "modify": 1, "cancel": 2}


def _labelled_instant(revision: str) -> tuple[str, datetime] | None:
    """`label@instant` (the OTA connector's form, e.g. "Modify@2030-01-01T10:00:00+00:00")."""
    label, sep, rest = revision.strip().rpartition("@")
    if sep:
        instant = _as_instant(rest)
        return (label.lower(), instant) if instant is not None else None
    instant = _as_instant(revision)
    return ("", instant) if instant is not None else None


def compare_revisions(incoming: str, applied: str | None) -> RevisionOrder:
    """Order two partner revisions: timestamps by time, sequence numbers by value.

    A revision may carry its action as `label@instant`; at the same instant a cancellation comes
    after a modification, which comes after the booking. Revisions with no order the hub can read
    (content digests) are the same when equal and otherwise newer: arrival order is all there is.
    With nothing applied yet, anything is newer.
    """
    if applied is None:
        return RevisionOrder.NEWER
    new_num, old_num = _as_number(incoming), _as_number(applied)
    if new_num is not None and old_num is not None:
        return _order(new_num == old_num, new_num > old_num)
    new_stamp, old_stamp = _labelled_instant(incoming), _labelled_instant(applied)
    if new_stamp is not None and old_stamp is not None:
        (new_label, new_time), (old_label, old_time) = new_stamp, old_stamp
        if new_time != old_time:
            return _order(False, new_time > old_time)
        if new_label == old_label:
            return RevisionOrder.SAME
        new_rank, old_rank = _ACTION_RANK.get(new_label, 1), _ACTION_RANK.get(old_label, 1)
        return _order(new_rank == old_rank and new_label == old_label, new_rank >= old_rank)
    return _order(incoming.strip() == applied.strip(), True)


def _order(same: bool, newer: bool) -> RevisionOrder:
    if same:
        return RevisionOrder.SAME
    return RevisionOrder.NEWER if newer else RevisionOrder.OLDER


def latest_revision(revisions: Iterable[str | None]) -> str | None:
    """The newest of the partner revisions applied so far (None when there are none)."""
    latest: str | None = None
    for revision in revisions:
        if revision is not None and compare_revisions(revision, latest) is RevisionOrder.NEWER:
            latest = revision
    return latest


class StayStep(StrEnum):
    """What a modification does to one stay index."""

    ADD = "add"
    UPDATE = "update"
    REINSTATE = "reinstate"
    CANCEL = "cancel"
    KEEP_CANCELLED = "keep_cancelled"


@dataclass(frozen=True, slots=True)
class PlannedStay:
    """One step of a modification plan: the stay index and what happens to it."""

    stay_index: int
    step: StayStep


def plan_stays(existing: Mapping[int, BookingStatus], wanted: int) -> list[PlannedStay]:
    """Diff the stays a reservation has (index -> status) against the number it should have.

    Indexes below `wanted` are updated (reinstated if cancelled) or added; live stays at or above
    it are cancelled, so a modification that drops a room releases exactly that room's nights.
    """
    plan: list[PlannedStay] = []
    for index in range(wanted):
        status = existing.get(index)
        if status is None:
            plan.append(PlannedStay(index, StayStep.ADD))
        elif status is BookingStatus.CANCELLED:
            plan.append(PlannedStay(index, StayStep.REINSTATE))
        else:
            plan.append(PlannedStay(index, StayStep.UPDATE))
    for index in sorted(i for i in existing if i >= wanted):
        cancelled = existing[index] is BookingStatus.CANCELLED
        plan.append(PlannedStay(index, StayStep.KEEP_CANCELLED if cancelled else StayStep.CANCEL))
    return plan


Night = tuple[int, date]  # (room type id, stay date): one sold unit of inventory


def night_moves(old: Iterable[Night], new: Iterable[Night]) -> tuple[list[Night], list[Night]]:
    """The nights to release and to take when a stay moves from `old` to `new` (sorted, so
    concurrent writers lock inventory rows in the same order)."""
    old_set, new_set = set(old), set(new)
    return sorted(old_set - new_set), sorted(new_set - old_set)


def is_live(status: BookingStatus) -> bool:
    """True when a stay holds inventory (anything but cancelled or no-show)."""
    return status not in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW)


def new_confirmation(prefix: str = "D", length: int = 9) -> str:
    """A confirmation number for a direct booking: prefix plus unambiguous base32 characters."""
    return prefix + "".join(secrets.choice(_BASE32) for _ in range(length))
