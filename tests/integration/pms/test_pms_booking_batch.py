"""A batch of partner messages in one call: the same effects as one message at a time, fewer statements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pms_builders import ARRIVAL, a_property, a_reservation, a_stay
from pms_driver import PmsDriver, counting_statements
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.booking import BookingAction, BookingReceived
from pms_core.adapters.tables import booking_guests, booking_nights, booking_revisions, bookings, inventory
from pms_core.batch import BookingBatchFailed, handle_booking_batch
from pms_core.errors import BookingNotYetKnown, UnknownRoomType
from pms_core.handlers import handle_booking_received
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import OutcomeKind

D0, D1, D2 = (ARRIVAL + timedelta(days=offset) for offset in range(3))
NOON = datetime(2031, 1, 1, 12, tzinfo=UTC)
MODIFY, CANCEL = BookingAction.MODIFY, BookingAction.CANCEL

# Creates, an overbooking, modifications and cancellations of stays made before and within the
# batch, a cancel quoting the hub's confirmation, a duplicate and a stale revision.
MIXED = (
    a_reservation("R1", rev=0),
    a_reservation("R2", rev=0, stays=(a_stay("DBL"), a_stay("SGL"))),
    a_reservation("R3", rev=0, stays=(a_stay("SGL", nights=1),)),
    a_reservation("R1", action=MODIFY, rev=2, stays=(a_stay("SGL", arrival=D2),)),
    a_reservation("R1", action=MODIFY, rev=2, stays=(a_stay("SGL", arrival=D2),)),
    a_reservation("HR2", action=CANCEL, rev=1),
    a_reservation("R1", action=MODIFY, rev=1, stays=(a_stay(nights=1),)),
    a_reservation("R0", action=MODIFY, rev=1, stays=(a_stay(arrival=D1, nights=3),)),
    a_reservation("R7", action=CANCEL, rev=1),
    a_reservation("R6", rev=0, stays=(a_stay(arrival=D1, nights=3), a_stay(arrival=D1, nights=1))),
)


@pytest.fixture
async def hotel(pms: PmsDriver) -> PmsDriver:
    """3 DBL rooms and 1 SGL room, with reservations R0 and R7 already held."""
    await pms.define(a_property())
    await pms.receive(a_reservation("R0", rev=0))
    await pms.receive(a_reservation("R7", rev=0, stays=(a_stay("SGL", arrival=D2, nights=1),)))
    return pms


def _uows(conn: AsyncConnection, count: int) -> list[PmsUnitOfWork]:
    return [PmsUnitOfWork(conn, message_id=f"m{index}", clock=lambda: NOON) for index in range(count)]


async def _rows(conn: AsyncConnection) -> dict[str, list[Any]]:
    """Everything the messages write, with the random booking ids replaced by confirmation/stay."""
    names = {row.id: (row.confirmation, row.stay_index) for row in await conn.execute(select(bookings))}

    def scrub(table: Any) -> list[Any]:
        return [
            {
                key: names.get(value, value) if key in ("id", "booking_id") else value
                for key, value in row._mapping.items()
                if key != "snapshot"
            }
            for row in rows[table.name]
        ]

    rows = {
        table.name: (await conn.execute(select(table))).all()
        for table in (bookings, booking_guests, booking_nights, booking_revisions, inventory)
    }
    guests = [{k: v for k, v in row.items() if k != "id"} for row in scrub(booking_guests)]
    return {
        "bookings": sorted(scrub(bookings), key=lambda row: row["id"]),
        "guests": sorted(guests, key=lambda row: (row["booking_id"], row["position"])),
        "nights": sorted(scrub(booking_nights), key=lambda row: (row["booking_id"], row["night"])),
        "revisions": sorted(
            ({k: v for k, v in row.items() if k != "id"} for row in scrub(booking_revisions)),
            key=lambda row: (row["booking_id"], row["revision"]),
        ),
        "inventory": sorted(
            (row.room_type_id, row.stay_date, row.physical, row.sold) for row in rows["inventory"]
        ),
    }


def _scrub_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _scrub_ids(v) for k, v in value.items() if k not in ("id", "booking_id")}
    if isinstance(value, list):
        return [_scrub_ids(item) for item in value]
    return value


async def _handle(
    engine: AsyncEngine, messages: tuple[BookingReceived, ...], *, batch: bool
) -> tuple[list[Any], list[Any], dict[str, list[Any]]]:
    """Outcomes, events and rows of handling the messages in one transaction, rolled back after."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        uows = _uows(conn, len(messages))
        if batch:
            outcomes = await handle_booking_batch(list(zip(messages, uows, strict=True)))
        else:
            outcomes = [
                await handle_booking_received(msg, uow) for msg, uow in zip(messages, uows, strict=True)
            ]
        rows = await _rows(conn)
        await transaction.rollback()
    events = [(key, _scrub_ids(event.model_dump(mode="json"))) for uow in uows for key, event in uow.events]
    return [_scrub_ids(outcome.model_dump(mode="json")) for outcome in outcomes], events, rows


