"""Batched reads and writes of the night audit's room-night charges: a statement per step, not per stay."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.folio import FolioKind, FolioStatus, RoutingInstruction
from canonical.money import from_minor, to_minor
from pms_core.adapters.bulk import UnnestInsert
from pms_core.adapters.day_close_tables import audit_room_charges
from pms_core.adapters.folio_store import PropertyRef, _line_values
from pms_core.adapters.folio_tables import folio_lines, folio_routes, folios
from pms_core.adapters.stay_tables import stays
from pms_core.adapters.tables import bookings
from pms_core.folios import Folio

_LINES = UnnestInsert(folio_lines)
_FOLIOS = UnnestInsert(folios)
_CHARGES = UnnestInsert(audit_room_charges)
_BALANCES = (
    update(folios)
    .where(folios.c.id == bindparam("folio"))
    .values(balance_minor=bindparam("balance"), line_count=bindparam("count"))
)


async def charged_stays(conn: AsyncConnection, property_id: int, night: date) -> set[UUID]:
    """Stays of the property whose room for `night` the audit charged already."""
    rows = await conn.execute(
        select(audit_room_charges.c.stay_id)
        .join(stays, stays.c.id == audit_room_charges.c.stay_id)
        .where(stays.c.property_id == property_id, audit_room_charges.c.night == night)
    )
    return set(rows.scalars())


async def persons(conn: AsyncConnection, property_id: int, booking_ids: Sequence[UUID]) -> dict[UUID, int]:
    """Guests (adults + children) of each booking, for taxes per person-night."""
    if not booking_ids:
        return {}
    rows = await conn.execute(
        select(bookings.c.id, bookings.c.adults, bookings.c.children).where(
            bookings.c.property_id == property_id, bookings.c.id.in_(booking_ids)
        )
    )
    return {row.id: max(int(row.adults) + int(row.children), 1) for row in rows}


async def totals(
    conn: AsyncConnection, property_id: int, booking_ids: Sequence[UUID]
) -> dict[UUID, tuple[Decimal, date, date]]:
    """The total, arrival and departure of those of these bookings that have a total."""
    if not booking_ids:
        return {}
    rows = await conn.execute(
        select(bookings.c.id, bookings.c.total_amount, bookings.c.arrival, bookings.c.departure).where(
            bookings.c.property_id == property_id,
            bookings.c.id.in_(booking_ids),
            bookings.c.total_amount.is_not(None),
        )
    )
    return {row.id: (Decimal(row.total_amount), row.arrival, row.departure) for row in rows}


async def open_guest_folios(
    conn: AsyncConnection, prop: PropertyRef, booking_ids: Sequence[UUID]
) -> dict[UUID, UUID]:
    """Each booking's oldest open guest folio (bookings without one are left out)."""
    if not booking_ids:
        return {}
    rows = await conn.execute(
        select(folios.c.booking_id, folios.c.id)
        .where(
            folios.c.property_id == prop.id,
            folios.c.kind == FolioKind.GUEST.value,
            folios.c.status == FolioStatus.OPEN.value,
            folios.c.booking_id.in_(booking_ids),
        )
        .order_by(folios.c.opened_at.desc(), folios.c.id.desc())
    )
    # Newest first, so the oldest is written last and kept.
    return {row.booking_id: row.id for row in rows}


async def insert_folios(conn: AsyncConnection, prop: PropertyRef, opened: Iterable[Folio]) -> None:
    """Store new, empty folios."""
    rows = [
        {
            "id": f.id, "property_id": prop.id, "kind": f.kind.value, "status": f.status.value,
            "booking_id": f.booking_id, "stay_id": f.stay_id, "company_profile_id": f.company_profile_id,
            "name": f.name, "currency": f.currency, "balance_minor": 0, "line_count": 0,
            "opened_at": f.opened_at, "invoice_number": None, "closed_at": None, "closed_business_date": None,
        }
        for f in opened
    ]  # fmt: skip
    await _FOLIOS.execute(conn, rows)


async def instructions_of(
    conn: AsyncConnection, folio_ids: Sequence[UUID]
) -> dict[UUID, list[RoutingInstruction]]:
    """The routing instructions of these folios, in the order given, by folio."""
    found: dict[UUID, list[RoutingInstruction]] = {}
    if not folio_ids:
        return found
    rows = await conn.execute(
        select(folio_routes)
        .where(folio_routes.c.source_folio_id.in_(folio_ids))
        .order_by(folio_routes.c.source_folio_id, folio_routes.c.position)
    )
    for row in rows:
        found.setdefault(row.source_folio_id, []).append(
            RoutingInstruction(
                id=row.id, source_folio_id=row.source_folio_id, target_folio_id=row.target_folio_id,
                transaction_codes=frozenset(row.transaction_codes), departments=frozenset(row.departments),
            )
        )  # fmt: skip
    return found


async def lock_heads(
    conn: AsyncConnection, prop: PropertyRef, folio_ids: Sequence[UUID]
) -> dict[UUID, tuple[Folio, int]]:
    """These folios' rows under lock (in id order), without their lines: (folio, its line count).

    The audit only appends: a folio's new lines are numbered after its stored line count.
    """
    query = (
        select(folios)
        .where(folios.c.id.in_(folio_ids), folios.c.property_id == prop.id)
        .order_by(folios.c.id)
        .with_for_update()
    )
    found: dict[UUID, tuple[Folio, int]] = {}
    for row in await conn.execute(query):
        folio = Folio(
            id=row.id, property_code=prop.code, kind=FolioKind(row.kind), currency=row.currency,
            opened_at=row.opened_at, booking_id=row.booking_id, stay_id=row.stay_id,
            company_profile_id=row.company_profile_id, name=row.name, status=FolioStatus(row.status),
            invoice_number=row.invoice_number, closed_at=row.closed_at,
            balance=from_minor(row.balance_minor, row.currency),
        )  # fmt: skip
        found[row.id] = (folio, int(row.line_count))
    return found


async def write_posted(
    conn: AsyncConnection,
    prop: PropertyRef,
    posted: Sequence[tuple[Folio, int]],
    charges: Sequence[dict[str, Any]],
) -> None:
    """Write the folios' new lines (numbered already), balances and the nights charged."""
    lines: list[dict[str, Any]] = []
    balances: list[dict[str, Any]] = []
    for folio, count in posted:
        for line in folio.posted:
            lines.append(_line_values(line, prop.id, prop.currency))
        balances.append(
            {
                "folio": folio.id,
                "balance": to_minor(folio.balance, folio.currency),
                "count": count + len(folio.posted),
            }
        )
    if balances:
        await conn.execute(_BALANCES, balances)
    await _LINES.execute(conn, lines)
    await _CHARGES.execute(conn, charges)
