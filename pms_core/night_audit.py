"""The night audit: close a property's business date in one transaction, or answer the day closed.

Closing D: mark D's arrivals not checked in no-shows (with the fee their rate plan names), charge
every in-house stay's room for the night of D with its taxes, check the folios and ledgers, freeze
the day (revenue.day_closed.v1) and move the business date to D + 1. Postings after that land on
D + 1: a closed day never changes. The property's row is locked for the whole close (PostgreSQL
FOR NO KEY UPDATE, which a posting's FOR SHARE waits for; SQLite's BEGIN IMMEDIATE holds every
writer off), so two closes of one property run one
after the other and the second answers the stored day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update

from canonical.errors import PermanentError
from canonical.money import from_minor
from canonical.night_audit import CloseDay
from canonical.revenue import REVENUE_DAY_CLOSED_V1, DayClosed, Ledger
from pms_core import day_figures
from pms_core.adapters import day_sums, folio_books
from pms_core.adapters.folio_store import PropertyRef
from pms_core.adapters.tables import properties
from pms_core.audit_settings import settings_of
from pms_core.day_closes import closed_day, last_closed, store_closed_day
from pms_core.errors import UnknownProperty
from pms_core.folio_handlers import business_date
from pms_core.no_show_fees import post_no_show_fees
from pms_core.room_night_charges import post_room_nights
from pms_core.stay_audit import in_house_nights, mark_no_shows
from pms_core.unit_of_work import PmsUnitOfWork


class AuditRefused(PermanentError):
    """The day cannot be closed as asked; nothing was changed."""


class DayNotOpen(AuditRefused):
    """The date asked is not the property's business date (and was never closed)."""

    def __init__(self, property_code: str, asked: date, current: date) -> None:
        super().__init__(
            f"property {property_code!r}: {asked} is not its business date ({current} is)"
            " and was never closed"
        )
        self.asked, self.current = asked, current


class LedgersDisagree(AuditRefused):
    """Folios or ledgers do not balance: the day stays open until they are put right."""

    def __init__(self, property_code: str, day: date, problems: list[str]) -> None:
        super().__init__(f"property {property_code!r}: {day} not closed: {'; '.join(problems)}")
        self.problems = problems


@dataclass(frozen=True, slots=True)
class CloseOutcome:
    """The closed day, whether this close froze it (False: it was closed before), what it posted."""

    day: DayClosed
    closed_now: bool
    charges_posted: int = 0
    no_show_fees: int = 0


async def _locked_property(uow: PmsUnitOfWork, code: str) -> PropertyRef:
    columns = (properties.c.id, properties.c.currency, properties.c.timezone, properties.c.business_date)
    # FOR NO KEY UPDATE: rows naming the property (folio lines, bookings) can still be inserted,
    # while a posting's FOR SHARE on it (folio_store.save_posted) waits for the close to end.
    query = select(*columns).where(properties.c.code == code).with_for_update(key_share=True)
    row = (await uow.conn.execute(query)).first()
    if row is None:
        raise UnknownProperty(code)
    return PropertyRef(row.id, code, row.currency, row.timezone, row.business_date)


async def handle_close_day(cmd: CloseDay, uow: PmsUnitOfWork) -> CloseOutcome:
    """Close the property's business date (the one asked must be it), or answer the day closed before.

    A property without a business date yet (it follows its local today) may close today or
    yesterday: that first close starts its business days.

    Raises UnknownProperty, DayNotOpen, LedgersDisagree, and the folio refusals of a charge that
    cannot be posted (no ROOM code, a night without price, a closed folio): nothing is written then.
    """
    conn = uow.conn
    prop = await _locked_property(uow, cmd.property_code)
    current = business_date(prop, uow)
    day = cmd.business_date or current
    stored = await closed_day(conn, prop.code, day)
    if stored is not None:
        return CloseOutcome(stored, closed_now=False)
    # A property's first close starts its business days: on its local today, or on yesterday (the
    # scheduler closes a day after midnight) - never a date a typo would carry into the past.
    first = prop.business_date is None
    if day != current and not (first and day == current - timedelta(days=1)):
        raise DayNotOpen(prop.code, day, current)
    settings = await settings_of(conn, prop.code)
    book = await folio_books.code_book(conn, prop)
    marked = await mark_no_shows(uow, prop.code, day)
    fees = await post_no_show_fees(uow, marked, settings.no_show_fees, day)
    charges = await post_room_nights(uow, prop, book, await in_house_nights(conn, prop.code, day), day)
    closed = await _freeze(uow, prop, day, len(marked), frozenset(c.code for c in book.codes if c.deposit))
    await store_closed_day(conn, prop.id, closed)
    uow.collect(REVENUE_DAY_CLOSED_V1, closed)
    await conn.execute(
        update(properties).where(properties.c.id == prop.id).values(business_date=day + timedelta(days=1))
    )
    return CloseOutcome(closed, closed_now=True, charges_posted=charges.posted, no_show_fees=fees)


async def _freeze(
    uow: PmsUnitOfWork, prop: PropertyRef, day: date, no_shows: int, deposit_codes: frozenset[str]
) -> DayClosed:
    conn, currency = uow.conn, prop.currency
    problems = [
        f"folio {folio_id} holds {from_minor(stored, currency)}"
        f" but its lines add up to {from_minor(summed, currency)}"
        for folio_id, stored, summed in await day_sums.open_mismatches(conn, prop.id)
    ]
    previous = await last_closed(conn, prop.id, day)
    openings = day_figures.openings(None if previous is None else previous.ledgers)
    days = await day_sums.ledger_days(conn, prop.id, day)
    days[Ledger.ADVANCE_DEPOSITS] = await day_sums.deposit_day(conn, prop.id, day, deposit_codes)
    ledgers = []
    for ledger in (Ledger.GUEST, Ledger.CITY, Ledger.ADVANCE_DEPOSITS):
        moved, problem = day_figures.movement(
            ledger, days[ledger], openings.get(ledger), currency, balancing=ledger is Ledger.ADVANCE_DEPOSITS
        )
        ledgers.append(moved)
        if problem is not None:
            problems.append(problem)
    if problems:
        raise LedgersDisagree(prop.code, day, problems)
    sums = await day_sums.day_sums(conn, prop.id, day)
    sold = await day_sums.rooms_sold(conn, prop.id, day)
    stats = day_figures.statistics(
        await day_sums.rooms_available(conn, prop.id, day),
        sold,
        await day_sums.room_night_revenue(conn, prop.id, day),
        currency,
    )
    return DayClosed(
        property_code=prop.code,
        business_date=day,
        currency=currency,
        closed_at=uow.now(),
        revenue=day_figures.revenue_lines(sums, currency),
        taxes=day_figures.tax_lines(sums, currency),
        payments=day_figures.payment_lines(sums, currency),
        ledgers=tuple(ledgers),
        statistics=stats,
        no_shows=no_shows,
    )
