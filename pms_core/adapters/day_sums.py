"""The sums the night audit closes a day with, each one statement: the day's lines by code, each
ledger's day and open balance, deposits, open folios whose balance disagrees with their lines,
rooms available."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.folio_codes import CodeKind
from canonical.revenue import Ledger
from pms_core.adapters.day_close_tables import audit_room_charges
from pms_core.adapters.folio_tables import folio_lines, folios
from pms_core.adapters.stay_tables import stays
from pms_core.adapters.tables import inventory, rooms
from pms_core.day_figures import DaySum, LedgerDay

TRANSFER_KINDS = ("transfer_in", "transfer_out")
# Guest and master folios are the guest ledger; company folios the city ledger.
LEDGER_OF_KIND = {"guest": Ledger.GUEST, "master": Ledger.GUEST, "company": Ledger.CITY}
ROOM_NIGHT_REFERENCE = "audit:"  # the reference of every room-night charge the audit posts


async def day_sums(conn: AsyncConnection, property_id: int, day: date) -> list[DaySum]:
    """The day's lines summed by code kind, transaction code, department and GL account (no transfers)."""
    keys = (
        folio_lines.c.code_kind,
        folio_lines.c.transaction_code,
        folio_lines.c.department,
        folio_lines.c.gl_account,
    )
    rows = await conn.execute(
        select(*keys, func.sum(folio_lines.c.amount_minor).label("total"))
        .where(
            folio_lines.c.property_id == property_id,
            folio_lines.c.business_date == day,
            folio_lines.c.kind.not_in(TRANSFER_KINDS),
        )
        .group_by(*keys)
    )
    return [
        DaySum(CodeKind(row.code_kind), row.transaction_code, row.department, row.gl_account, int(row.total))
        for row in rows
    ]


async def room_night_revenue(conn: AsyncConnection, property_id: int, day: date) -> int:
    """The day's room-night charges net of their reversals (minor units), for ADR and RevPAR."""
    total = await conn.execute(
        select(func.coalesce(func.sum(folio_lines.c.amount_minor), 0)).where(
            folio_lines.c.property_id == property_id,
            folio_lines.c.business_date == day,
            folio_lines.c.code_kind == CodeKind.CHARGE.value,
            folio_lines.c.kind.not_in(TRANSFER_KINDS),
            folio_lines.c.reference.like(f"{ROOM_NIGHT_REFERENCE}%"),
        )
    )
    return int(total.scalar_one())


async def rooms_sold(conn: AsyncConnection, property_id: int, day: date) -> int:
    """Room nights of the day the audit charged (a stay's room, once)."""
    total = await conn.execute(
        select(func.count())
        .select_from(audit_room_charges.join(stays, stays.c.id == audit_room_charges.c.stay_id))
        .where(stays.c.property_id == property_id, audit_room_charges.c.night == day)
    )
    return int(total.scalar_one())


async def ledger_days(conn: AsyncConnection, property_id: int, day: date) -> dict[Ledger, LedgerDay]:
    """The guest and city ledgers' day: the day's lines on their folios (transfers too), open balances."""
    amount = folio_lines.c.amount_minor
    moved = await conn.execute(
        select(
            folios.c.kind,
            func.coalesce(func.sum(case((amount > 0, amount), else_=0)), 0).label("debits"),
            func.coalesce(func.sum(case((amount < 0, amount), else_=0)), 0).label("credits"),
        )
        .select_from(folio_lines.join(folios, folios.c.id == folio_lines.c.folio_id))
        .where(folio_lines.c.property_id == property_id, folio_lines.c.business_date == day)
        .group_by(folios.c.kind)
    )
    balances = await conn.execute(
        select(folios.c.kind, func.sum(folios.c.balance_minor).label("total"))
        .where(folios.c.property_id == property_id, folios.c.status == "open")
        .group_by(folios.c.kind)
    )
    sums = {ledger: [0, 0, 0] for ledger in (Ledger.GUEST, Ledger.CITY)}
    for row in moved:
        sums[LEDGER_OF_KIND[row.kind]][0] += int(row.debits)
        sums[LEDGER_OF_KIND[row.kind]][1] += int(row.credits)
    for held in balances:
        sums[LEDGER_OF_KIND[held.kind]][2] += int(held.total)
    return {ledger: LedgerDay(*values) for ledger, values in sums.items()}


def _deposits(property_id: int, codes: list[str]) -> ColumnElement[bool]:
    return and_(
        folios.c.property_id == property_id,
        folios.c.status == "open",
        folios.c.stay_id.is_(None),
        folio_lines.c.code_kind == CodeKind.PAYMENT.value,
        folio_lines.c.transaction_code.in_(codes),
    )


async def deposit_day(conn: AsyncConnection, property_id: int, day: date, codes: frozenset[str]) -> LedgerDay:
    """Advance deposits: deposits taken (credits) and refunded (debits) on the day, and those held."""
    if not codes:
        return LedgerDay(0, 0, 0)
    amount = folio_lines.c.amount_minor
    on_day = case((folio_lines.c.business_date == day, amount), else_=0)
    row = (
        await conn.execute(
            select(
                func.coalesce(func.sum(case((amount > 0, on_day), else_=0)), 0).label("debits"),
                func.coalesce(func.sum(case((amount < 0, on_day), else_=0)), 0).label("credits"),
                func.coalesce(func.sum(amount), 0).label("held"),
            )
            .select_from(folio_lines.join(folios, folios.c.id == folio_lines.c.folio_id))
            .where(_deposits(property_id, sorted(codes)))
        )
    ).one()
    return LedgerDay(int(row.debits), int(row.credits), int(row.held))


async def open_mismatches(conn: AsyncConnection, property_id: int) -> list[tuple[UUID, int, int]]:
    """Open folios whose stored balance is not the sum of their lines: (folio, stored, summed).

    Closed folios are left out: a closed folio is at zero by constraint and takes no more lines.
    """
    summed = (
        select(folio_lines.c.folio_id, func.sum(folio_lines.c.amount_minor).label("total"))
        .select_from(folio_lines.join(folios, folios.c.id == folio_lines.c.folio_id))
        .where(folios.c.property_id == property_id, folios.c.status == "open")
        .group_by(folio_lines.c.folio_id)
        .subquery()
    )
    rows = await conn.execute(
        select(folios.c.id, folios.c.balance_minor, func.coalesce(summed.c.total, 0).label("total"))
        .select_from(folios.outerjoin(summed, summed.c.folio_id == folios.c.id))
        .where(folios.c.property_id == property_id, folios.c.status == "open")
        .where(folios.c.balance_minor != func.coalesce(summed.c.total, 0))
    )
    return [(row.id, int(row.balance_minor), int(row.total)) for row in rows]


async def rooms_available(conn: AsyncConnection, property_id: int, day: date) -> int:
    """Rooms in service on the night: each room type's inventory (physical - out of order) where the
    night has a row, else its active rooms not out of order."""
    active = await conn.execute(
        select(rooms.c.room_type_id, func.count().label("rooms"))
        .where(rooms.c.property_id == property_id, rooms.c.active.is_(True), rooms.c.out_of_order.is_(False))
        .group_by(rooms.c.room_type_id)
    )
    by_type = {row.room_type_id: int(row.rooms) for row in active}
    nights = await conn.execute(
        select(inventory.c.room_type_id, inventory.c.physical, inventory.c.out_of_order).where(
            inventory.c.property_id == property_id, inventory.c.stay_date == day
        )
    )
    for row in nights:
        by_type[row.room_type_id] = max(int(row.physical) - int(row.out_of_order), 0)
    return sum(by_type.values())
