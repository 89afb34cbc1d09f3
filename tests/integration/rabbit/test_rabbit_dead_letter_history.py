"""RabbitMQ dead-letter store against a real broker: a letter's context, and a replay that fails again."""

from __future__ import annotations

import logging

import pytest
from dead_letter_builders import REJECTION, Rejecting, expected_context, kept_booking
from rabbit_harness import Services, dead_letter_rows, eventually, settings_for, table_with

from routes import deadletters
from routes.rabbit.transport import RabbitTransport

pytestmark = pytest.mark.services


def _transport(services: Services, handler: Rejecting) -> RabbitTransport:
    settings = settings_for(services.broker_url, services.database_url)
    return RabbitTransport(settings, services.engine, table_with(handler))


async def test_given_a_rejected_booking_when_stored_from_the_dead_letter_queue_then_it_names_its_booking(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with _transport(services, Rejecting()) as transport:
        await kept_booking(services.engine, "RMQ-1001")
        transport.notify()

        async def stored() -> bool:
            return len(await dead_letter_rows(services.engine)) == 1

        await eventually(stored)
    (letter,) = await dead_letter_rows(services.engine)
    assert {k: letter[k] for k in expected_context("RMQ-1001")} == expected_context("RMQ-1001")
    (line,) = [r for r in caplog.records if getattr(r, "event", None) == "dead_letter"]
    assert (line.partner, line.hotel_code) == ("otaone", "ALP-4711")  # type: ignore[attr-defined]


async def test_given_a_replay_that_fails_again_when_stored_then_the_same_letter_gains_attempt_and_history(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    handler = Rejecting()
    async with _transport(services, handler) as transport:
        await kept_booking(services.engine, "RMQ-1002")
        transport.notify()

        async def stored() -> bool:
            return len(await dead_letter_rows(services.engine)) == 1

        await eventually(stored)
        (first,) = await dead_letter_rows(services.engine)
        async with services.engine.begin() as conn:
            await deadletters.replay(conn, first["id"], actor="maria")
        transport.notify()

        async def failed_again() -> bool:
            rows = await dead_letter_rows(services.engine)
            return len(rows) > 1 or (rows[0]["status"] == "open" and len(rows[0]["history"]) == 2)

        await eventually(failed_again)
        (again,) = await dead_letter_rows(services.engine)
        assert (again["id"], again["attempts"]) == (first["id"], 2)
        assert [h["error_text"] for h in again["history"]] == [REJECTION, REJECTION]

        handler.accepting = True
        async with services.engine.begin() as conn:
            await deadletters.replay(conn, first["id"], actor="maria")
        transport.notify()

        async def delivered() -> bool:
            return handler.handled == 1

        await eventually(delivered)
    (done,) = await dead_letter_rows(services.engine)
    assert (done["status"], len(done["history"])) == ("replayed", 2)
    lines = [r for r in caplog.records if getattr(r, "event", None) == "dead_letter"]
    assert [r.dead_letter_id for r in lines] == [first["id"], first["id"]]  # type: ignore[attr-defined]
