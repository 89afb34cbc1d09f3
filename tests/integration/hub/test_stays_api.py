"""The front-desk and profile REST API on a running hub: stays, housekeeping, profiles, refusals."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from harness import RunningHub, running_hub
from sqlalchemy import select, update

from canonical.stay import STAY_CHECKED_IN_V1, STAY_CHECKED_OUT_V1, STAY_EXTENDED_V1, STAY_MOVED_V1
from pms_core.adapters.tables import properties
from routes.tables import outbox

HOTEL = "/api/v1/properties/ALPINA"
TODAY = date(2031, 6, 1)
OTAONE = ("otaone", "otaone-secret")


@pytest.fixture
async def hub(database_url: str, tmp_path: Path) -> Any:
    """A running hub with the demo configuration, ALPINA on business date TODAY."""
    async with running_hub("embedded", database_url, None, tmp_path) as running:
        async with running.hub.engine.begin() as conn:
            await conn.execute(
                update(properties).where(properties.c.code == "ALPINA").values(business_date=TODAY)
            )
        yield running


async def _booking(hub: RunningHub, nights: int = 2, email: str | None = None) -> str:
    guest = {"given_name": "Ann", "surname": "Smith", "primary": True, **({"email": email} if email else {})}
    body = {
        "room_type_code": "DBL",
        "rate_plan_code": "BAR",
        "arrival": TODAY.isoformat(),
        "departure": (TODAY + timedelta(days=nights)).isoformat(),
        "adults": 2,
        "guests": [guest],
    }
    response = await hub.http.post(f"{HOTEL}/bookings", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"urn:hotelhub:problem:{slug}", problem
    return problem


async def _outbox_types(hub: RunningHub) -> list[str]:
    async with hub.hub.engine.connect() as conn:
        rows = await conn.execute(select(outbox.c.message_type).order_by(outbox.c.id))
        return [row.message_type for row in rows]


async def test_given_two_bookings_when_checked_in_to_one_room_at_once_then_one_201_and_one_409(
    hub: RunningHub,
) -> None:
    first, second = await _booking(hub), await _booking(hub)

    answers = await asyncio.gather(
        *(hub.http.post(f"{HOTEL}/bookings/{b}/check-in", json={"room": "101"}) for b in (first, second))
    )

    assert sorted(a.status_code for a in answers) == [201, 409]
    _problem(next(a for a in answers if a.status_code == 409), 409, "room-occupied")
    rooms = {room["number"]: room for room in await hub.api(f"{HOTEL}/rooms")}
    assert rooms["101"]["occupancy"] == "occupied" and rooms["102"]["occupancy"] == "vacant"
    in_house = await hub.api(f"{HOTEL}/stays", status="in_house")
    assert [stay["room"] for stay in in_house] == ["101"]
    assert (await _outbox_types(hub)).count(STAY_CHECKED_IN_V1) == 1


async def test_given_a_stay_when_moved_extended_and_checked_out_then_rooms_follow_and_events_go_out(
    hub: RunningHub,
) -> None:
    booking = await _booking(hub, nights=1)
    await hub.http.put(f"{HOTEL}/rooms/102/housekeeping", json={"status": "dirty"})
    _problem(
        await hub.http.post(f"{HOTEL}/bookings/{booking}/check-in", json={"room": "102"}),
        409,
        "room-not-ready",
    )
    _problem(
        await hub.http.put(f"{HOTEL}/rooms/102/housekeeping", json={"status": "inspected"}),
        409,
        "stay-conflict",
    )
    assert (
        await hub.http.put(f"{HOTEL}/rooms/102/housekeeping", json={"status": "clean"})
    ).status_code == 200
    checked_in = await hub.http.post(f"{HOTEL}/bookings/{booking}/check-in", json={"room": "102"})
    stay = checked_in.json()["id"]

    moved = await hub.http.post(f"{HOTEL}/stays/{stay}/move", json={"room": "103"})
    too_early = await hub.http.post(f"{HOTEL}/stays/{stay}/extend", json={"departure": TODAY.isoformat()})
    extended = await hub.http.post(
        f"{HOTEL}/stays/{stay}/extend", json={"departure": (TODAY + timedelta(days=2)).isoformat()}
    )
    not_yet = await hub.http.post(f"{HOTEL}/stays/{stay}/check-out")
    left = await hub.http.post(f"{HOTEL}/stays/{stay}/early-departure")

    assert checked_in.status_code == 201 and moved.json()["room"] == "103"
    _problem(too_early, 422, "stay-refused")
    assert extended.json()["departure"] == (TODAY + timedelta(days=2)).isoformat()
    _problem(not_yet, 409, "stay-conflict")
    assert left.status_code == 200 and left.json()["status"] == "checked_out"
    assert left.json()["departure"] == (TODAY + timedelta(days=1)).isoformat()
    room = await hub.api(f"{HOTEL}/rooms/103/housekeeping")
    assert (room["occupancy"], room["housekeeping"]) == ("vacant", "dirty")
    types = await _outbox_types(hub)
    for key in (STAY_CHECKED_IN_V1, STAY_MOVED_V1, STAY_EXTENDED_V1, STAY_CHECKED_OUT_V1):
        assert types.count(key) == 1, (key, types)
    _problem(await hub.http.post(f"{HOTEL}/stays/{booking}/check-out"), 404, "not-found")
    _problem(
        await hub.http.post(f"{HOTEL}/bookings/{booking}/check-in", json={"room": "9"}), 409, "stay-conflict"
    )


async def test_given_profiles_when_linked_merged_and_asked_by_a_partner_then_kept_and_refused(
    hub: RunningHub,
) -> None:
    company = await hub.http.post(
        "/api/v1/profiles/companies",
        json={
            "name": "Acme AG",
            "tax_id": "ATU123",
            "billing_city": "Wien",
            "credit_limit": {"amount": "5000.00", "currency": "EUR"},
            "expense_account": "ACME-TE-1",
        },
    )
    clash = await hub.http.post("/api/v1/profiles/companies", json={"name": "Other", "tax_id": "ATU123"})
    booking = await _booking(hub, email="Ann@Example.org")
    linked = await hub.http.put(
        f"{HOTEL}/bookings/{booking}/company", json={"company_id": company.json()["id"]}
    )
    from_booking = await hub.http.post(
        "/api/v1/profiles/guests", json={"property": "ALPINA", "booking_id": booking}
    )
    typed = await hub.http.post("/api/v1/profiles/guests", json={"surname": "Smith", "phone": "+43 1"})
    merged = await hub.http.post(
        f"/api/v1/profiles/guests/{from_booking.json()['id']}/merge", json={"other": typed.json()["id"]}
    )
    stay = await hub.http.post(f"{HOTEL}/bookings/{booking}/check-in", json={"room": "104"})

    assert company.status_code == 201 and company.json()["credit_limit"]["amount"] == "5000.00"
    _problem(clash, 409, "stay-conflict")
    assert linked.json()["company_profile_id"] == company.json()["id"]
    assert from_booking.status_code == 201 and from_booking.json()["email"] == "ann@example.org"
    assert merged.json()["phone"] == "+43 1"
    gone = await hub.api(f"/api/v1/profiles/guests/{typed.json()['id']}")
    assert gone["merged_into"] == from_booking.json()["id"]
    assert [g["id"] for g in await hub.api("/api/v1/profiles/guests", q="smith")] == [
        from_booking.json()["id"]
    ]
    assert stay.json()["guest_profile_id"] == from_booking.json()["id"]
    assert stay.json()["company_profile_id"] == company.json()["id"]
    _problem(await hub.http.get("/api/v1/profiles/guests", auth=OTAONE), 403, "forbidden")
    _problem(await hub.http.get(f"{HOTEL}/rooms", auth=OTAONE), 403, "forbidden")
    _problem(await hub.http.post("/api/v1/profiles/companies", json={"name": ""}), 422, "invalid-request")
