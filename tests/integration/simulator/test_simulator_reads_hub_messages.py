"""The hub's own outbound ARI messages, read by the simulator's independent reader: a fresh channel
that receives every message the hub shapes for a set of cells ends up showing exactly those cells."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from ota_schemas import OTA_2015A, require_conformance

from canonical.ari import AvailabilityCell, RateCell, Rates, Restrictions
from connectors.ota.ari_ranges import availability_ranges, rate_ranges, restriction_ranges
from connectors.ota.ari_shaping import ChannelCodes, Shaping, shape
from connectors.ota.codec import UsernameToken
from connectors.ota.simulator import PushChannel, SchemaFolder

FIRST = date(2031, 3, 1)
STAMP = datetime(2031, 2, 1, 8, 30, tzinfo=UTC)
AUTH = {"Authorization": "Basic " + base64.b64encode(b"hub:s3cret").decode()}
RESTRICTIONS = [
    Restrictions(),
    Restrictions(closed=True),
    Restrictions(closed_to_arrival=True, closed_to_departure=True, min_los=2),
    Restrictions(min_los=2, max_los=14, min_los_through=3, max_los_through=21),
    Restrictions(closed_to_departure=True, min_advance_days=1, max_advance_days=365),
]
RATES = [
    Rates(amount=Decimal("120.50")),
    Rates(by_occupancy=((1, Decimal(90)), (2, Decimal("110.25")), (3, Decimal(140)))),
    Rates(amount=Decimal(99), extra_adult=Decimal("25.5"), extra_child=Decimal(12)),
]
SHAPES = {
    "plain": Shaping(),
    "soap": Shaping(envelope="soap11", username_token=UsernameToken("hub", "s3cret", "PasswordText")),
    "availability with restrictions": Shaping(separate_requests=False),
    "small messages": Shaping(max_cells=3, max_span_days=5, max_bytes=2_000),
}


def cells() -> tuple[list[RateCell], list[AvailabilityCell]]:
    nights = [FIRST + timedelta(days=i) for i in range(20)]
    rate_cells = [
        RateCell(
            room_type=room,
            rate_plan="BAR",
            night=night,
            rates=RATES[(i // 4 + offset) % len(RATES)],
            restrictions=RESTRICTIONS[(i // 3 + offset) % len(RESTRICTIONS)],
        )
        for offset, room in enumerate(("DBL", "SGL"))
        for i, night in enumerate(nights)
    ]
    rooms = [
        AvailabilityCell(room_type=room, night=night, available=(i + offset) % 3)
        for offset, room in enumerate(("DBL", "SGL"))
        for i, night in enumerate(nights)
    ]
    return rate_cells, rooms


def expected(rate_cells: list[RateCell], rooms: list[AvailabilityCell]) -> dict:
    shown: dict = {"availability": {}, "rates": {}, "restrictions": {}}
    for room in rooms:
        shown["availability"].setdefault(room.room_type, {})[room.night] = room.available
    for cell in rate_cells:
        rates, restrictions = cell.rates, cell.restrictions
        shown["rates"].setdefault(cell.room_type, {}).setdefault(cell.rate_plan, {})[cell.night] = {
            "amount": rates.amount,
            "by_guests": dict(rates.by_occupancy),
            "extra_adult": rates.extra_adult,
            "extra_child": rates.extra_child,
            "currency": "EUR",
        }
        shown["restrictions"].setdefault(cell.room_type, {}).setdefault(cell.rate_plan, {})[cell.night] = (
            restrictions.model_dump(exclude={"same_day_cutoff"})
        )
    return {"H1": shown}


@pytest.mark.parametrize("shape_name", list(SHAPES))
async def test_given_the_hubs_shaped_messages_when_a_fresh_channel_receives_them_then_it_shows_exactly_the_cells(
    shape_name: str,
) -> None:
    require_conformance()
    shaping = SHAPES[shape_name]
    channel = PushChannel(
        username="hub", password="s3cret", soap=shaping.envelope == "soap11", schemas=SchemaFolder(OTA_2015A)
    )
    rate_cells, rooms = cells()
    messages = shape(
        ChannelCodes("H1", lambda room: [room], lambda plan: [plan]),
        shaping,
        currency="EUR",
        stamp=STAMP,
        echo_prefix="ari",
        restrictions=restriction_ranges(rate_cells),
        rates=rate_ranges(rate_cells),
        availability=availability_ranges(rooms),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=channel.app), base_url="http://channel"
    ) as http:
        for message in messages:
            answer = await http.post("/ota", content=message.body, headers=AUTH)
            assert answer.status_code == 200, answer.text
    assert [call.outcome for call in channel.calls] == ["applied"] * len(messages)
    assert sum(call.cells for call in channel.calls) == sum(message.cells for message in messages)
    assert channel.state() == expected(rate_cells, rooms)
