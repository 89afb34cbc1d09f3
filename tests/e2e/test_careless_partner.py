"""What a careless partner sends, end to end on both transports: a stay already over, a night that
started yesterday, too many guests or another currency, the first phase of a cancellation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from harness import RunningHub
from ota_builders import OTAONE, cancel, commit, modify, reservation, stay
from sqlalchemy import func, select

from hub.demo.partners import parse_answer
from routes.tables import inbound_messages

PROPERTY = "/api/v1/properties/ALPINA"


def rome_today() -> date:
    """Today at the demo property (Europe/Rome), the day the door judges stays by."""
    return datetime.now(ZoneInfo("Europe/Rome")).date()


async def bookings(hub: RunningHub, reservation_id: str) -> list[dict[str, Any]]:
    """The property's bookings of one partner reservation, through the PMS API."""
    return list(await hub.api(f"{PROPERTY}/bookings", partner_reservation_id=reservation_id))


async def status_is(hub: RunningHub, reservation_id: str, status: str) -> bool:
    """True once the reservation's only booking has `status`."""
    found = await bookings(hub, reservation_id)
    return len(found) == 1 and found[0]["status"] == status


async def journalled(hub: RunningHub) -> int:
    """How many pushes the door has journalled."""
    async with hub.hub.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(inbound_messages))).scalar_one())


async def test_given_a_new_booking_whose_stay_is_over_when_pushed_then_refused_and_never_booked(
    hub: RunningHub,
) -> None:
    spec = reservation("CARELESS-PAST", stay(arrival=rome_today() - timedelta(days=5), nights=2))
    answer = await hub.push(commit(spec), OTAONE)
    assert answer.status_code == 200
    assert b'Type="3" Code="122"' in answer.content and b"<Success/>" not in answer.content
    async with hub.hub.engine.connect() as conn:
        outcome = (await conn.execute(select(inbound_messages.c.outcome))).scalars().all()
    assert outcome == ["dead-letter"]  # kept for staff, never queued for the core
    await hub.eventually(hub.settled, what="nothing left to consume")
    assert await bookings(hub, "CARELESS-PAST") == []


async def test_given_a_stay_that_started_yesterday_when_pushed_then_booked_and_past_changes_are_taken(
    hub: RunningHub,
) -> None:
    yesterday = rome_today() - timedelta(days=1)
    spec = reservation("CARELESS-LATE", stay(arrival=yesterday, nights=1))
    assert parse_answer((await hub.push(commit(spec), OTAONE)).content).success
    await hub.eventually(lambda: status_is(hub, "CARELESS-LATE", "confirmed"), what="the late booking")

    # moved to a stay wholly in the past, then cancelled: both are taken
    earlier = spec.revised(
        (stay(arrival=yesterday - timedelta(days=7), nights=2),), spec.modified_at + timedelta(minutes=1)
    )
    assert parse_answer((await hub.push(modify(earlier), OTAONE)).content).success
    await hub.eventually(lambda: status_is(hub, "CARELESS-LATE", "modified"), what="the modification")
    (moved,) = await bookings(hub, "CARELESS-LATE")
    assert moved["arrival"] == (yesterday - timedelta(days=7)).isoformat()
    gone = earlier.revised(earlier.stays, earlier.modified_at + timedelta(minutes=1))
    assert parse_answer((await hub.push(cancel(gone), OTAONE)).content).success
    await hub.eventually(lambda: status_is(hub, "CARELESS-LATE", "cancelled"), what="the cancellation")


