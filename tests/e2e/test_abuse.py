"""Hostile and broken input at the OTA door, on both transports: the OTA error docs/ota.md lists for
each, nothing created, no URL a document names ever contacted (how fast: bench/codec_abuse.py)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import yaml
from door_rows import door_outbox_rows
from harness import DEMO_CONFIG, RunningHub, ota_codes, running_hub
from ota_builders import OTAONE, commit, reservation
from ota_schemas import assert_ota_valid_where_known
from sqlalchemy import text
from tripwire import Tripwire

from hub.demo.partners import parse_answer

OTA_NS = "http://www.opentravel.org/OTA/2003/05"
XI_NS = "http://www.w3.org/2001/XInclude"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
HEAD = f'<OTA_HotelResNotifRQ xmlns="{OTA_NS}" Version="1.0">'
MALFORMED = (("7", "450"),)  # EWT 7 (unknown), ERR 450 (unable to process)


def attacks(url: Callable[[str], str]) -> dict[str, bytes]:
    """Each hostile or broken body; the ones naming a URL name `url(path)` (the tripwire's)."""
    return {
        "xxe-file-entity": (
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>{HEAD}&x;</OTA_HotelResNotifRQ>'
        ).encode(),
        "xxe-network-entity": (
            f'<!DOCTYPE r [<!ENTITY x SYSTEM "{url("entity.xml")}">]>{HEAD}&x;</OTA_HotelResNotifRQ>'
        ).encode(),
        "external-parameter-entity": (
            f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url("p.dtd")}"> %p;]>{HEAD}</OTA_HotelResNotifRQ>'
        ).encode(),
        "billion-laughs": (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
            '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
            '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
            f"{HEAD}&h;</OTA_HotelResNotifRQ>"
        ).encode(),
        "external-dtd": (
            f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{url("evil.dtd")}">{HEAD}</OTA_HotelResNotifRQ>'
        ).encode(),
        "nesting-5000": (HEAD + "<a>" * 5000 + "</a>" * 5000 + "</OTA_HotelResNotifRQ>").encode(),
        "body-10mb": HEAD.encode()
        + b"<Comment>"
        + b"x" * (10 * 1024 * 1024)
        + b"</Comment></OTA_HotelResNotifRQ>",
        "truncated": commit(reservation("ABUSE-1"))[:700],
        "not-xml": b"\x00\x01 certainly not xml {json: true}",
        "empty": b"",
        "white-space-only": b"  \n\t ",
    }


ATTACK_NAMES = sorted(attacks(lambda path: f"http://127.0.0.1:9/{path}"))
# HTTP status and the OTA error of each refusal (docs/ota.md, "Answers and error codes"); a body
# whose message name cannot be read is answered with OTA_ErrorRS, whose only code is ErrorCode.
EXPECTED: dict[str, tuple[int, tuple[tuple[str, str], ...]]] = {
    name: (413, MALFORMED) if name == "body-10mb" else (200, MALFORMED) for name in ATTACK_NAMES
}
EXPECTED["not-xml"] = (200, (("OTA_ErrorRS", "Malformed"),))
EXPECTED["empty"] = EXPECTED["white-space-only"] = (200, (("OTA_ErrorRS", "10/321"),))


def naming_urls(body: bytes, tripwire: Tripwire) -> bytes:
    """A booking whose root carries an xsi:schemaLocation and an XInclude, both at the tripwire."""
    root = b'<OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05"'
    extra = (
        f' xmlns:xi="{XI_NS}" xmlns:xsi="{XSI_NS}"'
        f' xsi:schemaLocation="{OTA_NS} {tripwire.url("OTA_HotelResNotifRQ.xsd")}"'
    ).encode()
    include = f'<xi:include href="{tripwire.url("include.xml")}" parse="xml"/>'.encode()
    body = body.replace(root, root + extra, 1)
    return body.replace(b"<POS>", include + b"<POS>", 1)


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
async def hub(transport: tuple[str, str, str | None], tmp_path: Path) -> AsyncIterator[RunningHub]:
    """A hub on each transport whose config adds BERGHOF, granted (and mapped) to otaone only."""
    mode, database_url, broker_url = transport
    config = _config_with_second_property(tmp_path)
    async with running_hub(mode, database_url, broker_url, tmp_path, config=config) as running:
        yield running


