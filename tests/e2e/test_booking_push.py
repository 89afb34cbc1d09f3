"""A partner's booking push end to end, on both transports (docs/architecture.md, Messages)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from harness import RunningHub, apply_file
from ota_builders import ARRIVAL, OTAONE, cancel, commit, modify, reservation, stay

from hub.demo.partners import parse_answer
from routes import deadletters

PROPERTY = "/api/v1/properties/ALPINA"


async def bookings(hub: RunningHub, **filters: Any) -> list[dict[str, Any]]:
    """The property's bookings through the PMS API."""
    return list(await hub.api(f"{PROPERTY}/bookings", **filters))


async def sold(hub: RunningHub, room_type: str, day: Any) -> int:
    """Rooms of a type sold on one night, through the availability API."""
    rows = await hub.api(f"{PROPERTY}/availability", **{"from": day.isoformat(), "to": day.isoformat()})
    return sum(
        r["sold"] for r in rows if r["room_type_code"] == room_type and r["stay_date"] == day.isoformat()
    )


async def open_letters(hub: RunningHub) -> list[dict[str, Any]]:
    """Dead letters waiting for staff."""
    async with hub.hub.engine.connect() as conn:
        return await deadletters.list_letters(conn, status="open")


async def test_given_a_new_reservation_when_pushed_twice_then_one_booking_with_one_confirmation(
    hub: RunningHub,
) -> None:
    spec = reservation("E2E-1001")
    first = parse_answer((await hub.push(commit(spec), OTAONE)).content)
    again = parse_answer((await hub.push(commit(spec), OTAONE)).content)
    assert first.success and again.success
    assert first.references == again.references
    confirmation = [r for r in first.references if r.startswith("HH")]
    assert confirmation, first

    async def booked() -> bool:
        return len(await bookings(hub, partner_reservation_id="E2E-1001")) == 1

    await hub.eventually(booked, what="the booking")
    await hub.eventually(hub.settled, what="the outbox to drain")
    found = await bookings(hub, partner_reservation_id="E2E-1001")
    assert len(found) == 1
    assert found[0]["confirmation"] == confirmation[0]
    assert found[0]["status"] == "confirmed"
    assert found[0]["guarantee"]["card"]["last4"] == "1111"


async def test_given_a_booking_when_modified_then_cancelled_then_inventory_moves_and_is_released(
    hub: RunningHub,
) -> None:
    spec = reservation("E2E-2001", stay("DZSTD", arrival=ARRIVAL, nights=2))
    assert parse_answer((await hub.push(commit(spec), OTAONE)).content).success
    await hub.eventually(lambda: _sold_is(hub, "DBL", ARRIVAL, 1), what="DBL sold")

    moved = spec.revised(
        (stay("DZSUP", arrival=ARRIVAL + timedelta(days=1), nights=2),),
        spec.modified_at + timedelta(minutes=5),
    )
    assert parse_answer((await hub.push(modify(moved), OTAONE)).content).success
    await hub.eventually(lambda: _sold_is(hub, "DSUP", ARRIVAL + timedelta(days=2), 1), what="DSUP sold")
    assert await sold(hub, "DBL", ARRIVAL) == 0
    assert await sold(hub, "DBL", ARRIVAL + timedelta(days=1)) == 0

    gone = moved.revised(moved.stays, moved.modified_at + timedelta(minutes=5))
    assert parse_answer((await hub.push(cancel(gone), OTAONE)).content).success
    await hub.eventually(lambda: _sold_is(hub, "DSUP", ARRIVAL + timedelta(days=1), 0), what="release")
    assert await sold(hub, "DSUP", ARRIVAL + timedelta(days=2)) == 0
    (booking,) = await bookings(hub, partner_reservation_id="E2E-2001")
    assert booking["status"] == "cancelled"
    detail = await hub.api(f"{PROPERTY}/bookings/{booking['id']}")
    assert [r["action"] for r in detail["revisions"]] == ["created", "modified", "cancelled"]


async def _sold_is(hub: RunningHub, room_type: str, day: Any, expected: int) -> bool:
    return await sold(hub, room_type, day) == expected


async def test_given_a_modify_before_its_create_when_retries_run_out_then_dead_letter_and_replay_applies_it(
    hub: RunningHub,
) -> None:
    spec = reservation("E2E-3001")
    later = spec.revised((stay("FAMZI"),), spec.modified_at + timedelta(minutes=3))
    assert parse_answer((await hub.push(modify(later), OTAONE)).content).success

    async def dead() -> bool:
        return any(dl["consumer"] == "pms.bookings" for dl in await open_letters(hub))

    await hub.eventually(dead, what="the early modify to be dead-lettered")
    (letter,) = [dl for dl in await open_letters(hub) if dl["consumer"] == "pms.bookings"]
    assert "not known yet" in letter["error_text"]
    assert letter["attempts"] == 3  # first delivery + two delayed retries
    assert await bookings(hub, partner_reservation_id="E2E-3001") == []

    assert parse_answer((await hub.push(commit(spec), OTAONE)).content).success
    await hub.eventually(lambda: _sold_is(hub, "DBL", ARRIVAL, 1), what="the create")
    async with hub.hub.engine.begin() as conn:
        await deadletters.replay(conn, letter["id"], actor="e2e")
    _notify(hub)
    await hub.eventually(lambda: _sold_is(hub, "FAM", ARRIVAL, 1), what="the replayed modify")
    assert await sold(hub, "DBL", ARRIVAL) == 0


