"""A direct booking through the PMS API is priced from the live rates and refused where a restriction
of its rate plan refuses the stay, as a channel would sell it (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from harness import RunningHub, running_hub

PROPERTY = "/api/v1/properties/ALPINA"
ARRIVAL, NIGHT2, DEPARTURE = "2031-09-01", "2031-09-02", "2031-09-03"


@pytest.fixture
async def hub(database_url: str, tmp_path: Path) -> Any:
    """A running hub (embedded dispatcher) on this test's SQLite or PostgreSQL database."""
    async with running_hub("embedded", database_url, None, tmp_path) as running:
        yield running


async def _put(hub: RunningHub, *patches: dict[str, Any]) -> None:
    answer = await hub.http.put(f"{PROPERTY}/ari", json={"patches": list(patches)})
    assert answer.status_code == 200, answer.text


def _on(first: str, last: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"room_type": "DBL", "rate_plan": "BAR", "from": first, "to": last or first, **fields}


async def _book(hub: RunningHub, adults: int = 2, stay: tuple[str, str, str] | None = None) -> Any:
    arrival, _, departure = stay or (ARRIVAL, NIGHT2, DEPARTURE)
    return await hub.http.post(
        f"{PROPERTY}/bookings",
        json={
            "room_type_code": "DBL",
            "rate_plan_code": "BAR",
            "arrival": arrival,
            "departure": departure,
            "adults": adults,
            "guests": [{"given_name": "Ada", "surname": "Lovelace", "primary": True}],
        },
    )


async def _sold(hub: RunningHub, stay: tuple[str, str, str]) -> int:
    rows = await hub.api(f"{PROPERTY}/availability", **{"from": stay[0], "to": stay[1]})
    return sum(r["sold"] for r in rows if r["room_type_code"] == "DBL")


async def test_given_rates_put_per_night_when_booked_directly_then_each_night_at_its_live_rate(
    hub: RunningHub,
) -> None:
    await _put(hub, _on(ARRIVAL, rates={"amount": "140.00"}), _on(NIGHT2, rates={"amount": "165.50"}))

    answer = await _book(hub)

    assert answer.status_code == 201, answer.text
    booking = answer.json()
    assert booking["total"] == {"amount": "305.50", "currency": "EUR"}
    detail = (await hub.http.get(f"{PROPERTY}/bookings/{booking['id']}")).json()
    assert [n["amount"] for n in detail["nights"]] == ["140.00", "165.50"]


async def test_given_amounts_by_occupancy_when_one_adult_books_then_the_one_guest_amount(
    hub: RunningHub,
) -> None:
    await _put(hub, _on(ARRIVAL, NIGHT2, rates={"by_occupancy": [[1, "90.00"], [2, "120.00"]]}))

    answer = await _book(hub, adults=1)

    assert answer.status_code == 201, answer.text
    assert answer.json()["total"]["amount"] == "180.00"


def _stay(week: int) -> tuple[str, str, str]:
    """Arrival, second night and departure of a two-night stay `week` weeks after the first."""
    first = date.fromisoformat(ARRIVAL) + timedelta(weeks=week)
    return first.isoformat(), (first + timedelta(days=1)).isoformat(), (first + timedelta(days=2)).isoformat()


# (the night the restriction is put on: 0 arrival, 1 the second night, 2 departure; restriction; reason)
REFUSING = [
    (1, {"closed": True}, "closed on {}"),
    (0, {"closed_to_arrival": True}, "closed to arrival on {}"),
    (2, {"closed_to_departure": True}, "closed to departure on {}"),
    (0, {"min_los": 3}, "arriving on {} is at least 3 nights"),
    (1, {"max_los_through": 1}, "a stay through {} is at most 1 nights"),
]


async def test_given_a_restriction_the_stay_breaks_when_booked_directly_then_409_and_nothing_sold(
    hub: RunningHub,
) -> None:
    for week, (day, restriction, reason) in enumerate(REFUSING):
        stay = _stay(week)
        await _put(hub, _on(stay[day], restrictions=restriction))
        before = await _sold(hub, stay)

        answer = await _book(hub, stay=stay)

        assert answer.status_code == 409, (restriction, answer.text)
        problem = answer.json()
        assert problem["type"].endswith("stay-restricted"), problem
        assert reason.format(stay[day]) in problem["detail"], problem
        assert await _sold(hub, stay) == before
    assert (await _book(hub, stay=_stay(len(REFUSING)))).status_code == 201  # the week after sells
