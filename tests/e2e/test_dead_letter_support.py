"""What support staff see of a dead letter and its replays, on both transports (docs/support.md)."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from harness import RunningHub
from ota_builders import ARRIVAL, HOTEL, OTAONE, TEST_CVV, TEST_PAN, commit, reservation, stay
from typer.testing import CliRunner, Result

from hub.cli import app
from hub.demo.partners import parse_answer
from routes import deadletters

runner = CliRunner()


async def _letters(hub: RunningHub, consumer: str) -> list[dict[str, Any]]:
    async with hub.hub.engine.connect() as conn:
        return [
            letter
            for letter in await deadletters.list_letters(conn, status=None)
            if letter["consumer"] == consumer
        ]


async def _cli(hub: RunningHub, *args: str) -> Result:
    # The command runs its own event loop: in a thread, beside the running hub's.
    env = {"HUB_DATABASE_URL": hub.settings.database_url}
    return await asyncio.to_thread(runner.invoke, app, list(args), env=env)


def _dead_letter_lines(caplog: pytest.LogCaptureFixture, event: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == event]


async def _unmapped_letter(hub: RunningHub, reservation_id: str) -> dict[str, Any]:
    spec = reservation(reservation_id, stay("DZPANO", nights=3))
    answer = parse_answer((await hub.push(commit(spec), OTAONE)).content)
    assert answer.error_codes == ("402",)
    (letter,) = await _letters(hub, "ota.translate")
    return letter


async def test_given_an_unmapped_room_code_when_dead_lettered_then_listed_with_partner_booking_hotel_stay_and_message(
    hub: RunningHub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    letter = await _unmapped_letter(hub, "E2E-6001")

    assert letter["partner_id"] == "otaone"
    assert letter["partner_reservation_id"] == "E2E-6001"
    assert (letter["property_code"], letter["hotel_code"]) == ("ALPINA", HOTEL)
    assert (letter["arrival"], letter["departure"]) == (ARRIVAL, ARRIVAL + timedelta(days=3))
    assert letter["message_name"] == "OTA_HotelResNotifRQ"
    (line,) = _dead_letter_lines(caplog, "dead_letter")
    assert (line.partner, line.hotel_code, line.ota_code) == ("otaone", HOTEL, "3/402")  # type: ignore[attr-defined]
    assert line.correlation_id == letter["correlation_id"]  # type: ignore[attr-defined]
    assert TEST_PAN not in json.dumps(line.__dict__, default=str)

    listed = await _cli(hub, "dlq", "list")
    assert listed.exit_code == 0, listed.output
    assert "E2E-6001" in listed.output and "ALPINA" in listed.output
    assert str(ARRIVAL) in listed.output and str(ARRIVAL + timedelta(days=3)) in listed.output
    machine = json.loads((await _cli(hub, "dlq", "list", "--json")).output)
    assert machine[0]["partner_reservation_id"] == "E2E-6001"
    assert machine[0]["message_name"] == "OTA_HotelResNotifRQ"


async def test_given_a_kept_partner_message_when_shown_then_its_xml_is_indented_and_the_card_masked(
    hub: RunningHub,
) -> None:
    letter = await _unmapped_letter(hub, "E2E-6002")

    shown = await _cli(hub, "dlq", "show", str(letter["id"]))

    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert any(line.startswith("<OTA_HotelResNotifRQ") for line in lines)
    assert any(line.startswith("    <HotelReservation") for line in lines)
    assert '\\"' not in shown.output  # the XML is not an escaped JSON string
    assert 'RoomTypeCode="DZPANO"' in shown.output
    assert TEST_PAN not in shown.output and f">{TEST_CVV}<" not in shown.output
    machine = json.loads((await _cli(hub, "dlq", "show", str(letter["id"]), "--json")).output)
    assert "<OTA_HotelResNotifRQ" in machine["partner_message"]
    assert TEST_PAN not in machine["partner_message"] and TEST_PAN not in machine["body"]


async def test_given_a_replay_that_fails_again_when_dead_lettered_then_the_same_letter_counts_it(
    hub: RunningHub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    letter = await _unmapped_letter(hub, "E2E-6003")

    # Replayed before the mapping is fixed: the translation refuses DZPANO again.
    replayed = await _cli(hub, "dlq", "replay", str(letter["id"]), "--actor", "maria")
    assert replayed.exit_code == 0, replayed.output
    if hub.hub.dispatcher is not None:
        hub.hub.dispatcher.notify()

    async def failed_again() -> bool:
        (current,) = await _letters(hub, "ota.translate")
        return current["status"] == "open" and len(current["history"]) == 2

    await hub.eventually(failed_again, what="the replay to fail again")
    (again,) = await _letters(hub, "ota.translate")
    assert again["id"] == letter["id"]
    assert again["attempts"] == letter["attempts"] + 1
    assert [h["error_text"] for h in again["history"]] == [letter["error_text"]] * 2
    assert again["history"][1]["at"] > again["history"][0]["at"]
    assert len(_dead_letter_lines(caplog, "dead_letter")) == 2
    (replay_line,) = _dead_letter_lines(caplog, "dead_letter_replay")
    assert (replay_line.actor, replay_line.partner) == ("maria", "otaone")  # type: ignore[attr-defined]

    discarded = await _cli(hub, "dlq", "discard", str(letter["id"]), "--reason", "guest rebooked by phone")
    assert discarded.exit_code == 0, discarded.output
    (discard_line,) = _dead_letter_lines(caplog, "dead_letter_discard")
    assert discard_line.reason == "guest rebooked by phone"  # type: ignore[attr-defined]
    assert discard_line.hotel_code == HOTEL  # type: ignore[attr-defined]