async def test_given_an_unmapped_room_code_when_pushed_then_error_402_and_replay_after_mapping_fix_books_it(
    hub: RunningHub, tmp_path: Any
) -> None:
    spec = reservation("E2E-4001", stay("DZPANO"))
    answer = parse_answer((await hub.push(commit(spec), OTAONE)).content)
    assert not answer.success
    assert answer.error_codes == ("402",)
    letters = [dl for dl in await open_letters(hub) if dl["consumer"] == "ota.translate"]
    assert len(letters) == 1 and "DZPANO" in letters[0]["error_text"]

    # Staff fix the mapping (DZPANO is OTA One's code for the superior double) and replay.
    fixed = _config_with_extra_room_code(tmp_path, "DZPANO", "DSUP")
    await apply_file(hub.settings.database_url, fixed)
    async with hub.hub.engine.begin() as conn:
        await deadletters.replay(conn, letters[0]["id"], actor="e2e")
    _notify(hub)

    async def booked() -> bool:
        found = await bookings(hub, partner_reservation_id="E2E-4001")
        return len(found) == 1 and found[0]["room_type_code"] == "DSUP"

    await hub.eventually(booked, what="the replayed booking")


def _notify(hub: RunningHub) -> None:
    if hub.hub.dispatcher is not None:
        hub.hub.dispatcher.notify()


def _config_with_extra_room_code(tmp_path: Any, partner_code: str, hub_code: str) -> Any:
    """A copy of the demo config whose otaone mapping also maps `partner_code`."""
    import shutil

    from harness import DEMO_CONFIG

    target = tmp_path / "fixed"
    shutil.copytree(DEMO_CONFIG.parent, target, ignore=shutil.ignore_patterns("*.md"))
    mapping = target / "mappings" / "ota" / "otaone.yaml"
    text = mapping.read_text()
    # One partner code per hub code: the old code for the superior double gives way to the new one.
    text = text.replace("DZSUP: DSUP", f"{partner_code}: {hub_code}")
    mapping.write_text(text)
    return target / DEMO_CONFIG.name


async def test_given_a_running_hub_when_operators_look_then_health_readiness_metrics_and_openapi_answer(
    hub: RunningHub,
) -> None:
    assert (await hub.push(commit(reservation("E2E-5001")), OTAONE)).status_code == 200
    await hub.eventually(hub.settled, what="the outbox to drain")
    assert (await hub.http.get("/healthz")).json() == {"status": "ok"}
    ready = (await hub.http.get("/readyz")).json()
    assert ready["status"] == "ready", ready
    if hub.mode == "rabbit":  # the ARI channels' queues are consumed too
        assert ready["checks"]["ari_channel_queues"] is True, ready
    metrics = (await hub.http.get("/metrics")).text
    assert 'hotelhub_ingress_total{message="ota",outcome="accepted",partner="otaone"}' in metrics
    assert "hotelhub_outbox_pending 0.0" in metrics
    paths = (await hub.http.get("/openapi.json")).json()["paths"]
    assert {"/ota", "/api/v1/properties/{code}/bookings", "/api/v1/properties/{code}/availability"} <= set(
        paths
    )
    assert (await hub.http.get("/docs")).status_code == 200


async def test_given_a_correlation_id_when_a_booking_is_pushed_then_it_follows_the_booking_into_the_core_logs(
    hub: RunningHub, caplog: Any
) -> None:
    import logging

    from hub.logs import JsonFormatter

    caplog.set_level(logging.INFO, logger="hotelhub")
    response = await hub.http.post(
        "/ota",
        content=commit(reservation("E2E-6001")),
        auth=OTAONE,
        headers={"content-type": "text/xml", "x-correlation-id": "corr-e2e-6001"},
    )
    assert parse_answer(response.content).success

    async def logged() -> bool:
        return any(
            r.name == "hotelhub.bookings" and getattr(r, "correlation_id", None) == "corr-e2e-6001"
            for r in caplog.records
        )

    await hub.eventually(logged, what="the booking's log line")
    record = next(r for r in caplog.records if r.name == "hotelhub.bookings")
    assert '"correlation_id": "corr-e2e-6001"' in JsonFormatter().format(record)