async def _count(running: RunningHub, table: str) -> int:
    async with running.hub.reader.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def _nothing_created(running: RunningHub) -> None:
    for table in ("bookings", "inbound_messages", "dead_letters"):
        assert await _count(running, table) == 0, f"{table} is not empty"
    async with running.hub.reader.connect() as conn:
        caused = await door_outbox_rows(conn)
    assert caused == 0, "the outbox holds a message the push caused"


@pytest.mark.parametrize("attack", ATTACK_NAMES)
async def test_given_a_hostile_body_when_pushed_then_its_ota_error_nothing_created_and_no_url_contacted(
    hub: RunningHub, attack: str, tripwire: Tripwire
) -> None:
    response = await hub.push(attacks(tripwire.url)[attack], OTAONE)
    status, codes = EXPECTED[attack]
    assert response.status_code == status
    assert not parse_answer(response.content).success
    assert ota_codes(response) == codes
    await _nothing_created(hub)
    tripwire.assert_untouched()
    assert (await hub.http.get("/healthz")).status_code == 200
    assert (await hub.http.get("/readyz")).status_code == 200


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
async def test_given_a_content_type_that_is_not_xml_when_pushed_then_415_with_an_ota_error_and_nothing_is_created(
    hub: RunningHub, content_type: str
) -> None:
    response = await hub.http.post(
        "/ota", content=commit(reservation("ABUSE-4")), auth=OTAONE, headers={"content-type": content_type}
    )
    assert response.status_code == 415
    assert_ota_valid_where_known(response.content)
    assert ota_codes(response) == (("OTA_ErrorRS", "Malformed"),)
    await _nothing_created(hub)


async def test_given_a_booking_naming_a_schema_location_and_an_xinclude_when_pushed_then_booked_as_data_and_no_url_contacted(
    hub: RunningHub, tripwire: Tripwire
) -> None:
    response = await hub.push(naming_urls(commit(reservation("URLS-1")), tripwire), OTAONE)
    assert parse_answer(response.content).success, response.text

    async def booked() -> bool:
        return await _count(hub, "bookings") == 1 and await hub.settled()

    await hub.eventually(booked, what="the booking")
    tripwire.assert_untouched()


async def test_given_wrong_credentials_when_pushing_then_497_and_nothing_is_created(hub: RunningHub) -> None:
    for auth in (("otaone", "wrong"), ("nobody", "otaone-secret"), None):
        response = await hub.push(commit(reservation("ABUSE-2")), auth)
        assert response.status_code == 401
        assert ota_codes(response) == (("4", "497"),)
    await _nothing_created(hub)


async def test_given_repeated_wrong_passwords_from_one_address_when_the_right_one_follows_then_refused_until_the_window_ends(
    transport: tuple[str, str, str | None], tmp_path: Path
) -> None:
    mode, database_url, broker_url = transport
    async with running_hub(
        mode, database_url, broker_url, tmp_path, auth_failures_max=3, auth_failure_window_seconds=1.5
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
            assert ota_codes(refused) == (("4", "497"),)
            assert b"too many failed logins" in refused.content
            # the partner itself, from its own address, is not locked out by a stranger's guesses
            assert parse_answer((await running.push(commit(reservation("GUESS-2")), OTAONE)).content).success
            await asyncio.sleep(1.6)
            assert parse_answer((await push_from_elsewhere(OTAONE)).content).success
        assert await _count(running, "inbound_messages") == 2


async def test_given_a_hotel_code_of_another_partner_when_pushed_or_its_property_read_then_refused_and_nothing_is_created(
    hub: RunningHub,
) -> None:
    spec = reservation("ABUSE-3")
    foreign = commit(spec).replace(b'HotelCode="ALP-4711"', b'HotelCode="BGH-1"')
    response = await hub.push(foreign, ("otatwo-alpina", "otatwo-secret"))
    assert ota_codes(response) == (("3", "392"),)  # BGH-1 is no hotel code of otatwo's
    await _nothing_created(hub)
    api = await hub.http.get("/api/v1/properties/BERGHOF/bookings", auth=("otatwo-alpina", "otatwo-secret"))
    assert api.status_code == 403
    assert api.headers["content-type"] == "application/problem+json"
