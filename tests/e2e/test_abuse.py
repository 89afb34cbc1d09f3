"""Hostile and broken input at the OTA door: a fast OTA error, nothing created, no card data kept."""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import yaml
from harness import DEMO_CONFIG, RunningHub, running_hub
from ota_builders import OTAONE, commit, reservation
from sqlalchemy import text

from hub.demo.messages import TEST_CARD, TEST_CVV
from hub.demo.partners import parse_answer
from hub.logs import JsonFormatter

OTA_NS = "http://www.opentravel.org/OTA/2003/05"
HEAD = f'<OTA_HotelResNotifRQ xmlns="{OTA_NS}" Version="1.0">'

ATTACKS: dict[str, bytes] = {
    "xxe-file-entity": (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>{HEAD}&x;</OTA_HotelResNotifRQ>'
    ).encode(),
    "billion-laughs": (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
        '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
        f"{HEAD}&h;</OTA_HotelResNotifRQ>"
    ).encode(),
    "external-dtd": (
        f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">{HEAD}</OTA_HotelResNotifRQ>'
    ).encode(),
    "nesting-5000": (HEAD + "<a>" * 5000 + "</a>" * 5000 + "</OTA_HotelResNotifRQ>").encode(),
    "body-10mb": HEAD.encode()
    + b"<Comment>"
    + b"x" * (10 * 1024 * 1024)
    + b"</Comment></OTA_HotelResNotifRQ>",
    "truncated": commit(reservation("ABUSE-1"))[:700],
    "not-xml": b"\x00\x01 certainly not xml {json: true}",
}
EXPECTED_STATUS = {"body-10mb": 413}


def _config_with_second_property(tmp_path: Path) -> Path:
    """The demo config plus BERGHOF, granted (and mapped) to otaone only."""
    target = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG.parent, target)
    config_file = target / DEMO_CONFIG.name
    config = yaml.safe_load(config_file.read_text())
    berghof = {
        "code": "BERGHOF",
        "name": "Berghof Garni",
        "timezone": "Europe/Vienna",
        "currency": "EUR",
        "room_types": [{"code": "DBL", "name": "Double", "max_occupancy": 2, "rooms": ["1", "2", "3"]}],
        "rate_plans": [
            {"code": "BAR", "name": "Best rate", "room_types": ["DBL"], "default_rates": {"DBL": "120.00"}}
        ],
    }
    config["properties"].append(berghof)
    otaone = next(p for p in config["partners"] if p["id"] == "otaone")
    otaone["properties"].append("BERGHOF")
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    mapping_file = target / "mappings" / "ota" / "otaone.yaml"
    mapping = yaml.safe_load(mapping_file.read_text())
    mapping["properties"].append(
        {
            "property": "BERGHOF",
            "hotel_code": "BGH-1",
            "room_types": {"DZ": "DBL"},
            "rate_plans": {"FLEX1": "BAR"},
        }
    )
    mapping_file.write_text(yaml.safe_dump(mapping, sort_keys=False))
    return config_file


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[tuple[RunningHub, Path]]:
    """An embedded hub (SQLite file, so the file itself can be scanned) whose logs go to a file."""
    log_file = tmp_path / "hub.log"
    handler = logging.FileHandler(log_file)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        async with running_hub(
            "embedded",
            f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
            None,
            tmp_path,
            config=_config_with_second_property(tmp_path),
        ) as running:
            yield running, log_file
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


async def _count(running: RunningHub, table: str) -> int:
    async with running.hub.reader.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def _nothing_created(running: RunningHub) -> None:
    for table in ("bookings", "inbound_messages", "outbox", "dead_letters"):
        assert await _count(running, table) == 0, f"{table} is not empty"


@pytest.mark.parametrize("attack", sorted(ATTACKS))
async def test_given_a_hostile_body_when_pushed_then_a_fast_ota_error_and_nothing_is_created(
    hub: tuple[RunningHub, Path], attack: str
) -> None:
    running, _ = hub
    started = time.monotonic()
    response = await running.push(ATTACKS[attack], OTAONE)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, f"{attack} took {elapsed:.2f}s"
    assert response.status_code == EXPECTED_STATUS.get(attack, 200)
    answer = parse_answer(response.content)
    assert not answer.success
    # An answer names its errors: OTA Errors in the matching RS, or OTA_ErrorRS when not even the
    # message name could be read.
    assert answer.errors or (answer.message_name == "OTA_ErrorRS" and b"ErrorCode=" in response.content)
    await _nothing_created(running)
    assert (await running.http.get("/healthz")).status_code == 200
    assert (await running.http.get("/readyz")).status_code == 200


