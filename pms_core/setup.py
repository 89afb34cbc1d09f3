"""Applying a property definition: upsert property, room types, rooms and rate plans idempotently."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Row, Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.ari import MAX_SPAN_DAYS, AriChanged
from canonical.base import utcnow
from canonical.property import DefineProperty
from pms_core.adapters import catalog, inventory
from pms_core.adapters.lookups import forget_transaction
from pms_core.adapters.tables import properties, rate_plan_room_types, rate_plans, room_types, rooms
from pms_core.ari_cells import AVAILABILITY
from pms_core.derived import check_derivation, derivation_columns
from pms_core.errors import InvalidDefinition
from pms_core.out_of_order import recount_out_of_order
from pms_core.views import ApplyReport


def _validate(cmd: DefineProperty) -> None:
    try:
        ZoneInfo(cmd.timezone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise InvalidDefinition(cmd.code, f"unknown timezone {cmd.timezone!r}") from err
    seen: dict[str, str] = {}
    type_codes = {room_type.code for room_type in cmd.room_types}
    if len(type_codes) != len(cmd.room_types):
        raise InvalidDefinition(cmd.code, "a room type code is defined twice")
    for room_type in cmd.room_types:
        for number in room_type.rooms:
            if number in seen:
                raise InvalidDefinition(
                    cmd.code, f"room {number!r} is in room types {seen[number]!r} and {room_type.code!r}"
                )
            seen[number] = room_type.code
    if len({plan.code for plan in cmd.rate_plans}) != len(cmd.rate_plans):
        raise InvalidDefinition(cmd.code, "a rate plan code is defined twice")
    for plan in cmd.rate_plans:
        unknown = (set(plan.room_types) | set(plan.default_rates)) - type_codes
        if unknown:
            raise InvalidDefinition(
                cmd.code, f"rate plan {plan.code!r} names unknown room types {sorted(unknown)}"
            )
        if plan.derived_from is not None:
            check_derivation(cmd, plan.code)
        stray = set(plan.default_rates) - set(plan.room_types)
        if stray:
            raise InvalidDefinition(
                cmd.code,
                f"rate plan {plan.code!r} has rates for room types it does not sell: {sorted(stray)}",
            )


async def apply_property(
    conn: AsyncConnection, cmd: DefineProperty, *, now: datetime | None = None
) -> ApplyReport:
    """Make the property's set-up match the definition; a second apply changes nothing.

    Room types, rooms and rate plans missing from the definition are withdrawn, never deleted:
    bookings may name them. Inventory rows from the property's business date (else today in
    its timezone) on follow the new room counts. Raises InvalidDefinition.
    """
    _validate(cmd)
    changes: list[str] = []
    found = await catalog.find_property(conn, cmd.code)
    wanted = {"name": cmd.name, "timezone": cmd.timezone, "currency": cmd.currency}
    if found is None:
        property_id = (
            await conn.execute(insert(properties).values(code=cmd.code, **wanted).returning(properties.c.id))
        ).scalar_one()
        changes.append(f"property {cmd.code} created")
        business_date = None
    else:
        property_id, business_date = found.id, found.business_date
        current = (await conn.execute(select(properties).where(properties.c.id == property_id))).one()
        changes += await _update_if_changed(
            conn, properties, property_id, current, wanted, f"property {cmd.code}"
        )

    type_ids = await _apply_room_types(conn, property_id, cmd, changes)
    before = await inventory.physical_counts(conn, type_ids.values())
    await _apply_rooms(conn, property_id, cmd, type_ids, changes)
    after = await inventory.physical_counts(conn, type_ids.values())
    await _apply_rate_plans(conn, property_id, cmd, type_ids, changes)

    # Bookings later in this transaction must see the new set-up, not one read before it.
    forget_transaction(conn)
    from_date = business_day(business_date, cmd.timezone, now or utcnow())
    moved = []
    for code, type_id in sorted(type_ids.items()):
        if before[type_id] != after[type_id]:
            moved.append(code)
        # Also heals rows left behind by an earlier change, so it runs for every room type.
        await inventory.set_physical(conn, type_id, after[type_id], from_date=from_date)
    ari_changes: list[AriChanged] = []
    if moved:
        # Every night from the business date on has a new room count: announce the whole horizon.
        # (and past it, up to the last night already stored, sold or out of order)
        last = from_date + timedelta(days=MAX_SPAN_DAYS - 1)
        stored = await inventory.last_stored_night(conn, [type_ids[code] for code in moved])
        last = max(last, stored or last)
        ari_changes += [
            AriChanged(
                property=cmd.code, room_type=code, first_night=from_date, last_night=last, kinds=AVAILABILITY
            )
            for code in moved
        ]
        # A room that moved or went takes its out-of-order nights along (announced just above).
        await recount_out_of_order(conn, cmd.code, [type_ids[code] for code in moved], from_date)
    return ApplyReport(
        property_code=cmd.code,
        created=found is None,
        changed=bool(changes),
        changes=tuple(changes),
        inventory_changed=tuple(moved),
        ari_changes=tuple(ari_changes),
    )


async def _update_if_changed(
    conn: AsyncConnection, table: Table, row_id: int, current: Row[Any], wanted: dict[str, Any], label: str
) -> list[str]:
    differs = {name: value for name, value in wanted.items() if getattr(current, name) != value}
    if not differs:
        return []
    await conn.execute(update(table).where(table.c.id == row_id).values(**differs))
    return [f"{label}: {name} changed" for name in sorted(differs)]


async def _apply_room_types(
    conn: AsyncConnection, property_id: int, cmd: DefineProperty, changes: list[str]
) -> dict[str, int]:
    existing = {
        row.code: row
        for row in (
            await conn.execute(select(room_types).where(room_types.c.property_id == property_id))
        ).all()
    }
    ids: dict[str, int] = {}
    for room_type in cmd.room_types:
        wanted = {"name": room_type.name, "max_occupancy": room_type.max_occupancy, "active": True}
        row = existing.get(room_type.code)
        if row is None:
            ids[room_type.code] = (
                await conn.execute(
                    insert(room_types)
                    .values(property_id=property_id, code=room_type.code, **wanted)
                    .returning(room_types.c.id)
                )
            ).scalar_one()
            changes.append(f"room type {room_type.code} added")
        else:
            ids[room_type.code] = row.id
            changes += await _update_if_changed(
                conn, room_types, row.id, row, wanted, f"room type {room_type.code}"
            )
    for code, row in sorted(existing.items()):
        if code not in ids:
            ids[code] = row.id  # still counted, so its inventory drops to zero rooms
            if row.active:
                await conn.execute(update(room_types).where(room_types.c.id == row.id).values(active=False))
                changes.append(f"room type {code} withdrawn")
    return ids


async def _apply_rooms(
    conn: AsyncConnection,
    property_id: int,
    cmd: DefineProperty,
    type_ids: dict[str, int],
    changes: list[str],
) -> None:
    existing = {
        row.number: row
        for row in (await conn.execute(select(rooms).where(rooms.c.property_id == property_id))).all()
    }
    defined: set[str] = set()
    for room_type in cmd.room_types:
        type_id = type_ids[room_type.code]
        for number in room_type.rooms:
            defined.add(number)
            row = existing.get(number)
            if row is None:
                await conn.execute(
                    insert(rooms).values(property_id=property_id, room_type_id=type_id, number=number)
                )
                changes.append(f"room {number} added to {room_type.code}")
            elif row.room_type_id != type_id or not row.active:
                await conn.execute(
                    update(rooms)
                    .where(rooms.c.id == row.id)
                    .values(room_type_id=type_id, active=True, out_of_order=False)
                )
                changes.append(f"room {number} put in service in {room_type.code}")
    for number, row in sorted(existing.items()):
        if number not in defined and row.active:
            # Taken out, not deleted: its history (and later room assignments) may refer to it.
            await conn.execute(
                update(rooms).where(rooms.c.id == row.id).values(active=False, out_of_order=True)
            )
            changes.append(f"room {number} taken out of service")


async def _apply_rate_plans(
    conn: AsyncConnection,
    property_id: int,
    cmd: DefineProperty,
    type_ids: dict[str, int],
    changes: list[str],
) -> None:
    existing = {
        row.code: row
        for row in (
            await conn.execute(select(rate_plans).where(rate_plans.c.property_id == property_id))
        ).all()
    }
    for plan in cmd.rate_plans:
        row = existing.get(plan.code)
        if row is None:
            plan_id: int = (
                await conn.execute(
                    insert(rate_plans)
                    .values(
                        property_id=property_id,
                        code=plan.code,
                        name=plan.name,
                        active=True,
                        **derivation_columns(plan),
                    )
                    .returning(rate_plans.c.id)
                )
            ).scalar_one()
            changes.append(f"rate plan {plan.code} added")
        else:
            plan_id = row.id
            changes += await _update_if_changed(
                conn,
                rate_plans,
                row.id,
                row,
                {"name": plan.name, "active": True, **derivation_columns(plan)},
                f"rate plan {plan.code}",
            )
        wanted = {type_ids[code]: plan.default_rates.get(code) for code in plan.room_types}
        await _apply_rates(conn, plan.code, plan_id, wanted, {v: k for k, v in type_ids.items()}, changes)
    defined = {plan.code for plan in cmd.rate_plans}
    for code, row in sorted(existing.items()):
        if code not in defined and row.active:
            await conn.execute(update(rate_plans).where(rate_plans.c.id == row.id).values(active=False))
            changes.append(f"rate plan {code} withdrawn")


async def _apply_rates(
    conn: AsyncConnection,
    plan_code: str,
    plan_id: int,
    wanted: dict[int, Decimal | None],
    type_codes: dict[int, str],
    changes: list[str],
) -> None:
    link = rate_plan_room_types
    current: dict[int, Decimal | None] = {
        type_id: rate
        for type_id, rate in (
            await conn.execute(
                select(link.c.room_type_id, link.c.default_rate).where(link.c.rate_plan_id == plan_id)
            )
        ).all()
    }
    for type_id, rate in sorted(wanted.items()):
        label = f"rate plan {plan_code} / {type_codes[type_id]}"
        if type_id not in current:
            await conn.execute(
                insert(link).values(rate_plan_id=plan_id, room_type_id=type_id, default_rate=rate)
            )
            changes.append(f"{label}: sold")
        elif _money(current[type_id]) != _money(rate):
            await conn.execute(
                update(link)
                .where(link.c.rate_plan_id == plan_id, link.c.room_type_id == type_id)
                .values(default_rate=rate)
            )
            changes.append(f"{label}: default rate changed")
    for type_id in sorted(set(current) - set(wanted)):
        await conn.execute(delete(link).where(link.c.rate_plan_id == plan_id, link.c.room_type_id == type_id))
        changes.append(f"rate plan {plan_code} / {type_codes[type_id]}: no longer sold")


def _money(value: Decimal | None) -> Decimal | None:
    # Stored rates come back with two places (and through a float on SQLite): compare in cents.
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def business_day(value: date | None, timezone: str, now: datetime) -> date:
    """The property's business date if set, else today's date in its timezone."""
    return value or now.astimezone(ZoneInfo(timezone)).date()
