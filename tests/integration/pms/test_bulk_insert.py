"""Many rows in one INSERT (unnest on PostgreSQL, executemany on SQLite): same rows, same limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import uuid4

import pytest
from pms_driver import counting_statements
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    Uuid,
    select,
)
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from pms_core.adapters.bulk import UnnestInsert
from pms_core.adapters.tables import UtcDateTime


@pytest.fixture
async def table(engine: AsyncEngine) -> AsyncIterator[Table]:
    """A table of every column kind the hub writes in bulk, of this test's own."""
    table = Table(
        f"bulk_{uuid4().hex[:8]}",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("ref", Uuid, nullable=False),
        Column("code", String(8), nullable=False),
        Column("note", Text, nullable=True),
        Column("night", Date, nullable=False),
        Column("amount", Numeric(12, 2), nullable=True),
        Column("count", Integer, nullable=False, default=7),
        Column("flag", Boolean, nullable=False, default=False),
        Column("doc", JSON, nullable=True),
        Column("at", UtcDateTime, nullable=False),
    )
    async with engine.begin() as conn:
        await conn.run_sync(table.create)
    try:
        yield table
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(table.drop)


def _row(code: str, **values: object) -> dict[str, object]:
    return {
        "ref": uuid4(),
        "code": code,
        "note": None,
        "night": date(2027, 3, 1),
        "amount": Decimal("119.50"),
        "doc": {"ages": [4, 9], "name": "Zoë"},
        "at": datetime(2027, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
        **values,
    }


async def test_given_rows_of_every_kind_when_inserted_at_once_then_read_back_as_written(
    engine: AsyncEngine, table: Table
) -> None:
    rows = [
        _row("A", note="line\nbreak 'quoted'", count=3, flag=True),
        _row("B", amount=None, doc=None),
        _row("C", doc=[1, "two", None], night=date(2028, 2, 29)),
    ]
    insert = UnnestInsert(table)

    with counting_statements(engine) as statements:
        async with engine.begin() as conn:
            await insert.execute(conn, rows)

    async with engine.connect() as conn:
        stored = (await conn.execute(select(table).order_by(table.c.code))).mappings().all()
    assert [{k: v for k, v in row.items() if k != "id"} for row in stored] == [
        {**rows[0], "at": datetime(2027, 1, 2, 1, 4, 5, tzinfo=UTC)},
        {**rows[1], "count": 7, "flag": False, "at": datetime(2027, 1, 2, 1, 4, 5, tzinfo=UTC)},
        {**rows[2], "count": 7, "flag": False, "at": datetime(2027, 1, 2, 1, 4, 5, tzinfo=UTC)},
    ]
    assert len({row["id"] for row in stored}) == 3
    if engine.dialect.name == "postgresql":
        assert [s.split(" SELECT")[0] for s in statements] == [insert.sql.split(" SELECT")[0]]


# SQLite does not enforce VARCHAR lengths: PostgreSQL only.
@pytest.mark.services
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_given_a_value_too_long_for_its_column_when_inserted_at_once_then_refused_not_cut(
    engine: AsyncEngine, table: Table
) -> None:
    with pytest.raises(DBAPIError, match="too long"):
        async with engine.begin() as conn:
            await UnnestInsert(table).execute(conn, [_row("A"), _row("NINE-LONG")])

    async with engine.connect() as conn:
        assert (await conn.execute(select(table))).all() == []


async def test_given_a_naive_timestamp_when_inserted_at_once_then_refused(
    engine: AsyncEngine, table: Table
) -> None:
    with pytest.raises((ValueError, StatementError), match="timezone-aware"):
        async with engine.begin() as conn:
            await UnnestInsert(table).execute(conn, [_row("A", at=datetime(2027, 1, 2, 3, 4, 5))])


async def test_given_no_rows_when_inserted_at_once_then_nothing_is_sent(
    engine: AsyncEngine, table: Table
) -> None:
    with counting_statements(engine) as statements:
        async with engine.begin() as conn:
            await UnnestInsert(table).execute(conn, [])
    assert statements == []
