"""Reading folios: a folio's statement, a booking's folios, ledger balances, a business day's totals.

These are what the night audit and the ERP export call: `business_day_totals` for the revenue of
a business date by department, GL account, tax code and payment method; `ledger_balances` for
the guest ledger, city ledger and advance deposits; `balance_mismatches` for folios whose stored
balance is not the sum of their lines (none, unless the database was edited by hand).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.folio import (
    BusinessDayTotals,
    FolioKind,
    FolioStatement,
    LedgerBalances,
    RoutingInstruction,
)
from canonical.folio_codes import CodeKind, FolioCodeBook
from canonical.money import from_minor
from pms_core.adapters import folio_books, folio_store
from pms_core.folio_totals import line_totals
from pms_core.folios import Folio

CITY_LEDGER = frozenset({FolioKind.COMPANY.value})


def statement(folio: Folio, routes: Sequence[RoutingInstruction]) -> FolioStatement:
    """A folio as it stands, with its totals and routing instructions."""
    return FolioStatement(
        **dict(folio.header),
        status=folio.status,
        balance=folio.balance,
        invoice_number=folio.invoice_number,
        opened_at=folio.opened_at,
        closed_at=folio.closed_at,
        lines=tuple(folio.lines),
        totals=line_totals(folio.lines),
        routes=tuple(routes),
    )


async def folio_statement(conn: AsyncConnection, property_code: str, folio_id: UUID) -> FolioStatement:
    """One folio's statement; UnknownProperty or UnknownFolio."""
    prop = await folio_store.property_ref(conn, property_code)
    folio = await folio_store.load_folio(conn, prop, folio_id)
    return statement(folio, await folio_books.instructions(conn, folio_id))


async def folio_statements(
    conn: AsyncConnection,
    property_code: str,
    *,
    booking_id: UUID | None = None,
    kind: FolioKind | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[FolioStatement]:
    """The property's folios, oldest first: of one booking, of one kind, or all (a page at a time)."""
    prop = await folio_store.property_ref(conn, property_code)
    ids = await folio_store.folio_ids(
        conn, prop, booking_id=booking_id, kind=kind, limit=limit, offset=offset
    )
    return [
        statement(folio, await folio_books.instructions(conn, folio.id))
        for folio in await folio_store.load_folios(conn, prop, ids)
    ]


async def business_day_totals(
    conn: AsyncConnection, property_code: str, business_date: date
) -> BusinessDayTotals:
    """What the property's folios took on a business date; transfers left out (they net to zero)."""
    prop = await folio_store.property_ref(conn, property_code)
    lines = await folio_books.day_lines(conn, prop, business_date)
    return BusinessDayTotals(
        property_code=prop.code,
        business_date=business_date,
        currency=prop.currency,
        totals=line_totals(lines, transfers=False),
    )


async def ledger_balances(conn: AsyncConnection, property_code: str) -> LedgerBalances:
    """Open balances: guest ledger (guest and master folios), city ledger (company folios), and of the
    guest ledger the advance deposits (deposit payments on open folios without a stay yet, as money
    held: positive; `attach_stay` at check-in moves them out)."""
    prop = await folio_store.property_ref(conn, property_code)
    by_kind = await folio_books.open_balances(conn, prop)
    book = await folio_books.code_book(conn, prop)
    deposit_codes = frozenset(c.code for c in book.codes if c.kind is CodeKind.PAYMENT and c.deposit)
    city = sum(sum(values) for kind, values in by_kind.items() if kind in CITY_LEDGER)
    guest = sum(sum(values) for kind, values in by_kind.items() if kind not in CITY_LEDGER)
    held = -await folio_books.deposits_held(conn, prop, deposit_codes)
    return LedgerBalances(
        property_code=prop.code,
        currency=prop.currency,
        guest_ledger=from_minor(guest, prop.currency),
        city_ledger=from_minor(city, prop.currency),
        advance_deposits=from_minor(held, prop.currency),
    )


async def balance_mismatches(conn: AsyncConnection, property_code: str) -> list[tuple[UUID, str, str]]:
    """Folios whose stored balance differs from the sum of their lines: (folio, stored, summed)."""
    prop = await folio_store.property_ref(conn, property_code)
    return await folio_books.balance_mismatches(conn, prop)


async def property_of(conn: AsyncConnection, folio_id: UUID) -> str | None:
    """The code of the property holding this folio (None: no such folio)."""
    return await folio_store.property_of_folio(conn, folio_id)


async def transaction_codes(conn: AsyncConnection, property_code: str) -> FolioCodeBook:
    """The property's transaction codes, as the configuration last applied them."""
    return await folio_books.code_book(conn, await folio_store.property_ref(conn, property_code))
