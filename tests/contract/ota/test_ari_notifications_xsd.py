"""Every outbound ARI notification validates against its OTA 2015A XSD, in every shape the hub builds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from lxml import etree
from ota_ari_cells import night

from canonical.ari import AvailabilityCell, RateCell, Rates, Restrictions
from connectors.ota.ari_codec import ALL_RESTRICTIONS, RestrictionType
from connectors.ota.ari_ranges import availability_ranges, rate_ranges, restriction_ranges
from connectors.ota.ari_shaping import ChannelCodes, Shaping, shape
from connectors.ota.codec import UsernameToken, read_request

STAMP = datetime(2031, 2, 1, 8, 30, tzinfo=UTC)
CODES = ChannelCodes("H1", lambda room: [room, f"{room}-X"], lambda plan: [plan])

RESTRICTIONS = [
    Restrictions(),
    Restrictions(closed=True),
    Restrictions(closed_to_arrival=True, closed_to_departure=True),
    Restrictions(min_los=2, max_los=14, min_los_through=3, max_los_through=21),
    Restrictions(min_advance_days=1, max_advance_days=365),
]
RATES = [
    Rates(amount=Decimal("120.50")),
    Rates(by_occupancy=((1, Decimal("90")), (2, Decimal("110.25")), (3, Decimal("140")))),
    Rates(amount=Decimal(99), extra_adult=Decimal("25.5"), extra_child=Decimal(12)),
]
SHAPES = {
    "plain": Shaping(),
    "soap": Shaping(envelope="soap11", username_token=UsernameToken("hub", "s3cret", "PasswordText")),
    "combined": Shaping(separate_requests=False),
    "small": Shaping(max_cells=3, max_span_days=5, max_bytes=2_000),
    "status only": Shaping(accepted=frozenset({RestrictionType.CLOSED})),
    "los only": Shaping(accepted=frozenset({RestrictionType.MIN_LOS, RestrictionType.MAX_LOS_THROUGH})),
    "cta ctd only": Shaping(
        accepted=frozenset({RestrictionType.CLOSED_TO_ARRIVAL, RestrictionType.CLOSED_TO_DEPARTURE})
    ),
}


def _cells(restrictions: Restrictions, rates: Rates) -> tuple[list[RateCell], list[AvailabilityCell]]:
    cells = [
        RateCell(room_type=room, rate_plan="BAR", night=night(i), rates=rates, restrictions=restrictions)
        for room in ("DBL", "SGL")
        for i in range(7)
    ]
    rooms = [AvailabilityCell(room_type="DBL", night=night(i), available=i % 3) for i in range(7)]
    return cells, rooms


@pytest.mark.parametrize("shape_name", list(SHAPES))
@pytest.mark.parametrize(
    "restrictions", RESTRICTIONS, ids=lambda r: ",".join(sorted(r.model_fields_set)) or "none"
)
@pytest.mark.parametrize("rates", RATES, ids=["amount", "occupancy", "extras"])
def test_given_resolved_cells_when_shaped_then_every_message_validates_against_2015a(
    ota_2015a_schema: Callable[[str], etree.XMLSchema],
    shape_name: str,
    restrictions: Restrictions,
    rates: Rates,
) -> None:
    cells, rooms = _cells(restrictions, rates)
    messages = shape(
        CODES,
        SHAPES[shape_name],
        currency="EUR",
        stamp=STAMP,
        echo_prefix="ari-1",
        restrictions=restriction_ranges(cells),
        rates=rate_ranges(cells),
        availability=availability_ranges(rooms),
    )
    assert messages
    for message in messages:
        req = read_request(message.body, max_bytes=10**6)
        assert req.message_name == message.message_name
        assert req.echo_token == message.echo_token and req.root.get("TimeStamp") and req.version
        schema = ota_2015a_schema(req.message_name)
        document = etree.ElementTree(etree.fromstring(etree.tostring(req.root)))
        assert schema.validate(document), f"{shape_name}: {schema.error_log}"
        if SHAPES[shape_name].envelope == "soap11":
            assert req.soap_version == "1.1" and req.username_token == UsernameToken(
                "hub", "s3cret", "PasswordText"
            )


def test_given_every_restriction_accepted_when_shaped_then_ota_mapping_is_written() -> None:
    restrictions = Restrictions(
        closed=True, closed_to_arrival=True, min_los=2, max_los_through=9, min_advance_days=3
    )
    cells, _ = _cells(restrictions, RATES[0])
    (message,) = shape(
        ChannelCodes("H1", lambda room: [room] if room == "DBL" else [], lambda plan: [plan]),
        Shaping(accepted=ALL_RESTRICTIONS),
        currency="EUR",
        stamp=STAMP,
        echo_prefix="e",
        restrictions=restriction_ranges(cells),
    )
    root = read_request(message.body, max_bytes=10**6).root
    ns = {"o": root.nsmap[None]}
    stays = {e.get("MinMaxMessageType"): e.get("Time") for e in root.iterfind(".//o:LengthOfStay", ns)}
    assert stays == {
        "SetMinLOS": "2",
        "RemoveMaxLOS": None,
        "RemoveForwardMinStay": None,
        "SetForwardMaxStay": "9",
    }
    statuses = [dict(e.attrib) for e in root.iterfind(".//o:RestrictionStatus", ns)]
    assert statuses == [
        {"Status": "Close", "MinAdvancedBookingOffset": "P3D"},
        {"Restriction": "Arrival", "Status": "Close"},
        {"Restriction": "Departure", "Status": "Open"},
    ]
    # SGL maps to no partner code: the channel does not get it
    assert {e.get("InvTypeCode") for e in root.iterfind(".//o:StatusApplicationControl", ns)} == {"DBL"}
    assert [e.get("LocatorID") for e in root.iterfind(".//o:AvailStatusMessage", ns)] == ["1", "2", "3"]
