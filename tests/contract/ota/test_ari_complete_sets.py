"""A resync's complete set of rooms left: AlpineBits FreeRooms form, valid against OTA 2015A and the
AlpineBits XSDs that use OTA_HotelInvCountNotifRQ (2020-10, 2022-10, 2024-10), every night of the range
of every room type carried once, only the first message of a set cut in pieces marked CompleteSet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from lxml import etree
from ota_schemas import CONFORMANCE

from canonical.ari import AvailabilityCell
from connectors.ota.ari_ranges import availability_ranges
from connectors.ota.ari_shaping import ChannelCodes, OutboundMessage, Shaping, shape
from connectors.ota.settings import HOTEL_INV_COUNT_NOTIF_RQ, OTA_NS

STAMP = datetime(2031, 2, 1, 8, 30, tzinfo=UTC)
FIRST = date(2031, 3, 1)
NIGHTS = 30
CODES = ChannelCodes(
    "ALP-4711", lambda room: {"DBL": ["DZSTD"], "FAM": ["FAMZI"]}.get(room, []), lambda p: [p]
)
# the AlpineBits versions whose FreeRooms is OTA_HotelInvCountNotifRQ (before 2020-10: HotelAvailNotifRQ)
ALPINEBITS_XSD = (
    CONFORMANCE / "alpinebits-noi-opendatahub" / "alpinebits-xml" / "api" / "src" / "main" / "resources"
)
VERSIONS = ["2020-10", "2022-10", "2024-10"]
SHAPES = {
    "one message": Shaping(complete_sets=True),
    "cut in pieces": Shaping(complete_sets=True, max_cells=25, max_span_days=10),
}


@cache
def alpinebits_schema(version: str) -> etree.XMLSchema:
    """The NOI AlpineBits XSD of a version, compiled once."""
    path = ALPINEBITS_XSD / f"alpinebits-{version}.xsd"
    if not path.is_file():
        pytest.skip(f"no AlpineBits XSD at {path}")
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


def rooms_left() -> list[AvailabilityCell]:
    """Two room types over the range, with runs of sold-out (0) nights between free ones."""
    return [
        AvailabilityCell(room_type=room, night=FIRST + timedelta(days=i), available=(i // 4 + offset) % 3)
        for offset, room in enumerate(("DBL", "FAM"))
        for i in range(NIGHTS)
    ]


def complete_set(shaping: Shaping, cells: list[AvailabilityCell]) -> list[OutboundMessage]:
    """The messages of a complete set of `cells`."""
    return shape(
        CODES,
        shaping,
        currency="EUR",
        stamp=STAMP,
        echo_prefix="cs-1",
        availability=availability_ranges(cells),
        complete_set=True,
    )


def parsed(message: OutboundMessage) -> etree._Element:
    """The message's XML."""
    return etree.fromstring(message.body)


def carried(messages: list[OutboundMessage]) -> dict[tuple[str, date], int]:
    """(partner room code, night) -> rooms left, over every message; a night given twice fails."""
    found: dict[tuple[str, date], int] = {}
    for message in messages:
        for inventory in parsed(message).iterfind(f"{{{OTA_NS}}}Inventories/{{{OTA_NS}}}Inventory"):
            control = inventory.find(f"{{{OTA_NS}}}StatusApplicationControl")
            count = inventory.find(f"{{{OTA_NS}}}InvCounts/{{{OTA_NS}}}InvCount")
            assert control is not None and count is not None
            start, end = (
                date.fromisoformat(control.get("Start", "")),
                date.fromisoformat(control.get("End", "")),
            )
            for offset in range((end - start).days + 1):
                key = (control.get("InvTypeCode", ""), start + timedelta(days=offset))
                assert key not in found, f"{key} carried twice"
                found[key] = int(count.get("Count", ""))
    return found


def unique_ids(message: OutboundMessage) -> list[dict[str, str]]:
    """The attributes of the message's UniqueID elements."""
    return [dict(u.attrib) for u in parsed(message).iterfind(f"{{{OTA_NS}}}UniqueID")]


@pytest.mark.parametrize("shape_name", list(SHAPES))
def test_given_a_range_of_rooms_left_when_shaped_as_a_complete_set_then_every_night_once_and_first_marked(
    shape_name: str,
) -> None:
    cells = rooms_left()

    messages = complete_set(SHAPES[shape_name], cells)

    assert {m.message_name for m in messages} == {HOTEL_INV_COUNT_NOTIF_RQ}
    assert unique_ids(messages[0]) == [{"Type": "16", "ID": "1", "Instance": "CompleteSet"}]
    assert [m.complete_set for m in messages] == [True] + [False] * (len(messages) - 1)
    assert all(unique_ids(m) == [] for m in messages[1:])  # the pieces add to the set, never wipe it
    expected = {(CODES.room_types(c.room_type)[0], c.night): c.available for c in cells}
    assert carried(messages) == expected  # every night of each room type, sold-out ones as Count 0
    assert 0 in expected.values()
    assert all(set(parsed(m).attrib) == {"Version"} for m in messages)  # AlpineBits declares no other


@pytest.mark.parametrize("shape_name", list(SHAPES))
def test_given_a_complete_set_when_validated_then_it_is_valid_against_2015a_and_alpinebits(
    ota_2015a_schema: Callable[[str], etree.XMLSchema], shape_name: str
) -> None:
    messages = complete_set(SHAPES[shape_name], rooms_left())
    reset = complete_set(Shaping(complete_sets=True), [])  # nothing to sell at all

    for message in [*messages, *reset]:
        document = etree.ElementTree(parsed(message))
        schema = ota_2015a_schema(HOTEL_INV_COUNT_NOTIF_RQ)
        assert schema.validate(document), f"2015A: {schema.error_log}"
        for version in VERSIONS:
            ab = alpinebits_schema(version)
            assert ab.validate(document), f"AlpineBits {version}: {ab.error_log}"


def test_given_no_room_to_sell_when_shaped_as_a_complete_set_then_one_reset_message() -> None:
    (reset,) = complete_set(Shaping(complete_sets=True), [])

    inventories = parsed(reset).findall(f"{{{OTA_NS}}}Inventories/{{{OTA_NS}}}Inventory")

    assert reset.complete_set and reset.items == ()
    assert [len(i) for i in inventories] == [0]  # AlpineBits: an empty Inventory, nothing free


def test_given_a_channel_without_complete_sets_when_asked_for_one_then_plain_deltas() -> None:
    messages = complete_set(Shaping(), rooms_left())

    assert all(unique_ids(m) == [] and not m.complete_set for m in messages)
    assert "EchoToken" in parsed(messages[0]).attrib
    assert carried(messages) == {
        (CODES.room_types(c.room_type)[0], c.night): c.available for c in rooms_left()
    }


def test_given_the_alpinebits_samples_when_read_then_they_use_the_form_the_hub_writes() -> None:
    """The complete set the hub writes has the shape of NOI's FreeRooms 2024-10 sample."""
    sample = Path(
        CONFORMANCE,
        "alpinebits-noi-opendatahub/alpinebits-xml/impl/src/test/resources/examples/v_2024_10",
        "FreeRooms-OTA_HotelInvCountNotifRQ.xml",
    )
    if not sample.is_file():
        pytest.skip(f"no sample at {sample}")
    root = etree.parse(str(sample), etree.XMLParser(no_network=True, resolve_entities=False)).getroot()
    (unique,) = root.iterfind(f"{{{OTA_NS}}}UniqueID")

    assert dict(unique.attrib) == unique_ids(complete_set(Shaping(complete_sets=True), rooms_left())[0])[0]
