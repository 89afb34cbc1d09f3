"""Where card data could leak, read back: every column of every table, files, and what RabbitMQ carried.

What counts as a leak: the test card's number (with or without separators), a SeriesCode element, or
the test CVV as an element's text or a quoted value.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from sqlalchemy import column, inspect, select, table
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.demo.messages import TEST_CARD, TEST_CVV
from routes.rabbit.topology import DEFAULT_PREFIX

_PAN = re.compile("[ -]?".join(TEST_CARD[i : i + 4] for i in range(0, len(TEST_CARD), 4)))
_CVV = (f">{TEST_CVV}<", f'"{TEST_CVV}"', f"'{TEST_CVV}'", "SeriesCode")
TAP_PREFIX = "test.tap."


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


@contextlib.asynccontextmanager
async def broker_taps(broker_url: str, consumers: Iterable[str]) -> AsyncIterator[dict[str, AbstractQueue]]:
    """Queues of the test's own bound beside the hub's: a copy of every message published to the
    events and direct exchanges (route queues, retries coming back) and to the dead-letter exchange.
    Deleted afterwards."""
    connection = await aio_pika.connect(broker_url)
    try:
        channel = await connection.channel()
        taps: dict[str, AbstractQueue] = {}
        bindings = {
            "events": [("#", f"{DEFAULT_PREFIX}.events")],
            "direct": [(consumer, f"{DEFAULT_PREFIX}.direct") for consumer in consumers],
            "dead-letter": [("", f"{DEFAULT_PREFIX}.dead-letter")],
        }
        for name, keys in bindings.items():
            queue = await channel.declare_queue(f"{TAP_PREFIX}{name}", durable=False)
            for key, exchange in keys:
                await queue.bind(exchange, routing_key=key)
            taps[name] = queue
        yield taps
        for queue in taps.values():
            await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()


async def drain(queue: AbstractQueue, *, within_s: float = 10.0) -> list[str]:
    """Every message in `queue`, as text: as many as the broker counts in it, read with a consumer
    and acknowledged (the queue is the test's own)."""
    await queue.declare()  # refreshes the message count
    count = int(queue.declaration_result.message_count or 0)
    got: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
    tag = await queue.consume(got.put)
    texts: list[str] = []
    try:
        async with asyncio.timeout(within_s):
            while len(texts) < count:
                message = await got.get()
                texts.append(message_text(message))
                await message.ack()
    finally:
        await queue.cancel(tag)
    return texts
