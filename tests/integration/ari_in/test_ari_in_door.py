"""ARI notifications at POST /ota: applied to the core from rms / pms partners, refused from others."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import httpx
import pytest
from ari_messages import Count, Rate, Restriction, avail_notif, inv_notif, plain, rate_notif, soap11
from harness import ota_codes
from ota_schemas import assert_ota_valid_where_known
from sqlalchemy import func, select

from canonical.ari import ARI_CHANGED_V1, AriChanged
from canonical.envelope import Envelope
from hub.bootstrap import Hub
from routes.table import Route, RoutingTable
from routes.tables import dead_letters, inbound_messages, outbox

REVMAX = ("revmax", "otatwo-secret")
EXTPMS = ("extpms", "otatwo-secret")
OTAONE = ("otaone", "otaone-secret")
NIGHT = date(2031, 3, 10)


async def push(client: httpx.AsyncClient, body: bytes, auth: tuple[str, str] | None) -> httpx.Response:
    """POST a message to /ota; its XML answer must validate against the 2015A XSD of its RS."""
    response = await client.post("/ota", content=body, auth=auth, headers={"content-type": "text/xml"})
    assert_ota_valid_where_known(response.content)
    return response


async def ari(client: httpx.AsyncClient, first: date, last: date) -> dict[str, object]:
    """GET /api/v1/properties/ALPINA/ari for [first, last]."""
    response = await client.get(
        "/api/v1/properties/ALPINA/ari", params={"from": first.isoformat(), "to": last.isoformat()}
    )
    response.raise_for_status()
    return dict(response.json())


def cell(view: dict[str, object], room: str, plan: str, night: date) -> dict[str, object]:
    """The rate cell of (room, plan, night) in a GET …/ari answer."""
    cells = view["rates"]
    assert isinstance(cells, list)
    return next(
        c for c in cells if (c["room_type"], c["rate_plan"], c["night"]) == (room, plan, night.isoformat())
    )


def rooms_left(view: dict[str, object], room: str, night: date) -> int:
    """Rooms left of (room, night) in a GET …/ari answer."""
    cells = view["availability"]
    assert isinstance(cells, list)
    return int(
        next(c for c in cells if (c["room_type"], c["night"]) == (room, night.isoformat()))["available"]
    )


async def journal(door: Hub) -> list[tuple[str, str, str]]:
    """(partner, message name, outcome) of every journal row, in order."""
    async with door.engine.connect() as conn:
        rows = await conn.execute(
            select(
                inbound_messages.c.partner_id, inbound_messages.c.message_name, inbound_messages.c.outcome
            ).order_by(inbound_messages.c.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def count(door: Hub, table: object, *where: object) -> int:
    """Rows of a table (matching `where`)."""
    async with door.engine.connect() as conn:
        stmt = select(func.count()).select_from(table)  # type: ignore[arg-type]
        for clause in where:
            stmt = stmt.where(clause)  # type: ignore[arg-type]
        return int((await conn.execute(stmt)).scalar_one())


async def test_given_a_revenue_system_when_it_sends_rates_then_the_core_shows_them_and_the_message_is_kept(
    door: Hub, client: httpx.AsyncClient
) -> None:
    message = rate_notif(
        "RM-ALPINA",
        [Rate("RM-DBL", "RM-BAR", NIGHT, NIGHT, {None: "199.00", 1: "150.00"}, extra_adult="30.00")],
    )
    response = await push(client, plain(message), REVMAX)
    assert response.status_code == 200
    assert b"<Success/>" in response.content and b"OTA_HotelRateAmountNotifRS" in response.content
    shown = cell(await ari(client, NIGHT, NIGHT), "DBL", "BAR", NIGHT)["rates"]
    assert isinstance(shown, dict)
    assert Decimal(shown["amount"]) == Decimal("199.00")
    assert [(guests, Decimal(amount)) for guests, amount in shown["by_occupancy"]] == [(1, Decimal("150.00"))]
    assert (Decimal(shown["extra_adult"]), shown["extra_child"]) == (Decimal("30.00"), None)
    assert await journal(door) == [("revmax", "OTA_HotelRateAmountNotifRQ", "applied")]


async def test_given_a_revenue_system_when_it_sends_restrictions_in_soap_then_they_are_applied(
    door: Hub, client: httpx.AsyncClient
) -> None:
    items = [
        Restriction("RM-DSUP", "RM-NREF", NIGHT, NIGHT, status="Close"),
        Restriction("RM-DSUP", "RM-NREF", NIGHT, NIGHT, status="Close", restriction="Arrival"),
        Restriction("RM-DSUP", "RM-NREF", NIGHT, NIGHT, stays=[("SetMinLOS", 3)]),
    ]
    body = soap11(avail_notif("RM-ALPINA", items), username="revmax", password="otatwo-secret")
    response = await push(client, body, None)
    assert response.status_code == 200 and b"<Success/>" in response.content
    assert b"soap" in response.content[:200].lower()
    restrictions = cell(await ari(client, NIGHT, NIGHT), "DSUP", "NREF", NIGHT)["restrictions"]
    assert isinstance(restrictions, dict)
    assert (restrictions["closed"], restrictions["closed_to_arrival"], restrictions["min_los"]) == (
        True,
        True,
        3,
    )
    # the kept body is the OTA message alone: the SOAP header and its password are not stored
    async with door.engine.connect() as conn:
        kept = (await conn.execute(select(inbound_messages.c.body))).scalar_one()
    assert "otatwo-secret" not in kept and "AvailStatusMessages" in kept


async def ari_events_after(door: Hub, last_id: int) -> list[AriChanged]:
    """The ari.changed.v1 events written to the outbox after the row `last_id`."""
    async with door.engine.connect() as conn:
        bodies = (
            (
                await conn.execute(
                    select(outbox.c.body)
                    .where(outbox.c.message_type == ARI_CHANGED_V1, outbox.c.id > last_id)
                    .order_by(outbox.c.id)
                )
            )
            .scalars()
            .all()
        )
    return [Envelope[AriChanged].model_validate_json(body).payload for body in bodies]


async def last_outbox_id(door: Hub) -> int:
    """The id of the outbox's last row (0: none); `config apply` may have announced availability."""
    async with door.engine.connect() as conn:
        return int((await conn.execute(select(func.coalesce(func.max(outbox.c.id), 0)))).scalar_one())


