"""Rates and restrictions per (rate plan, room type, night): read a range, upsert what changed.

Writes go out in chunks of CHUNK rows, one statement per table per chunk: on PostgreSQL an
`INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE` whose text never changes, on SQLite an
executemany of the same upsert. A night nobody set has no row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select, text, tuple_
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.ari import Rates, Restrictions
from pms_core.adapters.bulk import UnnestInsert
from pms_core.adapters.tables import ari_rates, ari_restrictions, rate_plan_room_types, rate_plans
from pms_core.derived import Derivation

CHUNK = 5000
# The first key of PostgreSQL's two-key advisory locks that serialise ARI writers per property.
_LOCK_SPACE = int.from_bytes(b"ari!", "big")
Key = tuple[int, int, date]  # (rate plan id, room type id, night)
KEY_COLUMNS = ("rate_plan_id", "room_type_id", "night")
_KEY = KEY_COLUMNS
_CUTOFF = "same_day_cutoff_minutes"


@dataclass(frozen=True, slots=True)
class PlanSetup:
    """An active rate plan: its id and code, how it derives, the room types it sells."""

    id: int
    code: str
    derivation: Derivation | None
    sells: dict[int, Decimal | None]  # room type id -> default nightly rate (None: none set)

    def own_fields(self, all_fields: frozenset[str], rate_fields: frozenset[str]) -> frozenset[str]:
        """The fields this plan sets itself: all for a base plan; a derived plan's unfollowed restrictions."""
        if self.derivation is None:
            return all_fields
        return all_fields - rate_fields - self.derivation.follows


_PLANS = select(
    rate_plans.c.id,
    rate_plans.c.code,
    rate_plans.c.derived_from,
    rate_plans.c.adjust_percent,
    rate_plans.c.adjust_amount,
    rate_plans.c.follows,
).where(rate_plans.c.property_id == bindparam("property_id"), rate_plans.c.active.is_(True))
_LINK = rate_plan_room_types.c
_SOLD = (
    select(_LINK.rate_plan_id, _LINK.room_type_id, _LINK.default_rate)
    .join(rate_plans, rate_plans.c.id == _LINK.rate_plan_id)
    .where(rate_plans.c.property_id == bindparam("property_id"))
)


async def lock_property(conn: AsyncConnection, property_id: int) -> None:
    """Hold the property's ARI write lock until the transaction ends.

    Writers read cells (and out-of-order ranges) and write back whole rows: under READ COMMITTED
    two of them on one property would each miss the other's change. SQLite's BEGIN IMMEDIATE
    already serialises every writer.
    """
    if conn.dialect.name == "postgresql":
        await conn.execute(_LOCK, {"space": _LOCK_SPACE, "id": property_id})


_LOCK = text("SELECT pg_advisory_xact_lock(:space, :id)")


def _decimal(value: Any) -> Decimal | None:
    """A stored amount as written: 120.00, 99.5 -> 99.50, 10.125 (SQLite hands back floats)."""
    if value is None:
        return None
    three = Decimal(str(value)).quantize(Decimal("0.001"))
    two = three.quantize(Decimal("0.01"))
    return two if two == three else three


async def plan_setups(conn: AsyncConnection, property_id: int) -> dict[str, PlanSetup]:
    """The property's active rate plans by code, with what they sell and how they derive."""
    params = {"property_id": property_id}
    sold: dict[int, dict[int, Decimal | None]] = {}
    for plan_id, type_id, rate in await conn.execute(_SOLD, params):
        sold.setdefault(plan_id, {})[type_id] = _decimal(rate)
    found: dict[str, PlanSetup] = {}
    for row in await conn.execute(_PLANS, params):
        derivation = None
        if row.derived_from is not None:
            derivation = Derivation(
                parent=row.derived_from,
                percent=None if row.adjust_percent is None else Decimal(str(row.adjust_percent)),
                amount=None if row.adjust_amount is None else Decimal(str(row.adjust_amount)),
                follows=frozenset(row.follows or ()),
            )
        found[row.code] = PlanSetup(row.id, row.code, derivation, sold.get(row.id, {}))
    return found


def _range(table: Any) -> Any:
    return select(table).where(
        table.c.rate_plan_id.in_(bindparam("plans", expanding=True)),
        table.c.room_type_id.in_(bindparam("types", expanding=True)),
        table.c.night >= bindparam("first"),
        table.c.night <= bindparam("last"),
    )


_RATES_RANGE = _range(ari_rates)
_RESTRICTIONS_RANGE = _range(ari_restrictions)


def rates_from_row(row: Any) -> Rates:
    """A stored rates row as canonical Rates."""
    return Rates(
        amount=_decimal(row.amount),
        by_occupancy=tuple((int(guests), _decimal(amount)) for guests, amount in (row.by_occupancy or ())),
        extra_adult=_decimal(row.extra_adult),
        extra_child=_decimal(row.extra_child),
    )


