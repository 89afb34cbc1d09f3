"""Rates and restrictions in the PMS core: patches, events of what changed, derived plans, cost."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from ari_builders import FIRST, a_patch, set_ari, with_derived_plans
from pms_builders import HOTEL
from pms_driver import PmsDriver, counting_statements
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.ari import AriKind, RateCell, SetAri, Weekday
from pms_core.ari import handle_set_ari, rate_cells
from pms_core.errors import AriRefused, RatePlanNotSold, UnknownRatePlan, UnknownRoomType
from pms_core.unit_of_work import PmsUnitOfWork

RATES = frozenset({AriKind.RATES})
RESTRICTIONS = frozenset({AriKind.RESTRICTIONS})


@pytest.fixture
async def hotel(pms: PmsDriver) -> PmsDriver:
    """DBL and SGL on BAR (120 / 90), NREF and PROMO derived from BAR."""
    await pms.define(with_derived_plans())
    return pms


async def _cells(
    engine: AsyncEngine, first: date, last: date, **filters: object
) -> dict[tuple[str, str, date], RateCell]:
    async with engine.connect() as conn:
        cells = await rate_cells(conn, HOTEL, first, last, **filters)  # type: ignore[arg-type]
    return {(cell.room_type, cell.rate_plan, cell.night): cell for cell in cells}


async def test_given_no_rates_set_when_cells_are_read_then_the_default_rate_is_the_amount(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    cells = await _cells(engine, FIRST, FIRST + timedelta(days=1), rate_plans=["BAR"])

    assert {key: cell.rates.amount for key, cell in cells.items()} == {
        ("DBL", "BAR", FIRST): Decimal("120.00"),
        ("DBL", "BAR", FIRST + timedelta(days=1)): Decimal("120.00"),
        ("SGL", "BAR", FIRST): Decimal("90.00"),
        ("SGL", "BAR", FIRST + timedelta(days=1)): Decimal("90.00"),
    }


async def test_given_a_weekday_mask_when_a_patch_is_applied_then_only_those_nights_change_each_its_own_event(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    last = FIRST + timedelta(days=13)
    outcome = await set_ari(
        engine, a_patch(FIRST, last, weekdays={Weekday.MON, Weekday.FRI}, rates={"amount": "150"})
    )

    cells = await _cells(engine, FIRST, last, room_types=["DBL"], rate_plans=["BAR"])
    changed = sorted(night for (_, _, night), cell in cells.items() if cell.rates.amount == Decimal(150))
    assert [night.weekday() for night in changed] == [Weekday.FRI, Weekday.MON, Weekday.FRI, Weekday.MON]
    assert all(cell.rates.amount == Decimal(120) for (_, _, n), cell in cells.items() if n not in changed)
    bar = [e for e in outcome.events if e.rate_plan == "BAR"]
    assert [(e.first_night, e.last_night, e.kinds) for e in bar] == [(n, n, RATES) for n in changed]
    assert (outcome.cells, outcome.nights) == (4, 4)


async def test_given_a_whole_year_in_one_call_when_applied_then_one_event_per_plan_and_every_night_set(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    last = FIRST + timedelta(days=364)
    outcome = await set_ari(
        engine, a_patch(FIRST, last, rates={"amount": "130"}, restrictions={"min_los": 2, "closed": True})
    )

    both = RATES | RESTRICTIONS
    assert [(e.rate_plan, e.first_night, e.last_night, e.kinds) for e in outcome.events] == [
        ("BAR", FIRST, last, both),
        ("NREF", FIRST, last, both),  # follows closed and min_los, and always the rates
        ("PROMO", FIRST, last, both),
    ]
    cells = await _cells(engine, FIRST, last, room_types=["DBL"], rate_plans=["BAR"])
    assert len(cells) == 365
    assert {(c.rates.amount, c.restrictions.min_los, c.restrictions.closed) for c in cells.values()} == {
        (Decimal(130), 2, True)
    }


async def test_given_values_already_set_when_the_same_patch_comes_again_then_nothing_changes_and_no_event(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    patch = a_patch(
        FIRST, FIRST + timedelta(days=9), rates={"amount": "99.50"}, restrictions={"closed": True}
    )
    await set_ari(engine, patch)

    again = await set_ari(engine, patch)
    set_back = await set_ari(
        engine, patch.model_copy(update={"rates": None}), a_patch(rates={"amount": "99.5"})
    )

    assert (again.cells, again.events) == (0, ())
    assert (set_back.cells, set_back.events) == (0, ())


async def test_given_a_value_changed_then_set_back_in_one_call_when_applied_then_no_event(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    await set_ari(engine, a_patch(rates={"amount": "150"}))

    outcome = await set_ari(engine, a_patch(rates={"amount": "200"}), a_patch(rates={"amount": "150"}))

    assert (outcome.cells, outcome.events) == (0, ())


async def test_given_patches_in_order_when_ranges_overlap_then_the_later_wins_and_runs_follow_the_kinds(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    d = [FIRST + timedelta(days=offset) for offset in range(6)]
    outcome = await set_ari(
        engine,
        a_patch(d[0], d[3], rates={"amount": "140"}),
        a_patch(d[2], d[5], rates={"amount": "160"}, restrictions={"closed_to_arrival": True}),
    )

    bar = [(e.first_night, e.last_night, e.kinds) for e in outcome.events if e.rate_plan == "BAR"]
    assert bar == [(d[0], d[1], RATES), (d[2], d[5], RATES | RESTRICTIONS)]
    cells = await _cells(engine, d[0], d[5], room_types=["DBL"], rate_plans=["BAR"])
    assert [cells[("DBL", "BAR", n)].rates.amount for n in d] == [140, 140, 160, 160, 160, 160]


async def test_given_a_patch_without_rate_plan_when_applied_then_every_plan_selling_the_type_gets_its_own_fields(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    outcome = await set_ari(
        engine, a_patch(rate_plan=None, room_type="SGL", restrictions={"closed_to_departure": True})
    )

    cells = await _cells(engine, FIRST, FIRST, room_types=["SGL"])
    assert {plan: cell.restrictions.closed_to_departure for (_, plan, _), cell in cells.items()} == {
        "BAR": True,
        "NREF": True,  # does not follow closed_to_departure: set on its own
    }
    assert sorted(e.rate_plan or "" for e in outcome.events) == ["BAR", "NREF"]


async def test_given_unknown_codes_when_a_patch_names_them_then_refused_by_name_and_nothing_is_written(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    good = a_patch(rates={"amount": "111"})
    with pytest.raises(UnknownRoomType, match="'SUITE'"):
        await set_ari(engine, good, a_patch(room_type="SUITE", rates={"amount": "1"}))
    with pytest.raises(UnknownRatePlan, match="'CORP'"):
        await set_ari(engine, good, a_patch(rate_plan="CORP", rates={"amount": "1"}))
    with pytest.raises(RatePlanNotSold, match=r"'PROMO'.*'SGL'"):
        await set_ari(
            engine, good, a_patch(room_type="SGL", rate_plan="PROMO", restrictions={"closed": True})
        )

    cells = await _cells(engine, FIRST, FIRST, room_types=["DBL"], rate_plans=["BAR"])
    assert cells[("DBL", "BAR", FIRST)].rates.amount == Decimal(120)


async def test_given_a_derived_plan_when_a_patch_sets_what_it_takes_from_its_parent_then_refused(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    with pytest.raises(AriRefused, match="'NREF' takes amount from its parent 'BAR'"):
        await set_ari(engine, a_patch(rate_plan="NREF", rates={"amount": "1"}))
    with pytest.raises(AriRefused, match="closed"):
        await set_ari(engine, a_patch(rate_plan="NREF", restrictions={"closed": True}))


async def test_given_derived_plans_when_the_parent_changes_then_they_follow_with_their_adjustment(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    outcome = await set_ari(
        engine,
        a_patch(
            rates={"amount": "99.99", "by_occupancy": ((1, "80.05"), (2, "99.99")), "extra_adult": "20"},
            restrictions={"closed": True, "max_los": 7, "same_day_cutoff": time(18, 0)},
        ),
        a_patch(rate_plan="NREF", restrictions={"closed_to_arrival": True, "max_los": 3}),
    )

    cells = await _cells(engine, FIRST, FIRST, room_types=["DBL"])
    nref, promo = cells[("DBL", "NREF", FIRST)], cells[("DBL", "PROMO", FIRST)]
    # -10 %: 89.991 -> 89.99, 72.045 -> 72.05 (half up, to the cent), extras too
    assert (nref.rates.amount, nref.rates.by_occupancy, nref.rates.extra_adult) == (
        Decimal("89.99"),
        ((1, Decimal("72.05")), (2, Decimal("89.99"))),
        Decimal("18.00"),
    )
    # follows closed and min_los only; its own max_los and CTA stay
    assert (nref.restrictions.closed, nref.restrictions.max_los, nref.restrictions.closed_to_arrival) == (
        True,
        3,
        True,
    )
    # -15 on the nightly and occupancy amounts, not on the extras; every restriction followed
    assert (promo.rates.amount, promo.rates.extra_adult) == (Decimal("84.99"), Decimal("20.00"))
    assert promo.restrictions == cells[("DBL", "BAR", FIRST)].restrictions
    assert {e.rate_plan: e.kinds for e in outcome.events} == {
        "BAR": RATES | RESTRICTIONS,
        "NREF": RATES | RESTRICTIONS,
        "PROMO": RATES | RESTRICTIONS,
    }


async def test_given_a_parent_restriction_the_derived_plan_does_not_follow_when_changed_then_no_event_for_it(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    outcome = await set_ari(engine, a_patch(restrictions={"max_los": 5}))

    assert sorted(e.rate_plan or "" for e in outcome.events) == ["BAR", "PROMO"]


async def test_given_a_field_set_when_cleared_then_the_default_applies_again(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    await set_ari(engine, a_patch(rates={"amount": "175"}, restrictions={"min_los": 3}))

    outcome = await set_ari(engine, a_patch(clear={"amount", "min_los"}))

    cell = (await _cells(engine, FIRST, FIRST, room_types=["DBL"], rate_plans=["BAR"]))[("DBL", "BAR", FIRST)]
    assert (cell.rates.amount, cell.restrictions.min_los) == (Decimal(120), None)
    assert outcome.cells == 1


async def test_given_a_year_or_a_month_when_patched_then_the_same_number_of_statements(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    def year_patch(first: date, days: int) -> object:
        return a_patch(
            first, first + timedelta(days=days - 1), rates={"amount": "133"}, restrictions={"min_los": 2}
        )

    counts = []
    for first, days in ((FIRST, 30), (FIRST + timedelta(days=400), 365)):
        with counting_statements(engine) as statements:
            outcome = await set_ari(engine, year_patch(first, days))  # type: ignore[arg-type]
        assert outcome.cells == days
        counts.append(len(statements))

    assert counts[0] == counts[1]
    assert counts[1] <= 12


async def _until_one_waits(engine: AsyncEngine) -> None:
    """Return once some transaction waits for a lock another holds (fail after 10 s)."""
    async with engine.connect() as conn:
        for _ in range(1000):
            waiting = await conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            if waiting:
                return
            await conn.rollback()
            await asyncio.sleep(0.01)
    raise AssertionError("the second writer never waited")


async def test_given_two_writers_on_one_night_when_they_overlap_then_neither_change_is_lost(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's BEGIN IMMEDIATE serialises every writer")
    async with engine.connect() as conn:
        first = await conn.begin()
        await handle_set_ari(
            SetAri(property=HOTEL, patches=(a_patch(rates={"amount": "140"}),)), PmsUnitOfWork(conn)
        )
        second = asyncio.create_task(set_ari(engine, a_patch(rates={"extra_adult": "25"})))
        await _until_one_waits(engine)
        await first.commit()
    await second

    cell = (await _cells(engine, FIRST, FIRST, room_types=["DBL"], rate_plans=["BAR"]))[("DBL", "BAR", FIRST)]
    assert (cell.rates.amount, cell.rates.extra_adult) == (Decimal(140), Decimal(25))


async def test_given_more_nights_than_one_request_holds_when_set_then_refused_before_anything_is_read(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    three_years = a_patch(FIRST, FIRST + timedelta(days=3 * 366 - 1), rates={"amount": "1"})

    with counting_statements(engine) as statements, pytest.raises(AriRefused, match="at most 1000000"):
        await set_ari(engine, *([three_years] * 1000))

    assert statements == []
