"""A property's transaction codes and folio routing instructions as stored, and the sums the night
audit and the ERP read: ledger balances, a business day's lines, folios whose balance disagrees."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.folio import FolioLine, RoutingInstruction
from canonical.folio_codes import FolioCodeBook
from canonical.money import from_minor
from pms_core.adapters.folio_store import PropertyRef, lines_of
from pms_core.adapters.folio_tables import folio_code_books, folio_lines, folio_routes, folios


async def code_book(conn: AsyncConnection, prop: PropertyRef) -> FolioCodeBook:
    """The property's transaction codes (none until the configuration declares some)."""
    row = (
        await conn.execute(select(folio_code_books.c.codes).where(folio_code_books.c.property_id == prop.id))
    ).first()
    codes = [] if row is None else row.codes
    return FolioCodeBook.model_validate(
        {"property_code": prop.code, "currency": prop.currency, "codes": codes}
    )


async def store_code_book(
    conn: AsyncConnection, prop: PropertyRef, book: FolioCodeBook, at: datetime
) -> bool:
    """Make the stored codes those of `book`; whether anything changed."""
    codes = [entry.model_dump(mode="json") for entry in book.codes]
    current = await code_book(conn, prop)
    if [entry.model_dump(mode="json") for entry in current.codes] == codes:
        return False
    exists = (
        await conn.execute(
            select(folio_code_books.c.property_id).where(folio_code_books.c.property_id == prop.id)
        )
    ).first()
    if exists is None:
        await conn.execute(insert(folio_code_books).values(property_id=prop.id, codes=codes, updated_at=at))
    else:
        await conn.execute(
            update(folio_code_books)
            .where(folio_code_books.c.property_id == prop.id)
            .values(codes=codes, updated_at=at)
        )
    return True


async def instructions(conn: AsyncConnection, folio_id: UUID) -> list[RoutingInstruction]:
    """The routing instructions of a folio, in the order they were given."""
    rows = await conn.execute(
        select(folio_routes)
        .where(folio_routes.c.source_folio_id == folio_id)
        .order_by(folio_routes.c.position)
    )
    return [
        RoutingInstruction(
            id=row.id,
            source_folio_id=row.source_folio_id,
            target_folio_id=row.target_folio_id,
            transaction_codes=frozenset(row.transaction_codes),
            departments=frozenset(row.departments),
        )
        for row in rows
    ]


async def add_instruction(conn: AsyncConnection, instruction: RoutingInstruction, at: datetime) -> None:
    """Store a routing instruction after the folio's others."""
    count = await conn.execute(
        select(func.count())
        .select_from(folio_routes)
        .where(folio_routes.c.source_folio_id == instruction.source_folio_id)
    )
    await conn.execute(
        insert(folio_routes).values(
            id=instruction.id,
            source_folio_id=instruction.source_folio_id,
            target_folio_id=instruction.target_folio_id,
            position=int(count.scalar_one()) + 1,
            transaction_codes=sorted(instruction.transaction_codes),
            departments=sorted(instruction.departments),
            created_at=at,
        )
    )


async def day_lines(conn: AsyncConnection, prop: PropertyRef, business_date: date) -> list[FolioLine]:
    """Every line of the property posted on a business date, whatever its folio."""
    ids = await conn.execute(
        select(folio_lines.c.folio_id)
        .where(folio_lines.c.property_id == prop.id, folio_lines.c.business_date == business_date)
        .distinct()
    )
    by_folio = await lines_of(conn, list(ids.scalars()), prop.currency)
    return [line for lines in by_folio.values() for line in lines if line.business_date == business_date]


async def open_balances(conn: AsyncConnection, prop: PropertyRef) -> dict[str, tuple[int, ...]]:
    """Open folios' stored balances (minor units) by folio kind."""
    rows = await conn.execute(
        select(folios.c.kind, folios.c.balance_minor).where(
            and_(folios.c.property_id == prop.id, folios.c.status == "open")
        )
    )
    found: dict[str, list[int]] = {}
    for row in rows:
        found.setdefault(row.kind, []).append(int(row.balance_minor))
    return {kind: tuple(values) for kind, values in found.items()}


async def deposits_held(conn: AsyncConnection, prop: PropertyRef, deposit_codes: frozenset[str]) -> int:
    """Deposit payments (minor units, folio signs) on open folios of bookings not yet in house (no stay)."""
    if not deposit_codes:
        return 0
    total = await conn.execute(
        select(func.coalesce(func.sum(folio_lines.c.amount_minor), 0))
        .select_from(folio_lines.join(folios, folios.c.id == folio_lines.c.folio_id))
        .where(
            folios.c.property_id == prop.id,
            folios.c.status == "open",
            folios.c.stay_id.is_(None),
            folio_lines.c.code_kind == "payment",
            folio_lines.c.transaction_code.in_(sorted(deposit_codes)),
        )
    )
    return int(total.scalar_one())


async def balance_mismatches(conn: AsyncConnection, prop: PropertyRef) -> list[tuple[UUID, str, str]]:
    """Folios whose stored balance is not the sum of their lines: (folio, stored, summed)."""
    summed = (
        select(folio_lines.c.folio_id, func.sum(folio_lines.c.amount_minor).label("total"))
        .where(folio_lines.c.property_id == prop.id)
        .group_by(folio_lines.c.folio_id)
        .subquery()
    )
    rows = await conn.execute(
        select(folios.c.id, folios.c.balance_minor, func.coalesce(summed.c.total, 0).label("total"))
        .select_from(folios.outerjoin(summed, summed.c.folio_id == folios.c.id))
        .where(folios.c.property_id == prop.id)
    )
    return [
        (row.id, str(from_minor(row.balance_minor, prop.currency)), str(from_minor(row.total, prop.currency)))
        for row in rows
        if int(row.balance_minor) != int(row.total)
    ]