async def test_given_a_route_for_ari_changes_when_a_notification_is_applied_then_its_events_reach_the_outbox(
    door: Hub, client: httpx.AsyncClient
) -> None:
    assert door.ingress.ari is not None

    async def consume(envelope: object, ctx: object) -> None:  # never run: nothing consumes here
        raise AssertionError("not consumed in this test")

    door.ingress.ari.table = RoutingTable([Route(ARI_CHANGED_V1, "test.ari", consume)])
    before = await last_outbox_id(door)
    message = rate_notif("RM-ALPINA", [Rate("RM-FAM", "RM-BAR", NIGHT, date(2031, 3, 12), {None: "310.00"})])
    assert (await push(client, plain(message), REVMAX)).status_code == 200
    events = await ari_events_after(door, before)
    assert [(e.room_type, e.rate_plan, e.first_night, e.last_night) for e in events] == [
        ("FAM", "BAR", NIGHT, date(2031, 3, 12))
    ]


async def test_given_no_route_for_ari_changes_when_a_notification_is_applied_then_no_event_is_written(
    door: Hub, client: httpx.AsyncClient
) -> None:
    assert door.ingress.ari is not None
    door.ingress.ari.table = RoutingTable([])
    before = await last_outbox_id(door)
    message = rate_notif("RM-ALPINA", [Rate("RM-FAM", "RM-BAR", NIGHT, NIGHT, {None: "310.00"})])
    assert (await push(client, plain(message), REVMAX)).status_code == 200
    assert await ari_events_after(door, before) == []
    rates = cell(await ari(client, NIGHT, NIGHT), "FAM", "BAR", NIGHT)["rates"]
    assert isinstance(rates, dict) and Decimal(rates["amount"]) == Decimal("310.00")  # applied all the same


