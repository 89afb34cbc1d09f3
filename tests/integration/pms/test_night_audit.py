"""The night audit on SQLite and PostgreSQL: room and tax charges for every in-house stay, no-shows
with their fee, the frozen day, the business date moved on, a second close answering the first."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from folio_builders import a_code_book
from pms_builders import ARRIVAL, HOTEL, a_direct_booking, a_property
from pms_driver import PmsDriver
from sqlalchemy import func, select, update
from stay_driver import StayDriver

from canonical.booking import BookingStatus
from canonical.folio import FolioKind, FolioStatement, OpenFolio, PostCharge
from canonical.folio_codes import CodeKind
from canonical.night_audit import AuditSettings, CloseDay, NoShowFee
from canonical.revenue import REVENUE_DAY_CLOSED_V1, DayClosed, Ledger
from canonical.stay import CheckIn
from pms_core import folio_handlers, folio_queries
from pms_core.adapters.folio_store import BusinessDayClosed
from pms_core.adapters.folio_tables import folio_lines, folios
from pms_core.adapters.tables import booking_nights, bookings, properties
from pms_core.audit_settings import apply_audit_settings
from pms_core.day_closes import closed_day, closed_days
from pms_core.night_audit import CloseOutcome, DayNotOpen, LedgersDisagree, handle_close_day
from pms_core.stay_handlers import handle_check_in
from pms_core.unit_of_work import PmsUnitOfWork

D0, D1, D2 = (ARRIVAL + timedelta(days=offset) for offset in range(3))
AT = datetime(2031, 6, 2, 1, 0, tzinfo=UTC)


class Audit(StayDriver):
    """The front desk plus the night audit and folio reads, one transaction per call."""

    async def close(self, day: Any = None) -> CloseOutcome:
        return await self.run(handle_close_day, CloseDay(property_code=HOTEL, business_date=day))

    async def check_in(self, room: str, nights: int = 2) -> None:
        booking = await self.pms.book(a_direct_booking("DBL", nights=nights))
        await self.run(handle_check_in, CheckIn(property_code=HOTEL, booking_id=booking.id, room=room))

    async def folios(self) -> list[FolioStatement]:
        async with self.engine.connect() as conn:
            return await folio_queries.folio_statements(conn, HOTEL)

    async def current_date(self) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(select(properties.c.business_date))).scalar_one()

    async def stored(self, day: Any) -> DayClosed | None:
        async with self.engine.connect() as conn:
            return await closed_day(conn, HOTEL, day)

    async def line_count(self) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(folio_lines))).scalar_one())


@pytest.fixture
async def audit(pms: PmsDriver) -> Audit:
    """HOTEL1 (DBL 101-103 at 120.00, SGL 201) with the builders' codes (ROOM: VAT 10 % inclusive, city
    tax 1.50 a person-night on top), BAR's no-show fee one night, on business date ARRIVAL."""
    await pms.define(a_property())
    driver = Audit(pms)
    await driver.business_date(D0)
    settings = AuditSettings(property_code=HOTEL, no_show_fees={"BAR": NoShowFee(nights=1)})

    async def configure(_: None, uow: PmsUnitOfWork) -> None:
        await folio_handlers.apply_folio_codes(uow, a_code_book())
        await apply_audit_settings(uow.conn, settings, AT)

    await driver.run(configure, None)
    return driver


