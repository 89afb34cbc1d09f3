"""POST /ota through the ASGI door and through the documented FastAPI route: the same answers."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from ota_builders import OTAONE, TEST_PAN, commit, reservation
from sqlalchemy import select

from hub import http_ota
from hub.app import create_app
from hub.bootstrap import Hub
from hub.http_ota import OtaDoor
from routes.tables import inbound_messages

STAMP = re.compile(rb'TimeStamp="[^"]*"')


def clients(hub: Hub) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    """One client on the whole app (the door answers), one on an app with only the /ota route."""
    door = create_app(hub=hub)
    door.state.hub = hub
    route_only = FastAPI()
    route_only.include_router(http_ota.router)
    route_only.state.hub = hub
    return (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=door), base_url="http://hub"),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=route_only), base_url="http://hub"),
    )


PUSHES: dict[str, dict[str, Any]] = {
    "accepted": {"content": commit(reservation("DOOR-1")), "auth": OTAONE},
    "wrong_password": {"content": commit(reservation("DOOR-2")), "auth": ("otaone", "nope")},
    "no_credentials": {"content": commit(reservation("DOOR-3"))},
    "malformed": {"content": b"<OTA_HotelResNotifRQ", "auth": OTAONE},
    "over_the_cap": {"content": b"<OTA_HotelResNotifRQ>" + b" " * (2 * 1024 * 1024), "auth": OTAONE},
}


@pytest.mark.parametrize("case", list(PUSHES))
async def test_given_a_push_when_answered_by_the_door_and_by_the_route_then_the_same_answer(
    door: Hub, case: str
) -> None:
    through_door, through_route = clients(door)
    async with through_door, through_route:
        first = await through_door.post("/ota", headers={"content-type": "text/xml"}, **PUSHES[case])
        second = await through_route.post("/ota", headers={"content-type": "text/xml"}, **PUSHES[case])
    assert first.status_code == second.status_code
    assert first.headers == second.headers
    assert STAMP.sub(b"", first.content) == STAMP.sub(b"", second.content)
    assert TEST_PAN.encode() not in first.content


async def test_given_other_methods_and_paths_when_requested_then_fastapi_answers_them(door: Hub) -> None:
    through_door, _ = clients(door)
    async with through_door:
        assert (await through_door.get("/ota")).status_code == 405
        assert (await through_door.get("/healthz")).json() == {"status": "ok"}
        assert "/ota" in (await through_door.get("/openapi.json")).json()["paths"]


async def test_given_a_partner_that_hangs_up_when_its_body_is_read_then_nothing_is_answered(
    door: Hub,
) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    app = create_app(hub=door)
    app.state.hub = door
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/ota",
        "root_path": "",
        "headers": [],
        "app": app,
    }
    await OtaDoor(app)(scope, receive, send)
    assert sent == []


@pytest.mark.parametrize("given", ["x" * 300, "two words", ""])
async def test_given_a_correlation_id_that_cannot_be_stored_when_pushed_then_replaced_and_accepted(
    door: Hub, given: str
) -> None:
    through_door, _ = clients(door)
    spec = reservation(f"DOOR-CID-{len(given)}")
    async with through_door:
        answer = await through_door.post(
            "/ota",
            content=commit(spec),
            auth=OTAONE,
            headers={"content-type": "text/xml", "x-correlation-id": given},
        )
    assert answer.status_code == 200 and b"<Success/>" in answer.content
    async with door.engine.connect() as conn:
        stored = (await conn.execute(select(inbound_messages.c.correlation_id))).scalars().all()
    assert len(stored) == 1 and stored[0] != given and len(stored[0]) == 36


async def test_given_a_partner_correlation_id_when_pushed_then_it_is_kept(door: Hub) -> None:
    through_door, _ = clients(door)
    async with through_door:
        await through_door.post(
            "/ota",
            content=commit(reservation("DOOR-CID-OK")),
            auth=OTAONE,
            headers={"content-type": "text/xml", "x-correlation-id": "partner-4711/abc"},
        )
    async with door.engine.connect() as conn:
        stored = (await conn.execute(select(inbound_messages.c.correlation_id))).scalars().all()
    assert stored == ["partner-4711/abc"]


async def test_given_the_hub_cannot_store_a_push_when_pushed_then_ota_service_unavailable_and_a_retry_is_accepted(
    door: Hub,
) -> None:
    through_door, _ = clients(door)
    push = commit(reservation("DOOR-DOWN-1"))
    await door.journal.stop()  # what a shutting-down hub or a lost database leaves the door with
    async with through_door:
        refused = await through_door.post(
            "/ota", content=push, auth=OTAONE, headers={"content-type": "text/xml"}
        )
        await door.journal.start()
        retried = await through_door.post(
            "/ota", content=push, auth=OTAONE, headers={"content-type": "text/xml"}
        )

    assert refused.status_code == 503
    assert b"<OTA_HotelResNotifRS" in refused.content
    assert b'Type="12"' in refused.content and b'Code="187"' in refused.content
    assert TEST_PAN.encode() not in refused.content
    assert retried.status_code == 200 and b"<Success/>" in retried.content
    async with door.engine.connect() as conn:
        stored = (await conn.execute(select(inbound_messages.c.outcome))).scalars().all()
    assert stored == ["accepted"]


async def test_given_the_hub_cannot_store_a_soap_push_when_pushed_then_service_unavailable_in_soap(
    door: Hub,
) -> None:
    through_door, _ = clients(door)
    soap12 = "http://www.w3.org/2003/05/soap-envelope"
    payload = commit(reservation("DOOR-DOWN-2")).decode().split("?>", 1)[-1]
    push = f'<s:Envelope xmlns:s="{soap12}"><s:Header/><s:Body>{payload}</s:Body></s:Envelope>'.encode()
    await door.journal.stop()
    async with through_door:
        refused = await through_door.post(
            "/ota", content=push, auth=OTAONE, headers={"content-type": "application/soap+xml"}
        )
    await door.journal.start()

    assert refused.status_code == 503
    assert f'<soap:Envelope xmlns:soap="{soap12}">'.encode() in refused.content
    assert b"<OTA_HotelResNotifRS" in refused.content and b'Code="187"' in refused.content
    assert TEST_PAN.encode() not in refused.content
