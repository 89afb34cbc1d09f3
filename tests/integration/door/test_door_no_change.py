"""Pushes that change nothing (a quote, phase one of a cancellation, an ignore): answered, nothing stored."""

from __future__ import annotations

import httpx
import pytest
from door_rows import door_outbox_rows
from ota_builders import OTAONE, cancel, commit, reservation
from sqlalchemy import func, select

from hub.app import create_app
from hub.bootstrap import Hub
from routes.tables import dead_letters, inbound_messages

XML = {"content-type": "text/xml"}


def client(hub: Hub) -> httpx.AsyncClient:
    """A client on the whole app: the door answers POST /ota."""
    app = create_app(hub=hub)
    app.state.hub = hub
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")


async def counts(hub: Hub) -> tuple[int, int, int]:
    """(inbound messages, outbox rows, dead letters) the door has written."""
    async with hub.engine.connect() as conn:
        found = [
            int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
            for table in (inbound_messages, dead_letters)
        ]
        queued = await door_outbox_rows(conn)
    return found[0], queued, found[1]


@pytest.mark.parametrize(
    ("cancel_type", "status"), [("Initiate", "Pending"), ("Ignore", "Ignored"), ("Quote", "Unchanged")]
)
async def test_given_a_cancel_rq_that_does_not_commit_when_pushed_then_success_with_its_status_and_nothing_stored(
    door: Hub, cancel_type: str, status: str
) -> None:
    spec = reservation(f"NOCHANGE-{cancel_type}")
    async with client(door) as http:
        booked = await http.post("/ota", content=commit(spec), auth=OTAONE, headers=XML)
        before = await counts(door)
        push = cancel(spec).replace(b'CancelType="Commit"', f'CancelType="{cancel_type}"'.encode())
        answer = await http.post("/ota", content=push, auth=OTAONE, headers=XML)
    assert b"<Success/>" in booked.content
    assert answer.status_code == 200
    assert b"<OTA_CancelRS" in answer.content and f'Status="{status}"'.encode() in answer.content
    assert b"<Success/>" in answer.content and b"CancelInfoRS" not in answer.content
    assert f'ID="{spec.reservation_id}"'.encode() in answer.content
    assert await counts(door) == before


async def test_given_a_res_notif_whose_reservations_are_ignored_when_pushed_then_success_and_nothing_stored(
    door: Hub,
) -> None:
    push = commit(reservation("NOCHANGE-IGN")).replace(b'ResStatus="Commit"', b'ResStatus="Ignore"')
    async with client(door) as http:
        answer = await http.post("/ota", content=push, auth=OTAONE, headers=XML)
    assert answer.status_code == 200
    assert b"<Success/></OTA_HotelResNotifRS>" in answer.content
    assert await counts(door) == (0, 0, 0)


@pytest.mark.parametrize("status", ["Quote", "Requested", "Hold", "Initiate"])
async def test_given_a_quote_or_hold_res_notif_when_pushed_then_3_356_and_neither_booked_nor_kept(
    door: Hub, status: str
) -> None:
    push = commit(reservation(f"QUOTE-{status}")).replace(
        b'ResStatus="Commit"', f'ResStatus="{status}"'.encode()
    )
    async with client(door) as http:
        answer = await http.post("/ota", content=push, auth=OTAONE, headers=XML)
    assert answer.status_code == 200
    assert b'Type="3" Code="356"' in answer.content and b"nothing was booked" in answer.content
    assert await counts(door) == (0, 0, 0)


async def test_given_a_cancel_rq_that_does_not_commit_for_a_foreign_hotel_when_pushed_then_still_refused(
    door: Hub,
) -> None:
    push = (
        cancel(reservation("NOCHANGE-FOREIGN"))
        .replace(b'CancelType="Commit"', b'CancelType="Ignore"')
        .replace(b"ALP-4711", b"NOPE-9")
    )
    async with client(door) as http:
        answer = await http.post("/ota", content=push, auth=OTAONE, headers=XML)
    assert b'Code="392"' in answer.content and b"<Success/>" not in answer.content