async def test_given_an_unmapped_room_code_when_sent_then_3_402_kept_as_refused_no_dead_letter_one_log_line(
    door: Hub, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    before = await ari(client, NIGHT, NIGHT)
    message = rate_notif(
        "RM-ALPINA",
        [
            Rate("RM-DBL", "RM-BAR", NIGHT, NIGHT, {None: "99.00"}),
            Rate("RM-PENTHOUSE", "RM-BAR", NIGHT, NIGHT, {None: "999.00"}),
        ],
    )
    with caplog.at_level(logging.WARNING, logger="hotelhub.ingress"):
        response = await push(client, plain(message), REVMAX)
    assert ota_codes(response) == (("3", "402"),)
    assert await ari(client, NIGHT, NIGHT) == before  # nothing half applied
    assert await journal(door) == [("revmax", "OTA_HotelRateAmountNotifRQ", "refused")]
    assert await count(door, dead_letters) == 0
    lines = [r for r in caplog.records if getattr(r, "event", None) == "push_refused"]
    assert len(lines) == 1 and lines[0].ota_code == "3/402" and lines[0].hotel_code == "RM-ALPINA"  # type: ignore[attr-defined]


async def test_given_an_ota_partner_when_it_sends_ari_then_refused_6_497_and_nothing_kept(
    door: Hub, client: httpx.AsyncClient
) -> None:
    before = await ari(client, NIGHT, NIGHT)
    message = rate_notif("ALP-4711", [Rate("DZSTD", "FLEX1", NIGHT, NIGHT, {None: "1.00"})])
    response = await push(client, plain(message), OTAONE)
    assert ota_codes(response) == (("6", "497"),)
    assert b"may not send OTA_HotelRateAmountNotifRQ" in response.content
    assert await ari(client, NIGHT, NIGHT) == before
    assert await journal(door) == []


async def test_given_a_revenue_system_when_it_sends_room_counts_then_refused_6_497(
    door: Hub, client: httpx.AsyncClient
) -> None:
    counts = plain(inv_notif("RM-ALPINA", [Count("RM-DBL", NIGHT, NIGHT, 1)]))
    assert ota_codes(await push(client, counts, REVMAX)) == (("6", "497"),)
    limit = avail_notif("RM-ALPINA", [Restriction("RM-DBL", None, NIGHT, NIGHT, status="Open")])
    message = limit.find("{*}AvailStatusMessages/{*}AvailStatusMessage")
    assert message is not None
    message.set("BookingLimit", "2")
    message.set("BookingLimitMessageType", "SetLimit")
    assert ota_codes(await push(client, plain(limit), REVMAX)) == (("6", "497"),)
    assert rooms_left(await ari(client, NIGHT, NIGHT), "DBL", NIGHT) == 8


async def test_given_an_external_pms_when_it_sends_room_counts_then_rooms_left_equal_them(
    door: Hub, client: httpx.AsyncClient
) -> None:
    body = plain(inv_notif("PMS-1", [Count("D", NIGHT, date(2031, 3, 11), 3), Count("F", NIGHT, NIGHT, 0)]))
    response = await push(client, body, EXTPMS)
    assert response.status_code == 200 and b"<Success/>" in response.content
    view = await ari(client, NIGHT, date(2031, 3, 12))
    assert [rooms_left(view, "DBL", date(2031, 3, d)) for d in (10, 11, 12)] == [3, 3, 8]
    assert (rooms_left(view, "FAM", NIGHT), rooms_left(view, "DSUP", NIGHT)) == (0, 7)


async def test_given_an_external_pms_when_it_sends_a_complete_set_then_room_types_it_leaves_out_are_full(
    door: Hub, client: httpx.AsyncClient
) -> None:
    body = plain(inv_notif("PMS-1", [Count("S", NIGHT, date(2031, 3, 11), 2)], complete_set=True))
    assert (await push(client, body, EXTPMS)).status_code == 200
    view = await ari(client, NIGHT, date(2031, 3, 12))
    assert [rooms_left(view, "DSUP", date(2031, 3, d)) for d in (10, 11, 12)] == [2, 2, 7]
    assert [rooms_left(view, room, NIGHT) for room in ("DBL", "FAM", "JSU")] == [0, 0, 0]
    assert rooms_left(view, "DBL", date(2031, 3, 12)) == 8  # outside the set's span: untouched
