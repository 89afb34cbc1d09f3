"""Folios on SQLite and PostgreSQL: routed charges, reversals, gapless invoice numbers under
concurrent closes, a closed folio that refuses every change, the night audit's sums."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar
from uuid import UUID, uuid4

import pytest
from folio_builders import a_code_book
from pms_builders import HOTEL, a_direct_booking, a_property
from pms_driver import PmsDriver
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.folio import (
    FOLIO_CLOSED_V1,
    FOLIO_LINE_POSTED_V1,
    CloseFolio,
    FolioClosed,
    FolioKind,
    FolioStatement,
    LineKind,
    OpenFolio,
    PostCharge,
    PostPayment,
    ReverseLine,
    RouteCharges,
    TransferLines,
)
from pms_core import folio_handlers as handlers
from pms_core import folio_queries
from pms_core.adapters.folio_tables import folio_lines
from pms_core.folio_errors import FolioIsClosed, FolioNotBalanced, LineNotOpen
from pms_core.unit_of_work import PmsUnitOfWork

T = TypeVar("T")
DAY = date(2031, 6, 1)


class Folios:
    """Runs each folio use case in its own transaction, as the API does, and keeps its events."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.events: list[tuple[str, BaseModel]] = []

    async def run(self, use_case: Callable[[PmsUnitOfWork], Awaitable[T]]) -> T:
        async with self.engine.begin() as conn:
            uow = PmsUnitOfWork(conn)
            result = await use_case(uow)
        self.events += uow.events
        return result

    async def open(
        self, kind: FolioKind = FolioKind.COMPANY, booking_id: UUID | None = None
    ) -> FolioStatement:
        cmd = OpenFolio(property_code=HOTEL, kind=kind, booking_id=booking_id, name=f"{kind.value} folio")
        return await self.run(lambda uow: handlers.handle_open_folio(cmd, uow))

    async def charge(self, code: str, amount: str, *, folio: UUID | None = None, booking: UUID | None = None,
                     persons: int = 1) -> FolioStatement:  # fmt: skip
        cmd = PostCharge(property_code=HOTEL, folio_id=folio, booking_id=booking, transaction_code=code,
                         unit_amount=Decimal(amount), persons=persons, business_date=DAY)  # fmt: skip
        return await self.run(lambda uow: handlers.handle_post_charge(cmd, uow))

    async def pay(self, folio: UUID, amount: Decimal | str, method: str = "CARD") -> FolioStatement:
        cmd = PostPayment(property_code=HOTEL, folio_id=folio, method=method, amount=Decimal(amount),
                          business_date=DAY)  # fmt: skip
        return await self.run(lambda uow: handlers.handle_post_payment(cmd, uow))

    async def close(self, folio: UUID) -> FolioStatement:
        cmd = CloseFolio(property_code=HOTEL, folio_id=folio)
        return await self.run(lambda uow: handlers.handle_close_folio(cmd, uow))

    async def statement(self, folio: UUID) -> FolioStatement:
        async with self.engine.connect() as conn:
            return await folio_queries.folio_statement(conn, HOTEL, folio)


@pytest.fixture
async def books(pms: PmsDriver, engine: AsyncEngine) -> Folios:
    """A property with the builders' transaction codes."""
    await pms.define(a_property())
    driver = Folios(engine)
    await driver.run(lambda uow: handlers.apply_folio_codes(uow, a_code_book()))
    return driver


async def _settled_folio(books: Folios, amount: str = "20.00") -> UUID:
    folio = (await books.open()).folio_id
    await books.charge("MINIBAR", amount, folio=folio)
    await books.pay(folio, amount)
    return folio


async def test_given_room_routed_to_the_company_when_the_audit_charges_the_booking_then_extras_stay_with_the_guest(
    books: Folios, pms: PmsDriver
) -> None:
    booking = (await pms.book(a_direct_booking())).id
    guest = await books.charge("FNB", "10.00", booking=booking)  # opens the booking's guest folio
    company = await books.open(FolioKind.COMPANY)
    route = RouteCharges(property_code=HOTEL, folio_id=guest.folio_id, to_folio_id=company.folio_id,
                         transaction_codes=frozenset({"ROOM"}))  # fmt: skip
    await books.run(lambda uow: handlers.handle_route_charges(route, uow))

    landed = await books.charge("ROOM", "110.00", booking=booking, persons=2)

    assert landed.folio_id == company.folio_id
    assert [(line.transaction_code, line.amount) for line in landed.lines] == [
        ("ROOM", Decimal("100.00")), ("VAT10", Decimal("10.00")), ("CITYTAX", Decimal("3.00")),
    ]  # fmt: skip
    guest_now = await books.statement(guest.folio_id)
    assert guest_now.kind is FolioKind.GUEST and guest_now.booking_id == booking
    assert (guest_now.balance, guest_now.totals.by_department) == (
        Decimal("10.70"),
        {"FNB": Decimal("10.00")},
    )
    assert [key for key, _ in books.events].count(FOLIO_LINE_POSTED_V1) == 2