async def test_given_too_many_guests_in_another_currency_when_pushed_then_booked_with_warnings_shown(
    hub: RunningHub,
) -> None:
    crowded = replace(stay("DZSTD", arrival=rome_today() + timedelta(days=30)), adults=3)  # DBL holds 2
    spec = replace(reservation("CARELESS-WARN", crowded), currency="CHF")  # ALPINA sells in EUR
    answer = await hub.push(commit(spec), OTAONE)
    assert b"<Success/><Warnings>" in answer.content
    assert b'Code="119"' in answer.content and b'Code="558"' in answer.content
    await hub.eventually(lambda: status_is(hub, "CARELESS-WARN", "confirmed"), what="the warned booking")

    (listed,) = await bookings(hub, "CARELESS-WARN")
    kinds = [w["kind"] for w in listed["warnings"]]
    assert kinds == ["occupancy_exceeded", "currency_mismatch"]
    assert listed["warnings"][0]["detail"] == "3 guests in room type DBL, which holds 2"
    detail = await hub.api(f"{PROPERTY}/bookings/{listed['id']}")
    assert detail["warnings"] == listed["warnings"]
    assert detail["revisions"][-1]["snapshot"]["warnings"] == listed["warnings"]
    assert listed["currency"] == "CHF"


async def test_given_a_booking_that_fits_when_pushed_then_no_warnings(hub: RunningHub) -> None:
    spec = reservation("CARELESS-FINE", stay(arrival=rome_today() + timedelta(days=40)))
    answer = await hub.push(commit(spec), OTAONE)
    assert b"<Warnings>" not in answer.content
    await hub.eventually(lambda: status_is(hub, "CARELESS-FINE", "confirmed"), what="the booking")
    assert (await bookings(hub, "CARELESS-FINE"))[0]["warnings"] == []


async def test_given_a_cancellation_first_phase_when_pushed_then_nothing_cancelled_until_the_commit(
    hub: RunningHub,
) -> None:
    spec = reservation("CARELESS-2PC", stay(arrival=rome_today() + timedelta(days=50)))
    assert parse_answer((await hub.push(commit(spec), OTAONE)).content).success
    await hub.eventually(lambda: status_is(hub, "CARELESS-2PC", "confirmed"), what="the booking")
    before = await journalled(hub)

    later = spec.revised(spec.stays, spec.modified_at + timedelta(minutes=1))
    for cancel_type, status in (("Initiate", b'Status="Pending"'), ("Ignore", b'Status="Ignored"')):
        first_phase = cancel(later).replace(b'CancelType="Commit"', f'CancelType="{cancel_type}"'.encode())
        answer = await hub.push(first_phase, OTAONE)
        assert b"<Success/>" in answer.content and status in answer.content
    assert await journalled(hub) == before  # nothing stored, so nothing can reach the core
    await hub.eventually(hub.settled, what="nothing left to consume")
    assert await status_is(hub, "CARELESS-2PC", "confirmed")

    assert parse_answer((await hub.push(cancel(later), OTAONE)).content).success
    await hub.eventually(lambda: status_is(hub, "CARELESS-2PC", "cancelled"), what="the committed cancel")


async def test_given_a_booking_the_hub_holds_when_re_sent_after_its_stay_ended_then_taken_as_a_duplicate(
    hub: RunningHub,
) -> None:
    arrival = rome_today() + timedelta(days=3)
    spec = reservation("CARELESS-RESENT", stay(arrival=arrival, nights=2))
    first = parse_answer((await hub.push(commit(spec), OTAONE)).content)
    assert first.success
    await hub.eventually(lambda: status_is(hub, "CARELESS-RESENT", "confirmed"), what="the booking")

    # ten days on, the channel re-sends its reservations, this one among them
    later = datetime.now(ZoneInfo("Europe/Rome")) + timedelta(days=10)
    hub.hub.ingress.clock = lambda: later
    again = parse_answer((await hub.push(commit(spec), OTAONE)).content)
    stranger = reservation("CARELESS-NEVER-SEEN", stay(arrival=arrival, nights=2))
    refused = await hub.push(commit(stranger), OTAONE)

    assert again.success and again.references == first.references, again
    assert b'Type="3" Code="122"' in refused.content  # a reservation the hub never held: still refused
    await hub.eventually(hub.settled, what="the re-send consumed")
    (booked,) = await bookings(hub, "CARELESS-RESENT")
    assert booked["status"] == "confirmed"
    assert await bookings(hub, "CARELESS-NEVER-SEEN") == []
