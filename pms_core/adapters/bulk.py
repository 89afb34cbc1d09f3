"""Many rows into one table as ONE statement on PostgreSQL: `INSERT … SELECT FROM unnest(arrays)`.

SQLAlchemy's executemany on asyncpg sends one Bind/Execute per row: PostgreSQL plans, runs and
logs each row on its own, and the driver encodes row by row. With one array per column the server
runs a single statement whatever the row count, and its text never changes, so it is prepared
once per connection. Elsewhere (SQLite) the rows go out as an executemany.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    Numeric,
    String,
    Table,
    TypeDecorator,
    Uuid,
    insert,
)
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeEngine

# PostgreSQL array type per column type. Strings go as text[]: an explicit cast to varchar(n)
# would cut a long value silently, while assigning text to the column still enforces its length.
_ARRAY_TYPES: tuple[tuple[type[TypeEngine[Any]], str], ...] = (
    (JSON, "text[]::json[]"),  # sent as JSON text, as SQLAlchemy would send it
    (Boolean, "bool[]"),
    (Integer, "bigint[]"),
    (Numeric, "numeric[]"),
    (DateTime, "timestamptz[]"),
    (Date, "date[]"),
    (Uuid, "uuid[]"),
    (String, "text[]"),
)
_POSTGRESQL = asyncpg_dialect()  # type: ignore[no-untyped-call]


def _array_type(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    for base, array in _ARRAY_TYPES:
        if isinstance(kind, base):
            if isinstance(kind, DateTime) and not kind.timezone:
                return "timestamp[]"
            return array
    raise TypeError(f"{column.table.name}.{column.name}: no array type for {column.type!r}")


class UnnestInsert:
    """An INSERT of many rows into `table`: every column but an autoincrement id.

    `first` numbers the statement's first parameter, so several can share one statement (see
    `sql`). A row leaves out a column only when the column has a scalar default, which is used.
    A `suffix` (ON CONFLICT …, RETURNING …) is PostgreSQL's own: `on_postgresql` runs it, and its
    owner says what runs on other databases.
    """

    def __init__(self, table: Table, *, first: int = 1, suffix: str = "") -> None:
        self.table = table
        self.suffix = suffix
        self.columns = [c for c in table.columns if c is not table.autoincrement_column]
        self._json = [isinstance(c.type, JSON) for c in self.columns]
        self._defaults = [
            getattr(c.default, "arg", None) if c.default is not None and c.default.is_scalar else None
            for c in self.columns
        ]
        self._checks = [
            c.type.process_bind_param if isinstance(c.type, TypeDecorator) else None for c in self.columns
        ]
        self._filled = {c.name: d for c, d in zip(self.columns, self._defaults, strict=True) if d is not None}
        arrays = ", ".join(f"${n}::{_array_type(c)}" for n, c in enumerate(self.columns, start=first))
        names = ", ".join(f'"{c.name}"' for c in self.columns)
        #: the PostgreSQL statement, then `suffix` (ON CONFLICT …, RETURNING …); its parameters are
        #: `arrays(rows)`. unnest reads the arrays out in order, so the rows go in the order given.
        self.sql = f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays})" + (
            f" {suffix}" if suffix else ""
        )
        self._many = insert(table)

    @property
    def parameter_count(self) -> int:
        """How many parameters `sql` takes."""
        return len(self.columns)

    def arrays(self, rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
        """One list per column, in `sql`'s parameter order."""
        arrays: list[list[Any]] = []
        for column, is_json, default, check in zip(
            self.columns, self._json, self._defaults, self._checks, strict=True
        ):
            name = column.name
            values = [row.get(name, default) for row in rows]
            if check is not None:
                values = [check(value, _POSTGRESQL) for value in values]
            if is_json:
                values = [None if value is None else json.dumps(value) for value in values]
            arrays.append(values)
        return arrays

    async def on_postgresql(
        self, conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]
    ) -> CursorResult[Any]:
        """Run `sql` for `rows` on a PostgreSQL connection; the result holds what it returns."""
        return await conn.exec_driver_sql(self.sql, tuple(self.arrays(rows)))

    async def execute(self, conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert `rows`: one statement on PostgreSQL, an executemany elsewhere."""
        if not rows:
            return
        if conn.dialect.name == "postgresql":
            await self.on_postgresql(conn, rows)
        elif self.suffix:
            raise TypeError(f"{self.table.name}: an insert with a suffix runs on PostgreSQL only")
        else:
            await conn.execute(self._many, [{**self._filled, **row} for row in rows])
