"""Committed outbox rows are delivered at once, not at the next poll: a booking pushed over /ota and an
ARI change put over the operator API each wake what delivers them (the embedded dispatcher, or the
RabbitMQ relay), on both transports, with both polls set far longer than the test waits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from harness import RunningHub, running_hub
from ota_builders import OTAONE, commit, reservation

from hub.demo.partners import parse_answer

POLL_MS = 60_000  # a poll this long never comes within the test's waits
WITHIN_S = 5.0


@pytest.fixture
async def slow_polling(transport: tuple[str, str, str | None], tmp_path: Path) -> AsyncIterator[RunningHub]:
    """A hub whose dispatcher and relay poll once a minute: only a wake-up delivers in time."""
    mode, database_url, broker_url = transport
    async with running_hub(
        mode, database_url, broker_url, tmp_path, dispatcher_idle_ms=POLL_MS, relay_idle_ms=POLL_MS
    ) as running:
        # Start-up delivers what the configuration announced before the first long sleep.
        await running.eventually(running.settled, timeout=60, what="the start-up backlog to drain")
        yield running


async def test_given_polls_a_minute_apart_when_a_booking_is_pushed_then_it_is_booked_within_seconds(
    slow_polling: RunningHub,
) -> None:
    answer = parse_answer((await slow_polling.push(commit(reservation("WAKE-1")), OTAONE)).content)
    assert answer.success, answer.errors

    async def booked() -> bool:
        rows = await slow_polling.api("/api/v1/properties/ALPINA/bookings", partner_reservation_id="WAKE-1")
        return len(rows) == 1

    await slow_polling.eventually(booked, timeout=WITHIN_S, what="the pushed booking to be booked")
    await slow_polling.eventually(slow_polling.settled, timeout=WITHIN_S, what="the outbox to drain")


async def test_given_polls_a_minute_apart_when_ari_is_put_then_its_change_is_delivered_within_seconds(
    slow_polling: RunningHub,
) -> None:
    answer = await slow_polling.http.put(
        "/api/v1/properties/ALPINA/ari",
        json={
            "patches": [
                {
                    "room_type": "DBL",
                    "rate_plan": "BAR",
                    "from": "2031-03-01",
                    "to": "2031-03-07",
                    "rates": {"amount": "140.00"},
                }
            ]
        },
    )
    assert answer.status_code == 200, answer.text
    await slow_polling.eventually(
        slow_polling.settled, timeout=WITHIN_S, what="the ARI change to leave the outbox and its queue"
    )
