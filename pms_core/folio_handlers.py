"""Folio use cases: open, post a charge (taxed, routed), post a payment, reverse, transfer, split,
route, close at zero with the property's next invoice number. Each runs in its caller's transaction
and collects its events (folio.opened.v1, folio.line_posted.v1, folio.closed.v1) on the unit of work.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from canonical.base import Money
from canonical.folio import (
    FOLIO_CLOSED_V1,
    FOLIO_LINE_POSTED_V1,
    FOLIO_OPENED_V1,
    CloseFolio,
    FolioClosed,
    FolioKind,
    FolioLinesPosted,
    FolioOpened,
    FolioStatement,
    FolioStatus,
    OpenFolio,
    PostCharge,
    PostPayment,
    ReverseLine,
    RouteCharges,
    RoutingInstruction,
    SplitLine,
    TransferLines,
)
from canonical.folio_codes import CodeKind, FolioCodeBook, TransactionCode
from pms_core import folio_moves, folios
from pms_core.adapters import folio_books, folio_store
from pms_core.adapters.folio_store import PropertyRef
from pms_core.folio_errors import FolioIsClosed, FolioRefused, UnknownBooking, UnknownTransactionCode
from pms_core.folio_queries import statement
from pms_core.folio_routing import route
from pms_core.folio_totals import line_totals
from pms_core.folios import Folio, Posting
from pms_core.unit_of_work import PmsUnitOfWork


def business_date(prop: PropertyRef, uow: PmsUnitOfWork, asked: date | None = None) -> date:
    """The date lines are posted on: as asked, else the property's business date, else its local today.

    A date before the business date is closed: what is asked for it lands on the business date.
    """
    if asked is not None and (prop.business_date is None or asked >= prop.business_date):
        return asked
    if prop.business_date is not None:
        return prop.business_date
    return uow.now().astimezone(ZoneInfo(prop.timezone)).date()


def _code(book: FolioCodeBook, code: str, kind: CodeKind) -> TransactionCode:
    found = book.find(code)
    if found is None or found.kind is not kind:
        raise UnknownTransactionCode(book.property_code, code, kind.value)
    return found


async def _save(uow: PmsUnitOfWork, prop: PropertyRef, *changed: Folio) -> None:
    """Write each folio's new lines and collect one folio.line_posted.v1 per folio that took some."""
    for folio in changed:
        if folio.posted:
            balance = Money(amount=folio.balance, currency=folio.currency)
            event = FolioLinesPosted(**dict(folio.header), lines=tuple(folio.posted), balance=balance)
            uow.collect(FOLIO_LINE_POSTED_V1, event)
        await folio_store.save_posted(uow.conn, prop, folio)


async def _open(
    uow: PmsUnitOfWork, prop: PropertyRef, cmd: OpenFolio, *, booking_known: bool = False
) -> Folio:
    # booking_known: the caller holds the booking, locked in this property, so it is not looked up again.
    if (
        not booking_known
        and cmd.booking_id is not None
        and not await folio_store.booking_in_property(uow.conn, prop, cmd.booking_id)
    ):
        raise UnknownBooking(prop.code, cmd.booking_id)
    folio = Folio(
        id=uuid4(), property_code=prop.code, kind=cmd.kind, currency=prop.currency, opened_at=uow.now(),
        booking_id=cmd.booking_id, stay_id=cmd.stay_id, company_profile_id=cmd.company_profile_id,
        name=cmd.name,
    )  # fmt: skip
    await folio_store.insert_folio(uow.conn, prop, folio)
    uow.collect(FOLIO_OPENED_V1, FolioOpened(**dict(folio.header), opened_at=folio.opened_at))
    return folio


async def handle_open_folio(cmd: OpenFolio, uow: PmsUnitOfWork) -> FolioStatement:
    """Open a folio (guest: of an existing booking; master; company) in the property's currency."""
    prop = await folio_store.property_ref(uow.conn, cmd.property_code)
    folio = await _open(uow, prop, cmd)
    return statement(folio, [])


async def _guest_folio_of(uow: PmsUnitOfWork, prop: PropertyRef, booking_id: UUID) -> UUID:
    """The booking's oldest open guest folio, opened now if it has none."""
    for folio_id in await folio_store.folio_ids(uow.conn, prop, booking_id=booking_id, kind=FolioKind.GUEST):
        status, _ = await folio_store.folio_state(uow.conn, prop, folio_id)
        if status is FolioStatus.OPEN:
            return folio_id
    opened = await _open(
        uow, prop, OpenFolio(property_code=prop.code, kind=FolioKind.GUEST, booking_id=booking_id)
    )
    return opened.id


