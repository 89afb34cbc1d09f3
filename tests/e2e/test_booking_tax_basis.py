"""Whether a booking's prices include tax travels from the partner's push to the PMS API, on both transports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from harness import RunningHub
from ota_builders import OTAONE, before_tax, commit, modify, reservation, stay

from hub.demo.partners import parse_answer

PROPERTY = "/api/v1/properties/ALPINA"


async def _booking(hub: RunningHub, res_id: str) -> dict[str, Any] | None:
    found = list(await hub.api(f"{PROPERTY}/bookings", partner_reservation_id=res_id))
    return found[0] if found else None


async def test_given_before_tax_amounts_when_pushed_then_modified_to_after_tax_then_the_booking_follows(
    hub: RunningHub,
) -> None:
    spec = reservation("E2E-TAX-1", stay("DZSTD", nights=2))
    assert parse_answer((await hub.push(before_tax(commit(spec)), OTAONE)).content).success

    async def net() -> bool:
        booking = await _booking(hub, "E2E-TAX-1")
        return booking is not None and booking["tax_basis"] == "before_tax"

    await hub.eventually(net, what="the booking stored before tax")
    booking = await _booking(hub, "E2E-TAX-1")
    assert booking is not None
    detail = await hub.api(f"{PROPERTY}/bookings/{booking['id']}")
    assert detail["tax_basis"] == "before_tax"
    assert detail["total"]["amount"] == "360.00"
    assert [night["amount"] for night in detail["nights"]] == ["180.00", "180.00"]

    gross = spec.revised(spec.stays, spec.modified_at + timedelta(minutes=5))
    assert parse_answer((await hub.push(modify(gross), OTAONE)).content).success

    async def gross_now() -> bool:
        booking = await _booking(hub, "E2E-TAX-1")
        return booking is not None and booking["tax_basis"] == "after_tax"

    await hub.eventually(gross_now, what="the modify to switch the booking to after tax")
    detail = await hub.api(f"{PROPERTY}/bookings/{booking['id']}")
    assert detail["tax_basis"] == "after_tax" and detail["status"] == "modified"
    # the history keeps what each revision said
    assert [rev["snapshot"]["tax_basis"] for rev in detail["revisions"]] == ["before_tax", "after_tax"]


async def test_given_a_direct_booking_when_read_then_its_default_rates_are_after_tax(hub: RunningHub) -> None:
    request = {
        "room_type_code": "DBL",
        "rate_plan_code": "BAR",
        "arrival": "2031-10-01",
        "departure": "2031-10-03",
        "adults": 2,
        "guests": [{"given_name": "Ada", "surname": "Lovelace", "primary": True}],
    }
    response = await hub.http.post(f"{PROPERTY}/bookings", json=request)
    assert response.status_code == 201, response.text
    assert response.json()["tax_basis"] == "after_tax"
    detail = await hub.api(f"{PROPERTY}/bookings/{response.json()['id']}")
    assert detail["tax_basis"] == "after_tax"
