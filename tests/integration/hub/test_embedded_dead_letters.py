"""Dead letters of the embedded dispatcher: their context, and a replay that fails again."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from dead_letter_builders import REJECTION, Rejecting, expected_context, kept_booking
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.booking import BOOKING_RECEIVED_V1
from routes import deadletters
from routes.embedded import EmbeddedDispatcher
from routes.table import Route, RoutingTable
from routes.tables import dead_letters


def _dispatcher(engine: AsyncEngine, handler: Rejecting) -> EmbeddedDispatcher:
    return EmbeddedDispatcher(engine, RoutingTable([Route(BOOKING_RECEIVED_V1, "pms", handler)]))


async def _letters(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        return [
            dict(r._mapping) for r in await conn.execute(select(dead_letters).order_by(dead_letters.c.id))
        ]


def _events(caplog: pytest.LogCaptureFixture, event: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == event]


async def test_given_a_rejected_booking_when_dead_lettered_then_it_names_partner_booking_hotel_stay_and_message(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await kept_booking(engine, "EMB-1001")

    await _dispatcher(engine, Rejecting()).drain()

    (letter,) = await _letters(engine)
    assert {k: letter[k] for k in expected_context("EMB-1001")} == expected_context("EMB-1001")
    assert letter["history"][0]["error_text"] == REJECTION
    (line,) = _events(caplog, "dead_letter")
    assert (line.partner, line.hotel_code, line.reason) == ("otaone", "ALP-4711", REJECTION)  # type: ignore[attr-defined]
    assert line.correlation_id == "corr-EMB-1001"  # type: ignore[attr-defined]


async def test_given_a_replay_that_fails_again_when_dead_lettered_then_the_same_letter_gains_attempt_and_history(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    handler = Rejecting()
    dispatcher = _dispatcher(engine, handler)
    await kept_booking(engine, "EMB-1002")
    await dispatcher.drain()
    (first,) = await _letters(engine)

    async with engine.begin() as conn:
        await deadletters.replay(conn, first["id"], actor="maria")
    await dispatcher.drain()

    (again,) = await _letters(engine)
    assert (again["id"], again["status"], again["attempts"]) == (first["id"], "open", 2)
    assert [h["error_text"] for h in again["history"]] == [REJECTION, REJECTION]
    assert again["last_failed_at"] > first["last_failed_at"]
    assert len(_events(caplog, "dead_letter")) == 2
    (replayed,) = _events(caplog, "dead_letter_replay")
    assert (replayed.actor, replayed.partner, replayed.hotel_code) == ("maria", "otaone", "ALP-4711")  # type: ignore[attr-defined]

    handler.accepting = True
    async with engine.begin() as conn:
        await deadletters.replay(conn, first["id"], actor="maria")
    await dispatcher.drain()
    (done,) = await _letters(engine)
    assert (done["status"], len(done["history"]), handler.handled) == ("replayed", 2, 1)


async def test_given_a_dead_letter_in_a_transaction_that_rolls_back_when_logged_then_no_line(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    envelope = await kept_booking(engine, "EMB-1003")
    letter = deadletters.NewDeadLetter(
        message_id=str(envelope.message_id),
        message_type=BOOKING_RECEIVED_V1,
        consumer="pms",
        correlation_id=envelope.correlation_id,
        body=envelope.model_dump_json(),
        error_class="canonical.errors.PermanentError",
        error_text=REJECTION,
    )
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await deadletters.record(conn, letter)
            raise RuntimeError("the batch failed after the dead letter was written")
    assert _events(caplog, "dead_letter") == []

    async with engine.begin() as conn:
        await deadletters.record(conn, letter)
    assert len(_events(caplog, "dead_letter")) == 1
