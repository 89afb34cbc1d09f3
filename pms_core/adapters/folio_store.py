"""Loading and storing folios: the folio row under lock, its lines in minor units, invoice numbers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from sqlalchemy import Row, and_, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Transaction
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.errors import TransientError
from canonical.folio import FolioKind, FolioLine, FolioStatus
from canonical.money import from_minor, to_minor
from pms_core.adapters.folio_tables import folio_invoice_counters, folio_lines, folios
from pms_core.adapters.tables import bookings, properties
from pms_core.errors import UnknownProperty
from pms_core.folio_errors import FolioIsClosed, UnknownFolio
from pms_core.folios import Folio


class ConcurrentFolioChange(TransientError):
    """Another transaction changed the folio between its read and this write: retry."""


@dataclass(frozen=True)
class PropertyRef:
    """What folio work needs of a property."""

    id: int
    code: str
    currency: str
    timezone: str
    business_date: date | None


# Built once: every folio call reads its property, and SQLAlchemy then finds the compiled statement
# by a cache key already computed.
_PROPERTY = select(
    properties.c.id, properties.c.currency, properties.c.timezone, properties.c.business_date
).where(properties.c.code == bindparam("code"))


async def property_ref(conn: AsyncConnection, code: str) -> PropertyRef:
    """The property with this code; UnknownProperty otherwise."""
    row = (await conn.execute(_PROPERTY, {"code": code})).first()
    if row is None:
        raise UnknownProperty(code)
    return PropertyRef(row.id, code, row.currency, row.timezone, row.business_date)


async def booking_in_property(conn: AsyncConnection, prop: PropertyRef, booking_id: UUID) -> bool:
    """Whether the booking exists in this property."""
    found = select(bookings.c.id).where(bookings.c.id == booking_id, bookings.c.property_id == prop.id)
    return (await conn.execute(found)).first() is not None


def _line(row: Row[Any], currency: str) -> FolioLine:
    values = dict(row._mapping)
    values.pop("property_id")
    unit, amount = values.pop("unit_minor"), values.pop("amount_minor")
    return FolioLine(
        **values,
        unit_amount=from_minor(unit, currency),
        amount=from_minor(amount, currency),
    )


def _line_values(line: FolioLine, property_id: int, currency: str) -> dict[str, Any]:
    values = line.model_dump(exclude={"unit_amount", "amount"})
    values["kind"], values["code_kind"] = line.kind.value, line.code_kind.value
    return {
        **values,
        "property_id": property_id,
        "unit_minor": to_minor(line.unit_amount, currency),
        "amount_minor": to_minor(line.amount, currency),
    }


def _folio(row: Row[Any], code: str, lines: list[FolioLine]) -> Folio:
    folio = Folio(
        id=row.id, property_code=code, kind=FolioKind(row.kind), currency=row.currency,
        opened_at=row.opened_at, booking_id=row.booking_id, stay_id=row.stay_id,
        company_profile_id=row.company_profile_id, name=row.name, status=FolioStatus(row.status),
        invoice_number=row.invoice_number, closed_at=row.closed_at, lines=lines,
        balance=from_minor(row.balance_minor, row.currency),
    )  # fmt: skip
    return folio


async def lines_of(
    conn: AsyncConnection, folio_ids: Sequence[UUID], currency: str
) -> dict[UUID, list[FolioLine]]:
    """Every line of these folios in posting order, by folio."""
    found: dict[UUID, list[FolioLine]] = {folio_id: [] for folio_id in folio_ids}
    if not folio_ids:
        return found
    rows = await conn.execute(
        select(folio_lines).where(folio_lines.c.folio_id.in_(folio_ids)).order_by(folio_lines.c.seq)
    )
    for row in rows:
        found[row.folio_id].append(_line(row, currency))
    return found


async def load_folios(
    conn: AsyncConnection, prop: PropertyRef, folio_ids: Iterable[UUID], *, lock: bool = False
) -> list[Folio]:
    """These folios with their lines, in the order asked; UnknownFolio for one not in the property.

    `lock`: the folio rows stay locked until the transaction ends (PostgreSQL FOR UPDATE, taken in
    id order so two transfers between the same folios cannot deadlock; SQLite's BEGIN IMMEDIATE
    already holds every writer off).
    """
    wanted = list(folio_ids)
    query = select(folios).where(folios.c.id.in_(wanted), folios.c.property_id == prop.id)
    if lock:
        # The property first, as the night audit takes it before the folios: never a deadlock.
        await _share_property(conn, prop)
        query = query.order_by(folios.c.id).with_for_update()
    rows = {row.id: row for row in await conn.execute(query)}
    for folio_id in wanted:
        if folio_id not in rows:
            raise UnknownFolio(prop.code, folio_id)
    lines = await lines_of(conn, wanted, prop.currency)
    return [_folio(rows[folio_id], prop.code, lines[folio_id]) for folio_id in wanted]


async def load_folio(
    conn: AsyncConnection, prop: PropertyRef, folio_id: UUID, *, lock: bool = False
) -> Folio:
    """One folio with its lines; UnknownFolio when the property has none with this id."""
    return (await load_folios(conn, prop, [folio_id], lock=lock))[0]


async def folio_state(
    conn: AsyncConnection, prop: PropertyRef, folio_id: UUID
) -> tuple[FolioStatus, int | None]:
    """A folio's status and invoice number, without its lines; UnknownFolio when there is none."""
    query = select(folios.c.status, folios.c.invoice_number).where(
        folios.c.id == folio_id, folios.c.property_id == prop.id
    )
    row = (await conn.execute(query)).first()
    if row is None:
        raise UnknownFolio(prop.code, folio_id)
    return FolioStatus(row.status), row.invoice_number


