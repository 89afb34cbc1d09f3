"""The hub's own booking-pull messages against the pull channel: its OTA_ReadRQ gets every pending
reservation, its OTA_NotifReportRQ acknowledges them (confirmation or refusal) and they stop coming."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
from ota_schemas import OTA_2015A, require_conformance

from connectors.ota.ari_codec import Header
from connectors.ota.codec import write
from connectors.ota.pull import Ack, notif_report, read_retrieved, read_rq
from connectors.ota.simulator import PullChannel, SchemaFolder
from hub.demo.messages import GuestSpec, ReservationSpec, StaySpec, hotel_res_notif

AUTH = {"Authorization": "Basic " + base64.b64encode(b"hub:secret").decode()}
AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
GUEST = GuestSpec("Anna", "Huber", "anna@example.org", "+43 1 234", "de", "Ring 1", "Wien", "1010", "AT")


def held(reservation_id: str, status: str) -> bytes:
    stay = StaySpec("DBL", "BAR", date(2026, 5, 1), date(2026, 5, 3), 2, (), Decimal(90))
    spec = ReservationSpec(reservation_id, "Channel", "H1", "EUR", (stay,), GUEST, AT, AT, card=False)
    return write(hotel_res_notif(spec, status, echo_token="x"))  # type: ignore[arg-type]


async def test_given_new_modified_and_cancelled_reservations_when_the_hub_reads_and_acknowledges_then_none_is_left() -> (
    None
):
    require_conformance()
    channel = PullChannel(username="hub", password="secret", schemas=SchemaFolder(OTA_2015A))
    for reservation_id, status in (
        ("R1", "Commit"),
        ("R2", "Commit"),
        ("R3", "Commit"),
        ("R4", "Modify"),
        ("R5", "Cancel"),
    ):
        channel.add(held(reservation_id, status))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=channel.app), base_url="http://channel"
    ) as http:
        answer = await http.post("/ota", content=write(read_rq("H1", Header("poll-1", AT))), headers=AUTH)
        retrieved = read_retrieved(answer.content)
        assert sorted(pulled.partner_reservation_id for pulled in retrieved.reservations) == [
            "R1",
            "R2",
            "R3",
            "R4",
            "R5",
        ]
        acks = [Ack(f"R{n}", hotel_code="H1", confirmation=f"HUB-{n}") for n in range(1, 5)]
        acks.append(Ack("R5", refusal=(3, 450, "Unable to process")))
        reported = await http.post(
            "/ota", content=write(notif_report(acks, Header("ack-1", AT))), headers=AUTH
        )
        assert reported.status_code == 200
        again = read_retrieved(
            (
                await http.post("/ota", content=write(read_rq("H1", Header("poll-2", AT))), headers=AUTH)
            ).content
        )
    assert [call.outcome for call in channel.calls] == ["applied"] * 3
    assert again.reservations == ()
    assert [(ack.reservation_id, ack.confirmation, ack.error_code, ack.known) for ack in channel.acks] == [
        ("R1", "HUB-1", None, True),
        ("R2", "HUB-2", None, True),
        ("R3", "HUB-3", None, True),
        ("R4", "HUB-4", None, True),
        ("R5", None, "450", True),
    ]
    assert channel.returned == {f"R{n}": 1 for n in range(1, 6)}
