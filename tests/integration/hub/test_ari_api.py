"""The ARI REST API round trip: PUT patches, GET resolved cells and availability, out of order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from harness import RunningHub, running_hub
from sqlalchemy import func, select

from canonical.ari import ARI_CHANGED_V1, AriChanged, AriKind
from hub.ari_outbox import write_routed
from routes.table import DeliveryContext, Route, RoutingTable
from routes.tables import inbox, outbox

ARI = "/api/v1/properties/ALPINA/ari"
OUT_OF_ORDER = "/api/v1/properties/ALPINA/out-of-order"
OTAONE = ("otaone", "otaone-secret")


@pytest.fixture
async def hub(database_url: str, tmp_path: Path) -> Any:
    """A running hub (embedded dispatcher) with the demo configuration, on SQLite or PostgreSQL."""
    async with running_hub("embedded", database_url, None, tmp_path) as running:
        yield running


def _year(**fields: Any) -> dict[str, Any]:
    return {"room_type": "DBL", "rate_plan": "BAR", "from": "2031-01-01", "to": "2031-12-31", **fields}


async def _put(hub: RunningHub, *patches: dict[str, Any]) -> Any:
    response = await hub.http.put(ARI, json={"patches": list(patches)})
    assert response.status_code == 200, response.text
    return response.json()


async def test_given_a_year_with_a_weekday_mask_when_put_then_answered_what_changed_and_read_back(
    hub: RunningHub,
) -> None:
    answer = await _put(
        hub,
        _year(rates={"amount": "199.00"}),
        _year(days=["sat"], restrictions={"min_los": 2, "closed_to_arrival": True}),
    )
    again = await _put(hub, _year(rates={"amount": "199.00"}))
    view = await hub.api(
        ARI, **{"from": "2031-01-03", "to": "2031-01-05", "room_type": "DBL", "rate_plan": "BAR"}
    )

    assert (answer["cells"], answer["nights"]) == (365, 365)
    assert answer["changes"][0] == {
        "property": "ALPINA",
        "room_type": "DBL",
        "rate_plan": "BAR",
        "first_night": "2031-01-01",
        "last_night": "2031-01-03",  # a Friday; Saturday the 4th has restrictions too
        "kinds": ["rates"],
        "urgent": False,
    }
    assert (again["cells"], again["changes"]) == (0, [])
    assert [(c["night"], c["rates"]["amount"], c["restrictions"]["min_los"]) for c in view["rates"]] == [
        ("2031-01-03", "199.00", None),
        ("2031-01-04", "199.00", 2),
        ("2031-01-05", "199.00", None),
    ]
    assert [c["available"] for c in view["availability"]] == [8, 8, 8]


async def test_given_bad_patches_when_put_then_422_naming_the_field(hub: RunningHub) -> None:
    cases = [
        (_year(rates={"amount": "-1"}), "patches[0].rates.amount"),
        (_year(to="2030-12-31", rates={"amount": "1"}), "patches[0]"),
        (_year(days=["someday"], rates={"amount": "1"}), "patches[0].days[0]"),
        (_year(restrictions={"min_los": 0}), "patches[0].restrictions.min_los"),
        (_year(colour="red", rates={"amount": "1"}), "patches[0].colour"),
    ]
    for patch, field in cases:
        response = await hub.http.put(ARI, json={"patches": [patch]})
        assert response.status_code == 422, (field, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [error["field"] for error in response.json()["errors"]], response.text


async def test_given_unknown_codes_when_put_then_422_naming_the_code_and_nothing_changed(
    hub: RunningHub,
) -> None:
    good = _year(rates={"amount": "111"})
    unknown_type = await hub.http.put(
        ARI, json={"patches": [good, _year(room_type="SPA", rates={"amount": "1"})]}
    )
    unknown_plan = await hub.http.put(ARI, json={"patches": [_year(rate_plan="CORP", rates={"amount": "1"})]})
    unknown_hotel = await hub.http.put("/api/v1/properties/NOPE/ari", json={"patches": [good]})

    assert unknown_type.status_code == 422 and "'SPA'" in unknown_type.json()["detail"]
    assert unknown_type.json()["errors"][0]["field"] == "patches[1].room_type"
    assert unknown_plan.status_code == 422 and "'CORP'" in unknown_plan.json()["detail"]
    assert unknown_plan.json()["errors"][0]["field"] == "patches[0].rate_plan"
    assert unknown_hotel.status_code == 404
    view = await hub.api(
        ARI, **{"from": "2031-01-01", "to": "2031-01-01", "room_type": "DBL", "rate_plan": "BAR"}
    )
    assert view["rates"][0]["rates"]["amount"] == "180.00"  # the default rate still


async def test_given_a_partner_when_it_reads_then_allowed_and_when_it_writes_then_403(
    hub: RunningHub,
) -> None:
    read = await hub.http.get(ARI, params={"from": "2031-01-01", "to": "2031-01-02"}, auth=OTAONE)
    write = await hub.http.put(ARI, json={"patches": [_year(rates={"amount": "1"})]}, auth=OTAONE)
    out = await hub.http.post(
        OUT_OF_ORDER,
        json={"room": "101", "from": "2031-01-01", "to": "2031-01-02", "reason": "x"},
        auth=OTAONE,
    )

    assert read.status_code == 200 and read.json()["rates"]
    assert (write.status_code, out.status_code) == (403, 403)


async def test_given_a_room_out_of_order_when_listed_and_put_back_then_availability_follows(
    hub: RunningHub,
) -> None:
    taken = await hub.http.post(
        OUT_OF_ORDER, json={"room": "101", "from": "2031-02-01", "to": "2031-02-02", "reason": "new carpet"}
    )
    assert taken.status_code == 201, taken.text
    listed = await hub.api(OUT_OF_ORDER)
    during = await hub.api(ARI, **{"from": "2031-02-01", "to": "2031-02-03", "room_type": "DBL"})
    back = await hub.http.delete(f"{OUT_OF_ORDER}/{taken.json()['id']}")
    after = await hub.api(ARI, **{"from": "2031-02-01", "to": "2031-02-03", "room_type": "DBL"})
    again = await hub.http.delete(f"{OUT_OF_ORDER}/{taken.json()['id']}")
    unknown = await hub.http.post(
        OUT_OF_ORDER, json={"room": "999", "from": "2031-02-01", "to": "2031-02-02", "reason": "x"}
    )

    assert [(r["room"], r["room_type_code"], r["reason"]) for r in listed] == [("101", "DBL", "new carpet")]
    assert [c["available"] for c in during["availability"]] == [7, 7, 8]
    assert back.status_code == 200
    assert [c["available"] for c in after["availability"]] == [8, 8, 8]
    assert again.status_code == 404
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "room"


async def test_given_no_route_consumes_ari_when_events_are_written_then_nothing_reaches_the_outbox(
    hub: RunningHub,
) -> None:
    event = AriChanged(
        property="ALPINA",
        room_type="DBL",
        first_night="2031-01-01",  # type: ignore[arg-type]
        last_night="2031-01-02",  # type: ignore[arg-type]
        kinds=frozenset({AriKind.AVAILABILITY}),
    )
    async with hub.hub.engine.begin() as conn:
        before = await conn.scalar(select(func.count()).where(outbox.c.message_type == ARI_CHANGED_V1))
        written = await write_routed(
            conn, RoutingTable([]), [(ARI_CHANGED_V1, event)], property_code="ALPINA"
        )
        count = await conn.scalar(select(func.count()).where(outbox.c.message_type == ARI_CHANGED_V1))
    assert (written, count) == (0, before)


async def test_given_the_hubs_table_when_ari_changes_then_the_distributor_gets_its_events(
    hub: RunningHub,
) -> None:
    # the hub's own table routes ari.changed.v1 to the ARI distributor (routes/ari_out.py)
    await _put(hub, _year(rates={"amount": "150"}))

    async def consumed() -> bool:
        async with hub.hub.engine.connect() as conn:
            count = await conn.scalar(select(func.count()).where(inbox.c.consumer == "ari-distributor"))
        return bool(count)

    await hub.eventually(consumed, what="the distributor consuming ari.changed.v1")


async def _nothing(envelope: Any, ctx: DeliveryContext) -> None:
    """A stand-in consumer of ari.changed.v1."""


async def test_given_a_route_consumes_ari_when_events_are_written_then_they_reach_the_outbox(
    hub: RunningHub,
) -> None:
    table = RoutingTable([Route(ARI_CHANGED_V1, "ari.test", _nothing)])
    event = AriChanged(
        property="ALPINA",
        room_type="DBL",
        rate_plan="BAR",
        first_night="2031-01-01",  # type: ignore[arg-type]
        last_night="2031-01-02",  # type: ignore[arg-type]
        kinds=frozenset({AriKind.RATES}),
    )
    async with hub.hub.engine.begin() as conn:
        before = await conn.scalar(select(func.count()).where(outbox.c.message_type == ARI_CHANGED_V1))
        written = await write_routed(
            conn, table, [(ARI_CHANGED_V1, event), ("other.v1", event)], property_code="ALPINA"
        )
        count = await conn.scalar(select(func.count()).where(outbox.c.message_type == ARI_CHANGED_V1))

    assert (written, count) == (1, before + 1)


async def test_given_a_bad_range_or_code_when_read_then_422_naming_it(hub: RunningHub) -> None:
    backwards = await hub.http.get(ARI, params={"from": "2031-01-02", "to": "2031-01-01"})
    too_long = await hub.http.get(ARI, params={"from": "2031-01-01", "to": "2033-01-02"})
    longest = await hub.http.get(ARI, params={"from": "2031-01-01", "to": "2032-12-31", "room_type": "JSU"})
    unknown = await hub.http.get(ARI, params={"from": "2031-01-01", "to": "2031-01-01", "room_type": "SPA"})

    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "to"
    assert too_long.status_code == 422 and "at most 731 nights" in too_long.json()["detail"]
    assert longest.status_code == 200 and len(longest.json()["availability"]) == 731
    assert unknown.status_code == 422 and "'SPA'" in unknown.json()["detail"]