async def test_given_a_charge_when_reversed_then_its_taxes_go_too_and_a_second_reversal_is_refused(
    books: Folios, engine: AsyncEngine
) -> None:
    folio = (await books.open(FolioKind.GUEST, (await _booking(books)).id)).folio_id
    room = (await books.charge("ROOM", "110.00", folio=folio, persons=2)).lines[0]
    reverse = ReverseLine(property_code=HOTEL, folio_id=folio, line_id=room.id, reason="wrong room")

    after = await books.run(lambda uow: handlers.handle_reverse_line(reverse, uow))

    reversals = [line for line in after.lines if line.kind is LineKind.REVERSAL]
    assert [line.amount for line in reversals] == [Decimal("-100.00"), Decimal("-10.00"), Decimal("-3.00")]
    assert after.balance == 0 and after.totals.by_department == {}
    with pytest.raises(LineNotOpen, match="reversed, moved or split already"):
        await books.run(lambda uow: handlers.handle_reverse_line(reverse, uow))
    async with engine.connect() as conn:
        stored = await conn.execute(
            select(func.count()).select_from(folio_lines).where(folio_lines.c.folio_id == folio)
        )
    assert stored.scalar_one() == 6


async def _booking(books: Folios):  # type: ignore[no-untyped-def]
    return await PmsDriver(books.engine).book(a_direct_booking())


async def test_given_two_folios_at_zero_when_closed_at_the_same_time_then_they_take_consecutive_numbers(
    books: Folios,
) -> None:
    first_batch = [await _settled_folio(books) for _ in range(4)]

    closed = await asyncio.gather(*(books.close(folio) for folio in first_batch))

    assert sorted(statement.invoice_number or 0 for statement in closed) == [1, 2, 3, 4]
    later = await books.close(await _settled_folio(books))
    assert later.invoice_number == 5
    events = [payload for key, payload in books.events if key == FOLIO_CLOSED_V1]
    assert sorted(e.invoice_number for e in events if isinstance(e, FolioClosed)) == [1, 2, 3, 4, 5]


async def test_given_a_folio_with_a_balance_when_closed_then_refused_and_no_number_is_used(
    books: Folios,
) -> None:
    owing = (await books.open()).folio_id
    await books.charge("MINIBAR", "5.00", folio=owing)

    with pytest.raises(FolioNotBalanced, match=r"5\.00 EUR"):
        await books.close(owing)

    assert (await books.close(await _settled_folio(books))).invoice_number == 1


