"""What the door answers a careless partner, and the one log line it writes for every refusal."""

from __future__ import annotations

import logging

import httpx
import pytest
from ota_builders import OTAONE, TEST_PAN, commit, reservation
from sqlalchemy import func, select

from hub.app import create_app
from hub.bootstrap import Hub
from routes.tables import inbound_messages

XML = {"content-type": "text/xml"}


def client(hub: Hub) -> httpx.AsyncClient:
    """A client on the whole app: the door answers POST /ota."""
    app = create_app(hub=hub)
    app.state.hub = hub
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The door's refusal lines captured so far."""
    return [r for r in caplog.records if getattr(r, "event", None) == "push_refused"]


async def stored(hub: Hub) -> int:
    """How many inbound messages the door journalled."""
    async with hub.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(inbound_messages))).scalar_one())


@pytest.mark.parametrize("body", [b"", b"  \r\n\t "])
async def test_given_an_empty_body_when_pushed_then_required_field_missing_10_321(
    door: Hub, body: bytes
) -> None:
    async with client(door) as http:
        answer = await http.post("/ota", content=body, auth=OTAONE, headers=XML)
    assert answer.status_code == 200
    assert b'ErrorCode="10/321"' in answer.content and b"no body" in answer.content
    assert await stored(door) == 0


@pytest.mark.parametrize("body", [b'{"booking": 1}', b"hello", b"\xef\xbb\xbf  Commit"])
async def test_given_a_body_that_is_not_xml_when_pushed_then_malformed_7_450_saying_so(
    door: Hub, body: bytes
) -> None:
    async with client(door) as http:
        answer = await http.post("/ota", content=body, auth=OTAONE, headers=XML)
    assert answer.status_code == 200
    assert b'ErrorCode="Malformed"' in answer.content and b"is not XML" in answer.content


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain; charset=utf-8", "multipart/form-data"]
)
async def test_given_a_content_type_that_is_not_xml_when_pushed_then_415_and_nothing_kept(
    door: Hub, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "hotelhub.ingress")
    async with client(door) as http:
        answer = await http.post(
            "/ota",
            content=commit(reservation("MEDIA-1")),
            auth=OTAONE,
            headers={"content-type": content_type},
        )
    assert answer.status_code == 415
    assert answer.headers["content-type"].startswith("text/xml")
    assert b"is not XML" in answer.content and b'ErrorCode="Malformed"' in answer.content
    assert await stored(door) == 0
    (line,) = refusals(caplog)
    assert line.http_status == 415  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "content_type", ["text/xml", "application/xml; charset=utf-8", "application/soap+xml", "Text/XML"]
)
async def test_given_an_xml_content_type_when_pushed_then_accepted(door: Hub, content_type: str) -> None:
    async with client(door) as http:
        answer = await http.post(
            "/ota",
            content=commit(reservation(f"MEDIA-{content_type[:8]}")),
            auth=OTAONE,
            headers={"content-type": content_type},
        )
    assert answer.status_code == 200 and b"<Success/>" in answer.content


async def test_given_an_unknown_hotel_when_pushed_then_the_text_names_the_code_once(door: Hub) -> None:
    push = commit(reservation("HOTEL-1")).replace(b"ALP-4711", b"NOPE-1")
    async with client(door) as http:
        answer = await http.post("/ota", content=push, auth=OTAONE, headers=XML)
    assert b'Code="392"' in answer.content
    assert b">hotel code 'NOPE-1' is not mapped</Error>" in answer.content
    assert answer.content.count(b"NOPE-1") == 1  # in the Error's text; the answer names no hotel else


@pytest.mark.parametrize(
    ("case", "push", "auth", "ota_code", "hotel"),
    [
        ("wrong password", commit(reservation("LOG-1")), ("otaone", "nope"), "4/497", "ALP-4711"),
        ("malformed", b"<OTA_HotelResNotifRQ", OTAONE, "7/450", None),
        (
            "unknown hotel",
            commit(reservation("LOG-2")).replace(b"ALP-4711", b"NOPE-2"),
            OTAONE,
            "3/392",
            "NOPE-2",
        ),
        (
            "unmapped room",
            commit(reservation("LOG-3")).replace(b"DZSTD", b"NOROOM"),
            OTAONE,
            "3/402",
            "ALP-4711",
        ),
    ],
)
async def test_given_a_refused_push_when_answered_then_exactly_one_log_line_with_its_facts(
    door: Hub,
    caplog: pytest.LogCaptureFixture,
    case: str,
    push: bytes,
    auth: tuple[str, str],
    ota_code: str,
    hotel: str | None,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with client(door) as http:
        answer = await http.post(
            "/ota", content=push, auth=auth, headers={**XML, "x-correlation-id": f"cid-{case[:4]}"}
        )
    assert b"<Success/>" not in answer.content
    (line,) = refusals(caplog)
    assert line.ota_code == ota_code  # type: ignore[attr-defined]
    assert line.hotel_code == hotel  # type: ignore[attr-defined]
    assert line.correlation_id == f"cid-{case[:4]}"  # type: ignore[attr-defined]
    assert line.reason  # type: ignore[attr-defined]
    assert line.partner == (None if case in ("wrong password", "malformed") else "otaone")  # type: ignore[attr-defined]
    for record in caplog.records:
        assert TEST_PAN not in record.getMessage() and TEST_PAN not in str(record.__dict__)


async def test_given_an_accepted_push_when_answered_then_no_refusal_line(
    door: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with client(door) as http:
        answer = await http.post("/ota", content=commit(reservation("LOG-OK")), auth=OTAONE, headers=XML)
    assert b"<Success/>" in answer.content
    assert refusals(caplog) == []


async def test_given_the_hub_cannot_store_when_pushed_then_one_error_line_with_the_traceback(
    door: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await door.journal.stop()
    try:
        async with client(door) as http:
            answer = await http.post("/ota", content=commit(reservation("LOG-503")), auth=OTAONE, headers=XML)
    finally:
        await door.journal.start()
    assert answer.status_code == 503
    (line,) = refusals(caplog)
    assert line.levelno == logging.ERROR and line.exc_info is not None
    assert line.ota_code == "12/187"  # type: ignore[attr-defined]
    assert [r for r in caplog.records if r.name == "hotelhub.ingress"] == [line]
