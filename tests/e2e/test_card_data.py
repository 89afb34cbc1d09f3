"""No card number or CVV in clear anywhere the hub keeps or sends data (docs/architecture.md), on both transports,
with the hub's own processes logging to files: every column of every table, what RabbitMQ carried
(route queues, retries, dead-letter queue), the log files; for bookings, refusals and broken bodies."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from aio_pika.abc import AbstractQueue
from broker_taps import broker_taps, drain
from card_scan import file_leaks, leaks, message_text, table_cells
from harness import ota_codes, settled
from ota_builders import OTAONE, commit, modify, reservation, stay
from ota_schemas import assert_ota_valid_where_known
from processes import HubProcesses, configured_processes
from services import postgres_database, queue_depths, rabbit_vhost
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import create_engine
from hub.demo.messages import TEST_CARD, TEST_CVV
from hub.demo.partners import parse_answer
from routes.rabbit.topology import DEFAULT_PREFIX

VERBOSE = {"HUB_LOG_LEVEL": "DEBUG"}  # the most the hub ever logs
CARD_XML = (
    f"<PaymentCard CardCode='VI' ExpireDate='1233'><CardNumber><PlainText>{TEST_CARD}</PlainText></CardNumber>"
    f"<SeriesCode><PlainText>{TEST_CVV}</PlainText></SeriesCode></PaymentCard>"
).encode()
OTA_HEAD = b'<OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0">'


def carrying_cards() -> dict[str, tuple[bytes, tuple[str, str] | None, tuple[str, str]]]:
    """name -> (body, credentials, the (EWT, ERR) answered or ("", "") for success); each carries
    the test card's number and CVV in clear."""
    early = reservation("CARD-4")
    later = early.revised((stay("FAMZI"),), early.modified_at + timedelta(minutes=3))
    booking = commit(reservation("CARD-5"))
    card_at = booking.index(b"</PaymentCard>") + len(b"</PaymentCard>")
    return {
        "accepted": (commit(reservation("CARD-1")), OTAONE, ("", "")),
        "unmapped-room": (
            commit(reservation("CARD-2")).replace(b'RoomTypeCode="DZSTD"', b'RoomTypeCode="NOPE"'),
            OTAONE,
            ("3", "402"),
        ),
        # accepted at the door, retried and dead-lettered by the consumer: its create never comes
        "modify-before-create": (modify(later), OTAONE, ("", "")),
        "truncated-after-the-card": (booking[: card_at + 20], OTAONE, ("7", "450")),
        "doctype": (
            booking.replace(b"?>\n", b'?>\n<!DOCTYPE r [<!ENTITY e "x">]>', 1),
            OTAONE,
            ("7", "450"),
        ),
        "unknown-hotel": (
            booking.replace(b'HotelCode="ALP-4711"', b'HotelCode="NOPE-1"'),
            OTAONE,
            ("3", "392"),
        ),
        "wrong-password": (commit(reservation("CARD-6")), ("otaone", "wrong"), ("4", "497")),
        "json-not-xml": (
            f'{{"card": "{TEST_CARD}", "cvv": "{TEST_CVV}"}}'.encode(),
            OTAONE,
            ("OTA_ErrorRS", "Malformed"),
        ),
        # sent as application/json: refused with 415 unread
        "json-content-type": (
            f'{{"card": "{TEST_CARD}", "cvv": "{TEST_CVV}"}}'.encode(),
            OTAONE,
            ("OTA_ErrorRS", "Malformed"),
        ),
        "too-large": (OTA_HEAD + CARD_XML + b"x" * (10 * 1024 * 1024), OTAONE, ("7", "450")),
    }


@pytest.fixture(params=["embedded", "rabbit"])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(database URL, broker URL; empty for the embedded hub)."""
    if request.param == "embedded":
        yield f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", ""
        return
    with postgres_database() as database_url, rabbit_vhost() as broker_url:
        yield database_url, broker_url


@pytest.fixture
async def processes(tmp_path: Path, urls: tuple[str, str]) -> AsyncIterator[HubProcesses]:
    """The database migrated and configured, and the hub's processes (stopped afterwards)."""
    async with configured_processes(tmp_path, *urls) as hub:
        yield hub


async def _consumers(broker_url: str) -> list[str]:
    prefix = f"{DEFAULT_PREFIX}.q."
    names = await queue_depths(broker_url)
    return [n.removeprefix(prefix) for n in names if n.startswith(prefix) and ".retry." not in n]


async def test_given_bookings_refusals_and_broken_bodies_carrying_cards_when_done_then_no_pan_or_cvv_in_tables_queues_or_logs(
    processes: HubProcesses, tmp_path: Path
) -> None:
    rabbit = bool(processes.broker_url)
    processes.start_serve(**VERBOSE)
    engine = create_engine(processes.database_url)
    carried: dict[str, list[str]] = {}
    try:
        async with contextlib.AsyncExitStack() as stack:
            taps: dict[str, AbstractQueue] = {}
            if rabbit:
                processes.start_worker(**VERBOSE)
                consumers = await _consumers(processes.broker_url)
                taps = await stack.enter_async_context(broker_taps(processes.broker_url, consumers))
            async with httpx.AsyncClient(base_url=processes.base_url, timeout=30) as http:
                for name, (body, auth, expected) in carrying_cards().items():
                    content_type = "application/json" if name == "json-content-type" else "text/xml"
                    response = await http.post(
                        "/ota", content=body, auth=auth, headers={"content-type": content_type}
                    )
                    assert_ota_valid_where_known(response.content)
                    if expected == ("", ""):
                        assert parse_answer(response.content).success, f"{name}: {response.text}"
                    else:
                        assert ota_codes(response) == (expected,), f"{name}: {response.text}"

            seen: dict[str, object] = {}

            async def done() -> bool:
                seen["bookings"] = await _count(engine, "bookings")
                seen["dead letters"] = await _count(engine, "dead_letters")
                seen["settled"] = await settled(engine, processes.broker_url or None)
                return seen == {"bookings": 1, "dead letters": 2, "settled": True}

            await _wait(done, 60, lambda: f"one booking and two dead letters, everything consumed: {seen}")
            cells = await table_cells(engine)
            for name, tap in taps.items():
                carried[name] = [message_text(m) for m in await drain(tap)]
    finally:
        await engine.dispose()

    assert {"bookings", "inbound_messages", "outbox", "inbox", "dead_letters"} <= set(cells)
    # the scan reads what it must: the kept messages hold each card, as a token
    assert any("Token=" in cell for cell in cells["dead_letters"])
    found = {name: hits for name, values in cells.items() if (hits := [h for v in values for h in leaks(v)])}
    assert found == {}, f"card data in tables: {found}"
    if rabbit:
        # the booking and the early modify to the consumer, that one's retries back, its dead letter
        assert len(carried["events"]) >= 2 and carried["direct"] and len(carried["dead-letter"]) == 1, carried
        hits = {name: [hit for text in texts for hit in leaks(text)] for name, texts in carried.items()}
        assert hits == {"events": [], "direct": [], "dead-letter": []}, "card data on the broker"

    await asyncio.to_thread(processes.stop)
    logs = [tmp_path / "serve.log"] + ([tmp_path / "worker.log"] if rabbit else [])
    assert all(path.stat().st_size > 0 for path in logs), "a process wrote no log"
    database_files = [] if rabbit else sorted(tmp_path.glob("hub.db*"))
    assert file_leaks([*logs, *database_files]) == {}


async def _count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def _wait(check: object, timeout: float, what: Callable[[], str]) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what()}")
