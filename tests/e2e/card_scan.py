"""Where card data could leak, read back: every column of every table, files, and what RabbitMQ carried.

What counts as a leak: the test card's number (with or without separators), a SeriesCode element, or
the test CVV as an element's text or a quoted value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aio_pika.abc import AbstractIncomingMessage
from sqlalchemy import column, inspect, select, table
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.demo.messages import TEST_CARD, TEST_CVV

_PAN = re.compile("[ -]?".join(TEST_CARD[i : i + 4] for i in range(0, len(TEST_CARD), 4)))
_CVV = (f">{TEST_CVV}<", f'"{TEST_CVV}"', f"'{TEST_CVV}'", "SeriesCode")


def leaks(text: str) -> list[str]:
    """What of the test card's number and CVV `text` holds in clear."""
    found = [match.group() for match in _PAN.finditer(text)]
    return found + [cvv for cvv in _CVV if cvv in text]


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


async def table_cells(engine: AsyncEngine) -> dict[str, list[str]]:
    """Every table of the database (found by introspection) -> the text of each of its cells."""
    async with engine.connect() as conn:
        columns = await conn.run_sync(_columns)
        cells: dict[str, list[str]] = {}
        for name, names in columns.items():
            rows = await conn.execute(select(table(name, *(column(c) for c in names))))
            cells[name] = [_as_text(value) for row in rows for value in row if value is not None]
    return cells


def _columns(sync_conn: Any) -> dict[str, list[str]]:
    inspector = inspect(sync_conn)
    return {name: [c["name"] for c in inspector.get_columns(name)] for name in inspector.get_table_names()}


def file_leaks(paths: Iterable[Path]) -> dict[str, list[str]]:
    """Each file -> what it leaks (files read as bytes, so a database file's free pages count too)."""
    return {path.name: found for path in paths if (found := leaks(path.read_bytes().decode("latin-1")))}


def message_text(message: AbstractIncomingMessage) -> str:
    """A message's body and headers, as text."""
    headers = json.dumps(message.headers or {}, default=_as_text)
    return message.body.decode("latin-1") + "\n" + headers
