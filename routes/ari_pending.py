"""The ARI pending set: per channel, the cells whose current value it has not yet confirmed.

A key is (channel, property, room type, rate plan, night, kind); marking a key again only raises
its `seq` (last write wins: the value is read from the core when sent), so a thousand changes of
one cell are one row. A send settles the keys it took only where `seq` is still what it read: a
change that arrived during the call stays pending and goes out next.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, func, select, text, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import utcnow
from pms_core.adapters.tables import UtcDateTime
from routes.tables import ari_pending

_CHUNK = 5_000  # rows per statement: bounded parameters and memory, any calendar size
# (a chunk of marked keys is 5 parameters each: 25,003 of SQLite's 32,766)


class PendingKey(NamedTuple):
    """One channel cell: rate_plan is "" for rooms left (a room type's cell).

    A named tuple, not a dataclass: a round hashes and compares each key several times a message,
    and a tuple's hash and comparisons run in C.
    """

    property_code: str
    room_type: str
    rate_plan: str
    night: date
    kind: str


@dataclass(frozen=True, slots=True)
class PendingStatus:
    """How much one channel has waiting, and since when."""

    cells: int
    urgent: int
    oldest: datetime | None


async def mark(
    conn: AsyncConnection,
    channel: str,
    keys: Iterable[PendingKey],
    *,
    urgent: bool = False,
    now: datetime | None = None,
) -> int:
    """Mark keys pending for a channel in the caller's transaction; how many keys were given."""
    given = list(keys)
    await mark_for(conn, [channel], given, urgent=urgent, now=now)
    return len(given)


_COLUMNS = "channel, property_code, room_type, rate_plan, night, kind, seq, urgent, marked_at"
_CONFLICT = (
    "ON CONFLICT (channel, property_code, room_type, rate_plan, night, kind) "
    "DO UPDATE SET seq = ari_pending.seq + 1, urgent = ari_pending.urgent OR excluded.urgent"
)
_MARK_PG = text(
    f"INSERT INTO ari_pending ({_COLUMNS}) "
    "SELECT c.channel, k.p, k.t, k.r, k.n, k.k, 1, :urgent, :at "
    "FROM unnest(CAST(:channels AS text[])) AS c(channel) CROSS JOIN "
    "unnest(CAST(:p AS text[]), CAST(:t AS text[]), CAST(:r AS text[]), CAST(:n AS date[]), "
    f"CAST(:k AS text[])) AS k(p, t, r, n, k) {_CONFLICT}"
).bindparams(bindparam("at", type_=UtcDateTime()))
_MARK_SQLITE: dict[int, str] = {}


def _mark_sqlite(rows: int) -> str:
    """The SQLite statement for `rows` keys (texts cached: a full chunk, and each shorter tail)."""
    found = _MARK_SQLITE.get(rows)
    if found is None:
        keys = ",".join(["(?,?,?,?,?)"] * rows)
        found = _MARK_SQLITE[rows] = (
            f"INSERT INTO ari_pending ({_COLUMNS}) "
            "SELECT c.value, k.column1, k.column2, k.column3, k.column4, k.column5, 1, ?, ? "
            f"FROM json_each(?) AS c, (VALUES {keys}) AS k WHERE true {_CONFLICT}"
        )
    return found


def _order(key: PendingKey) -> tuple[str, str, str, date, str]:
    """A key as a plain tuple: sorting by it costs a fraction of the dataclass's own comparisons."""
    return (key.property_code, key.room_type, key.rate_plan, key.night, key.kind)


async def mark_for(
    conn: AsyncConnection,
    channels: Iterable[str],
    keys: Iterable[PendingKey],
    *,
    urgent: bool = False,
    now: datetime | None = None,
) -> int:
    """Mark the same keys pending for several channels: one statement per chunk of keys, whatever
    the channels' number (the database repeats the keys per channel); how many keys were given."""
    names = sorted(set(channels))
    # in key order, so two transactions marking on PostgreSQL take their row locks in one order
    ordered = sorted(set(keys), key=_order)
    if not names or not ordered:
        return len(ordered)
    at = (now or utcnow()).astimezone(UTC)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        if conn.dialect.name == "postgresql":
            params = {
                "channels": names,
                "p": [k.property_code for k in chunk],
                "t": [k.room_type for k in chunk],
                "r": [k.rate_plan for k in chunk],
                "n": [k.night for k in chunk],
                "k": [k.kind for k in chunk],
                "urgent": urgent,
                "at": at,
            }
            await conn.execute(_MARK_PG, params)
            continue
        flat: list[Any] = [int(urgent), at.strftime("%Y-%m-%d %H:%M:%S.%f"), json.dumps(names)]
        for k in chunk:
            flat += (k.property_code, k.room_type, k.rate_plan, k.night.isoformat(), k.kind)
        await conn.exec_driver_sql(_mark_sqlite(len(chunk)), tuple(flat))
    return len(ordered)


async def take(conn: AsyncConnection, channel: str, *, limit: int) -> dict[PendingKey, int]:
    """Up to `limit` pending keys of a channel with their seq: urgent ones alone and first, then the
    oldest changes (by when each cell was first marked since it was last sent)."""
    t = ari_pending
    # one statement: urgent keys sort first, and when the first is urgent only urgent ones are kept
    # (oldest changes first within each, so a busy cell never starves the others)
    query = (
        select(t.c.property_code, t.c.room_type, t.c.rate_plan, t.c.night, t.c.kind, t.c.seq, t.c.urgent)
        .where(t.c.channel == channel)
        .order_by(
            t.c.urgent.desc(),
            t.c.marked_at,
            t.c.property_code,
            t.c.room_type,
            t.c.rate_plan,
            t.c.kind,
            t.c.night,
        )
        .limit(limit)
    )
    rows = (await conn.execute(query)).all()
    if rows and rows[0].urgent:
        rows = [r for r in rows if r.urgent]
    return {PendingKey(r.property_code, r.room_type, r.rate_plan, r.night, r.kind): r.seq for r in rows}


_SETTLE_SQLITE = (
    "DELETE FROM ari_pending WHERE channel = ? AND property_code = ? AND room_type = ? "
    "AND rate_plan = ? AND night = ? AND kind = ? AND seq = ?"
)
_SETTLE_PG = text(
    "DELETE FROM ari_pending AS a USING unnest(CAST(:p AS text[]), CAST(:t AS text[]), "
    "CAST(:r AS text[]), CAST(:n AS date[]), CAST(:k AS text[]), CAST(:s AS bigint[])) "
    "AS d(p, t, r, n, k, s) WHERE a.channel = :channel AND a.property_code = d.p "
    "AND a.room_type = d.t AND a.rate_plan = d.r AND a.night = d.n AND a.kind = d.k AND a.seq = d.s"
)


async def settle(conn: AsyncConnection, channel: str, taken: dict[PendingKey, int]) -> int:
    """Remove keys the channel confirmed, each only if not marked again since it was taken.

    One statement per chunk on PostgreSQL (arrays), a plain executemany on SQLite: a message's
    keys cost no per-row statement building.
    """
    items = list(taken.items())
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        if conn.dialect.name == "postgresql":
            params = {
                "channel": channel,
                "p": [k.property_code for k, _ in chunk],
                "t": [k.room_type for k, _ in chunk],
                "r": [k.rate_plan for k, _ in chunk],
                "n": [k.night for k, _ in chunk],
                "k": [k.kind for k, _ in chunk],
                "s": [seq for _, seq in chunk],
            }
            await conn.execute(_SETTLE_PG, params)
            continue
        rows = [
            (channel, k.property_code, k.room_type, k.rate_plan, k.night.isoformat(), k.kind, seq)
            for k, seq in chunk
        ]
        await conn.exec_driver_sql(_SETTLE_SQLITE, rows)
    return len(items)


async def status(conn: AsyncConnection, channel: str) -> PendingStatus:
    """Pending cells of a channel, how many urgent, and when the oldest unsent change was made."""
    t = ari_pending
    row = (
        await conn.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((t.c.urgent.is_(True), 1), else_=0)), 0),
                type_coerce(func.min(t.c.marked_at), UtcDateTime()),
            ).where(t.c.channel == channel)
        )
    ).one()
    return PendingStatus(int(row[0]), int(row[1]), row[2])


async def has_work(conn: AsyncConnection, channel: str) -> bool:
    """True when the channel has at least one pending key (one index probe)."""
    query = select(ari_pending.c.night).where(ari_pending.c.channel == channel).limit(1)
    return (await conn.execute(query)).first() is not None
