"""PartnerDirectory on SQLite and PostgreSQL: reloads ahead of expiry without making a push wait,
never answers from a copy older than its ttl, keeps unchanged records, verifies a secret once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from routes import credentials
from routes.codes import CodeBook
from routes.partners import SCRYPTS_AT_ONCE, PartnerDirectory, PartnerSpec, upsert_partner

TTL = 0.6
SECRET = "s3cret-for-the-directory"


def spec(**changes: object) -> PartnerSpec:
    values: dict[str, object] = {
        "id": "otadir",
        "kind": "ota",
        "name": "Directory OTA",
        "grants": frozenset(),
        "username": "otadir",
        "secret": SECRET,
        "mapping": mapping("DIR-1"),
    }
    values.update(changes)
    return PartnerSpec(**values)  # type: ignore[arg-type]


def mapping(hotel_code: str) -> dict[str, object]:
    entry = {
        "property": "DIR",
        "hotel_code": hotel_code,
        "room_types": {"DBL": "DBL"},
        "rate_plans": {"BAR": "BAR"},
    }
    return {"partner": "otadir", "properties": [entry]}


async def save(engine: AsyncEngine, partner: PartnerSpec) -> None:
    async with engine.begin() as conn:
        await upsert_partner(conn, partner)


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block, as they are sent."""
    sent: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


@pytest.fixture
async def directory(engine: AsyncEngine) -> AsyncIterator[PartnerDirectory]:
    """The test partner saved, and a directory of it with a short ttl (closed afterwards)."""
    await save(engine, spec())
    directory = PartnerDirectory(engine, ttl_s=TTL)
    try:
        yield directory
    finally:
        await directory.close()


async def test_given_a_copy_past_half_its_ttl_when_looked_up_then_answered_from_it_and_reloaded_behind(
    engine: AsyncEngine, directory: PartnerDirectory
) -> None:
    assert (await directory.get("otadir")).name == "Directory OTA"  # type: ignore[union-attr]
    await save(engine, spec(name="Renamed OTA"))
    await asyncio.sleep(TTL * 0.6)
    with statements(engine) as sent:
        looked_up = await directory.get("otadir")
    assert sent == []  # no database read on the way: the reload runs behind
    assert looked_up is not None and looked_up.name == "Directory OTA"
    for _ in range(100):
        await asyncio.sleep(0.01)
        if (await directory.get("otadir")).name == "Renamed OTA":  # type: ignore[union-attr]
            break
    else:
        pytest.fail("the reload in the background never replaced the copy")


async def test_given_a_copy_past_its_ttl_when_looked_up_then_the_lookup_waits_for_the_reload(
    engine: AsyncEngine, directory: PartnerDirectory
) -> None:
    assert (await directory.authenticate("otadir", SECRET)) is not None
    await save(engine, spec(enabled=False))
    await asyncio.sleep(TTL * 1.2)
    assert await directory.authenticate("otadir", SECRET) is None


async def test_given_a_reload_with_nothing_changed_when_done_then_the_same_records_and_code_book(
    engine: AsyncEngine, directory: PartnerDirectory
) -> None:
    codes = CodeBook(engine)
    before = await directory.get("otadir")
    assert before is not None
    book = await codes.for_partner(before)
    await directory.refresh()
    after = await directory.get("otadir")
    assert after is before
    assert await codes.for_partner(after) is book
    await save(engine, spec(mapping=mapping("DIR-2")))
    await directory.refresh()
    changed = await directory.get("otadir")
    assert changed is not before and changed is not None
    assert await codes.for_partner(changed) is not book


async def test_given_a_burst_of_first_pushes_when_authenticated_then_the_secret_is_verified_once(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    await save(engine, spec())
    calls: list[str] = []
    verify = credentials.verify_secret

    def counted(secret: str, stored: str) -> bool:
        calls.append(secret)
        return verify(secret, stored)

    monkeypatch.setattr(credentials, "verify_secret", counted)
    directory = PartnerDirectory(engine, ttl_s=60)
    try:
        found = await asyncio.gather(*(directory.authenticate("otadir", SECRET) for _ in range(20)))
        wrong = await asyncio.gather(*(directory.authenticate("otadir", "wrong") for _ in range(3)))
    finally:
        await directory.close()
    assert all(record is not None and record.id == "otadir" for record in found)
    assert wrong == [None, None, None]
    assert calls == [SECRET, "wrong"]


async def test_given_a_flood_of_wrong_secrets_when_authenticated_then_at_most_two_scrypts_at_once(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    await save(engine, spec())
    running = peak = 0
    lock = threading.Lock()
    verify = credentials.verify_secret

    def counted(secret: str, stored: str) -> bool:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            return verify(secret, stored)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(credentials, "verify_secret", counted)
    directory = PartnerDirectory(engine, ttl_s=60)
    try:
        refused = await asyncio.gather(*(directory.authenticate("otadir", f"wrong-{n}") for n in range(8)))
        assert await directory.authenticate("otadir", SECRET) is not None
    finally:
        await directory.close()
    assert refused == [None] * 8
    assert peak == SCRYPTS_AT_ONCE
