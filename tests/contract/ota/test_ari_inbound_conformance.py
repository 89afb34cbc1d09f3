"""Third-party ARI notifications in (AlpineBits FreeRooms, OpenTravel samples): applied or refused as meant.

The code map is permissive (every code of the sample mapped to itself). Refusals name the rule the
example breaks (see docs/channels.md, "Inbound ARI"); the hub sells room categories only, so
AlpineBits examples of distinct rooms are refused for that reason even where AlpineBits allows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.ota.ari_inbound import InboundAri, translate_ari
from connectors.ota.codec import OtaRequest, read_request
from connectors.ota.codes import PartnerCodes, PropertyCodes
from connectors.ota.errors import InvalidField, MissingField, OtaError, UnsupportedAction

AB = "alpinebits-noi-opendatahub/alpinebits-xml/impl/src/test/resources/examples"
RULES = "alpinebits-noi-opendatahub/alpinebits-validation/impl/src/test/resources/examples"
KIT = "alpinebits-developers-kit/files"
OTA = "opentravel-specs/OTA1.0/OTA2011B/OpenTravel2011B_XML"


@dataclass(frozen=True)
class Applied:
    """The example is applied: this many room-count cells and patches, complete set or delta."""

    cells: int
    patches: int = 0
    complete_set: bool = False
    notes: int = 0


@dataclass(frozen=True)
class Refused:
    """The example is refused with this error, naming `mentions`."""

    error: type[OtaError]
    mentions: str


EXAMPLES: dict[str, Applied | Refused] = {
    f"{AB}/v_2024_10/FreeRooms-OTA_HotelInvCountNotifRQ.xml": Applied(30, complete_set=True),
    f"{AB}/v_2024_10/FreeRooms-OTA_HotelInvCountNotifRQ-delta.xml": Applied(20),
    f"{AB}/v_2024_10/FreeRooms-OTA_HotelInvCountNotifRQ-closing_seasons.xml": Applied(61, complete_set=True),
    f"{AB}/v_2024_10/FreeRooms-OTA_HotelInvCountNotifRQ-empty.xml": Applied(0, complete_set=True),
    f"{AB}/v_2020_10/FreeRooms-OTA_HotelInvCountNotifRQ.xml": Applied(30, complete_set=True),
    f"{AB}/v_2018_10/FreeRooms-OTA_HotelAvailNotifRQ-empty.xml": Applied(0, complete_set=True),
    f"{AB}/v_2018_10/FreeRooms-OTA_HotelAvailNotifRQ.xml": Refused(UnsupportedAction, "distinct room"),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_ok_reset.xml": Applied(0, complete_set=True),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_ok_delta-and-categories.xml": Applied(10),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_ok_complete-set-and-categories.xml": Applied(
        20, complete_set=True
    ),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_ok_closing-seasons.xml": Applied(61, complete_set=True),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_ok_delta-and-rooms.xml": Refused(
        UnsupportedAction, "distinct room"
    ),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_support_out-of-order.xml": Applied(
        10, complete_set=True, notes=1
    ),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_support_out-of-market.xml": Applied(
        10, complete_set=True, notes=1
    ),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_err_categories-and-rooms-mixed.xml": Refused(
        UnsupportedAction, "must not be mixed"
    ),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_err_closing-seasons-must-not-overlap.xml": Refused(
        InvalidField, "closing seasons overlap"
    ),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_err_closing-seasons-no-inv-counts-element-allowed.xml": (
        Refused(InvalidField, "carries no InvCounts")
    ),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_err_closing-seasons-not-on-top.xml": Refused(
        InvalidField, "closing seasons come before"
    ),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_err_no-hotelcode.xml": Refused(MissingField, "HotelCode"),
    f"{RULES}/v_2024_10/freerooms/HotelAvailNotifRQ_err_no-uniqueid-and-reset.xml": Refused(
        InvalidField, "only a CompleteSet"
    ),
    f"{RULES}/v_2018_10/freerooms/HotelAvailNotifRQ_ok_uniqueid-and-reset.xml": Applied(0, complete_set=True),
    f"{RULES}/v_2018_10/freerooms/HotelAvailNotifRQ_ok_uniqueid-and-room-categories.xml": Applied(
        20, complete_set=True
    ),
    f"{RULES}/v_2018_10/freerooms/HotelAvailNotifRQ_err_no-uniqueid-and-reset.xml": Refused(
        MissingField, "no StatusApplicationControl"
    ),
    f"{RULES}/v_2018_10/freerooms/HotelAvailNotifRQ_err_bookinglimitmessagetype-null.xml": Refused(
        MissingField, "BookingLimitMessageType"
    ),
    f"{RULES}/v_2018_10/freerooms/HotelAvailNotifRQ_err_bookingthreshold-condition.xml": Refused(
        InvalidField, "BookingThreshold is above BookingLimit"
    ),
    f"{RULES}/v_2018_10/freerooms/HotelAvailNotifRQ_err_invtypecode-null.xml": Refused(
        MissingField, "InvTypeCode"
    ),
    f"{RULES}/v_2018_10/freerooms/HotelAvailNotifRQ_err_no-hotelcode-and-hotelname.xml": Refused(
        MissingField, "HotelCode"
    ),
    f"{RULES}/v_2018_10/freerooms/HotelAvailNotifRQ_err_bookinglimit-null.xml": Refused(
        UnsupportedAction, "sets nothing"
    ),
    f"{KIT}/samples-contrib/FreeRooms-Categories-PartialSet.xml": Applied(7),
    f"{OTA}/OTA_HotelRateAmountNotifRQ.xml": Applied(0, patches=1),
    f"{OTA}/OTA_HotelAvailNotifRQ.xml": Refused(UnsupportedAction, "allotment"),
    f"{OTA}/OTA_HotelAvailNotifRQ2.xml": Refused(UnsupportedAction, "FullPatternLOS"),
    f"{OTA}/OTA_HotelAvailNotifRQ5.xml": Refused(UnsupportedAction, "sets nothing"),
    f"{OTA}/OTA_HotelAvailNotifRQ6.xml": Refused(UnsupportedAction, "AdjustLimit"),
    f"{OTA}/OTA_HotelInvCountNotifRQ.xml": Refused(UnsupportedAction, "Allocation"),
}


def _load(conformance: Path, relative: str) -> OtaRequest:
    return read_request((conformance / relative).read_bytes(), max_bytes=10**7)


def permissive(req: OtaRequest) -> PartnerCodes:
    """Every hotel, room and rate plan code of the example mapped to itself, in its currency."""
    controls = list(req.root.iter("{*}StatusApplicationControl"))
    rooms = {c.get("InvTypeCode") or c.get("InvCode") for c in controls} - {None}
    plans = {c.get("RatePlanCode") for c in controls} - {None}
    currencies = {e.get("CurrencyCode") for e in req.root.iter()} - {None}
    hotels = {e.get("HotelCode") for e in req.root.iter()} - {None}
    return PartnerCodes(
        {
            hotel: PropertyCodes(
                f"P-{hotel}",
                str(next(iter(currencies), "EUR")),
                {str(r): str(r) for r in rooms},
                {str(p): str(p) for p in plans},
            )
            for hotel in hotels
        }
    )


def _translate(req: OtaRequest) -> InboundAri:
    return translate_ari(req, permissive(req), source="rms-1")


@pytest.mark.parametrize("relative", list(EXAMPLES))
def test_given_a_conformance_example_when_received_then_applied_or_refused_as_it_means(
    conformance: Path, relative: str
) -> None:
    req = _load(conformance, relative)
    expected = EXAMPLES[relative]
    if isinstance(expected, Refused):
        with pytest.raises(expected.error, match=expected.mentions) as refused:
            _translate(req)
        assert type(refused.value) is expected.error  # the EWT/ERR pair is the class's
        return
    result = _translate(req)
    assert len(result.availability) == expected.cells
    assert (len(result.set_ari.patches) if result.set_ari else 0) == expected.patches
    assert result.complete_set is expected.complete_set
    assert len(result.notes) == expected.notes


def test_given_the_alpinebits_complete_set_when_received_then_counts_per_night_and_no_counts_mean_zero(
    conformance: Path,
) -> None:
    result = _translate(_load(conformance, f"{AB}/v_2024_10/FreeRooms-OTA_HotelInvCountNotifRQ.xml"))
    by_night = {cell.night.isoformat(): cell.available for cell in result.availability}
    assert (by_night["2022-08-01"], by_night["2022-08-10"]) == (3, 3)
    assert (by_night["2022-08-11"], by_night["2022-08-20"]) == (0, 0)  # an Inventory without InvCounts
    assert by_night["2022-08-30"] == 1
    assert {cell.room_type for cell in result.availability} == {"DOUBLE"}
    assert result.property == "P-123"


def test_given_the_opentravel_rate_sample_when_received_then_its_amount_is_set(conformance: Path) -> None:
    result = _translate(_load(conformance, f"{OTA}/OTA_HotelRateAmountNotifRQ.xml"))
    assert result.set_ari is not None
    (patch,) = result.set_ari.patches
    assert (patch.room_type, patch.rate_plan, patch.first_night.isoformat()) == (
        "STD",
        "BARA00",
        "2005-04-01",
    )
    assert patch.rates is not None and patch.rates.amount == Decimal("100.00")
    assert result.set_ari.source == "rms-1"


def test_given_every_freerooms_example_when_received_then_applied_or_refused_never_crashed(
    conformance: Path,
) -> None:
    seen = 0
    for path in sorted((conformance / RULES).rglob("HotelAvailNotifRQ_*.xml")):
        seen += 1
        req = read_request(path.read_bytes(), max_bytes=10**7)
        try:
            _translate(req)
        except OtaError:
            continue
        # AlpineBits 2020-10 and later name a broken example err_; every one of those is refused
        assert "_err_" not in path.name or "v_201" in str(path), f"{path.name} was applied"
    assert seen >= 80
