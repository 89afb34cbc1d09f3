"""Cells read by key (the ARI senders' read) and SetAri on scattered nights (read by key too)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from ari_builders import FIRST, a_patch, set_ari, with_derived_plans
from pms_builders import HOTEL
from pms_driver import PmsDriver
from sqlalchemy.ext.asyncio import AsyncEngine

from pms_core.ari import rate_cells
from pms_core.ari_values import rate_cells_at

FAR = FIRST + timedelta(days=300)


@pytest.fixture
async def hotel(pms: PmsDriver) -> PmsDriver:
    """DBL and SGL on BAR (120 / 90), NREF and PROMO derived from BAR."""
    await pms.define(with_derived_plans())
    return pms


async def test_given_derived_plans_and_defaults_when_scattered_keys_are_read_then_the_cells_the_span_read_gives(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    await set_ari(
        engine,
        a_patch(FIRST, rates={"amount": "99.99", "extra_adult": "20"}, restrictions={"closed": True}),
        a_patch(FAR, rates={"by_occupancy": ((1, "80.05"), (2, "99.99"))}, restrictions={"min_los": 3}),
        a_patch(FAR, rate_plan="NREF", restrictions={"max_los": 5}),
    )
    keys = {
        (room_type, plan, night)
        for night in (FIRST, FIRST + timedelta(days=1), FAR)
        for room_type, plan in (("DBL", "BAR"), ("DBL", "NREF"), ("DBL", "PROMO"), ("SGL", "NREF"))
    }

    async with engine.connect() as conn:
        by_key = await rate_cells_at(conn, HOTEL, keys)
        spanned = await rate_cells(conn, HOTEL, FIRST, FAR)

    expected = [cell for cell in spanned if (cell.room_type, cell.rate_plan, cell.night) in keys]
    assert len(expected) == len(keys) == 12
    assert by_key == expected
    nref_far = next(c for c in by_key if (c.room_type, c.rate_plan, c.night) == ("DBL", "NREF", FAR))
    assert (nref_far.rates.by_occupancy, nref_far.restrictions.min_los) == (
        ((1, Decimal("72.05")), (2, Decimal("89.99"))),
        3,
    )


async def test_given_keys_of_unknown_or_unsold_codes_when_read_then_they_have_no_cell(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    keys = {("DBL", "BAR", FIRST), ("SGL", "PROMO", FIRST), ("XXX", "BAR", FIRST), ("DBL", "NOPE", FIRST)}

    async with engine.connect() as conn:
        cells = await rate_cells_at(conn, HOTEL, keys)

    assert [(c.room_type, c.rate_plan, c.night, c.rates.amount) for c in cells] == [
        ("DBL", "BAR", FIRST, Decimal("120.00"))
    ]


async def test_given_stored_values_when_scattered_nights_are_patched_then_the_other_fields_stay(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    await set_ari(engine, a_patch(FIRST, FAR, rates={"extra_adult": "20"}, restrictions={"min_los": 2}))

    # two nights 300 days apart on one plan: read by key, not the span's 301 nights
    outcome = await set_ari(
        engine,
        a_patch(FIRST, rates={"amount": "101.00"}),
        a_patch(FAR, rates={"amount": "102.00"}),
        a_patch(FAR, rates={"amount": "102.00"}, room_type="SGL"),
    )

    async with engine.connect() as conn:
        cells = await rate_cells_at(
            conn, HOTEL, {("DBL", "BAR", FIRST), ("DBL", "BAR", FAR), ("SGL", "BAR", FAR)}
        )
    # the rows written back kept what was stored beside the amount
    assert [(c.night, c.rates.amount, c.rates.extra_adult, c.restrictions.min_los) for c in cells] == [
        (FIRST, Decimal("101.00"), Decimal("20.00"), 2),
        (FAR, Decimal("102.00"), Decimal("20.00"), 2),
        (FAR, Decimal("102.00"), None, None),  # SGL never had them
    ]
    assert outcome.cells == 3
    assert {(e.room_type, e.rate_plan, e.first_night) for e in outcome.events} >= {
        ("DBL", "BAR", FIRST),
        ("DBL", "BAR", FAR),
        ("SGL", "BAR", FAR),
        ("DBL", "NREF", FAR),
    }


async def test_given_keys_filling_their_span_when_read_then_the_cells_the_span_read_gives(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    last = FIRST + timedelta(days=9)
    await set_ari(engine, a_patch(FIRST, last, rates={"amount": "99.99"}, restrictions={"min_los": 2}))
    keys = {
        (room_type, plan, FIRST + timedelta(days=d))
        for d in range(10)
        for room_type, plan in (("DBL", "NREF"), ("SGL", "BAR"))
    }

    async with engine.connect() as conn:
        by_key = await rate_cells_at(conn, HOTEL, keys)  # read as the span: every key of it is asked
        spanned = await rate_cells(conn, HOTEL, FIRST, last, room_types=["DBL", "SGL"])

    assert by_key == [cell for cell in spanned if (cell.room_type, cell.rate_plan, cell.night) in keys]
    assert {c.rates.amount for c in by_key if c.room_type == "DBL"} == {Decimal("89.99")}