def restrictions_from_row(row: Any) -> Restrictions:
    """A stored restrictions row as canonical Restrictions."""
    minutes = getattr(row, _CUTOFF)
    values = {name: getattr(row, name) for name in Restrictions.model_fields if name != "same_day_cutoff"}
    cutoff = None if minutes is None else time(minutes // 60, minutes % 60)
    return Restrictions(**values, same_day_cutoff=cutoff)


async def read_cells(
    conn: AsyncConnection, pairs: Iterable[tuple[int, int]], first: date, last: date
) -> tuple[dict[Key, Rates], dict[Key, Restrictions]]:
    """Stored rates and restrictions of these (plan id, room type id) pairs over [first, last]."""
    wanted = set(pairs)
    if not wanted:
        return {}, {}
    params = {
        "plans": sorted({plan for plan, _ in wanted}),
        "types": sorted({room_type for _, room_type in wanted}),
        "first": first,
        "last": last,
    }
    rates = {
        (row.rate_plan_id, row.room_type_id, row.night): rates_from_row(row)
        for row in await conn.execute(_RATES_RANGE, params)
        if (row.rate_plan_id, row.room_type_id) in wanted
    }
    restrictions = {
        (row.rate_plan_id, row.room_type_id, row.night): restrictions_from_row(row)
        for row in await conn.execute(_RESTRICTIONS_RANGE, params)
        if (row.rate_plan_id, row.room_type_id) in wanted
    }
    return rates, restrictions


def _by_keys(table: Any) -> Any:
    return select(table).where(
        tuple_(table.c.rate_plan_id, table.c.room_type_id, table.c.night).in_(
            bindparam("keys", expanding=True)
        )
    )


_RATES_AT = _by_keys(ari_rates)
_RESTRICTIONS_AT = _by_keys(ari_restrictions)
_KEYS_A_STATEMENT = 3_000  # three parameters each, well within SQLite's 32,766
_DENSE = 4  # keys filling a quarter of their span or more are read as the span


async def rows_at(conn: AsyncConnection, keys: Iterable[Key]) -> tuple[list[Any], list[Any]]:
    """The stored rates rows and restrictions rows of these cells (and, when they fill most of
    their span, of that span's other cells too: one range scan then costs less than a lookup a key).

    By key, a chunk of keys a statement: what scattered cells cost, however far apart their nights.
    """
    ordered = sorted(set(keys))
    if not ordered:
        return [], []
    pairs = {(plan, room_type) for plan, room_type, _ in ordered}
    first, last = min(k[2] for k in ordered), max(k[2] for k in ordered)
    if len(ordered) * _DENSE >= len(pairs) * ((last - first).days + 1):
        params = {
            "plans": sorted({plan for plan, _ in pairs}),
            "types": sorted({room_type for _, room_type in pairs}),
            "first": first,
            "last": last,
        }
        in_pairs = [
            [
                row
                for row in await conn.execute(query, params)
                if (row.rate_plan_id, row.room_type_id) in pairs
            ]
            for query in (_RATES_RANGE, _RESTRICTIONS_RANGE)
        ]
        return in_pairs[0], in_pairs[1]
    rates: list[Any] = []
    restrictions: list[Any] = []
    for start in range(0, len(ordered), _KEYS_A_STATEMENT):
        params = {"keys": ordered[start : start + _KEYS_A_STATEMENT]}
        rates += (await conn.execute(_RATES_AT, params)).all()
        restrictions += (await conn.execute(_RESTRICTIONS_AT, params)).all()
    return rates, restrictions


async def read_cells_at(
    conn: AsyncConnection, keys: Iterable[Key]
) -> tuple[dict[Key, Rates], dict[Key, Restrictions]]:
    """Stored rates and restrictions of exactly these cells."""
    rate_rows, restriction_rows = await rows_at(conn, keys)
    return (
        {(r.rate_plan_id, r.room_type_id, r.night): rates_from_row(r) for r in rate_rows},
        {(r.rate_plan_id, r.room_type_id, r.night): restrictions_from_row(r) for r in restriction_rows},
    )


def _key(key: Key) -> dict[str, Any]:
    return dict(zip(_KEY, key, strict=True))


def rates_row(key: Key, rates: Rates) -> dict[str, Any]:
    """The row that stores one cell's rates."""
    return {
        **_key(key),
        "amount": rates.amount,
        "by_occupancy": [[guests, str(amount)] for guests, amount in rates.by_occupancy] or None,
        "extra_adult": rates.extra_adult,
        "extra_child": rates.extra_child,
    }


def restrictions_row(key: Key, restrictions: Restrictions) -> dict[str, Any]:
    """The row that stores one cell's restrictions."""
    values = restrictions.model_dump(exclude={"same_day_cutoff"})
    cutoff = restrictions.same_day_cutoff
    return {**_key(key), **values, _CUTOFF: None if cutoff is None else cutoff.hour * 60 + cutoff.minute}


def _upserts(table: Any) -> tuple[UnnestInsert, Any]:
    values = [c.name for c in table.columns if c.name not in _KEY]
    assignments = ", ".join(f"{name} = excluded.{name}" for name in values)
    on_pg = UnnestInsert(table, suffix=f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {assignments}")
    stmt = sqlite.insert(table)
    on_sqlite = stmt.on_conflict_do_update(
        index_elements=list(_KEY), set_={name: stmt.excluded[name] for name in values}
    )
    return on_pg, on_sqlite


_UPSERT = {"ari_rates": _upserts(ari_rates), "ari_restrictions": _upserts(ari_restrictions)}


async def upsert(conn: AsyncConnection, table_name: str, rows: Sequence[dict[str, Any]]) -> None:
    """Write these rows of `ari_rates` or `ari_restrictions`, one statement per CHUNK rows."""
    on_pg, on_sqlite = _UPSERT[table_name]
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if conn.dialect.name == "postgresql":
            await on_pg.on_postgresql(conn, chunk)
        else:
            await conn.execute(on_sqlite, list(chunk))
