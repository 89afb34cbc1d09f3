"""Idempotency-Key on direct bookings: a retried request books once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from harness import PASSWORDS, RunningHub
from sqlalchemy import func, select, update

from canonical.base import utcnow
from canonical.booking import BOOKING_CREATED_V1
from routes.table import DeliveryContext, Route, RoutingTable
from routes.tables import idempotency_keys, outbox

BOOKINGS = "/api/v1/properties/ALPINA/bookings"
OTAONE = ("otaone", PASSWORDS["HUB_PARTNER_OTAONE_PASSWORD"])
OTATWO = ("otatwo-alpina", PASSWORDS["HUB_PARTNER_OTATWO_PASSWORD"])
CONCURRENT = 50


def _request(**changes: Any) -> dict[str, Any]:
    return {
        "room_type_code": "DBL",
        "rate_plan_code": "BAR",
        "arrival": "2031-09-01",
        "departure": "2031-09-03",
        "adults": 2,
        "guests": [{"given_name": "Grace", "surname": "Hopper", "primary": True}],
        **changes,
    }


async def _post(hub: RunningHub, key: str | bytes, body: dict[str, Any], auth: Any = None) -> httpx.Response:
    return await hub.http.post(BOOKINGS, json=body, headers={"Idempotency-Key": key}, auth=auth)


async def _count(hub: RunningHub, table: Any, *where: Any) -> int:
    async with hub.hub.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table).where(*where))).scalar_one())


async def _bookings(hub: RunningHub) -> list[dict[str, Any]]:
    return list(await hub.api(BOOKINGS, stay_from="2031-09-01", stay_to="2031-09-03"))


async def _ignore(_envelope: Any, _context: DeliveryContext) -> None:
    return None


@pytest.fixture
def announcing(hub: RunningHub) -> RunningHub:
    """The hub with a consumer of booking.created.v1, so that each direct booking writes one outbox row.

    No route consumes booking.created.v1 yet, and the API only writes routed events; the transports
    keep the routes they started with, so the row stays in the outbox as unrouted, where it is counted.
    """
    hub.hub.table = RoutingTable([*hub.hub.table.routes, Route(BOOKING_CREATED_V1, "test-created", _ignore)])
    return hub


async def test_given_a_key_when_the_same_booking_is_posted_twice_then_one_booking_replayed_with_one_event(
    announcing: RunningHub,
) -> None:
    hub = announcing
    first = await _post(hub, "retry-0001", _request())
    # The same request, its fields in another order and a default spelt out: the same fingerprint.
    again = await _post(hub, "retry-0001", {"children": 0, **dict(reversed(_request().items()))})

    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.json() == {
        k: v for k, v in (await hub.api(f"{BOOKINGS}/{first.json()['id']}")).items() if k in first.json()
    }
    assert [b["id"] for b in await _bookings(hub)] == [first.json()["id"]]
    assert await _count(hub, outbox, outbox.c.message_type == BOOKING_CREATED_V1) == 1
    assert await _count(hub, idempotency_keys) == 1


async def test_given_a_used_key_when_posted_with_another_body_then_422_key_reused_and_nothing_booked(
    hub: RunningHub,
) -> None:
    first = await _post(hub, "retry-0002", _request())
    other = await _post(hub, "retry-0002", _request(adults=1))

    assert first.status_code == 201
    assert other.status_code == 422 and other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"] == "urn:hotelhub:problem:idempotency-key-reused"
    assert len(await _bookings(hub)) == 1


async def test_given_two_partners_and_the_operator_when_each_uses_the_same_key_then_three_bookings(
    hub: RunningHub,
) -> None:
    answers = [await _post(hub, "shared-key", _request(), auth) for auth in (OTAONE, OTATWO, None)]
    replays = [await _post(hub, "shared-key", _request(), auth) for auth in (OTAONE, OTATWO, None)]

    assert [a.status_code for a in answers + replays] == [201] * 6
    ids = [a.json()["id"] for a in answers]
    assert len(set(ids)) == 3
    assert [r.json()["id"] for r in replays] == ids
    assert all(r.headers["idempotent-replayed"] == "true" for r in replays)
    assert len(await _bookings(hub)) == 3


async def test_given_many_concurrent_requests_with_one_key_when_posted_then_one_booking_all_201_with_its_id(
    hub: RunningHub,
) -> None:
    answers = await asyncio.gather(*(_post(hub, "burst-key", _request()) for _ in range(CONCURRENT)))

    assert [a.status_code for a in answers] == [201] * CONCURRENT, {a.status_code: a.text for a in answers}
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum("idempotent-replayed" not in a.headers for a in answers) == 1
    assert len(await _bookings(hub)) == 1
    rows = await hub.api(
        "/api/v1/properties/ALPINA/availability", **{"from": "2031-09-01", "to": "2031-09-02"}
    )
    assert [r["sold"] for r in rows if r["room_type_code"] == "DBL"] == [1, 1]


@pytest.mark.parametrize(
    "key",
    ["", "k" * 256, "tab\tinside", "caf\u00e9".encode(), b"\xff\xfe"],
    ids=["empty", "long", "tab", "utf8", "bytes"],
)
async def test_given_a_malformed_key_when_posted_then_400_problem_and_nothing_booked(
    hub: RunningHub, key: str | bytes
) -> None:
    answer = await _post(hub, key, _request())

    assert answer.status_code == 400 and answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "urn:hotelhub:problem:invalid-idempotency-key"
    assert await _bookings(hub) == []


async def test_given_a_key_of_255_printable_characters_when_posted_then_booked(hub: RunningHub) -> None:
    key = "".join(chr(c) for c in range(0x21, 0x7F)) * 3  # 282 characters: every printable one
    answer = await _post(hub, key[:255], _request())

    assert answer.status_code == 201


async def test_given_an_expired_key_when_posted_again_then_a_new_booking_and_the_key_points_to_it(
    hub: RunningHub,
) -> None:
    first = await _post(hub, "retry-0003", _request())
    ttl = timedelta(hours=hub.settings.idempotency_ttl_hours)
    async with hub.hub.engine.begin() as conn:
        await conn.execute(update(idempotency_keys).values(created_at=utcnow() - ttl - timedelta(minutes=1)))

    second = await _post(hub, "retry-0003", _request(adults=1))
    third = await _post(hub, "retry-0003", _request(adults=1))

    assert first.status_code == second.status_code == third.status_code == 201
    assert "idempotent-replayed" not in second.headers and third.headers["idempotent-replayed"] == "true"
    assert second.json()["id"] != first.json()["id"] and third.json()["id"] == second.json()["id"]
    assert len(await _bookings(hub)) == 2
    assert await _count(hub, idempotency_keys) == 1


async def test_given_a_refused_booking_with_a_key_when_retried_then_no_key_was_kept_and_the_retry_books(
    hub: RunningHub,
) -> None:
    for _ in range(2):  # the junior suites have three rooms: leave one
        assert (await hub.http.post(BOOKINGS, json=_request(room_type_code="JSU"))).status_code == 201
    too_many = await _post(hub, "retry-0004", _request(room_type_code="JSU", adults=9))
    assert too_many.status_code == 422 and await _count(hub, idempotency_keys) == 0
    assert (await hub.http.post(BOOKINGS, json=_request(room_type_code="JSU"))).status_code == 201
    sold_out = await _post(hub, "retry-0004", _request(room_type_code="JSU"))
    assert sold_out.status_code == 409 and await _count(hub, idempotency_keys) == 0

    retried = await _post(hub, "retry-0004", _request(room_type_code="DBL"))

    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers
    assert len(await _bookings(hub)) == 4


async def test_given_the_openapi_document_when_read_then_the_booking_post_declares_the_key_header(
    hub: RunningHub,
) -> None:
    paths = (await hub.http.get("/openapi.json")).json()["paths"]
    operation = paths["/api/v1/properties/{code}/bookings"]["post"]

    [header] = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key" and not header.get("required", False)
    assert "Idempotent-Replayed" in header["description"]
