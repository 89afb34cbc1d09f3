"""GET /api/v1/properties/{code}/bookings/{id}: everything the current revision holds, the card's
holder included, and never a card number."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from harness import RunningHub, running_hub
from ota_builders import ARRIVAL, OTAONE, commit, reservation

from hub.demo.messages import TEST_CARD
from hub.demo.partners import parse_answer

PROPERTY = "/api/v1/properties/ALPINA"
# what a card reference may show: the parts printed on or safe to read off a card, and the vault token
SAFE_CARD_PARTS = {"brand", "bin", "last4", "expiry", "holder_name", "token"}


@pytest.fixture
async def hub(database_url: str, tmp_path: Path) -> Any:
    """A running hub (embedded dispatcher) on this test's SQLite or PostgreSQL database."""
    async with running_hub("embedded", database_url, None, tmp_path) as running:
        yield running


async def _detail(hub: RunningHub, booking_id: str) -> tuple[dict[str, Any], str]:
    response = await hub.http.get(f"{PROPERTY}/bookings/{booking_id}")
    assert response.status_code == 200, response.text
    return response.json(), response.text


def _assert_shows_its_snapshot(detail: dict[str, Any]) -> None:
    # The current revision's snapshot was written with the booking: the view holds all of it.
    current = max(detail["revisions"], key=lambda revision: revision["revision"])
    snapshot = current["snapshot"]
    assert current["revision"] == detail["revision"]
    assert {name: detail.get(name) for name in snapshot} == snapshot


async def test_given_an_ota_push_with_a_card_when_its_booking_is_read_then_holder_and_snapshot_shown(
    hub: RunningHub,
) -> None:
    answer = parse_answer((await hub.push(commit(reservation("VIEW-1")), OTAONE)).content)
    assert answer.success, answer

    async def booked() -> bool:
        return bool(await hub.api(f"{PROPERTY}/bookings", partner_reservation_id="VIEW-1"))

    await hub.eventually(booked, what="the pushed booking")
    [listed] = await hub.api(f"{PROPERTY}/bookings", partner_reservation_id="VIEW-1")
    detail, text = await _detail(hub, listed["id"])

    card = detail["guarantee"]["card"]
    assert card["holder_name"] == "Anna Huber"
    assert (card["brand"], card["bin"], card["last4"]) == ("VI", TEST_CARD[:6], TEST_CARD[-4:])
    assert set(card) <= SAFE_CARD_PARTS
    assert TEST_CARD not in text
    assert listed["guarantee"] == detail["guarantee"]
    _assert_shows_its_snapshot(detail)


async def test_given_a_direct_booking_with_a_card_holder_when_read_then_holder_and_snapshot_shown(
    hub: RunningHub,
) -> None:
    card = {"brand": "MC", "bin": "555555", "last4": "4444", "expiry": "11/31", "holder_name": "M ROSSI"}
    created = await hub.http.post(
        f"{PROPERTY}/bookings",
        json={
            "room_type_code": "DBL",
            "rate_plan_code": "BAR",
            "arrival": ARRIVAL.isoformat(),
            "departure": (ARRIVAL + timedelta(days=2)).isoformat(),
            "guests": [{"given_name": "Marta", "surname": "Rossi", "primary": True}],
            "guarantee": {"guarantee_code": "CC", "card": card},
        },
    )
    assert created.status_code == 201, created.text

    detail, _ = await _detail(hub, created.json()["id"])

    assert detail["guarantee"]["card"] == {**card, "token": None}
    assert detail["guests"][0]["surname"] == "Rossi"
    _assert_shows_its_snapshot(detail)


async def test_given_an_unknown_property_when_a_booking_is_read_then_404_problem(hub: RunningHub) -> None:
    response = await hub.http.get("/api/v1/properties/NOWHERE/bookings/e3e70682-c209-1cac-a29f-6fbed82c07cd")

    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:hotelhub:problem:unknown-property"


async def test_given_an_offset_past_any_database_integer_when_bookings_listed_then_422_problem(
    hub: RunningHub,
) -> None:
    response = await hub.http.get(f"{PROPERTY}/bookings", params={"offset": str(2**64)})

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