async def test_given_two_stays_in_house_when_the_day_is_closed_then_each_folio_bears_its_night_and_the_day_is_frozen(
    audit: Audit,
) -> None:
    await audit.check_in("101")
    await audit.check_in("102")
    audit.forget_events()

    outcome = await audit.close()

    assert outcome.closed_now and outcome.charges_posted == 2
    for folio in await audit.folios():
        lines = [
            (line.code_kind, line.transaction_code, line.amount, line.business_date) for line in folio.lines
        ]
        assert lines == [
            (CodeKind.CHARGE, "ROOM", Decimal("109.09"), D0),
            (CodeKind.TAX, "VAT10", Decimal("10.91"), D0),
            (CodeKind.TAX, "CITYTAX", Decimal("3.00"), D0),
        ]
        assert folio.balance == Decimal("123.00")
    day = outcome.day
    async with audit.engine.connect() as conn:
        totals = (await folio_queries.business_day_totals(conn, HOTEL, D0)).totals
    assert (
        {line.department: line.amount for line in day.revenue}
        == totals.by_department
        == {"ROOMS": Decimal("218.18")}
    )
    assert {line.tax_code: line.amount for line in day.taxes} == totals.by_tax_code
    assert day.payments == ()
    assert (day.statistics.rooms_available, day.statistics.rooms_sold) == (4, 2)
    assert (day.statistics.occupancy, day.statistics.adr, day.statistics.revpar) == (
        Decimal("0.5000"), Decimal("109.09"), Decimal("54.55"),
    )  # fmt: skip
    guest = next(entry for entry in day.ledgers if entry.ledger is Ledger.GUEST)
    assert (guest.debits, guest.credits, guest.closing) == (Decimal("246.00"), Decimal(0), Decimal("246.00"))
    assert await audit.current_date() == D1
    assert await audit.stored(D0) == day
    assert audit.routing_keys().count(REVENUE_DAY_CLOSED_V1) == 1


async def test_given_a_closed_day_when_closed_again_then_the_same_day_is_answered_and_nothing_is_charged_twice(
    audit: Audit,
) -> None:
    await audit.check_in("101")
    first = await audit.close()
    lines = await audit.line_count()
    audit.forget_events()

    again = await audit.close(D0)

    assert not again.closed_now and again.day == first.day
    assert await audit.line_count() == lines
    assert audit.routing_keys() == []
    assert await audit.current_date() == D1


async def test_given_a_closed_day_when_a_charge_is_posted_even_for_that_day_then_it_lands_on_the_next(
    audit: Audit,
) -> None:
    await audit.check_in("101")
    closed = (await audit.close()).day
    [folio] = await audit.folios()

    for asked in (None, D0):
        cmd = PostCharge(property_code=HOTEL, folio_id=folio.folio_id, transaction_code="MINIBAR",
                         unit_amount=Decimal("8.00"), business_date=asked)  # fmt: skip
        posted = await audit.run(folio_handlers.handle_post_charge, cmd)

    assert [line.business_date for line in posted.lines if line.transaction_code == "MINIBAR"] == [D1, D1]
    assert await audit.stored(D0) == closed
    async with audit.engine.connect() as conn:
        assert (await folio_queries.business_day_totals(conn, HOTEL, D0)).totals.by_department == {
            "ROOMS": Decimal("109.09")
        }


async def test_given_an_arrival_not_checked_in_when_the_day_is_closed_then_a_no_show_with_its_fee(
    audit: Audit,
) -> None:
    booking = await audit.pms.book(a_direct_booking("DBL", nights=2))

    outcome = await audit.close()

    assert outcome.day.no_shows == 1 and outcome.no_show_fees == 1 and outcome.charges_posted == 0
    detail = await audit.pms.booking(booking.id)
    assert detail is not None and detail.status is BookingStatus.NO_SHOW
    [folio] = await audit.folios()
    assert folio.booking_id == booking.id
    [fee] = [line for line in folio.lines if line.code_kind is CodeKind.CHARGE]
    assert (fee.transaction_code, fee.amount, fee.business_date) == ("ROOM", Decimal("109.09"), D0)
    assert outcome.day.statistics.rooms_sold == 0 and outcome.day.statistics.adr == Decimal("0.00")


async def test_given_day_one_closed_when_day_two_is_closed_then_it_opens_with_day_ones_closing(
    audit: Audit,
) -> None:
    await audit.check_in("101", nights=3)
    first = (await audit.close()).day
    [folio] = await audit.folios()
    await audit.run(
        folio_handlers.handle_post_payment,
        folio_handlers.PostPayment(
            property_code=HOTEL, folio_id=folio.folio_id, method="CARD", amount=Decimal(50)
        ),
    )

    second = (await audit.close(D1)).day

    for before, after in zip(first.ledgers, second.ledgers, strict=True):
        assert after.ledger is before.ledger and after.opening == before.closing
        assert after.opening + after.debits + after.credits == after.closing
    guest = next(entry for entry in second.ledgers if entry.ledger is Ledger.GUEST)
    assert (guest.opening, guest.debits, guest.credits, guest.closing) == (
        Decimal("123.00"), Decimal("123.00"), Decimal("-50.00"), Decimal("196.00"),
    )  # fmt: skip
    assert [(p.method, p.amount) for p in second.payments] == [("CARD", Decimal("-50.00"))]
    assert await audit.current_date() == D2
    async with audit.engine.connect() as conn:
        assert await closed_days(conn, HOTEL, D0, D2) == [first, second]


