"""Every answer the OTA connector writes validates against the OpenTravel 2015A XSD of its message."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from connectors.ota.codec import OtaRequest, read_request
from connectors.ota.errors import (
    AuthenticationFailed,
    HotelNotGranted,
    InvalidDate,
    InvalidField,
    MalformedMessage,
    MessageTooLarge,
    MissingField,
    OtaError,
    ReservationNotFound,
    ServiceUnavailable,
    UnknownHotel,
    UnmappedRatePlan,
    UnmappedRoomType,
    UnsupportedAction,
    UnsupportedMessage,
)
from connectors.ota.responses import error_response, success_response
from connectors.ota.settings import OTA_NS, SOAP11_NS, SOAP12_NS

Schema = Callable[[str], etree.XMLSchema]

RES_NOTIF = (
    f'<OTA_HotelResNotifRQ xmlns="{OTA_NS}" EchoToken="echo-1" Version="1.003">'
    "<HotelReservations/></OTA_HotelResNotifRQ>"
).encode()
CANCEL = f'<OTA_CancelRQ xmlns="{OTA_NS}" EchoToken="echo-2" Version="2.001"/>'.encode()

ALL_ERRORS: list[OtaError] = [
    MalformedMessage("not well-formed XML: line 1"),
    MessageTooLarge("body of 2000000 bytes is over the limit of 1048576 bytes"),
    UnsupportedMessage("OTA_HotelAvailNotifRQ is not taken here"),
    UnsupportedAction("ResStatus 'Initiate' is not supported", tag="ResStatus"),
    MissingField("RoomStay has no RoomTypeCode", tag="RoomTypeCode"),
    InvalidField("Amount '12,5' is not an amount", tag="AmountAfterTax"),
    InvalidDate("Start '2030-02-30' is not a valid date", tag="Start"),
    UnknownHotel("H9"),
    UnmappedRoomType("SUITE", hotel_code="H1"),
    UnmappedRatePlan("NRF", hotel_code="H1"),
    ReservationNotFound("no reservation R-1 for this partner"),
    ServiceUnavailable("the hub is shutting down"),
    AuthenticationFailed("PasswordDigest cannot be checked: send PasswordText over TLS"),
    HotelNotGranted("H2"),
]


def soap_wrapped(body: bytes, version: str) -> bytes:
    """The same request inside a SOAP envelope of `version`."""
    ns = SOAP11_NS if version == "1.1" else SOAP12_NS
    return f'<s:Envelope xmlns:s="{ns}"><s:Body>{body.decode()}</s:Body></s:Envelope>'.encode()


def answer(raw: bytes) -> OtaRequest:
    """Parse an answer back (unwrapping SOAP) with the connector's own safe reader."""
    return read_request(raw, max_bytes=1024 * 1024)


def assert_valid(schema: Schema, parsed: OtaRequest) -> None:
    """Validate the OTA element of an answer as a document of its own against its 2015A XSD."""
    document = etree.ElementTree(etree.fromstring(etree.tostring(parsed.root)))
    xsd = schema(parsed.message_name)
    assert xsd.validate(document), str(xsd.error_log)


@pytest.mark.parametrize("soap", [None, "1.1", "1.2"])
def test_given_bookings_taken_when_answered_then_valid_hotel_res_notif_rs(
    ota_2015a_schema: Schema, soap: str | None
) -> None:
    body = RES_NOTIF if soap is None else soap_wrapped(RES_NOTIF, soap)
    req = read_request(body, max_bytes=4096)
    parsed = answer(success_response(req, [("6b34fe24ac2ff810", "HH-0001"), ("R-2", "HH-0002")]))
    assert parsed.message_name == "OTA_HotelResNotifRS"
    assert parsed.soap_version == req.soap_version
    assert (parsed.echo_token, parsed.version) == ("echo-1", "1.003")
    assert parsed.root.find(f"{{{OTA_NS}}}Success") is not None
    ids = parsed.root.findall(f".//{{{OTA_NS}}}HotelReservationID")
    assert [(e.get("ResID_Type"), e.get("ResID_Value")) for e in ids] == [
        ("14", "HH-0001"),
        ("14", "HH-0002"),
    ]
    uniques = parsed.root.findall(f".//{{{OTA_NS}}}UniqueID")
    assert [(e.get("Type"), e.get("ID")) for e in uniques] == [("14", "6b34fe24ac2ff810"), ("14", "R-2")]
    assert_valid(ota_2015a_schema, parsed)