async def test_given_mixed_messages_when_handled_as_one_batch_then_same_as_one_at_a_time(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    one_by_one = await _handle(engine, MIXED, batch=False)

    batched = await _handle(engine, MIXED, batch=True)

    assert batched == one_by_one
    outcomes, events, _ = batched
    kinds = [outcome["kind"] for outcome in outcomes]
    assert kinds == ["applied"] * 4 + ["duplicate", "applied", "stale", "applied", "applied", "applied"]
    assert outcomes[2]["overbooked"] and not outcomes[0]["overbooked"]
    assert any(key == "booking.overbooked.v1" for key, _ in events)


async def test_given_creates_for_the_same_last_room_in_one_batch_then_only_the_later_is_overbooked(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    messages = tuple(a_reservation(f"S{n}", stays=(a_stay("SGL", arrival=D0, nights=1),)) for n in range(3))

    outcomes, _, rows = await _handle(engine, messages, batch=True)

    assert [outcome["overbooked"] for outcome in outcomes] == [False, True, True]
    assert [night[1:] for night in rows["inventory"] if night[1] == D0 and night[2] == 1] == [(D0, 1, 3)]


@pytest.mark.parametrize(
    ("messages", "index", "error"),
    [
        ((a_reservation("R8"), a_reservation("R9", action=MODIFY, rev=1)), 1, BookingNotYetKnown),
        ((a_reservation("R8", stays=(a_stay("SUITE"),)), a_reservation("R9")), 0, UnknownRoomType),
        (
            (a_reservation("R8"), a_reservation("R8", action=MODIFY, rev=1, stays=(a_stay("SUITE"),))),
            1,
            UnknownRoomType,
        ),
    ],
)
async def test_given_a_message_that_fails_when_batched_then_failed_names_it_and_its_error(
    hotel: PmsDriver,
    engine: AsyncEngine,
    messages: tuple[BookingReceived, ...],
    index: int,
    error: type[Exception],
) -> None:
    async with engine.connect() as conn, conn.begin():
        with pytest.raises(BookingBatchFailed) as failed:
            await handle_booking_batch(list(zip(messages, _uows(conn, len(messages)), strict=True)))

    assert failed.value.index == index
    assert isinstance(failed.value.error, error)


async def test_given_a_batch_of_new_reservations_when_handled_then_a_few_statements_for_all(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    messages = [
        a_reservation(f"N{n}", stays=(a_stay("DBL", arrival=ARRIVAL + timedelta(days=10 + n)),))
        for n in range(20)
    ]
    async with engine.connect() as conn, conn.begin():
        with counting_statements(engine) as statements:
            outcomes = await handle_booking_batch(list(zip(messages, _uows(conn, 20), strict=True)))

    assert {outcome.kind for outcome in outcomes} == {OutcomeKind.APPLIED}
    # Property, room types, rate plans; reservations; inventory; bookings, guests, nights, revisions.
    assert len(statements) <= 9


# SQLite runs each statement as written; PostgreSQL prepares each distinct text on every connection.
@pytest.mark.services
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_given_batches_of_different_sizes_when_handled_then_the_same_statement_texts(
    hotel: PmsDriver, engine: AsyncEngine
) -> None:
    texts = []
    for size, first in ((3, 10), (17, 20)):
        messages = [
            a_reservation(
                f"S{first + n}", stays=(a_stay("DBL", arrival=ARRIVAL + timedelta(days=first + n)),)
            )
            for n in range(size)
        ]
        async with engine.connect() as conn, conn.begin():
            with counting_statements(engine) as statements:
                await handle_booking_batch(list(zip(messages, _uows(conn, size), strict=True)))
        texts.append(statements)

    # a text that changed with the number of rows would be prepared and planned anew every batch
    assert texts[0] == texts[1]
    assert len(texts[0]) <= 9
