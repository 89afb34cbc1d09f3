"""The folio REST API round trip on a running hub with the demo's transaction codes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from harness import RunningHub, running_hub

FOLIOS = "/api/v1/properties/ALPINA/folios"
OTAONE = ("otaone", "otaone-secret")


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[RunningHub]:
    """A running hub on SQLite (the core's folio rules run on PostgreSQL too in tests/integration/pms)."""
    async with running_hub(
        "embedded", f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", None, tmp_path
    ) as running:
        yield running


async def _post(
    hub: RunningHub, path: str, body: dict[str, Any] | None = None, status: int = 201, **kw: Any
) -> Any:
    response = await hub.http.post(f"{FOLIOS}{path}", json=body, **kw)
    assert response.status_code == status, response.text
    return response.json()


async def _booking(hub: RunningHub) -> str:
    response = await hub.http.post(
        "/api/v1/properties/ALPINA/bookings",
        json={
            "room_type_code": "DBL",
            "rate_plan_code": "BAR",
            "arrival": "2031-03-01",
            "departure": "2031-03-03",
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_given_room_routed_to_the_company_when_charged_paid_and_closed_then_numbered_and_never_changed(
    hub: RunningHub,
) -> None:
    booking = await _booking(hub)
    guest = await _post(hub, "", {"kind": "guest", "booking_id": booking})
    company = await _post(hub, "", {"kind": "company", "name": "Acme Travel"})
    await _post(
        hub, f"/{guest['folio_id']}/routes", {"to_folio": company["folio_id"], "transaction_codes": ["ROOM"]}
    )

    room = await _post(
        hub,
        f"/{guest['folio_id']}/charges",
        {"transaction_code": "ROOM", "unit_amount": "180.00", "persons": 2},
    )
    bar = await _post(
        hub, f"/{guest['folio_id']}/charges", {"transaction_code": "MINIBAR", "unit_amount": "6.00"}
    )
    await _post(hub, f"/{company['folio_id']}/payments", {"method": "TRANSFER", "amount": room["balance"]})
    closed = await _post(hub, f"/{company['folio_id']}/close", status=200)
    of_booking = await hub.api(FOLIOS, booking=booking)
    late = await hub.http.post(
        f"{FOLIOS}/{guest['folio_id']}/charges", json={"transaction_code": "ROOM", "unit_amount": "1"}
    )

    assert room["folio_id"] == company["folio_id"]
    assert [(line["transaction_code"], line["amount"]) for line in room["lines"]] == [
        ("ROOM", "163.64"),
        ("VAT10", "16.36"),
        ("CITYTAX", "5.00"),
    ]
    assert (bar["folio_id"], bar["balance"]) == (guest["folio_id"], "6.00")
    assert (closed["status"], closed["invoice_number"], closed["balance"]) == ("closed", 1, "0.00")
    assert closed["totals"]["by_department"] == {"ROOMS": "163.64"}
    assert [folio["folio_id"] for folio in of_booking] == [guest["folio_id"]]
    # routed to the closed company folio: refused, as a problem document, and nothing changed
    assert (late.status_code, late.json()["type"]) == (409, "urn:hotelhub:problem:folio-closed")
    assert late.headers["content-type"].startswith("application/problem+json")
    assert (await hub.api(f"{FOLIOS}/{company['folio_id']}")) == closed


async def test_given_a_retried_payment_with_its_key_when_posted_again_then_it_is_paid_once(
    hub: RunningHub,
) -> None:
    folio = (await _post(hub, "", {"kind": "master"}))["folio_id"]
    await _post(hub, f"/{folio}/charges", {"transaction_code": "FNB", "unit_amount": "42.00"})
    pay = {"method": "CARD", "amount": "42.00", "reference": "pi_3MtwBwLkdIwHu7ix28a3tqPa"}

    first = await hub.http.post(f"{FOLIOS}/{folio}/payments", json=pay, headers={"Idempotency-Key": "pay-1"})
    again = await hub.http.post(f"{FOLIOS}/{folio}/payments", json=pay, headers={"Idempotency-Key": "pay-1"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["balance"] == "0.00"
    assert [line["kind"] for line in again.json()["lines"]] == ["charge", "tax", "payment"]


async def test_given_bad_requests_when_posted_then_problems_name_the_field(hub: RunningHub) -> None:
    folio = (await _post(hub, "", {"kind": "master"}))["folio_id"]
    charge = (await _post(hub, f"/{folio}/charges", {"transaction_code": "FNB", "unit_amount": "11.00"}))[
        "lines"
    ][0]

    unknown = await hub.http.post(
        f"{FOLIOS}/{folio}/charges", json={"transaction_code": "SPA", "unit_amount": "1"}
    )
    card = await hub.http.post(
        f"{FOLIOS}/{folio}/payments",
        json={"method": "CARD", "amount": "1", "reference": "4111 1111 1111 1111"},
    )
    too_fine = await hub.http.post(f"{FOLIOS}/{folio}/payments", json={"method": "CASH", "amount": "1.005"})
    partner = await hub.http.get(f"{FOLIOS}/{folio}", auth=OTAONE)
    await _post(hub, f"/{folio}/lines/{charge['id']}/reverse", {"reason": "wrong table"})
    twice = await hub.http.post(f"{FOLIOS}/{folio}/lines/{charge['id']}/reverse", json={"reason": "again"})

    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "transaction_code")
    assert "'SPA'" in unknown.json()["detail"]
    assert (card.status_code, card.json()["errors"][0]["field"]) == (422, "reference")
    assert "4111" not in card.text
    assert (too_fine.status_code, too_fine.json()["type"]) == (422, "urn:hotelhub:problem:folio-refused")
    assert partner.status_code in (401, 403)
    assert (twice.status_code, twice.json()["type"]) == (409, "urn:hotelhub:problem:line-not-open")