async def test_given_a_closed_folio_when_anything_is_asked_of_it_then_refused_and_it_never_changes(
    books: Folios,
) -> None:
    closed = await _settled_folio(books)
    await books.close(closed)
    before = await books.statement(closed)
    other = (await books.open()).folio_id
    await books.charge("MINIBAR", "7.00", folio=other)
    moved = (await books.statement(other)).lines[0].id
    attempts: list[Callable[[PmsUnitOfWork], Awaitable[object]]] = [
        lambda uow: handlers.handle_post_charge(
            PostCharge(property_code=HOTEL, folio_id=closed, transaction_code="MINIBAR", unit_amount=Decimal(1)), uow
        ),
        lambda uow: handlers.handle_post_payment(
            PostPayment(property_code=HOTEL, folio_id=closed, method="CASH", amount=Decimal(1)), uow
        ),
        lambda uow: handlers.handle_reverse_line(
            ReverseLine(property_code=HOTEL, folio_id=closed, line_id=before.lines[0].id, reason="late"), uow
        ),
        lambda uow: handlers.handle_transfer_lines(
            TransferLines(property_code=HOTEL, folio_id=other, line_ids=(moved,), to_folio_id=closed), uow
        ),
        lambda uow: handlers.handle_close_folio(CloseFolio(property_code=HOTEL, folio_id=closed), uow),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(FolioIsClosed):
            await books.run(attempt)

    assert await books.statement(closed) == before
    assert (await books.statement(other)).balance == Decimal("7.00")


async def test_given_many_charges_at_once_on_one_folio_when_posted_then_every_line_counts_once(
    books: Folios,
) -> None:
    folio = (await books.open()).folio_id

    await asyncio.gather(*(books.charge("MINIBAR", f"{n}.00", folio=folio) for n in range(1, 9)))

    after = await books.statement(folio)
    assert after.balance == Decimal(36)
    assert sorted(line.seq for line in after.lines) == list(range(1, 9))
    async with books.engine.connect() as conn:
        assert await folio_queries.balance_mismatches(conn, HOTEL) == []


async def test_given_a_business_day_when_summed_then_revenue_by_department_tax_and_method_and_the_ledgers(
    books: Folios,
) -> None:
    guest = (await books.open(FolioKind.GUEST, (await _booking(books)).id)).folio_id
    company = (await books.open(FolioKind.COMPANY)).folio_id
    room = (await books.charge("ROOM", "110.00", folio=guest, persons=2)).lines[0]
    await books.charge("FNB", "20.00", folio=guest)
    await books.pay(guest, "50.00", method="DEPOSIT")
    move = TransferLines(
        property_code=HOTEL, folio_id=guest, line_ids=(room.id,), to_folio_id=company, business_date=DAY
    )
    await books.run(lambda uow: handlers.handle_transfer_lines(move, uow))

    async with books.engine.connect() as conn:
        day = await folio_queries.business_day_totals(conn, HOTEL, DAY)
        ledgers = await folio_queries.ledger_balances(conn, HOTEL)

    assert day.totals.by_department == {"FNB": Decimal("20.00"), "ROOMS": Decimal("100.00")}
    assert day.totals.by_tax_code == {
        "CITYTAX": Decimal("3.00"),
        "VAT10": Decimal("10.00"),
        "VAT7": Decimal("1.40"),
    }
    assert day.totals.by_payment_method == {"DEPOSIT": Decimal("-50.00")}
    assert (ledgers.guest_ledger, ledgers.city_ledger, ledgers.advance_deposits) == (
        Decimal("-28.60"), Decimal("113.00"), Decimal("50.00"),
    )  # fmt: skip


async def test_given_a_deposit_before_arrival_when_the_stay_starts_then_it_leaves_the_advance_deposits(
    books: Folios,
) -> None:
    booking = (await _booking(books)).id
    guest = (await books.open(FolioKind.GUEST, booking)).folio_id
    await books.pay(guest, "50.00", method="DEPOSIT")
    stay = uuid4()

    async with books.engine.connect() as conn:
        before = await folio_queries.ledger_balances(conn, HOTEL)
    attached = await books.run(lambda uow: handlers.attach_stay(uow, HOTEL, booking, stay))
    async with books.engine.connect() as conn:
        after = await folio_queries.ledger_balances(conn, HOTEL)

    assert (before.advance_deposits, before.guest_ledger) == (Decimal("50.00"), Decimal("-50.00"))
    assert attached == 1 and (await books.statement(guest)).stay_id == stay
    assert (after.advance_deposits, after.guest_ledger) == (Decimal("0.00"), Decimal("-50.00"))


async def test_given_two_folios_when_lines_cross_between_them_at_once_then_both_transfers_land(
    books: Folios,
) -> None:
    first, second = (await books.open()).folio_id, (await books.open()).folio_id
    one = (await books.charge("MINIBAR", "3.00", folio=first)).lines[0].id
    two = (await books.charge("MINIBAR", "4.00", folio=second)).lines[0].id
    there = TransferLines(property_code=HOTEL, folio_id=first, line_ids=(one,), to_folio_id=second)
    back = TransferLines(property_code=HOTEL, folio_id=second, line_ids=(two,), to_folio_id=first)

    # both folios locked by each transfer, in one order: neither waits for the other for ever
    await asyncio.gather(
        *(books.run(lambda uow, cmd=cmd: handlers.handle_transfer_lines(cmd, uow)) for cmd in (there, back))
    )

    assert ((await books.statement(first)).balance, (await books.statement(second)).balance) == (
        Decimal("4.00"), Decimal("3.00"),
    )  # fmt: skip