async def test_given_wrong_credentials_when_pushing_then_497_and_nothing_is_created(
    hub: tuple[RunningHub, Path],
) -> None:
    running, _ = hub
    for auth in (("otaone", "wrong"), ("nobody", "otaone-secret"), None):
        response = await running.push(commit(reservation("ABUSE-2")), auth)
        assert response.status_code == 401
        assert parse_answer(response.content).error_codes == ("497",)
    await _nothing_created(running)


async def test_given_repeated_wrong_passwords_from_one_address_when_the_right_one_follows_then_refused_until_the_window_ends(
    tmp_path: Path,
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    async with running_hub(
        "embedded", database, None, tmp_path, auth_failures_max=3, auth_failure_window_seconds=1.5
    ) as running:
        other_address = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(base_url=running.base_url, transport=other_address) as stranger:

            async def push_from_elsewhere(auth: tuple[str, str]) -> httpx.Response:
                body = commit(reservation("GUESS-1"))
                return await stranger.post(
                    "/ota", content=body, auth=auth, headers={"content-type": "text/xml"}
                )

            for _ in range(3):
                assert (await push_from_elsewhere(("otaone", "guess"))).status_code == 401
            # the right password is not even checked now: no guess can succeed in the window
            refused = await push_from_elsewhere(OTAONE)
            assert refused.status_code == 429
            assert 1 <= int(refused.headers["retry-after"]) <= 2
            assert parse_answer(refused.content).error_codes == ("497",)
            assert b"too many failed logins" in refused.content
            # the partner itself, from its own address, is not locked out by a stranger's guesses
            assert parse_answer((await running.push(commit(reservation("GUESS-2")), OTAONE)).content).success
            await asyncio.sleep(1.6)
            assert parse_answer((await push_from_elsewhere(OTAONE)).content).success
        assert await _count(running, "inbound_messages") == 2


async def test_given_a_property_not_granted_when_a_partner_pushes_or_reads_it_then_refused_and_nothing_is_created(
    hub: tuple[RunningHub, Path],
) -> None:
    running, _ = hub
    spec = reservation("ABUSE-3")
    foreign = commit(spec).replace(b'HotelCode="ALP-4711"', b'HotelCode="BGH-1"')
    started = time.monotonic()
    response = await running.push(foreign, ("otatwo-alpina", "otatwo-secret"))
    assert time.monotonic() - started < 1.0
    assert parse_answer(response.content).error_codes == ("392",)
    await _nothing_created(running)
    api = await running.http.get(
        "/api/v1/properties/BERGHOF/bookings", auth=("otatwo-alpina", "otatwo-secret")
    )
    assert api.status_code == 403
    assert api.headers["content-type"] == "application/problem+json"


async def test_given_bookings_and_attacks_with_cards_when_done_then_no_pan_or_cvv_in_database_logs_or_dead_letters(
    hub: tuple[RunningHub, Path], tmp_path: Path
) -> None:
    running, log_file = hub
    accepted = await running.push(commit(reservation("CARD-1")), OTAONE)
    assert parse_answer(accepted.content).success
    unmapped = commit(reservation("CARD-2")).replace(b'RoomTypeCode="DZSTD"', b'RoomTypeCode="NOPE"')
    assert parse_answer((await running.push(unmapped, OTAONE)).content).error_codes == ("402",)
    for attack in ATTACKS.values():
        await running.push(attack, OTAONE)
    await running.push(commit(reservation("CARD-3")), ("otaone", "wrong"))

    async def booked() -> bool:
        return await _count(running, "bookings") == 1

    await running.eventually(booked, what="the booking")
    assert await _count(running, "dead_letters") == 1
    async with running.hub.reader.connect() as conn:
        letters = [r[0] for r in await conn.execute(text("SELECT body FROM dead_letters"))]
    assert "Token=" in letters[0]
    for blob in letters:
        assert TEST_CARD not in blob and "SeriesCode" not in blob
    await running.hub.engine.dispose()
    scanned = [p for p in tmp_path.glob("hub.db*")] + [log_file]
    assert len(scanned) >= 2
    for path in scanned:
        data = path.read_bytes()
        assert TEST_CARD.encode() not in data, f"PAN found in {path.name}"
        assert b"SeriesCode" not in data, f"CVV element found in {path.name}"
        assert f">{TEST_CVV}<".encode() not in data, f"CVV found in {path.name}"
