"""A channel's answers to ARI notifications: recorded fixtures and third-party samples, each classed."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.ota.ari_answers import AnswerStatus, UnreadableAnswer, read_answer

FIXTURES = Path(__file__).parent / "fixtures" / "ari_answers"
AB = "alpinebits-noi-opendatahub/alpinebits-xml/impl/src/test/resources/examples/v_2024_10"
OTA = "opentravel-specs/OTA1.0/OTA2011B/OpenTravel2011B_XML"


@pytest.mark.parametrize(
    ("sample", "request_name", "status"),
    [
        (f"{OTA}/OTA_HotelAvailNotifRS2.xml", "OTA_HotelAvailNotifRQ", AnswerStatus.SUCCESS),
        (f"{OTA}/OTA_HotelRateAmountNotifRS.xml", "OTA_HotelRateAmountNotifRQ", AnswerStatus.SUCCESS),
        (
            f"{AB}/FreeRooms-OTA_HotelInvCountNotifRS-success.xml",
            "OTA_HotelInvCountNotifRQ",
            AnswerStatus.SUCCESS,
        ),
        (
            f"{AB}/FreeRooms-OTA_HotelInvCountNotifRS-warning.xml",
            "OTA_HotelInvCountNotifRQ",
            AnswerStatus.WARNINGS,
        ),
        (
            f"{AB}/FreeRooms-OTA_HotelInvCountNotifRS-advisory.xml",
            "OTA_HotelInvCountNotifRQ",
            AnswerStatus.WARNINGS,
        ),
        (
            f"{AB}/FreeRooms-OTA_HotelInvCountNotifRS-error.xml",
            "OTA_HotelInvCountNotifRQ",
            AnswerStatus.FAILED,
        ),
    ],
)
def test_given_a_third_party_answer_when_read_then_classed_as_it_says(
    conformance: Path, sample: str, request_name: str, status: AnswerStatus
) -> None:
    answer = read_answer((conformance / sample).read_bytes(), request_name=request_name)
    assert answer.status is status


def test_given_warnings_when_read_then_delivered_with_type_and_text(conformance: Path) -> None:
    body = (conformance / AB / "FreeRooms-OTA_HotelInvCountNotifRS-advisory.xml").read_bytes()
    answer = read_answer(body, request_name="OTA_HotelInvCountNotifRQ")
    (warning,) = answer.warnings
    assert (warning.ota_type, warning.text) == (11, "last full data set received more than 48 hours ago")
    assert answer.refused_items == frozenset()


def test_given_a_whole_message_error_when_read_then_failed_with_code_and_text(conformance: Path) -> None:
    body = (conformance / AB / "FreeRooms-OTA_HotelInvCountNotifRS-error.xml").read_bytes()
    answer = read_answer(body, request_name="OTA_HotelInvCountNotifRQ")
    assert answer.reason() == "13/404: Invalid start/end date combination"
    assert answer.refused_items == frozenset()


def test_given_errors_naming_items_when_read_then_partial_with_those_items() -> None:
    answer = read_answer((FIXTURES / "partial_errors.xml").read_bytes(), request_name="OTA_HotelAvailNotifRQ")
    assert answer.status is AnswerStatus.PARTIAL
    assert answer.refused_items == frozenset({2, 3})
    assert [(e.code, e.item) for e in answer.errors] == [("402", 2), ("436", 3)]


@pytest.mark.parametrize(
    ("fixture", "request_name"),
    [
        ("auth_error.xml", "OTA_HotelRateAmountNotifRQ"),
        ("auth_text_error.xml", "OTA_HotelInvCountNotifRQ"),
        ("soap_fault_auth.xml", "OTA_HotelAvailNotifRQ"),
    ],
)
def test_given_credentials_refused_when_read_then_auth_failed(fixture: str, request_name: str) -> None:
    answer = read_answer((FIXTURES / fixture).read_bytes(), request_name=request_name)
    assert answer.status is AnswerStatus.AUTH_FAILED
    assert answer.refused_items == frozenset()


def test_given_a_soap_wrapped_success_when_read_then_success() -> None:
    answer = read_answer((FIXTURES / "soap_success.xml").read_bytes(), request_name="OTA_HotelAvailNotifRQ")
    assert answer.status is AnswerStatus.SUCCESS


@pytest.mark.parametrize(
    ("fixture", "mentions"),
    [
        ("gateway.html", "not an OTA answer"),
        ("json.txt", "not an OTA answer"),
        ("wrong_answer.xml", "OTA_HotelResNotifRS is not an answer"),
        ("neither.xml", "neither Success nor Errors"),
    ],
)
def test_given_garbage_when_read_then_unreadable_answer(fixture: str, mentions: str) -> None:
    with pytest.raises(UnreadableAnswer, match=mentions):
        read_answer((FIXTURES / fixture).read_bytes(), request_name="OTA_HotelAvailNotifRQ")


def test_given_an_empty_answer_when_read_then_unreadable_answer() -> None:
    with pytest.raises(UnreadableAnswer, match="not an OTA answer"):
        read_answer(b"", request_name="OTA_HotelAvailNotifRQ")