async def folio_ids(
    conn: AsyncConnection,
    prop: PropertyRef,
    *,
    booking_id: UUID | None = None,
    kind: FolioKind | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[UUID]:
    """Ids of the property's folios, oldest first, of one booking and/or kind when asked."""
    query = select(folios.c.id).where(folios.c.property_id == prop.id)
    if booking_id is not None:
        query = query.where(folios.c.booking_id == booking_id)
    if kind is not None:
        query = query.where(folios.c.kind == kind.value)
    query = query.order_by(folios.c.opened_at, folios.c.id).limit(limit).offset(offset)
    return list((await conn.execute(query)).scalars())


async def insert_folio(conn: AsyncConnection, prop: PropertyRef, folio: Folio) -> None:
    """Store a new, empty folio."""
    await conn.execute(
        insert(folios).values(
            id=folio.id, property_id=prop.id, kind=folio.kind.value, status=folio.status.value,
            booking_id=folio.booking_id, stay_id=folio.stay_id, company_profile_id=folio.company_profile_id,
            name=folio.name, currency=folio.currency, balance_minor=0, line_count=0,
            opened_at=folio.opened_at,
        )
    )  # fmt: skip


class BusinessDayClosed(TransientError):
    """The night audit closed the lines' business date while they were being posted: retry (they
    then land on the new business date)."""


# The business date a locked load read under the share lock, by transaction and property, taken
# (once) by the save that follows: the lock is held until the transaction ends, so the date
# cannot have moved in between, and reading it again would cost a statement a posting.
_SHARED: WeakKeyDictionary[Transaction, dict[int, date | None]] = WeakKeyDictionary()


def _transaction(conn: AsyncConnection) -> Transaction | None:
    found = conn.sync_connection.get_transaction() if conn.sync_connection is not None else None
    return found if found is not None and found.is_active else None


async def _share_property(conn: AsyncConnection, prop: PropertyRef) -> date | None:
    # FOR SHARE waits for a night audit of the property in progress (it holds FOR NO KEY UPDATE)
    # and holds the next one off until this transaction ends; postings share it with each other.
    query = select(properties.c.business_date).where(properties.c.id == prop.id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    found: date | None = (await conn.execute(query)).scalar_one()
    transaction = _transaction(conn)
    if transaction is not None:
        _SHARED.setdefault(transaction, {})[prop.id] = found
    return found


async def _ensure_day_open(conn: AsyncConnection, prop: PropertyRef, lines: Sequence[FolioLine]) -> None:
    # A closed day never takes a line: the business date as read under the share lock.
    transaction = _transaction(conn)
    held = _SHARED.get(transaction, {}) if transaction is not None else {}
    current = held.pop(prop.id) if prop.id in held else await _share_property(conn, prop)
    if current is not None and any(line.business_date < current for line in lines):
        raise BusinessDayClosed(f"property {prop.code!r}: the business date moved on to {current}")


async def save_posted(conn: AsyncConnection, prop: PropertyRef, folio: Folio) -> None:
    """Write the lines posted since the folio was loaded, and its new balance, if it is still open.

    Raises BusinessDayClosed when a line's business date was closed meanwhile (nothing written).
    """
    if not folio.posted:
        return
    await _ensure_day_open(conn, prop, folio.posted)
    before = len(folio.lines) - len(folio.posted)
    stored = await conn.execute(
        update(folios)
        .where(and_(folios.c.id == folio.id, folios.c.status == "open", folios.c.line_count == before))
        .values(balance_minor=to_minor(folio.balance, folio.currency), line_count=len(folio.lines))
    )
    if stored.rowcount != 1:
        current = await load_folio(conn, prop, folio.id)
        if current.status is FolioStatus.CLOSED:
            raise FolioIsClosed(folio.id, current.invoice_number)
        raise ConcurrentFolioChange(f"folio {folio.id} changed while it was being posted to")
    await conn.execute(
        insert(folio_lines), [_line_values(line, prop.id, folio.currency) for line in folio.posted]
    )
    folio.posted.clear()


async def attach_stay(conn: AsyncConnection, prop: PropertyRef, booking_id: UUID, stay_id: UUID) -> int:
    """Name the stay on the booking's open guest folios that name none yet; how many."""
    stored = await conn.execute(
        update(folios)
        .where(
            folios.c.property_id == prop.id,
            folios.c.booking_id == booking_id,
            folios.c.kind == "guest",
            folios.c.status == "open",
            folios.c.stay_id.is_(None),
        )
        .values(stay_id=stay_id)
    )
    return int(stored.rowcount or 0)


async def next_invoice_number(conn: AsyncConnection, prop: PropertyRef) -> int:
    """Take the property's next invoice number in this transaction (1 for its first).

    The counter row stays locked until the transaction ends, so concurrent closes of one property
    take consecutive numbers one after the other; a close that rolls back gives its number back.
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(folio_invoice_counters).values(property_id=prop.id, last_number=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[folio_invoice_counters.c.property_id],
        set_={"last_number": folio_invoice_counters.c.last_number + 1},
    ).returning(folio_invoice_counters.c.last_number)
    return int((await conn.execute(stmt)).scalar_one())


async def save_closed(conn: AsyncConnection, folio: Folio, business_date: date) -> None:
    """Store the close of a folio that was open when loaded (under lock)."""
    stored = await conn.execute(
        update(folios)
        .where(and_(folios.c.id == folio.id, folios.c.status == "open", folios.c.balance_minor == 0))
        .values(
            status=FolioStatus.CLOSED.value,
            invoice_number=folio.invoice_number,
            closed_at=folio.closed_at,
            closed_business_date=business_date,
        )
    )
    if stored.rowcount != 1:
        raise ConcurrentFolioChange(f"folio {folio.id} changed while it was being closed")


async def property_of_folio(conn: AsyncConnection, folio_id: UUID) -> str | None:
    """The code of the property holding this folio, or None."""
    query = (
        select(properties.c.code)
        .join(folios, folios.c.property_id == properties.c.id)
        .where(folios.c.id == folio_id)
    )
    return (await conn.execute(query)).scalar_one_or_none()
