"""`hotelhub dlq list` as a table support staff read in an 80-column terminal."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from rich.console import Console

from hub.dlq_view import print_dead_letters


def _row(letter_id: int, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": letter_id,
        "status": "open",
        "partner_id": "otaone",
        "partner_reservation_id": "R-2031-000123456789",
        "property_code": "ALPINA",
        "hotel_code": "ALP-4711",
        "arrival": date(2031, 2, 10),
        "departure": date(2031, 2, 13),
        "message_name": "OTA_HotelResNotifRQ",
        "message_type": "partner.message.received.v1",
        "error_class": "connectors.ota.errors.UnmappedRoomType",
        "error_text": "room type 'DZPANO' is not mapped for hotel 'ALP-4711' " * 3,
        "attempts": 2,
        "last_failed_at": datetime(2026, 12, 4, 2, 10, tzinfo=UTC),
    }
    return row | changes


def _render(rows: list[dict[str, Any]], width: int = 80) -> list[str]:
    console = Console(width=width, record=True, color_system=None)
    print_dead_letters(console, rows)
    return console.export_text().splitlines()


def test_given_long_fields_when_listed_in_80_columns_then_ids_whole_and_nothing_past_the_edge() -> None:
    lines = _render([_row(1234567), _row(8)])

    assert all(len(line.rstrip()) <= 80 for line in lines)
    assert any(re.match(r"\s*1234567\s", line) for line in lines)  # the id is never folded
    assert any(re.match(r"\s*8\s+otaone", line) for line in lines)


def test_given_a_terminal_too_narrow_for_the_table_when_listed_then_the_id_still_is_not_folded() -> None:
    lines = _render([_row(1234567)], width=50)

    assert any(re.match(r"\s*1234567\s", line) for line in lines)
    assert any("2031-02-10" in line for line in lines) and any("2031-02-13" in line for line in lines)
    assert any("(ALP-4711)" in line for line in lines)


def test_given_a_letter_without_booking_facts_when_listed_then_dashes_and_its_message_type() -> None:
    bare = _row(
        9,
        partner_id=None,
        partner_reservation_id=None,
        property_code=None,
        hotel_code=None,
        arrival=None,
        departure=None,
        message_name=None,
        message_type="booking.received.v1",
    )
    text = "\n".join(_render([bare], width=120))

    assert "booking.received.v1" in text
    assert " - " in text