@pytest.mark.parametrize("soap", [None, "1.2"])
def test_given_cancellation_taken_when_answered_then_valid_cancel_rs(
    ota_2015a_schema: Schema, soap: str | None
) -> None:
    body = CANCEL if soap is None else soap_wrapped(CANCEL, soap)
    parsed = answer(success_response(read_request(body, max_bytes=4096), [("R-1001", "HH-0001")]))
    assert (parsed.message_name, parsed.root.get("Status")) == ("OTA_CancelRS", "Cancelled")
    info = parsed.root.find(f"{{{OTA_NS}}}CancelInfoRS/{{{OTA_NS}}}UniqueID")
    assert info is not None and info.get("ID") == "HH-0001"
    assert_valid(ota_2015a_schema, parsed)


@pytest.mark.parametrize("body", [RES_NOTIF, CANCEL], ids=["res_notif", "cancel"])
@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda e: type(e).__name__)
def test_given_error_when_answered_then_valid_errors_response(
    ota_2015a_schema: Schema, body: bytes, error: OtaError
) -> None:
    req = read_request(soap_wrapped(body, "1.1"), max_bytes=4096)
    parsed = answer(error_response(req, [error]))
    assert parsed.soap_version == "1.1"
    item = parsed.root.find(f"{{{OTA_NS}}}Errors/{{{OTA_NS}}}Error")
    assert item is not None
    assert (item.get("Type"), item.get("Code")) == (str(error.ota_type), str(error.ota_code))
    assert item.get("ShortText") == error.short_text
    assert item.text == error.message
    assert_valid(ota_2015a_schema, parsed)


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ("OTA_HotelResNotifRQ", "OTA_HotelResNotifRS"),
        ("OTA_CancelRQ", "OTA_CancelRS"),
        ("OTA_CancelRS", "OTA_CancelRS"),
        (None, "OTA_ErrorRS"),
        ("garbage", "OTA_ErrorRS"),
    ],
)
def test_given_unparsable_request_when_answered_then_hinted_message_with_errors(
    ota_2015a_schema: Schema, hint: str | None, expected: str
) -> None:
    raw = error_response(None, [MalformedMessage("not well-formed XML")], hint, soap_version="1.2")
    parsed = answer(raw)
    assert (parsed.message_name, parsed.soap_version) == (expected, "1.2")
    assert parsed.root.get("EchoToken") is None
    assert_valid(ota_2015a_schema, parsed)


def test_given_several_errors_when_answered_then_all_listed(ota_2015a_schema: Schema) -> None:
    parsed = answer(error_response(read_request(RES_NOTIF, max_bytes=4096), ALL_ERRORS))
    assert len(parsed.root.findall(f"{{{OTA_NS}}}Errors/{{{OTA_NS}}}Error")) == len(ALL_ERRORS)
    assert_valid(ota_2015a_schema, parsed)


def test_given_request_version_not_decimal_when_answered_then_default_version(
    ota_2015a_schema: Schema,
) -> None:
    body = RES_NOTIF.replace(b'Version="1.003"', b'Version="2015A"').replace(
        b'EchoToken="echo-1"', b'EchoToken="' + b"e" * 200 + b'"'
    )
    parsed = answer(success_response(read_request(body, max_bytes=4096), [("R-1", "HH-1")]))
    assert (parsed.version, parsed.echo_token) == ("1.000", None)
    assert_valid(ota_2015a_schema, parsed)


def test_given_id_longer_than_a_unique_id_when_answered_then_value_error() -> None:
    with pytest.raises(ValueError, match="1-32 characters"):
        success_response(read_request(RES_NOTIF, max_bytes=4096), [("R" * 33, "HH-1")])


def test_given_alpinebits_cancellation_when_answered_then_acknowledged_as_sent(
    ota_2015a_schema: Schema,
) -> None:
    body = (
        f'<OTA_HotelResNotifRQ xmlns="{OTA_NS}" Version="1.000"><HotelReservations>'
        '<HotelReservation ResStatus="Cancelled"><UniqueID Type="15" ID="c24e8b15ca469388"/>'
        '<ResGlobalInfo><BasicPropertyInfo HotelCode="123"/></ResGlobalInfo></HotelReservation>'
        "</HotelReservations></OTA_HotelResNotifRQ>"
    ).encode()
    parsed = answer(success_response(read_request(body, max_bytes=4096), [("c24e8b15ca469388", "HH-9")]))
    unique = parsed.root.find(f".//{{{OTA_NS}}}UniqueID")
    info = parsed.root.find(f".//{{{OTA_NS}}}BasicPropertyInfo")
    assert unique is not None and (unique.get("Type"), unique.get("ID")) == ("15", "c24e8b15ca469388")
    assert info is not None and info.get("HotelCode") == "123"
    assert_valid(ota_2015a_schema, parsed)
