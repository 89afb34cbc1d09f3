"""Schemathesis over the OpenAPI document of a live `hotelhub serve`: the REST API and /ota answer
every generated request, valid or not, as documented, and the hub still books afterwards.

Bounded and repeatable: a fixed number of examples per operation and mode, derandomised.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from harness import DEMO_CONFIG, apply_file
from hypothesis import HealthCheck, given, settings
from lxml import etree
from ota_builders import OTAONE, commit, reservation
from processes import HubProcesses
from schemathesis import checks
from schemathesis.generation import GenerationMode

from hub.demo.partners import parse_answer
from hub.schema import upgrade_async

TOKEN = "fuzz-operator-token"
OPERATOR = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = 25
# the credentials of the schemes the document declares: negative cases leave them out on purpose
CONFIG = schemathesis.Config.from_dict(
    {
        "auth": {
            "openapi": {
                "operatorBearer": {"bearer": TOKEN},
                "partnerBasic": {"username": OTAONE[0], "password": OTAONE[1]},
            }
        }
    }
)
SCHEMA_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.ignored_auth,
    checks.unsupported_method,
]
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@schemathesis.serializer("text/xml", "application/xml", "application/soap+xml")
def _raw_xml(ctx: Any, value: Any) -> bytes:
    """The generated body as it is: a partner posts a document, not a value wrapped in <data>."""
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else repr(value)).encode()


class _OperatorHub(HubProcesses):
    """`hotelhub serve` with an operator token, so a request without credentials is refused."""

    def env(self, **extra: str) -> dict[str, str]:
        """The environment, with the operator's token."""
        return super().env(HUB_API_TOKEN=TOKEN, **extra)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[_OperatorHub]:
    """An embedded `hotelhub serve` on a migrated SQLite file with the demo configuration."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"

    async def prepare() -> None:
        await upgrade_async(database_url)
        await apply_file(database_url, DEMO_CONFIG)

    asyncio.run(prepare())
    hub = _OperatorHub(tmp_path, database_url, broker_url="")
    hub.start_serve()
    try:
        yield hub
    finally:
        hub.stop()


def _is_ota_answer(body: bytes) -> bool:
    # an OTA RS with Success or Errors, plain or in a SOAP body; OTA_ErrorRS for an unknown root
    root = etree.fromstring(body, _SAFE_XML)
    names = {etree.QName(element).localname for element in root.iter() if isinstance(element.tag, str)}
    answered = bool(names & {"Success", "Errors"}) and any(name.startswith("OTA_") for name in names)
    return answered or "OTA_ErrorRS" in names


def _answered_as_documented(case: Any, response: Any) -> None:
    # every REST error is a problem document; every /ota answer is an OTA RS
    media = response.headers.get("content-type", [""])[0].split(";")[0]
    if case.path == "/ota":
        assert media in ("text/xml", "application/soap+xml"), (response.status_code, media)
        assert _is_ota_answer(response.content), response.content[:300]
    elif response.status_code >= 400:
        assert media == "application/problem+json", (response.status_code, media, response.content[:300])
        problem = response.json()
        assert problem["status"] == response.status_code and problem["type"].startswith("urn:hotelhub:")


def _booked(served: _OperatorHub, reservation_id: str) -> bool:
    # the embedded dispatcher books it shortly after the answer: wait for the booking itself
    url = f"{served.base_url}/api/v1/properties/ALPINA/bookings"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = httpx.get(url, params={"partner_reservation_id": reservation_id}, headers=OPERATOR).json()
        if found:
            return True
        time.sleep(0.1)
    return False


def _fuzz(operation: Any, mode: GenerationMode, **fixed: Any) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call()
        # /ota answers a message it cannot read 200 with OTA Errors (the protocol's way), not a 4xx,
        # and must read the body before it knows the credentials (a WS-Security header is in it)
        excluded = [checks.negative_data_rejection, checks.ignored_auth] if case.path == "/ota" else []
        case.validate_response(response, checks=SCHEMA_CHECKS, excluded_checks=excluded)
        _answered_as_documented(case, response)

    run()


def test_given_generated_requests_when_sent_to_every_operation_then_answered_as_documented_and_hub_healthy(
    served: _OperatorHub,
) -> None:
    schema = schemathesis.openapi.from_url(f"{served.base_url}/openapi.json", config=CONFIG)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/ota", "/api/v1/properties/{code}/bookings"}

    document = httpx.get(f"{served.base_url}/openapi.json").json()
    for operation in operations:
        declared = document["paths"][operation.path][operation.method.lower()]
        _fuzz(operation, GenerationMode.POSITIVE)
        if {"parameters", "requestBody", "security"} & set(declared):  # else nothing can be invalid
            _fuzz(operation, GenerationMode.NEGATIVE)
        if "{code}" in operation.path:
            _fuzz(operation, GenerationMode.POSITIVE, path_parameters={"code": "ALPINA"})

    assert httpx.get(f"{served.base_url}/readyz").status_code == 200
    pushed = httpx.post(
        f"{served.base_url}/ota",
        content=commit(reservation("FUZZ-AFTER-1")),
        auth=OTAONE,
        headers={"content-type": "text/xml"},
    )
    assert parse_answer(pushed.content).success, pushed.text
    assert _booked(served, "FUZZ-AFTER-1"), "the push after the fuzzing was not booked"
