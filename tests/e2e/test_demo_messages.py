"""The partner simulator writes what partners send: OTA 2015A-valid, deterministic, readable by the hub."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest
from lxml import etree
from ota_schemas import ota_2015a_schema

from connectors.ota import codec
from connectors.ota.settings import OTA_NS, SOAP11_NS
from hub.demo.partners import SimulatedPartner, parse_answer
from hub.demo.scenario import Hotel, Planner, Script, write_scripts

NOW = datetime(2031, 3, 1, 9, 30, tzinfo=UTC)
HOTEL = Hotel(
    physical={"DBL": 8, "DSUP": 7, "FAM": 3, "JSU": 3},
    max_occupancy={"DBL": 2, "DSUP": 3, "FAM": 5, "JSU": 4},
    rate_plans=("BAR", "NREF"),
    first_night=date(2031, 4, 10),
    nights=14,
)


def _partner(
    client: httpx.AsyncClient, partner_id: str, hotel: str, rooms: dict[str, str]
) -> SimulatedPartner:
    return SimulatedPartner(
        partner_id,
        f"{partner_id}-user",
        "s3cret-pass",
        hotel,
        rooms,
        {"BAR": "FLEX1", "NREF": "NRF1"},
        "http://127.0.0.1:9",
        client,
        name=partner_id.upper(),
        prices={("BAR", "DBL"): Decimal("180.00")},
    )


def _scripts(seed: int, client: httpx.AsyncClient) -> list[Script]:
    partners = [
        _partner(
            client, "otaone", "ALP-4711", {"DBL": "DZSTD", "DSUP": "DZSUP", "FAM": "FAMZI", "JSU": "JSUITE"}
        ),
        _partner(
            client,
            "otatwo",
            "100872",
            {"DBL": "10087201", "DSUP": "10087202", "FAM": "10087203", "JSU": "10087204"},
        ),
    ]
    return write_scripts(partners, Planner(HOTEL, random.Random(seed)), 12, now=NOW)


@pytest.fixture
def client() -> Iterator[httpx.AsyncClient]:
    yield httpx.AsyncClient()  # never sends: these tests only build messages


@pytest.fixture(scope="module")
def schemas() -> dict[str, etree.XMLSchema]:
    return {name: ota_2015a_schema(name) for name in ("OTA_HotelResNotifRQ", "OTA_CancelRQ")}


def _messages(scripts: list[Script]) -> list[tuple[str, bytes]]:
    return [(push.step, push.message) for script in scripts for phase in script.phases for push in phase]


def test_given_a_seeded_script_when_every_message_is_validated_then_all_are_ota_2015a_valid(
    client: httpx.AsyncClient, schemas: dict[str, etree.XMLSchema]
) -> None:
    messages = _messages(_scripts(7, client))
    kinds = set()
    for step, body in messages:
        request = codec.read_request(body, max_bytes=1 << 20)
        kinds.add((step, request.message_name, request.soap_version))
        schema = schemas[request.message_name]
        assert schema.validate(request.root), f"{step}: {schema.error_log.last_error}"
    assert {name for _, name, _ in kinds} == {"OTA_HotelResNotifRQ", "OTA_CancelRQ"}
    assert {soap for _, _, soap in kinds} == {None, "1.1"}
    assert {step for step, _, _ in kinds} == {"commit", "modify", "cancel", "repush", "unmapped"}


def test_given_the_same_seed_when_scripts_are_written_twice_then_the_bytes_are_identical(
    client: httpx.AsyncClient,
) -> None:
    assert _messages(_scripts(42, client)) == _messages(_scripts(42, client))
    assert _messages(_scripts(42, client)) != _messages(_scripts(43, client))


def test_given_a_soap_push_when_the_hub_codec_reads_it_then_it_finds_the_username_token(
    client: httpx.AsyncClient,
) -> None:
    scripts = _scripts(7, client)
    soap = next(p.message for s in scripts for phase in s.phases for p in phase if p.reservation.soap)
    request = codec.read_request(soap, max_bytes=1 << 20)
    assert request.soap_version == "1.1"
    assert request.username_token == ("otaone-user", "s3cret-pass", "PasswordText")


def test_given_a_commit_with_a_card_when_written_then_it_carries_a_test_card_in_the_2015a_child_form(
    client: httpx.AsyncClient,
) -> None:
    scripts = _scripts(7, client)
    commit = next(p.message for s in scripts for p in s.phases[0] if p.reservation.spec.card)
    root = codec.read_request(commit, max_bytes=1 << 20).root
    card = root.find(f".//{{{OTA_NS}}}PaymentCard")
    assert card is not None and card.get("CardNumber") is None
    assert card.findtext(f"{{{OTA_NS}}}CardNumber/{{{OTA_NS}}}PlainText") == "4111111111111111"
    assert card.findtext(f"{{{OTA_NS}}}SeriesCode/{{{OTA_NS}}}PlainText") is not None


def test_given_an_answer_in_soap_with_errors_when_parsed_then_the_partner_reads_codes_and_references() -> (
    None
):
    body = (
        f'<soap:Envelope xmlns:soap="{SOAP11_NS}"><soap:Body>'
        f'<OTA_HotelResNotifRS xmlns="{OTA_NS}" Version="1.000"><Errors>'
        '<Error Type="3" Code="402" ShortText="Invalid room type">room type X is not mapped</Error>'
        "</Errors></OTA_HotelResNotifRS></soap:Body></soap:Envelope>"
    ).encode()
    answer = parse_answer(body)
    assert not answer.success
    assert answer.error_codes == ("402",)
    assert answer.message_name == "OTA_HotelResNotifRS"