async def test_given_a_folio_whose_balance_disagrees_when_closed_then_refused_naming_it_and_nothing_changes(
    audit: Audit,
) -> None:
    await audit.check_in("101")
    await audit.close()
    [folio] = await audit.folios()
    async with audit.engine.begin() as conn:  # a balance written behind the core's back
        await conn.execute(update(folios).values(balance_minor=folios.c.balance_minor + 1))
    lines = await audit.line_count()

    with pytest.raises(LedgersDisagree, match=str(folio.folio_id)) as refused:
        await audit.close()

    assert any("guest ledger" in problem for problem in refused.value.problems)
    assert await audit.current_date() == D1 and await audit.stored(D1) is None
    assert await audit.line_count() == lines


async def test_given_a_date_that_is_not_the_business_date_when_closed_then_refused(audit: Audit) -> None:
    with pytest.raises(DayNotOpen, match=str(D0)):
        await audit.close(D1)

    assert await audit.current_date() == D0 and await audit.stored(D1) is None


async def test_given_a_property_without_business_date_when_first_closed_then_only_today_or_yesterday(
    audit: Audit,
) -> None:
    async with audit.engine.begin() as conn:  # a new property: it follows its local today
        await conn.execute(update(properties).values(business_date=None))
        zone = (await conn.execute(select(properties.c.timezone))).scalar_one()
    today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()

    for typo in (today - timedelta(days=2), today + timedelta(days=1), date(2020, 1, 1)):
        with pytest.raises(DayNotOpen):
            await audit.close(typo)
    assert await audit.current_date() is None

    closed = await audit.close(today - timedelta(days=1))

    assert closed.closed_now and await audit.current_date() == today


async def test_given_a_close_in_progress_when_a_charge_is_posted_meanwhile_then_it_lands_on_the_next_day(
    audit: Audit,
) -> None:
    await audit.check_in("101")
    company = await audit.run(
        folio_handlers.handle_open_folio, OpenFolio(property_code=HOTEL, kind=FolioKind.COMPANY)
    )
    charge = PostCharge(property_code=HOTEL, folio_id=company.folio_id, transaction_code="FNB",
                        unit_amount=Decimal("30.00"))  # fmt: skip

    async def post() -> FolioStatement:
        try:
            return await audit.run(folio_handlers.handle_post_charge, charge)
        except BusinessDayClosed:  # PostgreSQL: it read D0, the close moved on before it wrote
            return await audit.run(folio_handlers.handle_post_charge, charge)

    async with audit.engine.begin() as conn:
        closing = await handle_close_day(CloseDay(property_code=HOTEL), PmsUnitOfWork(conn))
        posting = asyncio.create_task(post())
        await asyncio.sleep(0.3)  # the posting waits for the close: its write lock, or BEGIN IMMEDIATE
        assert not posting.done()
    posted = await posting

    assert [line.business_date for line in posted.lines] == [D1, D1]
    assert await audit.stored(D0) == closing.day
    async with audit.engine.connect() as conn:
        day_totals = (await folio_queries.business_day_totals(conn, HOTEL, D0)).totals.by_department
    assert (
        day_totals
        == {line.department: line.amount for line in closing.day.revenue}
        == {"ROOMS": Decimal("109.09")}
    )


async def test_given_a_night_without_price_when_closed_then_it_bears_its_share_of_the_bookings_total(
    audit: Audit,
) -> None:
    await audit.check_in("101")
    async with audit.engine.begin() as conn:  # a channel that sent a total and no nightly prices
        await conn.execute(update(booking_nights).values(amount=None))
        await conn.execute(update(bookings).values(total_amount=Decimal("250.01")))

    await audit.close()

    [folio] = await audit.folios()
    room = [line.amount for line in folio.lines if line.transaction_code in ("ROOM", "VAT10")]
    assert sum(room) == Decimal("125.01")  # 250.01 over two nights: the first takes the odd cent
