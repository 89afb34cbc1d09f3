"""Answers to pushes that change nothing validate against the OTA 2015A schemas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from ota_conformance import assert_answer_valid

from connectors.ota.codec import read_request
from connectors.ota.intents import no_change
from connectors.ota.responses import no_change_response

FORUM_CANCEL = "opentravel-specs/OTA1.0/OTA2011B/OpenTravel2011B_XML/OTA_CancelRQ_ForumHotelCancelSample.xml"
AB_PUSH = (
    "alpinebits-noi-opendatahub/alpinebits-xml/impl/src/test/resources/examples/v_2024_10/"
    "GuestRequests-Push-OTA_HotelResNotifRQ.xml"
)


@pytest.mark.parametrize(
    ("cancel_type", "status"),
    [("Initiate", "Pending"), ("Ignore", "Ignored"), ("Quote", "Unchanged"), ("VerifyPrice", "Unchanged")],
)
def test_given_the_forum_cancel_sample_with_a_cancel_type_that_does_not_commit_when_answered_then_valid(
    conformance: Path, ota_2015a_schema: Callable[[str], etree.XMLSchema], cancel_type: str, status: str
) -> None:
    req = read_request((conformance / FORUM_CANCEL).read_bytes(), max_bytes=1 << 20)
    req.root.set("CancelType", cancel_type)
    nothing = no_change(req)
    assert nothing is not None and nothing.status == status
    raw = no_change_response(req, nothing.status)
    assert_answer_valid(raw, ota_2015a_schema)
    assert f'Status="{status}"'.encode() in raw and b'ID="99999999"' in raw


def test_given_an_alpinebits_push_marked_ignore_when_answered_then_valid_and_empty(
    conformance: Path, ota_2015a_schema: Callable[[str], etree.XMLSchema]
) -> None:
    req = read_request((conformance / AB_PUSH).read_bytes(), max_bytes=1 << 20)
    for reservation in req.root.iter("{*}HotelReservation"):
        reservation.set("ResStatus", "Ignore")
    nothing = no_change(req)
    assert nothing is not None
    raw = no_change_response(req, nothing.status)
    assert_answer_valid(raw, ota_2015a_schema)
    assert b"HotelReservation" not in raw


def test_given_the_same_push_committed_when_read_then_it_changes_something(conformance: Path) -> None:
    req = read_request((conformance / AB_PUSH).read_bytes(), max_bytes=1 << 20)
    assert no_change(req) is None