async def handle_post_charge(cmd: PostCharge, uow: PmsUnitOfWork) -> FolioStatement:
    """Post a charge with its taxes to the folio its routing names; answers that folio.

    The night audit posts room and tax this way, by booking; a POS posts by folio (or booking).
    Raises UnknownTransactionCode, UnknownFolio, UnknownBooking, FolioIsClosed, FolioRefused.
    """
    conn = uow.conn
    prop = await folio_store.property_ref(conn, cmd.property_code)
    book = await folio_books.code_book(conn, prop)
    code = _code(book, cmd.transaction_code, CodeKind.CHARGE)
    if cmd.folio_id is not None:
        source = cmd.folio_id
    else:
        assert cmd.booking_id is not None  # PostCharge names one or the other
        if not await folio_store.booking_in_property(conn, prop, cmd.booking_id):
            raise UnknownBooking(prop.code, cmd.booking_id)
        source = await _guest_folio_of(uow, prop, cmd.booking_id)
    source_routes = await folio_books.instructions(conn, source)
    target_id = route(source, source_routes, code)
    if target_id != source:  # routed away: the folio it was posted to must still be open
        status, invoice = await folio_store.folio_state(conn, prop, source)
        if status is FolioStatus.CLOSED:
            raise FolioIsClosed(source, invoice)
    folio = await folio_store.load_folio(conn, prop, target_id, lock=True)
    when = Posting(business_date(prop, uow, cmd.business_date), uow.now(), cmd.description, cmd.reference)
    folios.charge(folio, code, book.taxes_of(code), cmd.unit_amount, cmd.quantity, cmd.persons, when)
    await _save(uow, prop, folio)
    if target_id == source:  # the instructions read above are this folio's: posting changed none
        return statement(folio, source_routes)
    return await _statement(uow, prop, folio)


async def handle_post_payment(cmd: PostPayment, uow: PmsUnitOfWork) -> FolioStatement:
    """Post a payment with its method's code (never routed); answers the folio."""
    prop = await folio_store.property_ref(uow.conn, cmd.property_code)
    method = _code(await folio_books.code_book(uow.conn, prop), cmd.method, CodeKind.PAYMENT)
    folio = await folio_store.load_folio(uow.conn, prop, cmd.folio_id, lock=True)
    when = Posting(business_date(prop, uow, cmd.business_date), uow.now(), reference=cmd.reference)
    folios.payment(folio, method, cmd.amount, when)
    await _save(uow, prop, folio)
    return await _statement(uow, prop, folio)


async def handle_reverse_line(cmd: ReverseLine, uow: PmsUnitOfWork) -> FolioStatement:
    """Reverse a charge (with its taxes) or a payment by reversal lines; answers the folio."""
    prop = await folio_store.property_ref(uow.conn, cmd.property_code)
    folio = await folio_store.load_folio(uow.conn, prop, cmd.folio_id, lock=True)
    folios.reverse(
        folio, cmd.line_id, Posting(business_date(prop, uow, cmd.business_date), uow.now(), reason=cmd.reason)
    )
    await _save(uow, prop, folio)
    return await _statement(uow, prop, folio)


async def handle_transfer_lines(
    cmd: TransferLines, uow: PmsUnitOfWork
) -> tuple[FolioStatement, FolioStatement]:
    """Move lines to another folio of the property; answers both folios (from, to)."""
    prop = await folio_store.property_ref(uow.conn, cmd.property_code)
    if cmd.folio_id == cmd.to_folio_id:
        raise FolioRefused("a transfer needs two different folios")
    source, target = await folio_store.load_folios(uow.conn, prop, [cmd.folio_id, cmd.to_folio_id], lock=True)
    folio_moves.transfer(
        source, target, cmd.line_ids, Posting(business_date(prop, uow, cmd.business_date), uow.now())
    )
    await _save(uow, prop, source, target)
    return await _statement(uow, prop, source), await _statement(uow, prop, target)


