"""Direct bookings through the REST API never oversell, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date

from harness import RunningHub

BOOKINGS = "/api/v1/properties/ALPINA/bookings"
ARRIVAL = date(2031, 7, 1)


def _request(adults: int = 2) -> dict[str, object]:
    return {
        "room_type_code": "JSU",
        "rate_plan_code": "BAR",
        "arrival": ARRIVAL.isoformat(),
        "departure": "2031-07-03",
        "adults": adults,
        "guests": [{"given_name": "Ada", "surname": "Lovelace", "primary": True}],
    }


async def test_given_the_last_room_when_200_direct_bookings_race_then_exactly_one_succeeds(
    hub: RunningHub,
) -> None:
    for _ in range(2):  # the junior suites have three rooms: leave one
        assert (await hub.http.post(BOOKINGS, json=_request())).status_code == 201

    results = await asyncio.gather(*(hub.http.post(BOOKINGS, json=_request()) for _ in range(200)))

    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) == 1, statuses[-5:]
    assert statuses.count(409) == 199
    problem = next(r for r in results if r.status_code == 409)
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json()["type"] == "urn:hotelhub:problem:sold-out"
    rows = await hub.api(
        "/api/v1/properties/ALPINA/availability", **{"from": "2031-07-01", "to": "2031-07-02"}
    )
    junior = [r for r in rows if r["room_type_code"] == "JSU"]
    assert [(r["sold"], r["available"]) for r in junior] == [(3, 0), (3, 0)]


async def test_given_a_bad_direct_booking_when_posted_then_problem_json_names_the_reason(
    hub: RunningHub,
) -> None:
    too_many = await hub.http.post(BOOKINGS, json=_request(adults=9))
    unknown = await hub.http.post("/api/v1/properties/NOWHERE/bookings", json=_request())
    backwards = await hub.http.post(BOOKINGS, json={**_request(), "departure": "2031-06-30"})
    assert too_many.status_code == 422 and "holds" in too_many.json()["detail"]
    assert unknown.status_code == 404 and unknown.json()["type"] == "urn:hotelhub:problem:unknown-property"
    assert backwards.status_code == 422
    for response in (too_many, unknown, backwards):
        assert response.headers["content-type"] == "application/problem+json"
