"""Inbound ARI: what the hub sends to a channel reads back as the same values; bad input gets its OTA error."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from ota_ari_cells import availability_cells, night, rate_cells

from canonical.ari import Rates, Restrictions
from connectors.ota.ari_inbound import translate_ari
from connectors.ota.ari_ranges import availability_ranges, rate_ranges, restriction_ranges
from connectors.ota.ari_shaping import ChannelCodes, Shaping, shape
from connectors.ota.codec import read_request
from connectors.ota.codes import PartnerCodes, PropertyCodes
from connectors.ota.errors import (
    InvalidDate,
    InvalidField,
    OtaError,
    UnknownHotel,
    UnmappedRatePlan,
    UnmappedRoomType,
)

CODES = PartnerCodes({"H1": PropertyCodes("P1", "EUR", {"DBL": "DOUBLE"}, {"BAR": "FLEX"})})
OUT = ChannelCodes("H1", lambda room: ["DBL"], lambda plan: ["BAR"])
STAMP = datetime(2031, 2, 1, tzinfo=UTC)


def _sent(**ranges: object) -> list[bytes]:
    return [m.body for m in shape(OUT, Shaping(), currency="EUR", stamp=STAMP, echo_prefix="t", **ranges)]  # type: ignore[arg-type]


def test_given_restrictions_the_hub_sends_when_read_back_then_the_same_values_are_set() -> None:
    cells = [
        c.model_copy(
            update={
                "restrictions": Restrictions(
                    closed=True, closed_to_departure=True, min_los=3, max_los_through=10, max_advance_days=90
                )
            }
        )
        for c in rate_cells([1, 1, 1])
    ]
    (body,) = _sent(restrictions=restriction_ranges(cells))
    result = translate_ari(read_request(body, max_bytes=10**6), CODES, source="pms-1")
    assert result.set_ari is not None and result.property == "P1"
    merged: dict[str, object] = {}
    cleared: set[str] = set()
    for patch in result.set_ari.patches:
        assert (patch.room_type, patch.rate_plan, patch.first_night, patch.last_night) == (
            "DOUBLE",
            "FLEX",
            night(0),
            night(2),
        )
        assert patch.restrictions is not None or patch.clear
        if patch.restrictions is not None:
            merged.update(patch.restrictions.model_dump(exclude_none=True))
        cleared |= patch.clear
    assert merged == {
        "closed": True,
        "closed_to_arrival": False,
        "closed_to_departure": True,
        "min_los": 3,
        "max_los_through": 10,
        "max_advance_days": 90,
    }
    assert cleared == {"max_los", "min_los_through"}


def test_given_rates_the_hub_sends_when_read_back_then_the_same_amounts_are_set() -> None:
    rates = Rates(
        by_occupancy=((1, Decimal("80")), (2, Decimal("95.5"))),
        extra_adult=Decimal(20),
        extra_child=Decimal(9),
    )
    cells = [c.model_copy(update={"rates": rates}) for c in rate_cells([2, 2])]
    (body,) = _sent(rates=rate_ranges(cells))
    result = translate_ari(read_request(body, max_bytes=10**6), CODES, source="rms-1")
    assert result.set_ari is not None
    (patch,) = result.set_ari.patches
    assert patch.rates is not None
    assert patch.rates.by_occupancy == rates.by_occupancy
    assert (patch.rates.extra_adult, patch.rates.extra_child) == (Decimal(20), Decimal(9))


def test_given_room_counts_the_hub_sends_when_read_back_then_one_cell_a_night() -> None:
    cells = availability_cells([2, 2, 0])
    (body,) = _sent(availability=availability_ranges(cells))
    result = translate_ari(read_request(body, max_bytes=10**6), CODES, source="pms-1")
    assert result.set_ari is None
    assert [(c.room_type, c.night, c.available) for c in result.availability] == [
        ("DOUBLE", night(0), 2),
        ("DOUBLE", night(1), 2),
        ("DOUBLE", night(2), 0),
    ]


def _avail(control: str, body: str = '<RestrictionStatus Status="Close"/>', hotel: str = "H1") -> bytes:
    return (
        '<OTA_HotelAvailNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0">'
        f'<AvailStatusMessages HotelCode="{hotel}"><AvailStatusMessage>'
        f"<StatusApplicationControl {control}/>{body}</AvailStatusMessage></AvailStatusMessages>"
        "</OTA_HotelAvailNotifRQ>"
    ).encode()


@pytest.mark.parametrize(
    ("body", "error", "pair"),
    [
        (_avail('Start="2031-01-01" End="2031-01-02" InvTypeCode="DBL"', hotel="H9"), UnknownHotel, (3, 392)),
        (_avail('Start="2031-01-01" End="2031-01-02" InvTypeCode="STE"'), UnmappedRoomType, (3, 402)),
        (_avail('Start="2031-01-01" InvTypeCode="DBL" RatePlanCode="NRF"'), UnmappedRatePlan, (3, 436)),
        (_avail('Start="2031-01-05" End="2031-01-02" InvTypeCode="DBL"'), InvalidDate, (3, 15)),
        (_avail('Start="2031-02-30" InvTypeCode="DBL"'), InvalidDate, (3, 15)),
        (_avail('Start="2031-01-01" InvTypeCode="DBL" Mon="false" Tue="0"'), InvalidField, (3, 320)),
    ],
)
def test_given_bad_inbound_ari_when_translated_then_its_ota_error(
    body: bytes, error: type[OtaError], pair: tuple[int, int]
) -> None:
    with pytest.raises(error) as refused:
        translate_ari(read_request(body, max_bytes=10**6), CODES, source="rms-1")
    assert (refused.value.ota_type, refused.value.ota_code) == pair


def test_given_weekday_flags_when_translated_then_the_patch_keeps_those_weekdays() -> None:
    body = _avail('Start="2031-01-01" End="2031-01-31" InvTypeCode="DBL" Sat="true" Sun="1" Mon="false"')
    result = translate_ari(read_request(body, max_bytes=10**6), CODES, source="rms-1")
    assert result.set_ari is not None
    (patch,) = result.set_ari.patches
    assert {day.name for day in patch.weekdays} == {"SAT", "SUN"}


def test_given_a_rate_in_another_currency_when_translated_then_refused() -> None:
    body = (
        b'<OTA_HotelRateAmountNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0">'
        b'<RateAmountMessages HotelCode="H1"><RateAmountMessage>'
        b'<StatusApplicationControl Start="2031-01-01" End="2031-01-02" InvTypeCode="DBL" RatePlanCode="BAR"/>'
        b'<Rates><Rate CurrencyCode="USD"><BaseByGuestAmts><BaseByGuestAmt AmountAfterTax="10"/>'
        b"</BaseByGuestAmts></Rate></Rates></RateAmountMessage></RateAmountMessages></OTA_HotelRateAmountNotifRQ>"
    )
    with pytest.raises(InvalidField, match="currency EUR"):
        translate_ari(read_request(body, max_bytes=10**6), CODES, source="rms-1")