async def handle_split_line(cmd: SplitLine, uow: PmsUnitOfWork) -> FolioStatement:
    """Split a line into parts (its taxes shared in proportion); answers the folio."""
    prop = await folio_store.property_ref(uow.conn, cmd.property_code)
    folio = await folio_store.load_folio(uow.conn, prop, cmd.folio_id, lock=True)
    when = Posting(business_date(prop, uow, cmd.business_date), uow.now())
    folio_moves.split(folio, cmd.line_id, cmd.parts, cmd.into, when)
    await _save(uow, prop, folio)
    return await _statement(uow, prop, folio)


async def handle_route_charges(cmd: RouteCharges, uow: PmsUnitOfWork) -> FolioStatement:
    """Give a folio a routing instruction (after its others); answers the folio with its instructions."""
    prop = await folio_store.property_ref(uow.conn, cmd.property_code)
    book = await folio_books.code_book(uow.conn, prop)
    for code in sorted(cmd.transaction_codes):
        _code(book, code, CodeKind.CHARGE)
    if cmd.folio_id == cmd.to_folio_id:
        raise FolioRefused("a folio cannot route charges to itself")
    source, target = await folio_store.load_folios(uow.conn, prop, [cmd.folio_id, cmd.to_folio_id], lock=True)
    source.ensure_open()
    target.ensure_open()
    instruction = RoutingInstruction(
        id=uuid4(), source_folio_id=source.id, target_folio_id=target.id,
        transaction_codes=cmd.transaction_codes, departments=cmd.departments,
    )  # fmt: skip
    await folio_books.add_instruction(uow.conn, instruction, uow.now())
    return await _statement(uow, prop, source)


async def handle_close_folio(cmd: CloseFolio, uow: PmsUnitOfWork) -> FolioStatement:
    """Close a folio at zero balance with the property's next invoice number (gapless)."""
    prop = await folio_store.property_ref(uow.conn, cmd.property_code)
    folio = await folio_store.load_folio(uow.conn, prop, cmd.folio_id, lock=True)
    folio.ensure_closable()  # before a number is taken: a refused close leaves no trace
    folio.close(await folio_store.next_invoice_number(uow.conn, prop), uow.now())
    day = business_date(prop, uow)
    await folio_store.save_closed(uow.conn, folio, day)
    assert folio.closed_at is not None
    uow.collect(
        FOLIO_CLOSED_V1,
        FolioClosed(
            **dict(folio.header), invoice_number=folio.invoice_number, closed_at=folio.closed_at,
            business_date=day, lines=tuple(folio.lines), totals=line_totals(folio.lines),
        ),
    )  # fmt: skip
    return await _statement(uow, prop, folio)


async def attach_stay(uow: PmsUnitOfWork, property_code: str, booking_id: UUID, stay_id: UUID) -> int:
    """At check-in: the booking's open guest folios name its stay (their deposits leave the advance
    deposit ledger for the guest ledger); how many folios. Lines are untouched."""
    prop = await folio_store.property_ref(uow.conn, property_code)
    return await folio_store.attach_stay(uow.conn, prop, booking_id, stay_id)


async def stay_folio(uow: PmsUnitOfWork, prop: PropertyRef, booking_id: UUID, stay_id: UUID) -> None:
    """At check-in: the booking's open guest folios name the stay; one is opened if it has none.

    The caller passes the property and holds the booking, both read in this transaction.
    """
    if await folio_store.attach_stay(uow.conn, prop, booking_id, stay_id):
        return
    cmd = OpenFolio(property_code=prop.code, kind=FolioKind.GUEST, booking_id=booking_id, stay_id=stay_id)
    await _open(uow, prop, cmd, booking_known=True)


async def _statement(uow: PmsUnitOfWork, prop: PropertyRef, folio: Folio) -> FolioStatement:
    return statement(folio, await folio_books.instructions(uow.conn, folio.id))


async def apply_folio_codes(uow: PmsUnitOfWork, book: FolioCodeBook) -> bool:
    """Make a property's transaction codes those of the configuration; whether they changed.

    Lines keep the department and GL account they were posted with: a changed code applies to
    what is posted after it.
    """
    prop = await folio_store.property_ref(uow.conn, book.property_code)
    if prop.currency != book.currency:
        raise FolioRefused(f"property {prop.code!r} prices in {prop.currency}, the codes in {book.currency}")
    return await folio_books.store_code_book(uow.conn, prop, book, uow.now())
