"""Availability requests: OpenTravel samples read into queries; every OTA_HotelAvailRS built validates (2015A)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from lxml import etree
from ota_ari_cells import availability_cells, night, rate_cells

from canonical.ari import Restrictions
from connectors.ota.ari_codec import Header
from connectors.ota.avail import AvailQuery, avail_response, offers, read_avail_query
from connectors.ota.codec import read_request, write
from connectors.ota.codes import PartnerCodes, PropertyCodes
from connectors.ota.errors import MissingField

OTA = "opentravel-specs/OTA1.0/OTA2011B/OpenTravel2011B_XML"
HEADER = Header("avail-1", datetime(2031, 2, 1, tzinfo=UTC))


def _codes(hotel: str) -> PartnerCodes:
    return PartnerCodes({hotel: PropertyCodes(f"P-{hotel}", "EUR", {}, {})})


@pytest.mark.parametrize(
    ("sample", "hotel", "stay"),
    [
        ("OTA_HotelAvailRQ.xml", "DENDT", (date(2006, 1, 16), date(2006, 1, 30))),
        ("OTA_HotelAvailRQ_Disability.xml", "AAABC", (date(2012, 1, 16), date(2012, 1, 30))),
    ],
)
def test_given_an_opentravel_availability_request_when_read_then_hotel_stay_and_guests(
    conformance: Path, sample: str, hotel: str, stay: tuple[date, date]
) -> None:
    req = read_request((conformance / OTA / sample).read_bytes(), max_bytes=10**6)
    query = read_avail_query(req, _codes(hotel))
    assert (query.property, query.arrival, query.departure, query.adults) == (f"P-{hotel}", *stay, 1)


def test_given_an_area_search_without_stay_dates_when_read_then_refused(conformance: Path) -> None:
    req = read_request((conformance / OTA / "OTA_HotelAvailRQ2.xml").read_bytes(), max_bytes=10**6)
    with pytest.raises(MissingField, match="StayDateRange"):
        read_avail_query(req, _codes("X"))


SHAPES = {
    "nothing to sell": (AvailQuery("H1", "P1", night(0), night(2), 2), [0, 0, 0]),
    "one night": (AvailQuery("H1", "P1", night(0), night(1), 1), [1, 1]),
    "family": (AvailQuery("H1", "P1", night(0), night(3), 2, children=2), [2, 2, 2, 2]),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_given_resolved_cells_when_answered_then_the_availability_answer_validates(
    ota_2015a_schema: Callable[[str], etree.XMLSchema], name: str
) -> None:
    query, rooms = SHAPES[name]
    cells = [
        cell.model_copy(update={"restrictions": Restrictions()})
        for cell in rate_cells([2] * 4)
        + rate_cells([2] * 4, rate_plan="NRF")
        + rate_cells([2] * 4, room_type="SGL")
    ]
    found = offers(
        query,
        cells,
        availability_cells(rooms) + availability_cells(rooms, room_type="SGL"),
        local_now=datetime.combine(night(-5), time(9, 0)),
    )
    assert (name == "nothing to sell") == (not found)
    answer = avail_response(
        query, found, currency="EUR", header=HEADER, partner_room=lambda r: f"X{r}", partner_plan=lambda p: p
    )
    document = etree.ElementTree(etree.fromstring(write(answer)))
    schema = ota_2015a_schema("OTA_HotelAvailRS")
    assert schema.validate(document), schema.error_log
    stays = answer.findall("{*}RoomStays/{*}RoomStay")
    assert len(stays) == len(found)
    for stay, offer in zip(stays, found, strict=True):
        assert stay.find("{*}Total").get("AmountAfterTax") == str(offer.total)  # type: ignore[union-attr]
        assert len(stay.findall("{*}RoomRates/{*}RoomRate/{*}Rates/{*}Rate")) == len(query.nights())
