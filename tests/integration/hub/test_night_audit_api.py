"""The night audit over REST on a running hub: close, close again, read the day, refusals."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from harness import RunningHub, running_hub
from sqlalchemy import select, update

from canonical.revenue import REVENUE_DAY_CLOSED_V1
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


def _problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"urn:hotelhub:problem:{slug}", problem
    return problem


async def _checked_in(hub: RunningHub, room: str) -> None:
    body = {
        "room_type_code": "DBL",
        "rate_plan_code": "BAR",
        "arrival": TODAY.isoformat(),
        "departure": (TODAY + timedelta(days=2)).isoformat(),
        "adults": 2,
        "guests": [{"given_name": "Ann", "surname": "Smith", "primary": True}],
    }
    booking = await hub.http.post(f"{HOTEL}/bookings", json=body)
    assert booking.status_code == 201, booking.text
    checked_in = await hub.http.post(f"{HOTEL}/bookings/{booking.json()['id']}/check-in", json={"room": room})
    assert checked_in.status_code == 201, checked_in.text


async def test_given_a_stay_in_house_when_closed_twice_then_one_close_the_same_day_read_and_refusals_as_problems(
    hub: RunningHub,
) -> None:
    # one hub for every claim: starting one costs seconds
    await _checked_in(hub, "101")

    first = await hub.http.post(f"{HOTEL}/audit/close", json={"business_date": TODAY.isoformat()})
    again = await hub.http.post(f"{HOTEL}/audit/close", json={"business_date": TODAY.isoformat()})
    read = await hub.http.get(f"{HOTEL}/audit/days/{TODAY.isoformat()}")

    assert first.status_code == 200, first.text
    closed = first.json()
    assert closed["closed_now"] is True and closed["charges_posted"] == 1
    assert closed["day"]["statistics"]["rooms_sold"] == 1
    assert again.status_code == 200 and again.json() == {**closed, "closed_now": False, "charges_posted": 0}
    assert read.status_code == 200 and read.json() == closed["day"]
    _problem(
        await hub.http.get(f"{HOTEL}/audit/days/{(TODAY + timedelta(days=1)).isoformat()}"),
        404,
        "day-not-closed",
    )
    async with hub.hub.engine.connect() as conn:
        kinds = list((await conn.execute(select(outbox.c.message_type))).scalars())
    assert kinds.count(REVENUE_DAY_CLOSED_V1) == 1

    later = (TODAY + timedelta(days=3)).isoformat()
    not_open = _problem(
        await hub.http.post(f"{HOTEL}/audit/close", json={"business_date": later}), 409, "day-not-open"
    )
    assert not_open["business_date"] == (TODAY + timedelta(days=1)).isoformat()
    _problem(await hub.http.post(f"{HOTEL}/audit/close", auth=OTAONE), 403, "forbidden")
    _problem(await hub.http.post("/api/v1/properties/NOPE/audit/close"), 404, "unknown-property")
    _problem(
        await hub.http.post(f"{HOTEL}/audit/close", json={"business_date": "tomorrow"}),
        422,
        "invalid-request",
    )
    _problem(await hub.http.get(f"{HOTEL}/audit/days/{TODAY.isoformat()}", auth=OTAONE), 403, "forbidden")
