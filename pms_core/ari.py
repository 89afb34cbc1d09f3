"""Use cases of rates and restrictions: set them (SetAri), read them resolved, read availability.

`handle_set_ari` applies the patches in order in the caller's transaction, writes the cells that
really changed, and collects one `ari.changed.v1` per (room type, rate plan, contiguous run of
changed nights, kinds), for the plans derived from a changed plan too. Its cost grows with the
nights the patches name, never with the calendar.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.ari import (
    ARI_CHANGED_V1,
    MAX_SPAN_DAYS,
    AriChanged,
    AriPatch,
    AvailabilityCell,
    RateCell,
    Rates,
    Restrictions,
    SetAri,
)
from pms_core import queries
from pms_core.adapters import ari as store
from pms_core.adapters.catalog import PropertyCatalog, load_catalog
from pms_core.ari_cells import (
    RATE_FIELDS,
    RESTRICTION_FIELDS,
    Cell,
    FieldUpdates,
    changed_events,
    kinds_of,
    updates_of,
)
from pms_core.derived import descendants, parents_first
from pms_core.errors import AriRefused, RatePlanNotSold, UnknownRatePlan, UnknownRoomType
from pms_core.unit_of_work import PmsUnitOfWork

ALL_FIELDS = RATE_FIELDS | RESTRICTION_FIELDS
# One request holds its cells in memory: 1,000,000 is 20 room types x 5 plans x 3 years, with room.
MAX_CELLS = 1_000_000
# Read the named cells by key when they are fewer than a quarter of their span's (a key costs
# more to look up than a row of a range scan).
_SCATTERED = 4
Changes = dict[tuple[str, int], dict[date, set[str]]]  # (plan code, room type id) -> night -> fields


@dataclass(frozen=True, slots=True)
class AriOutcome:
    """What a SetAri changed: cells and distinct nights written, and the events it raised."""

    cells: int
    nights: int
    events: tuple[AriChanged, ...]


@dataclass(frozen=True, slots=True)
class _Target:
    """One patch for one (rate plan, room type)."""

    plan: store.PlanSetup
    room_type_id: int
    updates: FieldUpdates
    nights: list[date]


async def handle_set_ari(cmd: SetAri, uow: PmsUnitOfWork) -> AriOutcome:
    """Apply every patch in order, in the caller's transaction; collect the events of what changed.

    Raises UnknownProperty, UnknownRoomType, UnknownRatePlan, RatePlanNotSold, and AriRefused for a
    field a derived plan takes from its parent; nothing is written then (the caller rolls back).
    """
    conn = uow.conn
    named = sum((p.last_night - p.first_night).days + 1 for p in cmd.patches)
    if named > MAX_CELLS:
        raise AriRefused(
            cmd.property, f"{named} nights in one request; at most {MAX_CELLS}: send it in parts"
        )
    setup = await uow.catalog.property(conn, cmd.property)
    await store.lock_property(conn, setup.prop.id)
    plans = await store.plan_setups(conn, setup.prop.id)
    targets = [target for patch in cmd.patches for target in await _targets(uow, setup, plans, patch)]
    cells_named = sum(len(t.nights) for t in targets)
    if cells_named > MAX_CELLS:
        raise AriRefused(
            cmd.property, f"{cells_named} cells in one request; at most {MAX_CELLS}: send it in parts"
        )
    pairs = {(t.plan.id, t.room_type_id) for t in targets}
    first = min(t.nights[0] for t in targets if t.nights) if any(t.nights for t in targets) else None
    if first is None:
        return AriOutcome(0, 0, ())
    last = max(t.nights[-1] for t in targets if t.nights)
    if cells_named * _SCATTERED < len(pairs) * ((last - first).days + 1):
        # scattered nights (a storm of one-night changes): read those cells, not the whole span
        keys = {(t.plan.id, t.room_type_id, night) for t in targets for night in t.nights}
        stored_rates, stored_restrictions = await store.read_cells_at(conn, keys)
    else:
        stored_rates, stored_restrictions = await store.read_cells(conn, pairs, first, last)

    cells: dict[store.Key, Cell] = {}
    for target in targets:
        plan_id, type_id = target.plan.id, target.room_type_id
        for night in target.nights:
            key = (plan_id, type_id, night)
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = Cell(
                    stored_rates.get(key, Rates()), stored_restrictions.get(key, Restrictions())
                )
            cell.apply(target.updates)

    codes = {plan.id: plan.code for plan in plans.values()}
    rate_rows, restriction_rows = [], []
    changes: Changes = defaultdict(dict)
    for key, cell in cells.items():
        changed = cell.really_changed()
        if not changed:
            continue
        if changed & RATE_FIELDS:
            rate_rows.append(store.rates_row(key, cell.rates))
        if changed & RESTRICTION_FIELDS:
            restriction_rows.append(store.restrictions_row(key, cell.restrictions))
        changes[(codes[key[0]], key[1])][key[2]] = changed
    await store.upsert(conn, "ari_rates", rate_rows)
    await store.upsert(conn, "ari_restrictions", restriction_rows)

    nights = {night for by_night in changes.values() for night in by_night}
    cell_count = sum(len(by_night) for by_night in changes.values())
    _inherit(plans, changes)
    type_codes = {ref.id: ref.code for ref in setup.room_types.values()}
    events: list[AriChanged] = []
    for (plan_code, type_id), by_night in sorted(
        changes.items(), key=lambda item: (type_codes[item[0][1]], item[0][0])
    ):
        kinds = {night: kinds_of(fields) for night, fields in by_night.items()}
        events += changed_events(setup.prop.code, type_codes[type_id], plan_code, kinds)
    for event in events:
        uow.collect(ARI_CHANGED_V1, event)
    return AriOutcome(cell_count, len(nights), tuple(events))


async def _targets(
    uow: PmsUnitOfWork, setup: PropertyCatalog, plans: dict[str, store.PlanSetup], patch: AriPatch
) -> list[_Target]:
    room_type = await uow.catalog.room_type(uow.conn, setup, patch.room_type)
    updates = updates_of(patch)
    nights = patch.nights()
    prop = setup.prop.code
    if patch.rate_plan is not None:
        ref = await uow.catalog.rate_plan(uow.conn, setup, patch.rate_plan)
        plan = plans.get(ref.code)
        if plan is None:
            raise UnknownRatePlan(prop, ref.code)
        if room_type.id not in plan.sells:
            raise RatePlanNotSold(prop, plan.code, room_type.code)
        foreign = updates.names - plan.own_fields(ALL_FIELDS, RATE_FIELDS)
        if foreign and plan.derivation is not None:
            raise AriRefused(
                prop,
                f"rate plan {plan.code!r} takes {', '.join(sorted(foreign))} from its parent "
                f"{plan.derivation.parent!r}: set them there",
            )
        return [_Target(plan, room_type.id, updates, nights)]
    selling = [plan for _, plan in sorted(plans.items()) if room_type.id in plan.sells]
    if not selling:
        raise AriRefused(prop, f"no rate plan sells room type {room_type.code!r}")
    targets = []
    for plan in selling:
        own = updates.only(plan.own_fields(ALL_FIELDS, RATE_FIELDS))
        if own.names:
            targets.append(_Target(plan, room_type.id, own, nights))
    return targets


def _inherit(plans: dict[str, store.PlanSetup], changes: Changes) -> None:
    """Add to `changes` what derived plans take from changed parents (rates, followed restrictions)."""
    derivations = {code: plan.derivation for code, plan in plans.items()}
    touched = descendants(derivations, {code for code, _ in changes})
    for code in parents_first(derivations):
        derivation = derivations[code]
        if code not in touched or derivation is None:
            continue
        inherited = RATE_FIELDS | derivation.follows
        for type_id in plans[code].sells:
            parent = changes.get((derivation.parent, type_id), {})
            for night, fields in parent.items():
                taken = fields & inherited
                if taken:
                    changes[(code, type_id)].setdefault(night, set()).update(taken)


async def rate_cells(
    conn: AsyncConnection,
    property_code: str,
    first: date,
    last: date,
    *,
    room_types: Iterable[str] | None = None,
    rate_plans: Iterable[str] | None = None,
) -> list[RateCell]:
    """Resolved cells of [first, last]: default rates where none is set, derived plans resolved.

    Ordered by room type, rate plan and night. Raises UnknownProperty, UnknownRoomType,
    UnknownRatePlan, and ValueError for a range longer than MAX_SPAN_DAYS.
    """
    _check_range(first, last)
    setup = await load_catalog(conn, property_code)
    plans = await store.plan_setups(conn, setup.prop.id)
    types = _chosen_types(setup, room_types)
    wanted = sorted(plans) if rate_plans is None else sorted(set(rate_plans))
    for code in wanted:
        if code not in plans:
            raise UnknownRatePlan(setup.prop.code, code)
    derivations = {code: plan.derivation for code, plan in plans.items()}
    needed = set(wanted)
    for code in wanted:  # a derived plan reads its ancestors
        while (derivation := derivations.get(code)) is not None and derivation.parent in plans:
            code = derivation.parent
            needed.add(code)
    pairs = {(plans[c].id, t) for c in needed for t in plans[c].sells if t in types}
    stored_rates, stored_restrictions = await store.read_cells(conn, pairs, first, last)
    span = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    currency = setup.prop.currency
    resolved: dict[tuple[str, int, date], tuple[Rates, Restrictions]] = {}
    for code in parents_first(derivations):
        if code not in needed:
            continue
        plan, derivation = plans[code], derivations[code]
        for type_id in plan.sells:
            if type_id not in types:
                continue
            for night in span:
                key = (plan.id, type_id, night)
                own = stored_restrictions.get(key, Restrictions())
                if derivation is None:
                    rates = stored_rates.get(key, Rates())
                    if rates.amount is None and plan.sells[type_id] is not None:
                        rates = rates.model_copy(update={"amount": plan.sells[type_id]})
                    resolved[(code, type_id, night)] = (rates, own)
                    continue
                parent_rates, parent_restrictions = resolved.get(
                    (derivation.parent, type_id, night), (Rates(), Restrictions())
                )
                resolved[(code, type_id, night)] = (
                    derivation.rates(parent_rates, currency),
                    derivation.restrictions(own, parent_restrictions),
                )
    cells = [
        RateCell(
            room_type=types[type_id], rate_plan=code, night=night, rates=rates, restrictions=restrictions
        )
        for (code, type_id, night), (rates, restrictions) in resolved.items()
        if code in wanted
    ]
    cells.sort(key=lambda cell: (cell.room_type, cell.rate_plan, cell.night))
    return cells


async def availability_cells(
    conn: AsyncConnection,
    property_code: str,
    first: date,
    last: date,
    *,
    room_types: Iterable[str] | None = None,
) -> list[AvailabilityCell]:
    """Rooms left to sell per active room type and night of [first, last] (never below 0)."""
    _check_range(first, last)
    wanted = None if room_types is None else set(room_types)
    if wanted is not None:
        setup = await load_catalog(conn, property_code)
        _chosen_types(setup, wanted)
    rows = await queries.availability(conn, property_code, first, last + timedelta(days=1))
    return [
        AvailabilityCell(room_type=row.room_type_code, night=row.stay_date, available=max(row.available, 0))
        for row in rows
        if wanted is None or row.room_type_code in wanted
    ]


def _check_range(first: date, last: date) -> None:
    if last < first:
        raise ValueError("the last night is before the first")
    if (last - first).days >= MAX_SPAN_DAYS:
        raise ValueError(f"at most {MAX_SPAN_DAYS} nights at a time")


def _chosen_types(setup: PropertyCatalog, codes: Iterable[str] | None) -> dict[int, str]:
    """Room type id -> code of the active room types asked for (all when None)."""
    if codes is None:
        return {ref.id: ref.code for ref in setup.room_types.values() if ref.active}
    chosen = {}
    for code in codes:
        ref = setup.room_type(code)
        if ref is None:
            raise UnknownRoomType(setup.prop.code, code)
        chosen[ref.id] = ref.code
    return chosen
